//go:build cnibinding

// The same program built against libcniinvoke's Go binding, a drop-in for
// upstream's pkg/invoke. bench/run.py builds it in a copy of this directory
// whose go.mod points the import below at bindings/go (its module path is
// taken from bindings/go/go.mod).

package main

import invoke "cniinvoke/bindings/go"

const contenderName = "go-binding"

type (
	rawExec = invoke.RawExec
	cniArgs = invoke.Args
)

var (
	execPluginWithResult    = invoke.ExecPluginWithResult
	execPluginWithoutResult = invoke.ExecPluginWithoutResult
	getVersionInfo          = invoke.GetVersionInfo
)
