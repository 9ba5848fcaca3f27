//! Debian's real CNI plugins (`containernetworking-plugins`, /usr/lib/cni)
//! end to end, as root, in network namespaces made and removed here. The
//! plugins' "host" side runs in a namespace of its own too (the calling
//! thread joins it), so the machine's own network is never touched.
//!
//! Without root or without the plugins, every test says it skipped, unless
//! CNI_REQUIRE_REAL_PLUGINS=1 (set by `make test` as root), which makes that
//! a failure.

mod common;

use cniinvoke::{
    delegate_add, delegate_del, exec_plugin_with_result, exec_plugin_without_result,
    get_version_info, Args, Context, Error,
};
use common::netns::{in_netns, Netns};
use serde_json::{json, Value};
use std::process::Command;
use std::sync::Mutex;

const PLUGINS: &str = "/usr/lib/cni";
static SERIAL: Mutex<()> = Mutex::new(());

fn available() -> bool {
    common::netns::available(PLUGINS, &["bridge"], &["ip"])
}

fn args(command: &str, ns: &Netns, ctr: &str) -> Args {
    Args {
        command: command.into(),
        container_id: ctr.into(),
        netns: ns.path(),
        if_name: "eth0".into(),
        path: PLUGINS.into(),
        ..Args::default()
    }
}

fn plugin(name: &str) -> String {
    format!("{PLUGINS}/{name}")
}

#[test]
fn version_of_every_plugin() {
    if !available() {
        return;
    }
    let mut n = 0;
    for entry in std::fs::read_dir(PLUGINS).unwrap() {
        let path = entry.unwrap().path();
        let info = get_version_info(&Context::background(), path.to_str().unwrap(), None)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!info.supported_versions().is_empty(), "{}", path.display());
        assert!(
            info.supported_versions().iter().any(|v| v == "1.0.0"),
            "{}",
            path.display()
        );
        n += 1;
    }
    assert!(n >= 5, "only {n} plugins in {PLUGINS}");
}

#[test]
fn bridge_with_host_local_add_check_del() {
    if !available() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let host = Netns::new("host");
    let ctr = Netns::new("ctr");
    let data = common::tempdir();
    let conf = json!({
        "cniVersion": "1.0.0",
        "name": "cnii-bridge",
        "type": "bridge",
        "bridge": "cnii-br0",
        "isGateway": true,
        "ipMasq": false,
        "ipam": {"type": "host-local", "subnet": "10.99.0.0/24", "dataDir": data.path()}
    });
    let netconf = conf.to_string();
    let ctx = Context::background();
    in_netns(&host, || {
        let result = exec_plugin_with_result(
            &ctx,
            &plugin("bridge"),
            netconf.as_bytes(),
            &args("ADD", &ctr, "c1"),
            None,
        )
        .unwrap();
        assert_eq!(result.cni_version(), "1.0.0");
        let r: Value = serde_json::from_str(&result.to_json()).unwrap();
        let addr = r["ips"][0]["address"].as_str().unwrap().to_string();
        assert!(addr.starts_with("10.99.0."), "{addr}");
        let shown = ctr.ip(&["-4", "addr", "show", "dev", "eth0"]).unwrap();
        assert!(shown.contains(&format!("inet {addr}")), "{shown}");

        // CHECK with the ADD result spliced in as prevResult.
        let mut check = conf.clone();
        check["prevResult"] = r.clone();
        exec_plugin_without_result(
            &ctx,
            &plugin("bridge"),
            check.to_string().as_bytes(),
            &args("CHECK", &ctr, "c1"),
            None,
        )
        .unwrap();

        exec_plugin_without_result(
            &ctx,
            &plugin("bridge"),
            netconf.as_bytes(),
            &args("DEL", &ctr, "c1"),
            None,
        )
        .unwrap();
        assert!(
            ctr.ip(&["link", "show", "dev", "eth0"]).is_err(),
            "eth0 gone after DEL"
        );
        // DEL is idempotent.
        exec_plugin_without_result(
            &ctx,
            &plugin("bridge"),
            netconf.as_bytes(),
            &args("DEL", &ctr, "c1"),
            None,
        )
        .unwrap();
    });
}

#[test]
fn loopback_and_ptp_add_del() {
    if !available() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let host = Netns::new("host");
    let ctr = Netns::new("ctr");
    let data = common::tempdir();
    let ctx = Context::background();
    in_netns(&host, || {
        let lo = br#"{"cniVersion":"1.0.0","name":"lo","type":"loopback"}"#;
        let mut a = args("ADD", &ctr, "c2");
        a.if_name = "lo".into();
        exec_plugin_with_result(&ctx, &plugin("loopback"), lo, &a, None).unwrap();
        assert!(ctr.ip(&["link", "show", "lo"]).unwrap().contains("UP"));
        a.command = "DEL".into();
        exec_plugin_without_result(&ctx, &plugin("loopback"), lo, &a, None).unwrap();

        let ptp = json!({
            "cniVersion": "1.0.0", "name": "cnii-ptp", "type": "ptp",
            "ipam": {"type": "host-local", "subnet": "10.98.0.0/24", "dataDir": data.path()}
        })
        .to_string();
        let r = exec_plugin_with_result(
            &ctx,
            &plugin("ptp"),
            ptp.as_bytes(),
            &args("ADD", &ctr, "c2"),
            None,
        )
        .unwrap();
        let r: Value = serde_json::from_str(&r.to_json()).unwrap();
        let addr = r["ips"][0]["address"].as_str().unwrap();
        assert!(ctr
            .ip(&["-4", "addr", "show", "dev", "eth0"])
            .unwrap()
            .contains(addr));
        exec_plugin_without_result(
            &ctx,
            &plugin("ptp"),
            ptp.as_bytes(),
            &args("DEL", &ctr, "c2"),
            None,
        )
        .unwrap();
        assert!(ctr.ip(&["link", "show", "dev", "eth0"]).is_err());
    });
}

