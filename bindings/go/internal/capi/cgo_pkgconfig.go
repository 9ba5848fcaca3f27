//go:build cniinvoke_pkgconfig

package capi

// The build for an installed libcniinvoke (-tags cniinvoke_pkgconfig):
// pkg-config's cniinvoke.pc (make install, or cniinvoke-uninstalled.pc in a
// build tree; found on PKG_CONFIG_PATH) gives the installed library: its cflags and libs (the shared library,
// with the rpath its .pc carries for a private prefix).

/*
#cgo pkg-config: cniinvoke
*/
import "C"
