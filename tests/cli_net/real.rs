//! Debian's real plugins (bridge + host-local, tuning with `mac`, portmap)
//! through `cniinvoke net` and upstream's cnitool, as root, in network
//! namespaces made here; the tools run inside a "host" namespace of their
//! own, so the machine's network is never touched. Afterwards the
//! interface, the host-local lease and the cache entry must all be gone.
//!
//! Skipped without root, the plugins or ip, unless CNI_REQUIRE_REAL_PLUGINS=1.

use crate::cnitool::{cnitool, command_in_cache, mounts_available, ours, run_in_cache, CacheMount};
use crate::{cnitool_id, ok, root, Net};
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const PLUGINS: &str = "/usr/lib/cni";

fn available() -> bool {
    let have = Path::new(PLUGINS).join("portmap").is_file();
    let ip = Command::new("ip").arg("-V").output().is_ok();
    if root() && have && ip {
        return true;
    }
    let why = format!(
        "root={}, {PLUGINS}/portmap present={have}, ip present={ip}",
        root()
    );
    if std::env::var("CNI_REQUIRE_REAL_PLUGINS").as_deref() == Ok("1") {
        panic!("real-plugin tests required but cannot run: {why}");
    }
    eprintln!("SKIPPED real-plugin test: {why}");
    false
}

/// A network namespace, deleted on drop.
struct Netns(String);

impl Netns {
    fn new(tag: &str) -> Netns {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let name = format!("cnii-net-{}-{n}-{tag}", std::process::id());
        ip(&["netns", "add", &name]).expect("ip netns add");
        Netns(name)
    }
    fn path(&self) -> String {
        format!("/var/run/netns/{}", self.0)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.0]);
    }
}

fn ip(args: &[&str]) -> Result<String, String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

const MAC: &str = "c2:aa:bb:cc:dd:01";

/// The chained list, its host-local leases under the scratch directory.
/// Dual-stack: Debian's portmap (v1.1.1) fails CHECK when ip6tables exists
/// but the container has no IPv6 address ("could not check ipv6 dnat").
fn real_list(net: &Net) {
    let ipam = net.path("ipam").display().to_string();
    net.conf(
        "10-real.conflist",
        &format!(
            r#"{{"cniVersion":"1.0.0","name":"realnet","plugins":[
              {{"type":"bridge","bridge":"cnii-br0","isGateway":true,"ipMasq":false,
               "ipam":{{"type":"host-local","dataDir":"{ipam}",
                "ranges":[[{{"subnet":"10.99.0.0/24"}}],[{{"subnet":"fd99::/64"}}]]}}}},
              {{"type":"tuning","capabilities":{{"mac":true}}}},
              {{"type":"portmap","capabilities":{{"portMappings":true}},"snat":false}}]}}"#
        ),
    );
}

