//! The cache: upstream's layout byte for byte, crash safety (a writer
//! killed at random points leaves the old entry or the new one), and a
//! cache directory that is missing, read-only, symlinked or holds odd
//! entries: a clear error, and nothing outside it touched.

mod libcni_support;

use cniinvoke::libcni::{CniConfig, NetworkConfigList};
use cniinvoke::{Context, Exec, Status};
use libcni_support::{bg, p, Net};
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Sorted-key compact JSON (what Go's map marshalling prints for values
/// without HTML characters or non-integral numbers).
fn sorted(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn entries_have_upstreams_layout_and_modes() {
    let net = Net::new();
    let list = net.list(
        "net1",
        "1.0.0",
        vec![json!({"type": "alpha", "capabilities": {"a": true}})],
    );
    let mut rt = net.rt("ctr1");
    rt.capability_args = serde_json::from_value(json!({"b": [1, 2.5], "a": "<x>"})).unwrap();
    let result = net.cfg().add_network_list(&bg(), &list, &rt).unwrap();
    let text = std::fs::read_to_string(net.entry("net1", "ctr1")).unwrap();
    let result_json: Value = serde_json::from_str(&result.to_json()).unwrap();
    let expected = format!(
        r#"{{"kind":"cniCacheV1","containerId":"ctr1","config":"{}","ifName":"eth0","networkName":"net1","netns":"/var/run/netns/ctr1","cniArgs":[["K","V"]],"capabilityArgs":{{"a":"\u003cx\u003e","b":[1,2.5]}},"result":{}}}"#,
        b64(&list.bytes),
        sorted(&result_json)
    );
    assert_eq!(text, expected);
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&net.cache.join("results")), 0o700);
    assert_eq!(mode(&net.entry("net1", "ctr1")), 0o600);
    assert_eq!(mode(&net.cache.join("locks")), 0o700);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(net.cache.join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["net1-ctr1-eth0"]);

    // Without netns, args and capabilities, those keys are left out.
    let bare = cniinvoke::libcni::RuntimeConf {
        container_id: "ctr2".into(),
        if_name: "eth0".into(),
        ..Default::default()
    };
    net.cfg().add_network_list(&bg(), &list, &bare).unwrap();
    let text = std::fs::read_to_string(net.entry("net1", "ctr2")).unwrap();
    assert!(
        text.starts_with(&format!(
            r#"{{"kind":"cniCacheV1","containerId":"ctr2","config":"{}","ifName":"eth0","networkName":"net1","result":"#,
            b64(&list.bytes)
        )),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// Crash safety

/// A plugin runner that answers every ADD at once with a result whose size
/// changes from call to call.
struct Instant;

static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Exec for Instant {
    fn exec_plugin(
        &self,
        _: &Context,
        _: &str,
        _: &[u8],
        _: Option<&[String]>,
    ) -> cniinvoke::Result<Vec<u8>> {
        let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 200;
        let servers: Vec<String> = (0..n)
            .map(|i| format!("10.0.{}.{}", i / 250, i % 250))
            .collect();
        let r = json!({"cniVersion": "1.0.0", "ips": [{"address": "10.1.2.3/24"}],
                       "dns": {"nameservers": servers, "domain": format!("n{n}")}});
        Ok(r.to_string().into_bytes())
    }
    fn find_in_path(&self, plugin: &str, _: &[String]) -> cniinvoke::Result<String> {
        Ok(format!("/fake/{plugin}"))
    }
}

fn crash_list() -> NetworkConfigList {
    cniinvoke::libcni::conf_list_from_bytes(
        br#"{"cniVersion":"1.0.0","name":"crash","plugins":[{"type":"x"}]}"#,
    )
    .unwrap()
}

/// Run by the test below in a child process: write the same entry over
/// and over until killed.
#[test]
fn crash_writer_child() {
    let Ok(dir) = std::env::var("CNI_CRASH_WRITER_DIR") else {
        return;
    };
    let cfg = CniConfig::with_cache_dir(vec![], dir, Some(Arc::new(Instant)));
    let rt = cniinvoke::libcni::RuntimeConf {
        container_id: "ctr".into(),
        if_name: "eth0".into(),
        ..Default::default()
    };
    let list = crash_list();
    loop {
        cfg.add_network_list(&bg(), &list, &rt).unwrap();
    }
}

#[test]
fn a_writer_killed_at_any_point_leaves_a_whole_entry() {
    let dir = libcni_support::tempdir();
    let cache = dir.path().join("cache");
    let reader = CniConfig::with_cache_dir(vec![], &cache, Some(Arc::new(Instant)));
    let rt = cniinvoke::libcni::RuntimeConf {
        container_id: "ctr".into(),
        if_name: "eth0".into(),
        ..Default::default()
    };
    let entry = cache.join("results/crash-ctr-eth0");
    let mut seen = 0;
    let mut seed = std::process::id() as u64;
    for round in 0..30 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CNI_CRASH_WRITER_DIR", &cache)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_millis(30 + (seed >> 33) % 70));
        child.kill().unwrap();
        child.wait().unwrap();
        if !entry.exists() {
            continue;
        }
        seen += 1;
        let bytes = std::fs::read(&entry).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "round {round}: torn entry ({e}): {:?}",
                String::from_utf8_lossy(&bytes)
            )
        });
        let n: usize = v["result"]["dns"]["domain"].as_str().unwrap()[1..]
            .parse()
            .unwrap();
        assert_eq!(
            v["result"]["dns"]["nameservers"]
                .as_array()
                .map_or(0, Vec::len),
            n
        );
        let r = reader
            .get_network_list_cached_result(&crash_list(), &rt)
            .unwrap();
        assert!(r.is_some());
    }
    assert!(seen > 0, "the writer never got to write an entry");
}

