package capi

// The Go callbacks libcniinvoke calls: a custom exec's vtable entries (for
// any Exec that is not this package's DefaultExec) and RawExec's stderr
// writer. Each receives a runtime/cgo.Handle as its userdata.

/*
#include <stdint.h>
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/cgo"
	"sync"
	"unsafe"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// callState is the userdata of a custom exec: the Go Exec, the Go context
// of the call that made it, and what the callbacks hand back to that call
// (the Go values that went through C, so their identity survives). A Go
// error travels inside its cni_error (newGoError).
type callState struct {
	exec Exec
	ctx  context.Context

	mu       sync.Mutex
	info     version.PluginInfo
	decoded  bool
	panicked bool
	panicVal any
}

// recovered turns a panic in a callback into a failure of the C call (a
// panic must not unwind through libcniinvoke) and remembers it; the Go
// caller re-panics once the C call has returned.
func (s *callState) recovered(errOut **C.cni_error, status *C.cni_status) {
	if r := recover(); r != nil {
		s.mu.Lock()
		if !s.panicked {
			s.panicked, s.panicVal = true, r
		}
		s.mu.Unlock()
		*status = setErr(errOut, C.CNI_STATUS_EXEC_FAILED, 0, fmt.Sprintf("panic in Go Exec: %v", r), "")
	}
}

func stateOf(h C.uintptr_t) *callState {
	return cgo.Handle(uintptr(h)).Value().(*callState)
}

// setErr stores a new cni_error in *errOut and returns status.
func setErr(errOut **C.cni_error, status C.cni_status, code uint, msg, details string) C.cni_status {
	if errOut != nil {
		cmsg, cdetails := C.CString(msg), C.CString(details)
		*errOut = C.cni_error_new(C.uint32_t(code), cmsg, cdetails)
		C.free(unsafe.Pointer(cmsg))
		C.free(unsafe.Pointer(cdetails))
	}
	return status
}

// fail reports a Go error to libcniinvoke, carrying the error itself (the
// caller gets this very value back): a *types.Error as the plugin's CNI
// error, a context error as cancelled or timed out, anything else with the
// status fallback and the error's text.
func (s *callState) fail(errOut **C.cni_error, err error, fallback C.cni_status) C.cni_status {
	status, code, msg, details := fallback, uint(0), err.Error(), ""
	var terr *types.Error
	switch {
	case errors.As(err, &terr):
		status, code, msg, details = C.CNI_STATUS_PLUGIN_ERROR, terr.Code, terr.Msg, terr.Details
	case errors.Is(err, context.DeadlineExceeded):
		status = C.CNI_STATUS_TIMEOUT
	case errors.Is(err, context.Canceled):
		status = C.CNI_STATUS_CANCELLED
	}
	if errOut != nil {
		*errOut = newGoError(err, code, msg, details)
	}
	return status
}

func appendBytes(out *C.cni_buffer, b []byte) {
	if len(b) > 0 {
		C.cni_buffer_append(out, (*C.uint8_t)(unsafe.Pointer(&b[0])), C.size_t(len(b)))
	}
}

func goStrings(p **C.char, n int) []string {
	if p == nil || n == 0 {
		return []string{}
	}
	ptrs := unsafe.Slice(p, n)
	out := make([]string, n)
	for i, s := range ptrs {
		out[i] = C.GoString(s)
	}
	return out
}

// goEnviron reads a NULL-terminated array of "K=V" (NULL → nil).
func goEnviron(p **C.char) []string {
	if p == nil {
		return nil
	}
	n := 0
	for q := p; *q != nil; q = (**C.char)(unsafe.Add(unsafe.Pointer(q), unsafe.Sizeof(q))) {
		n++
	}
	return goStrings(p, n)
}

//export goExecPlugin
func goExecPlugin(h C.uintptr_t, _ *C.cni_context, path *C.char, stdin *C.uint8_t, stdinLen C.size_t,
	environ **C.char, out *C.cni_buffer, errOut **C.cni_error) (status C.cni_status) {
	s := stateOf(h)
	defer s.recovered(errOut, &status)
	env := goEnviron(environ)
	stdinData := C.GoBytes(unsafe.Pointer(stdin), C.int(stdinLen))
	// The Go context of the call, not one made from the cni_context: both
	// are done together (the cni_context is cancelled when this one is).
	stdout, err := s.exec.ExecPlugin(s.ctx, C.GoString(path), stdinData, env)
	if err != nil {
		return s.fail(errOut, err, C.CNI_STATUS_EXEC_FAILED)
	}
	appendBytes(out, stdout)
	return C.CNI_STATUS_OK
}

//export goFindInPath
func goFindInPath(h C.uintptr_t, plugin *C.char, paths **C.char, nPaths C.size_t,
	out *C.cni_buffer, errOut **C.cni_error) (status C.cni_status) {
	s := stateOf(h)
	defer s.recovered(errOut, &status)
	found, err := s.exec.FindInPath(C.GoString(plugin), goStrings(paths, int(nPaths)))
	if err != nil {
		return s.fail(errOut, err, C.CNI_STATUS_NOT_FOUND)
	}
	appendBytes(out, []byte(found))
	return C.CNI_STATUS_OK
}

// placeholderInfo is handed to libcniinvoke when a Go decoder's PluginInfo
// cannot be encoded as a valid report (nil, or no versions): the call then
// returns the Go value itself, as upstream does.
const placeholderInfo = `{"cniVersion":"1.1.0","supportedVersions":["0.1.0"]}`

//export goDecode
func goDecode(h C.uintptr_t, data *C.uint8_t, n C.size_t, out *C.cni_buffer,
	errOut **C.cni_error) (status C.cni_status) {
	s := stateOf(h)
	defer s.recovered(errOut, &status)
	info, err := s.exec.Decode(C.GoBytes(unsafe.Pointer(data), C.int(n)))
	if err != nil {
		return s.fail(errOut, err, C.CNI_STATUS_DECODE_ERROR)
	}
	s.mu.Lock()
	s.info, s.decoded = info, true
	s.mu.Unlock()
	appendBytes(out, []byte(encodeInfo(info)))
	return C.CNI_STATUS_OK
}

func encodeInfo(info version.PluginInfo) (encoded string) {
	defer func() {
		if recover() != nil {
			encoded = placeholderInfo
		}
	}()
	if info == nil || len(info.SupportedVersions()) == 0 {
		return placeholderInfo
	}
	var b bytes.Buffer
	if info.Encode(&b) != nil {
		return placeholderInfo
	}
	return b.String()
}

//export goFreeUserdata
func goFreeUserdata(h C.uintptr_t) {
	cgo.Handle(uintptr(h)).Delete()
}

// stderrSink is the userdata of a RawExec's stderr callback.
type stderrSink struct {
	w io.Writer
}

//export goStderrWrite
func goStderrWrite(h C.uintptr_t, data *C.uint8_t, n C.size_t) {
	sink := cgo.Handle(uintptr(h)).Value().(*stderrSink)
	defer func() { _ = recover() }() // stderr is informational, as upstream
	if n == 0 {
		return
	}
	// No copy: the bytes stay valid for the whole call, and an io.Writer
	// must neither modify nor retain what it is given. A plugin's stderr
	// can be tens of MiB; copying it would double the host's peak memory.
	_, _ = sink.w.Write(unsafe.Slice((*byte)(unsafe.Pointer(data)), int(n)))
}
