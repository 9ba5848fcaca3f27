package outside

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// userMain is the outside module's program: it parses a list, attaches a
// container through the test plugin (CNI_PATH names its directory) and
// reads the attachment back from the cache.
const userMain = `package main

import (
	"context"
	"fmt"
	"os"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

func main() {
	list, err := libcni.ConfListFromBytes([]byte(` + "`" + `{"cniVersion":"1.1.0","name":"outnet","plugins":[{"type":"testplug"}]}` + "`" + `))
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	cninet := libcni.NewCNIConfigWithCacheDir([]string{os.Getenv("CNI_PATH")}, os.Args[1], nil)
	rt := &libcni.RuntimeConf{ContainerID: "outside", NetNS: "/var/run/netns/outside", IfName: "eth0"}
	res, err := cninet.AddNetworkList(context.Background(), list, rt)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	atts, err := cninet.GetCachedAttachments("outside")
	if err != nil || len(atts) != 1 {
		fmt.Println(atts, err)
		os.Exit(1)
	}
	fmt.Println(list.Name, res.Version(), atts[0].ContainerID, atts[0].IfName)
}
`

const wantOutput = "outnet 1.1.0 outside eth0\n"

// repoRoot is the checkout this package is in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// testPlugin is $CNI_TEST_PLUGIN or the checkout's debug build, in a
// directory of its own as "testplug".
func testPlugin(t *testing.T, root string) string {
	t.Helper()
	p := os.Getenv("CNI_TEST_PLUGIN")
	if p == "" {
		p = filepath.Join(root, "target", "debug", "cni-test-plugin")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("test plugin: %v (cargo build -p cni-test-plugin, or set CNI_TEST_PLUGIN)", err)
	}
	p, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(p, filepath.Join(dir, "testplug")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeModule writes the outside module, requiring the binding through a
// replace directive to the checkout, as the README documents, with the
// binding's go.sum (the module cache provides what a build needs; no
// network).
func writeModule(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	binding := filepath.Join(root, "bindings", "go")
	gomod := "module example.com/cniuser\n\ngo 1.22\n\n" +
		"require github.com/libcniinvoke/libcniinvoke/bindings/go v0.0.0\n\n" +
		"replace github.com/libcniinvoke/libcniinvoke/bindings/go => " + binding + "\n"
	sum, err := os.ReadFile(filepath.Join(binding, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"go.mod": gomod, "main.go": userMain, "go.sum": string(sum)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// -e: the tests of the binding's dependencies (upstream's, which use
	// ginkgo) need modules a build does not, and the cache may lack them.
	run(t, dir, nil, "go", "mod", "tidy", "-e")
	return dir
}

// run runs a command in dir with extra environment and returns its stdout;
// a failure fails the test with its output.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GOPROXY=off", "GOFLAGS=-mod=mod"}, env...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// buildAndRun builds the module with the build flags and runs the program
// against the test plugin; it must print wantOutput. It returns the binary.
func buildAndRun(t *testing.T, mod, plugins string, env []string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cniuser")
	run(t, mod, env, "go", append(append([]string{"build"}, flags...), "-o", bin, ".")...)
	out := run(t, mod, []string{"CNI_PATH=" + plugins}, bin, t.TempDir())
	if out != wantOutput {
		t.Fatalf("program printed %q, want %q", out, wantOutput)
	}
	return bin
}

// Through the replace directive alone: the checkout's static library, so
// the program needs no libcniinvoke.so.
func TestReplaceDirective(t *testing.T) {
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "target", "release", "libcniinvoke.a")); err != nil {
		t.Fatalf("%v (run make lib first)", err)
	}
	plugins := testPlugin(t, root)
	mod := writeModule(t, root)
	bin := buildAndRun(t, mod, plugins, nil)
	if needed := neededLibs(t, bin); strings.Contains(needed, "libcniinvoke") {
		t.Fatalf("the replace build needs %s", needed)
	}
}

// With -tags cniinvoke_pkgconfig against `make install PREFIX=<tmp>`: the
// installed header and shared library, found through PKG_CONFIG_PATH, and
// the rpath the installed .pc carries for a private prefix.
func TestInstalledThroughPkgConfig(t *testing.T) {
	requireTools(t, "pkg-config", "make")
	if testing.Short() && os.Getenv("CNI_REQUIRE_PKGCONFIG") != "1" {
		t.Skip("-short: make install builds the release command line too")
	}
	root := repoRoot(t)
	plugins := testPlugin(t, root)
	prefix := t.TempDir()
	run(t, root, nil, "nice", "make", "-s", "install", "PREFIX="+prefix)
	pcPath := pkgConfigEnv(t, filepath.Join(prefix, "lib", "pkgconfig"), "cniinvoke.pc")
	mod := writeModule(t, root)
	bin := buildAndRun(t, mod, plugins, pcPath, "-tags", "cniinvoke_pkgconfig")
	lib := filepath.Join(prefix, "lib")
	if needed := neededLibs(t, bin); !strings.Contains(needed, "libcniinvoke.so.0") {
		t.Fatalf("the pkg-config build needs %q, not the installed libcniinvoke.so.0", needed)
	}
	if rpath := runPath(t, bin); !strings.Contains(rpath, lib) {
		t.Fatalf("run path %q does not name %s", rpath, lib)
	}
}

// With -tags cniinvoke_pkgconfig against the build tree (make lib's
// cniinvoke-uninstalled.pc in target/release/pkgconfig).
func TestBuildTreeThroughPkgConfig(t *testing.T) {
	requireTools(t, "pkg-config", "make")
	root := repoRoot(t)
	plugins := testPlugin(t, root)
	run(t, root, nil, "nice", "make", "-s", "lib")
	release := filepath.Join(root, "target", "release")
	if dir := os.Getenv("CARGO_TARGET_DIR"); dir != "" {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		release = filepath.Join(dir, "release")
	}
	pcPath := pkgConfigEnv(t, filepath.Join(release, "pkgconfig"), "cniinvoke-uninstalled.pc")
	mod := writeModule(t, root)
	bin := buildAndRun(t, mod, plugins, pcPath, "-tags", "cniinvoke_pkgconfig")
	if rpath := runPath(t, bin); !strings.Contains(rpath, release) {
		t.Fatalf("run path %q does not name %s", rpath, release)
	}
}

// pkgConfigEnv is the environment of a cniinvoke_pkgconfig build against
// dir's pc file: PKG_CONFIG_PATH, and a define in CGO_CFLAGS naming the
// file's path and text, because Go's build cache does not notice that
// pkg-config answers differently (the README says so too).
func pkgConfigEnv(t *testing.T, dir, pc string) []string {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(dir, pc))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append([]byte(dir+"\x00"), text...))
	cflags := os.Getenv("CGO_CFLAGS")
	if cflags == "" {
		cflags = "-O2 -g"
	}
	return []string{
		"PKG_CONFIG_PATH=" + dir,
		fmt.Sprintf("CGO_CFLAGS=%s -DCNIINVOKE_PC_HASH=%x", cflags, sum[:8]),
	}
}

// requireTools skips without the tools, unless CNI_REQUIRE_PKGCONFIG=1.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CNI_REQUIRE_PKGCONFIG") == "1" {
				t.Fatalf("CNI_REQUIRE_PKGCONFIG=1, but %s is missing", tool)
			}
			t.Skipf("%s is missing (apt-get install pkg-config make)", tool)
		}
	}
}

// neededLibs is the binary's DT_NEEDED list, space-separated.
func neededLibs(t *testing.T, bin string) string {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(libs, " ")
}

// runPath is the binary's DT_RUNPATH (or DT_RPATH).
func runPath(t *testing.T, bin string) string {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tag := range []elf.DynTag{elf.DT_RUNPATH, elf.DT_RPATH} {
		if v, err := f.DynString(tag); err == nil && len(v) > 0 {
			return strings.Join(v, ":")
		}
	}
	return ""
}
