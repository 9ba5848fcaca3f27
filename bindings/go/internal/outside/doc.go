// Package outside holds the test that uses the binding as another
// module does: from a module in a temporary directory, built through the
// documented replace directive and, with the cniinvoke_pkgconfig build
// tag, against an installed libcniinvoke found by pkg-config. It has no
// API.
package outside
