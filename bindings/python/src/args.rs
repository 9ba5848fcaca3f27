//! `Args`, `DelegateArgs`, `args_from_env()` and any object with `as_env()`.

use crate::convert;
use cniinvoke::{Args, CniArgs, DelegateArgs, InheritedArgs, PluginEnv};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// The arguments of one CNI operation (upstream `invoke.Args`).
///
/// Immutable. `as_env()` is this process's environment with `CNI_COMMAND`,
/// `CNI_CONTAINERID`, `CNI_NETNS`, `CNI_ARGS`, `CNI_IFNAME` and `CNI_PATH`
/// set. `CNI_ARGS` is `plugin_args_str` when non-empty, else the
/// `plugin_args` pairs (a sequence of `(key, value)` or a mapping) as
/// `K=V;K=V`.
///
/// Example::
///
///     args = cniinvoke.Args(command="DEL", container_id="ctr-1",
///                           netns="/var/run/netns/ctr-1", if_name="eth0",
///                           path="/opt/cni/bin", plugin_args={"K": "V"})
///     assert "CNI_ARGS=K=V" in args.as_env()
#[pyclass(module = "cniinvoke", name = "Args", frozen)]
pub struct PyArgs {
    inner: Args,
}

fn pairs(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    let err = || {
        PyTypeError::new_err(format!(
            "plugin_args must be a mapping or a sequence of (key, value) str pairs, not {}",
            convert::type_name(obj)
        ))
    };
    if obj.is_instance_of::<pyo3::types::PyString>() {
        return Err(err());
    }
    let items = if obj.hasattr("items").unwrap_or(false) {
        obj.call_method0("items")?
    } else {
        obj.clone()
    };
    let mut out = Vec::new();
    for item in items.try_iter().map_err(|_| err())? {
        let pair: (String, String) = item?.extract().map_err(|_| err())?;
        out.push(pair);
    }
    Ok(out)
}

#[pymethods]
impl PyArgs {
    #[new]
    #[pyo3(signature = (command="", container_id="", netns="", plugin_args=None, plugin_args_str="", if_name="", path=""))]
    fn new(
        command: &str,
        container_id: &str,
        netns: &str,
        plugin_args: Option<&Bound<'_, PyAny>>,
        plugin_args_str: &str,
        if_name: &str,
        path: &str,
    ) -> PyResult<Self> {
        Ok(PyArgs {
            inner: Args {
                command: command.into(),
                container_id: container_id.into(),
                netns: netns.into(),
                plugin_args: pairs(plugin_args)?,
                plugin_args_str: plugin_args_str.into(),
                if_name: if_name.into(),
                path: path.into(),
            },
        })
    }

    /// `CNI_COMMAND`: ADD, CHECK, DEL, STATUS, GC or VERSION.
    #[getter]
    fn command(&self) -> &str {
        &self.inner.command
    }
    /// `CNI_CONTAINERID`.
    #[getter]
    fn container_id(&self) -> &str {
        &self.inner.container_id
    }
    /// `CNI_NETNS`.
    #[getter]
    fn netns(&self) -> &str {
        &self.inner.netns
    }
    /// The key/value pairs of `CNI_ARGS`, as a list of tuples.
    #[getter]
    fn plugin_args(&self) -> Vec<(String, String)> {
        self.inner.plugin_args.clone()
    }
    /// `CNI_ARGS` verbatim (wins over `plugin_args` when non-empty).
    #[getter]
    fn plugin_args_str(&self) -> &str {
        &self.inner.plugin_args_str
    }
    /// `CNI_IFNAME`.
    #[getter]
    fn if_name(&self) -> &str {
        &self.inner.if_name
    }
    /// `CNI_PATH`.
    #[getter]
    fn path(&self) -> &str {
        &self.inner.path
    }

    /// The plugin's whole environment as `"K=V"` strings.
    fn as_env(&self) -> Option<Vec<String>> {
        self.inner.as_env()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyArgs>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        let a = &self.inner;
        format!(
            "cniinvoke.Args(command={:?}, container_id={:?}, netns={:?}, plugin_args={:?}, plugin_args_str={:?}, if_name={:?}, path={:?})",
            a.command, a.container_id, a.netns, a.plugin_args, a.plugin_args_str, a.if_name, a.path
        )
    }
}

