//! `RuntimeConf` (one attachment's arguments), `NetworkAttachment` (an
//! attachment found in the cache) and the GC's valid attachments, between
//! Python and the core.

use crate::convert;
use cniinvoke::libcni::{GcArgs, GcAttachment, NetworkAttachment, RuntimeConf};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyMapping, PyString};
use serde_json::{Map, Value};

/// The arguments of one attachment (upstream `RuntimeConf`).
///
/// Immutable. Arguments:
///     container_id: `CNI_CONTAINERID`.
///     netns: `CNI_NETNS`, a path (str or `os.PathLike`).
///     if_name: `CNI_IFNAME`.
///     args: `CNI_ARGS` pairs, a sequence of `(key, value)` or a mapping.
///     capability_args: a mapping of JSON values; each plugin gets as
///         `runtimeConfig` those it declares in its `capabilities`.
///     cache_dir: upstream's deprecated per-call cache directory, used when
///         the `CNIConfig` has none.
///
/// Raises `TypeError` for arguments of the wrong type.
///
/// Example::
///
///     rt = cniinvoke.RuntimeConf(
///         container_id="ctr-1", netns="/var/run/netns/ctr-1", if_name="eth0",
///         args={"K8S_POD_NAME": "web"},
///         capability_args={"portMappings": [{"hostPort": 8080,
///                           "containerPort": 80, "protocol": "tcp"}]})
#[pyclass(module = "cniinvoke", name = "RuntimeConf", frozen)]
pub struct PyRuntimeConf {
    pub(crate) inner: RuntimeConf,
}

#[pymethods]
impl PyRuntimeConf {
    #[new]
    #[pyo3(signature = (container_id="", netns=None, if_name="", args=None, capability_args=None, cache_dir=None))]
    fn new(
        container_id: &str,
        netns: Option<&Bound<'_, PyAny>>,
        if_name: &str,
        args: Option<&Bound<'_, PyAny>>,
        capability_args: Option<&Bound<'_, PyAny>>,
        cache_dir: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let args = match args.filter(|a| !a.is_none()) {
            Some(a) => pairs(a, "args")?,
            None => Vec::new(),
        };
        let capability_args = match capability_args.filter(|c| !c.is_none()) {
            Some(c) => json_object(c, "capability_args")?,
            None => Map::new(),
        };
        let cache_dir = match cache_dir.filter(|c| !c.is_none()) {
            Some(c) => convert::path(c, "cache_dir")?,
            None => String::new(),
        };
        Ok(PyRuntimeConf {
            inner: RuntimeConf {
                container_id: container_id.into(),
                netns: match netns.filter(|n| !n.is_none()) {
                    Some(n) => convert::path(n, "netns")?,
                    None => String::new(),
                },
                if_name: if_name.into(),
                args,
                capability_args,
                cache_dir,
                ..RuntimeConf::default()
            },
        })
    }

    /// `CNI_CONTAINERID`.
    #[getter]
    fn container_id(&self) -> String {
        self.inner.container_id.clone()
    }

    /// `CNI_NETNS`.
    #[getter]
    fn netns(&self) -> String {
        self.inner.netns.clone()
    }

    /// `CNI_IFNAME`.
    #[getter]
    fn if_name(&self) -> String {
        self.inner.if_name.clone()
    }

    /// `CNI_ARGS` as a list of `(key, value)` tuples.
    #[getter]
    fn args(&self) -> Vec<(String, String)> {
        self.inner.args.clone()
    }

    /// The capability arguments (a new dict each time).
    #[getter]
    fn capability_args<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.capability_args)
    }

    /// The deprecated per-call cache directory ("" = none).
    #[getter]
    fn cache_dir(&self) -> String {
        self.inner.cache_dir.clone()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyRuntimeConf>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = &self.inner;
        Ok(format!(
            "cniinvoke.RuntimeConf(container_id={}, netns={}, if_name={}, args={}, capability_args={}, cache_dir={})",
            convert::repr_of(py, &r.container_id),
            convert::repr_of(py, &r.netns),
            convert::repr_of(py, &r.if_name),
            convert::repr_of(py, &r.args),
            convert::repr_of(py, self.capability_args(py)?),
            convert::repr_of(py, &r.cache_dir),
        ))
    }
}

impl PyRuntimeConf {
    pub fn new_core(inner: RuntimeConf) -> Self {
        PyRuntimeConf { inner }
    }
}

