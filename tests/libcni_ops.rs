//! The network-list operations against the test plugin: every row of
//! DESIGN's libcni table (ADD, CHECK, DEL, GC, STATUS, validate, the cache
//! dir precedence) and our additions (cleanup on failure, one context for
//! the whole chain), with upstream's texts asserted exactly.

mod libcni_support;

use cniinvoke::libcni::{CniConfig, CniConfigOptions, GcArgs, GcAttachment, RuntimeConf};
use cniinvoke::{Context, Error, Status};
use libcni_support::{bg, failing, json_of, p, Net};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The code of the plugin error at the bottom of `e`.
fn plugin_code(mut e: &Error) -> u32 {
    while let Some(cause) = e.cause() {
        e = cause;
    }
    match e {
        Error::Plugin(c) => c.code,
        other => panic!("not a plugin error underneath: {other:?}"),
    }
}

#[test]
fn add_chains_results_injects_and_caches() {
    let net = Net::new();
    let list = net.list(
        "net1",
        "1.0.0",
        vec![
            p("alpha"),
            json!({"type": "beta", "capabilities": {"portMappings": true, "mac": false}}),
            p("gamma"),
        ],
    );
    let mut rt = net.rt("ctr1");
    rt.capability_args = serde_json::from_value(json!({
        "portMappings": [{"hostPort": 8080, "containerPort": 80}],
        "mac": "02:00:00:00:00:01",
        "unused": 1
    }))
    .unwrap();
    let result = net.cfg().add_network_list(&bg(), &list, &rt).unwrap();
    let got = json_of(&result);
    let names: Vec<&str> = got["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["eth0", "eth0-1", "eth0-2"]);

    let log = net.log_of("ctr1");
    assert_eq!(
        libcni_support::steps(&log),
        ["ADD alpha", "ADD beta", "ADD gamma"]
    );
    for (i, line) in log.iter().enumerate() {
        assert_eq!(line["name"], "net1");
        assert_eq!(line["cniVersion"], "1.0.0");
        assert_eq!(line["cniArgs"], "K=V");
        assert_eq!(line["netns"], "/var/run/netns/ctr1");
        let prev_ifaces = line["prevResult"]["interfaces"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(
            prev_ifaces, i,
            "plugin {i} sees the previous plugins' result"
        );
    }
    assert_eq!(log[0]["prevResult"], Value::Null);
    assert_eq!(log[0]["runtimeConfig"], Value::Null);
    assert_eq!(
        log[1]["runtimeConfig"],
        json!({"portMappings": [{"hostPort": 8080, "containerPort": 80}]})
    );
    assert_eq!(log[2]["runtimeConfig"], Value::Null);

    let cfg = net.cfg();
    let cached = cfg
        .get_network_list_cached_result(&list, &rt)
        .unwrap()
        .unwrap();
    assert_eq!(cached, result);
    let cc = cfg
        .get_network_list_cached_config(&list, &rt)
        .unwrap()
        .unwrap();
    assert_eq!(cc.config, list.bytes);
    assert_eq!(cc.runtime_conf.args, rt.args);
    assert_eq!(cc.runtime_conf.capability_args, rt.capability_args);
    let atts = cfg.get_cached_attachments("ctr1").unwrap();
    assert_eq!(atts.len(), 1);
    assert_eq!(
        (
            atts[0].network.as_str(),
            atts[0].if_name.as_str(),
            atts[0].netns.as_str()
        ),
        ("net1", "eth0", "/var/run/netns/ctr1")
    );
    assert_eq!(atts[0].config, list.bytes);
    assert!(cfg.get_cached_attachments("ctr").unwrap().is_empty());
    assert_eq!(cfg.get_cached_attachments("").unwrap().len(), 1);
}

#[test]
fn add_failure_names_the_plugin_and_keeps_its_error() {
    let net = Net::new();
    let cfg = net.cfg();
    let rt = net.rt("ctr1");
    let list = net.list(
        "net1",
        "1.0.0",
        vec![p("alpha"), failing("beta", &["ADD"], 107), p("gamma")],
    );
    let e = cfg.add_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"plugin type="beta" failed (add): ADD failed on request"#
    );
    assert_eq!(e.status(), Status::PluginError);
    assert_eq!(plugin_code(&e), 107);
    // The cause is the error's source too, for Rust error reporters.
    let source = std::error::Error::source(&e).unwrap().to_string();
    assert_eq!(source, "ADD failed on request");
    assert_eq!(net.steps("ctr1"), ["ADD alpha", "ADD beta"]);
    assert!(!net.entry("net1", "ctr1").exists());

    // A plugin's own name is shown.
    let mut named = failing("beta", &["ADD"], 107);
    named["name"] = json!("b-own");
    let list = net.list("net1", "1.0.0", vec![named]);
    let e = cfg.add_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"plugin type="beta" name="b-own" failed (add): ADD failed on request"#
    );

    let list = net.list("net1", "1.0.0", vec![p("alpha"), p("nope")]);
    let e = cfg.add_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            r#"plugin type="nope" failed (add): failed to find plugin "nope" in path [{}]"#,
            net.bin.display()
        )
    );
    assert_eq!(e.status(), Status::NotFound);
}

