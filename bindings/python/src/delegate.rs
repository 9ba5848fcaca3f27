//! Delegation (upstream `DelegateAdd` … `DelegateGC`): one call, `delegate`,
//! parameterised by the verb, and upstream's per-verb names as thin
//! wrappers over it.

use crate::calls::run;
use crate::context::PyContext;
use crate::convert;
use crate::errors::check;
use crate::values::PyCniResult;
use cniinvoke::Verb;
use pyo3::prelude::*;

fn delegate_verb(
    py: Python<'_>,
    verb: Verb,
    plugin: &str,
    netconf: &Bound<'_, PyAny>,
    exec: Option<&Bound<'_, PyAny>>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<PyCniResult>> {
    let netconf = convert::json_doc(netconf, "netconf")?;
    let (r, _) = run(py, exec, ctx, timeout, |c, e| {
        cniinvoke::delegate(c, verb, plugin, &netconf, e)
    })?;
    Ok(r.map(PyCniResult::new))
}

/// Find `plugin` on this process's `CNI_PATH` and run it with this
/// process's environment and `CNI_COMMAND` = `verb` (`"ADD"`, `"CHECK"`,
/// `"DEL"`, `"STATUS"` or `"GC"`; another raises `InvalidArgumentError`).
/// The `Result` for ADD, None for the other verbs.
#[pyfunction]
#[pyo3(signature = (verb, plugin, netconf, exec=None, *, ctx=None, timeout=None))]
pub fn delegate(
    py: Python<'_>,
    verb: &str,
    plugin: &str,
    netconf: &Bound<'_, PyAny>,
    exec: Option<&Bound<'_, PyAny>>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<PyCniResult>> {
    let verb = check(py, verb.parse::<Verb>())?;
    delegate_verb(py, verb, plugin, netconf, exec, ctx, timeout)
}

/// `delegate("ADD", ...)`: the delegate's `Result`.
#[pyfunction]
#[pyo3(signature = (plugin, netconf, exec=None, *, ctx=None, timeout=None))]
pub fn delegate_add(
    py: Python<'_>,
    plugin: &str,
    netconf: &Bound<'_, PyAny>,
    exec: Option<&Bound<'_, PyAny>>,
    ctx: Option<PyRef<'_, PyContext>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyCniResult> {
    let r = delegate_verb(py, Verb::Add, plugin, netconf, exec, ctx, timeout)?;
    Ok(r.expect("delegate gives ADD a result"))
}

/// Upstream's per-verb name for a verb without a result: `delegate(VERB, ...)`.
macro_rules! delegate_without_result {
    ($name:ident, $verb:expr, $doc:literal) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = (plugin, netconf, exec=None, *, ctx=None, timeout=None))]
        pub fn $name(
            py: Python<'_>,
            plugin: &str,
            netconf: &Bound<'_, PyAny>,
            exec: Option<&Bound<'_, PyAny>>,
            ctx: Option<PyRef<'_, PyContext>>,
            timeout: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<()> {
            delegate_verb(py, $verb, plugin, netconf, exec, ctx, timeout).map(drop)
        }
    };
}

delegate_without_result!(delegate_check, Verb::Check, "`delegate(\"CHECK\", ...)`.");
delegate_without_result!(delegate_del, Verb::Del, "`delegate(\"DEL\", ...)`.");
delegate_without_result!(
    delegate_status,
    Verb::Status,
    "`delegate(\"STATUS\", ...)`."
);
delegate_without_result!(delegate_gc, Verb::Gc, "`delegate(\"GC\", ...)`.");
