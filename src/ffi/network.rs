//! The single-plugin operations (upstream `CNIConfig.AddNetwork` …): one
//! plugin configuration (a `.conf` file's JSON text) run as a network of
//! its own, cached as lists are.
//!
//! Same rules and shapes as the list calls of `netlist.rs`, with `netconf`
//! in place of `netlist` (parsed as upstream's `ConfFromBytes`: a missing
//! `type` is `CNI_STATUS_DECODE_ERROR`).

use super::config::{cni_config, config_arg};
use super::context::{cni_context, context_arg};
use super::error::cni_error;
use super::netlist::{attachment_args, conf_arg};
use super::ptr::Out;
use super::runtime::cached_config_json;
use super::status::cni_status;
use crate::error::Result;
use crate::libcni::{conf_from_bytes, CniConfig, PluginConfig, RuntimeConf};
use std::ffi::c_char;
use std::sync::Arc;

/// [`attachment_args`] for one plugin configuration.
///
/// # Safety
/// Each pointer is NULL or valid (a live config, NUL-terminated strings).
unsafe fn network_args(
    cfg: *const cni_config,
    netconf: *const c_char,
    rt_json: *const c_char,
) -> Result<(Arc<CniConfig>, PluginConfig, RuntimeConf)> {
    // SAFETY: forwarded from the caller's contract.
    unsafe { attachment_args(cfg, netconf, "netconf", conf_from_bytes, rt_json) }
}

/// ADD one plugin (upstream `AddNetwork`); its result is cached and stored
/// in `*result_json_out` (free with `cni_string_free`).
#[no_mangle]
pub unsafe extern "C" fn cni_network_add(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netconf: *const c_char,
    rt_json: *const c_char,
    result_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `result_json_out` is NULL or points to a writable
        // pointer.
        let out = unsafe { Out::new(result_json_out, "result_json_out") }?;
        // SAFETY: the header's conventions: `cfg` is NULL or a live config and the strings are
        // NULL or NUL-terminated.
        let (cfg, net, rt) = unsafe { network_args(cfg, netconf, rt_json) }?;
        // SAFETY: the header's conventions: `ctx` is NULL or a live context.
        out.set_string(cfg.add_network(&unsafe { context_arg(ctx) }, &net, &rt)?.to_json());
        Ok(())
    })
}

/// CHECK one plugin (upstream `CheckNetwork`) with its cached result as
/// `prevResult`.
#[no_mangle]
pub unsafe extern "C" fn cni_network_check(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netconf: *const c_char,
    rt_json: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `cfg` is NULL or a live config and the strings are
        // NULL or NUL-terminated.
        let (cfg, net, rt) = unsafe { network_args(cfg, netconf, rt_json) }?;
        // SAFETY: the header's conventions: `ctx` is NULL or a live context.
        cfg.check_network(&unsafe { context_arg(ctx) }, &net, &rt)
    })
}

/// DEL one plugin (upstream `DelNetwork`) with its cached result as
/// `prevResult`; the cache entry is removed on success.
#[no_mangle]
pub unsafe extern "C" fn cni_network_del(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netconf: *const c_char,
    rt_json: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `cfg` is NULL or a live config and the strings are
        // NULL or NUL-terminated.
        let (cfg, net, rt) = unsafe { network_args(cfg, netconf, rt_json) }?;
        // SAFETY: the header's conventions: `ctx` is NULL or a live context.
        cfg.del_network(&unsafe { context_arg(ctx) }, &net, &rt)
    })
}

/// The cached result of one plugin's attachment (upstream
/// `GetNetworkCachedResult`); NULL in `*result_json_out` when nothing is
/// cached.
#[no_mangle]
pub unsafe extern "C" fn cni_network_cached_result(
    cfg: *const cni_config,
    netconf: *const c_char,
    rt_json: *const c_char,
    result_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `result_json_out` is NULL or points to a writable
        // pointer.
        let out = unsafe { Out::new(result_json_out, "result_json_out") }?;
        // SAFETY: the header's conventions: `cfg` is NULL or a live config and the strings are
        // NULL or NUL-terminated.
        let (cfg, net, rt) = unsafe { network_args(cfg, netconf, rt_json) }?;
        if let Some(result) = cfg.get_network_cached_result(&net, &rt)? {
            out.set_string(result.to_json());
        }
        Ok(())
    })
}

/// The cached configuration of one plugin's attachment (upstream
/// `GetNetworkCachedConfig`), shaped as `cni_network_list_cached_config`'s;
/// NULL in `*cached_json_out` when nothing is cached.
#[no_mangle]
pub unsafe extern "C" fn cni_network_cached_config(
    cfg: *const cni_config,
    netconf: *const c_char,
    rt_json: *const c_char,
    cached_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `cached_json_out` is NULL or points to a writable
        // pointer.
        let out = unsafe { Out::new(cached_json_out, "cached_json_out") }?;
        // SAFETY: the header's conventions: `cfg` is NULL or a live config and the strings are
        // NULL or NUL-terminated.
        let (cfg, net, rt) = unsafe { network_args(cfg, netconf, rt_json) }?;
        if let Some(cached) = cfg.get_network_cached_config(&net, &rt)? {
            out.set_string(cached_config_json(&cached));
        }
        Ok(())
    })
}

/// Validate one plugin (upstream `ValidateNetwork`): found, and supporting
/// the configuration's version; its enabled capabilities as a JSON array in
/// `*capabilities_json_out`.
#[no_mangle]
pub unsafe extern "C" fn cni_network_validate(
    cfg: *const cni_config,
    ctx: *const cni_context,
    netconf: *const c_char,
    capabilities_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `capabilities_json_out` is NULL or points to a
        // writable pointer.
        let out = unsafe { Out::new(capabilities_json_out, "capabilities_json_out") }?;
        // SAFETY: the header's conventions: `cfg` is NULL or a live config.
        let cfg = unsafe { config_arg(cfg) }?;
        // SAFETY: the header's conventions: `netconf` is NULL or a NUL-terminated string.
        let net = unsafe { conf_arg(netconf, "netconf", conf_from_bytes) }?;
        // SAFETY: the header's conventions: `ctx` is NULL or a live context.
        let caps = cfg.validate_network(&unsafe { context_arg(ctx) }, &net)?;
        out.set_string(serde_json::Value::from(caps).to_string());
        Ok(())
    })
}
