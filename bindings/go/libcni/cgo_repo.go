//go:build !cniinvoke_pkgconfig

package libcni

// The default build: the checkout's header; the library is linked by
// internal/capi.
// Build with -tags cniinvoke_pkgconfig to use an installed libcniinvoke
// through pkg-config instead (cgo_pkgconfig.go).

/*
#cgo CFLAGS: -I${SRCDIR}/../../../include
*/
import "C"
