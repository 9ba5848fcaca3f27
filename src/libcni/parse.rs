//! Parsing plugin configurations and configuration lists from bytes
//! (upstream `NetworkPluginConfFromBytes`, `NetworkConfFromBytes`,
//! `ConfListFromConf`), with upstream's error texts word for word.

use std::collections::BTreeMap;

use super::inject::{decode_map, first_out_of_range, marshal, marshal_entries, marshal_str};
use super::inject::{Entry, MAP_TYPE};
use super::{NetworkConfigList, PluginConf, PluginConfig};
use crate::types::common::decode_dns;
use crate::types::decode::{Decoder, Hard};
use crate::types::gojson::{self, Value};
use crate::types::{go_quote, Dns};
use crate::version::{current, greater_than};
use crate::{Error, Result};

/// Upstream `NetworkPluginConfFromBytes`: one plugin's configuration.
pub fn network_plugin_conf_from_bytes(bytes: &[u8]) -> Result<PluginConfig> {
    let fail = |e: String| Error::Decode(format!("error parsing configuration: {e}"));
    let doc = gojson::parse(bytes).map_err(fail)?;
    let network = Decoder::run(&doc, decode_plugin_conf).map_err(|e| fail(e.to_string()))?;
    if network.type_.is_empty() {
        return Err(fail("missing 'type'".into()));
    }
    Ok(PluginConfig {
        network,
        bytes: bytes.to_vec(),
    })
}

/// Whether `doc` (a parsed document) decodes as a plugin configuration,
/// as [`network_plugin_conf_from_bytes`] would decode its bytes.
pub(crate) fn plugin_conf_decodes(doc: &Value) -> bool {
    Decoder::run(doc, decode_plugin_conf).is_ok_and(|network| !network.type_.is_empty())
}

/// Upstream's deprecated name for [`network_plugin_conf_from_bytes`].
pub fn conf_from_bytes(bytes: &[u8]) -> Result<PluginConfig> {
    network_plugin_conf_from_bytes(bytes)
}

/// Every field Go decodes into `types.PluginConf`. Only the four kept
/// matter afterwards, but the others can fail decoding, so they are
/// decoded too.
#[derive(Default)]
struct FullPluginConf {
    kept: PluginConf,
    ipam_type: String,
    dns: Dns,
    /// `cni.dev/valid-attachments`, decoded for its errors only.
    attachments: Vec<(String, String)>,
}

/// The fields of Go's `types.PluginConf` (its JSON names).
pub(crate) const PLUGIN_CONF_FIELDS: &[&str] = &[
    "cniVersion",
    "name",
    "type",
    "capabilities",
    "ipam",
    "dns",
    "prevResult",
    "cni.dev/valid-attachments",
];

fn decode_plugin_conf(d: &mut Decoder, v: &Value, out: &mut PluginConf) -> Hard {
    // `out` is fresh (Decoder::run decodes into a default value).
    let mut full = FullPluginConf::default();
    let r = d.object(
        v,
        "PluginConf",
        "types.PluginConf",
        PLUGIN_CONF_FIELDS,
        |d, f, v| plugin_conf_field(d, f, v, &mut full),
    );
    *out = full.kept;
    r
}

fn plugin_conf_field(d: &mut Decoder, field: &str, v: &Value, out: &mut FullPluginConf) -> Hard {
    match field {
        "cniVersion" => d.string(v, &mut out.kept.cni_version),
        "name" => d.string(v, &mut out.kept.name),
        "type" => d.string(v, &mut out.kept.type_),
        "capabilities" => decode_bool_map(d, v, &mut out.kept.capabilities),
        "ipam" => {
            let ipam_type = &mut out.ipam_type;
            d.object(v, "IPAM", "types.IPAM", &["type"], |d, _, v| {
                d.string(v, ipam_type);
                Ok(())
            })?
        }
        "dns" => decode_dns(d, v, &mut out.dns)?,
        "prevResult" => decode_interface_map(d, v),
        _ => d.slice(
            v,
            "[]types.GCAttachment",
            &mut out.attachments,
            // Decoded for its errors only: both members are strings.
            |d, v, (text, _)| {
                d.object(
                    v,
                    "GCAttachment",
                    "types.GCAttachment",
                    &["containerID", "ifname"],
                    |d, _, v| {
                        d.string(v, &mut *text);
                        Ok(())
                    },
                )
            },
        )?,
    }
    Ok(())
}

/// A Go `map[string]bool` field: objects merge into what is there, `null`
/// empties it.
fn decode_bool_map(d: &mut Decoder, v: &Value, out: &mut BTreeMap<String, bool>) {
    match v {
        Value::Object(members) => {
            for (k, v) in members {
                let mut b = false;
                match v {
                    Value::Bool(x) => b = *x,
                    Value::Null => {}
                    other => d.type_error(other, "bool"),
                }
                out.insert(k.to_string(), b);
            }
        }
        Value::Null => out.clear(),
        other => d.type_error(other, "map[string]bool"),
    }
}

