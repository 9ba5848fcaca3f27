//! Library errors as the Python exceptions of `cniinvoke._errors`, and the
//! reverse for exceptions raised inside a Python executor.
//!
//! The exception classes are declared once, in Python (`_errors.py`), so that
//! `PluginTimeoutError` can also be a `TimeoutError` and
//! `InvalidArgumentError` a `ValueError`; this file only looks them up.

use cniinvoke::types::CniError;
use cniinvoke::Error;
use pyo3::prelude::*;
use std::sync::Arc;

const MODULE: &str = "cniinvoke._errors";

/// The exception class called `name` in `cniinvoke._errors`.
fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import(MODULE)?.getattr(name)
}

/// The exception class name for each error category.
fn class_name(e: &Error) -> &'static str {
    match e {
        Error::InvalidArgument(_) => "InvalidArgumentError",
        Error::NotFound(_) => "PluginNotFoundError",
        Error::Plugin(_) => "PluginError",
        Error::ExecFailed(_) => "PluginExecError",
        Error::Decode(_) => "DecodeError",
        Error::UnsupportedVersion(_) => "UnsupportedVersionError",
        Error::Timeout(_) => "PluginTimeoutError",
        Error::Cancelled(_) => "PluginCancelledError",
        Error::Foreign(f) => class_name(&f.error),
        Error::Io(_) => "CNIIOError",
        Error::ConfigNotFound { .. } => "ConfigNotFoundError",
        Error::Wrapped { cause, .. } => class_name(cause),
    }
}

/// The payload of an error raised by a Python executor: the exception
/// itself, raised again, unchanged, when the error leaves the call.
pub struct Raised(PyErr);

/// A library error as the matching `CNIError` subclass instance, or the
/// very exception a Python executor raised for it.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    if let Some(exc) = raised(e) {
        return exc.clone_ref(py);
    }
    // KeyboardInterrupt, SystemExit... raised by a Python executor inside a
    // list are not a plugin's failure: they leave the call unwrapped.
    if let Some(exc) = innermost(e).and_then(raised) {
        if !exc.is_instance_of::<pyo3::exceptions::PyException>(py) {
            return exc.clone_ref(py);
        }
    }
    let cni = e.to_cni_error();
    let made = class(py, class_name(e)).and_then(|cls| match e.kind() {
        Error::Plugin(_) => cls.call1((cni.msg, cni.code, cni.details, cni.exit_status)),
        _ => cls.call1((cni.msg, cni.code, cni.details)),
    });
    let exc = match made {
        Ok(obj) => PyErr::from_value(obj),
        Err(err) => return err,
    };
    // A list's failure: the class of the failing plugin's error, with that
    // error (or the very exception a Python executor raised) as __cause__.
    if let Some(cause) = e.cause() {
        exc.set_cause(py, Some(to_py(py, cause)));
    }
    exc
}

/// The exception a Python executor raised for `e` itself, if it did.
fn raised(e: &Error) -> Option<&PyErr> {
    match e.payload().and_then(|p| p.downcast_ref::<Raised>()) {
        Some(Raised(exc)) => Some(exc),
        None => None,
    }
}

/// The error at the bottom of a chain of wrapped errors (`None` if `e` is
/// not wrapped).
fn innermost(e: &Error) -> Option<&Error> {
    let mut cause = e.cause()?;
    while let Some(deeper) = cause.cause() {
        cause = deeper;
    }
    Some(cause)
}

/// Shorthand: a core `Result` as a `PyResult`.
pub fn check<T>(py: Python<'_>, r: cniinvoke::Result<T>) -> PyResult<T> {
    r.map_err(|e| to_py(py, &e))
}

/// Builds the error of one category from its message.
type MakeError = fn(String) -> Error;

/// An exception raised inside a Python executor as a library error, so the
/// core reacts to it as upstream does to an executor's error (for example a
/// `PluginError("unknown CNI_COMMAND: VERSION")` from `VERSION`), carrying
/// the exception itself, which the call raises again unchanged.
pub fn from_py(py: Python<'_>, err: PyErr) -> Error {
    let core = category_of(py, &err);
    core.with_payload(Arc::new(Raised(err)))
}

/// What an exception raised inside a Python executor means to the core.
fn category_of(py: Python<'_>, err: &PyErr) -> Error {
    let value = err.value(py);
    let is = |name: &str| {
        class(py, name)
            .and_then(|c| value.is_instance(&c))
            .unwrap_or(false)
    };
    if !is("CNIError") {
        return Error::ExecFailed(value.to_string());
    }
    let code: u32 = value.getattr("code").and_then(|c| c.extract()).unwrap_or(0);
    let text = |attr: &str| {
        value
            .getattr(attr)
            .and_then(|v| v.extract::<String>())
            .unwrap_or_default()
    };
    let (msg, details) = (text("msg"), text("details"));
    let simple: [(&str, MakeError); 7] = [
        ("PluginNotFoundError", Error::NotFound),
        ("InvalidArgumentError", Error::InvalidArgument),
        ("DecodeError", Error::Decode),
        ("UnsupportedVersionError", Error::UnsupportedVersion),
        ("PluginTimeoutError", Error::Timeout),
        ("PluginCancelledError", Error::Cancelled),
        ("PluginExecError", Error::ExecFailed),
    ];
    for (name, make) in simple {
        if is(name) {
            return make(msg);
        }
    }
    let mut error = CniError::new(code, msg, details);
    error.exit_status = value
        .getattr("exit_status")
        .and_then(|v| v.extract::<Option<String>>())
        .unwrap_or(None);
    Error::Plugin(error)
}
