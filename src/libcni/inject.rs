//! Setting keys in a plugin configuration the way upstream's `InjectConf`
//! does, and the Go `encoding/json` writer behind it.
//!
//! Upstream decodes the configuration into a `map[string]interface{}`, sets
//! the keys and marshals the map again. The bytes that come out are what a
//! plugin receives, so they are reproduced exactly:
//!
//! - object keys sorted bytewise, at every level; duplicate keys: the last
//!   one wins (Go's decoder overwrites);
//! - every number is a `float64`, printed as Go prints one
//!   ([`go_float`]); a number beyond `float64`'s range fails decoding with
//!   `json: cannot unmarshal number 1e400 into Go value of type float64`;
//! - strings escaped as `json.Marshal` escapes them (`<`, `>`, `&`, U+2028,
//!   U+2029 included); invalid UTF-8 was already repaired to U+FFFD by the
//!   reader;
//! - a document that is `null` decodes to a nil map: marshalled alone it
//!   prints `{}` here where Go prints `null` (both then fail as a plugin
//!   configuration without `type`); setting keys in it, which makes
//!   upstream panic, is refused with
//!   `unmarshal existing network bytes: the configuration is null`.
//!
//! # `inject_raw`: the contract for the network-list operations
//!
//! [`inject_raw`]`(original, values)` returns what upstream's
//! `InjectConf(&PluginConfig{Bytes: original}, m)` returns, where `m` maps
//! each key of `values` to a Go value whose `json.Marshal` output is the
//! given text. The texts are inserted verbatim, so each must be one compact
//! JSON value exactly as Go's `json.Marshal` prints it (for example
//! [`marshal_str`] of a name, a result's `to_json()`, [`marshal_value`] of a
//! serde value). A text of `null` is upstream's nil value and is refused
//! like it (`key 'K' value must not be nil`), an empty key is refused with
//! `keys cannot be empty`. Later entries for the same key win. The result is
//! parsed again with [`network_plugin_conf_from_bytes`], as upstream does.
//!
//! Upstream's `buildOneConfig` calls `InjectConf` twice when it injects
//! `runtimeConfig` (name, cniVersion and prevResult first, then
//! runtimeConfig into the bytes the first call produced): call
//! `inject_raw` twice too, so that the numbers inside `prevResult` are
//! re-read as `float64` exactly as upstream re-reads them.

use std::collections::BTreeMap;

use super::parse::{network_plugin_conf_from_bytes, plugin_conf_decodes, PLUGIN_CONF_FIELDS};
use super::PluginConfig;
use crate::types::decode::go_field_matches;
use crate::types::gojson::{self, write_str, Value};
use crate::{Error, Result};

/// Go's type name for a decoded configuration document.
pub(crate) const MAP_TYPE: &str = "map[string]interface {}";

/// Upstream's `InjectConf`: set `new_values` in `original`'s bytes and
/// parse the result as a plugin configuration.
pub fn inject_conf(
    original: &PluginConfig,
    new_values: &serde_json::Map<String, serde_json::Value>,
) -> Result<PluginConfig> {
    let texts: Vec<(&str, String)> = new_values
        .iter()
        .map(|(k, v)| (k.as_str(), marshal_value(v)))
        .collect();
    let values: Vec<(&str, &str)> = texts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    inject_raw(&original.bytes, &values)
}

/// `InjectConf` with values already encoded as Go's JSON; see the module
/// documentation for the exact contract.
pub(crate) fn inject_raw(original: &[u8], values: &[(&str, &str)]) -> Result<PluginConfig> {
    let (_, bytes) = set_values(original, values)?;
    network_plugin_conf_from_bytes(bytes.as_bytes())
}

/// [`inject_raw`]'s bytes: what a plugin is sent.
pub(crate) struct Sent {
    pub bytes: Vec<u8>,
    /// No member of the original but the one set decodes into the field
    /// of a key set (no key the same but for case): Go reads each field set
    /// from the new bytes as the value set.
    pub sole: bool,
}

