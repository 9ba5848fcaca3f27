//! Executors: `RawExec`, `DefaultExec`, and any Python object with
//! `exec_plugin`, `find_in_path` and `decode` (upstream's fake pattern).

use crate::context::{Call, CurrentGuard, PyContext};
use crate::convert;
use crate::errors;
use crate::raw_options::Keywords;
use crate::values::PyPluginInfo;
use cniinvoke::version::PluginInfo;
use cniinvoke::{Context, DefaultExec, Exec, RawExec, RawExecOptions, StderrWriter};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use std::sync::{Arc, Mutex};

/// Runs plugin binaries as child processes (upstream `RawExec`).
///
/// `RawExec(stderr=None, *, text_busy_retries=5, text_busy_delay=1.0,
/// kill_grace=0.0, max_output_bytes=64 MiB)`. `stderr` says where a
/// successful plugin's stderr goes: `None` or `"discard"` (captured only to
/// quote in error messages, as upstream's `RawExec{}`: the default),
/// `"forward"` (written to this process's fd 2, as `DefaultExec`),
/// `"inherit"` (the plugin writes to fd 2 itself; nothing is captured), or a
/// file-like object with `write()` (text or binary). `text_busy_delay`:
/// seconds between the `text_busy_retries` further attempts on ETXTBSY.
/// `kill_grace`: seconds between SIGTERM and SIGKILL when a call is
/// cancelled (0 = SIGKILL at once). `max_output_bytes`: most bytes read from
/// each of stdout and stderr (a plugin writing more is killed). The options
/// are validated by the library core, as the C ABI's `options_json`: a bad
/// value raises `InvalidArgumentError` (a `ValueError`) with the core's
/// text, which names the option by its options-document key and unit
/// (`kill_grace=-1` → `raw exec option "killGraceMs" must be a number of
/// milliseconds from 0 to 18446744073709551615, not -1000`).
#[pyclass(module = "cniinvoke", name = "RawExec", frozen)]
pub struct PyRawExec {
    pub(crate) inner: RawExec,
    stderr: Py<PyAny>,
}

/// Where `write()` goes: text streams get `str`, others `bytes`.
fn writer(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<StderrWriter> {
    let text_base = py.import("io")?.getattr("TextIOBase")?;
    let text = obj.is_instance(&text_base)?;
    let target = obj.clone().unbind();
    Ok(Arc::new(move |data: &[u8]| {
        Python::attach(|py| {
            let f = target.bind(py);
            let r = if text {
                f.call_method1("write", (String::from_utf8_lossy(data),))
            } else {
                f.call_method1("write", (PyBytes::new(py, data),))
                    .or_else(|e| {
                        if e.is_instance_of::<PyTypeError>(py) {
                            f.call_method1("write", (String::from_utf8_lossy(data),))
                        } else {
                            Err(e)
                        }
                    })
            };
            if let Err(e) = r {
                e.write_unraisable(py, Some(f));
            }
        })
    }))
}

#[pymethods]
impl PyRawExec {
    #[new]
    #[pyo3(signature = (stderr=None, *, text_busy_retries=None, text_busy_delay=None, kill_grace=None, max_output_bytes=None))]
    fn new(
        py: Python<'_>,
        stderr: Option<&Bound<'_, PyAny>>,
        text_busy_retries: Option<&Bound<'_, PyAny>>,
        text_busy_delay: Option<&Bound<'_, PyAny>>,
        kill_grace: Option<&Bound<'_, PyAny>>,
        max_output_bytes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let none = py.None().into_bound(py);
        let stderr = stderr.unwrap_or(&none);
        // A str names a mode of the options document; an object with
        // write() is the writer.
        let (mode, writer) = if stderr.is_none() || stderr.is_instance_of::<PyString>() {
            (Some(stderr), None)
        } else if stderr.hasattr("write")? {
            (None, Some(writer(py, stderr)?))
        } else {
            return Err(PyTypeError::new_err(format!(
                "stderr must be None, \"discard\", \"forward\", \"inherit\" or a file-like object with write(), not {}",
                convert::type_name(stderr)
            )));
        };
        let doc = Keywords {
            stderr_mode: mode,
            text_busy_retries,
            text_busy_delay,
            kill_grace,
            max_output_bytes,
        }
        .document()?;
        let options = errors::check(py, RawExecOptions::from_value(&doc, writer))?;
        Ok(PyRawExec {
            inner: RawExec::new(options),
            stderr: stderr.clone().unbind(),
        })
    }

    /// Where stderr goes, as given to the constructor.
    #[getter]
    fn stderr(&self, py: Python<'_>) -> Py<PyAny> {
        self.stderr.clone_ref(py)
    }

    /// Further attempts when the plugin file is busy (ETXTBSY).
    #[getter]
    fn text_busy_retries(&self) -> u32 {
        self.inner.options.text_busy_retries
    }

    /// Seconds between those attempts.
    #[getter]
    fn text_busy_delay(&self) -> f64 {
        self.inner.options.text_busy_delay.as_secs_f64()
    }

    /// Seconds between SIGTERM and SIGKILL on cancellation.
    #[getter]
    fn kill_grace(&self) -> f64 {
        self.inner.options.kill_grace.as_secs_f64()
    }

    /// Most bytes read from each of a plugin's stdout and stderr.
    #[getter]
    fn max_output_bytes(&self) -> usize {
        self.inner.options.max_output_bytes
    }

    /// Run `plugin_path` with `stdin_data` on stdin and exactly `environ`
    /// (a list of `"K=V"`; None = inherit) as its environment; its stdout.
    /// A failing plugin raises `PluginError`. Inside a Python executor,
    /// without `ctx=` it runs under the calling operation's context.
    #[pyo3(signature = (plugin_path, stdin_data, environ=None, *, ctx=None, timeout=None))]
    fn exec_plugin<'py>(
        &self,
        py: Python<'py>,
        plugin_path: &Bound<'_, PyAny>,
        stdin_data: &Bound<'_, PyAny>,
        environ: Option<&Bound<'_, PyAny>>,
        ctx: Option<PyRef<'_, PyContext>>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        exec_plugin_on(
            &self.inner,
            py,
            plugin_path,
            stdin_data,
            environ,
            ctx,
            timeout,
        )
    }

    /// Find `plugin` on `paths` (the library's search).
    fn find_in_path(
        &self,
        py: Python<'_>,
        plugin: &str,
        paths: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let paths = convert::str_list(paths, "paths")?;
        errors::check(py, self.inner.find_in_path(plugin, &paths))
    }

    /// Decode a `VERSION` report (the library's decoder).
    fn decode(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<PyPluginInfo> {
        let bytes = convert::json_doc(data, "data")?;
        Ok(PyPluginInfo::from_core(&errors::check(
            py,
            self.inner.decode(&bytes),
        )?))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let stderr = self
            .stderr
            .bind(py)
            .repr()
            .map(|r| r.to_string())
            .unwrap_or_default();
        format!("cniinvoke.RawExec(stderr={stderr})")
    }
}