/// A Go `map[string]interface{}` field: only its type and its numbers'
/// range can fail.
fn decode_interface_map(d: &mut Decoder, v: &Value) {
    match v {
        Value::Object(_) => {
            if let Some(lit) = first_out_of_range(v) {
                d.type_error_value(format!("number {lit}"), "float64");
            }
        }
        Value::Null => {}
        other => d.type_error(other, MAP_TYPE),
    }
}

/// Go's `%T` of a value decoded into an `interface{}`.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => MAP_TYPE,
    }
}

/// A configuration list's top-level members, last duplicate winning.
struct RawList<'a> {
    members: BTreeMap<&'a str, &'a Value<'a>>,
}

impl<'a> RawList<'a> {
    fn new(doc: &'a Value) -> Self {
        let mut members = BTreeMap::new();
        if let Value::Object(m) = doc {
            for (k, v) in m {
                members.insert(&**k, v);
            }
        }
        RawList { members }
    }

    fn get(&self, key: &str) -> Option<&'a Value<'a>> {
        self.members.get(key).copied()
    }
}

fn list_error(msg: impl std::fmt::Display) -> Error {
    Error::Decode(format!("error parsing configuration list: {msg}"))
}

/// Upstream `NetworkConfFromBytes`: a configuration list, with the plugins
/// it inlines (sub-plugin files are the file loader's business).
///
/// ```
/// let list = cniinvoke::libcni::network_conf_from_bytes(
///     br#"{"cniVersion":"1.1.0","name":"mynet","plugins":[{"type":"bridge"},{"type":"tuning"}]}"#,
/// )?;
/// assert_eq!(list.name, "mynet");
/// let types: Vec<&str> = list.plugins.iter().map(|p| p.network.type_.as_str()).collect();
/// assert_eq!(types, ["bridge", "tuning"]);
///
/// let err = cniinvoke::libcni::network_conf_from_bytes(br#"{"plugins":[]}"#).unwrap_err();
/// assert_eq!(err.to_string(), "error parsing configuration list: no name");
/// # Ok::<(), cniinvoke::Error>(())
/// ```
pub fn network_conf_from_bytes(bytes: &[u8]) -> Result<NetworkConfigList> {
    let doc = decode_map(bytes).map_err(list_error)?;
    let raw = RawList::new(&doc);
    let name = match raw.get("name") {
        None => return Err(list_error("no name")),
        Some(Value::String(s)) => s.to_string(),
        Some(other) => return Err(list_error(format!("invalid name type {}", go_type(other)))),
    };
    let mut cni_version = match raw.get("cniVersion") {
        None => String::new(),
        Some(Value::String(s)) => s.to_string(),
        Some(other) => {
            return Err(list_error(format!(
                "invalid cniVersion type {}",
                go_type(other)
            )))
        }
    };
    if let Some(versions) = raw.get("cniVersions") {
        if let Some(v) = pick_version(versions, &cni_version)? {
            cni_version = v;
        }
    }
    let disable_check = read_bool(&raw, "disableCheck")?;
    let disable_gc = read_bool(&raw, "disableGC")?;
    let load_only_inlined_plugins = read_bool(&raw, "loadOnlyInlinedPlugins")?;
    let mut list = NetworkConfigList {
        name,
        cni_version,
        disable_check,
        disable_gc,
        load_only_inlined_plugins,
        plugins: Vec::new(),
        bytes: bytes.to_vec(),
    };
    let plugins = match raw.get("plugins") {
        None if load_only_inlined_plugins => {
            return Err(list_error(
                "`loadOnlyInlinedPlugins` is true, and no 'plugins' key",
            ))
        }
        None => return Ok(list),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(list_error(format!(
                "invalid 'plugins' type {}",
                go_type(other)
            )))
        }
    };
    if plugins.is_empty() {
        return Err(list_error("no plugins in list"));
    }
    for (i, plugin) in plugins.iter().enumerate() {
        let conf = conf_from_bytes(marshal(plugin).as_bytes())
            .map_err(|e| Error::Decode(format!("failed to parse plugin config {i}: {e}")))?;
        list.plugins.push(conf);
    }
    Ok(list)
}

/// Upstream's other name for [`network_conf_from_bytes`].
pub fn conf_list_from_bytes(bytes: &[u8]) -> Result<NetworkConfigList> {
    network_conf_from_bytes(bytes)
}

