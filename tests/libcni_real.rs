//! A real chained network list through `cniinvoke::libcni::CniConfig`:
//! bridge (with host-local IPAM), then tuning taking the `mac` capability,
//! then portmap taking `portMappings` — ADD, CHECK, DEL and GC, as root, in
//! network namespaces made and removed here (the plugins' host side is one
//! too, so the machine's own network is never touched).
//!
//! Debian's portmap (containernetworking-plugins 1.1.1) runs `iptables` in
//! the host namespace; its CHECK of an IPv4-only attachment wrongly demands
//! IPv6 rules whenever `ip6tables` works (containernetworking/plugins#819,
//! fixed upstream later), so the plugins run with an `ip6tables` on PATH
//! that fails, as on a machine without IPv6 netfilter.
//!
//! Without root, the plugins, `ip` or `iptables`, every test says it
//! skipped, unless CNI_REQUIRE_REAL_PLUGINS=1 (set by `make test` as root).

mod common;

use cniinvoke::libcni::{
    conf_list_from_bytes, CniConfig, CniConfigOptions, GcArgs, GcAttachment, RuntimeConf,
};
use cniinvoke::{Context, Exec};
use common::netns::{in_netns, Netns};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

const PLUGINS: &str = "/usr/lib/cni";
const NET: &str = "cnii-chain";

fn available() -> bool {
    common::netns::available(
        PLUGINS,
        &["bridge", "host-local", "tuning", "portmap"],
        &["ip", "iptables"],
    )
}

/// The default way of running plugins, with `shim` first on their PATH.
struct ShimmedPath {
    shim: String,
    inner: cniinvoke::RawExec,
}

impl ShimmedPath {
    /// A shim directory in `dir` whose `ip6tables` always fails.
    fn new(dir: &Path) -> ShimmedPath {
        use std::os::unix::fs::PermissionsExt;
        let shim = dir.join("shim");
        std::fs::create_dir(&shim).unwrap();
        let tool = shim.join("ip6tables");
        std::fs::write(
            &tool,
            "#!/bin/sh\necho 'ip6tables hidden by the test' >&2\nexit 1\n",
        )
        .unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        ShimmedPath {
            shim: shim.to_string_lossy().into_owned(),
            inner: cniinvoke::RawExec::new(Default::default()),
        }
    }
}

impl Exec for ShimmedPath {
    fn exec_plugin(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        environ: Option<&[String]>,
    ) -> cniinvoke::Result<Vec<u8>> {
        let mut env: Vec<String> = match environ {
            Some(e) => e.to_vec(),
            None => std::env::vars().map(|(k, v)| format!("{k}={v}")).collect(),
        };
        let old = env
            .iter()
            .position(|e| e.starts_with("PATH="))
            .map(|i| env.remove(i)[5..].to_owned())
            .unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
        env.push(format!("PATH={}:{old}", self.shim));
        self.inner
            .exec_plugin(ctx, plugin_path, stdin_data, Some(&env))
    }
}

/// The list: bridge + host-local, tuning (`mac`), portmap (`portMappings`).
fn chain(ipam_dir: &Path) -> Vec<u8> {
    json!({
        "cniVersion": "1.0.0",
        "name": NET,
        "plugins": [
            {"type": "bridge", "bridge": "cnii-br7", "isGateway": true, "ipMasq": false,
             "ipam": {"type": "host-local", "subnet": "10.93.0.0/24", "dataDir": ipam_dir}},
            {"type": "tuning", "capabilities": {"mac": true}},
            {"type": "portmap", "capabilities": {"portMappings": true}}
        ]
    })
    .to_string()
    .into_bytes()
}

fn rt(ctr: &Netns, id: &str, mac: &str, host_port: u16) -> RuntimeConf {
    let mut caps = serde_json::Map::new();
    caps.insert("mac".into(), json!(mac));
    caps.insert(
        "portMappings".into(),
        json!([{"hostPort": host_port, "containerPort": 80, "protocol": "tcp"}]),
    );
    RuntimeConf {
        container_id: id.into(),
        netns: ctr.path(),
        if_name: "eth0".into(),
        capability_args: caps,
        ..Default::default()
    }
}

/// The host namespace's NAT rules that mention `port`.
fn nat_rules(host: &Netns, port: u16) -> Vec<String> {
    let rules = host.exec("iptables", &["-t", "nat", "-S"]).unwrap();
    let port = format!("--dport {port} ");
    rules
        .lines()
        .filter(|l| l.contains(&port))
        .map(str::to_owned)
        .collect()
}