// ---------------------------------------------------------------------------
// Hostile or broken cache directories

fn list1(net: &Net) -> NetworkConfigList {
    net.list("net1", "1.0.0", vec![p("alpha")])
}

#[test]
fn a_symlinked_results_dir_is_refused_and_never_written_through() {
    let net = Net::new();
    let outside = net.dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::create_dir_all(&net.cache).unwrap();
    std::os::unix::fs::symlink(&outside, net.cache.join("results")).unwrap();
    let (cfg, list, rt) = (net.cfg(), list1(&net), net.rt("ctr1"));
    let refused = format!(
        "open {}/results: is a symbolic link, refused",
        net.cache.display()
    );
    let e = cfg.add_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(r#"failed to set network "net1" cached result: {refused}"#)
    );
    assert_eq!(e.status(), Status::Io);
    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(e.to_string(), refused);
    let e = cfg.check_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(r#"failed to get network "net1" cached result: {refused}"#)
    );
    assert_eq!(
        cfg.get_cached_attachments("").unwrap_err().to_string(),
        refused
    );
    // DEL and GC are not blocked.
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    cfg.gc_network_list(&bg(), &list, None).unwrap();
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn entries_that_are_links_dirs_or_fifos_are_refused() {
    let net = Net::new();
    let (cfg, list, rt) = (net.cfg(), list1(&net), net.rt("ctr1"));
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    let entry = net.entry("net1", "ctr1");
    let outside = net.dir.path().join("outside-entry");
    std::fs::rename(&entry, &outside).unwrap();
    let original = std::fs::read(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, &entry).unwrap();

    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("read {}: is a symbolic link, refused", entry.display())
    );
    let e = cfg.check_network_list(&bg(), &list, &rt).unwrap_err();
    assert!(e
        .to_string()
        .starts_with(r#"failed to get network "net1" cached result: read "#));
    assert!(cfg.get_cached_attachments("").unwrap().is_empty());
    // ADD replaces the link, not what it points to.
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    assert!(std::fs::symlink_metadata(&entry).unwrap().is_file());
    // DEL removes a link, not its target.
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink(&outside, &entry).unwrap();
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert!(std::fs::symlink_metadata(&entry).is_err());
    assert_eq!(std::fs::read(&outside).unwrap(), original);
    let prev: Vec<Value> = net
        .log_of("ctr1")
        .into_iter()
        .filter(|l| l["command"] == "DEL")
        .collect();
    assert_eq!(
        prev[0]["prevResult"],
        Value::Null,
        "a link's target is never read"
    );

    std::fs::create_dir(&entry).unwrap();
    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("read {}: not a regular file", entry.display())
    );
    let e = cfg.add_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            r#"failed to set network "net1" cached result: rename {}: is a directory"#,
            entry.display()
        )
    );
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    std::fs::remove_dir(&entry).unwrap();

    let c = std::ffi::CString::new(entry.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("read {}: not a regular file", entry.display())
    );
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert!(std::fs::symlink_metadata(&entry).is_err());
}

