//! `cni_error`: a CNI error (code, msg, details) handed to the caller.

use super::ptr::{Out, RefArg};
use super::status::cni_status;
use crate::error::Error;
use crate::types::CniError;
use std::ffi::{c_char, CStr, CString};

/// A CNI error: numeric code, message and details.
///
/// For `CNI_STATUS_PLUGIN_ERROR` it is the plugin's own error (or the one
/// synthesised from its exit status and stderr, as upstream does); for
/// every other status it is a library-side error with code 0 and the
/// library's message.
///
/// Owned by whoever received it; freed with `cni_error_free`. Immutable, so
/// it may be read from several threads at once.
#[allow(non_camel_case_types)]
pub struct cni_error {
    pub(crate) error: CniError,
    msg: CString,
    details: CString,
    exit_status: Option<CString>,
}

impl cni_error {
    pub(crate) fn new(error: CniError) -> cni_error {
        cni_error {
            msg: super::ptr::to_cstring(error.msg.as_str()),
            details: super::ptr::to_cstring(error.details.as_str()),
            exit_status: error.exit_status.as_deref().map(super::ptr::to_cstring),
            error,
        }
    }

    /// The CNI error for a core error (the plugin's own, or code 0).
    pub(crate) fn from_error(e: &Error) -> cni_error {
        cni_error::new(e.to_cni_error())
    }

    /// A library-side error (code 0) with `msg`.
    pub(crate) fn library(msg: String) -> cni_error {
        cni_error::new(CniError::new(0, msg, ""))
    }

    /// The core error a custom exec means by returning `status` with this
    /// error: a plugin error keeps code, msg and details; any other
    /// category keeps the message.
    pub(crate) fn into_core(self, status: cni_status) -> Error {
        match status {
            cni_status::PluginError => Error::Plugin(self.error),
            other => Error::from_status(other.into(), self.error.msg),
        }
    }
}

static EMPTY: &CStr = c"";

/// The error's CNI code: the plugin's code for `CNI_STATUS_PLUGIN_ERROR`
/// (the well-known codes are 1-7, 11, 50, 51; plugins may use others),
/// 0 for library-side errors. 0 when `e` is NULL.
#[no_mangle]
pub unsafe extern "C" fn cni_error_code(e: *const cni_error) -> u32 {
    ffi_boundary!({ unsafe { e.opt() }.map_or(0, |e| e.error.code) })
}

/// The error's message (UTF-8, never NULL; "" when `e` is NULL). Owned by
/// `e`: valid until `cni_error_free(e)`.
#[no_mangle]
pub unsafe extern "C" fn cni_error_msg(e: *const cni_error) -> *const c_char {
    ffi_boundary!({ unsafe { e.opt() }.map_or(EMPTY.as_ptr(), |e| e.msg.as_ptr()) })
}

/// The error's details (UTF-8, never NULL; "" when there are none or `e` is
/// NULL). Owned by `e`: valid until `cni_error_free(e)`.
#[no_mangle]
pub unsafe extern "C" fn cni_error_details(e: *const cni_error) -> *const c_char {
    ffi_boundary!({ unsafe { e.opt() }.map_or(EMPTY.as_ptr(), |e| e.details.as_ptr()) })
}

/// How the plugin process ended, as Go prints it (`exit status 1`,
/// `signal: killed`), for an error from a plugin that ran and failed
/// (`CNI_STATUS_PLUGIN_ERROR` from a process exec: the plugin's own error or
/// the one made from its stderr, also when a custom exec passes such an
/// error on); NULL for every other error, for errors made with
/// `cni_error_new`, and when `e` is NULL. Never part of `cni_error_msg` or
/// the JSON. Owned by `e`: valid until `cni_error_free(e)`.
#[no_mangle]
pub unsafe extern "C" fn cni_error_exit_status(e: *const cni_error) -> *const c_char {
    ffi_boundary!({
        unsafe { e.opt() }
            .and_then(|e| e.exit_status.as_ref())
            .map_or(std::ptr::null(), |s| s.as_ptr())
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
        let out = unsafe { Out::new(json_out, "json_out") }?;
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

/// Free an error. NULL is ignored.
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
