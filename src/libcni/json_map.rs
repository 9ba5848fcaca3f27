//! Reading a JSON object the way Go's `json.Unmarshal` into a
//! `map[string]interface{}` reads it: for values that callers hand over as
//! text in Go tools (cnitool's `CAP_ARGS`), with Go's error texts.

use super::inject::decode_map;
use crate::types::gojson::Value;
use crate::{Error, Result};
use serde_json::{Map, Number, Value as J};
use std::borrow::Cow;

/// Go's `json.Unmarshal(text, &m)` with `m map[string]interface{}`: an
/// object (or `null`, an empty map); every number becomes a `float64`, as in
/// Go, so that it is printed again as Go prints it. Errors are Go's texts
/// (`invalid character 'x' looking for beginning of value`, `json: cannot
/// unmarshal array into Go value of type map[string]interface {}`) as
/// [`Error::InvalidArgument`].
pub fn map_from_json(text: &[u8]) -> Result<Map<String, J>> {
    let doc = decode_map(text).map_err(Error::InvalidArgument)?;
    match to_serde(&doc) {
        J::Object(m) => Ok(m),
        _ => Ok(Map::new()),
    }
}

/// A container being converted: the members still to read and what has
/// been converted so far.
enum Frame<'a> {
    Array(std::slice::Iter<'a, Value<'a>>, Vec<J>),
    /// Members in document order; a later duplicate key replaces the value,
    /// as Go's decoder does. The key waits here while its value converts.
    Object(
        std::slice::Iter<'a, (Cow<'a, str>, Value<'a>)>,
        Map<String, J>,
        String,
    ),
}

/// The conversion, with an explicit stack: documents may nest as deep as
/// Go's reader allows (10000 levels), deeper than a thread's stack would.
fn to_serde(root: &Value) -> J {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut next = root;
    loop {
        let mut done = match next {
            Value::Array(items) => {
                stack.push(Frame::Array(items.iter(), Vec::with_capacity(items.len())));
                None
            }
            Value::Object(members) => {
                stack.push(Frame::Object(members.iter(), Map::new(), String::new()));
                None
            }
            scalar => Some(scalar_to_serde(scalar)),
        };
        loop {
            if let Some(v) = done.take() {
                match stack.last_mut() {
                    None => return v,
                    Some(Frame::Array(_, out)) => out.push(v),
                    Some(Frame::Object(_, out, key)) => {
                        out.insert(std::mem::take(key), v);
                    }
                }
            }
            let step = match stack.last_mut() {
                None => unreachable!("a finished root returned above"),
                Some(Frame::Array(items, _)) => items.next(),
                Some(Frame::Object(members, _, key)) => members.next().map(|(k, v)| {
                    key.clear();
                    key.push_str(k);
                    v
                }),
            };
            match step {
                Some(v) => {
                    next = v;
                    break;
                }
                None => {
                    done = Some(match stack.pop() {
                        Some(Frame::Array(_, out)) => J::Array(out),
                        Some(Frame::Object(_, out, _)) => J::Object(out),
                        None => J::Null,
                    });
                }
            }
        }
    }
}

fn scalar_to_serde(v: &Value) -> J {
    match v {
        Value::Bool(b) => J::Bool(*b),
        // decode_map has refused literals beyond float64's range.
        Value::Number(lit) => lit
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or(J::Null, J::Number),
        Value::String(s) => J::String(s.to_string()),
        _ => J::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_with_float64_numbers() {
        let m = map_from_json(br#"{"p":[{"hostPort":8080}],"a":1,"a":2.50,"n":null}"#).unwrap();
        assert_eq!(m["a"].as_f64(), Some(2.5));
        assert!(
            !m["p"][0]["hostPort"].is_i64(),
            "a float64, as Go decodes it"
        );
        assert_eq!(m["p"][0]["hostPort"].as_f64(), Some(8080.0));
        assert!(m["n"].is_null());
        assert!(map_from_json(b"null").unwrap().is_empty());
    }

    #[test]
    fn go_error_texts() {
        for (input, want) in [
            (
                &b"x"[..],
                "invalid character 'x' looking for beginning of value",
            ),
            (b"{\"a\":", "unexpected end of JSON input"),
            (
                b"[1]",
                "json: cannot unmarshal array into Go value of type map[string]interface {}",
            ),
            (
                b"\"s\"",
                "json: cannot unmarshal string into Go value of type map[string]interface {}",
            ),
            (
                b"{\"a\":1e999}",
                "json: cannot unmarshal number 1e999 into Go value of type float64",
            ),
        ] {
            assert_eq!(map_from_json(input).unwrap_err().to_string(), want);
        }
    }

    #[test]
    fn as_deep_as_go_reads() {
        let depth = 9999;
        let text = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
        let m = map_from_json(text.as_bytes()).unwrap();
        assert!(m["a"].is_array());
    }
}