#[test]
fn names_are_validated_on_every_verb_with_upstreams_texts() {
    let net = Net::new();
    let cfg = net.cfg();
    let list = net.list("net1", "1.0.0", vec![p("alpha")]);
    let cases = [
        ("", "eth0", "missing containerID", 3),
        (
            "../../etc",
            "eth0",
            "invalid characters in containerID; ../../etc",
            4,
        ),
        ("ctr1", "", "interface name is empty", 4),
        (
            "ctr1",
            "../x",
            "interface name contains / or : or whitespace characters",
            4,
        ),
        (
            "ctr1",
            "0123456789abcdef",
            "interface name is too long; interface name should be less than 16 characters",
            4,
        ),
        ("ctr1", "..", "interface name is . or ..", 4),
    ];
    for (ctr, ifname, text, code) in cases {
        let rt = RuntimeConf {
            container_id: ctr.into(),
            if_name: ifname.into(),
            ..net.rt("x")
        };
        let e = cfg.add_network_list(&bg(), &list, &rt).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(r#"plugin type="alpha" failed (add): {text}"#)
        );
        assert_eq!(plugin_code(&e), code);
        for e in [
            cfg.check_network_list(&bg(), &list, &rt).unwrap_err(),
            cfg.del_network_list(&bg(), &list, &rt).unwrap_err(),
        ] {
            assert_eq!(e.to_string(), text);
        }
    }
    let bad = net.list("bad/name", "1.0.0", vec![p("alpha")]);
    let e = cfg
        .del_network_list(&bg(), &bad, &net.rt("ctr1"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid characters found in network name; bad/name"
    );
    // Nothing ran, nothing was created.
    assert!(net.log("ctr1-eth0.log").is_empty());
    assert!(!net.cache.join("results").exists());
    // The cache getters keep upstream's text for empty parts.
    let e = cfg
        .get_network_list_cached_result(&list, &RuntimeConf::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"cache file path requires network name ("net1"), container ID (""), and interface name ("")"#
    );
}

#[test]
fn check_rules() {
    let net = Net::new();
    let cfg = net.cfg();
    let rt = net.rt("ctr1");
    let old = net.list("net1", "0.3.1", vec![p("alpha")]);
    let e = cfg.check_network_list(&bg(), &old, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"configuration version "0.3.1" does not support the CHECK command"#
    );
    let off = net.list_with(
        "net1",
        "1.0.0",
        vec![failing("alpha", &["CHECK"], 100)],
        json!({"disableCheck": true}),
    );
    cfg.check_network_list(&bg(), &off, &rt).unwrap();
    assert!(net.log_of("ctr1").is_empty());

    let list = net.list("net1", "1.0.0", vec![p("alpha"), p("beta")]);
    let added = json_of(&cfg.add_network_list(&bg(), &list, &rt).unwrap());
    cfg.check_network_list(&bg(), &list, &rt).unwrap();
    let checks: Vec<Value> = net
        .log_of("ctr1")
        .into_iter()
        .filter(|l| l["command"] == "CHECK")
        .collect();
    assert_eq!(
        libcni_support::steps(&checks),
        ["CHECK alpha", "CHECK beta"]
    );
    for c in &checks {
        assert_eq!(c["prevResult"], added);
    }
    // A CHECK failure is the plugin's error, unwrapped (as upstream).
    let list = net.list(
        "net1",
        "1.0.0",
        vec![p("alpha"), failing("beta", &["CHECK"], 120)],
    );
    let e = cfg.check_network_list(&bg(), &list, &rt).unwrap_err();
    assert_eq!(e.to_string(), "CHECK failed on request");
    assert_eq!(plugin_code(&e), 120);
    assert!(e.cause().is_none());
}

#[test]
fn del_runs_in_reverse_with_the_cached_result_and_removes_the_entry() {
    let net = Net::new();
    let cfg = net.cfg();
    let rt = net.rt("ctr1");
    let list = net.list("net1", "1.0.0", vec![p("alpha"), p("beta"), p("gamma")]);
    let added = json_of(&cfg.add_network_list(&bg(), &list, &rt).unwrap());
    assert!(net.entry("net1", "ctr1").exists());
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    let dels: Vec<Value> = net
        .log_of("ctr1")
        .into_iter()
        .filter(|l| l["command"] == "DEL")
        .collect();
    assert_eq!(
        libcni_support::steps(&dels),
        ["DEL gamma", "DEL beta", "DEL alpha"]
    );
    assert!(dels.iter().all(|d| d["prevResult"] == added));
    assert!(!net.entry("net1", "ctr1").exists());
    assert!(!net.cache.join("locks/net1-ctr1-eth0.lock").exists());
    // DEL again: nothing cached, still runs, no prevResult.
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert_eq!(
        net.log_of("ctr1").last().unwrap()["prevResult"],
        Value::Null
    );

    // Failures name the plugin, "(delete)"; the entry stays.
    let failing_list = net.list(
        "net1",
        "1.0.0",
        vec![failing("alpha", &["DEL"], 101), p("beta")],
    );
    cfg.add_network_list(&bg(), &failing_list, &rt).unwrap();
    let e = cfg.del_network_list(&bg(), &failing_list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"plugin type="alpha" failed (delete): DEL failed on request"#
    );
    assert!(net.entry("net1", "ctr1").exists());

    // Below 0.4.0 no prevResult is handed over even when cached.
    let old = net.list("net2", "0.3.1", vec![p("alpha")]);
    cfg.add_network_list(&bg(), &old, &rt).unwrap();
    cfg.del_network_list(&bg(), &old, &rt).unwrap();
    let last = net.log_of("ctr1").pop().unwrap();
    assert_eq!(
        (last["command"].as_str(), &last["prevResult"]),
        (Some("DEL"), &Value::Null)
    );
    assert!(!net.entry("net2", "ctr1").exists());
}

#[test]
fn gc_deletes_stale_attachments_then_runs_gc_with_the_valid_ones() {
    let net = Net::new();
    let cfg = net.cfg();
    let list = net.list("net1", "1.1.0", vec![p("alpha"), p("beta")]);
    let other = net.list("net2", "1.1.0", vec![p("alpha")]);
    for ctr in ["ctr-a", "ctr-b", "ctr-c"] {
        cfg.add_network_list(&bg(), &list, &net.rt(ctr)).unwrap();
    }
    cfg.add_network_list(&bg(), &other, &net.rt("ctr-d"))
        .unwrap();
    let keep = GcArgs {
        valid_attachments: vec![GcAttachment {
            container_id: "ctr-b".into(),
            if_name: "eth0".into(),
        }],
    };
    cfg.gc_network_list(&bg(), &list, Some(&keep)).unwrap();
    for (ctr, gone) in [("ctr-a", true), ("ctr-b", false), ("ctr-c", true)] {
        assert_eq!(!net.entry("net1", ctr).exists(), gone, "{ctr}");
        let dels = net
            .log_of(ctr)
            .iter()
            .filter(|l| l["command"] == "DEL")
            .count();
        assert_eq!(dels, if gone { 2 } else { 0 }, "{ctr}");
    }
    // Another network's attachment is not this list's business.
    assert!(net.entry("net2", "ctr-d").exists());
    let gc = net.log("GC.log");
    assert_eq!(libcni_support::steps(&gc), ["GC alpha", "GC beta"]);
    for line in &gc {
        assert_eq!(
            line["validAttachments"],
            json!([{"containerID": "ctr-b", "ifname": "eth0"}])
        );
        assert_eq!(line["name"], "net1");
    }

    // Without args every cached attachment of the network goes.
    cfg.gc_network_list(&bg(), &list, None).unwrap();
    assert!(!net.entry("net1", "ctr-b").exists());
    assert_eq!(
        net.log("GC.log").last().unwrap()["validAttachments"],
        Value::Null
    );

    // disableGC: nothing at all; below 1.1.0: DELs but no GC verb.
    let off = net.list_with(
        "net2",
        "1.1.0",
        vec![p("alpha")],
        json!({"disableGC": true}),
    );
    cfg.gc_network_list(&bg(), &off, None).unwrap();
    assert!(net.entry("net2", "ctr-d").exists());
    let before = net.log("GC.log").len();
    let old = net.list("net2", "1.0.0", vec![p("alpha")]);
    cfg.gc_network_list(&bg(), &old, None).unwrap();
    assert!(!net.entry("net2", "ctr-d").exists());
    assert_eq!(net.log("GC.log").len(), before);
}

/// The DEL of a stale attachment gets what its ADD got from the runtime:
/// its netns, CNI_ARGS and capability arguments, from the cache entry.
#[test]
fn gc_deletes_a_stale_attachment_with_its_cached_runtime_conf() {
    let net = Net::new();
    let cfg = net.cfg();
    let list = net.list(
        "net1",
        "1.1.0",
        vec![json!({"type": "alpha", "capabilities": {"portMappings": true}})],
    );
    let mut rt = net.rt("ctr1");
    rt.capability_args =
        serde_json::from_value(json!({"portMappings": [{"hostPort": 8080}]})).unwrap();
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    cfg.gc_network_list(&bg(), &list, None).unwrap();
    let log = net.log_of("ctr1");
    assert_eq!(libcni_support::steps(&log), ["ADD alpha", "DEL alpha"]);
    for key in ["netns", "cniArgs", "runtimeConfig"] {
        assert_eq!(log[1][key], log[0][key], "{key}");
    }
    assert_eq!(
        log[1]["runtimeConfig"],
        json!({"portMappings": [{"hostPort": 8080}]})
    );
}

#[test]
fn gc_errors_are_joined_one_per_line() {
    let net = Net::new();
    let cfg = net.cfg();
    let ok = net.list("net1", "1.1.0", vec![p("alpha")]);
    for ctr in ["ctr-a", "ctr-b"] {
        cfg.add_network_list(&bg(), &ok, &net.rt(ctr)).unwrap();
    }
    let bad = net.list("net1", "1.1.0", vec![failing("alpha", &["DEL", "GC"], 105)]);
    let e = cfg.gc_network_list(&bg(), &bad, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        [
            r#"failed to delete stale attachment ctr-a eth0: plugin type="alpha" failed (delete): DEL failed on request"#,
            r#"failed to delete stale attachment ctr-b eth0: plugin type="alpha" failed (delete): DEL failed on request"#,
            "failed to GC plugin alpha: GC failed on request",
        ]
        .join("\n")
    );
    assert_eq!(plugin_code(e.cause().unwrap()), 105);
}

#[test]
fn status_runs_from_1_1_0_and_returns_the_first_error_as_is() {
    let net = Net::new();
    let cfg = net.cfg();
    let old = net.list("net1", "1.0.0", vec![failing("alpha", &["STATUS"], 50)]);
    cfg.get_status_network_list(&bg(), &old).unwrap();
    assert!(net.log("STATUS.log").is_empty());
    let list = net.list(
        "net1",
        "1.1.0",
        vec![p("alpha"), failing("beta", &["STATUS"], 50), p("gamma")],
    );
    let e = cfg.get_status_network_list(&bg(), &list).unwrap_err();
    match &e {
        Error::Plugin(c) => assert_eq!((c.code, c.msg.as_str()), (50, "STATUS failed on request")),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        libcni_support::steps(&net.log("STATUS.log")),
        ["STATUS alpha", "STATUS beta"]
    );
    let ok = net.list("net1", "1.1.0", vec![p("alpha")]);
    cfg.get_status_network_list(&bg(), &ok).unwrap();
}

#[test]
fn validate_reports_capabilities_and_problems() {
    let net = Net::new();
    let cfg = net.cfg();
    let list = net.list(
        "net1",
        "1.0.0",
        vec![
            json!({"type": "alpha", "capabilities": {"portMappings": true, "mac": false}}),
            json!({"type": "beta", "capabilities": {"bandwidth": true, "portMappings": true}}),
        ],
    );
    assert_eq!(
        cfg.validate_network_list(&bg(), &list).unwrap(),
        ["bandwidth", "portMappings"]
    );
    assert_eq!(
        cfg.validate_network(&bg(), &list.plugins[1]).unwrap(),
        ["bandwidth", "portMappings"]
    );
    let bad = net.list("net1", "1.0.0", vec![p("nope"), p("alpha"), p("nada")]);
    let e = cfg.validate_network_list(&bg(), &bad).unwrap_err();
    let dir = net.bin.display();
    assert_eq!(
        e.to_string(),
        format!(
            r#"[failed to find plugin "nope" in path [{dir}] failed to find plugin "nada" in path [{dir}]]"#
        )
    );
    assert_eq!(e.status(), Status::NotFound);
    let future = net.list("net1", "9.9.9", vec![p("alpha")]);
    let e = cfg.validate_network_list(&bg(), &future).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"[plugin alpha does not support config version "9.9.9"]"#
    );
    let info = cfg.get_version_info(&bg(), "alpha").unwrap();
    assert_eq!(info.supported_versions().len(), 7);
}

