//! Soak with races on the network-list layer: 4 processes (this one and 3
//! re-executed workers) of 16 threads each run ADD, CHECK, DEL and GC of
//! one two-plugin list over 16 attachments, with random deadlines and
//! cancellations, for a bounded time. Every operation carries its id in
//! `CNI_ARGS`, so the plugins' per-attachment command log shows what ran,
//! in which order. Afterwards, per attachment, the log is replayed against
//! the outcomes: each successful CHECK saw the result of the ADD before it,
//! and the cache entry is the one of the last ADD no DEL or GC undid — no
//! lost attachment, no orphaned entry. Then a DEL of every attachment
//! leaves no entry, no lock file and no temporary file. Each process's
//! descriptors and resident set stay flat, no child is left, and a
//! minimum number of calls ran.
//!
//! GC runs on a background context (its stale DELs then always complete,
//! which is what lets the replay attribute them); ADD, CHECK and DEL get
//! the random deadlines and cancellations.
//!
//! `CNI_LIBCNI_SOAK_SECONDS` (default 20; `make soak` sets 600) bounds the
//! run; `CNI_LIBCNI_SOAK_MIN_CALLS_PER_SECOND` (default 20) sets the
//! minimum call rate asserted.

mod libcni_support;

use cniinvoke::libcni::{CniConfig, CniConfigOptions, GcArgs, GcAttachment, RuntimeConf};
use cniinvoke::Context;
use libcni_support::{json_of, p, Net};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PROCESSES: usize = 4;
const THREADS: usize = 16;
const ATTACHMENTS: u64 = 16;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// No limit, a deadline of up to 30 ms, or a cancel after up to 30 ms.
fn context(rng: &mut Rng) -> Context {
    match rng.below(3) {
        0 => Context::with_timeout(Duration::from_millis(rng.below(30))),
        1 => {
            let ctx = Context::new();
            let c = ctx.clone();
            let after = Duration::from_millis(rng.below(30));
            std::thread::spawn(move || {
                std::thread::sleep(after);
                c.cancel();
            });
            ctx
        }
        _ => Context::new(),
    }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn config(root: &Path) -> (CniConfig, cniinvoke::libcni::NetworkConfigList) {
    let mut cfg = CniConfig::with_cache_dir(
        vec![root.join("bin").to_string_lossy().into_owned()],
        root.join("cache"),
        None,
    );
    cfg.set_options(CniConfigOptions {
        cleanup_on_failure: true,
        ..CniConfigOptions::default()
    });
    let bytes = std::fs::read(root.join("list.json")).unwrap();
    let list = cniinvoke::libcni::conf_list_from_bytes(&bytes).unwrap();
    (cfg, list)
}

fn rt(ctr: &str, op: &str) -> RuntimeConf {
    RuntimeConf {
        container_id: ctr.into(),
        netns: format!("/var/run/netns/{op}"),
        if_name: "eth0".into(),
        args: vec![("OP".into(), op.into())],
        ..RuntimeConf::default()
    }
}

/// One operation: `{"id","ctr","verb","ok","result"}`.
fn one_op(
    cfg: &CniConfig,
    list: &cniinvoke::libcni::NetworkConfigList,
    rng: &mut Rng,
    id: String,
) -> Value {
    let ctr = format!("ctr{}", rng.below(ATTACHMENTS));
    let rt = rt(&ctr, &id);
    let ctx = context(rng);
    let (verb, ok, result) = match rng.below(20) {
        0..=6 => match cfg.add_network_list(&ctx, list, &rt) {
            Ok(r) => ("ADD", true, json_of(&r)),
            Err(_) => ("ADD", false, Value::Null),
        },
        7..=11 => (
            "DEL",
            cfg.del_network_list(&ctx, list, &rt).is_ok(),
            Value::Null,
        ),
        12..=16 => (
            "CHECK",
            cfg.check_network_list(&ctx, list, &rt).is_ok(),
            Value::Null,
        ),
        _ => {
            let valid_attachments = (0..ATTACHMENTS)
                .filter(|_| rng.below(2) == 0)
                .map(|a| GcAttachment {
                    container_id: format!("ctr{a}"),
                    if_name: "eth0".into(),
                })
                .collect();
            let args = GcArgs { valid_attachments };
            let r = cfg.gc_network_list(&Context::background(), list, Some(&args));
            assert!(r.is_ok(), "GC on a background context failed: {r:?}");
            return json!({"id": id, "ctr": "", "verb": "GC", "ok": true, "result": null});
        }
    };
    json!({"id": id, "ctr": ctr, "verb": verb, "ok": ok, "result": result})
}

/// This process's share: THREADS threads until `budget` is over, each
/// writing its outcomes, one JSON line each, to
/// `<root>/outcomes-<proc>-<thread>.jsonl` as it goes (so that they do not
/// grow this process's memory); this process's descriptors before and
/// after, and its resident set after the warm-up and at the end.
fn run_share(root: &Path, proc_: usize, budget: Duration) -> Value {
    use std::io::Write;
    let (cfg, list) = config(root);
    let idle_fds = open_fds();
    let start = Instant::now();
    let warm = std::sync::Barrier::new(THREADS + 1);
    let mut warm_rss = 0;
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (cfg, list, warm) = (&cfg, &list, &warm);
            let file = root.join(format!("outcomes-{proc_}-{t}.jsonl"));
            let mut out = std::io::BufWriter::new(std::fs::File::create(file).unwrap());
            s.spawn(move || {
                let mut rng = Rng((proc_ * 1000 + t) as u64 * 7919 + 17);
                let mut i = 0;
                let mut warmed = false;
                while start.elapsed() < budget {
                    if !warmed && start.elapsed() > budget / 5 {
                        warm.wait();
                        warmed = true;
                    }
                    let o = one_op(cfg, list, &mut rng, format!("{proc_}.{t}.{i}"));
                    writeln!(out, "{o}").unwrap();
                    i += 1;
                }
                if !warmed {
                    warm.wait();
                }
                out.flush().unwrap();
            });
        }
        // The warm-up ends when every thread passed a fifth of the time.
        warm.wait();
        warm_rss = rss_kib();
    });
    // Cancellation threads of the last calls may still be sleeping.
    std::thread::sleep(Duration::from_millis(50));
    json!({"fds": [idle_fds, open_fds()], "rss": [warm_rss, rss_kib()]})
}