/// The leases host-local holds (files other than its lock and last-IP notes).
fn leases(net: &Net) -> Vec<String> {
    let dir = net.path("ipam/realnet");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.starts_with("10.") || n.starts_with("fd99:"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

struct World {
    net: Net,
    host: Netns,
    tool: &'static Path,
    _mount: CacheMount,
}

fn world() -> Option<World> {
    if !available() {
        return None;
    }
    let tool = cnitool()?;
    if !mounts_available() {
        return None;
    }
    let mount = CacheMount::new()?;
    let net = Net::new();
    real_list(&net);
    let host = Netns::new("host");
    Some(World {
        net,
        host,
        tool,
        _mount: mount,
    })
}

impl World {
    /// Run a tool in the host namespace with the real plugins on CNI_PATH
    /// and CAP_ARGS setting the MAC; it must succeed.
    fn run(&self, ours: bool, args: &[&str]) -> String {
        ok(&self.output(ours, args, &format!(r#"{{"mac":"{MAC}"}}"#)))
    }

    /// Run a tool in the host namespace with CAP_ARGS `caps`.
    fn output(&self, ours: bool, args: &[&str], caps: &str) -> Output {
        let prefix = ["ip", "netns", "exec", self.host.0.as_str()];
        let env = [("CNI_PATH", PLUGINS), ("CAP_ARGS", caps)];
        let (program, argv) = if ours {
            let mut a = vec!["net"];
            a.extend_from_slice(args);
            (Path::new(env!("CARGO_BIN_EXE_cniinvoke")), a)
        } else {
            (self.tool, args.to_vec())
        };
        run_in_cache(&self.net, &prefix, program, &argv, &env)
    }

    /// The host namespace's NAT rules.
    fn nat_rules(&self) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.host.0, "iptables", "-t", "nat", "-S"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn assert_attached(&self, ctr: &Netns) {
        let link = ip(&["-n", &ctr.0, "link", "show", "eth0"]).expect("eth0 inside");
        assert!(link.contains(MAC), "tuning set the MAC: {link}");
        let addr = ip(&["-n", &ctr.0, "-br", "addr", "show", "eth0"]).unwrap();
        assert!(addr.contains("10.99.0."), "{addr}");
        assert_eq!(leases(&self.net).len(), 2, "one IPv4 and one IPv6 lease");
        assert_eq!(
            self.net.cached(),
            [format!("realnet-{}-eth0", cnitool_id(&ctr.path()))]
        );
    }

    fn assert_gone(&self, ctr: &Netns) {
        assert!(
            ip(&["-n", &ctr.0, "link", "show", "eth0"]).is_err(),
            "eth0 is gone"
        );
        assert!(leases(&self.net).is_empty(), "lease released");
        assert!(self.net.cached().is_empty(), "cache entry gone");
    }
}

#[test]
fn real_chain_added_by_cnitool_checked_and_deleted_by_us() {
    let Some(w) = world() else { return };
    let ctr = Netns::new("ctr");
    let ns = ctr.path();
    w.run(false, &["add", "realnet", &ns]);
    w.assert_attached(&ctr);
    w.run(true, &["check", "realnet", &ns]);
    w.run(true, &["del", "realnet", &ns]);
    w.assert_gone(&ctr);
}

#[test]
fn real_chain_added_by_us_checked_deleted_and_collected_by_cnitool() {
    let Some(w) = world() else { return };
    let ctr = Netns::new("ctr");
    let ns = ctr.path();
    let result = w.run(true, &["add", "realnet", &ns]);
    let v: serde_json::Value = serde_json::from_str(&result).unwrap();
    assert_eq!(v["cniVersion"], "1.0.0");
    w.assert_attached(&ctr);
    w.run(false, &["check", "realnet", &ns]);
    w.run(false, &["del", "realnet", &ns]);
    w.assert_gone(&ctr);
    w.run(true, &["add", "realnet", &ns]);
    w.assert_attached(&ctr);
    w.run(false, &["gc", "realnet", &ns]);
    w.assert_gone(&ctr);
}

/// With a port mapping: portmap's DNAT rule is made by one tool and removed
/// by the other. Debian's portmap (v1.1.1) cannot CHECK its own mapping
/// (it looks for the IPv4 rule among the IPv6 ones): both tools report that
/// failure with the same text.
#[test]
fn real_port_mapping_across_the_tools() {
    let Some(w) = world() else { return };
    let ctr = Netns::new("ctr");
    let ns = ctr.path();
    let caps = format!(
        r#"{{"mac":"{MAC}","portMappings":[{{"hostPort":8080,"containerPort":80,"protocol":"tcp"}}]}}"#
    );
    for ours_add in [true, false] {
        ok(&w.output(ours_add, &["add", "realnet", &ns], &caps));
        w.assert_attached(&ctr);
        assert!(
            w.nat_rules()
                .contains("--dport 8080 -j DNAT --to-destination 10.99.0."),
            "{}",
            w.nat_rules()
        );
        let mine = w.output(true, &["check", "realnet", &ns], &caps);
        let theirs = w.output(false, &["check", "realnet", &ns], &caps);
        assert_eq!(theirs.status.code(), Some(1));
        assert_eq!(mine.status.code(), Some(13));
        let (m, t) = (crate::text(&mine).1, crate::text(&theirs).1);
        assert!(m.starts_with("could not check ipv6 dnat: "), "{m}");
        assert_eq!(m, t);
        ok(&w.output(!ours_add, &["del", "realnet", &ns], &caps));
        w.assert_gone(&ctr);
        assert!(!w.nat_rules().contains("--dport 8080"), "{}", w.nat_rules());
    }
}

/// A DEL started while a slow ADD of the same attachment is in the middle
/// of its chain (the test plugin sleeping first, the real plugins after it)
/// waits for the whole ADD; afterwards the interface, the host-local lease
/// and the cache entry are all gone.
#[test]
fn real_del_waits_for_a_slow_add_in_the_middle_of_its_chain() {
    let Some(w) = world() else { return };
    let ctr = Netns::new("ctr");
    let ns = ctr.path();
    let ipam = w.net.path("ipam").display().to_string();
    w.net.conf(
        "05-slow.conflist",
        &format!(
            r#"{{"cniVersion":"1.0.0","name":"slownet","plugins":[
              {{"type":"tp-a"}},
              {{"type":"bridge","bridge":"cnii-br1","isGateway":true,"ipMasq":false,
               "ipam":{{"type":"host-local","subnet":"10.98.0.0/24","dataDir":"{ipam}"}}}},
              {{"type":"tuning","capabilities":{{"mac":true}}}},
              {{"type":"portmap","capabilities":{{"portMappings":true}},"snat":false}}]}}"#
        ),
    );
    w.net.debug(
        "tp-a",
        serde_json::json!({"commands": {"ADD": {"sleepMs": 1500, "result": crate::common::result_100()}}}),
    );
    let path = format!("{PLUGINS}:{}", w.net.path("bin").display());
    let caps = format!(r#"{{"mac":"{MAC}"}}"#);
    let env = [
        ("CNI_PATH", OsStr::new(&path)),
        ("CAP_ARGS", OsStr::new(&caps)),
    ];
    let prefix = ["ip", "netns", "exec", w.host.0.as_str()];
    let start = |verb: &str| {
        command_in_cache(
            &w.net,
            &prefix,
            ours(),
            &["net", verb, "slownet", &ns],
            &env,
        )
        .spawn()
        .unwrap()
    };
    let adding = start("add");
    crate::wait_for(|| w.net.calls() == ["tp-a ADD"]);
    let deleting = start("del");
    let added = adding.wait_with_output().unwrap();
    let deleted = deleting.wait_with_output().unwrap();
    ok(&added);
    ok(&deleted);
    // The DEL's chain ran after the whole ADD, with its cached result.
    assert_eq!(w.net.calls(), ["tp-a ADD", "tp-a DEL"]);
    let prev = &w.net.stdin("tp-a", "DEL")["prevResult"];
    assert_eq!(prev["interfaces"][2]["mac"], MAC, "{prev}");
    assert!(
        ip(&["-n", &ctr.0, "link", "show", "eth0"]).is_err(),
        "eth0 is gone"
    );
    let leases = std::fs::read_dir(w.net.path("ipam/slownet"))
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.starts_with("10."))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(leases, 0, "lease released");
    assert!(w.net.cached().is_empty(), "cache entry gone");
}