#[test]
fn runtime_conf_cache_dir_is_used_when_the_config_has_none() {
    let net = Net::new();
    let cfg = CniConfig::new(net.path(), None);
    let list = net.list("net1", "1.0.0", vec![p("alpha")]);
    let rt = RuntimeConf {
        cache_dir: net.cache.to_string_lossy().into_owned(),
        ..net.rt("ctr1")
    };
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    assert!(net.entry("net1", "ctr1").exists());
    // The config's own directory wins over the runtime conf's.
    let elsewhere = net.dir.path().join("other");
    let cfg = CniConfig::with_cache_dir(net.path(), &elsewhere, None);
    cfg.add_network_list(&bg(), &list, &rt).unwrap();
    assert!(elsewhere.join("results/net1-ctr1-eth0").exists());
}

#[test]
fn cleanup_on_failure_runs_the_lists_del() {
    let net = Net::new();
    let list = net.list(
        "net1",
        "1.0.0",
        vec![p("alpha"), p("beta"), failing("gamma", &["ADD"], 100)],
    );
    let mut cfg = net.cfg();
    let e = cfg
        .add_network_list(&bg(), &list, &net.rt("ctr1"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"plugin type="gamma" failed (add): ADD failed on request"#
    );
    assert_eq!(net.steps("ctr1"), ["ADD alpha", "ADD beta", "ADD gamma"]);
    cfg.set_options(CniConfigOptions {
        cleanup_on_failure: true,
        ..CniConfigOptions::default()
    });
    let e = cfg
        .add_network_list(&bg(), &list, &net.rt("ctr2"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"plugin type="gamma" failed (add): ADD failed on request"#
    );
    assert_eq!(
        net.steps("ctr2"),
        [
            "ADD alpha",
            "ADD beta",
            "ADD gamma",
            "DEL gamma",
            "DEL beta",
            "DEL alpha"
        ]
    );
    assert!(!net.entry("net1", "ctr2").exists());
}

#[test]
fn cleanup_on_failure_runs_a_single_plugins_del() {
    let net = Net::new();
    let conf = net.conf("net1", "1.0.0", failing("alpha", &["ADD"], 100));
    let mut cfg = net.cfg();
    let e = cfg.add_network(&bg(), &conf, &net.rt("ctr1")).unwrap_err();
    assert_eq!(e.to_string(), "ADD failed on request");
    assert_eq!(net.steps("ctr1"), ["ADD alpha"]);
    cfg.set_options(CniConfigOptions {
        cleanup_on_failure: true,
        ..CniConfigOptions::default()
    });
    let e = cfg.add_network(&bg(), &conf, &net.rt("ctr2")).unwrap_err();
    assert_eq!(e.to_string(), "ADD failed on request");
    assert_eq!(net.steps("ctr2"), ["ADD alpha", "DEL alpha"]);
    assert!(net.log_of("ctr2")[1]["prevResult"].is_null());
    assert!(!net.entry("net1", "ctr2").exists());
}

fn sleeper(type_: &str, ms: u64) -> Value {
    json!({"type": type_, "debug": {"sleepMs": ms, "commands": {"ADD": {"chainResult": true}}}})
}

#[test]
fn one_context_bounds_the_whole_chain() {
    let net = Net::new();
    let cfg = net.cfg();
    let list = net.list(
        "net1",
        "1.0.0",
        vec![p("alpha"), sleeper("beta", 5000), p("gamma")],
    );
    let ctx = Context::new();
    let canceller = {
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            ctx.cancel();
        })
    };
    let start = Instant::now();
    let e = cfg
        .add_network_list(&ctx, &list, &net.rt("ctr1"))
        .unwrap_err();
    canceller.join().unwrap();
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        e.to_string(),
        r#"plugin type="beta" failed (add): netplugin cancelled: context canceled"#
    );
    assert_eq!(e.status(), Status::Cancelled);
    assert_eq!(net.steps("ctr1"), ["ADD alpha", "ADD beta"]);

    // A deadline spanning the list: each plugin fits, the sum does not.
    let list = net.list(
        "net1",
        "1.0.0",
        vec![sleeper("alpha", 400), sleeper("beta", 400), p("gamma")],
    );
    let ctx = Context::with_timeout(Duration::from_millis(600));
    let e = cfg
        .add_network_list(&ctx, &list, &net.rt("ctr2"))
        .unwrap_err();
    assert_eq!(e.status(), Status::Timeout);
    assert!(
        e.to_string()
            .starts_with(r#"plugin type="beta" failed (add): "#),
        "{e}"
    );
    assert_eq!(net.steps("ctr2"), ["ADD alpha", "ADD beta"]);

    // Done before it starts: nothing runs.
    let ctx = Context::new();
    ctx.cancel();
    let e = cfg
        .del_network_list(&ctx, &list, &net.rt("ctr3"))
        .unwrap_err();
    assert_eq!(e.status(), Status::Cancelled);
    assert!(net.log_of("ctr3").is_empty());
}

