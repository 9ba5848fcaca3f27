//! The module-level calls: arguments in, one core call with the GIL
//! released, result or exception out.

use crate::args;
use crate::context::{Call, PyContext};
use crate::convert;
use crate::errors::check;
use crate::exec::ExecArg;
use crate::values::{PyCniResult, PyPluginInfo};
use cniinvoke::types::CniResult;
use cniinvoke::{Context, Exec};
use pyo3::prelude::*;

/// Run `f` under the context of `ctx=`/`timeout=` with the GIL released,
/// then turn its outcome into a Python value or exception.
pub(crate) fn run<T: Send>(
    py: Python<'_>,
    exec: Option<&Bound<'_, PyAny>>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce(&Context, Option<&dyn Exec>) -> cniinvoke::Result<T> + Send,
) -> PyResult<(T, ExecArg)> {
    let timeout = convert::seconds(timeout, "timeout")?;
    let call = Call::running_plugins(py, ctx.as_deref(), timeout);
    let exec = ExecArg::new(exec, &call)?;
    crate::logging::sync(py)?;
    let out = py.detach(|| f(&call.ctx, exec.as_dyn()));
    call.finish(py, out).map(|v| (v, exec))
}

/// Find `plugin` on `paths`: the first regular file `dir/plugin` (plus an
/// extension of `EXECUTABLE_FILE_EXTENSIONS`). Raises `PluginNotFoundError`
/// (`failed to find plugin "x" in path [a b]`) or, for an empty name, a name
/// holding `/` or no paths, `InvalidArgumentError` (a `ValueError`). The
/// search does not block; `ctx=`/`timeout=` are honoured like every call's
/// (a context already done raises at once).
#[pyfunction]
#[pyo3(signature = (plugin, paths, *, ctx=None, timeout=None))]
pub fn find_in_path(
    py: Python<'_>,
    plugin: &str,
    paths: &Bound<'_, PyAny>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let paths = convert::str_list(paths, "paths")?;
    let timeout = convert::seconds(timeout, "timeout")?;
    let call = Call::new(ctx.as_deref(), timeout);
    let found = match call.ctx.err() {
        Some(e) => Err(e),
        None => cniinvoke::find_in_path(plugin, &paths),
    };
    call.finish(py, found)
}

/// Run the plugin at `plugin_path` with `netconf` on stdin and the
/// environment of `args`, and decode its stdout as a `Result` (upstream
/// `ExecPluginWithResult`).
///
/// Arguments:
///     plugin_path: the executable (str or `os.PathLike`), e.g. from
///         `find_in_path`.
///     netconf: the network configuration, as bytes, str or a mapping.
///     args: an `Args`, `DelegateArgs`, `InheritedArgs` or any object with
///         `as_env()` (see `CNIArgs`).
///     exec: what runs the plugin (`RawExec`, `DefaultExec` or a fake);
///         None: the library's default.
///     ctx: a `Context` whose cancellation or deadline kills the plugin.
///     timeout: seconds the plugin may run.
///
/// Returns the `Result`, in the result's `cniVersion`, else the
/// configuration's. Raises `PluginError` (the plugin's own error, its
/// `code`, `msg`, `details` and `exit_status`), `PluginExecError` (it
/// could not be started), `DecodeError` (its stdout is not a result),
/// `PluginTimeoutError`, `PluginCancelledError` or `KeyboardInterrupt`
/// (the plugin killed and reaped first), `InvalidArgumentError` for
/// arguments the library cannot use.
///
/// Example::
///
///     args = cniinvoke.Args(command="ADD", container_id="ctr-1",
///                           netns="/var/run/netns/ctr-1", if_name="eth0",
///                           path="/opt/cni/bin")
///     result = cniinvoke.exec_plugin_with_result(
///         "/opt/cni/bin/bridge", {"cniVersion": "1.0.0", "name": "net",
///         "type": "bridge"}, args, timeout=30)
#[pyfunction]
#[pyo3(signature = (plugin_path, netconf, args, exec=None, *, ctx=None, timeout=None))]
pub fn exec_plugin_with_result(
    py: Python<'_>,
    plugin_path: &Bound<'_, PyAny>,
    netconf: &Bound<'_, PyAny>,
    args: &Bound<'_, PyAny>,
    exec: Option<&Bound<'_, PyAny>>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyCniResult> {
    let path = convert::path(plugin_path, "plugin_path")?;
    let netconf = convert::json_doc(netconf, "netconf")?;
    let env = args::env_of(args)?;
    let (r, _) = run(py, exec, ctx, timeout, |c, e| {
        cniinvoke::exec_plugin_with_result(c, &path, &netconf, &env, e)
    })?;
    Ok(PyCniResult::new(r))
}

