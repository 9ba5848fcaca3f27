//! The panic boundary every `extern "C"` body goes through.
//!
//! Two forms of one macro:
//!
//! * `ffi_boundary!(err => { ... })` for fallible calls: the body is a
//!   closure returning `Result<(), Error>`; the macro returns the matching
//!   `cni_status`, writes `*err` (when `err` is not NULL: NULL on success,
//!   a new `cni_error` on failure) and turns a panic into
//!   `CNI_STATUS_PANIC`.
//! * `ffi_boundary!({ ... })` for infallible calls (accessors, constructors,
//!   destructors): a panic returns the type's [`PanicDefault`] (NULL, 0, or
//!   nothing).
//!
//! NULL arguments are reported from the body with `?` through the helpers of
//! [`super::ptr`], which name the argument in the `InvalidArgument` error.

use super::error::cni_error;
use super::status::cni_status;
use crate::error::Error;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What an infallible entry point returns when its body panicked.
pub(crate) trait PanicDefault {
    fn on_panic() -> Self;
}

impl PanicDefault for () {
    fn on_panic() -> Self {}
}

impl PanicDefault for u32 {
    fn on_panic() -> Self {
        0
    }
}

impl<T> PanicDefault for *const T {
    fn on_panic() -> Self {
        std::ptr::null()
    }
}

impl<T> PanicDefault for *mut T {
    fn on_panic() -> Self {
        std::ptr::null_mut()
    }
}

/// The text of a panic payload.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Run an infallible body, mapping a panic to `T::on_panic()`.
pub(crate) fn infallible<T: PanicDefault>(body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| T::on_panic())
}

/// Run a fallible body: its error (or panic) becomes the status returned and
/// the `cni_error` stored in `*err`.
pub(crate) fn fallible(
    err: *mut *mut cni_error,
    body: impl FnOnce() -> Result<(), Error>,
) -> cni_status {
    let (status, error) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => (cni_status::Ok, None),
        Ok(Err(e)) => (e.status(), Some(cni_error::from_error(&e))),
        Err(payload) => (
            cni_status::Panic,
            Some(Box::new(cni_error::library(format!(
                "panic in libcniinvoke: {}",
                panic_message(&*payload)
            )))),
        ),
    };
    if !err.is_null() {
        let out = error.map_or(std::ptr::null_mut(), Box::into_raw);
        // SAFETY: the caller passes either NULL (checked above) or a pointer
        // to a writable `cni_error *`, as the header documents.
        unsafe { *err = out };
    }
    status
}

/// The one panic boundary; see the module documentation.
macro_rules! ffi_boundary {
    ($err:ident => $body:block) => {
        $crate::ffi::panic::fallible($err, move || -> ::std::result::Result<(), $crate::Error> {
            $body
        })
    };
    ($body:block) => {
        $crate::ffi::panic::infallible(move || $body)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boom(err: *mut *mut cni_error) -> cni_status {
        ffi_boundary!(err => {
            if !err.is_null() {
                panic!("deliberate");
            }
            Ok(())
        })
    }

    #[test]
    fn a_panic_becomes_cni_status_panic_with_a_message() {
        let mut err: *mut cni_error = std::ptr::null_mut();
        let status = boom(&mut err);
        assert_eq!(status, cni_status::Panic);
        assert!(!err.is_null());
        // SAFETY: set by `fallible` from Box::into_raw.
        let e = unsafe { Box::from_raw(err) };
        assert_eq!(e.error.code, 0);
        assert_eq!(e.error.msg, "panic in libcniinvoke: deliberate");
    }

    #[test]
    fn an_infallible_panic_returns_the_default() {
        let p: *const u8 = infallible(|| panic!("deliberate"));
        let n: u32 = infallible(|| panic!("deliberate"));
        assert!(p.is_null());
        assert_eq!(n, 0);
    }
}