#[test]
fn one_operation_per_attachment_others_in_parallel() {
    let net = Net::new();
    let cfg = net.cfg();
    let slow = net.list("net1", "1.0.0", vec![sleeper("alpha", 3000)]);
    let fast = net.list("net1", "1.0.0", vec![p("alpha")]);
    std::thread::scope(|s| {
        let holder = s.spawn(|| cfg.add_network_list(&bg(), &slow, &net.rt("ctr1")));
        // Let the slow ADD take the lock.
        let deadline = Instant::now() + Duration::from_secs(5);
        while net.log_of("ctr1").is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let ctx = Context::with_timeout(Duration::from_millis(200));
        let e = cfg
            .check_network_list(&ctx, &fast, &net.rt("ctr1"))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "waiting for the lock of attachment net1-ctr1-eth0: context deadline exceeded"
        );
        assert_eq!(e.status(), Status::Timeout);
        // Another attachment is not held up.
        let ctx = Context::with_timeout(Duration::from_secs(5));
        cfg.add_network_list(&ctx, &fast, &net.rt("ctr2")).unwrap();
        assert!(!holder.is_finished(), "ctr2 waited for ctr1's ADD");
        // A waiter gets the lock once the holder is done.
        cfg.del_network_list(&bg(), &fast, &net.rt("ctr1")).unwrap();
        holder.join().unwrap().unwrap();
    });
    // The DEL ran after the whole ADD, never in between.
    assert_eq!(net.steps("ctr1"), ["ADD alpha", "DEL alpha"]);
    assert!(!net.entry("net1", "ctr1").exists());
}

