//! Strings the library hands out.

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
