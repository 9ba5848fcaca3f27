package doccheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Every exported identifier of the public packages has a doc comment.
func TestPublicPackagesAreDocumented(t *testing.T) {
	for _, dir := range []string{"../../invoke", "../../libcni"} {
		missing, err := Undocumented(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) > 0 {
			t.Errorf("%s: exported identifiers without a doc comment: %v", dir, missing)
		}
	}
}

// The check finds each kind of undocumented identifier and accepts the
// documented ones (group comments included).
func TestUndocumentedFindsEachKind(t *testing.T) {
	dir := t.TempDir()
	src := `package p

const Bare = 1

// Documented is.
const Documented = 2

// Group documents its members.
const (
	InGroup = 3
)

var (
	Loose = 4
	Trailing = 5 // Trailing has a line comment.
	unexported = 6
)

type T struct{}

// U is documented.
type U struct{}

func (U) M() {}

// N is documented.
func (U) N() {}

func (U) m() {}

func F() {}

// G is documented.
func G() {}

func NewT() T { return T{} }
`
	if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	test := "package p\n\nfunc Helper() {}\n"
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	missing, err := Undocumented(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Bare", "F", "Loose", "NewT", "T", "U.M", "package"}
	if !reflect.DeepEqual(missing, want) {
		t.Fatalf("Undocumented = %v, want %v", missing, want)
	}
}

// The doc comments are the project's own words: none shares seven
// consecutive words with a comment of upstream's package of the same role
// (upstream v1.3.0 from the module cache).
func TestCommentsAreNotUpstreams(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/containernetworking/cni").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/containernetworking/cni: %v", err)
	}
	upstream := strings.TrimSpace(string(out))
	for dir, theirs := range map[string]string{"../../invoke": "pkg/invoke", "../../libcni": "libcni"} {
		shared, err := SharedPhrases(dir, filepath.Join(upstream, theirs), 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range shared {
			t.Errorf("%s: words of upstream's %s comments: %s", dir, theirs, s)
		}
	}
}

// SharedPhrases finds a run of n words in common, case and punctuation
// aside, and no shorter run.
func TestSharedPhrases(t *testing.T) {
	ours, theirs := t.TempDir(), t.TempDir()
	write := func(dir, src string) {
		if err := os.WriteFile(filepath.Join(dir, "p.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(theirs, "// Package p does one two three four five.\npackage p\n\n// F is alpha beta gamma.\nfunc F() {}\n")
	write(ours, "//go:build linux\n\n// Package p: DOES one, two three nine.\npackage p\n\n// F is alpha beta delta.\nfunc F() {}\n")
	shared, err := SharedPhrases(ours, theirs, 6)
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) != 1 || !strings.HasSuffix(shared[0], "p.go:3:1: package p does one two three") {
		t.Fatalf("SharedPhrases = %q", shared)
	}
	if shared, _ := SharedPhrases(ours, theirs, 7); len(shared) != 0 {
		t.Fatalf("seven words: %q", shared)
	}
}
