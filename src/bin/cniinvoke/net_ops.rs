//! What the `net` verbs do: cnitool's reading of its environment, then
//! one call of the network-list core per verb.

use crate::cnitool;
use crate::context::{context, cut_short, interrupted};
use crate::invoke::search_path;
use crate::net::{Add, Attach, Gc, ListOpts, Status};
use crate::net_info;
use cniinvoke::libcni::{
    self, CniConfig, CniConfigOptions, GcArgs, GcAttachment, NetworkConfigList, RuntimeConf,
};
use cniinvoke::Error;
use std::io::Write;

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
    let capability_args = cnitool::capability_args()?;
    let args = cnitool::cni_args(&cnitool::env("CNI_ARGS"))?;
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

pub fn add(add: Add) -> cniinvoke::Result<()> {
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

pub fn check(a: Attach) -> cniinvoke::Result<()> {
    let p = attach(&a)?;
    p.cfg
        .check_network_list(&context(a.opts.timeout), &p.list, &p.rt)
}

pub fn del(a: Attach) -> cniinvoke::Result<()> {
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

pub fn gc(g: Gc) -> cniinvoke::Result<()> {
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

pub fn status(s: Status) -> cniinvoke::Result<()> {
    let p = prepare(&s.name, &s.opts)?;
    p.cfg
        .get_status_network_list(&context(s.opts.timeout), &p.list)
}

pub fn validate(name: &str, opts: ListOpts) -> cniinvoke::Result<()> {
    let p = prepare(name, &opts)?;
    let caps = p
        .cfg
        .validate_network_list(&context(opts.timeout), &p.list)?;
    net_info::print_capabilities(&caps);
    Ok(())
}
