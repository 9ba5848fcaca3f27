//! `cni_error`: a CNI error (code, msg, details) handed to the caller.

use super::ptr::{Out, RefArg, SendPtr};
use super::status::cni_status;
use crate::error::Error;
use crate::types::CniError;
use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::{Arc, Mutex};

/// A CNI error: numeric code, message and details.
///
/// For `CNI_STATUS_PLUGIN_ERROR` it is the plugin's own error (or the one
/// synthesised from its exit status and stderr, as upstream does); for
/// every other status it is a library-side error with code 0 and the
/// library's message.
///
/// An error a custom exec's callback returns is handed back unchanged (the
/// same `cni_error *`, user data included) to the caller of the call that
/// used the exec.
///
/// Owned by whoever received it; freed with `cni_error_free`. Immutable, so
/// it may be read from several threads at once.
#[allow(non_camel_case_types)]
pub struct cni_error {
    pub(crate) error: CniError,
    msg: CString,
    details: CString,
    /// The error this one wraps (a failed list's: the failing plugin's).
    cause: Option<Box<cni_error>>,
    exit_status: Option<CString>,
    userdata: Option<UserData>,
}

/// The caller's value on an error and the function that releases it.
struct UserData {
    ptr: SendPtr,
    free: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

impl Drop for UserData {
    fn drop(&mut self) {
        if let Some(free) = self.free {
            // SAFETY: the caller's destructor for its own user data, called
            // once: the error holding it is freed once and never copied.
            unsafe { free(self.ptr.0) };
        }
    }
}

/// The payload of a core error that a custom exec's callback returned: the
/// callback's own `cni_error`, given back (once) when the error reaches C.
pub(crate) struct Returned(Mutex<Option<Box<cni_error>>>);

impl cni_error {
    pub(crate) fn new(error: CniError) -> cni_error {
        cni_error {
            msg: super::ptr::to_cstring(error.msg.as_str()),
            details: super::ptr::to_cstring(error.details.as_str()),
            exit_status: error.exit_status.as_deref().map(super::ptr::to_cstring),
            error,
            userdata: None,
            cause: None,
        }
    }

    /// The `cni_error` for a core error: the custom exec's own object when
    /// the error came from one, else a new one with the CNI error (the
    /// plugin's own, or code 0) and the chain of errors it wraps.
    pub(crate) fn from_error(e: &Error) -> Box<cni_error> {
        let returned = e
            .payload()
            .and_then(|p| p.downcast_ref::<Returned>())
            .and_then(|r| r.0.lock().unwrap_or_else(|p| p.into_inner()).take());
        if let Some(own) = returned {
            return own;
        }
        let mut out = Box::new(cni_error::new(e.to_cni_error()));
        if let Some(cause) = e.cause() {
            out.cause = Some(cni_error::from_error(cause));
        }
        out
    }

    /// A library-side error (code 0) with `msg`.
    pub(crate) fn library(msg: String) -> cni_error {
        cni_error::new(CniError::new(0, msg, ""))
    }