#[test]
fn single_plugin_variants_cache_the_same_way() {
    let net = Net::new();
    let cfg = net.cfg();
    let text = json!({"cniVersion": "1.0.0", "name": "solo", "type": "alpha", "logDir": net.logs})
        .to_string();
    let conf = cniinvoke::libcni::conf_from_bytes(text.as_bytes()).unwrap();
    let rt = net.rt("ctr1");
    let r = cfg.add_network(&bg(), &conf, &rt).unwrap();
    assert_eq!(
        cfg.get_network_cached_result(&conf, &rt).unwrap().unwrap(),
        r
    );
    assert_eq!(
        cfg.get_network_cached_config(&conf, &rt)
            .unwrap()
            .unwrap()
            .config,
        text.as_bytes()
    );
    cfg.check_network(&bg(), &conf, &rt).unwrap();
    cfg.del_network(&bg(), &conf, &rt).unwrap();
    assert_eq!(net.steps("ctr1"), ["ADD alpha", "CHECK alpha", "DEL alpha"]);
    assert!(!net.entry("solo", "ctr1").exists());
    // Errors are the plugin's own, unwrapped.
    let text = json!({"cniVersion": "1.0.0", "name": "solo", "type": "alpha", "failOn": ["ADD"]})
        .to_string();
    let conf = cniinvoke::libcni::conf_from_bytes(text.as_bytes()).unwrap();
    let e = cfg.add_network(&bg(), &conf, &rt).unwrap_err();
    assert_eq!(e.to_string(), "ADD failed on request");
}

