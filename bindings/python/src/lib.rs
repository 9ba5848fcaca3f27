//! `cniinvoke._native`: the compiled part of the `cniinvoke` Python package.
//!
//! A thin layer over the Rust core: Python arguments are converted, one core
//! call runs with the GIL released, and its outcome comes back as a value or
//! as an exception of `cniinvoke._errors`.

mod args;
mod calls;
mod cniconfig;
mod conffns;
mod context;
mod convert;
mod delegate;
mod errors;
mod exec;
mod held;
mod logging;
mod netconf;
mod raw_options;
mod runtime;
mod values;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<context::PyContext>()?;
    m.add_class::<args::PyArgs>()?;
    m.add_class::<args::PyDelegateArgs>()?;
    m.add_class::<args::PyInheritedArgs>()?;
    m.add_class::<exec::PyRawExec>()?;
    m.add_class::<exec::PyDefaultExec>()?;
    m.add_class::<values::PyCniResult>()?;
    m.add_class::<values::PyPluginInfo>()?;
    m.add_class::<netconf::PyPluginConfig>()?;
    m.add_class::<netconf::PyNetworkConfigList>()?;
    m.add_class::<runtime::PyRuntimeConf>()?;
    m.add_class::<runtime::PyNetworkAttachment>()?;
    m.add_class::<cniconfig::PyCniConfig>()?;
    m.add_function(wrap_pyfunction!(conffns::load_network_conf, m)?)?;
    m.add_function(wrap_pyfunction!(conffns::load_conf, m)?)?;
    m.add_function(wrap_pyfunction!(conffns::conf_files, m)?)?;
    m.add_function(wrap_pyfunction!(conffns::inject_conf, m)?)?;
    m.add_function(wrap_pyfunction!(conffns::conf_list_from_conf, m)?)?;
    m.add_function(wrap_pyfunction!(args::args_from_env, m)?)?;
    m.add_function(wrap_pyfunction!(calls::find_in_path, m)?)?;
    m.add_function(wrap_pyfunction!(calls::exec_plugin_with_result, m)?)?;
    m.add_function(wrap_pyfunction!(calls::exec_plugin_without_result, m)?)?;
    m.add_function(wrap_pyfunction!(calls::get_version_info, m)?)?;
    m.add_function(wrap_pyfunction!(delegate::delegate, m)?)?;
    m.add_function(wrap_pyfunction!(delegate::delegate_add, m)?)?;
    m.add_function(wrap_pyfunction!(delegate::delegate_check, m)?)?;
    m.add_function(wrap_pyfunction!(delegate::delegate_del, m)?)?;
    m.add_function(wrap_pyfunction!(delegate::delegate_status, m)?)?;
    m.add_function(wrap_pyfunction!(delegate::delegate_gc, m)?)?;
    m.add_function(wrap_pyfunction!(calls::convert_result, m)?)?;
    m.add(
        "EXECUTABLE_FILE_EXTENSIONS",
        PyTuple::new(py, cniinvoke::EXECUTABLE_FILE_EXTENSIONS)?,
    )?;
    m.add(
        "ALL_VERSIONS",
        PyTuple::new(py, cniinvoke::types::ALL_VERSIONS)?,
    )?;
    m.add("CURRENT_VERSION", cniinvoke::version::current())?;
    Ok(())
}
