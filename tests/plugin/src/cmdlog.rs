//! The per-attachment command log (`"logDir"` in the configuration).
//!
//! Every run appends one JSON line to `<logDir>/<CNI_CONTAINERID>-<CNI_IFNAME>.log`
//! (commands without a container id, like `GC` and `STATUS`, to
//! `<logDir>/<CNI_COMMAND>.log`). The line is written with one `write` on
//! an `O_APPEND` descriptor, so plugins appending concurrently never
//! interleave.

use crate::conf::PluginKeys;
use crate::Res;
use serde_json::{json, Value};
use std::io::Write;

/// Appends the line for this run.
pub fn append(dir: &str, command: &str, keys: &PluginKeys) -> Res<()> {
    let env = |name: &str| std::env::var(name).ok();
    let container = env("CNI_CONTAINERID").unwrap_or_default();
    let if_name = env("CNI_IFNAME").unwrap_or_default();
    let file = if container.is_empty() {
        format!("{dir}/{command}.log")
    } else {
        format!("{dir}/{container}-{if_name}.log")
    };
    let line = json!({
        "command": command,
        "containerId": env("CNI_CONTAINERID"),
        "ifName": env("CNI_IFNAME"),
        "netns": env("CNI_NETNS"),
        "cniArgs": env("CNI_ARGS"),
        "name": keys.get("name"),
        "type": keys.get("type"),
        "cniVersion": keys.get("cniVersion"),
        "prevResult": keys.get("prevResult"),
        "runtimeConfig": keys.get("runtimeConfig"),
        "validAttachments": keys.get("cni.dev/valid-attachments"),
    });
    let mut bytes = line.to_string().into_bytes();
    bytes.push(b'\n');
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .and_then(|mut f| f.write_all(&bytes))
        .map_err(|e| format!("appending to {file}: {e}"))
}

/// The fields of the configuration that `"recordConfig"` adds to a record.
pub fn config_fields(keys: &PluginKeys) -> [(&'static str, Value); 4] {
    [
        ("prevResult", keys.get("prevResult")),
        ("runtimeConfig", keys.get("runtimeConfig")),
        ("validAttachments", keys.get("cni.dev/valid-attachments")),
        ("attachments", keys.get("cni.dev/attachments")),
    ]
}
