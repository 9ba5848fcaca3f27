// Package capi is what the Go packages of libcniinvoke share over its C
// ABI: the cni_context of a Go context, the cni_exec of a Go Exec (its
// callbacks, cgo.Handle userdata), the long-lived process execs, and
// cni_errors turned back into Go errors (a Go Exec's own error value
// coming back as itself).
package capi

// How one Go call becomes one C call: the cni_context made from the Go
// context, the cni_exec made from the Go Exec, and the cni_error turned
// back into a Go error.

/*
#include <stdint.h>
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"runtime/cgo"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// libError is a failure reported by libcniinvoke other than a plugin's own
// CNI error; its text is the library's message (upstream's text where
// upstream has the same failure).
type libError struct {
	status C.cni_status
	msg    string
}

func (e *libError) Error() string { return e.msg }

// ctxError is a plugin killed because the call's context was cancelled or
// its deadline passed. It unwraps to the context's error.
type ctxError struct {
	msg   string
	cause error
}

func (e *ctxError) Error() string { return e.msg }
func (e *ctxError) Unwrap() error { return e.cause }

// libErrorOf turns a failed status and its cni_error (which it frees) into
// a Go error, without a call context.
func libErrorOf(status C.cni_status, cerr *C.cni_error) error {
	defer C.cni_error_free(cerr)
	return convertError(nil, status, cerr)
}

func convertError(ctx context.Context, status C.cni_status, cerr *C.cni_error) error {
	msg := C.GoString(C.cni_error_msg(cerr))
	switch status {
	case C.CNI_STATUS_PLUGIN_ERROR:
		return &types.Error{
			Code:    uint(C.cni_error_code(cerr)),
			Msg:     msg,
			Details: C.GoString(C.cni_error_details(cerr)),
		}
	case C.CNI_STATUS_TIMEOUT, C.CNI_STATUS_CANCELLED:
		var cause error
		if ctx != nil {
			if dl, ok := ctx.Deadline(); ok && status == C.CNI_STATUS_TIMEOUT && time.Until(dl) < 100*time.Millisecond {
				// The C deadline may pass up to a millisecond before the Go
				// one: wait for it, so that errors.Is(err, ctx.Err()).
				<-ctx.Done()
			}
			cause = ctx.Err()
		}
		if cause == nil && status == C.CNI_STATUS_TIMEOUT {
			cause = context.DeadlineExceeded
		} else if cause == nil {
			cause = context.Canceled
		}
		return &ctxError{msg: msg, cause: cause}
	default:
		return &libError{status: status, msg: msg}
	}
}

// cContext is the cni_context of one call: it has the Go context's
// deadline and is cancelled when the Go context is done.
type cContext struct {
	mu   sync.Mutex
	ptr  *C.cni_context
	stop func() bool
}

func newCContext(ctx context.Context) *cContext {
	c := &cContext{}
	if ctx == nil {
		c.ptr = C.cni_context_new()
		c.setEnviron()
		return c
	}
	if deadline, ok := ctx.Deadline(); ok {
		// Rounded down: the C deadline passes no later than the Go one, so
		// a deadline is always reported as a timeout, never as a
		// cancellation.
		ms := time.Until(deadline) / time.Millisecond
		if ms < 0 {
			ms = 0
		}
		c.ptr = C.cni_context_with_timeout_ms(C.uint64_t(ms))
	} else {
		c.ptr = C.cni_context_new()
	}
	c.setEnviron()
	if ctx.Err() != nil {
		// Done already: the call fails at once, starting no plugin.
		c.cancel(ctx)()
	} else if ctx.Done() != nil {
		c.stop = context.AfterFunc(ctx, c.cancel(ctx))
	}
	return c
}

// setEnviron gives the cni_context this process's environment as Go holds
// it (syscall.Environ, read under Go's own lock, what upstream's os/exec
// passes), for its plugins to inherit: the library then never reads C's
// environ, which os.Setenv in another goroutine may be changing.
func (c *cContext) setEnviron() {
	env := syscall.Environ()
	n := 0
	for _, kv := range env {
		n += len(kv) + 1
	}
	// One byte more, so that an empty environment still has a pointer
	// (NULL would mean "this process's").
	block := make([]byte, 0, n+1)
	for _, kv := range env {
		block = append(block, kv...)
		block = append(block, 0)
	}
	block = block[:n+1]
	var cerr *C.cni_error
	// Go's entries are never empty and hold no NUL (os.Setenv refuses
	// one), so the block is well-formed and the call cannot fail.
	if C.cni_context_set_environ(c.ptr, (*C.uint8_t)(unsafe.Pointer(&block[0])), C.size_t(n), &cerr) != C.CNI_STATUS_OK {
		C.cni_error_free(cerr)
	}
}

// cancel cancels the cni_context when ctx was cancelled; a passed deadline
// is the cni_context's own.
func (c *cContext) cancel(ctx context.Context) func() {
	return func() {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.ptr != nil {
			C.cni_context_cancel(c.ptr)
		}
	}
}

func (c *cContext) free() {
	if c.stop != nil {
		c.stop()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	C.cni_context_free(c.ptr)
	c.ptr = nil
}

// execHandle owns a long-lived cni_exec; a finalizer frees it.
type execHandle struct {
	ptr *C.cni_exec
}

func newExecHandle(ptr *C.cni_exec) *execHandle {
	h := &execHandle{ptr: ptr}
	runtime.SetFinalizer(h, func(h *execHandle) { C.cni_exec_free(h.ptr) })
	return h
}

var (
	// The library's default exec: stderr of successful plugins to fd 2.
	defaultCExec = sync.OnceValue(func() *execHandle {
		return newExecHandle(C.cni_exec_new_default())
	})
	// A process exec that only keeps stderr for error messages (RawExec{}).
	discardCExec = sync.OnceValue(func() *execHandle {
		opts := C.CString(`{"stderr":"discard"}`)
		defer C.free(unsafe.Pointer(opts))
		var out *C.cni_exec
		var cerr *C.cni_error
		if status := C.cni_exec_new_raw(opts, &out, &cerr); status != C.CNI_STATUS_OK {
			panic("libcniinvoke rejected its own raw exec options: " + libErrorOf(status, cerr).Error())
		}
		return newExecHandle(out)
	})
	// This process's fd 2 as os.Stderr was at start-up.
	processStderr = os.Stderr
)

// Exec is upstream's invoke.Exec, by its method set: any value
// implementing it (upstream's fakes, its DefaultExec, this project's) is
// one.
type Exec interface {
	ExecPlugin(ctx context.Context, pluginPath string, stdinData []byte, environ []string) ([]byte, error)
	FindInPath(plugin string, paths []string) (string, error)
	Decode(jsonBytes []byte) (version.PluginInfo, error)
}

// Process asks for plugins run as processes by libcniinvoke, their stderr
// written to Stderr (nil: kept for error messages only).
type Process struct {
	Stderr io.Writer
}

// Call is one C call in the making: its cni_context and cni_exec, and
// what turns its outcome back into Go.
type Call struct {
	ctx   context.Context
	cctx  *cContext
	exec  *C.cni_exec
	owner *execHandle // keeps a shared exec alive during the call
	state *callState  // for a Go Exec
	free  func()
}

// NewCall prepares a call under ctx: with proc, plugins run as processes;
// without, every operation calls back into goExec.
func NewCall(ctx context.Context, goExec Exec, proc *Process) (*Call, error) {
	c := &Call{ctx: ctx, free: func() {}}
	if proc != nil {
		if err := c.processExec(proc.Stderr); err != nil {
			return nil, err
		}
	} else {
		c.state = &callState{exec: goExec, ctx: ctx}
		h := cgo.NewHandle(c.state)
		c.exec = newCustomCExec(h) // frees h when freed
		ptr := c.exec
		c.free = func() { C.cni_exec_free(ptr) }
	}
	c.cctx = newCContext(ctx)
	return c, nil
}

// CExec is the call's cni_exec, valid until Done.
func (c *Call) CExec() unsafe.Pointer { return unsafe.Pointer(c.exec) }

// CContext is the call's cni_context, valid until Done.
func (c *Call) CContext() unsafe.Pointer { return unsafe.Pointer(c.cctx.ptr) }

// Decoded is the version.PluginInfo a Go Exec's Decode returned during the
// call, if it was called.
func (c *Call) Decoded() (version.PluginInfo, bool) {
	if c.state == nil {
		return nil, false
	}
	c.state.mu.Lock()
	defer c.state.mu.Unlock()
	return c.state.info, c.state.decoded
}

func (c *Call) processExec(stderr io.Writer) error {
	switch {
	case stderr == nil || stderr == io.Discard:
		// Writing to io.Discard does nothing: no callback per run.
		c.owner = discardCExec()
	case stderr == processStderr:
		c.owner = defaultCExec()
	default:
		h := cgo.NewHandle(&stderrSink{w: stderr})
		ptr, err := newStderrCExec(h)
		if err != nil {
			h.Delete()
			return err
		}
		c.free = func() {
			C.cni_exec_free(ptr)
			h.Delete()
		}
		c.exec = ptr
		return nil
	}
	c.exec = c.owner.ptr
	return nil
}

// Done releases the call's C objects and turns its outcome (a cni_status
// and its cni_error, which it frees) into a Go error (nil for
// CNI_STATUS_OK). A panic in a Go Exec is re-raised here.
func (c *Call) Done(status uint32, cerrPtr unsafe.Pointer) error {
	cerr := (*C.cni_error)(cerrPtr)
	defer C.cni_error_free(cerr)
	c.cctx.free()
	c.free()
	runtime.KeepAlive(c.owner)
	if c.state != nil && c.state.panicked {
		panic(c.state.panicVal)
	}
	if C.cni_status(status) == C.CNI_STATUS_OK {
		return nil
	}
	return c.ErrorOf(status, cerrPtr)
}

// ErrorOf is the Go error of a failed status and its cni_error (not
// freed): the Go Exec's own error when it carries one, else the library's
// error as upstream's type for it.
//
// An error wrapping another (a network list's `plugin type="T" failed
// (add): …`, whose status is its cause's) is a *WrapError whose Unwrap is
// the cause's Go error.
func (c *Call) ErrorOf(status uint32, cerrPtr unsafe.Pointer) error {
	cerr := (*C.cni_error)(cerrPtr)
	if err := goErrorOf(cerr); err != nil {
		return err
	}
	if cause := C.cni_error_cause(cerr); cause != nil {
		return &WrapError{
			Msg:   C.GoString(C.cni_error_msg(cerr)),
			Cause: c.ErrorOf(status, unsafe.Pointer(cause)),
		}
	}
	return convertError(c.ctx, C.cni_status(status), cerr)
}

// WrapError is an error of the library that wraps another, as upstream's
// fmt.Errorf("…: %w", cause) does: the text is the library's, Unwrap the
// cause.
type WrapError struct {
	Msg   string
	Cause error
}

func (e *WrapError) Error() string { return e.Msg }
func (e *WrapError) Unwrap() error { return e.Cause }

// LibErrorOf turns a failed status and its cni_error (which it frees) into
// a Go error, without a call context.
func LibErrorOf(status uint32, cerrPtr unsafe.Pointer) error {
	return libErrorOf(C.cni_status(status), (*C.cni_error)(cerrPtr))
}
