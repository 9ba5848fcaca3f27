//! Configurations passed as their parts rather than as their text, for
//! bindings whose users build and edit the structs (Go's
//! `NetworkConfigList{…}`, or `Plugins[i].Network.Type` changed after
//! parsing): plugins are found by the parts' fields, each plugin is sent its
//! own `bytes`, and the cache stores the list's `bytes`, exactly as when the
//! struct came from parsing.
//!
//! Two calls: `cni_network_list_call` runs one operation of the network-list
//! layer on parts; `cni_conf_parts` parses or loads configurations and
//! answers with their parts.
//!
//! A list's parts: `{"name","cniVersion","disableCheck","disableGC",
//! "loadOnlyInlinedPlugins","plugins":[<plugin parts>…],"bytes":"<base64>"}`;
//! a plugin's: `{"type","name","cniVersion","capabilities":{"K":true},
//! "bytes":"<base64>"}`. Every key optional, unknown keys refused.

use super::config::{cni_config, config_arg};
use super::context::{cni_context, context_arg};
use super::error::cni_error;
use super::ptr::{Out, StrArg};
use super::runtime::{cached_config_json, gc_args_arg, runtime_conf_arg};
use super::status::cni_status;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::libcni::base64::{base64_decode, base64_encode};
use crate::libcni::{self, CniConfig, NetworkConfigList, PluginConf, PluginConfig};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::ffi::c_char;
use std::path::Path;

/// One plugin's parts.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct PluginParts {
    #[serde(rename = "type")]
    type_: String,
    name: String,
    cni_version: String,
    capabilities: BTreeMap<String, bool>,
    bytes: String,
}

/// A list's parts.
#[derive(Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
struct ListParts {
    name: String,
    cni_version: String,
    disable_check: bool,
    #[serde(rename = "disableGC")]
    disable_gc: bool,
    load_only_inlined_plugins: bool,
    plugins: Vec<PluginParts>,
    bytes: String,
}

fn bytes_of(b64: &str, what: &str) -> Result<Vec<u8>> {
    base64_decode(b64.as_bytes())
        .map_err(|e| Error::InvalidArgument(format!("{what}: `bytes` is not base64: {e}")))
}

fn b64(bytes: &[u8]) -> String {
    let mut s = String::new();
    base64_encode(bytes, &mut s);
    s
}

impl PluginParts {
    fn into_core(self) -> Result<PluginConfig> {
        Ok(PluginConfig {
            bytes: bytes_of(&self.bytes, "plugin")?,
            network: PluginConf {
                cni_version: self.cni_version,
                name: self.name,
                type_: self.type_,
                capabilities: self.capabilities,
            },
        })
    }

    fn of(p: &PluginConfig) -> PluginParts {
        PluginParts {
            type_: p.network.type_.clone(),
            name: p.network.name.clone(),
            cni_version: p.network.cni_version.clone(),
            capabilities: p.network.capabilities.clone(),
            bytes: b64(&p.bytes),
        }
    }
}

impl ListParts {
    fn into_core(self) -> Result<NetworkConfigList> {
        Ok(NetworkConfigList {
            bytes: bytes_of(&self.bytes, "list")?,
            plugins: self
                .plugins
                .into_iter()
                .map(PluginParts::into_core)
                .collect::<Result<_>>()?,
            name: self.name,
            cni_version: self.cni_version,
            disable_check: self.disable_check,
            disable_gc: self.disable_gc,
            load_only_inlined_plugins: self.load_only_inlined_plugins,
        })
    }

