//go:build !cnibinding

// The contender built against upstream's pkg/invoke (v1.3.0).

package main

import "github.com/containernetworking/cni/pkg/invoke"

const contenderName = "go-upstream"

type (
	rawExec = invoke.RawExec
	cniArgs = invoke.Args
)

var (
	execPluginWithResult    = invoke.ExecPluginWithResult
	execPluginWithoutResult = invoke.ExecPluginWithoutResult
	getVersionInfo          = invoke.GetVersionInfo
)
