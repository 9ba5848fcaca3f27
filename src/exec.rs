//! The `Exec` seam and the glue that turns a plugin run into a typed result
//! or version report (upstream `exec.go`).

use crate::args::{Args, CniArgs};
use crate::context::Context;
use crate::env::PluginEnv;
use crate::error::{Error, Result};
use crate::events;
use crate::raw_exec::{RawExec, RawExecOptions, StderrSink};
use crate::types::{parse_go_json, CniResult, GoJsonValue};
use crate::version::{self, PluginInfo};
use crate::while_running::{ResultDecoding, WhileRunning};
use std::sync::OnceLock;

/// How plugins are found, run and their version reports decoded: the one
/// seam that tests (and the bindings' custom executors) replace.
pub trait Exec: Send + Sync {
    /// Run the plugin at `plugin_path` with `stdin_data` on stdin and
    /// `environ` as its whole environment (`None` = inherit); its stdout.
    fn exec_plugin(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        environ: Option<&[String]>,
    ) -> Result<Vec<u8>>;

    /// [`Exec::exec_plugin`] with the environment `env` describes. By
    /// default its entries ([`PluginEnv::to_entries`]) go to `exec_plugin`;
    /// the process runner builds the block straight from `env`.
    fn exec_plugin_env(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        env: &PluginEnv,
    ) -> Result<Vec<u8>> {
        let entries = env.to_entries_in(ctx.environ().as_deref());
        self.exec_plugin(ctx, plugin_path, stdin_data, entries.as_deref())
    }

    /// [`Exec::exec_plugin_env`], telling `work` how the run goes so that
    /// it can do its part while the plugin runs (the process runner does;
    /// by default both steps follow the run). Internal: the seam between
    /// the result decoding and the runner.
    #[doc(hidden)]
    fn exec_plugin_while(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        env: &PluginEnv,
        work: &mut dyn WhileRunning,
    ) -> Result<Vec<u8>> {
        let stdout = self.exec_plugin_env(ctx, plugin_path, stdin_data, env)?;
        work.started();
        work.stdout_closed(&stdout);
        Ok(stdout)
    }

    /// Find `plugin` on `paths`; by default [`crate::find_in_path`].
    fn find_in_path(&self, plugin: &str, paths: &[String]) -> Result<String> {
        crate::find::find_in_path(plugin, paths)
    }

    /// Decode a `VERSION` report; by default [`PluginInfo::decode`].
    fn decode(&self, json: &[u8]) -> Result<PluginInfo> {
        PluginInfo::decode(json)
    }
}

impl Exec for RawExec {
    fn exec_plugin(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        environ: Option<&[String]>,
    ) -> Result<Vec<u8>> {
        RawExec::exec_plugin(self, ctx, plugin_path, stdin_data, environ)
    }

    fn exec_plugin_env(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        env: &PluginEnv,
    ) -> Result<Vec<u8>> {
        RawExec::exec_plugin_env(self, ctx, plugin_path, stdin_data, env)
    }

    fn exec_plugin_while(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        env: &PluginEnv,
        work: &mut dyn WhileRunning,
    ) -> Result<Vec<u8>> {
        RawExec::exec_plugin_while(self, ctx, plugin_path, stdin_data, env, work)
    }
}

/// Upstream's `DefaultExec`: a [`RawExec`] that forwards the plugin's
/// stderr to this process's stderr, with the standard finder and decoder.
#[derive(Debug, Clone)]
pub struct DefaultExec {
    /// The process runner.
    pub raw: RawExec,
}

impl DefaultExec {
    /// The default executor: [`RawExecOptions`]' defaults, with stderr
    /// forwarded ([`StderrSink::Forward`]).
    pub fn new() -> DefaultExec {
        DefaultExec {
            raw: RawExec::new(RawExecOptions {
                stderr: StderrSink::Forward,
                ..RawExecOptions::default()
            }),
        }
    }
}

impl Exec for DefaultExec {
    fn exec_plugin(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        environ: Option<&[String]>,
    ) -> Result<Vec<u8>> {
        self.raw.exec_plugin(ctx, plugin_path, stdin_data, environ)
    }

    fn exec_plugin_env(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        env: &PluginEnv,
    ) -> Result<Vec<u8>> {
        self.raw.exec_plugin_env(ctx, plugin_path, stdin_data, env)
    }

    fn exec_plugin_while(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        env: &PluginEnv,
        work: &mut dyn WhileRunning,
    ) -> Result<Vec<u8>> {
        self.raw
            .exec_plugin_while(ctx, plugin_path, stdin_data, env, work)
    }
}

impl Default for DefaultExec {
    fn default() -> Self {
        DefaultExec::new()
    }
}

