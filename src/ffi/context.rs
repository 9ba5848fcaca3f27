//! `cni_context`: cancellation, deadline and trace context of calls.

use super::error::cni_error;
use super::ptr::{bytes_arg, RefArg, StrArg};
use super::status::cni_status;
use crate::context::{Context, TraceContext};
use crate::environ_snapshot::EnvironSnapshot;
use crate::error::Error;
use std::sync::OnceLock;
use std::time::Duration;

/// Cancellation, deadline and W3C trace context for one or more calls (Go's
/// `context.Context`).
///
/// Thread-safe: one context may be used by any number of calls on any
/// threads at once, and cancelled from any thread. When it is cancelled or
/// its deadline passes, calls using it kill the plugin's process group, reap
/// it, and return `CNI_STATUS_CANCELLED` or `CNI_STATUS_TIMEOUT` promptly;
/// later calls with it fail at once.
#[allow(non_camel_case_types)]
pub struct cni_context {
    pub(crate) ctx: Context,
}

/// The context of a call: a clone of `ctx` (sharing its state), or one
/// that is never done for NULL.
///
/// # Safety
/// `ctx` is NULL or a live context.
pub(crate) unsafe fn context_arg(ctx: *const cni_context) -> Context {
    static BACKGROUND: OnceLock<Context> = OnceLock::new();
    // SAFETY: the caller's promise (this function's contract): `ctx` is
    // NULL or a live context.
    match unsafe { ctx.opt() } {
        Some(c) => c.ctx.clone(),
        None => BACKGROUND.get_or_init(Context::background).clone(),
    }
}

/// A new cancellable context without a deadline. Never NULL. Free with
/// `cni_context_free`.
#[no_mangle]
pub extern "C" fn cni_context_new() -> *mut cni_context {
    ffi_boundary!({
        Box::into_raw(Box::new(cni_context {
            ctx: Context::new(),
        }))
    })
}

/// A new cancellable context whose deadline is `ms` milliseconds from now
/// (0 = already expired). Calls still running at the deadline return
/// `CNI_STATUS_TIMEOUT`. Never NULL. Free with `cni_context_free`.
#[no_mangle]
pub extern "C" fn cni_context_with_timeout_ms(ms: u64) -> *mut cni_context {
    ffi_boundary!({
        Box::into_raw(Box::new(cni_context {
            ctx: Context::with_timeout(Duration::from_millis(ms)),
        }))
    })
}

/// A new context that is a child of `parent` (Go's `context.WithCancel`):
/// it is cancelled when `parent` is (calls waiting on it wake at once), has
/// `parent`'s deadline, and hands plugins `parent`'s trace values except
/// those it sets itself; cancelling it leaves `parent` alone. It may outlive
/// `parent`. NULL `parent`: as `cni_context_new`. Never NULL. Free with
/// `cni_context_free`.
#[no_mangle]
pub unsafe extern "C" fn cni_context_new_child(parent: *const cni_context) -> *mut cni_context {
    ffi_boundary!({
        // SAFETY: the header requires `parent` to be NULL or a live context.
        let ctx = match unsafe { parent.opt() } {
            Some(p) => p.ctx.child(),
            None => Context::new(),
        };
        Box::into_raw(Box::new(cni_context { ctx }))
    })
}

/// As `cni_context_new_child`, with a deadline `ms` milliseconds from now
/// (0 = already expired), or `parent`'s when that is earlier.
#[no_mangle]
pub unsafe extern "C" fn cni_context_child_with_timeout_ms(
    parent: *const cni_context,
    ms: u64,
) -> *mut cni_context {
    ffi_boundary!({
        let timeout = Duration::from_millis(ms);
        // SAFETY: the header requires `parent` to be NULL or a live context.
        let ctx = match unsafe { parent.opt() } {
            Some(p) => p.ctx.child_with_timeout(timeout),
            None => Context::with_timeout(timeout),
        };
        Box::into_raw(Box::new(cni_context { ctx }))
    })
}