/// Run the plugin for its effect only: CHECK, DEL, STATUS or GC (upstream
/// `ExecPluginWithoutResult`). Arguments as for `exec_plugin_with_result`;
/// the plugin's stdout is ignored.
///
/// Returns None. Raises as `exec_plugin_with_result` does (but never
/// `DecodeError` for stdout).
#[pyfunction]
#[pyo3(signature = (plugin_path, netconf, args, exec=None, *, ctx=None, timeout=None))]
pub fn exec_plugin_without_result(
    py: Python<'_>,
    plugin_path: &Bound<'_, PyAny>,
    netconf: &Bound<'_, PyAny>,
    args: &Bound<'_, PyAny>,
    exec: Option<&Bound<'_, PyAny>>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let path = convert::path(plugin_path, "plugin_path")?;
    let netconf = convert::json_doc(netconf, "netconf")?;
    let env = args::env_of(args)?;
    run(py, exec, ctx, timeout, |c, e| {
        cniinvoke::exec_plugin_without_result(c, &path, &netconf, &env, e)
    })
    .map(|_| ())
}

/// Ask the plugin at `plugin_path` which CNI versions it supports: it runs
/// with `CNI_COMMAND=VERSION` (upstream `GetVersionInfo`). `exec`, `ctx`
/// and `timeout` as for `exec_plugin_with_result`.
///
/// Returns a `PluginInfo` (`cni_version`, `supported_versions`); a plugin
/// too old to know VERSION supports 0.1.0. With a Python `exec`, what its
/// `decode` returned. Raises as `exec_plugin_with_result` does.
///
/// Example::
///
///     info = cniinvoke.get_version_info("/opt/cni/bin/bridge", timeout=5)
///     assert "1.0.0" in info.supported_versions
#[pyfunction]
#[pyo3(signature = (plugin_path, exec=None, *, ctx=None, timeout=None))]
pub fn get_version_info(
    py: Python<'_>,
    plugin_path: &Bound<'_, PyAny>,
    exec: Option<&Bound<'_, PyAny>>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let path = convert::path(plugin_path, "plugin_path")?;
    let (info, exec) = run(py, exec, ctx, timeout, |c, e| {
        cniinvoke::get_version_info(c, &path, e)
    })?;
    // What a Python executor's decode() returned, as upstream returns it.
    if let Some(obj) = exec.decoded() {
        return Ok(obj);
    }
    Ok(Py::new(py, PyPluginInfo::from_core(&info))?.into_any())
}

/// Convert a result (a `Result`, or its JSON as `bytes`, `str` or a
/// mapping) to CNI version `to_version`; raises `UnsupportedVersionError`.
#[pyfunction]
pub fn convert_result(
    py: Python<'_>,
    result: &Bound<'_, PyAny>,
    to_version: &str,
) -> PyResult<PyCniResult> {
    let converted = match result.cast::<PyCniResult>() {
        Ok(r) => r.get().inner.convert_to(to_version),
        Err(_) => {
            let bytes = convert::json_doc(result, "result")?;
            CniResult::from_json(&bytes).and_then(|r| r.convert_to(to_version))
        }
    };
    Ok(PyCniResult::new(check(py, converted)?))
}
