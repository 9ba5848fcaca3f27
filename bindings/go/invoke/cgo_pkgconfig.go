//go:build cniinvoke_pkgconfig

package invoke

// The build for an installed libcniinvoke (-tags cniinvoke_pkgconfig):
// pkg-config's cniinvoke.pc (make install, or cniinvoke-uninstalled.pc in a
// build tree; found on PKG_CONFIG_PATH) gives the installed header (the library is linked by
// internal/capi).

/*
#cgo pkg-config: cniinvoke
*/
import "C"
