//! 64 threads doing ADD, DEL and CHECK on 8 attachments of one list, with
//! random deadlines and cancellations. Each operation carries its own id in
//! `CNI_ARGS`, so the plugins' per-attachment command log shows the order
//! in which operations really ran. Afterwards, per attachment: every
//! operation's plugin runs are contiguous in the log (one operation at a
//! time), each successful CHECK saw the result of the last successful ADD
//! before it, and the cache entry and the plugins' last verbs agree with
//! the last operation that changed anything.

mod libcni_support;

use cniinvoke::libcni::{CniConfigOptions, RuntimeConf};
use cniinvoke::Context;
use libcni_support::{json_of, Net};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

const THREADS: usize = 64;
const OPS_PER_THREAD: usize = 8;
const ATTACHMENTS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Verb {
    Add,
    Del,
    Check,
}

#[derive(Debug)]
struct Outcome {
    ctr: String,
    verb: Verb,
    ok: bool,
    result: Option<Value>,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn plugin(type_: &str) -> Value {
    json!({"type": type_, "debug": {"sleepMs": 2, "commands": {"ADD": {"chainResult": true}}}})
}

/// A context that, for some operations, ends early: by deadline or by a
/// cancel from another thread.
fn context(rng: &mut Rng) -> Context {
    match rng.next(8) {
        0 | 1 => Context::with_timeout(Duration::from_millis(1 + rng.next(25))),
        2 => {
            let ctx = Context::new();
            let c = ctx.clone();
            let after = Duration::from_millis(rng.next(20));
            std::thread::spawn(move || {
                std::thread::sleep(after);
                c.cancel();
            });
            ctx
        }
        _ => Context::new(),
    }
}

#[test]
fn concurrent_operations_keep_cache_and_plugins_consistent() {
    let net = Net::new();
    let list = net.list("conc", "1.0.0", vec![plugin("alpha"), plugin("beta")]);
    let mut cfg = net.cfg();
    cfg.set_options(CniConfigOptions {
        cleanup_on_failure: true,
        ..CniConfigOptions::default()
    });
    let outcomes: Mutex<HashMap<String, Outcome>> = Mutex::new(HashMap::new());
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (cfg, list, outcomes, net) = (&cfg, &list, &outcomes, &net);
            s.spawn(move || {
                let mut rng = Rng(t as u64 * 7919 + 17);
                for i in 0..OPS_PER_THREAD {
                    let id = format!("{t}x{i}");
                    let ctr = format!("ctr{}", rng.next(ATTACHMENTS as u64));
                    let rt = RuntimeConf {
                        args: vec![("OP".into(), id.clone())],
                        netns: format!("/var/run/netns/{id}"),
                        ..net.rt(&ctr)
                    };
                    let ctx = context(&mut rng);
                    let verb = [Verb::Add, Verb::Add, Verb::Del, Verb::Check][rng.next(4) as usize];
                    let (ok, result) = match verb {
                        Verb::Add => match cfg.add_network_list(&ctx, list, &rt) {
                            Ok(r) => (true, Some(json_of(&r))),
                            Err(_) => (false, None),
                        },
                        Verb::Del => (cfg.del_network_list(&ctx, list, &rt).is_ok(), None),
                        Verb::Check => (cfg.check_network_list(&ctx, list, &rt).is_ok(), None),
                    };
                    outcomes.lock().unwrap().insert(
                        id,
                        Outcome {
                            ctr,
                            verb,
                            ok,
                            result,
                        },
                    );
                }
            });
        }
    });
    let outcomes = outcomes.into_inner().unwrap();
    let mut effective = 0;
    for a in 0..ATTACHMENTS {
        effective += check_attachment(&net, &list, &format!("ctr{a}"), &outcomes);
    }
    let count = |v: Verb, ok: bool| {
        outcomes
            .values()
            .filter(|o| o.verb == v && o.ok == ok)
            .count()
    };
    let counts: Vec<(usize, usize)> = [Verb::Add, Verb::Del, Verb::Check]
        .into_iter()
        .map(|v| (count(v, true), count(v, false)))
        .collect();
    eprintln!("(ok, failed) for ADD, DEL, CHECK: {counts:?}; {effective} state changes");
    // The run exercised both outcomes of every verb.
    assert!(
        counts.iter().all(|(ok, failed)| *ok > 0 && *failed > 0),
        "{counts:?}"
    );
    // Writers leave no temporary files; lock files only for live entries.
    let results = net.cache.join("results");
    for e in std::fs::read_dir(&results).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(!name.starts_with('.'), "leftover {name}");
    }
}

