//! `RawExec(...)` keyword arguments as the core's raw-exec options document,
//! so that the core parses, defaults and validates them exactly as it does
//! the C ABI's `options_json` (same defaults, same texts for bad values).
//!
//! Each keyword becomes the document key of the same meaning, as given;
//! the seconds of `text_busy_delay` and `kill_grace` become milliseconds.
//! Only Python objects with no JSON counterpart are refused here.

use crate::convert;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use serde_json::{Map, Number, Value};

/// A number as JSON, keeping integers integral where they fit.
fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Value::Number(Number::from(f as i64));
    }
    // Not finite: no JSON number; the core refuses the text instead.
    Number::from_f64(f).map_or_else(|| Value::String(f.to_string()), Value::Number)
}

/// A keyword's value as JSON: None, bool, int, float or str.
fn json(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Value::Number(n.into()));
        }
        if let Ok(n) = obj.extract::<u64>() {
            return Ok(Value::Number(n.into()));
        }
        return Ok(number(obj.extract::<f64>()?));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(number(obj.extract()?));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Value::String(obj.extract()?));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be an int, a float, a str or None, not {}",
        convert::type_name(obj)
    )))
}

/// Seconds as milliseconds (other values as they are, for the core to
/// judge).
fn millis(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    let number = !obj.is_instance_of::<PyBool>()
        && (obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>());
    if number {
        return Ok(self::number(obj.extract::<f64>()? * 1000.0));
    }
    json(obj, what)
}

/// The keyword arguments of `RawExec(...)` other than a stderr writer.
pub struct Keywords<'a, 'py> {
    pub stderr_mode: Option<&'a Bound<'py, PyAny>>,
    pub text_busy_retries: Option<&'a Bound<'py, PyAny>>,
    pub text_busy_delay: Option<&'a Bound<'py, PyAny>>,
    pub kill_grace: Option<&'a Bound<'py, PyAny>>,
    pub max_output_bytes: Option<&'a Bound<'py, PyAny>>,
}

impl Keywords<'_, '_> {
    /// The options document (keys left out stand for the defaults).
    pub fn document(&self) -> PyResult<Value> {
        let mut doc = Map::new();
        let mut put = |key: &str, v: Option<Value>| {
            if let Some(v) = v {
                doc.insert(key.into(), v);
            }
        };
        let kw = |obj: Option<&Bound<'_, PyAny>>,
                  what: &str,
                  conv: fn(&Bound<'_, PyAny>, &str) -> PyResult<Value>| {
            obj.map(|o| conv(o, what)).transpose()
        };
        put("stderr", kw(self.stderr_mode, "stderr", json)?);
        put(
            "textBusyRetries",
            kw(self.text_busy_retries, "text_busy_retries", json)?,
        );
        put(
            "textBusyDelayMs",
            kw(self.text_busy_delay, "text_busy_delay", millis)?,
        );
        put("killGraceMs", kw(self.kill_grace, "kill_grace", millis)?);
        put(
            "maxOutputBytes",
            kw(self.max_output_bytes, "max_output_bytes", json)?,
        );
        Ok(Value::Object(doc))
    }
}
