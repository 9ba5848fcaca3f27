//! Frozen value classes for configurations: `PluginConfig` (one plugin's,
//! a `.conf`) and `NetworkConfigList` (a `.conflist`), each the parsed
//! fields and the bytes they came from, and how operations read their
//! configuration arguments.

use crate::convert;
use crate::errors::check;
use cniinvoke::libcni::{self, NetworkConfigList, PluginConfig};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::path::Path;

/// One plugin's configuration (upstream `PluginConfig`): its `type`,
/// `name`, `cniVersion` and `capabilities`, and the bytes the plugin is
/// sent.
///
/// Immutable. Build one with `PluginConfig.from_bytes(data)` (`bytes`, `str`
/// or a mapping) or `PluginConfig.from_file(path)`; operations also accept
/// those forms directly.
///
/// Example::
///
///     conf = cniinvoke.PluginConfig.from_bytes(
///         {"cniVersion": "1.0.0", "name": "net", "type": "bridge",
///          "capabilities": {"portMappings": True}})
///     assert (conf.type, conf.capabilities) == ("bridge", {"portMappings": True})
#[pyclass(module = "cniinvoke", name = "PluginConfig", frozen)]
pub struct PyPluginConfig {
    pub(crate) inner: PluginConfig,
}

#[pymethods]
impl PyPluginConfig {
    /// Parse a plugin configuration (upstream `ConfFromBytes`); raises
    /// `DecodeError` with upstream's texts (`error parsing configuration:
    /// missing 'type'`...).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = convert::json_doc(data, "data")?;
        let inner = check(py, libcni::conf_from_bytes(&bytes))?;
        Ok(PyPluginConfig { inner })
    }

    /// Read and parse a `.conf` file (upstream `ConfFromFile`); raises
    /// `CNIIOError` when it cannot be read, `DecodeError` when it does not
    /// parse.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let path = convert::path(path, "path")?;
        let inner = check(py, libcni::conf_from_file(Path::new(&path)))?;
        Ok(PyPluginConfig { inner })
    }

    /// The plugin's executable name (JSON `type`).
    #[getter(r#type)]
    fn type_(&self) -> String {
        self.inner.network.type_.clone()
    }

    /// JSON `name` ("" when absent).
    #[getter]
    fn name(&self) -> String {
        self.inner.network.name.clone()
    }

    /// JSON `cniVersion` ("" when absent).
    #[getter]
    fn cni_version(&self) -> String {
        self.inner.network.cni_version.clone()
    }

    /// JSON `capabilities`: capability name to enabled (a new dict each time).
    #[getter]
    fn capabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in &self.inner.network.capabilities {
            d.set_item(k, v)?;
        }
        Ok(d)
    }

    /// The configuration's bytes, as given (what the plugin is sent).
    #[getter]
    fn bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.bytes)
    }

    /// The configuration as plain Python data (`json.loads(self.bytes)`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (self.bytes(py),))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyPluginConfig>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        hash_bytes(&self.inner.bytes)
    }

    fn __repr__(&self) -> String {
        format!(
            "cniinvoke.PluginConfig(type={:?}, name={:?}, cni_version={:?})",
            self.inner.network.type_, self.inner.network.name, self.inner.network.cni_version
        )
    }
}

/// A network configuration list (upstream `NetworkConfigList`): the list's
/// `name`, `cniVersion` and flags, its plugins in order, and the list's own
/// bytes (what the cache stores).
///
/// Immutable. Build one with `NetworkConfigList.from_bytes(data)`,
/// `.from_file(path)`, `.from_conf(plugin)`, or `load_network_conf(dir,
/// name)`; operations also accept `bytes`, `str` or a mapping directly.
///
/// Example::
///
///     netlist = cniinvoke.NetworkConfigList.from_bytes(
///         {"cniVersion": "1.0.0", "name": "net",
///          "plugins": [{"type": "bridge"}, {"type": "portmap"}]})
///     assert [p.type for p in netlist.plugins] == ["bridge", "portmap"]
#[pyclass(module = "cniinvoke", name = "NetworkConfigList", frozen)]
pub struct PyNetworkConfigList {
    pub(crate) inner: NetworkConfigList,
}

impl PyNetworkConfigList {
    pub fn new(inner: NetworkConfigList) -> Self {
        PyNetworkConfigList { inner }
    }
}

