package invoke

// How one Go call becomes one C call: the cni_context made from the Go
// context, the cni_exec made from the Go Exec, the args_json made from the
// CNIArgs, and the cni_error turned back into a Go error.

/*
#include <stdint.h>
#include <stdlib.h>
#include "cniinvoke.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/cgo"
	"sync"
	"time"
	"unsafe"

	"github.com/containernetworking/cni/pkg/types"
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
	if ctx.Err() != nil {
		// Done already: the call fails at once, starting no plugin.
		c.cancel(ctx)()
	} else if ctx.Done() != nil {
		c.stop = context.AfterFunc(ctx, c.cancel(ctx))
	}
	return c
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
			panic("invoke: libcniinvoke rejected its own raw exec options: " + libErrorOf(status, cerr).Error())
		}
		return newExecHandle(out)
	})
	// This process's fd 2 as os.Stderr was at start-up.
	processStderr = os.Stderr
)

// call is one C call in the making.
type call struct {
	ctx   context.Context
	cctx  *cContext
	exec  *C.cni_exec
	owner *execHandle // keeps a shared exec alive during the call
	state *callState  // for a Go Exec
	free  func()
	args  *C.char
}

// newCall prepares the C exec for exec (nil = the default exec) and, when
// withArgs, the args_json for args.
func newCall(ctx context.Context, exec Exec, args CNIArgs, withArgs bool) (*call, error) {
	c := &call{ctx: ctx, free: func() {}}
	if exec == nil {
		exec = defaultExec
	}
	var argsJSON *string
	if d, ok := exec.(*DefaultExec); ok && d != nil {
		if withArgs {
			j, err := argsJSONOf(args)
			if err != nil {
				return nil, err
			}
			argsJSON = j
		}
		if err := c.processExec(d.RawExec); err != nil {
			return nil, err
		}
	} else {
		c.state = &callState{exec: exec, ctx: ctx}
		if withArgs {
			switch a := args.(type) {
			case *Args:
				j := a.json()
				argsJSON = &j
			case *inherited, nil:
			default:
				c.state.env, c.state.useEnv = args.AsEnv(), true
			}
		}
		h := cgo.NewHandle(c.state)
		c.exec = newCustomCExec(h) // frees h when freed
		ptr := c.exec
		c.free = func() { C.cni_exec_free(ptr) }
	}
	if argsJSON != nil {
		c.args = C.CString(*argsJSON)
	}
	c.cctx = newCContext(ctx)
	return c, nil
}

func (c *call) processExec(raw *RawExec) error {
	switch {
	case raw == nil || raw.Stderr == nil:
		c.owner = discardCExec()
	case raw.Stderr == processStderr:
		c.owner = defaultCExec()
	default:
		h := cgo.NewHandle(&stderrSink{w: raw.Stderr})
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

// done releases the call's C objects and turns its outcome into a Go error
// (nil for CNI_STATUS_OK). A panic in a Go Exec is re-raised here.
func (c *call) done(status C.cni_status, cerr *C.cni_error) error {
	defer C.cni_error_free(cerr)
	c.cctx.free()
	c.free()
	runtime.KeepAlive(c.owner)
	if c.args != nil {
		C.free(unsafe.Pointer(c.args))
	}
	if c.state != nil && c.state.panicked {
		panic(c.state.panicVal)
	}
	if status == C.CNI_STATUS_OK {
		return nil
	}
	if c.state != nil {
		if err := c.state.sameError(status, cerr); err != nil {
			return err
		}
	}
	return convertError(c.ctx, status, cerr)
}

// sameError is the Go error a callback returned that libcniinvoke passed
// on unchanged, so the caller gets the very value (as with upstream).
func (s *callState) sameError(status C.cni_status, cerr *C.cni_error) error {
	msg := C.GoString(C.cni_error_msg(cerr))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.errs) - 1; i >= 0; i-- {
		err := s.errs[i]
		var terr *types.Error
		if errors.As(err, &terr) {
			if status == C.CNI_STATUS_PLUGIN_ERROR && terr.Msg == msg &&
				terr.Code == uint(C.cni_error_code(cerr)) &&
				terr.Details == C.GoString(C.cni_error_details(cerr)) {
				return err
			}
		} else if err.Error() == msg {
			return err
		}
	}
	return nil
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

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("invoke: " + err.Error())
	}
	return string(b)
}

// The CNI variables libcniinvoke sets from args_json.
var cniVars = []string{"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_ARGS", "CNI_IFNAME", "CNI_PATH"}

func isCNIVar(k string) bool {
	for _, v := range cniVars {
		if k == v {
			return true
		}
	}
	return false
}

// argsJSONOf is the args_json for args run by this package's own exec: nil
// means inherit the environment. The C ABI describes an environment as
// this process's with the CNI variables set, so a CNIArgs whose AsEnv()
// changes anything else cannot be run by it: that is an error rather than
// a plugin run with a different environment.
func argsJSONOf(args CNIArgs) (*string, error) {
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
	want, have := envMap(env), envMap(os.Environ())
	for k, v := range want {
		if hv, ok := have[k]; !isCNIVar(k) && (!ok || hv != v) {
			return nil, fmt.Errorf("invoke: the environment of %T cannot be passed through libcniinvoke: %s differs from this process's environment (only CNI_* variables may)", args, k)
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok && !isCNIVar(k) {
			return nil, fmt.Errorf("invoke: the environment of %T cannot be passed through libcniinvoke: it lacks %s of this process's environment (only CNI_* variables may differ)", args, k)
		}
	}
	j := mustJSON(argsJSON{
		Command:       want["CNI_COMMAND"],
		ContainerID:   want["CNI_CONTAINERID"],
		NetNS:         want["CNI_NETNS"],
		IfName:        want["CNI_IFNAME"],
		Path:          want["CNI_PATH"],
		PluginArgsStr: want["CNI_ARGS"],
	})
	return &j, nil
}
