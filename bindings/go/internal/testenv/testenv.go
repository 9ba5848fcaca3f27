// Package testenv is what the invoke and libcni tests share: the project's
// test plugin, and real plugins run inside network namespaces the tests
// make and remove.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// RealPluginDir is where Debian's containernetworking-plugins puts them.
const RealPluginDir = "/usr/lib/cni"

// FindPlugin is $CNI_TEST_PLUGIN, or the workspace's debug build of the
// test plugin (built with cargo when missing). Relative paths are taken
// from a package directory of bindings/go.
func FindPlugin() (string, error) {
	if p := os.Getenv("CNI_TEST_PLUGIN"); p != "" {
		return filepath.Abs(p)
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "target", "debug", "cni-test-plugin")
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	cmd := exec.Command("cargo", "build", "-p", "cni-test-plugin")
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("cargo build -p cni-test-plugin: %w", err)
	}
	return p, nil
}

// RequireRealPlugins skips the test unless it runs as root with the named
// plugins in RealPluginDir and the named tools on PATH; with
// CNI_REQUIRE_REAL_PLUGINS=1 a missing piece fails it instead.
func RequireRealPlugins(t testing.TB, plugins, tools []string) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	for _, p := range plugins {
		if _, err := os.Stat(filepath.Join(RealPluginDir, p)); err != nil {
			missing = append(missing, filepath.Join(RealPluginDir, p)+" (apt-get install containernetworking-plugins)")
		}
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "real-plugin tests need " + strings.Join(missing, ", ")
	if os.Getenv("CNI_REQUIRE_REAL_PLUGINS") == "1" {
		t.Fatal(msg + " (CNI_REQUIRE_REAL_PLUGINS=1)")
	}
	t.Skip(msg)
}

// IP runs ip(8) with args; its combined output.
func IP(args ...string) (string, error) {
	out, err := exec.Command("ip", args...).CombinedOutput()
	return string(out), err
}

// AddNetns creates network namespace name, removed when the test ends; its
// path.
func AddNetns(t testing.TB, name string) string {
	t.Helper()
	// A leftover of a crashed run with the same pid would make add fail.
	_, _ = IP("netns", "del", name)
	if out, err := IP("netns", "add", name); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := IP("netns", "del", name); err != nil {
			t.Errorf("ip netns del %s: %v\n%s", name, err, out)
		}
	})
	return "/var/run/netns/" + name
}

// NSThread runs functions on one OS thread that has joined a network
// namespace. The thread stays locked: when the goroutine ends, Go
// discards the thread instead of reusing it elsewhere.
type NSThread struct {
	work chan func()
}

// NewNSThread starts the thread and makes it join netnsPath; it ends with
// the test.
func NewNSThread(t testing.TB, netnsPath string) *NSThread {
	t.Helper()
	th := &NSThread{work: make(chan func())}
	ready := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked
		fd, err := syscall.Open(netnsPath, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			ready <- err
			return
		}
		_, _, errno := syscall.RawSyscall(sysSetns, uintptr(fd), syscall.CLONE_NEWNET, 0)
		syscall.Close(fd)
		if errno != 0 {
			ready <- fmt.Errorf("setns %s: %w", netnsPath, errno)
			return
		}
		ready <- nil
		for f := range th.work {
			f()
		}
	}()
	if err := <-ready; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { close(th.work) })
	return th
}

// Do runs f on the namespace's thread and waits for it.
func (th *NSThread) Do(f func()) {
	done := make(chan struct{})
	th.work <- func() {
		defer close(done)
		f()
	}
	<-done
}