#[pymethods]
impl PyNetworkConfigList {
    /// Parse a configuration list (upstream `ConfListFromBytes`); raises
    /// `DecodeError` with upstream's texts (`error parsing configuration
    /// list: no name`...).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = convert::json_doc(data, "data")?;
        Ok(Self::new(check(py, libcni::conf_list_from_bytes(&bytes))?))
    }

    /// Read a `.conflist` file and, unless `loadOnlyInlinedPlugins`, the
    /// `<dir>/<name>/*.conf` plugin files after it (upstream
    /// `ConfListFromFile`).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        let path = convert::path(path, "path")?;
        Ok(Self::new(check(
            py,
            libcni::conf_list_from_file(Path::new(&path)),
        )?))
    }

    /// A one-plugin list made from a plugin configuration (upstream
    /// `ConfListFromConf`); `conf` as `PluginConfig.from_bytes` takes it,
    /// or a `PluginConfig`.
    #[staticmethod]
    fn from_conf(py: Python<'_>, conf: &Bound<'_, PyAny>) -> PyResult<Self> {
        let conf = plugin_arg(py, conf, "conf")?;
        Ok(Self::new(check(py, libcni::conf_list_from_conf(&conf))?))
    }

    /// JSON `name`.
    #[getter]
    fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// JSON `cniVersion` (the highest supported of `cniVersions` when given).
    #[getter]
    fn cni_version(&self) -> String {
        self.inner.cni_version.clone()
    }

    /// JSON `disableCheck`: CHECK does nothing.
    #[getter]
    fn disable_check(&self) -> bool {
        self.inner.disable_check
    }

    /// JSON `disableGC`: GC does nothing.
    #[getter]
    fn disable_gc(&self) -> bool {
        self.inner.disable_gc
    }

    /// JSON `loadOnlyInlinedPlugins`: no `<dir>/<name>/*.conf` files.
    #[getter]
    fn load_only_inlined_plugins(&self) -> bool {
        self.inner.load_only_inlined_plugins
    }

    /// The plugins, in order (a new list of `PluginConfig` each time).
    #[getter]
    fn plugins(&self) -> Vec<PyPluginConfig> {
        self.inner
            .plugins
            .iter()
            .map(|p| PyPluginConfig { inner: p.clone() })
            .collect()
    }

    /// The list's bytes, as given (what the cache stores as `config`).
    #[getter]
    fn bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.bytes)
    }

    /// The list as plain Python data (`json.loads(self.bytes)`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?.call_method1("loads", (self.bytes(py),))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyNetworkConfigList>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        hash_bytes(&self.inner.bytes)
    }

    fn __repr__(&self) -> String {
        let types: Vec<&str> = self
            .inner
            .plugins
            .iter()
            .map(|p| p.network.type_.as_str())
            .collect();
        format!(
            "cniinvoke.NetworkConfigList(name={:?}, cni_version={:?}, plugins={types:?})",
            self.inner.name, self.inner.cni_version
        )
    }
}

fn hash_bytes(b: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    b.hash(&mut h);
    h.finish()
}

/// A plugin configuration argument: a `PluginConfig`, or `bytes`, `str` or
/// a mapping parsed as `PluginConfig.from_bytes` does.
pub fn plugin_arg(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<PluginConfig> {
    if let Ok(c) = obj.cast::<PyPluginConfig>() {
        return Ok(c.get().inner.clone());
    }
    let bytes = json_arg(obj, what, "PluginConfig")?;
    check(py, libcni::conf_from_bytes(&bytes))
}

/// A configuration list argument: a `NetworkConfigList`, or `bytes`, `str`
/// or a mapping parsed as `NetworkConfigList.from_bytes` does.
pub fn list_arg(py: Python<'_>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<NetworkConfigList> {
    if let Ok(c) = obj.cast::<PyNetworkConfigList>() {
        return Ok(c.get().inner.clone());
    }
    let bytes = json_arg(obj, what, "NetworkConfigList")?;
    check(py, libcni::conf_list_from_bytes(&bytes))
}

/// The JSON document of a configuration argument; a mapping that does not
/// serialise keeps `json.dumps`'s own error.
fn json_arg(obj: &Bound<'_, PyAny>, what: &str, class: &str) -> PyResult<Vec<u8>> {
    convert::json_doc(obj, what).map_err(|e| {
        if obj.hasattr("keys").unwrap_or(false) {
            return e;
        }
        pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must be a cniinvoke.{class}, bytes, str or a mapping, not {}",
            convert::type_name(obj)
        ))
    })
}
