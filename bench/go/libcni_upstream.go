//go:build !cnilibcni

// The list workload against upstream's libcni (v1.3.0).

package main

import "github.com/containernetworking/cni/libcni"

// Whether this build's libcni is the binding (the result line's contender).
const libcniBinding = false

type (
	cniConfig         = libcni.CNIConfig
	runtimeConf       = libcni.RuntimeConf
	networkConfigList = libcni.NetworkConfigList
)

var (
	newCNIConfigWithCacheDir = libcni.NewCNIConfigWithCacheDir
	confListFromBytes        = libcni.ConfListFromBytes
)