/// `cniVersions`: the highest listed version (or `cni_version`) that this
/// library supports, `None` when none is.
fn pick_version(versions: &Value, cni_version: &str) -> Result<Option<String>> {
    let Value::Array(items) = versions else {
        // Upstream prints the type of the failed conversion's result.
        return Err(list_error("invalid type for cniVersions: []interface {}"));
    };
    let mut candidates = Vec::with_capacity(items.len() + 1);
    for (i, item) in items.iter().enumerate() {
        let Value::String(v) = item else {
            return Err(list_error(format!(
                "invalid type for cniVersions index {i}: {}",
                go_type(item)
            )));
        };
        let newer = greater_than(v, current())
            .map_err(|e| list_error(format!("invalid cniVersions entry {v} at index {i}: {e}")))?;
        if !newer {
            candidates.push(&**v);
        }
    }
    if !cni_version.is_empty() {
        let newer = greater_than(cni_version, current())
            .map_err(|e| list_error(format!("invalid cniVersion {cni_version}: {e}")))?;
        if !newer {
            candidates.push(cni_version);
        }
    }
    sort_versions(&mut candidates);
    Ok(candidates.last().map(|v| v.to_string()))
}

/// Sort versions oldest first as upstream does: with Go's insertion sort
/// (what `slices.SortFunc` runs on up to 12 elements) and a comparison that
/// calls distinct strings of the same version "less" both ways, so that
/// which of `1.0` and `1.0.0` ends up last is upstream's pick too. (On
/// longer lists Go switches to pdqsort; the highest version still ends up
/// last, only ties between spellings may differ.)
fn sort_versions(vs: &mut [&str]) {
    let less = |a: &str, b: &str| a != b && !greater_than(a, b).unwrap_or(false);
    for i in 1..vs.len() {
        let mut j = i;
        while j > 0 && less(vs[j], vs[j - 1]) {
            vs.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// A boolean flag of the list: JSON `true`/`false`, or a string that is
/// `true` or `false` in any case.
fn read_bool(raw: &RawList<'_>, key: &str) -> Result<bool> {
    match raw.get(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) => {
            let lower = go_to_lower(s);
            match lower.as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(list_error(format!(
                    "invalid value {} for {key}",
                    go_quote(&lower)
                ))),
            }
        }
        Some(other) => Err(list_error(format!(
            "invalid type {} for {key}",
            go_type(other)
        ))),
    }
}

/// Go's `strings.ToLower`: rune by rune, without Rust's context rules
/// (final sigma) or multi-rune expansions (U+0130 becomes plain `i`).
fn go_to_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{130}' => 'i',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect()
}

/// Upstream `ConfListFromConf`: a list holding one plugin configuration,
/// named and versioned after `original`'s parsed fields.
pub fn conf_list_from_conf(original: &PluginConfig) -> Result<NetworkConfigList> {
    let doc = decode_map(&original.bytes).map_err(Error::Decode)?;
    let plugin = marshal(&doc);
    let name = marshal_str(&original.network.name);
    let version = marshal_str(&original.network.cni_version);
    let plugins = format!("[{plugin}]");
    let mut entries = BTreeMap::new();
    entries.insert("name", Entry::Raw(&name));
    entries.insert("cniVersion", Entry::Raw(&version));
    entries.insert("plugins", Entry::Raw(&plugins));
    conf_list_from_bytes(marshal_entries(&entries).as_bytes())
}

#[cfg(test)]
mod tests {
    /// A parsed document decodes as a plugin configuration exactly when
    /// its bytes would.
    #[test]
    fn a_document_decodes_as_its_bytes_do() {
        for conf in [
            r#"{"type":"t"}"#,
            r#"{"type":"t","capabilities":{"a":true},"dns":{"nameservers":["x"]}}"#,
            r#"{"type":""}"#,
            r#"{"name":"n"}"#,
            r#"{"type":5}"#,
            r#"{"type":"t","capabilities":{"a":1}}"#,
            r#"{"type":"t","ipam":{"type":[]}}"#,
            "[]",
            "null",
        ] {
            let doc = gojson::parse(conf.as_bytes()).unwrap();
            let bytes_decode = network_plugin_conf_from_bytes(conf.as_bytes()).is_ok();
            assert_eq!(plugin_conf_decodes(&doc), bytes_decode, "{conf}");
        }
    }

    use super::*;

    #[test]
    fn lower_case_like_go() {
        assert_eq!(go_to_lower("TRUE"), "true");
        assert_eq!(go_to_lower("\u{130}"), "i");
        assert_eq!(go_to_lower("ΣΑΣ"), "σασ");
    }

    #[test]
    fn version_ties_resolve_like_go_insertion_sort() {
        let mut vs = vec!["1.0", "0.4.0", "1.0.0"];
        sort_versions(&mut vs);
        assert_eq!(vs, ["0.4.0", "1.0.0", "1.0"]);
    }
}
