//! The configuration each plugin of a list is sent (upstream
//! `buildOneConfig` and `injectRuntimeConfig`), byte for byte as upstream.
//!
//! Upstream injects through `InjectConf`, which decodes the plugin's bytes
//! into a generic map, sets the new keys and encodes the map again (keys
//! sorted). `prevResult` is set as the result value itself, so the first
//! injection writes it in the result's own field order; when a
//! `runtimeConfig` follows, the second `InjectConf` decodes that into a map
//! too and `prevResult` comes out with sorted keys. Both steps are
//! reproduced here.

use super::super::api::RuntimeConf;
use super::super::conf::PluginConfig;
use super::super::gowrite;
use super::super::record::to_serde;
use crate::types::{parse_go_json, write_go_str, CniResult, GoJsonValue};
use crate::{Error, Result};
use serde_json::{Map, Value};

/// A value to inject.
pub(crate) enum Fragment<'a> {
    /// Encoded as Go encodes a generic value.
    Value(Value),
    /// Already encoded JSON, inserted as it is.
    Raw(&'a str),
}

/// Upstream `InjectConf` on bytes: decode `original` as a Go map, set
/// `values`, encode the map.
pub(crate) fn inject(original: &[u8], values: Vec<(&str, Fragment<'_>)>) -> Result<Vec<u8>> {
    let mut parsed = parse_go_json(original).map_err(Error::Decode)?;
    let members = match &mut parsed {
        GoJsonValue::Object(m) => std::mem::take(m),
        GoJsonValue::Null => Vec::new(),
        other => {
            return Err(Error::Decode(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                other.kind()
            )))
        }
    };
    let mut entries: Vec<(String, Fragment<'_>)> = Vec::with_capacity(members.len() + values.len());
    for (k, v) in &members {
        set(&mut entries, k.clone(), Fragment::Value(to_serde(v)));
    }
    for (k, f) in values {
        if k.is_empty() {
            return Err(Error::InvalidArgument("keys cannot be empty".into()));
        }
        set(&mut entries, k.to_string(), f);
    }
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::with_capacity(original.len() + 64);
    out.push('{');
    for (i, (k, f)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_go_str(&mut out, k);
        out.push(':');
        match f {
            Fragment::Value(v) => gowrite::write_value(&mut out, v),
            Fragment::Raw(raw) => out.push_str(raw),
        }
    }
    out.push('}');
    Ok(out.into_bytes())
}

/// A Go map assignment: replace the value of `k` or add it.
fn set<'a>(entries: &mut Vec<(String, Fragment<'a>)>, k: String, f: Fragment<'a>) {
    match entries.iter_mut().find(|(key, _)| *key == k) {
        Some(slot) => slot.1 = f,
        None => entries.push((k, f)),
    }
}

/// The bytes `plugin` is sent: `name`, `cniVersion` and `prevResult`
/// injected, then `runtimeConfig` = the capability arguments of `rt` that
/// the plugin declares (enabled) in its `capabilities`, if any.
pub(crate) fn build_one_config(
    name: &str,
    cni_version: &str,
    plugin: &PluginConfig,
    prev_result: Option<&CniResult>,
    rt: Option<&RuntimeConf>,
) -> Result<Vec<u8>> {
    let prev_json = prev_result.map(CniResult::to_json);
    let mut values = vec![
        ("name", Fragment::Value(Value::String(name.into()))),
        (
            "cniVersion",
            Fragment::Value(Value::String(cni_version.into())),
        ),
    ];
    if let Some(prev) = &prev_json {
        values.push(("prevResult", Fragment::Raw(prev)));
    }
    let bytes = inject(&plugin.bytes, values)?;
    let Some(rt) = rt else {
        return Ok(bytes);
    };
    let runtime_config: Map<String, Value> = plugin
        .network
        .capabilities
        .iter()
        .filter(|(_, enabled)| **enabled)
        .filter_map(|(cap, _)| {
            rt.capability_args
                .get(cap)
                .map(|v| (cap.clone(), v.clone()))
        })
        .collect();
    if runtime_config.is_empty() {
        return Ok(bytes);
    }
    inject(
        &bytes,
        vec![(
            "runtimeConfig",
            Fragment::Value(Value::Object(runtime_config)),
        )],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::libcni::conf::PluginConf;

    fn plugin(bytes: &str, caps: &[(&str, bool)]) -> PluginConfig {
        PluginConfig {
            network: PluginConf {
                capabilities: caps.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                ..PluginConf::default()
            },
            bytes: bytes.as_bytes().to_vec(),
        }
    }

    #[test]
    fn injects_as_upstream() {
        let p = plugin(r#"{"type":"t","z":1.0,"a":"<","type":"u"}"#, &[]);
        let out = build_one_config("net", "1.0.0", &p, None, None).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":"\u003c","cniVersion":"1.0.0","name":"net","type":"u","z":1}"#
        );
    }

    #[test]
    fn runtime_config_only_for_declared_capabilities() {
        let p = plugin(
            r#"{"type":"t"}"#,
            &[("portMappings", true), ("bandwidth", false)],
        );
        let rt = RuntimeConf {
            capability_args: serde_json::from_str(
                r#"{"portMappings":[{"hostPort":80}],"bandwidth":{},"other":1}"#,
            )
            .unwrap(),
            ..RuntimeConf::default()
        };
        let prev = CniResult::from_json(
            br#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}],"dns":{}}"#,
        )
        .unwrap();
        let out = build_one_config("n", "1.0.0", &p, Some(&prev), Some(&rt)).unwrap();
        // prevResult went through a map: sorted keys.
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"cniVersion":"1.0.0","name":"n","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}]},"runtimeConfig":{"portMappings":[{"hostPort":80}]},"type":"t"}"#
        );
        let out = build_one_config("n", "1.0.0", &p, Some(&prev), None).unwrap();
        assert!(String::from_utf8(out).unwrap().contains(&prev.to_json()));
    }
}
