//! An `exec=` as the shared executor a core `CniConfig` keeps: the Python
//! object's executor behind an `Arc`, for the length of one call.

use crate::exec::{ExecArg, PyDefaultExec, PyRawExec};
use cniinvoke::version::PluginInfo;
use cniinvoke::{Context, Exec};
use pyo3::prelude::*;
use std::sync::Arc;

/// A frozen Python executor class whose core executor can be borrowed
/// without the GIL.
trait CoreExec: pyo3::PyClass<Frozen = pyo3::pyclass::boolean_struct::True> + Sync {
    fn core(&self) -> &dyn Exec;
}

impl CoreExec for PyRawExec {
    fn core(&self) -> &dyn Exec {
        &self.inner
    }
}

impl CoreExec for PyDefaultExec {
    fn core(&self) -> &dyn Exec {
        &self.inner
    }
}

/// The core executor of a `RawExec` / `DefaultExec` object, kept alive by
/// a reference to that object.
struct Held<T: CoreExec>(Py<T>);

impl<T: CoreExec> Exec for Held<T> {
    fn exec_plugin(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        environ: Option<&[String]>,
    ) -> cniinvoke::Result<Vec<u8>> {
        self.0
            .get()
            .core()
            .exec_plugin(ctx, plugin_path, stdin_data, environ)
    }

    fn find_in_path(&self, plugin: &str, paths: &[String]) -> cniinvoke::Result<String> {
        self.0.get().core().find_in_path(plugin, paths)
    }

    fn decode(&self, json: &[u8]) -> cniinvoke::Result<PluginInfo> {
        self.0.get().core().decode(json)
    }
}

impl ExecArg {
    /// The executor as a core `CniConfig` takes it (`None` = the library's
    /// default). Needs the GIL to take the new references.
    pub fn shared(&self, py: Python<'_>) -> Option<Arc<dyn Exec>> {
        match self {
            ExecArg::Default => None,
            ExecArg::Raw(r) => Some(Arc::new(Held(r.clone_ref(py)))),
            ExecArg::Def(d) => Some(Arc::new(Held(d.clone_ref(py)))),
            ExecArg::Py(p) => Some(p.clone()),
        }
    }
}
