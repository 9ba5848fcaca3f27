//! Strings and byte buffers the library hands out.

use std::ffi::{c_char, CString};

/// Free a string returned through a `char **` out-parameter of this
/// library. NULL is ignored. Never pass a string from elsewhere, nor one of
/// the `const char *` values (those are owned by the library or an error).
///
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_string_free(s: *mut c_char) {
    ffi_boundary!({
        if !s.is_null() {
            // SAFETY: the header requires a string this library returned
            // from `CString::into_raw`, not yet freed.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// Free a byte buffer returned through a `uint8_t **` out-parameter of this
/// library (with the `size_t` length it came with, e.g. the stdout of
/// `cni_exec_plugin`). NULL is ignored (an empty output is returned as NULL
/// with length 0). Never pass a buffer from elsewhere, nor a different
/// length.
///
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_bytes_free(data: *mut u8, len: usize) {
    ffi_boundary!({
        if !data.is_null() {
            // SAFETY: the header requires a buffer this library returned
            // from `Box<[u8]>::into_raw` with exactly this length, not yet
            // freed.
            let bytes = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, len)) };
            // A plugin's large stdout serves the next run's reading.
            crate::raw_exec::recycle_output(bytes.into_vec());
        }
    })
}