/// The temporary file of a write: one left by a crashed writer is
/// replaced, a link planted at its name is replaced, never written through.
#[test]
fn a_leftover_or_planted_temporary_file_is_replaced_not_followed() {
    let net = Net::new();
    let (cfg, list, rt) = (net.cfg(), list1(&net), net.rt("ctr1"));
    let results = net.cache.join("results");
    std::fs::create_dir_all(&results).unwrap();
    let tmp = results.join(".net1-ctr1-eth0.tmp");
    let outside = net.dir.path().join("outside-tmp");
    std::fs::write(&outside, b"keep").unwrap();
    for plant in ["stale file", "link"] {
        match plant {
            "link" => std::os::unix::fs::symlink(&outside, &tmp).unwrap(),
            _ => std::fs::write(&tmp, b"stale").unwrap(),
        }
        cfg.add_network_list(&bg(), &list, &rt).unwrap();
        assert!(
            std::fs::symlink_metadata(&tmp).is_err(),
            "{plant} left behind"
        );
        let entry: Value =
            serde_json::from_slice(&std::fs::read(net.entry("net1", "ctr1")).unwrap())
                .unwrap_or_else(|e| panic!("after a {plant}: {e}"));
        assert_eq!(entry["kind"], "cniCacheV1");
        assert_eq!(std::fs::read(&outside).unwrap(), b"keep");
    }
}

#[test]
fn a_symlinked_lock_file_is_refused() {
    let net = Net::new();
    let (cfg, list, rt) = (net.cfg(), list1(&net), net.rt("ctr1"));
    std::fs::create_dir_all(net.cache.join("locks")).unwrap();
    let target = net.dir.path().join("not-a-lock");
    let lock = net.cache.join("locks/net1-ctr1-eth0.lock");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let e = cfg.add_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("lock {}: is a symbolic link, refused", lock.display())
    );
    assert!(!target.exists());
    assert!(net.log_of("ctr1").is_empty());
}

#[test]
fn missing_unusable_and_read_only_cache_dirs() {
    let net = Net::new();
    let (cfg, list, rt) = (net.cfg(), list1(&net), net.rt("ctr1"));
    // Missing: nothing cached, nothing listed, GC has nothing to do.
    assert_eq!(
        cfg.get_network_list_cached_result(&list, &rt).unwrap(),
        None
    );
    assert_eq!(
        cfg.get_network_list_cached_config(&list, &rt).unwrap(),
        None
    );
    assert!(cfg.get_cached_attachments("").unwrap().is_empty());
    cfg.gc_network_list(&bg(), &list, None).unwrap();
    assert!(!net.cache.exists());

    // A file where the cache directory should be.
    std::fs::write(&net.cache, b"").unwrap();
    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("open {}: not a directory", net.cache.display())
    );
    let e = cfg.add_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(e.status(), Status::Io);
    assert!(
        e.to_string()
            .starts_with(&format!("mkdir {}: ", net.cache.display())),
        "{e}"
    );
    std::fs::remove_file(&net.cache).unwrap();

    // Read-only (only meaningful when permissions apply to us).
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        eprintln!("read-only cache part skipped: root ignores permissions");
        return;
    }
    std::fs::set_permissions(
        net.cache.join("locks"),
        std::fs::Permissions::from_mode(0o500),
    )
    .unwrap();
    std::fs::set_permissions(
        net.cache.join("results"),
        std::fs::Permissions::from_mode(0o500),
    )
    .unwrap();
    let e = cfg
        .add_network_list(&bg(), &list, &net.rt("ctr2"))
        .unwrap_err();
    assert_eq!(e.status(), Status::Io);
    assert!(e.to_string().ends_with(": permission denied"), "{e}");
    // What is there can still be read.
    assert!(cfg
        .get_network_list_cached_result(&list, &rt)
        .unwrap()
        .is_some());
    for d in ["locks", "results"] {
        std::fs::set_permissions(net.cache.join(d), std::fs::Permissions::from_mode(0o700))
            .unwrap();
    }
}

