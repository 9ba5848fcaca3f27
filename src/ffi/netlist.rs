//! The network-list operations (upstream `CNIConfig`'s `…NetworkList`
//! methods): ADD, CHECK, DEL, GC and STATUS of a whole `.conflist`, its
//! cache, validation and version queries.
//!
//! Common rules: `cfg` is required; `ctx` NULL = no cancellation, no
//! deadline (one context bounds the whole chain); `netlist` is the list's
//! JSON text as read from a `.conflist` file (that text is what the cache
//! stores); `rt_json` is the runtime conf (see `cni_network_list_add`). A
//! plugin's failure is reported as the list's error (`plugin type="T"
//! failed (add): …`) whose `cni_error_cause` is the plugin's own error; the
//! status is the cause's.

use super::attach::{conf_arg, lookup_into, run, run_into, run_whole, validate_into};
use super::config::{cni_config, config_arg};
use super::context::{cni_context, context_arg};
use super::error::cni_error;
use super::ptr::{Out, StrArg};
use super::runtime::{attachments_json, cached_config_json, gc_args_arg};
use super::status::cni_status;
use crate::libcni::{CniConfig, NetworkConfigList};
use crate::types::CniResult;
use std::ffi::c_char;

/// ADD the list for the attachment of `rt_json` (upstream
/// `AddNetworkList`): each plugin in order, found on the config's paths,
/// gets its configuration with `name`, `cniVersion`, `prevResult` (the
/// previous plugin's result) and `runtimeConfig` (only the capability
/// arguments it declares) injected; the last result is cached and stored in
/// `*result_json_out` (free with `cni_string_free`).
///
/// `rt_json`: `{"containerId":"…","netns":"…","ifName":"eth0",
/// "args":[["K","V"]],"capabilityArgs":{…},"capabilityArgsGo":{…},
/// "cacheDir":"…"}` (every key optional, unknown keys refused; `cacheDir`
/// is upstream's deprecated fallback; `capabilityArgsGo` maps a capability
/// to its value as JSON text sent to plugins exactly so — a Go binding's
/// `json.Marshal` of it — and is added to `capabilityArgs` when missing
/// there; text that is not JSON → `CNI_STATUS_INVALID_ARGUMENT`). Container id, network name and ifname are validated first.
/// With the config's `cleanupOnFailure`, a failed ADD runs the list's DEL
/// before returning the ADD's error. A cache write that fails after every
/// plugin succeeded → `CNI_STATUS_IO`.
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_add(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netlist: *const c_char,
    rt_json: *const c_char,
    result_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe {
            run_into(cfg, ctx, netlist, rt_json, result_json_out, "result_json_out",
                CniConfig::add_network_list, CniResult::to_json)
        }
    })
}

/// CHECK the list (upstream `CheckNetworkList`): each plugin in order with
/// the cached result as `prevResult`. Below version 0.4.0:
/// `configuration version "V" does not support the CHECK command`; with
/// `disableCheck` nothing runs. A missing or corrupt cache entry is an
/// error naming it.
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_check(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netlist: *const c_char,
    rt_json: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe { run(cfg, ctx, netlist, rt_json, CniConfig::check_network_list) }
    })
}

/// DEL the list (upstream `DelNetworkList`): plugins in reverse order with
/// the cached result as `prevResult`; an unreadable cache entry is removed
/// and DEL goes on without it; on success the cache entry is removed.
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_del(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netlist: *const c_char,
    rt_json: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe { run(cfg, ctx, netlist, rt_json, CniConfig::del_network_list) }
    })
}

/// The cached result of the list's attachment (upstream
/// `GetNetworkListCachedResult`), converted to the list's version, in
/// `*result_json_out`; NULL there (and `CNI_STATUS_OK`) when nothing is
/// cached.
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_cached_result(
    cfg: *const cni_config,
    netlist: *const c_char,
    rt_json: *const c_char,
    result_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe {
            lookup_into(cfg, netlist, rt_json, result_json_out, "result_json_out",
                CniConfig::get_network_list_cached_result, CniResult::to_json)
        }
    })
}

