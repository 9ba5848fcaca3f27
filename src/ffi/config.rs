//! `cni_config`: the network-list layer's handle (upstream `CNIConfig`) —
//! plugin search paths, an exec, a cache directory and options.

use super::error::cni_error;
use super::exec::cni_exec;
use super::ptr::{Out, RefArg, StrArg};
use super::status::cni_status;
use crate::error::Result;
use crate::libcni::{CniConfig, CniConfigOptions};
use std::ffi::c_char;
use std::sync::{Arc, RwLock};

/// Plugin search paths, the exec that runs plugins, the cache directory and
/// the options of the network-list calls (upstream `CNIConfig`).
///
/// Made by `cni_config_new`, freed with `cni_config_free`. Thread-safe:
/// one config may serve any number of calls on any threads at once; calls
/// on the same attachment (network, container id, ifname) take turns, on a
/// lock file beside its cache entry, across threads and processes.
#[allow(non_camel_case_types)]
pub struct cni_config {
    /// Swapped whole by `cni_config_set_options`; a call clones the `Arc`
    /// and runs with the configuration it found.
    inner: RwLock<Arc<CniConfig>>,
}

impl cni_config {
    /// The configuration a call runs with.
    pub(crate) fn get(&self) -> Arc<CniConfig> {
        self.inner.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The options JSON of `cni_config_set_options`; unknown keys are refused.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct OptionsJson {
    cleanup_on_failure: Option<bool>,
    cache_sync: Option<bool>,
}

/// A new network-list configuration.
///
/// `paths_json`: a JSON array of the directories searched for plugins, in
/// order (required; `[]` is allowed and finds nothing). `cache_dir`: where
/// results are cached; NULL or "" = upstream's default `/var/lib/cni`
/// (a runtime conf's deprecated `cacheDir` is used when this is unset).
/// `exec`: how plugins run; NULL = the default exec. The config keeps its
/// own reference, so `exec` may be freed as soon as this returns.
/// `*out` receives the config (free with `cni_config_free`).
#[no_mangle]
pub unsafe extern "C" fn cni_config_new(
    paths_json: *const c_char,
    cache_dir: *const c_char,
    exec: *const cni_exec,
    out: *mut *mut cni_config,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(out, "out") }?;
        // SAFETY: the header's conventions: `paths_json` is NULL or a NUL-terminated string.
        let paths: Vec<String> = unsafe { paths_json.json_arg("paths_json") }?;
        // SAFETY: the header's conventions: `cache_dir` is NULL or a NUL-terminated string.
        let cache_dir = unsafe { cache_dir.opt_str_arg("cache_dir") }?.filter(|d| !d.is_empty());
        // SAFETY: the header's conventions: `exec` is NULL or a live exec.
        let exec = unsafe { exec.opt() }.map(|e| e.exec.clone());
        let cfg = match cache_dir {
            Some(dir) => CniConfig::with_cache_dir(paths, dir, exec),
            None => CniConfig::new(paths, exec),
        };
        out.set_box(cni_config {
            inner: RwLock::new(Arc::new(cfg)),
        });
        Ok(())
    })
}

/// Change options: `{"cleanupOnFailure":false,"cacheSync":true}`; keys left
/// out keep their value. `cleanupOnFailure`: a failed list ADD runs the
/// list's DEL before returning the ADD's error. `cacheSync`: fsync cache
/// entries and their directory on every write (turn off for a cache on
/// tmpfs). Calls already running keep the options they started with.
/// Unknown keys or wrong types → `CNI_STATUS_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn cni_config_set_options(
    cfg: *mut cni_config,
    options_json: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `cfg` is NULL or a live config.
        let cfg = unsafe { (cfg as *const cni_config).arg("cfg") }?;
        // SAFETY: the header's conventions: `options_json` is NULL or a NUL-terminated string.
        let o: OptionsJson = unsafe { options_json.json_object_arg("options_json") }?;
        let mut slot = cfg.inner.write().unwrap_or_else(|e| e.into_inner());
        let current = slot.options();
        let mut next = (**slot).clone();
        next.set_options(CniConfigOptions {
            cleanup_on_failure: o.cleanup_on_failure.unwrap_or(current.cleanup_on_failure),
            cache_sync: o.cache_sync.unwrap_or(current.cache_sync),
        });
        *slot = Arc::new(next);
        Ok(())
    })
}

/// Free a config. NULL is ignored. Calls still running on other threads
/// must have returned.
#[no_mangle]
pub unsafe extern "C" fn cni_config_free(cfg: *mut cni_config) {
    ffi_boundary!({
        if !cfg.is_null() {
            // SAFETY: the header requires a config from `cni_config_new`,
            // not yet freed.
            drop(unsafe { Box::from_raw(cfg) });
        }
    })
}

/// The config behind a required `cfg` argument.
///
/// # Safety
/// `cfg` is NULL or a live config.
pub(crate) unsafe fn config_arg(cfg: *const cni_config) -> Result<Arc<CniConfig>> {
    // SAFETY: forwarded from the caller's contract.
    Ok(unsafe { cfg.arg("cfg") }?.get())
}
