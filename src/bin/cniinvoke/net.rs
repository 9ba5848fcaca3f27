//! `cniinvoke net`: upstream cnitool's command line on the network-list
//! layer. `add|check|del|gc|status NAME NETNS` run a configuration list
//! found by name; `ls`, `validate` and `attachments` inspect.

use crate::context::parse_duration;
use crate::net_ops::{add, check, del, gc, status, validate};
use crate::{cnitool, net_info};
use clap::{Args as ClapArgs, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Subcommand)]
pub enum NetCmd {
    /// Attach the namespace to network NAME: run the list's plugins in order;
    /// prints the result as cnitool does.
    #[command(
        after_help = "Example:\n  CNI_PATH=/usr/lib/cni cniinvoke net add mynet /var/run/netns/ctr"
    )]
    Add(Add),
    /// Check the attachment is as ADD left it (plugins in order, with the cached result).
    #[command(after_help = "Example:\n  cniinvoke net check mynet /var/run/netns/ctr")]
    Check(Attach),
    /// Detach the namespace from network NAME (plugins in reverse order);
    /// removes the cache entry.
    #[command(after_help = "Example:\n  cniinvoke net del mynet /var/run/netns/ctr")]
    Del(Attach),
    /// Garbage-collect network NAME: DEL every cached attachment not kept,
    /// then the plugins' own GC (as cnitool: with no --keep, nothing is kept).
    #[command(
        after_help = "Example:\n  cniinvoke net gc mynet --keep cnitool-0123456789abcdef0123/eth0"
    )]
    Gc(Gc),
    /// Ask the list's plugins whether they are ready for ADDs.
    #[command(after_help = "Example:\n  cniinvoke net status mynet")]
    Status(Status),
    /// List the network configurations in the directory.
    #[command(after_help = "Example:\n  cniinvoke net ls --dir /etc/cni/net.d")]
    Ls {
        /// Directory of configurations; default: NETCONFPATH, else /etc/cni/net.d.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check every plugin of network NAME is found and supports the list's
    /// version; prints the capabilities the list enables, one a line.
    #[command(after_help = "Example:\n  cniinvoke net validate mynet")]
    Validate {
        /// Network name (the configuration's "name").
        name: String,
        #[command(flatten)]
        opts: ListOpts,
    },
    /// Print the cached attachments of a container (all containers if none
    /// is given) as JSON.
    #[command(after_help = "Example:\n  cniinvoke net attachments cnitool-0123456789abcdef0123")]
    Attachments {
        /// Container id.
        containerid: Option<String>,
        /// Cache directory; default /var/lib/cni.
        #[arg(long)]
        cache_dir: Option<PathBuf>,
    },
}

/// Where the list, its plugins and its cache are, and how long it may take.
#[derive(ClapArgs)]
pub struct ListOpts {
    /// Directory of configurations; default: NETCONFPATH, else /etc/cni/net.d.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Plugin search path (colon-separated); default: CNI_PATH, else /opt/cni/bin:/usr/lib/cni.
    #[arg(long)]
    pub path: Option<String>,
    /// Cache directory; default /var/lib/cni (cnitool's).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Give up on the whole list (and kill the running plugin) after this
    /// long: 30s, 500ms, 2m or plain seconds.
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<Duration>,
}

#[derive(ClapArgs)]
pub struct Attach {
    /// Network name (the configuration's "name").
    pub name: String,
    /// Path of the network namespace (made absolute as cnitool does).
    pub netns: String,
    /// Container id; default cnitool's: "cnitool-" + hex of the first 10
    /// bytes of the SHA-512 of the absolute netns path.
    #[arg(long)]
    pub containerid: Option<String>,
    #[command(flatten)]
    pub opts: ListOpts,
}

#[derive(ClapArgs)]
pub struct Add {
    #[command(flatten)]
    pub attach: Attach,
    /// When ADD fails (or is cut short by Ctrl-C or --timeout), leave what
    /// it set up instead of undoing it with the list's DEL (cnitool's way).
    #[arg(long)]
    pub no_cleanup: bool,
}

#[derive(ClapArgs)]
pub struct Gc {
    /// Network name (the configuration's "name").
    pub name: String,
    /// Accepted (and ignored) for cnitool's `gc <net> <netns>`.
    pub netns: Option<String>,
    /// An attachment to keep, CONTAINERID/IFNAME; repeatable.
    #[arg(long, value_name = "CONTAINERID/IFNAME")]
    pub keep: Vec<String>,
    #[command(flatten)]
    pub opts: ListOpts,
}

#[derive(ClapArgs)]
pub struct Status {
    /// Network name (the configuration's "name").
    pub name: String,
    /// Accepted (and ignored) for cnitool's `status <net> <netns>`.
    pub netns: Option<String>,
    #[command(flatten)]
    pub opts: ListOpts,
}

/// Run one `net` command; its output is already printed.
pub fn run(cmd: NetCmd) -> cniinvoke::Result<()> {
    match cmd {
        NetCmd::Add(a) => add(a),
        NetCmd::Check(a) => check(a),
        NetCmd::Del(a) => del(a),
        NetCmd::Gc(g) => gc(g),
        NetCmd::Status(s) => status(s),
        NetCmd::Ls { dir, json } => net_info::ls(&cnitool::net_dir(dir), json),
        NetCmd::Validate { name, opts } => validate(&name, opts),
        NetCmd::Attachments {
            containerid,
            cache_dir,
        } => {
            let cache = cache_dir.unwrap_or_else(|| cnitool::DEFAULT_CACHE_DIR.into());
            net_info::attachments(&cache, containerid.as_deref().unwrap_or(""))
        }
    }
}
