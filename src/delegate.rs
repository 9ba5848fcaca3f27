//! A plugin running another plugin (upstream `delegate.go`): the delegate is
//! found on this process's `CNI_PATH` and inherits its environment, with
//! `CNI_COMMAND` set to the verb.

use crate::args::DelegateArgs;
use crate::context::Context;
use crate::error::Result;
use crate::exec::{default_exec, exec_plugin_with_result, exec_plugin_without_result, Exec};
use crate::types::CniResult;

/// `CNI_PATH` split like Go's `filepath.SplitList` (empty = no entries).
fn cni_path() -> Vec<String> {
    match std::env::var("CNI_PATH") {
        Ok(p) if !p.is_empty() => p.split(':').map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

fn find<'a>(plugin: &str, exec: Option<&'a dyn Exec>) -> Result<(String, &'a dyn Exec)> {
    let exec: &dyn Exec = match exec {
        Some(e) => e,
        None => default_exec(),
    };
    let path = exec.find_in_path(plugin, &cni_path())?;
    Ok((path, exec))
}

fn without_result(
    verb: &str,
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    let (path, exec) = find(plugin, exec)?;
    exec_plugin_without_result(ctx, &path, netconf, &DelegateArgs::new(verb), Some(exec))
}

/// Run the delegate's ADD and return its result.
pub fn delegate_add(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<CniResult> {
    let (path, exec) = find(plugin, exec)?;
    exec_plugin_with_result(ctx, &path, netconf, &DelegateArgs::new("ADD"), Some(exec))
}

/// Run the delegate's CHECK.
pub fn delegate_check(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    without_result("CHECK", ctx, plugin, netconf, exec)
}

/// Run the delegate's DEL.
pub fn delegate_del(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    without_result("DEL", ctx, plugin, netconf, exec)
}

/// Run the delegate's STATUS.
pub fn delegate_status(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    without_result("STATUS", ctx, plugin, netconf, exec)
}

/// Run the delegate's GC.
pub fn delegate_gc(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    without_result("GC", ctx, plugin, netconf, exec)
}
