package invoke

/*
#include <stdint.h>
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unsafe"
)

// RawExec runs plugins as child processes (through libcniinvoke). The
// stderr of a successful plugin is written to Stderr (nil: dropped; it
// still appears in the error of a failed plugin).
type RawExec struct {
	Stderr io.Writer
}

// ExecPlugin runs the plugin at pluginPath with stdinData on its stdin and
// exactly environ as its environment (nil: this process's), and returns its
// stdout (libcniinvoke's cni_exec_plugin). A failed plugin's error is a
// *types.Error; a cancelled or expired ctx kills the plugin and the error
// satisfies errors.Is(err, ctx.Err()).
//
// ExecPluginWithResult, ExecPluginWithoutResult, GetVersionInfo and the
// Delegate functions run a *DefaultExec in libcniinvoke without calling
// this method; a Go Exec embedding a *RawExec reaches it through its own
// ExecPlugin.
func (e *RawExec) ExecPlugin(ctx context.Context, pluginPath string, stdinData []byte, environ []string) ([]byte, error) {
	if strings.IndexByte(pluginPath, 0) >= 0 {
		return nil, fmt.Errorf("invoke: plugin path %q contains a NUL byte", pluginPath)
	}
	if environ != nil {
		// As os/exec gives it to the plugin under upstream's RawExec.
		var err error
		if environ, err = osExecEnv(environ); err != nil {
			return nil, err
		}
	}
	c, err := newProcessCall(ctx, e)
	if err != nil {
		return nil, err
	}

	cpath := C.CString(pluginPath)
	defer C.free(unsafe.Pointer(cpath))
	var cenv **C.char
	if environ != nil {
		cenv = cStringArray(environ)
		defer freeCStringArray(cenv, len(environ))
	}
	var cstdin *C.uint8_t
	if len(stdinData) > 0 {
		// Go memory without Go pointers, used only during the call.
		cstdin = (*C.uint8_t)(unsafe.Pointer(&stdinData[0]))
	}
	var out *C.uint8_t
	var outLen C.size_t
	var cerr *C.cni_error
	status := C.cni_exec_plugin(c.exec, c.cctx, cpath, cstdin, C.size_t(len(stdinData)), cenv,
		&out, &outLen, &cerr)
	if err := c.done(status, cerr); err != nil {
		return nil, err
	}
	if out == nil {
		// Empty, not nil: upstream returns the bytes of the buffer os/exec
		// copied stdout into.
		return []byte{}, nil
	}
	defer C.cni_bytes_free(out, outLen)
	return C.GoBytes(unsafe.Pointer(out), C.int(outLen)), nil
}

// cStringArray is a NULL-terminated C array of C copies of ss; free it
// with freeCStringArray.
func cStringArray(ss []string) **C.char {
	size := unsafe.Sizeof((*C.char)(nil))
	arr := (**C.char)(C.malloc(C.size_t(uintptr(len(ss)+1) * size)))
	ptrs := unsafe.Slice(arr, len(ss)+1)
	for i, s := range ss {
		ptrs[i] = C.CString(s)
	}
	ptrs[len(ss)] = nil
	return arr
}

func freeCStringArray(arr **C.char, n int) {
	for _, p := range unsafe.Slice(arr, n) {
		C.free(unsafe.Pointer(p))
	}
	C.free(unsafe.Pointer(arr))
}

// FindInPath is the package's FindInPath: the first executable called
// plugin in the directories of paths.
func (e *RawExec) FindInPath(plugin string, paths []string) (string, error) {
	return FindInPath(plugin, paths)
}