/// Cancel the context and its children: calls in flight kill their plugin
/// and return `CNI_STATUS_CANCELLED`; later calls fail at once. Callable from any
/// thread, any number of times. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn cni_context_cancel(ctx: *const cni_context) {
    ffi_boundary!({
        // SAFETY: the caller keeps the header's conventions: `ctx` is NULL or
        // a live context.
        if let Some(c) = unsafe { ctx.opt() } {
            c.ctx.cancel();
        }
    })
}

/// Set the W3C trace context handed to plugins as `TRACEPARENT`,
/// `TRACESTATE` and `BAGGAGE` (replacing any set before). Each string may
/// be NULL or "" (that variable is then not set). Affects calls started
/// afterwards. `ctx` is required.
#[no_mangle]
pub unsafe extern "C" fn cni_context_set_trace(
    ctx: *mut cni_context,
    traceparent: *const libc::c_char,
    tracestate: *const libc::c_char,
    baggage: *const libc::c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `ctx` is NULL or
        // a live context.
        let c = unsafe { (ctx as *const cni_context).arg("ctx") }?;
        let own = |s: Option<&str>| s.map(str::to_string);
        let trace = TraceContext {
            // SAFETY: the caller keeps the header's conventions: `traceparent` is NULL or a NUL-terminated string that stays unchanged during the call.
            traceparent: own(unsafe { traceparent.opt_str_arg("traceparent") }?),
            // SAFETY: the caller keeps the header's conventions: `tracestate` is NULL or a NUL-terminated string that stays unchanged during the call.
            tracestate: own(unsafe { tracestate.opt_str_arg("tracestate") }?),
            // SAFETY: the caller keeps the header's conventions: `baggage` is NULL or a NUL-terminated string that stays unchanged during the call.
            baggage: own(unsafe { baggage.opt_str_arg("baggage") }?),
        };
        c.ctx.set_trace(trace);
        Ok(())
    })
}

/// Set the environment plugins started under `ctx` (and under its
/// children that set none of their own) inherit, in place of this
/// process's `environ`: `len` bytes at `block`, each entry (`K=V`, bytes as
/// they are) followed by a NUL byte, as `environ`'s strings laid end to
/// end; `len` 0 is an empty environment. NULL `block` (with `len` 0)
/// clears it: the parent's again, else this process's. The bytes are
/// copied. Affects calls started afterwards. `ctx` is required.
///
/// For a host whose environment may change while calls run (another
/// thread's `setenv`): with an environment set, a plugin's environment is
/// built from it alone, without reading `environ`.
/// `CNI_STATUS_INVALID_ARGUMENT` for a block that does not end with a NUL
/// or holds an empty entry.
#[no_mangle]
pub unsafe extern "C" fn cni_context_set_environ(
    ctx: *mut cni_context,
    block: *const u8,
    len: usize,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `ctx` is NULL or
        // a live context.
        let c = unsafe { (ctx as *const cni_context).arg("ctx") }?;
        let env = if block.is_null() && len == 0 {
            None
        } else {
            // SAFETY: the caller keeps the header's conventions: `block` is
            // valid for reads of `len` bytes during the call.
            let bytes = unsafe { bytes_arg(block, len) }
                .ok_or_else(|| Error::InvalidArgument("argument `block` is NULL with a non-zero `len`".into()))?;
            Some(EnvironSnapshot::from_block(bytes)?)
        };
        c.ctx.set_environ(env);
        Ok(())
    })
}

/// Free a context. NULL is ignored. Calls using it must have returned.
#[no_mangle]
pub unsafe extern "C" fn cni_context_free(ctx: *mut cni_context) {
    ffi_boundary!({
        if !ctx.is_null() {
            // SAFETY: the header requires a context from this library, not
            // yet freed and no longer in use.
            drop(unsafe { Box::from_raw(ctx) });
        }
    })
}
