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
/// Arguments:
///     path: directories searched for plugin executables (an iterable of
///         str or `os.PathLike`; None: none).
///     cache_dir: where results are cached (None: the `RuntimeConf`'s
///         deprecated `cache_dir`, else `/var/lib/cni`).
///     exec: what runs the plugins: a `RawExec`, a `DefaultExec` or any
///         object with `exec_plugin`, `find_in_path` and `decode` (a fake);
///         None: the library's default.
///     cleanup_on_failure: when True, a failed ADD runs its DEL (the
///         list's, or the plugin's) before raising the ADD's error.
///     cache_sync: when False, cache entries are not fsynced (a cache on
///         tmpfs).
///
/// Raises `TypeError` for an `exec` without `exec_plugin`.
///
/// Arguments every operation takes:
///     netlist: a `NetworkConfigList`, or its JSON as bytes, str or a
///         mapping (parsed as `NetworkConfigList.from_bytes` does).
///     net: a `PluginConfig`, or its JSON as bytes, str or a mapping.
///     rt: a `RuntimeConf`, or a mapping of its arguments.
///     ctx: a `Context` whose cancellation or deadline stops the operation.
///     timeout: seconds the whole operation (the whole chain) may take.
///
/// Every operation releases the GIL while it runs. Ctrl-C, `ctx.cancel()`
/// or the deadline kills the plugin that is running and raises
/// `KeyboardInterrupt`, `PluginCancelledError` or `PluginTimeoutError`; the
/// cache keeps what it had before that plugin. A list failure raises the
/// class of the failing plugin's error with upstream's text (`plugin
/// type="T" name="N" failed (add): <cause>`) and that error as
/// `__cause__`; `PluginNotFoundError` when a plugin is not on `path`,
/// `DecodeError` for a configuration that does not parse, `CNIIOError`
/// when the cache cannot be read or written. One object may be used from
/// any number of threads; two operations on one attachment (network,
/// container id, interface) run one after the other, also across
/// processes.
///
/// Example::
///
///     cfg = cniinvoke.CNIConfig(["/opt/cni/bin"], "/var/lib/cni")
///     netlist = cniinvoke.load_network_conf("/etc/cni/net.d", "mynet")
///     rt = cniinvoke.RuntimeConf(container_id="ctr-1", if_name="eth0",
///                                netns="/var/run/netns/ctr-1")
///     result = cfg.add_network_list(netlist, rt, timeout=30)
///     print(result.to_dict()["ips"])
///     cfg.check_network_list(netlist, rt, timeout=30)
///     cfg.del_network_list(netlist, rt, timeout=30)
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
        let call = Call::running_plugins(py, ctx.as_deref(), timeout);
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

    /// The plugin search path, as a list of str (a new list each time).
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

    /// Whether a failed ADD runs its DEL (the `cleanup_on_failure=`
    /// given).
    #[getter]
    fn cleanup_on_failure(&self) -> bool {
        self.options.cleanup_on_failure
    }

    /// Whether cache entries are fsynced (the `cache_sync=` given).
    #[getter]
    fn cache_sync(&self) -> bool {
        self.options.cache_sync
    }

    /// ADD the list for `rt` (upstream `AddNetworkList`): each plugin in
    /// order, each one's result the next one's `prevResult`.
    ///
    /// Returns the final `Result`, in the list's `cniVersion`, after caching
    /// it for CHECK, DEL and GC. Raises as the class says; with
    /// `cleanup_on_failure` the list's DEL has run before the error is
    /// raised.
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

    /// CHECK the list for `rt` against the result its ADD cached (upstream
    /// `CheckNetworkList`); nothing runs when the list says `disableCheck`.
    ///
    /// Returns None. Raises as the class says, or `CNIError`
    /// (`configuration version "0.3.1" does not support the CHECK
    /// command`) for a list older than 0.4.0.
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

    /// DEL the list for `rt` (upstream `DelNetworkList`): plugins in
    /// reverse order, each given the cached result, then the cache entry is
    /// removed.
    ///
    /// Returns None. Raises as the class says; the entry stays when a
    /// plugin failed.
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

    /// The result the list's last ADD for `rt` cached (upstream
    /// `GetNetworkListCachedResult`); runs no plugin.
    ///
    /// Returns a `Result` in the list's version, or None when nothing is
    /// cached. Raises `CNIIOError` or `DecodeError` for an entry that
    /// cannot be read.
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

    /// What the list's last ADD for `rt` ran with (upstream
    /// `GetNetworkListCachedConfig`); runs no plugin.
    ///
    /// Returns `(config_bytes, RuntimeConf)`, the runtime configuration with
    /// the cached `args` and `capability_args` filled in, or None when
    /// nothing is cached. Raises `CNIIOError` or `DecodeError` for an entry
    /// that cannot be read.
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

    /// Check that every plugin of the list is on `path` and supports the
    /// list's version (upstream `ValidateNetworkList`): each is asked with
    /// VERSION.
    ///
    /// Returns the capabilities the plugins enable, sorted. Raises the
    /// first failing plugin's class (`PluginNotFoundError`,
    /// `UnsupportedVersionError`, ...) with every failure's text in one
    /// `[...]`, as upstream prints its list of errors.
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

    /// Garbage-collect the list's network (upstream `GCNetworkList`): DEL
    /// every cached attachment of the network that `valid_attachments` does
    /// not name, then, for a list of 1.1.0 or later, run each plugin's GC
    /// with the valid attachments. Nothing runs when the list says
    /// `disableGC`.
    ///
    /// `valid_attachments` is an iterable of `(container_id, if_name)`
    /// pairs or `{"containerID": ..., "ifname": ...}` mappings; None means
    /// none is valid (every cached attachment is removed).
    ///
    /// Returns None. Errors do not stop the collection; they are raised
    /// together at the end, their texts joined one per line.
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

    /// Ask every plugin of the list for its STATUS, in order (upstream
    /// `GetStatusNetworkList`); a list older than 1.1.0 runs nothing.
    ///
    /// Returns None when all are ready. Raises the first failing plugin's
    /// own error (e.g. `PluginError` with code 50, "plugin not available").
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

    /// The attachments the cache holds (upstream `GetCachedAttachments`);
    /// runs no plugin.
    ///
    /// `container_id` limits them to one container ("" = all). Returns a
    /// list of `NetworkAttachment`; entries that cannot be read are
    /// skipped. Raises `CNIIOError` when the cache directory cannot be
    /// listed.
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

    /// The CNI versions plugin `plugin_type` supports (upstream
    /// `GetVersionInfo`): it is found on `path` and run with VERSION.
    ///
    /// Returns a `PluginInfo` (what a Python `exec`'s `decode` returned,
    /// for a fake). Raises `PluginNotFoundError`, `PluginError` or
    /// `DecodeError`.
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

    /// ADD one plugin configuration (a `.conf`) for `rt` (upstream
    /// `AddNetwork`).
    ///
    /// Returns the plugin's `Result`, after caching it. Raises the plugin's
    /// own error (not wrapped as a list failure), or as the class says.
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

    /// CHECK one plugin configuration for `rt` against the result its ADD
    /// cached (upstream `CheckNetwork`).
    ///
    /// Returns None. Raises the plugin's own error, or as the class says.
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

    /// DEL one plugin configuration for `rt`, then remove its cache entry
    /// (upstream `DelNetwork`).
    ///
    /// Returns None. Raises the plugin's own error, or as the class says.
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

    /// The result one plugin configuration's last ADD for `rt` cached
    /// (upstream `GetNetworkCachedResult`); runs no plugin.
    ///
    /// Returns a `Result`, or None when nothing is cached.
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

    /// What one plugin configuration's last ADD for `rt` ran with
    /// (upstream `GetNetworkCachedConfig`); runs no plugin.
    ///
    /// Returns `(config_bytes, RuntimeConf)`, or None when nothing is
    /// cached.
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

    /// Check one plugin configuration as `validate_network_list` checks a
    /// list (upstream `ValidateNetwork`).
    ///
    /// Returns the capabilities it enables, sorted.
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