#[test]
fn empty_or_corrupt_entries_never_block_del_or_gc_and_check_says_why() {
    let net = Net::new();
    let (cfg, list, rt) = (net.cfg(), list1(&net), net.rt("ctr1"));
    let entry = net.entry("net1", "ctr1");
    std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
    for (content, reason) in [
        (&b""[..], format!("cache file {} is empty", entry.display())),
        (
            b"garbage",
            "decoding version from network config: invalid character 'g' looking for beginning of value".to_string(),
        ),
    ] {
        std::fs::write(&entry, content).unwrap();
        let e = cfg.check_network_list(&bg(), &list, &rt).unwrap_err();
        assert_eq!(e.to_string(), format!(r#"failed to get network "net1" cached result: {reason}"#));
        assert!(cfg.get_cached_attachments("").unwrap().is_empty());
        cfg.gc_network_list(&bg(), &list, None).unwrap();
        cfg.del_network_list(&bg(), &list, &rt).unwrap();
        assert!(!entry.exists());
        assert_eq!(net.log_of("ctr1").last().unwrap()["prevResult"], Value::Null);
    }
}

/// GetCachedAttachments lists only whole cniCacheV1 entries: of the right
/// kind, naming an interface and a network, and (when asked for one
/// container) that container, whatever the file name says.
#[test]
fn only_whole_entries_of_the_container_are_listed() {
    let net = Net::new();
    let results = net.cache.join("results");
    std::fs::create_dir_all(&results).unwrap();
    let entry = |file: &str, kind: &str, ctr: &str, ifname: &str, network: &str| {
        let text = json!({"kind": kind, "containerId": ctr, "ifName": ifname,
            "networkName": network, "config": b64(b"{}")});
        std::fs::write(results.join(file), text.to_string()).unwrap();
    };
    entry("net1-ctr1-eth0", "cniCacheV1", "ctr1", "eth0", "net1");
    entry("net1-ctr1-eth1", "cniCacheV2", "ctr1", "eth1", "net1");
    entry("net1-ctr1-eth2", "cniCacheV1", "ctr1", "", "net1");
    entry("net1-ctr1-eth3", "cniCacheV1", "ctr1", "eth3", "");
    entry("net1-ctr1-eth4", "cniCacheV1", "ctr2", "eth4", "net1");
    let names = |ctr: &str| -> Vec<String> {
        let mut v: Vec<String> = net
            .cfg()
            .get_cached_attachments(ctr)
            .unwrap()
            .into_iter()
            .map(|a| format!("{} {} {}", a.network, a.container_id, a.if_name))
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("ctr1"), ["net1 ctr1 eth0"]);
    assert_eq!(names(""), ["net1 ctr1 eth0", "net1 ctr2 eth4"]);
}

/// An entry another tool wrote with CNI_ARGS pairs an ADD of ours refuses
/// (a value holding ';' would smuggle a pair in) is not torn down with
/// them: GC and DEL fail, naming the pair, no plugin runs, and the entry
/// stays for the tool that wrote it (found by the cache_entry fuzzer).
#[test]
fn an_entry_with_cni_args_we_refuse_is_reported_not_torn_down() {
    let net = Net::new();
    let (cfg, list) = (net.cfg(), list1(&net));
    let entry = net.entry("net1", "ctr1");
    std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
    let text = json!({
        "kind": "cniCacheV1",
        "containerId": "ctr1",
        "config": b64(&list.bytes),
        "ifName": "eth0",
        "networkName": "net1",
        "netns": "/var/run/netns/ctr1",
        "cniArgs": [["K", "V;EXTRA=1"]],
        "result": {"cniVersion": "1.0.0"}
    });
    std::fs::write(&entry, text.to_string()).unwrap();
    let refused = r#"plugin type="alpha" failed (delete): plugin argument K="V;EXTRA=1": a value may hold no ';' or NUL"#;
    let e = cfg.gc_network_list(&bg(), &list, None).unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert_eq!(
        e.to_string(),
        format!("failed to delete stale attachment ctr1 eth0: {refused}")
    );
    let mut rt = net.rt("ctr1");
    rt.args = vec![("K".into(), "V;EXTRA=1".into())];
    let e = cfg.del_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(e.to_string(), refused);
    assert!(net.log_of("ctr1").is_empty(), "no plugin ran");
    assert!(entry.exists());
}

/// Run by the test below inside a mount namespace of its own, with the
/// cache directory bind-mounted read-only.
#[test]
fn read_only_cache_child() {
    let Ok(cache) = std::env::var("CNI_RO_CACHE") else {
        return;
    };
    let bin = std::env::var("CNI_RO_BIN").unwrap();
    let list =
        cniinvoke::libcni::conf_list_from_bytes(std::env::var("CNI_RO_LIST").unwrap().as_bytes())
            .unwrap();
    for args in [
        vec!["--bind", &cache, &cache],
        vec!["-o", "remount,bind,ro", &cache],
    ] {
        let st = std::process::Command::new("mount")
            .args(&args)
            .status()
            .unwrap();
        assert!(st.success(), "mount {args:?}");
    }
    let cfg = CniConfig::with_cache_dir(vec![bin], &cache, None);
    let rt = |ctr: &str| cniinvoke::libcni::RuntimeConf {
        container_id: ctr.into(),
        if_name: "eth0".into(),
        ..Default::default()
    };
    // A new attachment cannot even be locked.
    let e = cfg.add_network_list(&bg(), &list, &rt("ctr2")).unwrap_err();
    assert_eq!(e.status(), Status::Io);
    assert_eq!(
        e.to_string(),
        format!("lock {cache}/locks/net1-ctr2-eth0.lock: read-only file system")
    );
    // An existing one is locked, checked and read; a new entry cannot be written.
    cfg.check_network_list(&bg(), &list, &rt("ctr1")).unwrap();
    assert!(cfg
        .get_network_list_cached_result(&list, &rt("ctr1"))
        .unwrap()
        .is_some());
    assert_eq!(cfg.get_cached_attachments("").unwrap().len(), 1);
    let e = cfg.add_network_list(&bg(), &list, &rt("ctr1")).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            r#"failed to set network "net1" cached result: write {cache}/results/.net1-ctr1-eth0.tmp: read-only file system"#
        )
    );
    // With cleanup on failure, an ADD whose result cannot be cached is undone.
    let mut cleaning = cfg.clone();
    cleaning.set_options(cniinvoke::libcni::CniConfigOptions {
        cleanup_on_failure: true,
        ..Default::default()
    });
    let e = cleaning
        .add_network_list(&bg(), &list, &rt("ctr1"))
        .unwrap_err();
    assert!(e.to_string().ends_with("read-only file system"), "{e}");
    let logs = std::env::var("CNI_RO_LOGS").unwrap();
    let log = libcni_support::read_log(&Path::new(&logs).join("ctr1-eth0.log"));
    let tail: Vec<String> = libcni_support::steps(&log)
        .into_iter()
        .rev()
        .take(2)
        .collect();
    assert_eq!(tail, ["DEL alpha", "ADD alpha"]);
    assert!(log.last().unwrap()["prevResult"].is_object());
    println!("read-only checks passed");
}

