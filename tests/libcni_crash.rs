//! Crash injection on whole chains: a host process runs ADD, DEL and GC of
//! a three-plugin list over four attachments (the real test plugin, its
//! command log in `logDir`) and is SIGKILLed after a random delay, round
//! after round on the same cache. After every kill: each cache entry reads
//! back (result and configuration) and was written by an ADD whose every
//! plugin ran; no writer's temporary file is listed. Every few rounds, and
//! at the end, a DEL of every attachment brings it back to nothing: no
//! entry, no lock file, and each plugin's last command for it is DEL.
//!
//! `CNI_CRASH_ROUNDS` sets the number of kills (default 200).
//!
//! This binary holds only this test (and its child mode): it makes itself a
//! child subreaper so that the plugins a killed host leaves running come
//! back to it to be reaped, and it reaps every child it has.

mod libcni_support;

use cniinvoke::libcni::{conf_list_from_bytes, CniConfig, GcArgs, GcAttachment, RuntimeConf};
use cniinvoke::Context;
use libcni_support::{p, Net};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

const ATTACHMENTS: u64 = 4;
const PLUGINS: [&str; 3] = ["alpha", "beta", "gamma"];

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

fn rt(ctr: &str, op: &str) -> RuntimeConf {
    RuntimeConf {
        container_id: ctr.into(),
        netns: format!("/var/run/netns/{ctr}"),
        if_name: "eth0".into(),
        args: vec![("OP".into(), op.into())],
        ..RuntimeConf::default()
    }
}

/// The host's configuration, from the files the test leaves in `root`.
fn host_config(root: &Path) -> (CniConfig, cniinvoke::libcni::NetworkConfigList) {
    let cfg = CniConfig::with_cache_dir(
        vec![root.join("bin").to_string_lossy().into_owned()],
        root.join("cache"),
        None,
    );
    let list = conf_list_from_bytes(&std::fs::read(root.join("list.json")).unwrap()).unwrap();
    (cfg, list)
}

/// Child mode: run random verbs on random attachments until killed.
#[test]
fn crash_host_child() {
    let Ok(root) = std::env::var("CNI_CRASH_HOST_ROOT") else {
        return;
    };
    let round: u64 = std::env::var("CNI_CRASH_HOST_ROUND")
        .unwrap()
        .parse()
        .unwrap();
    let root = PathBuf::from(root);
    let (cfg, list) = host_config(&root);
    let mut rng = Rng(round * 7919 + 1);
    let ctx = Context::background();
    for i in 0.. {
        let ctr = format!("ctr{}", rng.below(ATTACHMENTS));
        let rt = rt(&ctr, &format!("{round}-{i}"));
        // Outcomes do not matter here: only what a kill leaves behind.
        match rng.below(10) {
            0..=4 => drop(cfg.add_network_list(&ctx, &list, &rt)),
            5..=7 => drop(cfg.del_network_list(&ctx, &list, &rt)),
            _ => {
                let keep: Vec<GcAttachment> = (0..ATTACHMENTS)
                    .filter(|_| rng.below(2) == 0)
                    .map(|a| GcAttachment {
                        container_id: format!("ctr{a}"),
                        if_name: "eth0".into(),
                    })
                    .collect();
                let args = GcArgs {
                    valid_attachments: keep,
                };
                drop(cfg.gc_network_list(&ctx, &list, Some(&args)));
            }
        }
    }
}

/// Reap every child, waiting for those still running (orphaned plugins
/// of a killed host come back to us, the subreaper).
fn reap_all() -> usize {
    let mut reaped = 0;
    loop {
        let mut status = 0;
        // SAFETY: waiting for any child of ours.
        let r = unsafe { libc::waitpid(-1, &mut status, 0) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::ECHILD) => return reaped,
                _ => panic!("waitpid: {e}"),
            }
        }
        reaped += 1;
    }
}

fn op_of(line: &Value) -> &str {
    line["cniArgs"]
        .as_str()
        .and_then(|a| a.strip_prefix("OP="))
        .unwrap_or("")
}