/// A runner that cancels the call's context while the first plugin runs
/// and reports success: the list must stop before the next plugin.
struct CancelsDuringFirst(std::sync::Mutex<Vec<String>>);

impl cniinvoke::Exec for CancelsDuringFirst {
    fn exec_plugin(
        &self,
        ctx: &Context,
        path: &str,
        _: &[u8],
        _: Option<&[String]>,
    ) -> cniinvoke::Result<Vec<u8>> {
        self.0.lock().unwrap().push(path.to_owned());
        ctx.cancel();
        Ok(br#"{"cniVersion":"1.0.0"}"#.to_vec())
    }
    fn find_in_path(&self, plugin: &str, _: &[String]) -> cniinvoke::Result<String> {
        Ok(format!("/fake/{plugin}"))
    }
}

#[test]
fn a_list_cancelled_between_plugins_stops_there() {
    let net = Net::new();
    let exec = std::sync::Arc::new(CancelsDuringFirst(Default::default()));
    let cfg = CniConfig::with_cache_dir(vec![], &net.cache, Some(exec.clone()));
    let list = net.list("net1", "1.0.0", vec![p("alpha"), p("beta")]);
    let ctx = Context::new();
    let e = cfg
        .add_network_list(&ctx, &list, &net.rt("ctr1"))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"plugin type="beta" failed (add): netplugin cancelled: context canceled"#
    );
    assert_eq!(e.status(), Status::Cancelled);
    assert_eq!(*exec.0.lock().unwrap(), ["/fake/alpha"]);
    assert!(!net.entry("net1", "ctr1").exists());
}

