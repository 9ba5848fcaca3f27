//! `cniinvoke net`: upstream cnitool's command line on the network-list
//! layer. `add|check|del|gc|status NAME NETNS` run a configuration list
//! found by name; `ls`, `validate` and `attachments` inspect.

use crate::cnitool;
use crate::context::{context, cut_short, interrupted, parse_duration};
use crate::invoke::search_path;
use crate::net_info;
use clap::{Args as ClapArgs, Subcommand};
use cniinvoke::libcni::{
    self, CniConfig, CniConfigOptions, GcArgs, GcAttachment, NetworkConfigList, RuntimeConf,
};
use cniinvoke::Error;
use std::io::Write;
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
    dir: Option<PathBuf>,
    /// Plugin search path (colon-separated); default: CNI_PATH, else /opt/cni/bin:/usr/lib/cni.
    #[arg(long)]
    path: Option<String>,
    /// Cache directory; default /var/lib/cni (cnitool's).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Give up on the whole list (and kill the running plugin) after this
    /// long: 30s, 500ms, 2m or plain seconds.
    #[arg(long, value_parser = parse_duration)]
    timeout: Option<Duration>,
}

#[derive(ClapArgs)]
pub struct Attach {
    /// Network name (the configuration's "name").
    name: String,
    /// Path of the network namespace (made absolute as cnitool does).
    netns: String,
    /// Container id; default cnitool's: "cnitool-" + hex of the first 10
    /// bytes of the SHA-512 of the absolute netns path.
    #[arg(long)]
    containerid: Option<String>,
    #[command(flatten)]
    opts: ListOpts,
}

#[derive(ClapArgs)]
pub struct Add {
    #[command(flatten)]
    attach: Attach,
    /// When ADD fails (or is cut short by Ctrl-C or --timeout), leave what
    /// it set up instead of undoing it with the list's DEL (cnitool's way).
    #[arg(long)]
    no_cleanup: bool,
}

#[derive(ClapArgs)]
pub struct Gc {
    /// Network name (the configuration's "name").
    name: String,
    /// Accepted (and ignored) for cnitool's `gc <net> <netns>`.
    netns: Option<String>,
    /// An attachment to keep, CONTAINERID/IFNAME; repeatable.
    #[arg(long, value_name = "CONTAINERID/IFNAME")]
    keep: Vec<String>,
    #[command(flatten)]
    opts: ListOpts,
}

#[derive(ClapArgs)]
pub struct Status {
    /// Network name (the configuration's "name").
    name: String,
    /// Accepted (and ignored) for cnitool's `status <net> <netns>`.
    netns: Option<String>,
    #[command(flatten)]
    opts: ListOpts,
}

/// What cnitool reads before it runs anything, in its order (so the same
/// mistake is reported first): the list, CAP_ARGS, CNI_ARGS, CNI_IFNAME.
struct Prepared {
    list: NetworkConfigList,
    cfg: CniConfig,
    rt: RuntimeConf,
}

fn prepare(name: &str, opts: &ListOpts) -> cniinvoke::Result<Prepared> {
    let dir = cnitool::net_dir(opts.dir.clone());
    let list = libcni::load_network_conf(&dir, name)?;
    let capability_args = match std::env::var("CAP_ARGS") {
        Ok(v) if !v.is_empty() => cnitool::capability_args(&v)?,
        _ => Default::default(),
    };
    let args = cnitool::cni_args(&std::env::var("CNI_ARGS").unwrap_or_default())?;
    let rt = RuntimeConf {
        if_name: cnitool::if_name(),
        args,
        capability_args,
        ..RuntimeConf::default()
    };
    let path = search_path(opts.path.clone());
    let dirs = path
        .split(':')
        .filter(|d| !d.is_empty())
        .map(String::from)
        .collect();
    let cache = opts
        .cache_dir
        .clone()
        .unwrap_or_else(|| cnitool::DEFAULT_CACHE_DIR.into());
    let cfg = CniConfig::with_cache_dir(dirs, cache, None);
    Ok(Prepared { list, cfg, rt })
}

/// The namespace and container id of an attachment.
fn attach(a: &Attach) -> cniinvoke::Result<Prepared> {
    let mut p = prepare(&a.name, &a.opts)?;
    if a.netns.is_empty() {
        return Err(Error::InvalidArgument("NETNS must not be empty".into()));
    }
    p.rt.netns = cnitool::absolute(&a.netns)?;
    p.rt.container_id = match &a.containerid {
        Some(id) => id.clone(),
        None => cnitool::container_id(&p.rt.netns),
    };
    Ok(p)
}

fn add(add: Add) -> cniinvoke::Result<()> {
    let mut p = attach(&add.attach)?;
    p.cfg.set_options(CniConfigOptions {
        cleanup_on_failure: !add.no_cleanup,
        ..p.cfg.options()
    });
    let ctx = context(add.attach.opts.timeout);
    let result = p.cfg.add_network_list(&ctx, &p.list, &p.rt);
    match result {
        Ok(result) => {
            // As cnitool's result.Print(): indented, no newline after it.
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(result.to_json_pretty().as_bytes());
            let _ = out.flush();
            Ok(())
        }
        Err(e) => {
            if cut_short(&e) && !add.no_cleanup {
                let why = if interrupted() {
                    "interrupted"
                } else {
                    "timed out"
                };
                eprintln!("ADD {why}: the list's DEL was run to undo what it had set up");
            }
            Err(e)
        }
    }
}

fn check(a: Attach) -> cniinvoke::Result<()> {
    let p = attach(&a)?;
    p.cfg
        .check_network_list(&context(a.opts.timeout), &p.list, &p.rt)
}

fn del(a: Attach) -> cniinvoke::Result<()> {
    let p = attach(&a)?;
    let r = p
        .cfg
        .del_network_list(&context(a.opts.timeout), &p.list, &p.rt);
    if let Err(e) = &r {
        if cut_short(e) {
            eprintln!(
                "DEL stopped part way; the attachment stays cached: run `cniinvoke net del {} {}` again",
                a.name, a.netns
            );
        }
    }
    r
}

fn gc(g: Gc) -> cniinvoke::Result<()> {
    let p = prepare(&g.name, &g.opts)?;
    let args = if g.keep.is_empty() {
        None
    } else {
        let valid = g
            .keep
            .iter()
            .map(|k| keep(k))
            .collect::<cniinvoke::Result<_>>()?;
        Some(GcArgs {
            valid_attachments: valid,
        })
    };
    p.cfg
        .gc_network_list(&context(g.opts.timeout), &p.list, args.as_ref())
}

/// `--keep CONTAINERID/IFNAME`.
fn keep(spec: &str) -> cniinvoke::Result<GcAttachment> {
    match spec.split_once('/') {
        Some((c, i)) if !c.is_empty() && !i.is_empty() && !i.contains('/') => Ok(GcAttachment {
            container_id: c.to_string(),
            if_name: i.to_string(),
        }),
        _ => Err(Error::InvalidArgument(format!(
            "--keep {spec:?}: expected CONTAINERID/IFNAME"
        ))),
    }
}

fn status(s: Status) -> cniinvoke::Result<()> {
    let p = prepare(&s.name, &s.opts)?;
    p.cfg
        .get_status_network_list(&context(s.opts.timeout), &p.list)
}

fn validate(name: &str, opts: ListOpts) -> cniinvoke::Result<()> {
    let p = prepare(name, &opts)?;
    let caps = p
        .cfg
        .validate_network_list(&context(opts.timeout), &p.list)?;
    net_info::print_capabilities(&caps);
    Ok(())
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