    /// The core error a custom exec means by returning `status` with this
    /// error: a plugin error keeps code, msg and details; any other
    /// category keeps the message.
    /// The object itself travels with the error as its payload.
    pub(crate) fn into_core(self: Box<Self>, status: cni_status) -> Error {
        let core = match status {
            cni_status::PluginError => Error::Plugin(self.error.clone()),
            other => Error::from_status(other, self.error.msg.clone()),
        };
        core.with_payload(Arc::new(Returned(Mutex::new(Some(self)))))
    }
}

static EMPTY: &CStr = c"";

/// The error's CNI code: the plugin's code for `CNI_STATUS_PLUGIN_ERROR`
/// (the well-known codes are 1-7, 11, 50, 51; plugins may use others),
/// 0 for library-side errors. 0 when `e` is NULL.
#[no_mangle]
pub unsafe extern "C" fn cni_error_code(e: *const cni_error) -> u32 {
    ffi_boundary!({
        // SAFETY: the caller keeps the header's conventions: `e` is NULL or
        // a live error.
        unsafe { e.opt() }.map_or(0, |e| e.error.code)
    })
}

/// The error's message (UTF-8, never NULL; "" when `e` is NULL). Owned by
/// `e`: valid until `cni_error_free(e)`.
#[no_mangle]
pub unsafe extern "C" fn cni_error_msg(e: *const cni_error) -> *const c_char {
    ffi_boundary!({
        // SAFETY: the caller keeps the header's conventions: `e` is NULL or
        // a live error.
        unsafe { e.opt() }.map_or(EMPTY.as_ptr(), |e| e.msg.as_ptr())
    })
}

/// The error's details (UTF-8, never NULL; "" when there are none or `e` is
/// NULL). Owned by `e`: valid until `cni_error_free(e)`.
#[no_mangle]
pub unsafe extern "C" fn cni_error_details(e: *const cni_error) -> *const c_char {
    ffi_boundary!({
        // SAFETY: the caller keeps the header's conventions: `e` is NULL or
        // a live error.
        unsafe { e.opt() }.map_or(EMPTY.as_ptr(), |e| e.details.as_ptr())
    })
}

/// How the plugin process ended, as Go prints it (`exit status 1`,
/// `signal: killed`), for an error from a plugin that ran and failed
/// (`CNI_STATUS_PLUGIN_ERROR` from a process exec: the plugin's own error or
/// the one made from its stderr); NULL for every other error, for errors
/// from a custom exec or `cni_error_new`, and when `e` is NULL. Never part of
/// `cni_error_msg` or the JSON. Owned by `e`: valid until
/// `cni_error_free(e)`.
#[no_mangle]
pub unsafe extern "C" fn cni_error_exit_status(e: *const cni_error) -> *const c_char {
    ffi_boundary!({
        // SAFETY: the header requires NULL or a live error.
        unsafe { e.opt() }
            .and_then(|e| e.exit_status.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// The error `e` wraps, or NULL: a network-list call that failed in one
/// plugin reports `plugin type="T" failed (add): …` (status and code those
/// of the plugin's error) and wraps the plugin's own error, whose code, msg
/// and details this returns. Owned by `e`: valid until `cni_error_free(e)`.
/// NULL when `e` is NULL or wraps nothing.
#[no_mangle]
pub unsafe extern "C" fn cni_error_cause(e: *const cni_error) -> *const cni_error {
    ffi_boundary!({
        // SAFETY: the header requires NULL or a live error.
        unsafe { e.opt() }
            .and_then(|e| e.cause.as_deref())
            .map_or(std::ptr::null(), |c| c as *const cni_error)
    })
}

/// The error as CNI error JSON (`{"code":N,"msg":"...","details":"..."}`,
/// compact, as a plugin prints it), stored in `*json_out` (free with
/// `cni_string_free`).
///
/// `e` and `json_out` are required (NULL → `CNI_STATUS_INVALID_ARGUMENT`).
#[no_mangle]
pub unsafe extern "C" fn cni_error_to_json(
    e: *const cni_error,
    json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `json_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(json_out, "json_out") }?;
        // SAFETY: the caller keeps the header's conventions: `e` is NULL or
        // a live error.
        let e = unsafe { e.arg("e") }?;
        out.set_string(e.error.to_json());
        Ok(())
    })
}

/// A new error, for a custom exec's callbacks to return (or for tests).
/// `msg` and `details` may be NULL (meaning ""); bytes that are not UTF-8
/// are replaced by U+FFFD. Never returns NULL. Free with `cni_error_free`
/// unless handed to the library through a callback's `err`, which takes
/// ownership.
#[no_mangle]
pub unsafe extern "C" fn cni_error_new(
    code: u32,
    msg: *const c_char,
    details: *const c_char,
) -> *mut cni_error {
    ffi_boundary!({
        let text = |p: *const c_char| -> String {
            if p.is_null() {
                String::new()
            } else {
                // SAFETY: the header requires NULL or a NUL-terminated string.
                String::from_utf8_lossy(unsafe { CStr::from_ptr(p) }.to_bytes()).into_owned()
            }
        };
        let e = CniError::new(code, text(msg), text(details));
        Box::into_raw(Box::new(cni_error::new(e)))
    })
}

/// A new error carrying `userdata` (as `cni_error_new` otherwise), for a
/// custom exec written in a language whose own error values must come back
/// as they were: the caller gets this very object back, and reads the value
/// with `cni_error_userdata`. `free_userdata` (may be NULL) is called
/// exactly once, with `userdata`, when the error is freed; it may run on any
/// thread. Never returns NULL.
#[no_mangle]
pub unsafe extern "C" fn cni_error_new_with_userdata(
    code: u32,
    msg: *const c_char,
    details: *const c_char,
    userdata: *mut c_void,
    free_userdata: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
) -> *mut cni_error {
    let data = UserData {
        ptr: SendPtr(userdata),
        free: free_userdata,
    };
    ffi_boundary!({
        // SAFETY: forwarded: `msg` and `details` are NULL or NUL-terminated.
        let e = unsafe { cni_error_new(code, msg, details) };
        if !e.is_null() {
            // SAFETY: `e` was just made by cni_error_new and is ours alone.
            unsafe { (*e).userdata = Some(data) };
        }
        e
    })
}

/// The `userdata` given to `cni_error_new_with_userdata`; NULL for every
/// other error and for NULL `e`.
#[no_mangle]
pub unsafe extern "C" fn cni_error_userdata(e: *const cni_error) -> *mut c_void {
    ffi_boundary!({
        // SAFETY: the header requires NULL or a live error.
        unsafe { e.opt() }
            .and_then(|e| e.userdata.as_ref())
            .map_or(std::ptr::null_mut(), |u| u.ptr.0)
    })
}

/// Free an error (calling its `free_userdata`, if any). NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn cni_error_free(e: *mut cni_error) {
    ffi_boundary!({
        if !e.is_null() {
            // SAFETY: the header requires an error from this library, not
            // yet freed.
            drop(unsafe { Box::from_raw(e) });
        }
    })
}
