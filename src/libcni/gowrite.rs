//! Go's `json.Marshal` of a value that went through `json.Unmarshal` into
//! `interface{}`: objects are maps (keys sorted bytewise), numbers are
//! `float64` (printed as Go prints them), strings escaped as Go escapes
//! them (HTML characters included).

use crate::types::write_go_str;
use serde_json::{Map, Value};

/// Append `v` as Go writes it.
pub(crate) fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_float(out, n.as_f64().unwrap_or(0.0)),
        Value::String(s) => write_go_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(m) => write_object(out, m),
    }
}

/// Append a map as Go writes a `map[string]interface{}`.
pub(crate) fn write_object(out: &mut String, m: &Map<String, Value>) {
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    out.push('{');
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_go_str(out, k);
        out.push(':');
        write_value(out, &m[k]);
    }
    out.push('}');
}

/// Go's `float64` encoding: shortest digits, plain notation unless the
/// magnitude is below 1e-6 or at least 1e21, where it is `1e+21`, `1e-7`.
fn write_float(out: &mut String, f: f64) {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let s = format!("{f:e}");
        match s.split_once('e') {
            Some((mant, exp)) if !exp.starts_with('-') => {
                out.push_str(mant);
                out.push_str("e+");
                out.push_str(exp);
            }
            _ => out.push_str(&s),
        }
    } else if f == 0.0 {
        // Go prints negative zero as "-0".
        out.push_str(if f.is_sign_negative() { "-0" } else { "0" });
    } else {
        out.push_str(&format!("{f}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go(v: Value) -> String {
        let mut s = String::new();
        write_value(&mut s, &v);
        s
    }

    #[test]
    fn prints_as_go() {
        let v = serde_json::json!({"b": [1, 1.5, 1e21, 1e-7, 0.000001, 123456789012345678u64],
                                   "a": "<&>", "B": null});
        assert_eq!(
            go(v),
            r#"{"B":null,"a":"\u003c\u0026\u003e","b":[1,1.5,1e+21,1e-7,0.000001,123456789012345680]}"#
        );
    }
}
