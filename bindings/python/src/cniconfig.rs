//! `CNIConfig`: upstream `libcni.CNIConfig` for Python. Each operation
//! converts its arguments, makes one core call (the whole chain) with the
//! GIL released under the call's context, and converts back.

use crate::context::{Call, PyContext};
use crate::convert;
use crate::exec::ExecArg;
use crate::netconf::{list_arg, plugin_arg};
use crate::runtime::{gc_args, rt_arg, PyNetworkAttachment, PyRuntimeConf};
use crate::values::{PyCniResult, PyPluginInfo};
use cniinvoke::libcni::{CachedConfig, CniConfig, CniConfigOptions};
use cniinvoke::Context;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

type Ctx<'a> = Option<PyRef<'a, PyContext>>;
type Timeout<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

/// Runs network configuration lists and single plugin configurations
/// (upstream `libcni.CNIConfig`).
///
/// `CNIConfig(path=(), cache_dir=None, exec=None, cleanup_on_failure=False,
/// *, cache_sync=True)`: plugins are searched on `path`, run by `exec` (a
/// `RawExec`, `DefaultExec` or any object with `exec_plugin`,
/// `find_in_path` and `decode`; None = the library's default), results
/// cached in `cache_dir` (None: the `RuntimeConf`'s deprecated `cache_dir`,
/// else `/var/lib/cni`). `cleanup_on_failure=True` makes a failed ADD run
/// the list's DEL before raising the ADD's error; `cache_sync=False` skips
/// fsync of cache entries (a cache on tmpfs).
///
/// Every operation takes `ctx=` and `timeout=` (seconds) bounding the
/// whole chain, releases the GIL while it runs, and on Ctrl-C, cancellation
/// or timeout kills the running plugin, leaving the cache as it was before
/// that plugin. One object may be used from any number of threads; two
/// operations on one attachment (network, container id, interface) run one
/// after the other, also across processes. A list failure raises the class
/// of the failing plugin's error (`plugin type="T" failed (add): ...`)
/// with that error as `__cause__`.
#[pyclass(module = "cniinvoke", name = "CNIConfig", frozen)]
pub struct PyCniConfig {
    path: Vec<String>,
    cache_dir: Option<String>,
    exec: Option<Py<PyAny>>,
    options: CniConfigOptions,
}

/// The error of a context already done (for the operations that do not
/// run plugins and so take no context in the core).
fn live(ctx: &Context) -> cniinvoke::Result<()> {
    match ctx.err() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

impl PyCniConfig {
    /// Run `f` on a core `CniConfig` with this object's settings and the
    /// executor of `exec=`, under the context of `ctx=`/`timeout=`, with
    /// the GIL released.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
        f: impl FnOnce(&CniConfig, &Context) -> cniinvoke::Result<T> + Send,
    ) -> PyResult<(T, ExecArg)> {
        let timeout = convert::seconds(timeout, "timeout")?;
        let call = Call::new(ctx.as_deref(), timeout);
        let exec = ExecArg::new(self.exec.as_ref().map(|e| e.bind(py)), &call)?;
        let mut cfg = CniConfig::with_cache_dir(
            self.path.clone(),
            self.cache_dir.clone().unwrap_or_default(),
            exec.shared(py),
        );
        cfg.set_options(self.options);
        crate::logging::sync(py)?;
        let out = py.detach(|| f(&cfg, &call.ctx));
        // The executor's Python references are released with the GIL held.
        drop(cfg);
        call.finish(py, out).map(|v| (v, exec))
    }

    /// As [`PyCniConfig::run`], for a value only.
    fn call<T: Send>(
        &self,
        py: Python<'_>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
        f: impl FnOnce(&CniConfig, &Context) -> cniinvoke::Result<T> + Send,
    ) -> PyResult<T> {
        self.run(py, ctx, timeout, f).map(|(v, _)| v)
    }
}

/// A cached configuration as Python's `(config_bytes, RuntimeConf)`.
fn cached_pair(py: Python<'_>, c: CachedConfig) -> (Bound<'_, PyBytes>, PyRuntimeConf) {
    (
        PyBytes::new(py, &c.config),
        PyRuntimeConf::new_core(c.runtime_conf),
    )
}

