//! Raw pointers from C turned into Rust values, in this one place.
//!
//! Every helper names the argument, so a NULL or malformed argument becomes
//! `Error::InvalidArgument("argument `x` ...")`, which the panic boundary
//! reports as `CNI_STATUS_INVALID_ARGUMENT`.

use crate::error::Error;
use std::ffi::{c_char, CStr, CString};

fn invalid(name: &str, what: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("argument `{name}` {what}"))
}

/// A pointer to a handle or value owned by the caller.
pub(crate) trait RefArg<'a, T> {
    /// The referent; NULL is an invalid argument.
    ///
    /// # Safety
    /// The pointer is NULL or valid for reads for `'a`.
    unsafe fn arg(self, name: &str) -> Result<&'a T, Error>;
    /// The referent, or `None` for NULL.
    ///
    /// # Safety
    /// As for [`RefArg::arg`].
    unsafe fn opt(self) -> Option<&'a T>;
}

impl<'a, T: 'a> RefArg<'a, T> for *const T {
    unsafe fn arg(self, name: &str) -> Result<&'a T, Error> {
        // SAFETY: the caller's promise: NULL or valid for reads for `'a`.
        unsafe { self.as_ref() }.ok_or_else(|| invalid(name, "is NULL"))
    }
    unsafe fn opt(self) -> Option<&'a T> {
        // SAFETY: as above.
        unsafe { self.as_ref() }
    }
}

/// A NUL-terminated UTF-8 string argument.
pub(crate) trait StrArg<'a> {
    /// The string; NULL or invalid UTF-8 is an invalid argument.
    ///
    /// # Safety
    /// The pointer is NULL or points to a NUL-terminated string valid for `'a`.
    unsafe fn str_arg(self, name: &str) -> Result<&'a str, Error>;
    /// As [`StrArg::str_arg`], with NULL meaning `None`.
    ///
    /// # Safety
    /// As for [`StrArg::str_arg`].
    unsafe fn opt_str_arg(self, name: &str) -> Result<Option<&'a str>, Error>;
    /// A JSON argument decoded into `T`: NULL, invalid UTF-8, malformed
    /// JSON and JSON of the wrong shape are invalid arguments.
    ///
    /// # Safety
    /// As for [`StrArg::str_arg`].
    unsafe fn json_arg<T: serde::de::DeserializeOwned>(self, name: &str) -> Result<T, Error>
    where
        Self: Sized,
    {
        // SAFETY: this function's contract is `str_arg`'s.
        let s = unsafe { self.str_arg(name) }?;
        serde_json::from_str(s).map_err(|e| invalid(name, format!("is not valid JSON here: {e}")))
    }

    /// As [`StrArg::json_arg`] for an argument that must be a JSON object
    /// (serde would also build a struct from an array).
    ///
    /// # Safety
    /// As for [`StrArg::str_arg`].
    unsafe fn json_object_arg<T: serde::de::DeserializeOwned>(self, name: &str) -> Result<T, Error>
    where
        Self: Sized,
    {
        // SAFETY: this function's contract is `str_arg`'s.
        let s = unsafe { self.str_arg(name) }?;
        json_object_str(s, name)
    }
}

/// `s`, a JSON object, decoded into `T` (see [`StrArg::json_object_arg`]).
pub(crate) fn json_object_str<T: serde::de::DeserializeOwned>(
    s: &str,
    name: &str,
) -> Result<T, Error> {
    if let Some(t) = json_object_fast(s) {
        return Ok(t);
    }
    let v: serde_json::Value = serde_json::from_str(s)
        .map_err(|e| invalid(name, format!("is not valid JSON here: {e}")))?;
    if !v.is_object() {
        return Err(invalid(name, "must be a JSON object"));
    }
    serde_json::from_value(v).map_err(|e| invalid(name, format!("is not valid JSON here: {e}")))
}

/// `s` decoded into `T` in one pass when it is an object that decodes
/// (no key twice, which serde refuses in a struct and a JSON object
/// allows, the last one winning); `None` sends the caller the general way,
/// through a `serde_json::Value`, which also words the errors.
pub(crate) fn json_object_fast<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    let object = s
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{');
    object.then(|| serde_json::from_str(s).ok()).flatten()
}

