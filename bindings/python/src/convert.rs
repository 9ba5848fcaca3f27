//! Python arguments into what the core takes, with clear `TypeError` and
//! `ValueError` messages.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyMapping, PyMemoryView, PyString,
};
use std::time::Duration;

/// `type(obj).__name__`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// A real number (int or float, not bool).
pub fn float(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<f64> {
    if obj.is_instance_of::<PyBool>()
        || !(obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>())
    {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a number of seconds (int or float), not {}",
            type_name(obj)
        )));
    }
    obj.extract()
}

/// `timeout=`-style seconds: None, or a finite number >= 0.
pub fn seconds(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Option<Duration>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let secs = float(obj, what)?;
    if secs.is_nan() || secs < 0.0 {
        return Err(PyValueError::new_err(format!(
            "{what} must be a number of seconds >= 0, not {secs}"
        )));
    }
    // Beyond what a Duration holds: no deadline worth having.
    Ok(Duration::try_from_secs_f64(secs).ok())
}

/// Bytes-like data: bytes, bytearray or memoryview.
fn bytes_like(obj: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Some(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Some(b.to_vec());
    }
    if obj.is_instance_of::<PyMemoryView>() {
        let copy = obj.py().get_type::<PyBytes>().call1((obj,)).ok()?;
        return copy.cast::<PyBytes>().ok().map(|b| b.as_bytes().to_vec());
    }
    None
}

/// A JSON document given as `bytes`, `str` or a mapping (serialised with
/// `json.dumps`). `what` names the argument in messages.
pub fn json_doc(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Some(b) = bytes_like(obj) {
        return Ok(b);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    if obj.cast::<PyMapping>().is_ok() || obj.hasattr("keys").unwrap_or(false) {
        let py = obj.py();
        let dict = py.import("builtins")?.getattr("dict")?.call1((obj,))?;
        let text: String = py
            .import("json")?
            .call_method1("dumps", (dict,))?
            .extract()?;
        return Ok(text.into_bytes());
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be bytes, str or a mapping, not {}",
        type_name(obj)
    )))
}

/// A string argument that may also be an `os.PathLike`.
pub fn path(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let s = match obj.cast::<PyString>() {
        Ok(s) => s.clone().into_any(),
        // `os` is looked up only for what is not a str already.
        Err(_) => obj
            .py()
            .import("os")?
            .getattr("fspath")?
            .call1((obj,))
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "{what} must be str or os.PathLike, not {}",
                    type_name(obj)
                ))
            })?,
    };
    s.extract::<String>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be str or os.PathLike of str, not {}",
            type_name(obj)
        ))
    })
}

/// A sequence of strings (a lone `str` is refused: it is a sequence of
/// characters, never what the caller meant).
pub fn str_list(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    let err = || {
        PyTypeError::new_err(format!(
            "{what} must be a sequence of str, not {}",
            type_name(obj)
        ))
    };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(err());
    }
    let mut out = Vec::new();
    for item in obj.try_iter().map_err(|_| err())? {
        let item = item?;
        out.push(path(&item, &format!("each item of {what}"))?);
    }
    Ok(out)
}

/// Bytes returned by a Python executor: bytes, bytearray, buffer or str.
pub fn returned_bytes(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Some(b) = bytes_like(obj) {
        return Ok(b);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!(
        "{what} must return bytes, not {}",
        type_name(obj)
    )))
}

/// Python's `repr()` of a value converted to Python, for `__repr__`s.
pub fn repr_of<'py, T>(py: Python<'py>, value: T) -> String
where
    T: pyo3::IntoPyObject<'py>,
{
    value
        .into_pyobject(py)
        .map_err(Into::into)
        .and_then(|o| {
            use pyo3::BoundObject;
            o.into_any().into_bound().repr().map(|r| r.to_string())
        })
        .unwrap_or_else(|_: PyErr| "?".into())
}
