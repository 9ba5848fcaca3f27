package capi

// The C side of the binding: the trampolines that turn the C ABI's
// callback types (const pointers, void *userdata) into calls of the
// exported Go callbacks in callbacks.go (which take a cgo.Handle as an
// integer). The link flags are in cgo_repo.go / cgo_pkgconfig.go.

/*
#include <stdint.h>
#include <stdlib.h>
#include "cniinvoke.h"

// The exported Go callbacks (callbacks.go), as _cgo_export.h declares them.
extern cni_status goExecPlugin(uintptr_t, cni_context *, char *, uint8_t *, size_t, char **,
                               cni_buffer *, cni_error **);
extern cni_status goFindInPath(uintptr_t, char *, char **, size_t, cni_buffer *, cni_error **);
extern cni_status goDecode(uintptr_t, uint8_t *, size_t, cni_buffer *, cni_error **);
extern void goFreeUserdata(uintptr_t);
extern void goStderrWrite(uintptr_t, uint8_t *, size_t);
extern void goLogEvent(int, char *);

static cni_status tramp_exec_plugin(void *ud, const cni_context *ctx, const char *path,
                                    const uint8_t *stdin_data, size_t stdin_len,
                                    const char *const *environ, cni_buffer *out,
                                    cni_error **err) {
	return goExecPlugin((uintptr_t)ud, (cni_context *)ctx, (char *)path, (uint8_t *)stdin_data,
	                    stdin_len, (char **)environ, out, err);
}

static cni_status tramp_find_in_path(void *ud, const char *plugin, const char *const *paths,
                                     size_t n_paths, cni_buffer *out, cni_error **err) {
	return goFindInPath((uintptr_t)ud, (char *)plugin, (char **)paths, n_paths, out, err);
}

static cni_status tramp_decode(void *ud, const uint8_t *json, size_t len, cni_buffer *out,
                               cni_error **err) {
	return goDecode((uintptr_t)ud, (uint8_t *)json, len, out, err);
}

static void tramp_free_userdata(void *ud) { goFreeUserdata((uintptr_t)ud); }

static void tramp_stderr_write(void *ud, const uint8_t *data, size_t len) {
	goStderrWrite((uintptr_t)ud, (uint8_t *)data, len);
}

static void tramp_log(void *ud, int level, const char *event_json) {
	(void)ud;
	goLogEvent(level, (char *)event_json);
}

// Events of min_level or more severe go to goLogEvent; NULL turns them off.
static void go_set_log_callback(int on, int min_level) {
	cni_set_log_callback(on ? tramp_log : NULL, NULL, min_level);
}

// An error carrying handle h (of the Go error it stands for), which is
// deleted when the error is freed.
static cni_error *go_error_new(uintptr_t h, uint32_t code, const char *msg, const char *details) {
	return cni_error_new_with_userdata(code, msg, details, (void *)h, tramp_free_userdata);
}

// A custom exec whose callbacks are the Go Exec behind handle h.
static cni_exec *go_exec_new_custom(uintptr_t h) {
	static const cni_exec_vtable vt = {
		tramp_exec_plugin, tramp_find_in_path, tramp_decode, tramp_free_userdata,
	};
	return cni_exec_new_custom(&vt, (void *)h);
}

// A process exec whose stderr goes to the io.Writer behind handle h.
static cni_status go_exec_new_raw_with_stderr(uintptr_t h, cni_exec **out, cni_error **err) {
	return cni_exec_new_raw_with_stderr(NULL, tramp_stderr_write, (void *)h, out, err);
}
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// setLogCallback routes the library's events of every level to goLogEvent
// (on) or turns them off.
func setLogCallback(on bool) {
	if on {
		C.go_set_log_callback(1, C.CNI_LOG_LEVEL_TRACE)
	} else {
		C.go_set_log_callback(0, 0)
	}
}

// newCustomCExec makes a custom exec whose userdata is h; the exec deletes
// h when it is freed (goFreeUserdata).
func newCustomCExec(h cgo.Handle) *C.cni_exec {
	return C.go_exec_new_custom(C.uintptr_t(h))
}

// newStderrCExec makes a process exec whose plugins' stderr goes to the
// stderrSink behind h; h must outlive the exec.
func newStderrCExec(h cgo.Handle) (*C.cni_exec, error) {
	var out *C.cni_exec
	var cerr *C.cni_error
	if status := C.go_exec_new_raw_with_stderr(C.uintptr_t(h), &out, &cerr); status != C.CNI_STATUS_OK {
		return nil, libErrorOf(status, cerr)
	}
	return out, nil
}

// newGoError makes a cni_error for err (code, msg, details as libcniinvoke
// reads them) that carries err itself: libcniinvoke hands the very
// cni_error back to the caller, and goErrorOf finds err in it.
func newGoError(err error, code uint, msg, details string) *C.cni_error {
	cmsg, cdetails := C.CString(msg), C.CString(details)
	defer C.free(unsafe.Pointer(cmsg))
	defer C.free(unsafe.Pointer(cdetails))
	h := cgo.NewHandle(goError{err})
	return C.go_error_new(C.uintptr_t(h), C.uint32_t(code), cmsg, cdetails)
}

// goError marks a handle as holding a Go Exec's error.
type goError struct{ err error }

// goErrorOf is the Go error a cni_error made by newGoError carries, or nil.
func goErrorOf(cerr *C.cni_error) error {
	ud := C.cni_error_userdata(cerr)
	if ud == nil {
		return nil
	}
	if g, ok := cgo.Handle(uintptr(ud)).Value().(goError); ok {
		return g.err
	}
	return nil
}