/// [`inject_raw`]'s bytes alone. The parse of the new bytes that
/// `InjectConf` ends with only matters for its errors, and it cannot fail
/// when the original decodes as a plugin configuration and every value set
/// is of its field's type (a string `name` and `cniVersion`, an object
/// `prevResult`, any other key naming no field): then it is skipped.
/// Otherwise it runs, for upstream's exact error.
pub(crate) fn inject_sent(original: &[u8], values: &[(&str, &str)]) -> Result<Sent> {
    let (doc, bytes) = set_values(original, values)?;
    let sole = match &doc {
        Value::Object(members) => values.iter().all(|(set, _)| {
            members
                .iter()
                .all(|(k, _)| k == set || !go_field_matches(set, k))
        }),
        _ => true,
    };
    let typed = values.iter().all(|(k, text)| of_its_fields_type(k, text));
    if typed && plugin_conf_decodes(&doc) {
        let bytes = bytes.into_bytes();
        return Ok(Sent { bytes, sole });
    }
    let bytes = network_plugin_conf_from_bytes(bytes.as_bytes())?.bytes;
    Ok(Sent { bytes, sole })
}

/// Whether `text`, set at `key`, decodes into the plugin configuration
/// field `key` names, if any (Go matches field names without regard to
/// case; for an ASCII key that is ASCII case folding).
fn of_its_fields_type(key: &str, text: &str) -> bool {
    match key {
        "name" | "cniVersion" => text.starts_with('"'),
        "prevResult" => text.starts_with('{'),
        _ => {
            key.is_ascii()
                && !PLUGIN_CONF_FIELDS
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(key))
        }
    }
}

/// The map step of `InjectConf`: `original` decoded, `values` set, the map
/// encoded again; the decoded original comes back too.
fn set_values<'a>(original: &'a [u8], values: &[(&str, &str)]) -> Result<(Value<'a>, String)> {
    let doc = decode_map(original)
        .map_err(|e| Error::Decode(format!("unmarshal existing network bytes: {e}")))?;
    if doc == Value::Null && !values.is_empty() {
        // Go decodes `null` into a nil map, and upstream then panics
        // assigning to it; refuse instead.
        return Err(Error::Decode(
            "unmarshal existing network bytes: the configuration is null".into(),
        ));
    }
    let mut entries = map_entries(&doc);
    for (key, text) in values {
        if key.is_empty() {
            return Err(Error::InvalidArgument("keys cannot be empty".into()));
        }
        if *text == "null" {
            return Err(Error::InvalidArgument(format!(
                "key '{key}' value must not be nil"
            )));
        }
        entries.insert(key, Entry::Raw(text));
    }
    let bytes = marshal_entries(&entries);
    drop(entries);
    Ok((doc, bytes))
}

/// Go's `json.Unmarshal` into a `map[string]interface{}`: the parsed
/// document (an object, or `null` for an empty map) or Go's error text.
pub(crate) fn decode_map(bytes: &[u8]) -> std::result::Result<Value<'_>, String> {
    let doc = gojson::parse(bytes)?;
    match &doc {
        Value::Object(_) | Value::Null => {}
        other => {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type {MAP_TYPE}",
                other.kind()
            ))
        }
    }
    match first_out_of_range(&doc) {
        Some(lit) => Err(format!(
            "json: cannot unmarshal number {lit} into Go value of type float64"
        )),
        None => Ok(doc),
    }
}

/// The first number (in document order) that does not fit a `float64`:
/// the one Go's decoder reports.
pub(crate) fn first_out_of_range<'v>(v: &'v Value) -> Option<&'v str> {
    let mut pending = vec![v];
    while let Some(v) = pending.pop() {
        match v {
            Value::Number(lit) if !to_float(lit).is_finite() => return Some(lit),
            Value::Array(items) => pending.extend(items.iter().rev()),
            Value::Object(members) => pending.extend(members.iter().rev().map(|(_, v)| v)),
            _ => {}
        }
    }
    None
}

/// A number literal as Go's `strconv.ParseFloat` rounds it (infinite when
/// out of range).
fn to_float(lit: &str) -> f64 {
    lit.parse().unwrap_or(f64::NAN)
}

/// One member of a map about to be marshalled.
#[derive(Clone, Copy)]
pub(crate) enum Entry<'a> {
    /// A decoded value, printed the way Go prints its `interface{}` form.
    Json(&'a Value<'a>),
    /// Text already encoded as Go would encode the value.
    Raw(&'a str),
}

