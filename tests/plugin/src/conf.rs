//! The plugin's own keys in the network configuration it gets on stdin.
//!
//! In a network list every plugin sees the same `CNI_ARGS`, so behaviour
//! that differs per plugin lives in each plugin's configuration. These keys
//! are read only when stdin is a JSON object; any other key is ignored (it
//! belongs to the configuration). A key of the wrong type is a code-999
//! error like a broken debug file.

use crate::script::{self, Fields, Script};
use crate::Res;
use serde_json::{json, Map, Value};
use std::os::raw::c_int;

/// Default code of a `failOn` error (codes 100 and above are the plugin's own).
pub const FAIL_CODE: u64 = 100;

/// The plugin-level keys of one configuration.
#[derive(Default)]
pub struct PluginKeys {
    /// The whole configuration, when stdin was a JSON object.
    pub conf: Option<Map<String, Value>>,
    debug: Option<Map<String, Value>>,
    debug_file: Option<String>,
    pub log_dir: Option<String>,
    fail_on: Vec<String>,
    fail_code: u64,
    fail_msg: Option<String>,
    fail_details: Option<String>,
}

impl PluginKeys {
    /// The keys of `stdin`; none when it is not a JSON object.
    pub fn parse(stdin: &[u8]) -> Res<PluginKeys> {
        let Ok(Value::Object(conf)) = serde_json::from_slice::<Value>(stdin) else {
            return Ok(PluginKeys::default());
        };
        let f = Fields(&conf);
        let debug = match conf.get("debug") {
            None => None,
            Some(Value::Object(m)) => Some(m.clone()),
            Some(v) => return Err(format!("config \"debug\" must be an object, got {v}")),
        };
        let debug_file = f.string("debugFile").map_err(config_key)?;
        if debug.is_some() && debug_file.is_some() {
            return Err("config has both \"debug\" and \"debugFile\"".into());
        }
        let fail_on = match conf.get("failOn") {
            None => Vec::new(),
            Some(Value::Array(a)) if a.iter().all(Value::is_string) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            Some(v) => {
                return Err(format!(
                    "config \"failOn\" must be an array of strings, got {v}"
                ))
            }
        };
        let keys = PluginKeys {
            debug,
            debug_file,
            log_dir: f.string("logDir").map_err(config_key)?,
            fail_on,
            fail_code: f.ms("failCode").map_err(config_key)?.unwrap_or(FAIL_CODE),
            fail_msg: f.string("failMsg").map_err(config_key)?,
            fail_details: f.string("failDetails").map_err(config_key)?,
            conf: None,
        };
        Ok(PluginKeys {
            conf: Some(conf),
            ..keys
        })
    }

    /// The script this configuration names (`debug` or `debugFile`), if any.
    /// It cannot say `"readStdin": false`: stdin has been read already.
    pub fn script(&self, command: Option<&str>) -> Res<Option<Script>> {
        let script = match (&self.debug, &self.debug_file) {
            (Some(map), _) => script::from_map(map.clone(), command)
                .map_err(|e| format!("config \"debug\": {e}"))?,
            (None, Some(path)) => script::from_file(path, command)?,
            (None, None) => return Ok(None),
        };
        if !script.read_stdin {
            return Err("\"readStdin\": false cannot come from the config".into());
        }
        Ok(Some(script))
    }

    /// For a `command` listed in `failOn`: prints the error and gives the
    /// exit status (1).
    pub fn fail(&self, command: &str) -> Option<c_int> {
        if !self.fail_on.iter().any(|c| c == command) {
            return None;
        }
        let msg = self
            .fail_msg
            .clone()
            .unwrap_or_else(|| format!("{command} failed on request"));
        let mut err = json!({"code": self.fail_code, "msg": msg});
        if let Some(d) = &self.fail_details {
            err["details"] = json!(d);
        }
        let _ = crate::sys::write_fd(1, err.to_string().as_bytes());
        Some(1)
    }

    /// A key of the configuration (`Null` when absent or no configuration).
    pub fn get(&self, key: &str) -> Value {
        self.conf
            .as_ref()
            .and_then(|c| c.get(key))
            .cloned()
            .unwrap_or(Value::Null)
    }
}

fn config_key(e: String) -> String {
    format!("config {e}")
}