#[test]
fn a_read_only_cache_dir_gives_clear_errors() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("SKIPPED: a read-only bind mount needs root");
        return;
    }
    let net = Net::new();
    let list = list1(&net);
    net.cfg()
        .add_network_list(&bg(), &list, &net.rt("ctr1"))
        .unwrap();
    let text = net.list_text("net1", "1.0.0", vec![p("alpha")], json!({}));
    let out = std::process::Command::new("unshare")
        .args(["-m", "--propagation", "private"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "read_only_cache_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CNI_RO_CACHE", &net.cache)
        .env("CNI_RO_BIN", &net.bin)
        .env("CNI_RO_LIST", text)
        .env("CNI_RO_LOGS", &net.logs)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("read-only checks passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn without_cache_sync_entries_are_still_replaced_atomically() {
    let net = Net::new();
    let mut cfg = net.cfg();
    cfg.set_options(cniinvoke::libcni::CniConfigOptions {
        cache_sync: false,
        ..Default::default()
    });
    let (list, rt) = (list1(&net), net.rt("ctr1"));
    let r = cfg.add_network_list(&bg(), &list, &rt).unwrap();
    let r2 = cfg.add_network_list(&bg(), &list, &rt).unwrap();
    assert_eq!(
        cfg.get_network_list_cached_result(&list, &rt).unwrap(),
        Some(r2)
    );
    assert_eq!(r.cni_version(), "1.0.0");
    let names: Vec<_> = std::fs::read_dir(net.cache.join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["net1-ctr1-eth0"]);
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert!(!net.entry("net1", "ctr1").exists());
}