/// Upstream's `DefaultExec`: a `RawExec` that forwards a plugin's stderr to
/// this process's stderr, with the library's finder and decoder. The
/// executor every call uses when given none.
#[pyclass(module = "cniinvoke", name = "DefaultExec", frozen)]
pub struct PyDefaultExec {
    pub(crate) inner: DefaultExec,
}

#[pymethods]
impl PyDefaultExec {
    #[new]
    fn new() -> Self {
        PyDefaultExec {
            inner: DefaultExec::new(),
        }
    }

    /// Run a plugin; see `RawExec.exec_plugin`.
    #[pyo3(signature = (plugin_path, stdin_data, environ=None, *, ctx=None, timeout=None))]
    fn exec_plugin<'py>(
        &self,
        py: Python<'py>,
        plugin_path: &Bound<'_, PyAny>,
        stdin_data: &Bound<'_, PyAny>,
        environ: Option<&Bound<'_, PyAny>>,
        ctx: Option<PyRef<'_, PyContext>>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        exec_plugin_on(
            &self.inner,
            py,
            plugin_path,
            stdin_data,
            environ,
            ctx,
            timeout,
        )
    }

    /// Find `plugin` on `paths` (the library's search).
    fn find_in_path(
        &self,
        py: Python<'_>,
        plugin: &str,
        paths: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let paths = convert::str_list(paths, "paths")?;
        errors::check(py, self.inner.find_in_path(plugin, &paths))
    }

    /// Decode a `VERSION` report (the library's decoder).
    fn decode(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<PyPluginInfo> {
        let bytes = convert::json_doc(data, "data")?;
        Ok(PyPluginInfo::from_core(&errors::check(
            py,
            self.inner.decode(&bytes),
        )?))
    }

    fn __repr__(&self) -> &'static str {
        "cniinvoke.DefaultExec()"
    }
}

fn exec_plugin_on<'py>(
    exec: &dyn Exec,
    py: Python<'py>,
    plugin_path: &Bound<'_, PyAny>,
    stdin_data: &Bound<'_, PyAny>,
    environ: Option<&Bound<'_, PyAny>>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let path = convert::path(plugin_path, "plugin_path")?;
    let stdin = convert::json_doc(stdin_data, "stdin_data")?;
    let environ = match environ.filter(|e| !e.is_none()) {
        Some(e) => Some(convert::str_list(e, "environ")?),
        None => None,
    };
    let timeout = convert::seconds(timeout, "timeout")?;
    let call = Call::running_plugins(py, ctx.as_deref(), timeout);
    let out = py.detach(|| exec.exec_plugin(&call.ctx, &path, &stdin, environ.as_deref()));
    let out = call.finish(py, out)?;
    Ok(PyBytes::new(py, &out))
}

