package invoke

// How one Go call becomes one C call: internal/capi makes the cni_context
// and the cni_exec (the library's process exec for a *DefaultExec, the Go
// callbacks for any other Exec); this file adds the args_json made from the
// CNIArgs.

/*
#include <stdint.h>
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/capi"

	"github.com/containernetworking/cni/pkg/types"
)

// call is one C call in the making.
type call struct {
	*capi.Call
	exec *C.cni_exec
	cctx *C.cni_context
	args *C.char
}

// newCall prepares the C exec for exec (nil = the default exec) and, when
// withArgs, the args_json for args.
func newCall(ctx context.Context, exec Exec, args CNIArgs, withArgs bool) (*call, error) {
	if exec == nil {
		exec = defaultExec
	}
	d, isProcess := exec.(*DefaultExec)
	isProcess = isProcess && d != nil
	var argsJSON *string
	if withArgs {
		j, err := argsJSONOf(args, isProcess)
		if err != nil {
			return nil, err
		}
		argsJSON = j
	}
	var proc *capi.Process
	if isProcess {
		proc = processOf(d.RawExec)
	}
	c, err := wrapCall(capi.NewCall(ctx, exec, proc))
	if err != nil {
		return nil, err
	}
	if argsJSON != nil {
		c.args = C.CString(*argsJSON)
	}
	return c, nil
}

// newProcessCall prepares a call whose plugins run as processes of raw.
func newProcessCall(ctx context.Context, raw *RawExec) (*call, error) {
	return wrapCall(capi.NewCall(ctx, nil, processOf(raw)))
}

func wrapCall(c *capi.Call, err error) (*call, error) {
	if err != nil {
		return nil, err
	}
	return &call{
		Call: c,
		exec: (*C.cni_exec)(c.CExec()),
		cctx: (*C.cni_context)(c.CContext()),
	}, nil
}

// processOf is the process exec of raw (nil or no Stderr: stderr only
// kept for error messages).
func processOf(raw *RawExec) *capi.Process {
	if raw == nil {
		return &capi.Process{}
	}
	return &capi.Process{Stderr: raw.Stderr}
}

// done releases the call's C objects and turns its outcome into a Go error
// (nil for CNI_STATUS_OK). A panic in a Go Exec is re-raised here.
func (c *call) done(status C.cni_status, cerr *C.cni_error) error {
	if c.args != nil {
		C.free(unsafe.Pointer(c.args))
	}
	return c.Done(uint32(status), unsafe.Pointer(cerr))
}

// libErrorOf turns a failed status and its cni_error (which it frees) into
// a Go error, without a call context.
func libErrorOf(status C.cni_status, cerr *C.cni_error) error {
	return capi.LibErrorOf(uint32(status), unsafe.Pointer(cerr))
}

// argsJSON is the args_json of the C ABI.
type argsJSON struct {
	Command       string      `json:"command"`
	ContainerID   string      `json:"containerId"`
	NetNS         string      `json:"netns"`
	IfName        string      `json:"ifName"`
	Path          string      `json:"path"`
	PluginArgs    [][2]string `json:"pluginArgs,omitempty"`
	PluginArgsStr string      `json:"pluginArgsStr,omitempty"`
}

// environJSON is the other form of args_json: exactly this environment.
type environJSON struct {
	Environ []string `json:"environ"`
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("invoke: " + err.Error())
	}
	return string(b)
}

// argsJSONOf is the args_json for args (nil: inherit the environment). An
// *Args is described by its CNI variables (libcniinvoke adds them to this
// process's environment, as Args.AsEnv does); any other CNIArgs by its
// AsEnv(), passed as exactly the plugin's environment ({"environ":[...]}),
// nil AsEnv() meaning inherit, as upstream. For a process (spawned), the
// environment is first cleaned as os/exec cleans upstream's; a Go Exec gets
// AsEnv() as it is.
func argsJSONOf(args CNIArgs, process bool) (*string, error) {
	switch a := args.(type) {
	case nil, *inherited:
		return nil, nil
	case *Args:
		j := a.json()
		return &j, nil
	}
	env := args.AsEnv()
	if env == nil {
		return nil, nil
	}
	if process {
		var err error
		if env, err = osExecEnv(env); err != nil {
			return nil, err
		}
	}
	for _, kv := range env {
		// JSON (and libcniinvoke) carry UTF-8 only; encoding/json would
		// silently replace the bytes.
		if !utf8.ValidString(kv) {
			return nil, fmt.Errorf("invoke: environment entry %q of %T is not valid UTF-8, which libcniinvoke cannot pass", kv, args)
		}
	}
	j := mustJSON(environJSON{Environ: env})
	return &j, nil
}

// osExecEnv is env as os/exec hands it to a process, which is what
// upstream's RawExec does (Cmd.Env = environ): one entry per name, the
// last one, in the order of those last entries; empty entries dropped,
// entries without "=" kept. An entry holding a NUL fails the run, as
// upstream's RawExec reports it.
func osExecEnv(env []string) ([]string, error) {
	out := make([]string, 0, len(env))
	saw := make(map[string]bool, len(env))
	for i := len(env) - 1; i >= 0; i-- {
		kv := env[i]
		if strings.IndexByte(kv, 0) >= 0 {
			return nil, &types.Error{Msg: "netplugin failed with no error message: exec: environment variable contains NUL"}
		}
		eq := strings.Index(kv, "=")
		if eq == 0 {
			eq = strings.Index(kv[1:], "=") + 1
		}
		if eq < 0 {
			if kv != "" {
				out = append(out, kv)
			}
			continue
		}
		if k := kv[:eq]; !saw[k] {
			saw[k] = true
			out = append(out, kv)
		}
	}
	slices.Reverse(out)
	return out, nil
}
