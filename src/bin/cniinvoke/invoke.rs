//! The first-layer commands: one plugin, run by hand (`add`, `check`, `del`,
//! `status`, `gc`, `version`, `find`, `convert`).

use crate::context::{context, parse_duration};
use clap::{Args as ClapArgs, Subcommand};
use cniinvoke::types::CniResult;
use cniinvoke::{Args, Error};
use std::io::Read;
use std::time::Duration;

/// Where plugins are looked up when neither --path nor CNI_PATH says.
pub const DEFAULT_PATH: &str = "/opt/cni/bin:/usr/lib/cni";

#[derive(Subcommand)]
pub enum PluginCmd {
    /// Attach a container to a network; prints the result.
    #[command(
        after_help = "Example:\n  cniinvoke add bridge --netconf net.json --netns /var/run/netns/ctr --containerid ctr"
    )]
    Add(Op),
    /// Check a container's networking is as ADD left it.
    #[command(
        after_help = "Example:\n  cniinvoke check bridge --netconf net-with-prevResult.json --netns /var/run/netns/ctr"
    )]
    Check(Op),
    /// Detach a container from a network.
    #[command(
        after_help = "Example:\n  cniinvoke del bridge --netconf net.json --netns /var/run/netns/ctr --containerid ctr"
    )]
    Del(Op),
    /// Ask whether the plugin is ready to serve ADDs.
    #[command(after_help = "Example:\n  cniinvoke status bridge --netconf net.json")]
    Status(Op),
    /// Garbage-collect attachments not in the config's valid list.
    #[command(after_help = "Example:\n  cniinvoke gc host-local --netconf gc.json")]
    Gc(Op),
    /// Print the spec versions a plugin supports.
    #[command(after_help = "Example:\n  cniinvoke version bridge")]
    Version {
        /// Plugin name (looked up on the path) or path to the binary.
        plugin: String,
        #[command(flatten)]
        common: Common,
    },
    /// Print where a plugin is found.
    #[command(after_help = "Example:\n  cniinvoke find bridge --path /opt/cni/bin:/usr/lib/cni")]
    Find {
        /// Plugin name.
        plugin: String,
        /// Search path (colon-separated); default: CNI_PATH, else /opt/cni/bin:/usr/lib/cni.
        #[arg(long)]
        path: Option<String>,
    },
    /// Convert a result to another CNI version.
    #[command(
        after_help = "Example:\n  cniinvoke add bridge --netconf net.json | cniinvoke convert --to 0.4.0"
    )]
    Convert {
        /// Target version (0.1.0 … 1.1.0).
        #[arg(long)]
        to: String,
        /// Result JSON file, or - for stdin.
        #[arg(default_value = "-")]
        file: String,
    },
}

#[derive(ClapArgs)]
pub struct Common {
    /// Search path (colon-separated); default: CNI_PATH, else /opt/cni/bin:/usr/lib/cni.
    #[arg(long)]
    pub path: Option<String>,
    /// Give up (and kill the plugin) after this long: 30s, 500ms, 2m or plain seconds.
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<Duration>,
}

#[derive(ClapArgs)]
pub struct Op {
    /// Plugin name (looked up on the path) or path to the binary.
    plugin: String,
    /// Network configuration file, or - for stdin.
    #[arg(long)]
    netconf: String,
    /// CNI_CONTAINERID.
    #[arg(long, default_value = "cniinvoke")]
    containerid: String,
    /// CNI_NETNS: path of the network namespace.
    #[arg(long, default_value = "")]
    netns: String,
    /// CNI_IFNAME.
    #[arg(long, default_value = "eth0")]
    ifname: String,
    /// CNI_ARGS, e.g. 'IgnoreUnknown=1;K8S_POD_NAME=web'.
    #[arg(long, default_value = "")]
    args: String,
    #[command(flatten)]
    common: Common,
}

/// `--path`, else a non-empty `CNI_PATH`, else [`DEFAULT_PATH`].
pub fn search_path(flag: Option<String>) -> String {
    flag.or_else(|| std::env::var("CNI_PATH").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| DEFAULT_PATH.to_string())
}

/// A plugin given by path is used as it is; a name is looked up.
fn locate(plugin: &str, path: &str) -> cniinvoke::Result<String> {
    if plugin.contains('/') {
        return Ok(plugin.to_string());
    }
    let dirs: Vec<&str> = path.split(':').filter(|d| !d.is_empty()).collect();
    cniinvoke::find_in_path(plugin, &dirs)
}

fn read_input(file: &str) -> cniinvoke::Result<Vec<u8>> {
    let read = if file == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map(|_| buf)
    } else {
        std::fs::read(file)
    };
    read.map_err(|e| Error::InvalidArgument(format!("reading {file}: {e}")))
}

/// `add`, `check`, `del`, `status`, `gc`: ADD prints the result.
fn run_op(command: &str, op: Op) -> cniinvoke::Result<Option<String>> {
    let path = search_path(op.common.path);
    let plugin = locate(&op.plugin, &path)?;
    let netconf = read_input(&op.netconf)?;
    let args = Args {
        command: command.into(),
        container_id: op.containerid,
        netns: op.netns,
        if_name: op.ifname,
        path,
        plugin_args_str: op.args,
        ..Args::default()
    };
    let ctx = context(op.common.timeout);
    if command == "ADD" {
        let r = cniinvoke::exec_plugin_with_result(&ctx, &plugin, &netconf, &args, None)?;
        Ok(Some(r.to_json_pretty()))
    } else {
        cniinvoke::exec_plugin_without_result(&ctx, &plugin, &netconf, &args, None)?;
        Ok(None)
    }
}

/// `version PLUGIN`: the plugin's version report, indented.
fn version(plugin: &str, common: Common) -> cniinvoke::Result<Option<String>> {
    let plugin = locate(plugin, &search_path(common.path))?;
    let info = cniinvoke::get_version_info(&context(common.timeout), &plugin, None)?;
    let value: serde_json::Value =
        serde_json::from_str(&info.to_json()).map_err(|e| Error::Decode(e.to_string()))?;
    Ok(Some(
        serde_json::to_string_pretty(&value).unwrap_or_default(),
    ))
}

/// `find PLUGIN`: where the plugin is.
fn find(plugin: &str, path: Option<String>) -> cniinvoke::Result<Option<String>> {
    locate(plugin, &search_path(path)).map(Some)
}

/// `convert --to VERSION [FILE]`.
fn convert(to: &str, file: &str) -> cniinvoke::Result<Option<String>> {
    let input = read_input(file)?;
    let result = CniResult::from_json(&input)?.convert_to(to)?;
    Ok(Some(result.to_json_pretty()))
}

/// Run one plugin command; what it returns is printed with a newline.
pub fn run(cmd: PluginCmd) -> cniinvoke::Result<Option<String>> {
    match cmd {
        PluginCmd::Add(op) => run_op("ADD", op),
        PluginCmd::Check(op) => run_op("CHECK", op),
        PluginCmd::Del(op) => run_op("DEL", op),
        PluginCmd::Status(op) => run_op("STATUS", op),
        PluginCmd::Gc(op) => run_op("GC", op),
        PluginCmd::Version { plugin, common } => version(&plugin, common),
        PluginCmd::Find { plugin, path } => find(&plugin, path),
        PluginCmd::Convert { to, file } => convert(&to, &file),
    }
}
