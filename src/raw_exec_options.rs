//! The raw-exec options document: the one place where the options of a
//! [`RawExec`](crate::RawExec) given by a binding are parsed, defaulted and
//! validated, so that C, Python and Go accept the same values, fill in the
//! same defaults and refuse bad values with the same words.
//!
//! The document is a JSON object with any of
//!
//! ```json
//! {"stderr": "discard", "textBusyRetries": 5, "textBusyDelayMs": 1000,
//!  "killGraceMs": 0, "maxOutputBytes": 67108864}
//! ```
//!
//! (the values shown are the defaults; `null` also means the default).
//! `stderr`: `"discard"` (captured only to quote in error messages, upstream
//! `RawExec{}`), `"forward"` (captured, then written to this process's fd 2,
//! upstream `DefaultExec`), `"inherit"` (the plugin writes to fd 2 itself;
//! failures then cannot quote it). `textBusyRetries`: an integer from 0 to
//! 2^32-1. `textBusyDelayMs`, `killGraceMs`: a number of milliseconds from
//! 0 to 2^64-1 (fractions allowed). `maxOutputBytes`: an integer from 0 to
//! the largest `usize`.

use crate::error::{Error, Result};
use crate::raw_exec::{RawExecOptions, StderrSink, StderrWriter};
use serde_json::{Map, Value};
use std::time::Duration;

/// The keys of the document, in the order errors list them.
const KEYS: [&str; 5] = [
    "stderr",
    "textBusyRetries",
    "textBusyDelayMs",
    "killGraceMs",
    "maxOutputBytes",
];

impl RawExecOptions {
    /// Options from the JSON document described in this module's docs,
    /// with the defaults for what it leaves out.
    pub fn from_json(json: &[u8]) -> Result<RawExecOptions> {
        RawExecOptions::from_value(&parse(json)?, None)
    }

    /// As [`RawExecOptions::from_json`], with a successful plugin's stderr
    /// handed to `writer` (upstream `RawExec{Stderr: w}`); the document must
    /// then not name `stderr`.
    pub fn from_json_with_writer(json: &[u8], writer: StderrWriter) -> Result<RawExecOptions> {
        RawExecOptions::from_value(&parse(json)?, Some(writer))
    }

    /// Options from an already parsed document (a binding that gathers
    /// keyword arguments builds one); `writer` as for
    /// [`RawExecOptions::from_json_with_writer`].
    pub fn from_value(doc: &Value, writer: Option<StderrWriter>) -> Result<RawExecOptions> {
        let Value::Object(doc) = doc else {
            return Err(invalid(format!(
                "raw exec options must be a JSON object, not {}",
                kind(doc)
            )));
        };
        if let Some(unknown) = doc.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(invalid(format!(
                "unknown raw exec option {unknown:?}; the options are {}",
                KEYS.join(", ")
            )));
        }
        let d = RawExecOptions::default();
        Ok(RawExecOptions {
            stderr: stderr(doc, writer)?,
            text_busy_retries: get(doc, "textBusyRetries", u32_value)?
                .unwrap_or(d.text_busy_retries),
            text_busy_delay: get(doc, "textBusyDelayMs", millis)?.unwrap_or(d.text_busy_delay),
            kill_grace: get(doc, "killGraceMs", millis)?.unwrap_or(d.kill_grace),
            max_output_bytes: get(doc, "maxOutputBytes", usize_value)?
                .unwrap_or(d.max_output_bytes),
        })
    }
}

fn invalid(msg: String) -> Error {
    Error::InvalidArgument(msg)
}

fn parse(json: &[u8]) -> Result<Value> {
    serde_json::from_slice(json)
        .map_err(|e| invalid(format!("raw exec options are not valid JSON: {e}")))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The value of `key` read by `read` (which says what it should have
/// been when it refuses it); `None` when absent or `null`.
fn get<T>(
    doc: &Map<String, Value>,
    key: &str,
    read: fn(&Value) -> std::result::Result<T, String>,
) -> Result<Option<T>> {
    match doc.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => read(v)
            .map(Some)
            .map_err(|want| invalid(format!("raw exec option {key:?} must be {want}, not {v}"))),
    }
}

fn stderr(doc: &Map<String, Value>, writer: Option<StderrWriter>) -> Result<StderrSink> {
    let mode = get(doc, "stderr", |v| match v.as_str() {
        Some("forward") => Ok(StderrSink::Forward),
        Some("inherit") => Ok(StderrSink::Inherit),
        Some("discard") => Ok(StderrSink::Discard),
        _ => Err(r#""forward", "inherit" or "discard""#.into()),
    })?;
    match (mode, writer) {
        (Some(_), Some(_)) => Err(invalid(
            "raw exec option \"stderr\" cannot be given with a stderr writer".into(),
        )),
        (Some(mode), None) => Ok(mode),
        (None, Some(w)) => Ok(StderrSink::Writer(w)),
        (None, None) => Ok(RawExecOptions::default().stderr),
    }
}

fn u32_value(v: &Value) -> std::result::Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("an integer from 0 to {}", u32::MAX))
}

fn usize_value(v: &Value) -> std::result::Result<usize, String> {
    v.as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("an integer from 0 to {}", usize::MAX))
}

fn millis(v: &Value) -> std::result::Result<Duration, String> {
    if let Some(ms) = v.as_u64() {
        return Ok(Duration::from_millis(ms));
    }
    v.as_f64()
        .filter(|ms| (0.0..=u64::MAX as f64).contains(ms))
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
        .ok_or_else(|| format!("a number of milliseconds from 0 to {}", u64::MAX))
}
