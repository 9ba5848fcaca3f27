//! The single-plugin operations (upstream `CNIConfig.AddNetwork` …): one
//! plugin configuration (a `.conf` file's JSON text) run as a network of
//! its own, cached as lists are.
//!
//! Same rules and shapes as the list calls of `netlist.rs`, with `netconf`
//! in place of `netlist` (parsed as upstream's `ConfFromBytes`: a missing
//! `type` is `CNI_STATUS_DECODE_ERROR`).

use super::attach::{lookup_into, run, run_into, validate_into};
use super::config::cni_config;
use super::context::cni_context;
use super::error::cni_error;
use super::runtime::cached_config_json;
use super::status::cni_status;
use crate::libcni::CniConfig;
use crate::types::CniResult;
use std::ffi::c_char;

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
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe {
            run_into(cfg, ctx, netconf, rt_json, result_json_out, "result_json_out",
                CniConfig::add_network, CniResult::to_json)
        }
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
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe { run(cfg, ctx, netconf, rt_json, CniConfig::check_network) }
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
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe { run(cfg, ctx, netconf, rt_json, CniConfig::del_network) }
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
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe {
            lookup_into(cfg, netconf, rt_json, result_json_out, "result_json_out",
                CniConfig::get_network_cached_result, CniResult::to_json)
        }
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
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe {
            lookup_into(cfg, netconf, rt_json, cached_json_out, "cached_json_out",
                CniConfig::get_network_cached_config, cached_config_json)
        }
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
        // SAFETY: the header's conventions: every pointer is NULL or valid
        // (a live config and context, NUL-terminated strings, a writable out).
        unsafe {
            validate_into(cfg, ctx, netconf, capabilities_json_out, CniConfig::validate_network)
        }
    })
}
