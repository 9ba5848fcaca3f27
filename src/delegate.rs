//! A plugin running another plugin (upstream `delegate.go`): the delegate is
//! found on this process's `CNI_PATH` and inherits its environment, with
//! `CNI_COMMAND` set to the verb. One function, [`delegate`], does it for
//! every verb; upstream's `DelegateAdd` … `DelegateGC` are thin wrappers.

use crate::args::DelegateArgs;
use crate::context::Context;
use crate::env::PluginEnv;
use crate::error::{Error, Result};
use crate::exec::{default_exec, exec_plugin_with_result, exec_plugin_without_result, Exec};
use crate::types::CniResult;

/// The CNI verbs a delegate can be run with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `ADD`: the only verb with a result.
    Add,
    /// `CHECK`.
    Check,
    /// `DEL`.
    Del,
    /// `STATUS`.
    Status,
    /// `GC`.
    Gc,
}

impl Verb {
    /// Every verb, in the order of the spec.
    pub const ALL: [Verb; 5] = [Verb::Add, Verb::Check, Verb::Del, Verb::Status, Verb::Gc];

    /// The verb as `CNI_COMMAND` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Add => "ADD",
            Verb::Check => "CHECK",
            Verb::Del => "DEL",
            Verb::Status => "STATUS",
            Verb::Gc => "GC",
        }
    }
}

impl std::str::FromStr for Verb {
    type Err = Error;

    /// `ADD`, `CHECK`, `DEL`, `STATUS` or `GC`, exactly.
    fn from_str(s: &str) -> Result<Verb> {
        Verb::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "unknown delegate verb {s:?}: expected ADD, CHECK, DEL, STATUS or GC"
                ))
            })
    }
}

impl std::fmt::Display for Verb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `CNI_PATH` split like Go's `filepath.SplitList` (empty = no entries):
/// the context's environment's ([`Context::set_environ`]), else this
/// process's.
fn cni_path(ctx: &Context) -> Vec<String> {
    let value = PluginEnv::Inherit.value_in("CNI_PATH", ctx.environ().as_deref());
    match value {
        Some(p) if !p.is_empty() => p.split(':').map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

/// Find `plugin` on `CNI_PATH` and run it with `verb` (upstream's
/// `Delegate*`): `Some` result for [`Verb::Add`], `None` for the others.
pub fn delegate(
    ctx: &Context,
    verb: Verb,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<Option<CniResult>> {
    let exec: &dyn Exec = exec.unwrap_or_else(|| default_exec());
    let path = exec.find_in_path(plugin, &cni_path(ctx))?;
    let args = DelegateArgs::new(verb.as_str());
    match verb {
        Verb::Add => exec_plugin_with_result(ctx, &path, netconf, &args, Some(exec)).map(Some),
        _ => exec_plugin_without_result(ctx, &path, netconf, &args, Some(exec)).map(|()| None),
    }
}

/// Run the delegate's ADD and return its result.
pub fn delegate_add(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<CniResult> {
    let result = delegate(ctx, Verb::Add, plugin, netconf, exec)?;
    Ok(result.expect("delegate gives ADD a result"))
}

/// Run the delegate's CHECK.
pub fn delegate_check(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    delegate(ctx, Verb::Check, plugin, netconf, exec).map(drop)
}

/// Run the delegate's DEL.
pub fn delegate_del(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    delegate(ctx, Verb::Del, plugin, netconf, exec).map(drop)
}

/// Run the delegate's STATUS.
pub fn delegate_status(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    delegate(ctx, Verb::Status, plugin, netconf, exec).map(drop)
}

/// Run the delegate's GC.
pub fn delegate_gc(
    ctx: &Context,
    plugin: &str,
    netconf: &[u8],
    exec: Option<&dyn Exec>,
) -> Result<()> {
    delegate(ctx, Verb::Gc, plugin, netconf, exec).map(drop)
}