/// Check one attachment; the number of operations that changed its state.
fn check_attachment(
    net: &Net,
    list: &cniinvoke::libcni::NetworkConfigList,
    ctr: &str,
    outcomes: &HashMap<String, Outcome>,
) -> usize {
    let log = net.log_of(ctr);
    let op_of = |line: &Value| {
        line["cniArgs"]
            .as_str()
            .unwrap()
            .strip_prefix("OP=")
            .unwrap()
            .to_owned()
    };
    // Operations in the order they ran; each one's lines contiguous.
    let mut order: Vec<String> = Vec::new();
    for line in &log {
        let op = op_of(line);
        if order.last() != Some(&op) {
            assert!(
                !order.contains(&op),
                "{ctr}: operation {op} interleaved with another: {order:?}"
            );
            order.push(op);
        }
    }
    // Every successful operation ran all its plugins.
    for (id, o) in outcomes.iter().filter(|(_, o)| o.ok && o.ctr == ctr) {
        let command = match o.verb {
            Verb::Add => "ADD",
            Verb::Del => "DEL",
            Verb::Check => "CHECK",
        };
        let runs = log
            .iter()
            .filter(|l| op_of(l) == *id && l["command"] == command)
            .count();
        assert_eq!(runs, 2, "{ctr}: {command} {id} succeeded");
    }
    // Replay: what the cache should hold after each operation.
    let mut state: Option<Value> = None;
    let mut changes = 0;
    let mut last_change: Option<(&str, Verb, bool)> = None;
    for op in &order {
        let o = &outcomes[op];
        let lines: Vec<&Value> = log.iter().filter(|l| op_of(l) == *op).collect();
        match (o.verb, o.ok) {
            (Verb::Add, true) => {
                state = o.result.clone();
                changes += 1;
                last_change = Some((op, Verb::Add, true));
            }
            (Verb::Add, false) => {
                // The cleanup DEL ran after the failed ADD.
                let adds = lines.iter().filter(|l| l["command"] == "ADD").count();
                let dels = lines.iter().filter(|l| l["command"] == "DEL").count();
                assert_eq!(
                    dels, 2,
                    "{ctr}: cleanup of failed ADD {op} ({adds} plugins ran)"
                );
                state = None;
                changes += 1;
                last_change = Some((op, Verb::Add, false));
            }
            (Verb::Del, true) => {
                state = None;
                changes += 1;
                last_change = Some((op, Verb::Del, true));
            }
            (Verb::Del, false) => {}
            (Verb::Check, true) => {
                assert_eq!(lines.len(), 2, "{ctr}: CHECK {op}");
                for l in &lines {
                    let seen = (!l["prevResult"].is_null()).then(|| l["prevResult"].clone());
                    assert_eq!(
                        seen, state,
                        "{ctr}: CHECK {op} saw another result than the cached one"
                    );
                }
            }
            (Verb::Check, false) => {}
        }
    }
    let cached = net
        .cfg()
        .get_network_list_cached_result(list, &net.rt(ctr))
        .unwrap()
        .map(|r| json_of(&r));
    assert_eq!(
        cached, state,
        "{ctr}: cache entry vs the last successful verb"
    );
    // The plugins' last verb agrees with the last successful ADD or DEL.
    if let Some((op, verb, true)) = last_change {
        for type_ in ["alpha", "beta"] {
            let last = log
                .iter()
                .rev()
                .find(|l| l["type"] == type_ && l["command"] != "CHECK")
                .unwrap();
            let want = if verb == Verb::Add { "ADD" } else { "DEL" };
            let later_failed_del = last["command"] == "DEL" && op_of(last) != op;
            if !later_failed_del {
                assert_eq!(
                    (last["command"].as_str().unwrap(), op_of(last)),
                    (want, op.to_string()),
                    "{ctr} {type_}"
                );
            }
        }
    }
    changes
}

/// Run by the test below in a child process: ADD a list whose plugin
/// sleeps, so the attachment stays locked for a while.
#[test]
fn lock_holder_child() {
    let (Ok(bin), Ok(cache), Ok(text)) = (
        std::env::var("CNI_HOLDER_BIN"),
        std::env::var("CNI_HOLDER_CACHE"),
        std::env::var("CNI_HOLDER_LIST"),
    ) else {
        return;
    };
    let list = cniinvoke::libcni::conf_list_from_bytes(text.as_bytes()).unwrap();
    let cfg = cniinvoke::libcni::CniConfig::with_cache_dir(vec![bin], cache, None);
    let rt = RuntimeConf {
        container_id: "ctr1".into(),
        if_name: "eth0".into(),
        ..Default::default()
    };
    let _ = cfg.add_network_list(&Context::background(), &list, &rt);
}

#[test]
fn the_lock_holds_across_processes_and_dies_with_its_holder() {
    let net = Net::new();
    let record = net.dir.path().join("holder-plugin.json");
    let slow = json!({"type": "alpha", "debug": {"sleepMs": 20000, "record": record,
                      "commands": {"ADD": {"chainResult": true}}}});
    let text = net.list_text("net1", "1.0.0", vec![slow], json!({}));
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lock_holder_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CNI_HOLDER_BIN", &net.bin)
        .env("CNI_HOLDER_CACHE", &net.cache)
        .env("CNI_HOLDER_LIST", &text)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while net.log_of("ctr1").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the holder never ran its plugin"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let cfg = net.cfg();
    let fast = net.list("net1", "1.0.0", vec![libcni_support::p("alpha")]);
    let rt = net.rt("ctr1");
    let e = cfg
        .check_network_list(
            &Context::with_timeout(Duration::from_millis(200)),
            &fast,
            &rt,
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "waiting for the lock of attachment net1-ctr1-eth0: context deadline exceeded"
    );
    // The holder dies mid-chain (its plugin lives on, without the lock).
    child.kill().unwrap();
    child.wait().unwrap();
    // Its plugin (sleeping 20 s) no longer holds anything up.
    cfg.del_network_list(&Context::with_timeout(Duration::from_secs(10)), &fast, &rt)
        .unwrap();
    let rec: Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    let pid = rec["pid"].as_i64().unwrap() as libc::pid_t;
    // SAFETY: signalling the orphaned plugin this test started.
    unsafe { libc::kill(pid, libc::SIGKILL) };
}