    fn of(l: &NetworkConfigList) -> ListParts {
        ListParts {
            name: l.name.clone(),
            cni_version: l.cni_version.clone(),
            disable_check: l.disable_check,
            disable_gc: l.disable_gc,
            load_only_inlined_plugins: l.load_only_inlined_plugins,
            plugins: l.plugins.iter().map(PluginParts::of).collect(),
            bytes: b64(&l.bytes),
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("parts serialize")
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::InvalidArgument(format!("argument `{what}` {e}")))
}

fn unknown_op(op: &str) -> Error {
    Error::InvalidArgument(format!("argument `op`: unknown operation \"{op}\""))
}

/// What an operation hands back in `*out`: nothing, or a JSON text.
type Answer = Option<String>;

/// An operation on a list's parts; `arg` is the call's `arg_json`.
///
/// # Safety
/// `arg` is NULL or a NUL-terminated string.
unsafe fn list_op(
    cfg: &CniConfig,
    ctx: &Context,
    op: &str,
    list: &NetworkConfigList,
    arg: *const c_char,
) -> Result<Answer> {
    // SAFETY: forwarded from the caller's contract.
    let rt = || unsafe { runtime_conf_arg(arg) };
    Ok(match op {
        "add" => Some(cfg.add_network_list(ctx, list, &rt()?)?.to_json()),
        "check" => cfg.check_network_list(ctx, list, &rt()?).map(|()| None)?,
        "del" => cfg.del_network_list(ctx, list, &rt()?).map(|()| None)?,
        "cachedResult" => cfg
            .get_network_list_cached_result(list, &rt()?)?
            .map(|r| r.to_json()),
        "cachedConfig" => cfg
            .get_network_list_cached_config(list, &rt()?)?
            .map(|c| cached_config_json(&c)),
        "validate" => Some(Value::from(cfg.validate_network_list(ctx, list)?).to_string()),
        "gc" => {
            // SAFETY: forwarded from the caller's contract.
            let args = unsafe { gc_args_arg(arg) }?;
            cfg.gc_network_list(ctx, list, args.as_ref())
                .map(|()| None)?
        }
        "status" => cfg.get_status_network_list(ctx, list).map(|()| None)?,
        _ => return Err(unknown_op(op)),
    })
}

/// An operation on one plugin's parts (upstream's `…Network` methods).
///
/// # Safety
/// `arg` is NULL or a NUL-terminated string.
unsafe fn network_op(
    cfg: &CniConfig,
    ctx: &Context,
    op: &str,
    net: &PluginConfig,
    arg: *const c_char,
) -> Result<Answer> {
    // SAFETY: forwarded from the caller's contract.
    let rt = || unsafe { runtime_conf_arg(arg) };
    Ok(match op {
        "networkAdd" => Some(cfg.add_network(ctx, net, &rt()?)?.to_json()),
        "networkCheck" => cfg.check_network(ctx, net, &rt()?).map(|()| None)?,
        "networkDel" => cfg.del_network(ctx, net, &rt()?).map(|()| None)?,
        "networkCachedResult" => cfg
            .get_network_cached_result(net, &rt()?)?
            .map(|r| r.to_json()),
        "networkCachedConfig" => cfg
            .get_network_cached_config(net, &rt()?)?
            .map(|c| cached_config_json(&c)),
        "networkValidate" => Some(Value::from(cfg.validate_network(ctx, net)?).to_string()),
        _ => return Err(unknown_op(op)),
    })
}

/// Run the network-list operation `op` on a configuration given by its
/// parts, so that a struct built or edited by the caller behaves as the
/// same struct does upstream: plugins are found by the parts' `type`, each
/// is sent its own `bytes` (with `name`, `cniVersion`, `prevResult` and
/// `runtimeConfig` injected) and the list's `bytes` are cached.
///
/// A list's parts: `{"name","cniVersion","disableCheck","disableGC",
/// "loadOnlyInlinedPlugins","plugins":[<plugin parts>…],"bytes":"<base64>"}`;
/// a plugin's: `{"type","name","cniVersion","capabilities":{"K":true},
/// "bytes":"<base64>"}`. Every key optional, unknown keys refused.
///
/// List operations (`parts_json` is a list's parts): `"add"`, `"check"`,
/// `"del"`, `"cachedResult"`, `"cachedConfig"` (`arg_json` is the runtime
/// conf, as `rt_json` of `cni_network_list_add`), `"gc"` (`arg_json` as
/// `gc_args_json` of `cni_network_list_gc`, NULL allowed), `"validate"`,
/// `"status"` (`arg_json` unused). One-plugin operations (`parts_json` is a
/// plugin's parts, `arg_json` the runtime conf): `"networkAdd"`,
/// `"networkCheck"`, `"networkDel"`, `"networkCachedResult"`,
/// `"networkCachedConfig"`, `"networkValidate"`.
///
/// `*out` receives what the matching `cni_network_list_*` /
/// `cni_network_*` function returns (a result, a cached configuration, the
/// capabilities array) or stays NULL (nothing cached, or an operation
/// without an answer); free it with `cni_string_free`. `out` may be NULL
/// only for operations without an answer. Errors are those functions'
/// errors; an unknown `op` or malformed parts →
/// `CNI_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_call(
    cfg: *const cni_config,
    ctx: *const cni_context,
    op: *const c_char,
    parts_json: *const c_char,
    arg_json: *const c_char,
    out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `cfg` is NULL or a live config.
        let cfg = unsafe { config_arg(cfg) }?;
        // SAFETY: the header's conventions: `op` is NULL or a NUL-terminated string.
        let op = unsafe { op.str_arg("op") }?;
        // SAFETY: the header's conventions: `parts_json` is NULL or a NUL-terminated string.
        let parts = unsafe { parts_json.str_arg("parts_json") }?;
        // An answering operation needs `out` before anything runs.
        // SAFETY: the header's conventions: `out` is NULL or points to a writable pointer.
        let out = (answers(op) || !out.is_null()).then(|| unsafe { Out::new(out, "out") }).transpose()?;
        // SAFETY: the header's conventions: `ctx` is NULL or a live context.
        let ctx = unsafe { context_arg(ctx) };
        let answer = if op.starts_with("network") {
            let net = parse_json::<PluginParts>(parts, "parts_json")?.into_core()?;
            // SAFETY: the header's conventions: `arg_json` is NULL or a NUL-terminated string.
            unsafe { network_op(&cfg, &ctx, op, &net, arg_json) }?
        } else {
            let list = parse_json::<ListParts>(parts, "parts_json")?.into_core()?;
            // SAFETY: the header's conventions: `arg_json` is NULL or a NUL-terminated string.
            unsafe { list_op(&cfg, &ctx, op, &list, arg_json) }?
        };
        if let (Some(out), Some(text)) = (out, answer) {
            out.set_string(text);
        }
        Ok(())
    })
}

