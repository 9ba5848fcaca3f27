//! What every call on one attachment does, for lists and for single plugin
//! configurations alike: read the config, the configuration text and the
//! runtime conf, make the one core call, hand its answer to the caller.

use super::config::{cni_config, config_arg};
use super::context::{cni_context, context_arg};
use super::ptr::{Out, StrArg};
use super::runtime::runtime_conf_arg;
use crate::context::Context;
use crate::error::Result;
use crate::libcni::parsed::conf_list_shared;
use crate::libcni::{conf_from_bytes, CniConfig, NetworkConfigList, PluginConfig, RuntimeConf};
use std::ffi::c_char;
use std::sync::Arc;

/// A configuration as it crosses the boundary: the JSON text of its file.
pub(crate) trait ConfText: Sized {
    /// The argument's name in error messages.
    const ARG: &'static str;
    /// Upstream's parsing (`ConfListFromBytes` / `ConfFromBytes`):
    /// malformed → `CNI_STATUS_DECODE_ERROR` with upstream's text.
    fn parse(bytes: &[u8]) -> Result<Arc<Self>>;
}

impl ConfText for NetworkConfigList {
    const ARG: &'static str = "netlist";
    fn parse(bytes: &[u8]) -> Result<Arc<Self>> {
        // Runtimes send the same list again and again.
        conf_list_shared(bytes)
    }
}

impl ConfText for PluginConfig {
    const ARG: &'static str = "netconf";
    fn parse(bytes: &[u8]) -> Result<Arc<Self>> {
        conf_from_bytes(bytes).map(Arc::new)
    }
}

/// A core operation on one attachment (ADD, CHECK, DEL).
pub(crate) type Op<C, T> = fn(&CniConfig, &Context, &C, &RuntimeConf) -> Result<T>;
/// A core look-up in the cache of one attachment.
pub(crate) type Lookup<C, T> = fn(&CniConfig, &C, &RuntimeConf) -> Result<Option<T>>;
/// A core operation on a configuration as a whole (validate, STATUS).
pub(crate) type Whole<C, T> = fn(&CniConfig, &Context, &C) -> Result<T>;

/// A required configuration argument, parsed.
///
/// # Safety
/// `conf` is NULL or a NUL-terminated string.
pub(crate) unsafe fn conf_arg<C: ConfText>(conf: *const c_char) -> Result<Arc<C>> {
    // SAFETY: forwarded from the caller's contract.
    C::parse(unsafe { conf.str_arg(C::ARG) }?.as_bytes())
}

/// Run `op` on the attachment of `rt_json`.
///
/// # Safety
/// Each pointer is NULL or valid: a live config and context, NUL-terminated
/// strings.
pub(crate) unsafe fn run<C: ConfText, T>(
    cfg: *const cni_config,
    ctx: *const cni_context,
    conf: *const c_char,
    rt_json: *const c_char,
    op: Op<C, T>,
) -> Result<T> {
    // SAFETY: forwarded from the caller's contract.
    let (cfg, conf, rt, ctx) = unsafe {
        (
            config_arg(cfg)?,
            conf_arg::<C>(conf)?,
            runtime_conf_arg(rt_json)?,
            context_arg(ctx),
        )
    };
    op(&cfg, &ctx, &conf, &rt)
}

/// [`run`], its answer shown by `show` stored in `*out` (named `out_name`
/// in errors; checked and cleared first).
///
/// # Safety
/// As for [`run`]; `out` is NULL or points to a writable pointer.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn run_into<C: ConfText, T>(
    cfg: *const cni_config,
    ctx: *const cni_context,
    conf: *const c_char,
    rt_json: *const c_char,
    out: *mut *mut c_char,
    out_name: &str,
    op: Op<C, T>,
    show: fn(&T) -> String,
) -> Result<()> {
    // SAFETY: forwarded from the caller's contract.
    let out = unsafe { Out::new(out, out_name) }?;
    // SAFETY: forwarded from the caller's contract.
    let answer = unsafe { run(cfg, ctx, conf, rt_json, op) }?;
    out.set_string(show(&answer));
    Ok(())
}

/// Look `op` up in the attachment's cache; what it finds, shown by `show`,
/// in `*out`, which stays NULL when nothing is cached.
///
/// # Safety
/// As for [`run_into`].
pub(crate) unsafe fn lookup_into<C: ConfText, T>(
    cfg: *const cni_config,
    conf: *const c_char,
    rt_json: *const c_char,
    out: *mut *mut c_char,
    out_name: &str,
    op: Lookup<C, T>,
    show: fn(&T) -> String,
) -> Result<()> {
    // SAFETY: forwarded from the caller's contract.
    let (out, cfg, conf, rt) = unsafe {
        (
            Out::new(out, out_name)?,
            config_arg(cfg)?,
            conf_arg::<C>(conf)?,
            runtime_conf_arg(rt_json)?,
        )
    };
    if let Some(found) = op(&cfg, &conf, &rt)? {
        out.set_string(show(&found));
    }
    Ok(())
}

/// Run `op` on the configuration as a whole.
///
/// # Safety
/// Each pointer is NULL or valid: a live config and context, a
/// NUL-terminated string.
pub(crate) unsafe fn run_whole<C: ConfText, T>(
    cfg: *const cni_config,
    ctx: *const cni_context,
    conf: *const c_char,
    op: Whole<C, T>,
) -> Result<T> {
    // SAFETY: forwarded from the caller's contract.
    let (cfg, conf, ctx) = unsafe { (config_arg(cfg)?, conf_arg::<C>(conf)?, context_arg(ctx)) };
    op(&cfg, &ctx, &conf)
}

/// Validate the configuration; the capabilities it enables, as a JSON
/// array, in `*out`.
///
/// # Safety
/// As for [`run_whole`]; `out` is NULL or points to a writable pointer.
pub(crate) unsafe fn validate_into<C: ConfText>(
    cfg: *const cni_config,
    ctx: *const cni_context,
    conf: *const c_char,
    out: *mut *mut c_char,
    op: Whole<C, Vec<String>>,
) -> Result<()> {
    // SAFETY: forwarded from the caller's contract.
    let out = unsafe { Out::new(out, "capabilities_json_out") }?;
    // SAFETY: forwarded from the caller's contract.
    let caps = unsafe { run_whole(cfg, ctx, conf, op) }?;
    out.set_string(serde_json::Value::from(caps).to_string());
    Ok(())
}
