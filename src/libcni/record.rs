//! The content of a cache entry: upstream's `cniCacheV1` layout, byte for
//! byte as upstream Go's libcni writes it, read as its `json.Unmarshal`
//! reads it (so either library reads the other's entries), plus the legacy
//! entries of older upstream versions that hold a bare result.
//!
//! Layout (Go struct order; `netns`, `cniArgs`, `capabilityArgs`, `result`
//! left out when empty; `config` is the base64 of the configuration's
//! bytes, `null` when there are none; `result` and `capabilityArgs` are
//! written as Go writes a generic map: keys sorted, numbers as `float64`):
//!
//! ```text
//! {"kind":"cniCacheV1","containerId":"…","config":"…","ifName":"…","networkName":"…",
//!  "netns":"…","cniArgs":[["K","V"]],"capabilityArgs":{…},"result":{…}}
//! ```

use super::base64::{base64_decode, base64_encode};
use super::inject::{marshal, marshal_value};
use crate::types::{
    decode_version_parsed, parse_go_json, write_go_str, CniResult, DecodeError, GoDecoder, GoHard,
    GoJsonValue,
};
use crate::{Error, Result};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Upstream's `CNICacheV1`.
pub const CNI_CACHE_V1: &str = "cniCacheV1";

/// One decoded entry (upstream's `cachedInfo`), its result borrowing the
/// entry's text. `None` stands for Go's nil.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Record<'a> {
    pub kind: String,
    pub container_id: String,
    pub config: Option<Vec<u8>>,
    pub if_name: String,
    pub network_name: String,
    pub netns: String,
    pub cni_args: Option<Vec<(String, String)>>,
    pub capability_args: Option<Map<String, Value>>,
    /// The `result` object as read.
    pub result: Option<GoJsonValue<'a>>,
}

/// `cachedInfo`'s fields, in Go's struct order.
pub(crate) const FIELDS: [&str; 9] = [
    "kind",
    "containerId",
    "config",
    "ifName",
    "networkName",
    "netns",
    "cniArgs",
    "capabilityArgs",
    "result",
];

/// What a new entry records.
pub(crate) struct NewRecord<'a> {
    pub container_id: &'a str,
    pub config: &'a [u8],
    pub if_name: &'a str,
    pub network_name: &'a str,
    pub netns: &'a str,
    pub cni_args: &'a [(String, String)],
    pub capability_args: &'a Map<String, Value>,
    pub result: Option<&'a CniResult>,
}