#[pymethods]
impl PyCniConfig {
    #[new]
    #[pyo3(signature = (path=None, cache_dir=None, exec=None, cleanup_on_failure=false, *, cache_sync=true))]
    fn new(
        path: Option<&Bound<'_, PyAny>>,
        cache_dir: Option<&Bound<'_, PyAny>>,
        exec: Option<&Bound<'_, PyAny>>,
        cleanup_on_failure: bool,
        cache_sync: bool,
    ) -> PyResult<Self> {
        let path = match path.filter(|p| !p.is_none()) {
            Some(p) => convert::str_list(p, "path")?,
            None => Vec::new(),
        };
        let cache_dir = match cache_dir.filter(|c| !c.is_none()) {
            Some(c) => Some(convert::path(c, "cache_dir")?),
            None => None,
        };
        let exec = exec.filter(|e| !e.is_none());
        if let Some(e) = exec {
            // Refuse a wrong exec= now rather than at the first call.
            ExecArg::new(Some(e), &Call::new(None, None))?;
        }
        Ok(PyCniConfig {
            path,
            cache_dir,
            exec: exec.map(|e| e.clone().unbind()),
            options: CniConfigOptions {
                cleanup_on_failure,
                cache_sync,
            },
        })
    }

    /// The plugin search path (a new list each time).
    #[getter]
    fn path(&self) -> Vec<String> {
        self.path.clone()
    }

    /// The cache directory given, or None.
    #[getter]
    fn cache_dir(&self) -> Option<String> {
        self.cache_dir.clone()
    }

    /// The executor given, or None (the library's default).
    #[getter]
    fn exec(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.exec.as_ref().map(|e| e.clone_ref(py))
    }

    /// Whether a failed ADD runs the list's DEL.
    #[getter]
    fn cleanup_on_failure(&self) -> bool {
        self.options.cleanup_on_failure
    }

    /// Whether cache entries are fsynced.
    #[getter]
    fn cache_sync(&self) -> bool {
        self.options.cache_sync
    }