#[test]
fn single_plugin_del_is_not_blocked_by_a_corrupt_entry() {
    let net = Net::new();
    let cfg = net.cfg();
    let text = json!({"cniVersion": "1.0.0", "name": "solo", "type": "alpha", "logDir": net.logs})
        .to_string();
    let conf = cniinvoke::libcni::conf_from_bytes(text.as_bytes()).unwrap();
    let rt = net.rt("ctr1");
    cfg.add_network(&bg(), &conf, &rt).unwrap();
    std::fs::write(net.entry("solo", "ctr1"), b"{").unwrap();
    cfg.del_network(&bg(), &conf, &rt).unwrap();
    assert!(!net.entry("solo", "ctr1").exists());
    assert_eq!(
        net.log_of("ctr1").last().unwrap()["prevResult"],
        Value::Null
    );
}

#[test]
fn gc_sends_the_valid_attachments_under_both_keys() {
    let net = Net::new();
    let record = net.dir.path().join("gc-record.json");
    let plugin = json!({"type": "alpha", "debug": {"commands": {"GC": {"record": record, "recordConfig": true}}}});
    let list = net.list("net1", "1.1.0", vec![plugin]);
    let args = GcArgs {
        valid_attachments: vec![
            GcAttachment {
                container_id: "c1".into(),
                if_name: "eth0".into(),
            },
            GcAttachment {
                container_id: "c2".into(),
                if_name: "net<1>".into(),
            },
        ],
    };
    net.cfg()
        .gc_network_list(&bg(), &list, Some(&args))
        .unwrap();
    let rec: Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    let expect =
        json!([{"containerID": "c1", "ifname": "eth0"}, {"containerID": "c2", "ifname": "net<1>"}]);
    assert_eq!(rec["validAttachments"], expect);
    assert_eq!(rec["attachments"], expect);
    assert_eq!(rec["env"]["CNI_COMMAND"], "GC");
    assert_eq!(rec["env"]["CNI_CONTAINERID"], "");
    // Go's encoder escapes HTML characters in what the plugin reads.
    assert!(rec["stdin"]
        .as_str()
        .unwrap()
        .contains(r#""ifname":"net\u003c1\u003e""#));
}

#[test]
fn legacy_entries_holding_a_bare_result_are_read() {
    let net = Net::new();
    let cfg = net.cfg();
    let list = net.list("net1", "1.0.0", vec![p("alpha")]);
    let rt = net.rt("ctr1");
    let entry = net.entry("net1", "ctr1");
    std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
    // An old result version, converted to the list's on the way out.
    let legacy = json!({"cniVersion": "0.4.0", "ips": [{"version": "4", "address": "10.9.9.9/24"}], "dns": {}});
    std::fs::write(&entry, legacy.to_string()).unwrap();
    let r = cfg
        .get_network_list_cached_result(&list, &rt)
        .unwrap()
        .unwrap();
    assert_eq!(
        json_of(&r),
        json!({"cniVersion": "1.0.0", "ips": [{"address": "10.9.9.9/24"}]})
    );
    assert!(cfg.get_cached_attachments("").unwrap().is_empty());
    let e = cfg.get_network_list_cached_config(&list, &rt).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"read cached network "net1" config has wrong kind: "#
    );
    cfg.check_network_list(&bg(), &list, &rt).unwrap();
    assert_eq!(net.log_of("ctr1")[0]["prevResult"], json_of(&r));
    cfg.del_network_list(&bg(), &list, &rt).unwrap();
    assert!(!entry.exists());
}