impl NewRecord<'_> {
    /// The entry's bytes, as upstream's `json.Marshal(&cachedInfo)`.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = String::with_capacity(256 + self.config.len() * 4 / 3);
        out.push_str(r#"{"kind":"#);
        write_go_str(&mut out, CNI_CACHE_V1);
        out.push_str(r#","containerId":"#);
        write_go_str(&mut out, self.container_id);
        out.push_str(r#","config":"#);
        // Upstream caches a list's or plugin's bytes, never nil in practice;
        // an empty slice is still `""`, as Go writes a non-nil empty slice.
        out.push('"');
        base64_encode(self.config, &mut out);
        out.push('"');
        out.push_str(r#","ifName":"#);
        write_go_str(&mut out, self.if_name);
        out.push_str(r#","networkName":"#);
        write_go_str(&mut out, self.network_name);
        if !self.netns.is_empty() {
            out.push_str(r#","netns":"#);
            write_go_str(&mut out, self.netns);
        }
        if !self.cni_args.is_empty() {
            out.push_str(r#","cniArgs":["#);
            for (i, (k, v)) in self.cni_args.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('[');
                write_go_str(&mut out, k);
                out.push(',');
                write_go_str(&mut out, v);
                out.push(']');
            }
            out.push(']');
        }
        if !self.capability_args.is_empty() {
            out.push_str(r#","capabilityArgs":"#);
            out.push_str(&marshal_value(&Value::Object(self.capability_args.clone())));
        }
        if let Some(result) = self.result {
            if let Some(text) = result_as_map(result) {
                out.push_str(r#","result":"#);
                out.push_str(&text);
            }
        }
        out.push('}');
        out.into_bytes()
    }
}

/// A result as upstream caches it, round-tripped through a generic map
/// (keys sorted, numbers through `float64`); `None` for an empty map, which
/// the entry leaves out. A 1.x result is printed that way already.
fn result_as_map(result: &CniResult) -> Option<String> {
    let json = result.to_json();
    if matches!(result, CniResult::V100(_)) {
        return (json != "{}").then_some(json);
    }
    let parsed = parse_go_json(json.as_bytes());
    match parsed {
        Ok(v @ GoJsonValue::Object(_)) => {
            let empty = matches!(&v, GoJsonValue::Object(m) if m.is_empty());
            (!empty).then(|| marshal(&v))
        }
        _ => None,
    }
}

impl<'a> Record<'a> {
    /// Decode an entry as upstream's `json.Unmarshal` into `cachedInfo`;
    /// the error is Go's text. Texts are copied only where the record
    /// keeps them as strings of its own.
    pub(crate) fn decode(bytes: &'a [u8]) -> std::result::Result<Record<'a>, String> {
        let v = parse_go_json(bytes)?;
        GoDecoder::run(&v, |d, v, out: &mut Record| {
            d.object(v, "cachedInfo", "libcni.cachedInfo", &FIELDS, |d, f, v| {
                decode_field(d, f, v, out)
            })
        })
        .map_err(|e| e.to_string())
    }

    /// The cached result, in `cni_version` (upstream `getCachedResult`
    /// after the entry was read as a `cniCacheV1` one).
    pub(crate) fn result_as(&self, cni_version: &str) -> Result<CniResult> {
        let raw = match &self.result {
            None => Cow::Owned(GoJsonValue::Null),
            Some(v) if has_duplicate_keys(v) => Cow::Owned(dedup(v)),
            Some(v) => Cow::Borrowed(v),
        };
        let version = decode_version_parsed(&raw)?;
        let result = CniResult::create_parsed(&version, &raw)?;
        convert_cached(&result, cni_version)
    }
}

/// A legacy entry: the bare result (upstream `getLegacyCachedResult`).
pub(crate) fn legacy_result_as(bytes: &[u8], cni_version: &str) -> Result<CniResult> {
    let result = CniResult::from_json(bytes)?;
    convert_cached(&result, cni_version)
}

pub(crate) fn convert_cached(result: &CniResult, cni_version: &str) -> Result<CniResult> {
    result.convert_to(cni_version).map_err(|e| {
        Error::wrap(
            format!(
                "failed to convert cached result to config version {}",
                crate::types::go_quote(cni_version)
            ),
            e,
        )
    })
}

/// Whether an object of `v`, at any depth, has a key twice.
fn has_duplicate_keys(v: &GoJsonValue) -> bool {
    let mut pending = vec![v];
    while let Some(v) = pending.pop() {
        match v {
            GoJsonValue::Object(members) => {
                let twice = if members.len() <= 16 {
                    let before = |i: usize, k: &str| members[..i].iter().any(|(s, _)| s == k);
                    members.iter().enumerate().any(|(i, (k, _))| before(i, k))
                } else {
                    let mut seen = std::collections::HashSet::with_capacity(members.len());
                    !members.iter().all(|(k, _)| seen.insert(&**k))
                };
                if twice {
                    return true;
                }
                pending.extend(members.iter().map(|(_, v)| v));
            }
            GoJsonValue::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    false
}

/// A Go map keeps the last of duplicate keys (recursively, as every nested
/// object was a map too).
fn dedup<'a>(v: &GoJsonValue<'a>) -> GoJsonValue<'a> {
    match v {
        GoJsonValue::Object(members) => {
            let mut out: Vec<(Cow<'a, str>, GoJsonValue<'a>)> = Vec::with_capacity(members.len());
            for (k, v) in members {
                let v = dedup(v);
                match out.iter_mut().find(|(key, _)| key == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k.clone(), v)),
                }
            }
            GoJsonValue::Object(out)
        }
        GoJsonValue::Array(items) => GoJsonValue::Array(items.iter().map(dedup).collect()),
        other => other.clone(),
    }
}

fn decode_field<'a>(
    d: &mut GoDecoder,
    f: &str,
    v: &GoJsonValue<'a>,
    out: &mut Record<'a>,
) -> GoHard {
    match f {
        "kind" => d.string(v, &mut out.kind),
        "containerId" => d.string(v, &mut out.container_id),
        "ifName" => d.string(v, &mut out.if_name),
        "networkName" => d.string(v, &mut out.network_name),
        "netns" => d.string(v, &mut out.netns),
        "config" => match v {
            GoJsonValue::Null => out.config = None,
            GoJsonValue::String(s) => match base64_decode(s.as_bytes()) {
                Ok(b) => out.config = Some(b),
                Err(e) => d.save_error(DecodeError::Other(e)),
            },
            other => d.type_error(other, "[]uint8"),
        },
        "cniArgs" => match v {
            GoJsonValue::Null => out.cni_args = None,
            GoJsonValue::Array(_) => {
                let mut pairs = out.cni_args.take().unwrap_or_default();
                d.slice(v, "[][2]string", &mut pairs, |d, item, pair| {
                    decode_pair(d, item, pair);
                    Ok(())
                })?;
                out.cni_args = Some(pairs);
            }
            other => d.type_error(other, "[][2]string"),
        },
        "capabilityArgs" => match v {
            GoJsonValue::Null => out.capability_args = None,
            GoJsonValue::Object(members) => {
                let map = out.capability_args.get_or_insert_with(Map::new);
                for (k, v) in members {
                    map.insert(k.to_string(), to_serde(v));
                }
            }
            other => d.type_error(other, "map[string]interface {}"),
        },
        "result" => match v {
            GoJsonValue::Null => out.result = None,
            GoJsonValue::Object(_) => {
                // Decoding into an existing map merges; the last wins.
                let mut merged = match &mut out.result {
                    Some(GoJsonValue::Object(m)) => std::mem::take(m),
                    _ => Vec::new(),
                };
                if let GoJsonValue::Object(m) = v {
                    merged.extend(m.iter().cloned());
                }
                out.result = Some(GoJsonValue::Object(merged));
            }
            other => d.type_error(other, "map[string]interface {}"),
        },
        _ => {}
    }
    Ok(())
}

/// A Go `[2]string`: extra elements are dropped, missing ones stay empty.
fn decode_pair(d: &mut GoDecoder, v: &GoJsonValue, pair: &mut (String, String)) {
    match v {
        GoJsonValue::Array(items) => {
            if let Some(k) = items.first() {
                d.string(k, &mut pair.0);
            }
            if let Some(val) = items.get(1) {
                d.string(val, &mut pair.1);
            }
        }
        GoJsonValue::Null => {}
        other => d.type_error(other, "[2]string"),
    }
}

/// A value decoded into Go's `interface{}` (numbers become `float64`),
/// as a `serde_json::Value`.
pub(crate) fn to_serde(v: &GoJsonValue) -> Value {
    match v {
        GoJsonValue::Null => Value::Null,
        GoJsonValue::Bool(b) => Value::Bool(*b),
        GoJsonValue::Number(lit) => number(lit),
        GoJsonValue::String(s) => Value::String(s.to_string()),
        GoJsonValue::Array(items) => Value::Array(items.iter().map(to_serde).collect()),
        GoJsonValue::Object(members) => {
            let mut m = Map::new();
            for (k, v) in members {
                m.insert(k.to_string(), to_serde(v));
            }
            Value::Object(m)
        }
    }
}

/// A number as Go's `float64`; integral values that a `float64` holds
/// exactly stay integers (they print the same either way).
fn number(lit: &str) -> Value {
    const EXACT: f64 = 9007199254740992.0; // 2^53
    let Ok(f) = lit.parse::<f64>() else {
        return Value::Null;
    };
    if f.fract() == 0.0 && f.abs() <= EXACT && !(f == 0.0 && f.is_sign_negative()) {
        return Value::from(f as i64);
    }
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A result is cached as its JSON read into a map and marshalled
    /// again; a 1.x result's own JSON is that already, whatever it holds.
    #[test]
    fn a_result_is_cached_in_its_map_form() {
        let results = [
            r#"{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","mtu":1500,"sandbox":"/ns","socketPath":"/s","pciID":"0000:00:01.0"},{"name":"lo"}],
               "ips":[{"interface":0,"address":"10.0.0.2/24","gateway":"10.0.0.1"},{"address":"2001:db8::2/64"}],
               "routes":[{"dst":"0.0.0.0/0","gw":"10.0.0.1","mtu":9000,"advmss":1460,"priority":100,"table":254,"scope":0},{"dst":"::/0"}],
               "dns":{"nameservers":["10.0.0.53"],"domain":"d<&>","search":["a","b"],"options":["ndots:5"]}}"#,
            r#"{"cniVersion":"1.0.0"}"#,
            r#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","interface":12345678901}],"dns":{}}"#,
            r#"{"cniVersion":"0.4.0","interfaces":[{"name":"e","mac":"m"}],"ips":[{"version":"4","address":"10.0.0.2/24","interface":0}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{"domain":"x"}}"#,
            r#"{"cniVersion":"0.3.1","ips":[{"version":"6","address":"::1/128"}]}"#,
            r#"{"cniVersion":"0.2.0","ip4":{"ip":"10.0.0.2/24","gateway":"10.0.0.1","routes":[{"dst":"0.0.0.0/0"}]},"dns":{}}"#,
        ];
        for text in results {
            let result = CniResult::from_json(text.as_bytes()).unwrap();
            let json = result.to_json();
            let v = parse_go_json(json.as_bytes()).unwrap();
            assert_eq!(result_as_map(&result), Some(marshal(&v)), "{text}");
        }
    }

    /// Keys twice are found at any depth, in small and large objects.
    #[test]
    fn duplicate_keys_are_found_at_any_depth() {
        let dups = |s: &str| has_duplicate_keys(&parse_go_json(s.as_bytes()).unwrap());
        assert!(!dups(r#"{"a":{"b":1,"c":[{"d":1,"e":2}]}}"#));
        assert!(dups(r#"{"a":{"b":1,"c":[{"d":1,"d":2}]}}"#));
        assert!(dups(r#"{"a":1,"b":2,"a":3}"#));
        let big: Vec<String> = (0..40).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let doc = format!("{{{}}}", big.join(","));
        assert!(!dups(&doc));
        let doc = format!(r#"{{{},"k7":0}}"#, big.join(","));
        assert!(dups(&doc));
    }

    /// A cached result with a key twice is read as the map upstream holds
    /// (the last value of each key), so a wrong first value does not fail
    /// the typed decode; without duplicates it is read as it is.
    #[test]
    fn a_cached_result_with_a_key_twice_reads_as_its_map() {
        let entry = |result: &str| {
            format!(
                r#"{{"kind":"cniCacheV1","containerId":"c","config":"e30=","ifName":"eth0","networkName":"n","result":{result}}}"#
            )
        };
        let read =
            |text: &str, version: &str| Record::decode(text.as_bytes()).unwrap().result_as(version);
        let twice = entry(
            r#"{"cniVersion":"1.0.0","ips":5,"ips":[{"address":"10.0.0.2/24"}],"dns":{"domain":1,"domain":"d"}}"#,
        );
        let r = read(&twice, "1.0.0").unwrap();
        assert!(r.to_json().contains("10.0.0.2/24"), "{}", r.to_json());
        assert!(r.to_json().contains(r#""domain":"d""#), "{}", r.to_json());
        let once = entry(r#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}]}"#);
        assert_eq!(read(&once, "1.0.0").unwrap(), {
            let bare = br#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}]}"#;
            CniResult::from_json(bare).unwrap()
        });
        let bad = entry(r#"{"cniVersion":"1.0.0","ips":5}"#);
        assert!(read(&bad, "1.0.0").is_err());
    }

    #[test]
    fn decodes_as_go_does() {
        let r = Record::decode(
            br#"{"kind":"cniCacheV1","containerId":"c","config":"e30=","ifName":"eth0",
                "networkName":"n","cniArgs":[["A","1","x"],["B"]],"capabilityArgs":{"m":1},
                "Result":{"cniVersion":"1.0.0"},"result":{"ips":[]}}"#,
        )
        .unwrap();
        assert_eq!(r.config.as_deref(), Some(&b"{}"[..]));
        assert_eq!(
            r.cni_args,
            Some(vec![("A".into(), "1".into()), ("B".into(), String::new())])
        );
        // "Result" matches case-insensitively and the two merge.
        assert_eq!(r.result_as("1.0.0").unwrap().cni_version(), "1.0.0");
        let keys: Vec<&str> = match &r.result {
            Some(GoJsonValue::Object(m)) => m.iter().map(|(k, _)| &**k).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(keys, ["cniVersion", "ips"]);
        assert_eq!(
            Record::decode(br#"{"kind":1}"#).unwrap_err(),
            "json: cannot unmarshal number into Go struct field cachedInfo.kind of type string"
        );
        assert_eq!(
            Record::decode(b"").unwrap_err(),
            "unexpected end of JSON input"
        );
    }

    #[test]
    fn cni_args_pairs_are_comma_separated() {
        let args = vec![("A".to_string(), "1".to_string()), ("B".into(), "2".into())];
        let caps = Map::new();
        let rec = NewRecord {
            container_id: "c",
            config: b"{}",
            if_name: "eth0",
            network_name: "n",
            netns: "",
            cni_args: &args,
            capability_args: &caps,
            result: None,
        };
        let text = String::from_utf8(rec.encode()).unwrap();
        assert!(
            text.contains(r#","cniArgs":[["A","1"],["B","2"]]"#),
            "{text}"
        );
        assert_eq!(
            Record::decode(text.as_bytes()).unwrap().cni_args,
            Some(args)
        );
    }

    /// Numbers as Go's float64 holds them: integral ones that it holds
    /// exactly print as integers, others (and -0) as floats.
    #[test]
    fn numbers_as_go_float64() {
        for (lit, want) in [
            ("1", serde_json::json!(1)),
            ("-5", serde_json::json!(-5)),
            ("1e3", serde_json::json!(1000)),
            ("1.5", serde_json::json!(1.5)),
            ("9007199254740992", serde_json::json!(9007199254740992_i64)),
            ("1e300", serde_json::json!(1e300)),
            ("-0", serde_json::json!(-0.0)),
        ] {
            let got = number(lit);
            assert_eq!(got, want, "{lit}");
            assert_eq!(got.is_i64(), want.is_i64(), "{lit}");
        }
    }
}