/// Whether `op` hands something back in `*out`.
fn answers(op: &str) -> bool {
    let verb = op
        .strip_prefix("network")
        .unwrap_or(op)
        .to_ascii_lowercase();
    matches!(
        verb.as_str(),
        "add" | "cachedresult" | "cachedconfig" | "validate"
    )
}

/// `arg_json` of `cni_conf_parts`.
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ConfArgs {
    bytes: String,
    file: String,
    dir: String,
    name: String,
    plugin: Option<PluginParts>,
    values: Map<String, Value>,
}

impl ConfArgs {
    fn bytes(&self) -> Result<Vec<u8>> {
        bytes_of(&self.bytes, "arg_json")
    }

    fn plugin(self) -> Result<PluginConfig> {
        self.plugin
            .ok_or_else(|| Error::InvalidArgument("argument `arg_json` lacks `plugin`".into()))?
            .into_core()
    }
}

fn plugin_json(p: &PluginConfig) -> String {
    to_json(&PluginParts::of(p))
}

fn list_json(l: &NetworkConfigList) -> String {
    to_json(&ListParts::of(l))
}

/// One configuration operation of `cni_conf_parts`.
fn conf_op(op: &str, mut a: ConfArgs) -> Result<String> {
    let (file, dir) = (Path::new(&a.file), Path::new(&a.dir));
    Ok(match op {
        "confFromBytes" => plugin_json(&libcni::conf_from_bytes(&a.bytes()?)?),
        "networkPluginConfFromBytes" => {
            plugin_json(&libcni::network_plugin_conf_from_bytes(&a.bytes()?)?)
        }
        "confListFromBytes" => list_json(&libcni::conf_list_from_bytes(&a.bytes()?)?),
        "networkConfFromBytes" => list_json(&libcni::network_conf_from_bytes(&a.bytes()?)?),
        "confFromFile" => plugin_json(&libcni::conf_from_file(file)?),
        "confListFromFile" => list_json(&libcni::conf_list_from_file(file)?),
        "networkConfFromFile" => list_json(&libcni::network_conf_from_file(file)?),
        "networkPluginConfsFromFiles" => {
            let plugins = libcni::network_plugin_confs_from_files(dir, &a.name)?;
            to_json(&plugins.iter().map(PluginParts::of).collect::<Vec<_>>())
        }
        "loadConf" => plugin_json(&libcni::load_conf(dir, &a.name)?),
        "loadConfList" => list_json(&libcni::load_conf_list(dir, &a.name)?),
        "loadNetworkConf" => list_json(&libcni::load_network_conf(dir, &a.name)?),
        "confListFromConf" => list_json(&libcni::conf_list_from_conf(&a.plugin()?)?),
        "injectConf" => {
            let values = std::mem::take(&mut a.values);
            plugin_json(&libcni::inject_conf(&a.plugin()?, &values)?)
        }
        _ => return Err(unknown_op(op)),
    })
}

/// Parse or load configurations (upstream `libcni/conf.go`) and answer with
/// their parts (as `cni_network_list_call` takes them) in `*parts_json_out` (free with
/// `cni_string_free`), so that a binding builds its structs from the core's
/// parsing, sub-plugin files included.
///
/// `op` and its `arg_json` object (`bytes` base64, paths as text):
/// `"confFromBytes"`, `"networkPluginConfFromBytes"` `{"bytes"}` → a
/// plugin; `"confListFromBytes"`, `"networkConfFromBytes"` `{"bytes"}` → a
/// list; `"confFromFile"` `{"file"}` → a plugin; `"confListFromFile"`,
/// `"networkConfFromFile"` `{"file"}` → a list (with the
/// `*.conf` sub-plugins of `<dir>/<name>` unless `loadOnlyInlinedPlugins`);
/// `"networkPluginConfsFromFiles"` `{"dir","name"}` → an array of plugins;
/// `"loadConf"` `{"dir","name"}` → a plugin; `"loadConfList"`,
/// `"loadNetworkConf"` `{"dir","name"}` → a list; `"confListFromConf"`
/// `{"plugin"}` → a list; `"injectConf"` `{"plugin","values":{…}}` → a
/// plugin.
///
/// Errors and their texts are upstream's, as for `cni_load_network_conf`
/// and the other configuration functions; an unknown `op` or malformed
/// `arg_json` → `CNI_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn cni_conf_parts(
    op: *const c_char,
    arg_json: *const c_char,
    parts_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `parts_json_out` is NULL or points to a writable
        // pointer.
        let out = unsafe { Out::new(parts_json_out, "parts_json_out") }?;
        // SAFETY: the header's conventions: `op` is NULL or a NUL-terminated string.
        let op = unsafe { op.str_arg("op") }?;
        // SAFETY: the header's conventions: `arg_json` is NULL or a NUL-terminated string.
        let args: ConfArgs = unsafe { arg_json.json_object_arg("arg_json") }?;
        out.set_string(conf_op(op, args)?);
        Ok(())
    })
}