impl<'a> StrArg<'a> for *const c_char {
    unsafe fn str_arg(self, name: &str) -> Result<&'a str, Error> {
        // SAFETY: this function's contract is `opt_str_arg`'s.
        unsafe { self.opt_str_arg(name) }?.ok_or_else(|| invalid(name, "is NULL"))
    }
    unsafe fn opt_str_arg(self, name: &str) -> Result<Option<&'a str>, Error> {
        if self.is_null() {
            return Ok(None);
        }
        // SAFETY: the caller's promise: a NUL-terminated string valid for
        // `'a` (not NULL: checked above).
        unsafe { CStr::from_ptr(self) }
            .to_str()
            .map(Some)
            .map_err(|_| invalid(name, "is not valid UTF-8"))
    }
}

/// Bytes given as pointer + length; NULL is allowed only for length 0.
///
/// # Safety
/// `data` is NULL or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes_arg<'a>(data: *const u8, len: usize) -> Option<&'a [u8]> {
    match (data.is_null(), len) {
        (_, 0) => Some(&[]),
        (true, _) => None,
        // SAFETY: the caller's promise: `data` (not NULL here) is valid for
        // reads of `len` bytes for `'a`; any byte value is a valid u8.
        (false, len) => Some(unsafe { std::slice::from_raw_parts(data, len) }),
    }
}

/// A NULL-terminated array of NUL-terminated UTF-8 strings (an
/// environment): NULL = `None`; an entry that is not UTF-8 is an invalid
/// argument naming its index.
///
/// # Safety
/// `p` is NULL or points to an array of string pointers, valid for `'a`,
/// whose last element is NULL.
pub(crate) unsafe fn str_array_arg<'a>(
    p: *const *const c_char,
    name: &str,
) -> Result<Option<Vec<&'a str>>, Error> {
    if p.is_null() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for i in 0.. {
        // SAFETY: the caller's promise: the array is readable up to its NULL
        // terminator, and the loop stops there.
        let entry = unsafe { *p.add(i) };
        if entry.is_null() {
            break;
        }
        // SAFETY: the caller's promise: every entry before the terminator is
        // a NUL-terminated string valid for `'a`.
        let s = unsafe { CStr::from_ptr(entry) }
            .to_str()
            .map_err(|_| invalid(name, format_args!("entry {i} is not valid UTF-8")))?;
        out.push(s);
    }
    Ok(Some(out))
}

/// An out-parameter (`T **out`): checked for NULL and cleared up front, so
/// that it holds NULL whenever the call fails.
pub(crate) struct Out<'a, T>(&'a mut *mut T);

impl<'a, T> Out<'a, T> {
    /// # Safety
    /// `p` is NULL or points to a writable `T *` for `'a`.
    pub(crate) unsafe fn new(p: *mut *mut T, name: &str) -> Result<Out<'a, T>, Error> {
        // SAFETY: the caller's promise: NULL or a writable `T *` for `'a`.
        let slot = unsafe { p.as_mut() }.ok_or_else(|| invalid(name, "is NULL"))?;
        *slot = std::ptr::null_mut();
        Ok(Out(slot))
    }
}

impl<T> Out<'_, T> {
    /// Hand a boxed value to the caller.
    pub(crate) fn set_box(self, value: T) {
        *self.0 = Box::into_raw(Box::new(value));
    }
}

impl Out<'_, c_char> {
    /// Hand a string to the caller (freed with `cni_string_free`).
    pub(crate) fn set_string(self, s: impl Into<Vec<u8>>) {
        *self.0 = to_cstring(s).into_raw();
    }
}

impl Out<'_, u8> {
    /// Hand bytes to the caller as pointer + length (freed with
    /// `cni_bytes_free(data, len)`); no bytes leave the pointer NULL.
    pub(crate) fn set_bytes(self, len_out: &mut usize, bytes: Vec<u8>) {
        *len_out = bytes.len();
        if !bytes.is_empty() {
            *self.0 = Box::into_raw(bytes.into_boxed_slice()).cast::<u8>();
        }
    }
}

/// A C string of `s`; an interior NUL (which JSON never contains, but a
/// message may) becomes U+FFFD so nothing is silently cut off.
pub(crate) fn to_cstring(s: impl Into<Vec<u8>>) -> CString {
    let bytes: Vec<u8> = s.into();
    CString::new(bytes).unwrap_or_else(|e| {
        let fixed = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{FFFD}");
        CString::new(fixed).expect("NULs replaced")
    })
}

/// A raw pointer the caller promises may be used from any thread (user data
/// of callbacks, as the header documents).
#[derive(Clone, Copy)]
pub(crate) struct SendPtr(pub(crate) *mut std::ffi::c_void);

// SAFETY: the header requires user data handed to the library to be usable
// from any thread; the library only passes it back to the caller's callbacks.
unsafe impl Send for SendPtr {}
// SAFETY: as above.
unsafe impl Sync for SendPtr {}