/// After a kill: every entry reads back and its ADD ran every plugin;
/// temporary files are never listed. The number of entries.
fn check_entries(net: &Net, cfg: &CniConfig, list: &cniinvoke::libcni::NetworkConfigList) -> usize {
    let results = net.cache.join("results");
    let Ok(dir) = std::fs::read_dir(&results) else {
        return 0;
    };
    let mut entries = 0;
    for e in dir {
        let name = e.unwrap().file_name().into_string().unwrap();
        if name.starts_with('.') {
            assert!(name.ends_with(".tmp"), "unexpected file {name}");
            continue;
        }
        entries += 1;
        let ctr = name
            .strip_prefix("crash-")
            .and_then(|n| n.strip_suffix("-eth0"))
            .unwrap_or_else(|| panic!("unexpected entry {name}"));
        let rt = rt(ctr, "check");
        let result = cfg.get_network_list_cached_result(list, &rt);
        assert!(matches!(result, Ok(Some(_))), "{name}: {result:?}");
        let config = cfg
            .get_network_list_cached_config(list, &rt)
            .unwrap()
            .unwrap();
        assert_eq!(config.config, list.bytes, "{name}");
        let op = &config.runtime_conf.args[0].1;
        let log = net.log_of(ctr);
        for type_ in PLUGINS {
            assert!(
                log.iter()
                    .any(|l| l["type"] == type_ && l["command"] == "ADD" && op_of(l) == op),
                "{name}: entry of ADD {op}, which {type_} never ran"
            );
        }
    }
    let listed = cfg.get_cached_attachments("").unwrap();
    assert_eq!(listed.len(), entries);
    entries
}

/// DEL every attachment: afterwards no entry, no lock file, and each
/// plugin's last command for it is DEL.
fn del_everything(net: &Net, cfg: &CniConfig, list: &cniinvoke::libcni::NetworkConfigList) {
    for a in 0..ATTACHMENTS {
        let ctr = format!("ctr{a}");
        cfg.del_network_list(&Context::background(), list, &rt(&ctr, "final"))
            .unwrap_or_else(|e| panic!("{ctr}: DEL after a crash: {e}"));
        assert!(!net.entry("crash", &ctr).exists(), "{ctr}: entry left");
        let log = net.log_of(&ctr);
        for type_ in PLUGINS {
            if let Some(last) = log.iter().rev().find(|l| l["type"] == type_) {
                assert_eq!(
                    (last["command"].as_str().unwrap(), op_of(last)),
                    ("DEL", "final"),
                    "{ctr} {type_}"
                );
            }
        }
    }
    if let Ok(locks) = std::fs::read_dir(net.cache.join("locks")) {
        let left: Vec<_> = locks.map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "lock files left: {left:?}");
    }
    assert!(cfg.get_cached_attachments("").unwrap().is_empty());
}

#[test]
fn sigkill_at_random_points_of_add_del_and_gc_chains() {
    if std::env::var_os("CNI_CRASH_HOST_ROOT").is_some() {
        return;
    }
    // SAFETY: prctl with an integer flag.
    let r = unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    assert_eq!(r, 0, "PR_SET_CHILD_SUBREAPER");
    let rounds: u64 = std::env::var("CNI_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let net = Net::new();
    let list_text = net.list_text("crash", "1.1.0", PLUGINS.map(p).to_vec(), Value::Null);
    std::fs::write(net.dir.path().join("list.json"), &list_text).unwrap();
    let (cfg, list) = host_config(net.dir.path());
    let mut rng = Rng(u64::from(std::process::id()));
    let (mut with_entries, mut reaped, mut dels) = (0, 0, 0);
    for round in 0..rounds {
        let mut host = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_host_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CNI_CRASH_HOST_ROOT", net.dir.path())
            .env("CNI_CRASH_HOST_ROUND", round.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(10 + rng.below(150)));
        host.kill().unwrap();
        let status = host.wait().unwrap();
        assert!(
            status.code().is_none(),
            "the host ended on its own: {status}"
        );
        reaped += reap_all();
        if check_entries(&net, &cfg, &list) > 0 {
            with_entries += 1;
        }
        if round % 10 == 9 || round + 1 == rounds {
            del_everything(&net, &cfg, &list);
            dels += 1;
        }
    }
    eprintln!(
        "{rounds} kills, {with_entries} left entries behind, {reaped} orphaned plugins reaped, \
         {dels} clean-ups"
    );
    assert!(
        with_entries > rounds / 10,
        "the hosts rarely got to write: {with_entries} of {rounds}"
    );
}