/// Every outcome the processes wrote, by operation id.
fn read_outcomes(root: &Path) -> HashMap<String, Value> {
    let mut outcomes = HashMap::new();
    for e in std::fs::read_dir(root).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("outcomes-") && name.ends_with(".jsonl")) {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let o: Value = serde_json::from_str(line).unwrap();
            outcomes.insert(o["id"].as_str().unwrap().to_string(), o);
        }
    }
    outcomes
}

/// Worker mode: run a share and write it to `<root>/share-<n>.json`.
#[test]
fn libcni_soak_worker() {
    let Ok(root) = std::env::var("CNI_LIBCNI_SOAK_ROOT") else {
        return;
    };
    let proc_: usize = env_num("CNI_LIBCNI_SOAK_PROC", 0) as usize;
    let budget = Duration::from_millis(env_num("CNI_LIBCNI_SOAK_MS", 0));
    let root = PathBuf::from(root);
    let share = run_share(&root, proc_, budget);
    let tmp = root.join(format!(".share-{proc_}.json"));
    std::fs::write(&tmp, share.to_string()).unwrap();
    std::fs::rename(tmp, root.join(format!("share-{proc_}.json"))).unwrap();
}

/// A plugin's command log, read past torn lines: a plugin killed in the
/// middle of its one `write` can leave part of a line (the kernel stops a
/// write at a page boundary for a fatal signal), and the next plugin's
/// line is then glued to it. The torn part is dropped and the whole line
/// after it kept.
fn read_log_tolerant(path: &Path) -> Vec<Value> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let whole = (0..line.len())
                .filter(|&i| line.as_bytes()[i] == b'{')
                .find_map(|i| serde_json::from_str::<Value>(&line[i..]).ok());
            // A torn line with nothing glued to it: the last line of a
            // killed plugin.
            whole.filter(|v| v.get("command").is_some())
        })
        .collect()
}

