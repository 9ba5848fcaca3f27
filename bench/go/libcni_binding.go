//go:build cnilibcni

// The list workload against libcniinvoke's Go libcni binding, a drop-in
// for upstream's libcni. bench/run.py builds it in a copy of this directory
// whose go.mod points the import below at bindings/go (its module path is
// taken from bindings/go/go.mod).

package main

import "cniinvoke/bindings/go/libcni"

// Whether this build's libcni is the binding (the result line's contender).
const libcniBinding = true

type (
	cniConfig         = libcni.CNIConfig
	runtimeConf       = libcni.RuntimeConf
	networkConfigList = libcni.NetworkConfigList
)

var (
	newCNIConfigWithCacheDir = libcni.NewCNIConfigWithCacheDir
	confListFromBytes        = libcni.ConfListFromBytes
)