/// A Python object used as the executor of one call. Its exceptions travel
/// through the core on the error they become (`errors::Raised`) and come
/// out of the call as the very objects raised.
pub struct PyExec {
    obj: Py<PyAny>,
    /// The calling operation's context, current while `find_in_path` and
    /// `decode` run (`exec_plugin` is given its own).
    ctx: Context,
    has_find: bool,
    has_decode: bool,
    decoded: Mutex<Option<Py<PyAny>>>,
}

impl PyExec {
    fn run<T>(
        &self,
        ctx: &Context,
        f: impl FnOnce(Python<'_>, &Bound<'_, PyAny>) -> PyResult<T>,
    ) -> cniinvoke::Result<T> {
        Python::attach(|py| {
            let _current = CurrentGuard::enter(ctx.clone());
            f(py, self.obj.bind(py)).map_err(|e| errors::from_py(py, e))
        })
    }
}

impl Exec for PyExec {
    fn exec_plugin(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        environ: Option<&[String]>,
    ) -> cniinvoke::Result<Vec<u8>> {
        self.run(ctx, |py, obj| {
            let env = match environ {
                Some(e) => PyList::new(py, e)?.into_any(),
                None => py.None().into_bound(py),
            };
            let out = obj.call_method1(
                "exec_plugin",
                (plugin_path, PyBytes::new(py, stdin_data), env),
            )?;
            convert::returned_bytes(&out, "exec_plugin()")
        })
    }

    fn find_in_path(&self, plugin: &str, paths: &[String]) -> cniinvoke::Result<String> {
        if !self.has_find {
            return cniinvoke::find_in_path(plugin, paths);
        }
        self.run(&self.ctx, |py, obj| {
            let out = obj.call_method1("find_in_path", (plugin, PyList::new(py, paths)?))?;
            convert::path(&out, "find_in_path() result")
        })
    }

    fn decode(&self, json: &[u8]) -> cniinvoke::Result<PluginInfo> {
        if !self.has_decode {
            return PluginInfo::decode(json);
        }
        self.run(&self.ctx, |py, obj| {
            let out = obj.call_method1("decode", (PyBytes::new(py, json),))?;
            let info = out.cast::<PyPluginInfo>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "decode() must return a cniinvoke.PluginInfo, not {}",
                    convert::type_name(&out)
                ))
            })?;
            let core = info.get().to_core();
            *self.decoded.lock().unwrap_or_else(|p| p.into_inner()) = Some(out.unbind());
            Ok(core)
        })
    }
}

/// `exec=` of a call.
pub enum ExecArg {
    Default,
    Raw(Py<PyRawExec>),
    Def(Py<PyDefaultExec>),
    Py(Arc<PyExec>),
}

impl ExecArg {
    /// Read `exec=`; `call` is the operation it serves.
    pub fn new(obj: Option<&Bound<'_, PyAny>>, call: &Call) -> PyResult<ExecArg> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(ExecArg::Default);
        };
        if let Ok(r) = obj.cast::<PyRawExec>() {
            return Ok(ExecArg::Raw(r.clone().unbind()));
        }
        if let Ok(d) = obj.cast::<PyDefaultExec>() {
            return Ok(ExecArg::Def(d.clone().unbind()));
        }
        let callable = |name: &str| obj.getattr(name).map(|m| m.is_callable()).unwrap_or(false);
        if !callable("exec_plugin") {
            return Err(PyTypeError::new_err(format!(
                "exec must be a cniinvoke.RawExec, DefaultExec or an object with exec_plugin(plugin_path, stdin_data, environ), find_in_path(plugin, paths) and decode(data) methods, not {}",
                convert::type_name(obj)
            )));
        }
        Ok(ExecArg::Py(Arc::new(PyExec {
            obj: obj.clone().unbind(),
            ctx: call.ctx.clone(),
            has_find: callable("find_in_path"),
            has_decode: callable("decode"),
            decoded: Mutex::new(None),
        })))
    }

    /// The executor for the core call (`None` = the library's default).
    pub fn as_dyn(&self) -> Option<&dyn Exec> {
        match self {
            ExecArg::Default => None,
            ExecArg::Raw(r) => Some(&r.get().inner),
            ExecArg::Def(d) => Some(&d.get().inner),
            ExecArg::Py(p) => Some(p.as_ref()),
        }
    }

    /// The object the Python executor's `decode()` returned, if any.
    pub fn decoded(&self) -> Option<Py<PyAny>> {
        match self {
            ExecArg::Py(p) => p.decoded.lock().unwrap_or_else(|e| e.into_inner()).take(),
            _ => None,
        }
    }
}