/// An `rt` argument: a `RuntimeConf`, or a mapping of its keyword
/// arguments.
pub fn rt_arg(obj: &Bound<'_, PyAny>) -> PyResult<RuntimeConf> {
    if let Ok(r) = obj.cast::<PyRuntimeConf>() {
        return Ok(r.get().inner.clone());
    }
    if obj.cast::<PyMapping>().is_ok() {
        let kwargs = PyDict::new(obj.py());
        kwargs.update(obj.cast::<PyMapping>()?)?;
        let made = obj
            .py()
            .get_type::<PyRuntimeConf>()
            .call((), Some(&kwargs))?;
        return Ok(made.cast::<PyRuntimeConf>()?.get().inner.clone());
    }
    Err(PyTypeError::new_err(format!(
        "rt must be a cniinvoke.RuntimeConf or a mapping of its arguments, not {}",
        convert::type_name(obj)
    )))
}

/// An attachment found in the cache (upstream `NetworkAttachment`), as
/// `CNIConfig.get_cached_attachments` returns them. Immutable.
#[pyclass(module = "cniinvoke", name = "NetworkAttachment", frozen)]
pub struct PyNetworkAttachment {
    inner: NetworkAttachment,
}

impl PyNetworkAttachment {
    pub fn new(inner: NetworkAttachment) -> Self {
        PyNetworkAttachment { inner }
    }
}

#[pymethods]
impl PyNetworkAttachment {
    /// The container id of the attachment.
    #[getter]
    fn container_id(&self) -> String {
        self.inner.container_id.clone()
    }

    /// The network (list) name.
    #[getter]
    fn network(&self) -> String {
        self.inner.network.clone()
    }

    /// The interface name.
    #[getter]
    fn if_name(&self) -> String {
        self.inner.if_name.clone()
    }

    /// The cached configuration bytes (the list's, for a list).
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.config)
    }

    /// The network namespace the ADD was given.
    #[getter]
    fn netns(&self) -> String {
        self.inner.netns.clone()
    }

    /// The ADD's `CNI_ARGS` pairs.
    #[getter]
    fn cni_args(&self) -> Vec<(String, String)> {
        self.inner.cni_args.clone()
    }

    /// The ADD's capability arguments (a new dict each time).
    #[getter]
    fn capability_args<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.capability_args)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyNetworkAttachment>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "<cniinvoke.NetworkAttachment network={:?} container_id={:?} if_name={:?}>",
            self.inner.network, self.inner.container_id, self.inner.if_name
        )
    }
}

/// `valid_attachments=` of a GC: None (no arguments), or an iterable of
/// `(container_id, if_name)` pairs or mappings with `containerID` and
/// `ifname` (the JSON form).
pub fn gc_args(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<GcArgs>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let err = |o: &Bound<'_, PyAny>| {
        PyTypeError::new_err(format!(
            "valid_attachments must be an iterable of (container_id, if_name) pairs or mappings with \"containerID\" and \"ifname\", not {}",
            convert::type_name(o)
        ))
    };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(err(obj));
    }
    let mut valid = Vec::new();
    for item in obj.try_iter().map_err(|_| err(obj))? {
        let item = item?;
        let (container_id, if_name): (String, String) = match item.cast::<PyMapping>() {
            Ok(m) => (
                m.get_item("containerID")?.extract()?,
                m.get_item("ifname")?.extract()?,
            ),
            Err(_) => item.extract().map_err(|_| err(&item))?,
        };
        valid.push(GcAttachment {
            container_id,
            if_name,
        });
    }
    Ok(Some(GcArgs {
        valid_attachments: valid,
    }))
}

/// `(key, value)` string pairs from a sequence of pairs or a mapping.
fn pairs(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<(String, String)>> {
    let err = || {
        PyTypeError::new_err(format!(
            "{what} must be a sequence of (key, value) str pairs or a mapping, not {}",
            convert::type_name(obj)
        ))
    };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(err());
    }
    let items = match obj.cast::<PyMapping>() {
        Ok(m) => m.items()?.into_any(),
        Err(_) => obj.clone(),
    };
    let mut out = Vec::new();
    for item in items.try_iter().map_err(|_| err())? {
        let item = item?;
        let pair = item.extract::<(String, String)>().or_else(|_| {
            match item.extract::<Vec<String>>() {
                Ok(v) if v.len() == 2 => Ok((v[0].clone(), v[1].clone())),
                _ => Err(err()),
            }
        })?;
        out.push(pair);
    }
    Ok(out)
}

/// A mapping of JSON values as a JSON object (through `json.dumps`).
fn json_object(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Map<String, Value>> {
    let bytes = convert::json_doc(obj, what)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(PyTypeError::new_err(format!(
            "{what} must be a mapping of JSON values, not {}",
            convert::type_name(obj)
        ))),
    }
}

fn to_python<'py>(py: Python<'py>, m: &Map<String, Value>) -> PyResult<Bound<'py, PyAny>> {
    let text = Value::Object(m.clone()).to_string();
    py.import("json")?.call_method1("loads", (text,))
}