#[test]
fn a_real_plugins_error_is_a_typed_cni_error() {
    if !available() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let host = Netns::new("host");
    let ctr = Netns::new("ctr");
    let data = common::tempdir();
    let conf = json!({
        "cniVersion": "1.0.0", "name": "cnii-bad", "type": "bridge", "bridge": "cnii-br1",
        "ipam": {"type": "host-local", "subnet": "not-a-subnet", "dataDir": data.path()}
    })
    .to_string();
    in_netns(&host, || {
        let e = exec_plugin_with_result(
            &Context::background(),
            &plugin("bridge"),
            conf.as_bytes(),
            &args("ADD", &ctr, "c3"),
            None,
        )
        .unwrap_err();
        match e {
            Error::Plugin(c) => {
                assert_ne!(c.code, 0, "{c:?}");
                assert!(
                    c.msg.contains("not-a-subnet") || c.details.contains("not-a-subnet"),
                    "{c:?}"
                );
            }
            other => panic!("expected the plugin's error, got {other:?}"),
        }
    });
}

#[test]
fn a_plugin_delegates_ipam_to_host_local() {
    if !available() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let ctr = Netns::new("ctr");
    let data = common::tempdir();
    // This process plays the parent plugin: it was started with the CNI
    // environment and hands its IPAM section to host-local.
    std::env::set_var("CNI_PATH", PLUGINS);
    std::env::set_var("CNI_COMMAND", "ADD");
    std::env::set_var("CNI_CONTAINERID", "c4");
    std::env::set_var("CNI_NETNS", ctr.path());
    std::env::set_var("CNI_IFNAME", "eth0");
    let ipam = json!({
        "cniVersion": "1.0.0", "name": "cnii-deleg",
        "ipam": {"type": "host-local", "subnet": "10.97.0.0/24", "dataDir": data.path()}
    })
    .to_string();
    let ctx = Context::background();
    let r = delegate_add(&ctx, "host-local", ipam.as_bytes(), None).unwrap();
    let r: Value = serde_json::from_str(&r.to_json()).unwrap();
    assert!(r["ips"][0]["address"]
        .as_str()
        .unwrap()
        .starts_with("10.97.0."));
    let leases = std::fs::read_dir(data.path().join("cnii-deleg"))
        .unwrap()
        .count();
    assert!(leases >= 2, "a lease file next to last_reserved_ip");
    std::env::set_var("CNI_COMMAND", "DEL");
    delegate_del(&ctx, "host-local", ipam.as_bytes(), None).unwrap();
    let left: Vec<_> = std::fs::read_dir(data.path().join("cnii-deleg"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("10."))
        .collect();
    assert!(left.is_empty(), "lease released by DEL");
    for k in [
        "CNI_PATH",
        "CNI_COMMAND",
        "CNI_CONTAINERID",
        "CNI_NETNS",
        "CNI_IFNAME",
    ] {
        std::env::remove_var(k);
    }
}

#[test]
fn the_command_line_drives_bridge_and_reports_errors() {
    if !available() {
        return;
    }
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let host = Netns::new("host");
    let ctr = Netns::new("ctr");
    let data = common::tempdir();
    let conf_path = data.path().join("net.json");
    let conf = json!({
        "cniVersion": "1.0.0", "name": "cnii-cli", "type": "bridge", "bridge": "cnii-br2",
        "isGateway": true, "ipMasq": false,
        "ipam": {"type": "host-local", "subnet": "10.95.0.0/24", "dataDir": data.path()}
    });
    std::fs::write(&conf_path, conf.to_string()).unwrap();
    let cli = |verb: &str, conf: &std::path::Path| {
        Command::new("ip")
            .args([
                "netns",
                "exec",
                &host.name,
                env!("CARGO_BIN_EXE_cniinvoke"),
                verb,
                "bridge",
            ])
            .args([
                "--netconf",
                conf.to_str().unwrap(),
                "--netns",
                &ctr.path(),
                "--containerid",
                "c5",
            ])
            .args(["--path", PLUGINS])
            .output()
            .unwrap()
    };
    let out = cli("add", &conf_path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let addr = r["ips"][0]["address"].as_str().unwrap();
    assert!(ctr
        .ip(&["-4", "addr", "show", "dev", "eth0"])
        .unwrap()
        .contains(addr));
    let mut check = conf.clone();
    check["prevResult"] = r.clone();
    let check_path = data.path().join("check.json");
    std::fs::write(&check_path, check.to_string()).unwrap();
    let out = cli("check", &check_path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for _ in 0..2 {
        let out = cli("del", &conf_path);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(ctr.ip(&["link", "show", "dev", "eth0"]).is_err());

    let mut bad = conf.clone();
    bad["ipam"]["subnet"] = json!("not-a-subnet");
    let bad_path = data.path().join("bad.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    let out = cli("add", &bad_path);
    assert_eq!(out.status.code(), Some(13));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_ne!(e["code"], 0);
}