/// The members of a decoded object (or of `null`: none), the last of
/// duplicate keys winning, sorted as Go sorts map keys.
pub(crate) fn map_entries<'v>(doc: &'v Value) -> BTreeMap<&'v str, Entry<'v>> {
    let mut out = BTreeMap::new();
    if let Value::Object(members) = doc {
        for (k, v) in members {
            out.insert(&**k, Entry::Json(v));
        }
    }
    out
}

/// `json.Marshal` of a `map[string]interface{}`.
pub(crate) fn marshal_entries(entries: &BTreeMap<&str, Entry<'_>>) -> String {
    // Room for the usual case at once: keys and raw texts as they are, a
    // guess for each decoded value.
    let room = entries.iter().map(|(k, v)| {
        let value = match v {
            Entry::Json(_) => 32,
            Entry::Raw(text) => text.len(),
        };
        k.len() + value + 4
    });
    let mut out = String::with_capacity(2 + room.sum::<usize>());
    out.push('{');
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(&mut out, k);
        out.push(':');
        match v {
            Entry::Json(v) => write_value(&mut out, v),
            Entry::Raw(text) => out.push_str(text),
        }
    }
    out.push('}');
    out
}

/// `json.Marshal` of a decoded `interface{}` value.
pub(crate) fn marshal(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

/// A pending piece of output: the writer keeps its own stack so that deep
/// documents cost heap, not thread stack.
enum Step<'a> {
    Value(&'a Value<'a>),
    Key(&'a str),
    Text(&'static str),
}

fn write_value(out: &mut String, root: &Value) {
    let mut stack = vec![Step::Value(root)];
    while let Some(step) = stack.pop() {
        let v = match step {
            Step::Text(t) => {
                out.push_str(t);
                continue;
            }
            Step::Key(k) => {
                write_str(out, k);
                out.push(':');
                continue;
            }
            Step::Value(v) => v,
        };
        match v {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(lit) => out.push_str(&go_float(to_float(lit))),
            Value::String(s) => write_str(out, s),
            Value::Array(items) => {
                out.push('[');
                stack.push(Step::Text("]"));
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push(Step::Value(item));
                    if i > 0 {
                        stack.push(Step::Text(","));
                    }
                }
            }
            Value::Object(members) => {
                let sorted: BTreeMap<&str, &Value> =
                    members.iter().map(|(k, v)| (&**k, v)).collect();
                out.push('{');
                stack.push(Step::Text("}"));
                for (i, (k, v)) in sorted.into_iter().enumerate().rev() {
                    stack.push(Step::Value(v));
                    stack.push(Step::Key(k));
                    if i > 0 {
                        stack.push(Step::Text(","));
                    }
                }
            }
        }
    }
}

/// A string as Go's `json.Marshal` prints it.
pub(crate) fn marshal_str(s: &str) -> String {
    let mut out = String::new();
    write_str(&mut out, s);
    out
}

/// `json.Marshal` of a serde value taken as the Go value a caller would
/// pass: objects are maps (keys sorted), integers that fit 64 bits are
/// integers, other numbers are `float64`.
pub(crate) fn marshal_value(v: &serde_json::Value) -> String {
    let mut out = String::new();
    write_serde(&mut out, v);
    out
}

fn write_serde(out: &mut String, v: &serde_json::Value) {
    use serde_json::Value as J;
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) if n.is_i64() || n.is_u64() => out.push_str(&n.to_string()),
        J::Number(n) => out.push_str(&go_float(n.as_f64().unwrap_or(0.0))),
        J::String(s) => write_str(out, s),
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_serde(out, item);
            }
            out.push(']');
        }
        J::Object(map) => {
            let sorted: BTreeMap<&str, &serde_json::Value> =
                map.iter().map(|(k, v)| (k.as_str(), v)).collect();
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k);
                out.push(':');
                write_serde(out, v);
            }
            out.push('}');
        }
    }
}