fn op_of(line: &Value) -> String {
    line["cniArgs"]
        .as_str()
        .and_then(|a| a.strip_prefix("OP="))
        .unwrap_or("")
        .to_string()
}

/// Replay one attachment's log against the outcomes (see the module
/// docs); the number of operations that changed its state.
fn replay(net: &Net, ctr: &str, outcomes: &HashMap<String, Value>) -> usize {
    let log = read_log_tolerant(&net.logs.join(format!("{ctr}-eth0.log")));
    // Segments: runs of lines of one operation in one role.
    let mut segments: Vec<(String, &str, Vec<&Value>)> = Vec::new();
    for line in &log {
        let op = op_of(line);
        let o = outcomes
            .get(&op)
            .unwrap_or_else(|| panic!("{ctr}: a line of unknown op {op}: {line}"));
        let role = match (
            o["verb"].as_str().unwrap(),
            line["command"].as_str().unwrap(),
        ) {
            ("ADD", "ADD") | ("DEL", "DEL") | ("CHECK", "CHECK") => "own",
            // DEL lines under an ADD's id: the cleanup of that ADD if it
            // failed, else a GC's DEL of the entry it left.
            ("ADD", "DEL") if o["ok"] == false => "cleanup",
            ("ADD", "DEL") => "gc",
            (v, c) => panic!("{ctr}: {c} line under a {v} op {op}"),
        };
        match segments.last_mut() {
            Some((o, r, lines)) if *o == op && *r == role => lines.push(line),
            _ => segments.push((op, role, vec![line])),
        }
    }
    let mut state: Option<(String, Value)> = None;
    let mut changes = 0;
    let mut seen_own: Vec<&str> = Vec::new();
    for (i, (op, role, lines)) in segments.iter().enumerate() {
        let o = &outcomes[op];
        let (verb, ok) = (o["verb"].as_str().unwrap(), o["ok"] == true);
        if *role == "own" {
            assert!(
                !seen_own.contains(&op.as_str()),
                "{ctr}: {verb} {op} interleaved with another operation"
            );
            seen_own.push(op);
        }
        match (*role, verb, ok) {
            ("own", "ADD", true) => {
                assert_eq!(lines.len(), 2, "{ctr}: ADD {op} succeeded");
                state = Some((op.clone(), o["result"].clone()));
                changes += 1;
            }
            ("own", "ADD", false) => {
                let next = segments.get(i + 1);
                assert!(
                    next.is_some_and(|s| s.0 == *op && s.1 == "cleanup"),
                    "{ctr}: the failed ADD {op} was not cleaned up"
                );
            }
            // Also when the ADD failed before its first plugin ran.
            ("cleanup", _, _) => {
                assert_eq!(lines.len(), 2, "{ctr}: cleanup of the failed ADD {op}");
                state = None;
                changes += 1;
            }
            ("own", "DEL", true) | ("gc", _, _) => {
                state = None;
                changes += 1;
            }
            ("own", "CHECK", true) => {
                assert_eq!(lines.len(), 2, "{ctr}: CHECK {op} succeeded");
                for l in lines {
                    let seen = (!l["prevResult"].is_null()).then(|| l["prevResult"].clone());
                    assert_eq!(
                        seen,
                        state.as_ref().map(|s| s.1.clone()),
                        "{ctr}: CHECK {op} saw another result than the cached one"
                    );
                }
            }
            _ => {}
        }
    }
    let (cfg, list) = config(net.dir.path());
    let probe = rt(ctr, "probe");
    let cached = cfg
        .get_network_list_cached_result(&list, &probe)
        .unwrap()
        .map(|r| json_of(&r));
    let cached_op = cfg
        .get_network_list_cached_config(&list, &probe)
        .unwrap()
        .map(|c| c.runtime_conf.args[0].1.clone());
    assert_eq!(
        (cached_op, cached),
        state.map_or((None, None), |(op, r)| (Some(op), Some(r))),
        "{ctr}: the cache entry vs the replayed log"
    );
    changes
}