/// host-local's lease files (named by address) in the network's data dir.
fn leases(ipam_dir: &Path) -> Vec<String> {
    match std::fs::read_dir(ipam_dir.join(NET)) {
        Ok(d) => d
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("10."))
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn chained_list_add_check_del_gc() {
    if !available() {
        return;
    }
    let host = Netns::new("host");
    let ctr1 = Netns::new("ctr1");
    let ctr2 = Netns::new("ctr2");
    let data = common::tempdir();
    let ipam = data.path().join("ipam");
    let cache = data.path().join("cache");
    let list = conf_list_from_bytes(&chain(&ipam)).unwrap();
    let exec: Arc<dyn Exec> = Arc::new(ShimmedPath::new(data.path()));
    let cfg = CniConfig::with_cache_dir(vec![PLUGINS.to_owned()], &cache, Some(exec));
    let ctx = Context::background();
    let rt1 = rt(&ctr1, "c1", "0a:58:0a:5d:00:11", 8081);
    let rt2 = rt(&ctr2, "c2", "0a:58:0a:5d:00:22", 8082);
    let entry = |id: &str| cache.join("results").join(format!("{NET}-{id}-eth0"));

    in_netns(&host, || {
        // ADD: the container interface has the requested MAC and an address
        // from the range, the port is mapped, the result is cached.
        let r = cfg.add_network_list(&ctx, &list, &rt1).unwrap();
        let r: Value = serde_json::from_str(&r.to_json()).unwrap();
        let addr = r["ips"][0]["address"].as_str().unwrap().to_owned();
        assert!(addr.starts_with("10.93.0."), "{addr}");
        let link = ctr1.ip(&["link", "show", "dev", "eth0"]).unwrap();
        assert!(link.contains("link/ether 0a:58:0a:5d:00:11 "), "{link}");
        let shown = ctr1.ip(&["-4", "addr", "show", "dev", "eth0"]).unwrap();
        assert!(shown.contains(&format!("inet {addr}")), "{shown}");
        let ip = addr.split('/').next().unwrap();
        let dnat = nat_rules(&host, 8081);
        assert!(
            dnat.iter()
                .any(|l| l.contains(&format!("--to-destination {ip}:80"))),
            "{dnat:?}"
        );
        assert!(entry("c1").is_file(), "cache entry after ADD");
        let cached = cfg
            .get_network_list_cached_result(&list, &rt1)
            .unwrap()
            .unwrap();
        assert_eq!(serde_json::from_str::<Value>(&cached.to_json()).unwrap(), r);

        // CHECK: every plugin verifies its part against the cached result.
        cfg.check_network_list(&ctx, &list, &rt1).unwrap();

        // GC: a second attachment that is not in the valid list is deleted.
        cfg.add_network_list(&ctx, &list, &rt2).unwrap();
        assert_eq!(leases(&ipam).len(), 2);
        let valid = GcArgs {
            valid_attachments: vec![GcAttachment {
                container_id: "c1".into(),
                if_name: "eth0".into(),
            }],
        };
        cfg.gc_network_list(&ctx, &list, Some(&valid)).unwrap();
        assert!(!entry("c2").exists(), "GC removed the stale entry");
        assert!(
            ctr2.ip(&["link", "show", "dev", "eth0"]).is_err(),
            "GC deleted c2's eth0"
        );
        assert!(
            nat_rules(&host, 8082).is_empty(),
            "GC removed c2's port mapping"
        );
        assert_eq!(
            leases(&ipam),
            [ip.to_owned()],
            "c2's lease released, c1's kept"
        );
        assert!(entry("c1").is_file());
        let left = cfg.get_cached_attachments("").unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].container_id, "c1");

        // DEL: everything undone, the cache entry gone; DEL again is fine.
        cfg.del_network_list(&ctx, &list, &rt1).unwrap();
        assert!(
            ctr1.ip(&["link", "show", "dev", "eth0"]).is_err(),
            "eth0 gone"
        );
        assert!(nat_rules(&host, 8081).is_empty(), "port mapping gone");
        assert!(leases(&ipam).is_empty(), "lease released");
        assert!(!entry("c1").exists(), "cache entry gone after DEL");
        cfg.del_network_list(&ctx, &list, &rt1).unwrap();
    });
}

#[test]
fn a_failed_add_is_undone_only_when_asked() {
    if !available() {
        return;
    }
    let host = Netns::new("host");
    let ctr = Netns::new("ctr");
    let data = common::tempdir();
    let ipam = data.path().join("ipam");
    let cache = data.path().join("cache");
    let list = conf_list_from_bytes(&chain(&ipam)).unwrap();
    let exec: Arc<dyn Exec> = Arc::new(ShimmedPath::new(data.path()));
    let mut cfg = CniConfig::with_cache_dir(vec![PLUGINS.to_owned()], &cache, Some(exec));
    let ctx = Context::background();
    // tuning cannot parse this MAC: the list fails in its second plugin,
    // after bridge made the interface and host-local leased an address.
    let bad = rt(&ctr, "c1", "not-a-mac", 8083);
    let entry = cache.join("results").join(format!("{NET}-c1-eth0"));

    in_netns(&host, || {
        let e = cfg.add_network_list(&ctx, &list, &bad).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("plugin type=\"tuning\" failed (add): "),
            "{e}"
        );
        // Upstream's behaviour: what the first plugin did stays.
        assert!(
            ctr.ip(&["link", "show", "dev", "eth0"]).is_ok(),
            "eth0 left behind"
        );
        assert_eq!(leases(&ipam).len(), 1, "lease left behind");
        assert!(!entry.exists(), "nothing cached for a failed ADD");
        cfg.del_network_list(&ctx, &list, &bad).unwrap();
        assert!(ctr.ip(&["link", "show", "dev", "eth0"]).is_err());
        assert!(leases(&ipam).is_empty());

        // With cleanupOnFailure the failed ADD runs the list's DEL itself.
        cfg.set_options(CniConfigOptions {
            cleanup_on_failure: true,
            ..Default::default()
        });
        let again = cfg.add_network_list(&ctx, &list, &bad).unwrap_err();
        assert_eq!(again.to_string(), e.to_string(), "the ADD's own error");
        assert!(
            ctr.ip(&["link", "show", "dev", "eth0"]).is_err(),
            "eth0 removed"
        );
        assert!(leases(&ipam).is_empty(), "lease released");
        assert!(nat_rules(&host, 8083).is_empty());
        assert!(!entry.exists());
    });
}
