package invoke

/*
#include <stdlib.h>
#include <string.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"context"
	"os"
	"unsafe"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/capi"
)

// Exec gathers what running a CNI plugin takes: starting the executable,
// finding it on a search path and decoding its VERSION answer. A test can
// supply its own implementation instead of installing plugins on disk.
//
// A *DefaultExec runs in libcniinvoke; any other Exec (upstream's fakes,
// for instance) is called back by libcniinvoke for each operation.
type Exec interface {
	ExecPlugin(ctx context.Context, pluginPath string, stdinData []byte, environ []string) ([]byte, error)
	FindInPath(plugin string, paths []string) (string, error)
	Decode(jsonBytes []byte) (version.PluginInfo, error)
}

// DefaultExec is the Exec of real plugins: executables found on disk and
// run as child processes, their VERSION answers decoded by upstream's
// version.PluginDecoder.
type DefaultExec struct {
	*RawExec
	version.PluginDecoder
}

var _ Exec = &DefaultExec{}

var defaultExec = &DefaultExec{
	RawExec: &RawExec{Stderr: os.Stderr},
}

// takeString returns the Go copy of a string out-parameter and frees it.
func takeString(s *C.char) string {
	defer C.cni_string_free(s)
	return C.GoString(s)
}

// takeBytes is takeString as bytes, copied once.
func takeBytes(s *C.char) []byte {
	defer C.cni_string_free(s)
	return C.GoBytes(unsafe.Pointer(s), C.int(C.strlen(s)))
}

// resultFromJSON builds upstream's typed result from libcniinvoke's result
// JSON, which always names its version.
func resultFromJSON(data []byte) (types.Result, error) {
	return capi.Result(data, "invoke")
}

func cstring(s []byte) *C.char {
	return C.CString(string(s))
}

// ExecPluginWithResult runs the plugin at pluginPath with netconf on stdin
// and decodes its stdout as a result in the version it reported (the
// config's when it reported none).
func ExecPluginWithResult(ctx context.Context, pluginPath string, netconf []byte, args CNIArgs, exec Exec) (types.Result, error) {
	c, err := newCall(ctx, exec, args, true)
	if err != nil {
		return nil, err
	}
	cpath, cconf := C.CString(pluginPath), cstring(netconf)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cconf))
	var out *C.char
	var cerr *C.cni_error
	status := C.cni_exec_plugin_with_result(c.exec, c.cctx, cpath, cconf, c.args, &out, &cerr)
	if err := c.done(status, cerr); err != nil {
		return nil, err
	}
	return resultFromJSON(takeBytes(out))
}

// ExecPluginWithoutResult runs the plugin at pluginPath for its effect only.
func ExecPluginWithoutResult(ctx context.Context, pluginPath string, netconf []byte, args CNIArgs, exec Exec) error {
	c, err := newCall(ctx, exec, args, true)
	if err != nil {
		return err
	}
	cpath, cconf := C.CString(pluginPath), cstring(netconf)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cconf))
	var cerr *C.cni_error
	status := C.cni_exec_plugin_without_result(c.exec, c.cctx, cpath, cconf, c.args, &cerr)
	return c.done(status, cerr)
}

// GetVersionInfo asks the plugin at pluginPath which CNI versions it
// supports (the VERSION command). A plugin too old to know that command
// is reported as supporting 0.1.0 only.
func GetVersionInfo(ctx context.Context, pluginPath string, exec Exec) (version.PluginInfo, error) {
	c, err := newCall(ctx, exec, nil, false)
	if err != nil {
		return nil, err
	}
	cpath := C.CString(pluginPath)
	defer C.free(unsafe.Pointer(cpath))
	var out *C.char
	var cerr *C.cni_error
	status := C.cni_get_version_info(c.exec, c.cctx, cpath, &out, &cerr)
	if err := c.done(status, cerr); err != nil {
		return nil, err
	}
	data := takeString(out)
	if info, ok := c.Decoded(); ok {
		// The Go Exec's own Decode answered: its very value.
		return info, nil
	}
	return (&version.PluginDecoder{}).Decode([]byte(data))
}
