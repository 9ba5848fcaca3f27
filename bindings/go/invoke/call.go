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
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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
	d, isProcess := exec.(*DefaultExec)
	isProcess = isProcess && d != nil
	if withArgs {
		j, err := argsJSONOf(args, isProcess)
		if err != nil {
			return nil, err
		}
		argsJSON = j
	}
	if isProcess {
		if err := c.processExec(d.RawExec); err != nil {
			return nil, err
		}
	} else {
		c.state = &callState{exec: exec, ctx: ctx}
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
	if err := goErrorOf(cerr); err != nil {
		return err
	}
	return convertError(c.ctx, status, cerr)
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
