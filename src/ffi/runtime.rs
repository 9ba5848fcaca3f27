//! The JSON shapes of the network-list calls: the runtime conf going in;
//! cached configurations and attachments coming out.

use super::ptr::StrArg;
use crate::error::{Error, Result};
use crate::libcni::{CachedConfig, GcArgs, GcAttachment, NetworkAttachment, RuntimeConf};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::ffi::c_char;

/// `rt_json`: `{"containerId":"…","netns":"…","ifName":"eth0",
/// "args":[["K","V"]],"capabilityArgs":{…},"capabilityArgsGo":{"K":"<JSON
/// text>"},"cacheDir":"…"}`, every key optional, unknown keys refused.
/// `capabilityArgsGo` gives capability values as the caller's Go encoded
/// them, sent to plugins as they are (a value there and not in
/// `capabilityArgs` is added to it, decoded).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RuntimeConfJson {
    #[serde(default)]
    container_id: String,
    #[serde(default)]
    netns: String,
    #[serde(default)]
    if_name: String,
    #[serde(default)]
    args: Vec<(String, String)>,
    #[serde(default)]
    capability_args: Map<String, Value>,
    #[serde(default)]
    capability_args_go: BTreeMap<String, String>,
    #[serde(default)]
    cache_dir: String,
}

/// A required `rt_json` argument as the core's runtime conf.
///
/// # Safety
/// `rt_json` is NULL or a NUL-terminated string.
pub(crate) unsafe fn runtime_conf_arg(rt_json: *const c_char) -> Result<RuntimeConf> {
    // SAFETY: forwarded from the caller's contract.
    let rt: RuntimeConfJson = unsafe { rt_json.json_object_arg("rt_json") }?;
    let mut capability_args = rt.capability_args;
    for (k, text) in &rt.capability_args_go {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            Error::InvalidArgument(format!(
                "argument `rt_json`: capabilityArgsGo[{k:?}] is not JSON: {e}"
            ))
        })?;
        capability_args.entry(k.clone()).or_insert(v);
    }
    Ok(RuntimeConf {
        container_id: rt.container_id,
        netns: rt.netns,
        if_name: rt.if_name,
        args: rt.args,
        capability_args,
        capability_args_go: rt.capability_args_go,
        cache_dir: rt.cache_dir,
    })
}

/// `gc_args_json`: NULL = no arguments (every cached attachment of the
/// network is stale); else `{"validAttachments":[{"containerID":"…","ifname":"…"}]}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GcArgsJson {
    #[serde(default)]
    valid_attachments: Vec<GcAttachmentJson>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct GcAttachmentJson {
    #[serde(rename = "containerID")]
    container_id: String,
    #[serde(rename = "ifname")]
    if_name: String,
}

/// An optional `gc_args_json` argument.
///
/// # Safety
/// `gc_args_json` is NULL or a NUL-terminated string.
pub(crate) unsafe fn gc_args_arg(gc_args_json: *const c_char) -> Result<Option<GcArgs>> {
    if gc_args_json.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller's contract.
    let a: GcArgsJson = unsafe { gc_args_json.json_object_arg("gc_args_json") }?;
    Ok(Some(GcArgs {
        valid_attachments: a
            .valid_attachments
            .into_iter()
            .map(|v| GcAttachment {
                container_id: v.container_id,
                if_name: v.if_name,
            })
            .collect(),
    }))
}

fn runtime_conf_json(rt: &RuntimeConf) -> Value {
    json!({
        "containerId": rt.container_id,
        "netns": rt.netns,
        "ifName": rt.if_name,
        "args": rt.args,
        "capabilityArgs": rt.capability_args,
    })
}

/// `{"config":"<the cached list's text>","runtimeConf":{…}}`.
pub(crate) fn cached_config_json(c: &CachedConfig) -> String {
    json!({
        "config": String::from_utf8_lossy(&c.config),
        "runtimeConf": runtime_conf_json(&c.runtime_conf),
    })
    .to_string()
}

/// `[{"containerId","network","ifName","config","netns","cniArgs","capabilityArgs"}, …]`.
pub(crate) fn attachments_json(list: &[NetworkAttachment]) -> String {
    let items: Vec<Value> = list
        .iter()
        .map(|a| {
            json!({
                "containerId": a.container_id,
                "network": a.network,
                "ifName": a.if_name,
                "config": String::from_utf8_lossy(&a.config),
                "netns": a.netns,
                "cniArgs": a.cni_args,
                "capabilityArgs": a.capability_args,
            })
        })
        .collect();
    Value::Array(items).to_string()
}
