//! Configuration files and texts (upstream `libcni/conf.go`): listing a
//! directory, loading a network by name, upconverting a `.conf` into a
//! list, injecting values.

use super::attach::conf_arg;
use super::error::cni_error;
use super::ptr::{Out, StrArg};
use super::status::cni_status;
use crate::libcni::{
    conf_files, conf_list_from_conf, inject_conf, load_network_conf, PluginConfig,
};
use std::ffi::c_char;
use std::path::Path;

/// The configuration files in `dir` whose names end in one of
/// `extensions_json` (a JSON array such as `[".conf",".conflist",".json"]`),
/// sorted, as a JSON array of paths in `*files_json_out` (upstream
/// `ConfFiles`). A directory that does not exist gives `[]`; one that cannot
/// be read → `CNI_STATUS_IO`.
#[no_mangle]
pub unsafe extern "C" fn cni_conf_files(
    dir: *const c_char,
    extensions_json: *const c_char,
    files_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `files_json_out` is NULL or points to a writable
        // pointer.
        let out = unsafe { Out::new(files_json_out, "files_json_out") }?;
        // SAFETY: the header's conventions: `dir` is NULL or a NUL-terminated string.
        let dir = unsafe { dir.str_arg("dir") }?;
        // SAFETY: the header's conventions: `extensions_json` is NULL or a NUL-terminated string.
        let exts: Vec<String> = unsafe { extensions_json.json_arg("extensions_json") }?;
        let exts: Vec<&str> = exts.iter().map(String::as_str).collect();
        let files: Vec<String> = conf_files(Path::new(dir), &exts)?
            .into_iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        out.set_string(serde_json::Value::from(files).to_string());
        Ok(())
    })
}

/// The network `name` from the configurations in `dir` (upstream
/// `LoadNetworkConf`): `.conflist` files first, then `.conf`/`.json` files
/// upconverted to a list, each set in sorted order. The list's JSON text
/// (what to pass as `netlist`) in `*netlist_out`. Not found →
/// `CNI_STATUS_NOT_FOUND` with upstream's `no net configuration with name
/// "N" in DIR` (or `no net configurations found in DIR`).
#[no_mangle]
pub unsafe extern "C" fn cni_load_network_conf(
    dir: *const c_char,
    name: *const c_char,
    netlist_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `netlist_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(netlist_out, "netlist_out") }?;
        // SAFETY: the header's conventions: `dir` is NULL or a NUL-terminated string.
        let dir = unsafe { dir.str_arg("dir") }?;
        // SAFETY: the header's conventions: `name` is NULL or a NUL-terminated string.
        let name = unsafe { name.str_arg("name") }?;
        out.set_string(load_network_conf(Path::new(dir), name)?.bytes);
        Ok(())
    })
}

/// A single plugin configuration upconverted to a list holding it
/// (upstream `ConfListFromConf`); the list's JSON text in `*netlist_out`.
#[no_mangle]
pub unsafe extern "C" fn cni_netlist_from_conf(
    netconf: *const c_char,
    netlist_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `netlist_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(netlist_out, "netlist_out") }?;
        // SAFETY: the header's conventions: `netconf` is NULL or a NUL-terminated string.
        let net = unsafe { conf_arg::<PluginConfig>(netconf) }?;
        out.set_string(conf_list_from_conf(&net)?.bytes);
        Ok(())
    })
}

/// `netconf` with the top-level keys of `values_json` (a JSON object) set
/// (upstream `InjectConf`), printed as Go's `encoding/json` prints it:
/// keys sorted, `<`, `>` and `&` escaped. In `*netconf_out`.
#[no_mangle]
pub unsafe extern "C" fn cni_inject_conf(
    netconf: *const c_char,
    values_json: *const c_char,
    netconf_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the header's conventions: `netconf_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(netconf_out, "netconf_out") }?;
        // SAFETY: the header's conventions: `netconf` is NULL or a NUL-terminated string.
        let net = unsafe { conf_arg::<PluginConfig>(netconf) }?;
        let values: serde_json::Map<String, serde_json::Value> =
            // SAFETY: the header's conventions: `values_json` is NULL or a NUL-terminated string.
            unsafe { values_json.json_object_arg("values_json") }?;
        out.set_string(inject_conf(&net, &values)?.bytes);
        Ok(())
    })
}
