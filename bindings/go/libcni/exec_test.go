package libcni_test

// The exec and the context of a call: upstream's and this project's
// default execs, Go execs called back from the core (their own errors
// come back as themselves), deadlines and cancellation across the chain.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	upinvoke "github.com/containernetworking/cni/pkg/invoke"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

func TestDeadlineAndCancelReachTheChain(t *testing.T) {
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	list := mustList(t, chain("1.0.0", "slow", t.TempDir(), map[string]any{"debug": map[string]any{"sleepMs": 20000}}))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := cfg.AddNetworkList(ctx, list, newRT("c1"))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	if !strings.HasPrefix(err.Error(), `plugin type="testplug" failed (add): `) {
		t.Fatalf("text %q", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	err = cfg.DelNetworkList(ctx, list, newRT("c1"))
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
}

// goExec is a Go Exec (as upstream's fakes are): it runs the real plugin
// through upstream's own RawExec, or fails with its own error value.
type goExec struct {
	*upinvoke.DefaultExec
	fail error
}

func (e *goExec) ExecPlugin(ctx context.Context, path string, stdin []byte, env []string) ([]byte, error) {
	if e.fail != nil {
		return nil, e.fail
	}
	return e.DefaultExec.ExecPlugin(ctx, path, stdin, env)
}

type ownError struct{ n int }

func (e *ownError) Error() string { return fmt.Sprintf("own error %d", e.n) }

func TestGoExecs(t *testing.T) {
	logDir := t.TempDir()
	list := mustList(t, chain("1.0.0", "gonet", logDir, nil))
	var stderr bytes.Buffer
	up := &upinvoke.DefaultExec{RawExec: &upinvoke.RawExec{Stderr: &stderr}}
	var results []string
	for _, exec := range []upinvoke.Exec{nil, up, &goExec{DefaultExec: up}} {
		cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), exec)
		res, err := cfg.AddNetworkList(context.Background(), list, newRT("c1"))
		if err != nil {
			t.Fatalf("exec %T: %v", exec, err)
		}
		results = append(results, mustJSON(t, res))
		if info, err := cfg.GetVersionInfo(context.Background(), "testplug"); err != nil || len(info.SupportedVersions()) == 0 {
			t.Fatalf("exec %T: %v (%v)", exec, info, err)
		}
	}
	if results[0] != results[1] || results[1] != results[2] {
		t.Fatalf("results differ: %v", results)
	}

	own := &ownError{3}
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), &goExec{DefaultExec: up, fail: own})
	_, err := cfg.AddNetworkList(context.Background(), list, newRT("c9"))
	if errors.Unwrap(err) != own || err.Error() != `plugin type="testplug" failed (add): own error 3` {
		t.Fatalf("list error %#v", err)
	}
	net, _ := libcni.ConfFromBytes([]byte(`{"cniVersion":"1.0.0","name":"one","type":"testplug"}`))
	if _, err := cfg.AddNetwork(context.Background(), net, newRT("c9")); err != own {
		t.Fatalf("single error %#v", err)
	}
}

// Our invoke package's DefaultExec is the library's own process exec.
func TestProjectDefaultExec(t *testing.T) {
	var stderr bytes.Buffer
	list := mustList(t, []byte(`{"cniVersion":"1.0.0","name":"p","plugins":[{"type":"testplug","debug":{"stderr":"hello","chainResult":true}}]}`))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), newProjectExec(&stderr))
	if _, err := cfg.AddNetworkList(context.Background(), list, newRT("c1")); err != nil {
		t.Fatal(err)
	}
	if stderr.String() != "hello" {
		t.Fatalf("stderr %q", stderr.String())
	}
}

// A context already done starts no plugin of the chain.
func TestContextAlreadyDone(t *testing.T) {
	logDir := t.TempDir()
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	list := mustList(t, chain("1.0.0", "done", logDir, nil))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cfg.AddNetworkList(ctx, list, newRT("c1")); !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
	if err := cfg.CheckNetworkList(ctx, list, newRT("c1")); !errors.Is(err, context.Canceled) {
		t.Fatalf("CHECK: %v", err)
	}
	if l := readLog(t, logDir, "c1-eth0.log"); len(l) != 0 {
		t.Fatalf("plugins ran: %v", commands(l))
	}
}

func newProjectExec(stderr *bytes.Buffer) *invoke.DefaultExec {
	return &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: stderr}}
}
