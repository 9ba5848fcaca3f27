//! Faults under the cache and the configuration files, beyond those of
//! `libcni_cache.rs`: a full disk when every plugin has succeeded, a
//! read-only file system, unreadable entries (as root too), files of
//! 100 MiB, a cache directory swapped for a symbolic link. Each is a clear
//! error or a documented tolerance, and nothing outside the cache
//! directory is read or written.
//!
//! The file-system faults need a tmpfs of their own, so root: without it
//! those tests say they skipped, unless `CNI_REQUIRE_ROOT_FAULTS=1` (then
//! skipping is a failure). Each mount is undone when its test ends, pass
//! or fail.
//!
//! Unreadable files as root: `chmod 000` does not stop root, which has
//! `CAP_DAC_OVERRIDE`. The reads run on a thread of their own that has
//! cleared its effective capabilities (capabilities are per thread on
//! Linux), so the permission bits apply to it as to any user.

mod libcni_support;

use cniinvoke::libcni::{CniConfig, CniConfigOptions, NetworkConfigList};
use cniinvoke::{Context, Status};
use libcni_support::{bg, p, Net};
use serde_json::Value;
use std::ffi::CString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A tmpfs mounted on a directory, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mount a tmpfs of `size` bytes on `dir` (created); `None`, said on
    /// stderr, when this process may not.
    fn mount(dir: &Path, size: usize, test: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let target = CString::new(dir.as_os_str().as_bytes()).unwrap();
        let opts = CString::new(format!("size={size},mode=0700")).unwrap();
        // SAFETY: NUL-terminated strings that outlive the call.
        let r = unsafe {
            libc::mount(
                c"tmpfs".as_ptr(),
                target.as_ptr(),
                c"tmpfs".as_ptr(),
                0,
                opts.as_ptr().cast(),
            )
        };
        if r != 0 {
            let e = std::io::Error::last_os_error();
            assert!(
                std::env::var("CNI_REQUIRE_ROOT_FAULTS").as_deref() != Ok("1"),
                "{test}: cannot mount a tmpfs: {e}"
            );
            eprintln!("{test}: skipped, cannot mount a tmpfs: {e}");
            return None;
        }
        Some(Tmpfs(dir.to_path_buf()))
    }

    /// Remount read-only (`true`) or read-write.
    fn set_read_only(&self, ro: bool) {
        let target = CString::new(self.0.as_os_str().as_bytes()).unwrap();
        let flags = libc::MS_REMOUNT | if ro { libc::MS_RDONLY } else { 0 };
        // SAFETY: as in `mount`; a remount needs no source or type.
        let r = unsafe {
            libc::mount(
                std::ptr::null(),
                target.as_ptr(),
                std::ptr::null(),
                flags,
                std::ptr::null(),
            )
        };
        assert_eq!(r, 0, "remount: {}", std::io::Error::last_os_error());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let target = CString::new(self.0.as_os_str().as_bytes()).unwrap();
        // SAFETY: unmounting the tmpfs this value mounted.
        unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
    }
}

/// Fill the file system of `dir` with one file until it is full.
fn fill(dir: &Path) {
    let mut f = std::fs::File::create(dir.join("filler")).unwrap();
    let chunk = [0x55u8; 4096];
    loop {
        if let Err(e) = f.write_all(&chunk) {
            assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "{e}");
            return;
        }
    }
}

fn list3(net: &Net) -> NetworkConfigList {
    net.list("net1", "1.0.0", vec![p("alpha"), p("beta"), p("gamma")])
}

fn with_cleanup(net: &Net, cleanup: bool) -> CniConfig {
    let mut cfg = net.cfg();
    cfg.set_options(CniConfigOptions {
        cleanup_on_failure: cleanup,
        ..CniConfigOptions::default()
    });
    cfg
}