/// This process's environment with `CNI_COMMAND` set to `command`
/// (upstream `DelegateArgs`), as a plugin uses when it delegates.
#[pyclass(module = "cniinvoke", name = "DelegateArgs", frozen)]
pub struct PyDelegateArgs {
    inner: DelegateArgs,
}

#[pymethods]
impl PyDelegateArgs {
    #[new]
    fn new(command: &str) -> Self {
        PyDelegateArgs {
            inner: DelegateArgs::new(command),
        }
    }

    /// The verb the delegate runs.
    #[getter]
    fn command(&self) -> &str {
        &self.inner.command
    }

    /// The plugin's whole environment as `"K=V"` strings.
    fn as_env(&self) -> Option<Vec<String>> {
        self.inner.as_env()
    }

    fn __repr__(&self) -> String {
        format!("cniinvoke.DelegateArgs({:?})", self.inner.command)
    }
}

/// Arguments that let the plugin inherit this process's environment
/// unchanged (what `args_from_env()` returns; `as_env()` is None).
#[pyclass(module = "cniinvoke", name = "InheritedArgs", frozen)]
pub struct PyInheritedArgs;

#[pymethods]
impl PyInheritedArgs {
    #[new]
    fn new() -> Self {
        PyInheritedArgs
    }

    /// None: the plugin inherits this process's environment.
    fn as_env(&self) -> Option<Vec<String>> {
        InheritedArgs.as_env()
    }

    fn __repr__(&self) -> &'static str {
        "cniinvoke.args_from_env()"
    }
}

/// Arguments that inherit this process's environment unchanged (upstream
/// `ArgsFromEnv()`): the plugin sees exactly what this process has.
#[pyfunction]
pub fn args_from_env() -> PyInheritedArgs {
    PyInheritedArgs
}

/// The environment of `args=` for one core call: ours as they are (their
/// plugins inherit the snapshot of this process's environment on the
/// call's context, [`crate::context::Call::running_plugins`]), or a Python object's
/// `as_env()` list, taken up front (it may raise).
pub enum EnvOf<'a> {
    Ours(&'a (dyn CniArgs + Sync)),
    Listed(Vec<String>),
}

/// What `args_from_env()` and an `as_env()` of None stand for.
static INHERITED: InheritedArgs = InheritedArgs;

impl CniArgs for EnvOf<'_> {
    fn as_env(&self) -> Option<Vec<String>> {
        self.plugin_env().to_entries()
    }

    fn plugin_env(&self) -> PluginEnv<'_> {
        match self {
            EnvOf::Ours(args) => args.plugin_env(),
            EnvOf::Listed(env) => PluginEnv::Entries(env.clone()),
        }
    }
}

/// `args=`: one of ours, or any object whose `as_env()` returns a list of
/// `"K=V"` strings or None.
pub fn env_of<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<EnvOf<'a>> {
    if let Ok(a) = obj.cast::<PyArgs>() {
        return Ok(EnvOf::Ours(&a.get().inner));
    }
    if let Ok(a) = obj.cast::<PyDelegateArgs>() {
        return Ok(EnvOf::Ours(&a.get().inner));
    }
    if obj.cast::<PyInheritedArgs>().is_ok() {
        return Ok(EnvOf::Ours(&INHERITED));
    }
    if !obj.hasattr("as_env").unwrap_or(false) {
        return Err(PyTypeError::new_err(format!(
            "args must be a cniinvoke.Args, DelegateArgs, args_from_env() or an object with as_env(), not {}",
            convert::type_name(obj)
        )));
    }
    let env = obj.call_method1("as_env", PyTuple::empty(obj.py()))?;
    if env.is_none() {
        return Ok(EnvOf::Ours(&INHERITED));
    }
    Ok(EnvOf::Listed(convert::str_list(&env, "as_env()")?))
}
