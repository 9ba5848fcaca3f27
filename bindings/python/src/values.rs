//! Frozen value classes: `Result` (a typed CNI result) and `PluginInfo`.

use crate::convert;
use crate::errors::check;
use cniinvoke::types::CniResult;
use cniinvoke::version::PluginInfo;
use pyo3::prelude::*;

fn json_loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (text,))
}

/// A plugin's result, typed by its CNI version (upstream `types.Result`).
///
/// Immutable. `Result.from_json(data)` builds one from `bytes`, `str` or a
/// mapping holding a `cniVersion`; `as_version(v)` converts it to any
/// supported version as upstream converts.
///
/// Example::
///
///     r = cniinvoke.Result.from_json(
///         {"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.2/24"}]})
///     assert r.as_version("0.4.0").to_dict()["ips"][0]["version"] == "4"
#[pyclass(module = "cniinvoke", name = "Result", frozen)]
pub struct PyCniResult {
    pub(crate) inner: CniResult,
}

impl PyCniResult {
    pub fn new(inner: CniResult) -> Self {
        PyCniResult { inner }
    }
}

#[pymethods]
impl PyCniResult {
    /// Decode a result from `bytes`, `str` or a mapping; its `cniVersion`
    /// (missing = 0.1.0) picks the type.
    #[staticmethod]
    fn from_json(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = convert::json_doc(data, "data")?;
        Ok(PyCniResult::new(check(py, CniResult::from_json(&bytes))?))
    }

    /// The CNI version of this result, e.g. `"1.0.0"`.
    #[getter]
    fn cni_version(&self) -> String {
        self.inner.cni_version().to_string()
    }

    /// The result as JSON text: compact with upstream's field order (as Go's
    /// `json.Marshal` writes it), or indented with `pretty=True`.
    #[pyo3(signature = (pretty=false))]
    fn to_json(&self, pretty: bool) -> String {
        if pretty {
            self.inner.to_json_pretty()
        } else {
            self.inner.to_json()
        }
    }

    /// The result as plain Python data (`json.loads(self.to_json())`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.inner.to_json())
    }

    /// This result converted to CNI version `version`; raises
    /// `UnsupportedVersionError` for a version it cannot be converted to.
    fn as_version(&self, py: Python<'_>, version: &str) -> PyResult<Self> {
        Ok(PyCniResult::new(check(py, self.inner.convert_to(version))?))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyCniResult>().is_ok_and(|o| {
            let o = o.get();
            self.inner.cni_version() == o.inner.cni_version()
                && self.inner.to_json() == o.inner.to_json()
        })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.to_json().hash(&mut h);
        h.finish()
    }

    fn __str__(&self) -> String {
        self.inner.to_json()
    }

    fn __repr__(&self) -> String {
        format!("cniinvoke.Result.from_json({:?})", self.inner.to_json())
    }
}

/// Which CNI spec versions a plugin supports (upstream
/// `version.PluginInfo`), as `get_version_info` reports it.
///
/// Immutable. `PluginInfo(cni_version, supported_versions)` builds one (for
/// a fake executor's `decode`); `PluginInfo.decode(data)` decodes a plugin's
/// `VERSION` output.
#[pyclass(module = "cniinvoke", name = "PluginInfo", frozen)]
pub struct PyPluginInfo {
    cni_version: String,
    supported_versions: Vec<String>,
}

impl PyPluginInfo {
    pub fn from_core(p: &PluginInfo) -> Self {
        PyPluginInfo {
            cni_version: p.cni_version().to_string(),
            supported_versions: p
                .supported_versions()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }

    fn json(&self) -> String {
        serde_json::json!({
            "cniVersion": self.cni_version,
            "supportedVersions": self.supported_versions,
        })
        .to_string()
    }

    /// The core's view of this report (for a Python executor's `decode`).
    pub fn to_core(&self) -> PluginInfo {
        PluginInfo::decode(self.json().as_bytes()).unwrap_or_else(|_| {
            let v: Vec<&str> = self.supported_versions.iter().map(String::as_str).collect();
            PluginInfo::supports(&v)
        })
    }
}

#[pymethods]
impl PyPluginInfo {
    #[new]
    #[pyo3(signature = (cni_version, supported_versions))]
    fn new(cni_version: String, supported_versions: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyPluginInfo {
            cni_version,
            supported_versions: convert::str_list(supported_versions, "supported_versions")?,
        })
    }

    /// Decode a plugin's `VERSION` output (`bytes`, `str` or a mapping) as
    /// upstream's decoder does; raises `DecodeError`.
    #[staticmethod]
    fn decode(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = convert::json_doc(data, "data")?;
        Ok(PyPluginInfo::from_core(&check(
            py,
            PluginInfo::decode(&bytes),
        )?))
    }

    /// The CNI version the report is written in.
    #[getter]
    fn cni_version(&self) -> String {
        self.cni_version.clone()
    }

    /// The spec versions the plugin supports (a new list each time).
    #[getter]
    fn supported_versions(&self) -> Vec<String> {
        self.supported_versions.clone()
    }

    /// The report as JSON text.
    fn to_json(&self) -> String {
        self.json()
    }

    /// The report as plain Python data.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_loads(py, &self.json())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyPluginInfo>().is_ok_and(|o| {
            let o = o.get();
            o.cni_version == self.cni_version && o.supported_versions == self.supported_versions
        })
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.cni_version.hash(&mut h);
        self.supported_versions.hash(&mut h);
        h.finish()
    }

    fn __repr__(&self) -> String {
        format!(
            "cniinvoke.PluginInfo(cni_version={:?}, supported_versions={:?})",
            self.cni_version, self.supported_versions
        )
    }
}
