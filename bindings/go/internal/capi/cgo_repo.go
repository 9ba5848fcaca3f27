//go:build !cniinvoke_pkgconfig

package capi

// The default build: the header and the static library of the checkout
// (make lib), so a program needs nothing at run time.
// Build with -tags cniinvoke_pkgconfig to use an installed libcniinvoke
// through pkg-config instead (cgo_pkgconfig.go).

/*
#cgo CFLAGS: -I${SRCDIR}/../../../../include
#cgo LDFLAGS: ${SRCDIR}/../../../../target/release/libcniinvoke.a -lgcc_s -lutil -lrt -lpthread -lm -ldl
*/
import "C"