fn results_dir_files(net: &Net) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(net.cache.join("results"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The cache on a small tmpfs with its two directories made, then filled:
/// the lock files can be opened, an entry cannot be written.
fn full_cache(net: &Net) -> Option<Tmpfs> {
    let fs = Tmpfs::mount(&net.cache, 64 * 1024, "full disk")?;
    for d in ["results", "locks"] {
        std::fs::create_dir(net.cache.join(d)).unwrap();
    }
    fill(&net.cache);
    Some(fs)
}

#[test]
fn a_full_disk_after_every_plugin_succeeded_fails_clearly_and_cleans_up() {
    let net = Net::new();
    let Some(_fs) = full_cache(&net) else {
        return;
    };
    let list = list3(&net);
    let tmp = net.cache.join("results/.net1-ctr1-eth0.tmp");
    let want = format!(
        r#"failed to set network "net1" cached result: write {}: no space left on device"#,
        tmp.display()
    );

    // With cleanup: the list's DEL runs, in reverse, given the result.
    let e = with_cleanup(&net, true)
        .add_network_list(&bg(), &list, &net.rt("ctr1"))
        .unwrap_err();
    assert_eq!((e.status(), e.to_string()), (Status::Io, want.clone()));
    assert_eq!(
        net.steps("ctr1"),
        [
            "ADD alpha",
            "ADD beta",
            "ADD gamma",
            "DEL gamma",
            "DEL beta",
            "DEL alpha"
        ]
    );
    let log = net.log_of("ctr1");
    for del in &log[3..] {
        assert_eq!(del["prevResult"]["cniVersion"], "1.0.0", "{del}");
        assert_eq!(del["prevResult"]["interfaces"].as_array().unwrap().len(), 3);
    }
    assert!(
        results_dir_files(&net).is_empty(),
        "{:?}",
        results_dir_files(&net)
    );

    // Without: the error alone; the attachment stays for the caller to DEL.
    let e = with_cleanup(&net, false)
        .add_network_list(&bg(), &list, &net.rt("ctr2"))
        .unwrap_err();
    assert_eq!(e.status(), Status::Io);
    assert_eq!(e.to_string(), want.replace("ctr1", "ctr2"));
    assert_eq!(net.steps("ctr2"), ["ADD alpha", "ADD beta", "ADD gamma"]);
    assert!(results_dir_files(&net).is_empty());
    // Nothing cached, so the DEL runs without a previous result.
    net.cfg()
        .del_network_list(&bg(), &list, &net.rt("ctr2"))
        .unwrap();
    let log = net.log_of("ctr2");
    assert!(log[3..].iter().all(|l| l["prevResult"].is_null()));
    // Once there is room again, ADD works.
    std::fs::remove_file(net.cache.join("filler")).unwrap();
    net.cfg()
        .add_network_list(&bg(), &list, &net.rt("ctr1"))
        .unwrap();
    assert_eq!(results_dir_files(&net), ["net1-ctr1-eth0"]);
}

#[test]
fn a_full_disk_after_a_single_plugin_succeeded_cleans_up_too() {
    let net = Net::new();
    let Some(_fs) = full_cache(&net) else {
        return;
    };
    let conf = net.conf("net1", "1.0.0", p("alpha"));
    let tmp = net.cache.join("results/.net1-ctr1-eth0.tmp");
    let e = with_cleanup(&net, true)
        .add_network(&bg(), &conf, &net.rt("ctr1"))
        .unwrap_err();
    assert_eq!(e.status(), Status::Io);
    assert_eq!(
        e.to_string(),
        format!(
            r#"failed to set network "net1" cached result: write {}: no space left on device"#,
            tmp.display()
        )
    );
    assert_eq!(net.steps("ctr1"), ["ADD alpha", "DEL alpha"]);
    // The DEL is given the ADD's result.
    let del = &net.log_of("ctr1")[1];
    assert_eq!(del["prevResult"]["cniVersion"], "1.0.0", "{del}");
    assert!(results_dir_files(&net).is_empty());
    // Without the option the plugin stays attached for the caller to DEL.
    let e = with_cleanup(&net, false)
        .add_network(&bg(), &conf, &net.rt("ctr2"))
        .unwrap_err();
    assert_eq!(e.status(), Status::Io);
    assert_eq!(net.steps("ctr2"), ["ADD alpha"]);
}

#[test]
fn a_read_only_cache_refuses_new_attachments_and_still_tears_down_old_ones() {
    let net = Net::new();
    let Some(fs) = Tmpfs::mount(&net.cache, 1 << 20, "read-only cache") else {
        return;
    };
    let (cfg, list) = (net.cfg(), list3(&net));
    cfg.add_network_list(&bg(), &list, &net.rt("ctr1")).unwrap();
    fs.set_read_only(true);
    // What is cached can be read.
    assert!(cfg
        .get_network_list_cached_result(&list, &net.rt("ctr1"))
        .unwrap()
        .is_some());
    assert_eq!(cfg.get_cached_attachments("").unwrap().len(), 1);
    // A new attachment cannot get a lock file: a clear error, no plugin run.
    let lock = |ctr: &str| net.cache.join(format!("locks/net1-{ctr}-eth0.lock"));
    let refused = |ctr: &str| format!("lock {}: read-only file system", lock(ctr).display());
    let e = cfg
        .add_network_list(&bg(), &list, &net.rt("ctr2"))
        .unwrap_err();
    assert_eq!((e.status(), e.to_string()), (Status::Io, refused("ctr2")));
    assert!(net.log_of("ctr2").is_empty());
    // An attachment whose lock file exists can still be torn down, as
    // upstream tears it down: the plugins run in reverse, and the entry,
    // which cannot be removed, stays for a later DEL or GC to find (DEL is
    // idempotent).
    cfg.del_network_list(&bg(), &list, &net.rt("ctr1")).unwrap();
    assert_eq!(
        net.steps("ctr1"),
        [
            "ADD alpha",
            "ADD beta",
            "ADD gamma",
            "DEL gamma",
            "DEL beta",
            "DEL alpha"
        ]
    );
    assert_eq!(results_dir_files(&net), ["net1-ctr1-eth0"]);
    // Writable again: the DEL goes through.
    fs.set_read_only(false);
    cfg.del_network_list(&bg(), &list, &net.rt("ctr1")).unwrap();
    assert!(results_dir_files(&net).is_empty());
}

/// Clear this thread's effective capabilities (root's included), so that
/// file permission bits apply to it.
fn drop_effective_capabilities() {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Default, Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    let mut header = Header {
        version: 0x2008_0522, // _LINUX_CAPABILITY_VERSION_3
        pid: 0,               // this thread
    };
    let mut data = [Data::default(); 2];
    // SAFETY: capget/capset with a v3 header and two data elements.
    unsafe {
        assert_eq!(
            libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()),
            0
        );
        for d in &mut data {
            d.effective = 0;
        }
        assert_eq!(
            libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()),
            0,
            "capset: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[test]
fn unreadable_entries_are_an_error_to_read_and_never_block_del() {
    use std::os::unix::fs::PermissionsExt;
    let net = Net::new();
    let (cfg, list, rt) = (net.cfg(), list3(&net), net.rt("ctr1"));
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    let entry = net.entry("net1", "ctr1");
    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            drop_effective_capabilities();
            assert!(
                std::fs::read(&entry).is_err(),
                "the entry is still readable"
            );
            let denied = format!("read {}: permission denied", entry.display());
            let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
            assert_eq!((e.status(), e.to_string()), (Status::Io, denied.clone()));
            let e = cfg.get_network_list_cached_config(&list, &rt).unwrap_err();
            assert_eq!(e.to_string(), denied);
            let e = cfg.check_network_list(&bg(), &list, &rt).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!(r#"failed to get network "net1" cached result: {denied}"#)
            );
            // Skipped when listing, as upstream skips what it cannot read.
            assert!(cfg.get_cached_attachments("").unwrap().is_empty());
            cfg.del_network_list(&bg(), &list, &rt).unwrap();
        })
        .join()
        .unwrap();
    });
    assert!(!entry.exists());
    let log = net.log_of("ctr1");
    assert!(log[3..]
        .iter()
        .all(|l| l["command"] == "DEL" && l["prevResult"].is_null()));
}

