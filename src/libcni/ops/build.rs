//! The configuration each plugin of a list is sent (upstream
//! `buildOneConfig` and `injectRuntimeConfig`), byte for byte as upstream.
//!
//! Upstream injects through `InjectConf`, which decodes the plugin's bytes
//! into a generic map, sets the new keys and encodes the map again (keys
//! sorted). `prevResult` is set as the result value itself, so the first
//! injection writes it in the result's own field order; when a
//! `runtimeConfig` follows, the second `InjectConf` decodes that into a map
//! too and `prevResult` comes out with sorted keys. Both steps are
//! reproduced here, on [`inject_sent`] (`InjectConf`'s bytes).

use super::super::api::RuntimeConf;
use super::super::conf::PluginConfig;
use super::super::inject::{inject_sent, marshal_entries, marshal_str, marshal_value, Entry};
use crate::types::version_or_010;
use crate::Result;
use std::collections::BTreeMap;

/// What a plugin of a list is sent.
pub(crate) struct OneConfig {
    pub bytes: Vec<u8>,
    /// The version upstream's `decodeVersion` reads from `bytes`, when it
    /// is known without decoding them: the list's, unless the plugin's own
    /// configuration has a key that Go also reads as `cniVersion`.
    pub version: Option<String>,
}

/// The bytes `plugin` is sent: `name`, `cniVersion` and `prevResult`
/// (`prev_json`: the previous result's [`crate::types::CniResult::to_json`])
/// injected, then `runtimeConfig` = the capability arguments of `rt` that
/// the plugin declares (enabled) in its `capabilities`, if any.
pub(crate) fn build_one_config(
    name: &str,
    cni_version: &str,
    plugin: &PluginConfig,
    prev_json: Option<&str>,
    rt: Option<&RuntimeConf>,
) -> Result<OneConfig> {
    let (name, version) = (marshal_str(name), marshal_str(cni_version));
    let mut values = vec![("name", name.as_str()), ("cniVersion", version.as_str())];
    if let Some(prev) = prev_json {
        values.push(("prevResult", prev));
    }
    let sent = inject_sent(&plugin.bytes, &values)?;
    let version = sent.sole.then(|| version_or_010(cni_version.to_string()));
    let with_version = |bytes| OneConfig { bytes, version };
    let Some(rt) = rt else {
        return Ok(with_version(sent.bytes));
    };
    let bytes = sent.bytes;
    // Each declared capability's value as Go encodes it: the binding's own
    // encoding when it gave one (a Go struct keeps its field order), else
    // the decoded value's.
    let texts: Vec<(&str, String)> = plugin
        .network
        .capabilities
        .iter()
        .filter(|(_, enabled)| **enabled)
        .filter_map(|(cap, _)| {
            let text = rt
                .capability_args_go
                .get(cap)
                .cloned()
                .or_else(|| rt.capability_args.get(cap).map(marshal_value))?;
            Some((cap.as_str(), text))
        })
        .collect();
    if texts.is_empty() {
        return Ok(with_version(bytes));
    }
    let entries: BTreeMap<&str, Entry<'_>> =
        texts.iter().map(|(k, t)| (*k, Entry::Raw(t))).collect();
    let rc = marshal_entries(&entries);
    let sent = inject_sent(&bytes, &[("runtimeConfig", rc.as_str())])?;
    Ok(with_version(sent.bytes))
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
        let out = build_one_config("net", "1.0.0", &p, None, None)
            .unwrap()
            .bytes;
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
        let prev = crate::types::CniResult::from_json(
            br#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}],"dns":{}}"#,
        )
        .unwrap()
        .to_json();
        let out = build_one_config("n", "1.0.0", &p, Some(&prev), Some(&rt))
            .unwrap()
            .bytes;
        // prevResult went through a map: sorted keys.
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"cniVersion":"1.0.0","name":"n","prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}]},"runtimeConfig":{"portMappings":[{"hostPort":80}]},"type":"t"}"#
        );
        let out = build_one_config("n", "1.0.0", &p, Some(&prev), None)
            .unwrap()
            .bytes;
        assert!(String::from_utf8(out).unwrap().contains(&prev));
    }

    #[test]
    fn capability_args_encoded_by_the_binding_are_sent_as_they_are() {
        let p = plugin(r#"{"type":"t"}"#, &[("portMappings", true), ("mac", true)]);
        let rt = RuntimeConf {
            capability_args: serde_json::from_str(
                r#"{"portMappings":[{"hostPort":80,"containerPort":8080}],"mac":"m"}"#,
            )
            .unwrap(),
            capability_args_go: [(
                "portMappings".to_string(),
                r#"[{"hostPort":80,"containerPort":8080}]"#.to_string(),
            )]
            .into(),
            ..RuntimeConf::default()
        };
        let out = build_one_config("n", "1.0.0", &p, None, Some(&rt))
            .unwrap()
            .bytes;
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"cniVersion":"1.0.0","name":"n","runtimeConfig":{"mac":"m","portMappings":[{"hostPort":80,"containerPort":8080}]},"type":"t"}"#
        );
    }
}
