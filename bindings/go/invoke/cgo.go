package invoke

// The C side of the binding: the header's location. The library itself,
// the callbacks of a Go Exec and the error conversions are in
// internal/capi, shared with the libcni package.

/*
#cgo CFLAGS: -I${SRCDIR}/../../../include
*/
import "C"
