package libcni_test

import (
	"io"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
)

func newProjectExec(stderr io.Writer) *invoke.DefaultExec {
	return &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: stderr}}
}