/// The cached configuration of the list's attachment (upstream
/// `GetNetworkListCachedConfig`) as `{"config":"<list text>","runtimeConf":
/// {"containerId","netns","ifName","args","capabilityArgs"}}` in
/// `*cached_json_out`; NULL there when nothing is cached.
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_cached_config(
    cfg: *const cni_config,
    netlist: *const c_char,
    rt_json: *const c_char,
    cached_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe {
            lookup_into(cfg, netlist, rt_json, cached_json_out, "cached_json_out",
                CniConfig::get_network_list_cached_config, cached_config_json)
        }
    })
}

/// Validate the list (upstream `ValidateNetworkList`): every plugin is
/// found and supports the list's version; the capabilities the plugins
/// enable, as a JSON array of strings, in `*capabilities_json_out`.
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_validate(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netlist: *const c_char,
    capabilities_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe {
            validate_into(cfg, ctx, netlist, capabilities_json_out,
                CniConfig::validate_network_list)
        }
    })
}

/// Garbage-collect the network (upstream `GCNetworkList`): every cached
/// attachment not in `gc_args_json`'s `validAttachments` gets a DEL (NULL =
/// no arguments: all of them), then, at version 1.1.0 and later, each
/// plugin gets `GC` with `cni.dev/valid-attachments`. With `disableGC`
/// nothing runs. Errors are joined, one per line.
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_gc(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netlist: *const c_char,
    gc_args_json: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `cfg` is NULL or a live config,
        // `netlist` and `gc_args_json` NULL or NUL-terminated strings, `ctx`
        // NULL or a live context.
        let (cfg, list, args, ctx) = unsafe {
            (
                config_arg(cfg)?,
                conf_arg::<NetworkConfigList>(netlist)?,
                gc_args_arg(gc_args_json)?,
                context_arg(ctx),
            )
        };
        cfg.gc_network_list(&ctx, &list, args.as_ref())
    })
}

/// STATUS of the list (upstream `GetStatusNetworkList`): below 1.1.0
/// nothing runs; otherwise each plugin in order, and the first error is
/// returned as the plugin's own (codes 50 and 51 reach the caller).
#[no_mangle]
pub unsafe extern "C" fn cni_network_list_status(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netlist: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe { run_whole(cfg, ctx, netlist, CniConfig::get_status_network_list) }
    })
}

/// Every attachment of `container_id` in the config's cache (upstream
/// `GetCachedAttachments`), as a JSON array of `{"containerId","network",
/// "ifName","config","netns","cniArgs","capabilityArgs"}` in
/// `*attachments_json_out` (`[]` when there are none).
#[no_mangle]
pub unsafe extern "C" fn cni_cached_attachments(
    cfg: *const cni_config,
    container_id: *const c_char,
    attachments_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `attachments_json_out` is NULL or points to a writable
        // pointer.
        let out = unsafe { Out::new(attachments_json_out, "attachments_json_out") }?;
        // SAFETY: the header's conventions: `cfg` is NULL or a live config.
        let cfg = unsafe { config_arg(cfg) }?;
        // SAFETY: the header's conventions: `container_id` is NULL or a NUL-terminated string.
        let container_id = unsafe { container_id.str_arg("container_id") }?;
        out.set_string(attachments_json(&cfg.get_cached_attachments(container_id)?));
        Ok(())
    })
}

/// The version report of the plugin `plugin_type`, found on the config's
/// paths (upstream `CNIConfig.GetVersionInfo`), as
/// `{"cniVersion":"…","supportedVersions":[…]}` in `*plugin_info_json_out`.
#[no_mangle]
pub unsafe extern "C" fn cni_config_version_info(
    cfg: *const cni_config,
    ctx: *const cni_context,
    plugin_type: *const c_char,
    plugin_info_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `plugin_info_json_out` is NULL or points to a writable
        // pointer.
        let out = unsafe { Out::new(plugin_info_json_out, "plugin_info_json_out") }?;
        // SAFETY: the header's conventions: `cfg` is NULL or a live config.
        let cfg = unsafe { config_arg(cfg) }?;
        // SAFETY: the header's conventions: `plugin_type` is NULL or a NUL-terminated string.
        let plugin_type = unsafe { plugin_type.str_arg("plugin_type") }?;
        // SAFETY: the header's conventions: `ctx` is NULL or a live context.
        let info = cfg.get_version_info(&unsafe { context_arg(ctx) }, plugin_type)?;
        out.set_string(info.to_json());
        Ok(())
    })
}
