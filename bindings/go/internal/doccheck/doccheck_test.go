package doccheck

import (
	"os"
	"path/filepath"
	"reflect"
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