/// DEL every attachment; then nothing at all is left in the cache.
fn del_everything(net: &Net) {
    let (cfg, list) = config(net.dir.path());
    for a in 0..ATTACHMENTS {
        cfg.del_network_list(
            &Context::background(),
            &list,
            &rt(&format!("ctr{a}"), "final"),
        )
        .unwrap();
    }
    for d in ["results", "locks"] {
        let left: Vec<_> = std::fs::read_dir(net.cache.join(d))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "{d}: {left:?} left");
    }
}

fn spawn_worker(net: &Net, proc_: usize, budget: Duration) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "libcni_soak_worker",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CNI_LIBCNI_SOAK_ROOT", net.dir.path())
        .env("CNI_LIBCNI_SOAK_PROC", proc_.to_string())
        .env("CNI_LIBCNI_SOAK_MS", budget.as_millis().to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn check_flat(who: &str, share: &Value) {
    let pair = |k: &str| (share[k][0].as_u64().unwrap(), share[k][1].as_u64().unwrap());
    let ((fds0, fds1), (rss0, rss1)) = (pair("fds"), pair("rss"));
    eprintln!("{who}: fds {fds0} -> {fds1}, RSS {rss0} -> {rss1} KiB");
    assert!(
        fds1 <= fds0,
        "{who}: descriptors grew from {fds0} to {fds1}"
    );
    assert!(
        rss1 < rss0 + 16 * 1024,
        "{who}: RSS grew from {rss0} to {rss1} KiB"
    );
}

#[test]
fn four_processes_of_sixteen_threads_keep_cache_and_plugins_in_agreement() {
    if std::env::var_os("CNI_LIBCNI_SOAK_ROOT").is_some() {
        return;
    }
    let seconds = env_num("CNI_LIBCNI_SOAK_SECONDS", 20);
    let budget = Duration::from_secs(seconds);
    let net = Net::new();
    let text = net.list_text("soak", "1.1.0", vec![p("alpha"), p("beta")], Value::Null);
    std::fs::write(net.dir.path().join("list.json"), text).unwrap();
    let workers: Vec<_> = (1..PROCESSES)
        .map(|n| spawn_worker(&net, n, budget))
        .collect();
    let mut shares = vec![run_share(net.dir.path(), 0, budget)];
    for (n, mut w) in workers.into_iter().enumerate() {
        let status = w.wait().unwrap();
        assert!(status.success(), "worker {}: {status}", n + 1);
        let file = net.dir.path().join(format!("share-{}.json", n + 1));
        shares.push(serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap());
    }
    for (n, share) in shares.iter().enumerate() {
        check_flat(&format!("process {n}"), share);
    }
    let outcomes = read_outcomes(net.dir.path());
    let changes: usize = (0..ATTACHMENTS)
        .map(|a| replay(&net, &format!("ctr{a}"), &outcomes))
        .sum();
    let mut counts: HashMap<(String, bool), usize> = HashMap::new();
    for o in outcomes.values() {
        *counts
            .entry((o["verb"].as_str().unwrap().into(), o["ok"] == true))
            .or_default() += 1;
    }
    eprintln!(
        "{} calls in {seconds} s over {PROCESSES} processes: {counts:?}; {changes} state changes; \
         {} GC plugin runs",
        outcomes.len(),
        read_log_tolerant(&net.logs.join("GC.log")).len()
    );
    let min = env_num("CNI_LIBCNI_SOAK_MIN_CALLS_PER_SECOND", 20) * seconds;
    assert!(
        outcomes.len() as u64 >= min,
        "only {} calls",
        outcomes.len()
    );
    for verb in ["ADD", "DEL", "CHECK"] {
        for ok in [true, false] {
            assert!(
                counts.contains_key(&(verb.into(), ok)),
                "no {verb} with ok={ok}"
            );
        }
    }
    del_everything(&net);
    let mut status = 0;
    // SAFETY: a non-blocking probe of our own children.
    let r = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    assert_eq!(r, -1, "a child was left behind");
}