    /// ADD the list for `rt`: each plugin in order, each result the next
    /// one's `prevResult`; the final result is cached and returned
    /// (upstream `AddNetworkList`).
    #[pyo3(signature = (netlist, rt, *, ctx=None, timeout=None))]
    fn add_network_list(
        &self,
        py: Python<'_>,
        netlist: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<PyCniResult> {
        let (list, rt) = (list_arg(py, netlist, "netlist")?, rt_arg(rt)?);
        let r = self.call(py, ctx, timeout, |c, x| c.add_network_list(x, &list, &rt))?;
        Ok(PyCniResult::new(r))
    }

    /// CHECK the list for `rt` against its cached result (upstream
    /// `CheckNetworkList`); nothing runs with `disableCheck`.
    #[pyo3(signature = (netlist, rt, *, ctx=None, timeout=None))]
    fn check_network_list(
        &self,
        py: Python<'_>,
        netlist: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<()> {
        let (list, rt) = (list_arg(py, netlist, "netlist")?, rt_arg(rt)?);
        self.call(py, ctx, timeout, |c, x| c.check_network_list(x, &list, &rt))
    }

    /// DEL the list for `rt`: plugins in reverse order, then the cache entry
    /// is removed (upstream `DelNetworkList`).
    #[pyo3(signature = (netlist, rt, *, ctx=None, timeout=None))]
    fn del_network_list(
        &self,
        py: Python<'_>,
        netlist: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<()> {
        let (list, rt) = (list_arg(py, netlist, "netlist")?, rt_arg(rt)?);
        self.call(py, ctx, timeout, |c, x| c.del_network_list(x, &list, &rt))
    }

    /// The cached result of the list's last ADD for `rt`, in the list's
    /// version, or None (upstream `GetNetworkListCachedResult`).
    #[pyo3(signature = (netlist, rt, *, ctx=None, timeout=None))]
    fn get_network_list_cached_result(
        &self,
        py: Python<'_>,
        netlist: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<Option<PyCniResult>> {
        let (list, rt) = (list_arg(py, netlist, "netlist")?, rt_arg(rt)?);
        let r = self.call(py, ctx, timeout, |c, x| {
            live(x)?;
            c.get_network_list_cached_result(&list, &rt)
        })?;
        Ok(r.map(PyCniResult::new))
    }

    /// `(config_bytes, RuntimeConf)` of the list's last ADD for `rt` (the
    /// cached `args` and `capability_args` filled in), or None (upstream
    /// `GetNetworkListCachedConfig`).
    #[pyo3(signature = (netlist, rt, *, ctx=None, timeout=None))]
    fn get_network_list_cached_config<'py>(
        &self,
        py: Python<'py>,
        netlist: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<Option<(Bound<'py, PyBytes>, PyRuntimeConf)>> {
        let (list, rt) = (list_arg(py, netlist, "netlist")?, rt_arg(rt)?);
        let r = self.call(py, ctx, timeout, |c, x| {
            live(x)?;
            c.get_network_list_cached_config(&list, &rt)
        })?;
        Ok(r.map(|c| cached_pair(py, c)))
    }

    /// Check that every plugin of the list is found and supports the list's
    /// version; the capabilities the plugins enable, sorted (upstream
    /// `ValidateNetworkList`).
    #[pyo3(signature = (netlist, *, ctx=None, timeout=None))]
    fn validate_network_list(
        &self,
        py: Python<'_>,
        netlist: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<Vec<String>> {
        let list = list_arg(py, netlist, "netlist")?;
        self.call(py, ctx, timeout, |c, x| c.validate_network_list(x, &list))
    }

    /// GC the list (upstream `GCNetworkList`): DEL every cached attachment
    /// of the network not in `valid_attachments` (an iterable of
    /// `(container_id, if_name)` or `{"containerID", "ifname"}`; None: no
    /// arguments, every one), then, from 1.1.0, each plugin's GC. Errors are
    /// joined, one per line.
    #[pyo3(signature = (netlist, valid_attachments=None, *, ctx=None, timeout=None))]
    fn gc_network_list(
        &self,
        py: Python<'_>,
        netlist: &Bound<'_, PyAny>,
        valid_attachments: Option<&Bound<'_, PyAny>>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<()> {
        let list = list_arg(py, netlist, "netlist")?;
        let args = gc_args(valid_attachments)?;
        self.call(py, ctx, timeout, |c, x| {
            c.gc_network_list(x, &list, args.as_ref())
        })
    }

    /// STATUS of every plugin in order (upstream `GetStatusNetworkList`);
    /// the first failure raised as the plugin's own error.
    #[pyo3(signature = (netlist, *, ctx=None, timeout=None))]
    fn get_status_network_list(
        &self,
        py: Python<'_>,
        netlist: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<()> {
        let list = list_arg(py, netlist, "netlist")?;
        self.call(py, ctx, timeout, |c, x| c.get_status_network_list(x, &list))
    }

    /// The attachments in the cache (of `container_id` only, unless "");
    /// unreadable entries are skipped (upstream `GetCachedAttachments`).
    #[pyo3(signature = (container_id="", *, ctx=None, timeout=None))]
    fn get_cached_attachments(
        &self,
        py: Python<'_>,
        container_id: &str,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<Vec<PyNetworkAttachment>> {
        let found = self.call(py, ctx, timeout, |c, x| {
            live(x)?;
            c.get_cached_attachments(container_id)
        })?;
        Ok(found.into_iter().map(PyNetworkAttachment::new).collect())
    }

    /// The versions plugin `plugin_type` supports: found on the path and
    /// asked with `VERSION` (upstream `GetVersionInfo`).
    #[pyo3(signature = (plugin_type, *, ctx=None, timeout=None))]
    fn get_version_info(
        &self,
        py: Python<'_>,
        plugin_type: &str,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<Py<PyAny>> {
        let (info, exec) = self.run(py, ctx, timeout, |c, x| c.get_version_info(x, plugin_type))?;
        // What a Python executor's decode() returned, as upstream returns it.
        if let Some(obj) = exec.decoded() {
            return Ok(obj);
        }
        Ok(Py::new(py, PyPluginInfo::from_core(&info))?.into_any())
    }

    /// ADD one plugin configuration (`net`: a `PluginConfig`, bytes, str or
    /// mapping) for `rt` and cache its result (upstream `AddNetwork`;
    /// errors are the plugin's own).
    #[pyo3(signature = (net, rt, *, ctx=None, timeout=None))]
    fn add_network(
        &self,
        py: Python<'_>,
        net: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<PyCniResult> {
        let (net, rt) = (plugin_arg(py, net, "net")?, rt_arg(rt)?);
        let r = self.call(py, ctx, timeout, |c, x| c.add_network(x, &net, &rt))?;
        Ok(PyCniResult::new(r))
    }

    /// CHECK one plugin configuration (upstream `CheckNetwork`).
    #[pyo3(signature = (net, rt, *, ctx=None, timeout=None))]
    fn check_network(
        &self,
        py: Python<'_>,
        net: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<()> {
        let (net, rt) = (plugin_arg(py, net, "net")?, rt_arg(rt)?);
        self.call(py, ctx, timeout, |c, x| c.check_network(x, &net, &rt))
    }

    /// DEL one plugin configuration (upstream `DelNetwork`).
    #[pyo3(signature = (net, rt, *, ctx=None, timeout=None))]
    fn del_network(
        &self,
        py: Python<'_>,
        net: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<()> {
        let (net, rt) = (plugin_arg(py, net, "net")?, rt_arg(rt)?);
        self.call(py, ctx, timeout, |c, x| c.del_network(x, &net, &rt))
    }

    /// The cached result of one plugin configuration's ADD, or None
    /// (upstream `GetNetworkCachedResult`).
    #[pyo3(signature = (net, rt, *, ctx=None, timeout=None))]
    fn get_network_cached_result(
        &self,
        py: Python<'_>,
        net: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<Option<PyCniResult>> {
        let (net, rt) = (plugin_arg(py, net, "net")?, rt_arg(rt)?);
        let r = self.call(py, ctx, timeout, |c, x| {
            live(x)?;
            c.get_network_cached_result(&net, &rt)
        })?;
        Ok(r.map(PyCniResult::new))
    }

    /// `(config_bytes, RuntimeConf)` of one plugin configuration's ADD, or
    /// None (upstream `GetNetworkCachedConfig`).
    #[pyo3(signature = (net, rt, *, ctx=None, timeout=None))]
    fn get_network_cached_config<'py>(
        &self,
        py: Python<'py>,
        net: &Bound<'_, PyAny>,
        rt: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<Option<(Bound<'py, PyBytes>, PyRuntimeConf)>> {
        let (net, rt) = (plugin_arg(py, net, "net")?, rt_arg(rt)?);
        let r = self.call(py, ctx, timeout, |c, x| {
            live(x)?;
            c.get_network_cached_config(&net, &rt)
        })?;
        Ok(r.map(|c| cached_pair(py, c)))
    }

    /// Check one plugin configuration as `validate_network_list` does; its
    /// enabled capabilities (upstream `ValidateNetwork`).
    #[pyo3(signature = (net, *, ctx=None, timeout=None))]
    fn validate_network(
        &self,
        py: Python<'_>,
        net: &Bound<'_, PyAny>,
        ctx: Ctx<'_>,
        timeout: Timeout<'_, '_>,
    ) -> PyResult<Vec<String>> {
        let net = plugin_arg(py, net, "net")?;
        self.call(py, ctx, timeout, |c, x| c.validate_network(x, &net))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let exec = match &self.exec {
            Some(e) => convert::repr_of(py, e.bind(py)),
            None => "None".into(),
        };
        format!(
            "cniinvoke.CNIConfig(path={}, cache_dir={}, exec={exec}, cleanup_on_failure={})",
            convert::repr_of(py, &self.path),
            convert::repr_of(py, &self.cache_dir),
            convert::repr_of(py, self.options.cleanup_on_failure)
        )
    }
}