const MIB_100: u64 = 100 << 20;

/// `head` then spaces up to 100 MiB (still one JSON document).
fn padded(path: &Path, head: &[u8]) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(head).unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..100 {
        f.write_all(&spaces).unwrap();
    }
}

/// 100 MiB of NUL bytes, sparse.
fn zeros(path: &Path) {
    std::fs::File::create(path)
        .unwrap()
        .set_len(MIB_100)
        .unwrap();
}

#[test]
fn hundred_mebibyte_entries_and_configurations() {
    let net = Net::new();
    let (cfg, list, rt) = (net.cfg(), list3(&net), net.rt("ctr1"));
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    let entry = net.entry("net1", "ctr1");
    let started = Instant::now();

    // A real entry padded to 100 MiB reads as it is.
    let original = std::fs::read(&entry).unwrap();
    let want = cfg.get_network_list_cached_result(&list, &rt).unwrap();
    padded(&entry, &original);
    assert_eq!(
        cfg.get_network_list_cached_result(&list, &rt).unwrap(),
        want
    );
    assert_eq!(cfg.get_cached_attachments("").unwrap().len(), 1);

    // 100 MiB of NULs: a decode error; DEL goes on without it.
    zeros(&entry);
    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(e.status(), Status::DecodeError);
    assert_eq!(
        e.to_string(),
        r"decoding version from network config: invalid character '\x00' looking for beginning of value"
    );
    assert!(cfg.get_cached_attachments("").unwrap().is_empty());
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert!(!entry.exists());

    // Configuration files of 100 MiB.
    let dir = net.dir.path().join("conf");
    std::fs::create_dir(&dir).unwrap();
    let text = net.list_text("big", "1.0.0", vec![p("alpha")], Value::Null);
    padded(&dir.join("10-big.conflist"), text.as_bytes());
    let big = cniinvoke::libcni::load_conf_list(&dir, "big").unwrap();
    assert_eq!(big.bytes.len() as u64, text.len() as u64 + MIB_100);
    assert_eq!(big.plugins.len(), 1);
    zeros(&dir.join("20-zeros.conflist"));
    let e = cniinvoke::libcni::load_conf_list(&dir, "other").unwrap_err();
    assert_eq!(
        e.to_string(),
        r"error parsing configuration list: invalid character '\x00' looking for beginning of value"
    );
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

#[test]
fn a_cache_dir_swapped_for_a_symlink_is_followed_as_configured() {
    let net = Net::new();
    let (cfg, list, rt) = (net.cfg(), list3(&net), net.rt("ctr1"));
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    // The cache directory is the caller's configuration: a link to it is
    // followed (only what is inside it never is).
    let moved = net.dir.path().join("cache.moved");
    std::fs::rename(&net.cache, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &net.cache).unwrap();
    assert!(cfg
        .get_network_list_cached_result(&list, &rt)
        .unwrap()
        .is_some());
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert!(std::fs::read_dir(moved.join("results"))
        .unwrap()
        .next()
        .is_none());
    assert!(net.log_of("ctr1")[3..]
        .iter()
        .all(|l| !l["prevResult"].is_null()));
    // Swapped for a link to an empty directory: nothing is cached there,
    // the DEL runs without a result, and nothing is written outside it.
    let empty = net.dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::remove_file(&net.cache).unwrap();
    std::os::unix::fs::symlink(&empty, &net.cache).unwrap();
    cfg.add_network_list(&Context::background(), &list, &net.rt("ctr2"))
        .unwrap();
    std::fs::remove_file(&net.cache).unwrap();
    std::fs::create_dir(&net.cache).unwrap();
    cfg.del_network_list(&bg(), &list, &net.rt("ctr2")).unwrap();
    assert!(net.log_of("ctr2")[3..]
        .iter()
        .all(|l| l["prevResult"].is_null()));
    let mut top: Vec<String> = std::fs::read_dir(net.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    top.sort();
    assert_eq!(top, ["bin", "cache", "cache.moved", "empty", "log"]);
    assert!(empty.join("results/net1-ctr2-eth0").is_file());
}

/// Found by the `cache_entry` and `c_netlist` fuzz targets: a plugin result
/// with an IP lacking its address is accepted (as upstream accepts it) and
/// cached with the address as Go prints a nil `IPNet`, `<nil>`, which no
/// reader takes back. As upstream: reading and CHECK fail with the reason;
/// beyond upstream, DEL still goes through and removes the entry.
#[test]
fn a_result_without_an_address_is_cached_as_upstream_caches_it() {
    let net = Net::new();
    let result = serde_json::json!({"cniVersion": "1.0.0",
        "ips": [{"aldress": "10.1.2.3/24", "gateway": "10.1.2.1"}]});
    let plugin = serde_json::json!({"type": "alpha", "debug": {"result": result}});
    let list = net.list("net1", "1.0.0", vec![plugin]);
    let (cfg, rt) = (net.cfg(), net.rt("ctr1"));
    let r = cfg.add_network_list(&bg(), &list, &rt).unwrap();
    assert_eq!(
        r.to_json(),
        r#"{"cniVersion":"1.0.0","ips":[{"address":"\u003cnil\u003e","gateway":"10.1.2.1"}]}"#
    );
    let entry = std::fs::read_to_string(net.entry("net1", "ctr1")).unwrap();
    assert!(entry.contains(r#""address":"\u003cnil\u003e""#), "{entry}");
    let unreadable = "invalid CIDR address: <nil>";
    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(
        (e.status(), e.to_string()),
        (Status::DecodeError, unreadable.to_string())
    );
    let e = cfg.check_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(r#"failed to get network "net1" cached result: {unreadable}"#)
    );
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert!(!net.entry("net1", "ctr1").exists());
    assert!(net.log_of("ctr1").last().unwrap()["prevResult"].is_null());
}

/// Found by the `cache_entry` fuzz target: an entry without a container id
/// is listed (as upstream lists it), so every GC tries to DEL it, fails on
/// the name and says so, while still collecting the other stale
/// attachments. Nothing outside the cache is touched.
#[test]
fn gc_reports_an_entry_without_a_container_id_and_collects_the_rest() {
    let net = Net::new();
    let (cfg, list) = (net.cfg(), list3(&net));
    cfg.add_network_list(&bg(), &list, &net.rt("ctr1")).unwrap();
    let odd = net.cache.join("results/net1-x-eth0");
    std::fs::write(
        &odd,
        br#"{"kind":"cniCacheV1","ifName":"eth0","networkName":"net1"}"#,
    )
    .unwrap();
    let e = cfg.gc_network_list(&bg(), &list, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "failed to delete stale attachment  eth0: missing containerID"
    );
    assert!(!net.entry("net1", "ctr1").exists(), "the rest is collected");
    assert!(odd.exists());
    assert_eq!(
        net.steps("ctr1")[3..],
        ["DEL gamma", "DEL beta", "DEL alpha"]
    );
}

/// Found by the `c_netlist` fuzz target: a list whose version no result
/// converts to (`1.1. `) runs its ADD, as upstream's does, but its cached
/// result cannot be read in that version and its DEL refuses the version,
/// both with upstream's texts.
#[test]
fn a_list_version_no_result_converts_to_adds_but_cannot_read_its_cache() {
    let net = Net::new();
    let plugin = serde_json::json!({"type": "alpha",
        "debug": {"result": {"cniVersion": "1.0.0", "ips": [{"address": "10.1.2.3/24"}]}}});
    let list = net.list("net1", "1.1. ", vec![plugin]);
    let (cfg, rt) = (net.cfg(), net.rt("ctr1"));
    let r = cfg.add_network_list(&bg(), &list, &rt).unwrap();
    assert_eq!(r.cni_version(), "1.0.0");
    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(e.status(), Status::UnsupportedVersion);
    assert_eq!(
        e.to_string(),
        r#"failed to convert cached result to config version "1.1. ": no converter for CNI result version 1.0.0 to 1.1. "#
    );
    // As upstream's, its DEL refuses the version before anything runs.
    let e = cfg.del_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        (e.status(), e.to_string()),
        (
            Status::InvalidArgument,
            r#"failed to convert micro version part " ": strconv.Atoi: parsing " ": invalid syntax"#
                .to_string()
        )
    );
    assert_eq!(net.steps("ctr1"), ["ADD alpha"]);
}

/// Found by the `c_netlist` fuzz target: a list without `cniVersion`
/// (0.1.0) whose plugin returns a 1.0.0 result without addresses ADDs, as
/// upstream's does, but its cached result does not convert to 0.1.0.
#[test]
fn a_result_without_addresses_for_a_versionless_list_cannot_be_read_back() {
    let net = Net::new();
    let plugin = serde_json::json!({"type": "alpha",
        "debug": {"result": {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0"}]}}});
    let list = net.list("net1", "", vec![plugin]);
    let (cfg, rt) = (net.cfg(), net.rt("ctr1"));
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    let e = cfg.get_network_list_cached_result(&list, &rt).unwrap_err();
    assert_eq!(
        (e.status(), e.to_string()),
        (
            Status::InvalidArgument,
            r#"failed to convert cached result to config version "": cannot convert: no valid IP addresses"#.to_string()
        )
    );
    // Before 0.4.0 a DEL reads no cached result: it goes through.
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert!(!net.entry("net1", "ctr1").exists());
}
