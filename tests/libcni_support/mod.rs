//! Shared by the `libcni_*` tests: a scratch network with plugin names of
//! its own (links to the test plugin), a cache directory and the plugins'
//! per-attachment command log.
#![allow(dead_code)]

use cniinvoke::libcni::{
    conf_from_bytes, conf_list_from_bytes, CniConfig, NetworkConfigList, PluginConfig, RuntimeConf,
};
use cniinvoke::Context;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[path = "../common/mod.rs"]
mod common;
#[allow(unused_imports)] // only some tests use it
pub use common::Debug;
pub use common::{plugin, tempdir};

/// Plugin names available in [`Net::bin`].
pub const PLUGINS: [&str; 4] = ["alpha", "beta", "gamma", "delta"];

pub struct Net {
    pub dir: tempfile::TempDir,
    pub bin: PathBuf,
    pub cache: PathBuf,
    pub logs: PathBuf,
}

impl Default for Net {
    fn default() -> Self {
        Net::new()
    }
}

impl Net {
    pub fn new() -> Net {
        let dir = tempdir();
        let bin = dir.path().join("bin");
        let logs = dir.path().join("log");
        std::fs::create_dir(&bin).unwrap();
        std::fs::create_dir(&logs).unwrap();
        for name in PLUGINS {
            std::os::unix::fs::symlink(plugin(), bin.join(name)).unwrap();
        }
        let cache = dir.path().join("cache");
        Net {
            dir,
            bin,
            cache,
            logs,
        }
    }

    /// The text of a list named `name` of `version` with these plugins;
    /// each plugin gets `logDir` unless it has one.
    pub fn list_text(
        &self,
        name: &str,
        version: &str,
        plugins: Vec<Value>,
        extra: Value,
    ) -> String {
        let plugins: Vec<Value> = plugins
            .into_iter()
            .map(|mut p| {
                if p.get("logDir").is_none() {
                    p["logDir"] = json!(self.logs);
                }
                p
            })
            .collect();
        let mut list = json!({"cniVersion": version, "name": name, "plugins": plugins});
        if let Value::Object(extra) = extra {
            list.as_object_mut().unwrap().extend(extra);
        }
        list.to_string()
    }

    /// [`Net::list_text`], parsed.
    pub fn list(&self, name: &str, version: &str, plugins: Vec<Value>) -> NetworkConfigList {
        self.list_with(name, version, plugins, json!({}))
    }

    pub fn list_with(
        &self,
        name: &str,
        version: &str,
        plugins: Vec<Value>,
        extra: Value,
    ) -> NetworkConfigList {
        conf_list_from_bytes(self.list_text(name, version, plugins, extra).as_bytes()).unwrap()
    }

    /// A single plugin configuration named `name` of `version` (with
    /// `logDir`, like a list's plugins).
    pub fn conf(&self, name: &str, version: &str, mut plugin: Value) -> PluginConfig {
        plugin["name"] = json!(name);
        plugin["cniVersion"] = json!(version);
        if plugin.get("logDir").is_none() {
            plugin["logDir"] = json!(self.logs);
        }
        conf_from_bytes(plugin.to_string().as_bytes()).unwrap()
    }

    pub fn path(&self) -> Vec<String> {
        vec![self.bin.to_string_lossy().into_owned()]
    }

    /// A config on this network's plugins and cache.
    pub fn cfg(&self) -> CniConfig {
        CniConfig::with_cache_dir(self.path(), &self.cache, None)
    }

    pub fn rt(&self, ctr: &str) -> RuntimeConf {
        RuntimeConf {
            container_id: ctr.into(),
            netns: format!("/var/run/netns/{ctr}"),
            if_name: "eth0".into(),
            args: vec![("K".into(), "V".into())],
            ..Default::default()
        }
    }

    pub fn entry(&self, network: &str, ctr: &str) -> PathBuf {
        self.cache
            .join("results")
            .join(format!("{network}-{ctr}-eth0"))
    }

    /// The command log of one attachment (`<ctr>-eth0.log`) or `GC`/`STATUS`.
    pub fn log(&self, file: &str) -> Vec<Value> {
        read_log(&self.logs.join(file))
    }

    pub fn log_of(&self, ctr: &str) -> Vec<Value> {
        self.log(&format!("{ctr}-eth0.log"))
    }

    /// `COMMAND type` for each line of an attachment's log.
    pub fn steps(&self, ctr: &str) -> Vec<String> {
        steps(&self.log_of(ctr))
    }
}

/// The lines of a command log. A plugin killed (SIGKILL on cancellation)
/// inside its one `write` can leave a torn line that the next line is
/// appended to: the whole line that follows is recovered, the torn piece
/// (of an operation that failed) dropped.
pub fn read_log(path: &Path) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for line in text.lines() {
        if let Ok(v) = serde_json::from_str(line) {
            out.push(v);
            continue;
        }
        let whole = line
            .match_indices(r#"{""#)
            .filter(|(i, _)| *i > 0)
            .find_map(|(i, _)| serde_json::from_str::<Value>(&line[i..]).ok())
            .filter(|v| v.get("command").is_some());
        out.extend(whole);
    }
    out
}

pub fn steps(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["command"].as_str().unwrap(),
                l["type"].as_str().unwrap()
            )
        })
        .collect()
}

/// A plugin configuration of `type_`.
pub fn p(type_: &str) -> Value {
    json!({"type": type_})
}

/// A plugin of `type_` that fails `commands` with code `code`.
pub fn failing(type_: &str, commands: &[&str], code: u32) -> Value {
    json!({"type": type_, "failOn": commands, "failCode": code})
}

pub fn bg() -> Context {
    Context::background()
}

pub fn json_of(r: &cniinvoke::CniResult) -> Value {
    serde_json::from_str(&r.to_json()).unwrap()
}
