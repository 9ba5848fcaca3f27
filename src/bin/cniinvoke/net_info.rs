//! `cniinvoke net ls`, `validate`'s output and `net attachments`: looking
//! at configurations and the cache without running the chain.

use cniinvoke::libcni::{self, CniConfig, NetworkAttachment, NetworkConfigList};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One configuration file as `net ls` shows it.
struct Entry {
    file: PathBuf,
    list: Result<NetworkConfigList, cniinvoke::Error>,
    /// The earlier file that has the same network name (and so wins).
    shadowed_by: Option<PathBuf>,
}

/// The files in the order `load_network_conf` looks at them: `.conflist`
/// files sorted, then `.conf` and `.json` sorted (upconverted to lists).
fn entries(dir: &Path) -> cniinvoke::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for file in libcni::conf_files(dir, &[".conflist"])? {
        let list = libcni::conf_list_from_file(&file);
        out.push(Entry {
            file,
            list,
            shadowed_by: None,
        });
    }
    for file in libcni::conf_files(dir, &[".conf", ".json"])? {
        let list = libcni::conf_from_file(&file).and_then(|c| libcni::conf_list_from_conf(&c));
        out.push(Entry {
            file,
            list,
            shadowed_by: None,
        });
    }
    let mut first: BTreeMap<String, PathBuf> = BTreeMap::new();
    for e in &mut out {
        if let Ok(list) = &e.list {
            match first.get(&list.name) {
                Some(f) => e.shadowed_by = Some(f.clone()),
                None => {
                    first.insert(list.name.clone(), e.file.clone());
                }
            }
        }
    }
    Ok(out)
}

fn types(list: &NetworkConfigList) -> Vec<&str> {
    list.plugins
        .iter()
        .map(|p| p.network.type_.as_str())
        .collect()
}

/// `net ls`: a table (or JSON) of the configurations; files that do not
/// load are reported on stderr, and the first one's error category is the
/// exit status.
pub fn ls(dir: &Path, as_json: bool) -> cniinvoke::Result<()> {
    let entries = entries(dir)?;
    if as_json {
        print_json(&entries);
    } else {
        print_table(&entries);
    }
    let bad: Vec<&Entry> = entries.iter().filter(|e| e.list.is_err()).collect();
    for e in &bad {
        if let Err(err) = &e.list {
            eprintln!("{}: {err}", e.file.display());
        }
    }
    match bad.first().and_then(|e| e.list.as_ref().err()) {
        None => Ok(()),
        Some(first) => Err(cniinvoke::Error::from_status(
            first.status(),
            format!(
                "{} of {} configuration files could not be loaded",
                bad.len(),
                entries.len()
            ),
        )),
    }
}

fn print_table(entries: &[Entry]) {
    let mut rows = vec![[
        "NAME".to_string(),
        "VERSION".into(),
        "PLUGINS".into(),
        "FILE".into(),
    ]];
    for e in entries {
        let Ok(list) = &e.list else { continue };
        let mut file = e.file.display().to_string();
        if let Some(by) = &e.shadowed_by {
            file.push_str(&format!(" (unused: {} comes first)", by.display()));
        }
        rows.push([
            list.name.clone(),
            list.cni_version.clone(),
            types(list).join(","),
            file,
        ]);
    }
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2)];
    for r in &rows {
        println!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
}

fn print_json(entries: &[Entry]) {
    let items: Vec<Value> = entries
        .iter()
        .filter_map(|e| {
            let list = e.list.as_ref().ok()?;
            Some(json!({
                "name": list.name,
                "cniVersion": list.cni_version,
                "plugins": types(list),
                "file": e.file.display().to_string(),
                "shadowedBy": e.shadowed_by.as_ref().map(|p| p.display().to_string()),
            }))
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_default()
    );
}

/// `net validate`'s output: the enabled capabilities, one a line.
pub fn print_capabilities(caps: &[String]) {
    for c in caps {
        println!("{c}");
    }
}

/// `net attachments`: the cache's attachments of `container_id` (all when
/// empty), as indented JSON.
pub fn attachments(cache_dir: &Path, container_id: &str) -> cniinvoke::Result<()> {
    let cfg = CniConfig::with_cache_dir(Vec::new(), cache_dir, None);
    let all = cfg.get_cached_attachments(container_id)?;
    let items: Vec<Value> = all.iter().map(attachment_json).collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_default()
    );
    Ok(())
}

/// One attachment; the cached configuration inline when it is JSON.
fn attachment_json(a: &NetworkAttachment) -> Value {
    let config = serde_json::from_slice::<Value>(&a.config)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&a.config).into_owned()));
    json!({
        "containerId": a.container_id,
        "network": a.network,
        "ifName": a.if_name,
        "netns": a.netns,
        "cniArgs": a.cni_args.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "capabilityArgs": go_numbers(Value::Object(a.capability_args.clone())),
        "config": config,
    })
}

/// Capability arguments hold Go's `float64`s; print whole ones as Go does
/// (`8080`, not `8080.0`).
fn go_numbers(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() && f.fract() == 0.0 && f.abs() < 9e18 => {
                Value::from(f as i64)
            }
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(go_numbers).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, go_numbers(v))).collect()),
        other => other,
    }
}
