package libcni

// How one method becomes one C call: a cni_config made for the call from
// the CNIConfig's current fields (Path may be changed at any time, as
// upstream's), the exec mapped onto the library's (a default exec runs
// plugins as the library's processes, any other Exec through Go
// callbacks), and the error converted back.

/*
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"os"
	"unsafe"

	upinvoke "github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/capi"
	ourinvoke "github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
)

// processOf is the library's process exec for the execs that run plugins
// as processes (nil: upstream's default, stderr to os.Stderr), or nil for
// an Exec that must be called back.
func processOf(exec upinvoke.Exec) *capi.Process {
	switch e := exec.(type) {
	case nil:
		return &capi.Process{Stderr: os.Stderr}
	case *ourinvoke.DefaultExec:
		if e == nil {
			return nil
		}
		if e.RawExec == nil {
			return &capi.Process{}
		}
		return &capi.Process{Stderr: e.RawExec.Stderr}
	case *upinvoke.DefaultExec:
		if e == nil {
			return nil
		}
		if e.RawExec == nil {
			return &capi.Process{}
		}
		return &capi.Process{Stderr: e.RawExec.Stderr}
	}
	return nil
}

// cCall is one C call on a CNIConfig.
type cCall struct {
	*capi.Call
	cfg *C.cni_config
	ctx *C.cni_context
}

// newCCall makes the call's exec, context and config; cacheDir "" is the
// library's default.
func (c *CNIConfig) newCCall(ctx context.Context, cacheDir string) (*cCall, error) {
	call, err := capi.NewCall(ctx, c.exec, processOf(c.exec))
	if err != nil {
		return nil, err
	}
	paths := c.Path
	if paths == nil {
		paths = []string{}
	}
	cpaths, cdir := cString(mustJSON(paths)), cString(cacheDir)
	defer C.free(unsafe.Pointer(cpaths))
	defer C.free(unsafe.Pointer(cdir))
	var cfg *C.cni_config
	var cerr *C.cni_error
	status := C.cni_config_new(cpaths, cdir, (*C.cni_exec)(call.CExec()), &cfg, &cerr)
	if status != C.CNI_STATUS_OK {
		return nil, call.Done(uint32(status), unsafe.Pointer(cerr))
	}
	return &cCall{Call: call, cfg: cfg, ctx: (*C.cni_context)(call.CContext())}, nil
}

// done frees the call's config and converts its outcome.
func (c *cCall) done(status C.cni_status, cerr *C.cni_error) error {
	C.cni_config_free(c.cfg)
	return c.Done(uint32(status), unsafe.Pointer(cerr))
}

// cacheDirFor is upstream's precedence: the config's directory, the
// runtime conf's deprecated one, then the package's CacheDir.
func (c *CNIConfig) cacheDirFor(rt *RuntimeConf) string {
	switch {
	case c.cacheDir != "":
		return c.cacheDir
	case rt != nil && rt.CacheDir != "":
		return rt.CacheDir
	}
	return CacheDir
}

// listCall runs cni_network_list_call: op on parts with arg (nil: NULL),
// answering *out (nil when nothing came back).
func (c *CNIConfig) listCall(ctx context.Context, cacheDir, op string, parts any, arg any) (*string, error) {
	call, err := c.newCCall(ctx, cacheDir)
	if err != nil {
		return nil, err
	}
	cop, cparts := cString(op), cString(mustJSON(parts))
	defer C.free(unsafe.Pointer(cop))
	defer C.free(unsafe.Pointer(cparts))
	var carg *C.char
	if arg != nil {
		carg = cString(mustJSON(arg))
		defer C.free(unsafe.Pointer(carg))
	}
	var out *C.char
	var cerr *C.cni_error
	status := C.cni_network_list_call(call.cfg, call.ctx, cop, cparts, carg, &out, &cerr)
	if err := call.done(status, cerr); err != nil {
		return nil, err
	}
	return takeString(out), nil
}

// takeString is the Go copy of a string the library returned (nil for
// NULL), which it frees.
func takeString(s *C.char) *string {
	if s == nil {
		return nil
	}
	defer C.cni_string_free(s)
	g := C.GoString(s)
	return &g
}

func cString(s string) *C.char { return C.CString(s) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("libcni: " + err.Error())
	}
	return string(b)
}

// resultOf builds upstream's typed result from the library's result JSON,
// which always names its version.
func resultOf(data *string) (types.Result, error) {
	if data == nil {
		return nil, nil
	}
	return capi.Result([]byte(*data), "libcni")
}
