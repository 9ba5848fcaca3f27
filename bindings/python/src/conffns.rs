//! The configuration functions of upstream `libcni/conf.go`: loading from
//! a directory, listing configuration files, injecting keys, making a list
//! of one plugin.

use crate::convert;
use crate::errors::check;
use crate::netconf::{plugin_arg, PyNetworkConfigList, PyPluginConfig};
use cniinvoke::libcni;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyMapping;
use std::path::Path;

/// The network `name` from directory `dir` (upstream `LoadNetworkConf`):
/// the first `.conflist` (sorted) of that name, else the `.conf` / `.json`
/// file of that name as a one-plugin list. Raises `ConfigNotFoundError`
/// (`no net configuration with name "n" in DIR`, or `no net configurations
/// found in DIR`), `CNIIOError` or `DecodeError`.
#[pyfunction]
pub fn load_network_conf(
    py: Python<'_>,
    dir: &Bound<'_, PyAny>,
    name: &str,
) -> PyResult<PyNetworkConfigList> {
    let dir = convert::path(dir, "dir")?;
    let list = check(py, libcni::load_network_conf(Path::new(&dir), name))?;
    Ok(PyNetworkConfigList::new(list))
}

/// The plugin configuration `name` from the `.conf` / `.json` files of
/// `dir` (upstream's deprecated `LoadConf`).
#[pyfunction]
pub fn load_conf(py: Python<'_>, dir: &Bound<'_, PyAny>, name: &str) -> PyResult<PyPluginConfig> {
    let dir = convert::path(dir, "dir")?;
    let inner = check(py, libcni::load_conf(Path::new(&dir), name))?;
    Ok(PyPluginConfig { inner })
}

/// The files of `dir` (not directories) whose extension is one of
/// `extensions` (e.g. `[".conf", ".json"]`), as paths in name order
/// (upstream `ConfFiles`). A missing directory has none.
#[pyfunction]
#[pyo3(signature = (dir, extensions=None))]
pub fn conf_files(
    py: Python<'_>,
    dir: &Bound<'_, PyAny>,
    extensions: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<String>> {
    let dir = convert::path(dir, "dir")?;
    let exts = match extensions.filter(|e| !e.is_none()) {
        Some(e) => convert::str_list(e, "extensions")?,
        None => vec![".conf".into(), ".conflist".into(), ".json".into()],
    };
    let exts: Vec<&str> = exts.iter().map(String::as_str).collect();
    let files = check(py, libcni::conf_files(Path::new(&dir), &exts))?;
    Ok(files
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect())
}

/// `conf` (a `PluginConfig`, bytes, str or mapping) with the keys of
/// `new_values` (a mapping of JSON values) set, re-encoded as upstream's
/// Go does (sorted keys) and parsed again (upstream `InjectConf`).
#[pyfunction]
pub fn inject_conf(
    py: Python<'_>,
    conf: &Bound<'_, PyAny>,
    new_values: &Bound<'_, PyAny>,
) -> PyResult<PyPluginConfig> {
    let conf = plugin_arg(py, conf, "conf")?;
    let values = values_map(new_values)?;
    let inner = check(py, libcni::inject_conf(&conf, &values))?;
    Ok(PyPluginConfig { inner })
}

/// A one-plugin list made from `conf` (upstream `ConfListFromConf`).
#[pyfunction]
pub fn conf_list_from_conf(
    py: Python<'_>,
    conf: &Bound<'_, PyAny>,
) -> PyResult<PyNetworkConfigList> {
    let conf = plugin_arg(py, conf, "conf")?;
    Ok(PyNetworkConfigList::new(check(
        py,
        libcni::conf_list_from_conf(&conf),
    )?))
}

fn values_map(obj: &Bound<'_, PyAny>) -> PyResult<serde_json::Map<String, serde_json::Value>> {
    let err = || {
        PyTypeError::new_err(format!(
            "new_values must be a mapping of JSON values, not {}",
            convert::type_name(obj)
        ))
    };
    if obj.cast::<PyMapping>().is_err() {
        return Err(err());
    }
    let bytes = convert::json_doc(obj, "new_values")?;
    match serde_json::from_slice(&bytes) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        _ => Err(err()),
    }
}