/// A finite `float64` as Go's `encoding/json` prints it: the shortest
/// digits that read back to the same value, in plain decimal notation for
/// magnitudes in [1e-6, 1e21) (and zero), otherwise in exponent notation
/// with a signed exponent of at least one digit (`1e+21`, `1e-7`).
pub(crate) fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        // Rust's `Display` is the shortest round-trip form, never with an
        // exponent; `-0` keeps its sign as in Go.
        return format!("{f}");
    }
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    match exp.strip_prefix('-') {
        Some(neg) => format!("{mantissa}e-{neg}"),
        None => format!("{mantissa}e+{exp:0>2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `inject_sent` skips the final parse only where it could not fail:
    /// on every configuration below, with values of every kind, it gives
    /// what `inject_raw` (upstream's `InjectConf`, compared with Go in
    /// tests/libcni_conf_diff.rs) gives: the same bytes, or the same error.
    #[test]
    fn sent_bytes_are_inject_confs() {
        let confs = [
            r#"{"type":"t"}"#,
            r#"{"type":"t","name":5}"#,
            r#"{"type":"t","NAME":5}"#,
            r#"{"type":"t","Name":"a","name":"b"}"#,
            r#"{"type":"t","prevResult":5}"#,
            r#"{"type":"t","prevresult":[]}"#,
            r#"{"type":5}"#,
            r#"{"type":""}"#,
            r#"{"name":"x"}"#,
            r#"{"type":"t","Type":""}"#,
            r#"{"type":"t","capabilities":{"a":1}}"#,
            r#"{"type":"t","ipam":{"type":1}}"#,
            r#"{"type":"t","dns":{"nameservers":"x"}}"#,
            r#"{"type":"t","cni.dev/valid-attachments":[{"containerID":1}]}"#,
            r#"{"type":"t","runtimeConfig":1,"z":1e3,"a":"<&>"}"#,
            r#"{"type":"t","\u212ay":1}"#,
            r#"{"type":"t","big":1e400}"#,
            "null",
            "[]",
            "{",
        ];
        let values: &[&[(&str, &str)]] = &[
            &[("name", r#""n""#), ("cniVersion", r#""1.0.0""#)],
            &[
                ("name", r#""n""#),
                ("cniVersion", r#""1.0.0""#),
                ("prevResult", r#"{"cniVersion":"1.0.0"}"#),
            ],
            &[("runtimeConfig", r#"{"a":1}"#)],
            &[("name", "5")],
            &[("prevResult", "[]")],
            &[("Type", r#""""#)],
            &[("CNIVERSION", "1")],
            &[("\u{212a}ey", "1")],
            &[("", "1")],
            &[("name", "null")],
            &[],
        ];
        for conf in confs {
            for v in values {
                let want = inject_raw(conf.as_bytes(), v)
                    .map(|p| p.bytes)
                    .map_err(|e| e.to_string());
                let got = inject_sent(conf.as_bytes(), v)
                    .map(|s| s.bytes)
                    .map_err(|e| e.to_string());
                assert_eq!(got, want, "{conf} with {v:?}");
            }
        }
    }

    /// Which values cannot fail their field's decoding (the final parse is
    /// skipped for them): strings for `name` and `cniVersion`, an object
    /// for `prevResult`, anything at a key naming no field.
    #[test]
    fn values_of_their_fields_type() {
        assert!(of_its_fields_type("name", r#""n""#));
        assert!(of_its_fields_type("cniVersion", r#""1.0.0""#));
        assert!(of_its_fields_type("prevResult", r#"{"a":1}"#));
        assert!(of_its_fields_type("runtimeConfig", "5"));
        assert!(!of_its_fields_type("name", "5"));
        assert!(!of_its_fields_type("cniVersion", "[]"));
        assert!(!of_its_fields_type("prevResult", r#""x""#));
        assert!(!of_its_fields_type("Name", r#""n""#));
        assert!(!of_its_fields_type("TYPE", r#""t""#));
        assert!(!of_its_fields_type("\u{212a}", "1"));
    }

    /// `sole`: no other member of the original is read into a set key's
    /// field (the same key but for case, or with a long s).
    #[test]
    fn a_set_key_is_sole_unless_another_reads_as_it() {
        let set = [("name", r#""n""#), ("cniVersion", r#""1.0.0""#)];
        let sole = |conf: &str| inject_sent(conf.as_bytes(), &set).unwrap().sole;
        assert!(sole(r#"{"type":"t"}"#));
        assert!(sole(r#"{"type":"t","cniVersion":"0.4.0","name":"old"}"#));
        assert!(!sole(r#"{"type":"t","cniversion":"0.4.0"}"#));
        assert!(!sole(r#"{"type":"t","CNIVERSION":"0.4.0"}"#));
        assert!(!sole(r#"{"type":"t","cniver\u017fion":"0.4.0"}"#));
        assert!(!sole(r#"{"type":"t","Name":"x"}"#));
    }

    #[test]
    fn floats_print_like_go() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (1e-6, "0.000001"),
            (9.99e-7, "9.99e-7"),
            (1e-7, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (5e-324, "5e-324"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e21, "1e+21"),
            (-1.2345e22, "-1.2345e+22"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (12345678901234567890.0, "12345678901234567000"),
            (9007199254740993.0, "9007199254740992"),
            (0.000001234, "0.000001234"),
            (100.0, "100"),
            (1e100, "1e+100"),
            (2.5e-100, "2.5e-100"),
        ];
        for (f, want) in cases {
            assert_eq!(go_float(*f), *want, "{f:?}");
        }
    }

    #[test]
    fn numbers_are_read_as_float64() {
        assert_eq!(to_float("1e400"), f64::INFINITY);
        assert_eq!(to_float("-1e400"), f64::NEG_INFINITY);
        assert_eq!(to_float("1e-400"), 0.0);
        let doc = gojson::parse(br#"{"a":[1,{"b":1e999}],"c":-2e400}"#).unwrap();
        assert_eq!(first_out_of_range(&doc), Some("1e999"));
    }

    #[test]
    fn maps_marshal_like_go() {
        let doc = gojson::parse(
            "{\"b\":1,\"a\":{\"z\":[1.50,\"<&>\"],\"y\":null},\"b\":2e0,\"\u{e9}\":true}"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            marshal(&doc),
            "{\"a\":{\"y\":null,\"z\":[1.5,\"\\u003c\\u0026\\u003e\"]},\"b\":2,\"\u{e9}\":true}"
        );
    }

    #[test]
    fn inject_raw_inserts_go_text_verbatim() {
        let orig = br#"{"type":"bridge","name":"old","n":1.0}"#;
        let prev = r#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}],"dns":{}}"#;
        let name = marshal_str("net<1>");
        let got = inject_raw(
            orig,
            &[
                ("name", &name),
                ("prevResult", prev),
                ("x", "1"),
                ("x", "2"),
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(got.bytes.clone()).unwrap(),
            format!(
                r#"{{"n":1,"name":"net\u003c1\u003e","prevResult":{prev},"type":"bridge","x":2}}"#
            )
        );
        assert_eq!(got.network.name, "net<1>");
        // A second call re-reads what the first printed, as upstream's
        // second InjectConf does.
        let again = inject_raw(&got.bytes, &[("runtimeConfig", r#"{"b":1,"a":2}"#)]).unwrap();
        assert!(again
            .bytes
            .ends_with(br#""runtimeConfig":{"b":1,"a":2},"type":"bridge","x":2}"#));
        let reread = inject_raw(&again.bytes, &[]).unwrap();
        assert!(reread
            .bytes
            .ends_with(br#""runtimeConfig":{"a":2,"b":1},"type":"bridge","x":2}"#));
    }

    #[test]
    fn inject_raw_refuses_like_upstream() {
        let orig = br#"{"type":"bridge"}"#;
        assert_eq!(
            inject_raw(orig, &[("", "1")]).unwrap_err(),
            Error::InvalidArgument("keys cannot be empty".into())
        );
        assert_eq!(
            inject_raw(orig, &[("prevResult", "null")]).unwrap_err(),
            Error::InvalidArgument("key 'prevResult' value must not be nil".into())
        );
        assert_eq!(
            inject_raw(b"[]", &[]).unwrap_err(),
            Error::Decode(format!(
                "unmarshal existing network bytes: json: cannot unmarshal array into Go value of type {MAP_TYPE}"
            ))
        );
    }

    #[test]
    fn serde_values_marshal_like_go() {
        let v = serde_json::json!({"b": [1, -2, 1.5, 1e21, 18446744073709551615u64], "a": "<\u{2028}>", "c": null, "d": {"z": true, "y": {}}});
        assert_eq!(
            marshal_value(&v),
            r#"{"a":"\u003c\u2028\u003e","b":[1,-2,1.5,1e+21,18446744073709551615],"c":null,"d":{"y":{},"z":true}}"#
        );
    }

    #[test]
    fn deep_documents_do_not_recurse() {
        std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(|| {
                let text = format!("{}1{}", "[".repeat(9000), "]".repeat(9000));
                let doc = gojson::parse(text.as_bytes()).unwrap();
                assert_eq!(marshal(&doc), text);
                assert_eq!(first_out_of_range(&doc), None);
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