/// The executor used when a call is given none.
pub fn default_exec() -> &'static DefaultExec {
    static DEFAULT: OnceLock<DefaultExec> = OnceLock::new();
    DEFAULT.get_or_init(DefaultExec::new)
}

fn or_default(exec: Option<&dyn Exec>) -> &dyn Exec {
    exec.unwrap_or_else(|| default_exec())
}

/// Run a plugin and decode its stdout as a result (upstream
/// `ExecPluginWithResult`). A result without a `cniVersion` (or with an
/// empty one) is taken to be in the configuration's version.
pub fn exec_plugin_with_result(
    ctx: &Context,
    plugin_path: &str,
    netconf: &[u8],
    args: &dyn CniArgs,
    exec: Option<&dyn Exec>,
) -> Result<CniResult> {
    exec_plugin_with_result_in(ctx, plugin_path, netconf, None, args, or_default(exec))
}

/// [`exec_plugin_with_result`] where the version `netconf` declares may be
/// known already (`conf_version`, as [`crate::types::decode_version`] would read it):
/// then `netconf` is not decoded again.
pub(crate) fn exec_plugin_with_result_in(
    ctx: &Context,
    plugin_path: &str,
    netconf: &[u8],
    conf_version: Option<&str>,
    args: &dyn CniArgs,
    exec: &dyn Exec,
) -> Result<CniResult> {
    let env = args.plugin_env();
    events::observe_plugin(ctx, plugin_path, netconf, &env, || {
        args.validate()?;
        // The decoding runs while the plugin does (the errors it finds are
        // reported after the plugin's own, as before).
        let mut decoding = ResultDecoding::new(netconf, conf_version);
        let stdout = exec.exec_plugin_while(ctx, plugin_path, netconf, &env, &mut decoding)?;
        decoding.finish(&stdout)
    })
}

/// The version a plugin's result is in, and the result (parsed as Go's
/// decoder would) with the configuration's version (`conf_version`) filled
/// in when the plugin left it out or empty: upstream decodes into a map,
/// sets `cniVersion` and re-encodes.
pub(crate) fn fixup_result_version(
    conf_version: String,
    result: &[u8],
) -> Result<(String, GoJsonValue<'_>)> {
    let unmarshal = |e: String| Error::Decode(format!("failed to unmarshal raw result: {e}"));
    let mut parsed = parse_go_json(result).map_err(unmarshal)?;
    let mut members = match &mut parsed {
        GoJsonValue::Object(members) => std::mem::take(members),
        GoJsonValue::Null => Vec::new(),
        other => {
            return Err(unmarshal(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                other.kind()
            )))
        }
    };
    // A Go map keeps the last of duplicate keys.
    let declared = members.iter().rev().find(|(k, _)| k == "cniVersion");
    if let Some((_, GoJsonValue::String(v))) = declared {
        if !v.is_empty() {
            let v = v.to_string();
            return Ok((v, GoJsonValue::Object(members)));
        }
    }
    members.retain(|(k, _)| k != "cniVersion");
    members.push((
        "cniVersion".into(),
        GoJsonValue::String(conf_version.clone().into()),
    ));
    Ok((conf_version, GoJsonValue::Object(members)))
}

/// Run a plugin for its effect only (upstream `ExecPluginWithoutResult`).
pub fn exec_plugin_without_result(
    ctx: &Context,
    plugin_path: &str,
    netconf: &[u8],
    args: &dyn CniArgs,
    exec: Option<&dyn Exec>,
) -> Result<()> {
    let exec = or_default(exec);
    let env = args.plugin_env();
    events::observe_plugin(ctx, plugin_path, netconf, &env, || {
        args.validate()?;
        exec.exec_plugin_env(ctx, plugin_path, netconf, &env)?;
        Ok(())
    })
}

/// Ask a plugin which spec versions it supports (upstream
/// `GetVersionInfo`). A plugin too old to know `VERSION` supports 0.1.0.
pub fn get_version_info(
    ctx: &Context,
    plugin_path: &str,
    exec: Option<&dyn Exec>,
) -> Result<PluginInfo> {
    let exec = or_default(exec);
    let args = Args {
        command: "VERSION".into(),
        // Plugins built on old versions of skel insist on these.
        netns: "dummy".into(),
        if_name: "dummy".into(),
        path: "dummy".into(),
        ..Args::default()
    };
    let stdin = format!(r#"{{"cniVersion":"{}"}}"#, version::current());
    let env = args.plugin_env();
    events::observe_plugin(ctx, plugin_path, b"{}", &env, || {
        match exec.exec_plugin_env(ctx, plugin_path, stdin.as_bytes(), &env) {
            Ok(stdout) => exec.decode(&stdout),
            Err(e) if e.to_string() == "unknown CNI_COMMAND: VERSION" => {
                Ok(PluginInfo::supports(&["0.1.0"]))
            }
            Err(e) => Err(e),
        }
    })
}
