//! The test plugin's keys for network lists: per-plugin scripts in the
//! configuration, the chained ADD result, the command log, `failOn`, and
//! what GC/STATUS received. The plugin is driven directly, as a real child
//! process, through the `invoke` layer.

mod common;

use cniinvoke::{exec_plugin_with_result, exec_plugin_without_result, Args, Context, Error};
use common::{plugin, quiet, tempdir, Debug};
use serde_json::{json, Value};

fn args(command: &str, cni_args: &str) -> Args {
    Args {
        command: command.into(),
        container_id: "ctr-1".into(),
        netns: "/var/run/netns/test".into(),
        if_name: "eth0".into(),
        path: "/opt/cni/bin".into(),
        plugin_args_str: cni_args.into(),
        ..Default::default()
    }
}

fn add(conf: &Value) -> cniinvoke::Result<Value> {
    let r = exec_plugin_with_result(
        &Context::background(),
        plugin(),
        conf.to_string().as_bytes(),
        &args("ADD", ""),
        Some(&quiet()),
    )?;
    Ok(serde_json::from_str(&r.to_json()).unwrap())
}

fn run(command: &str, conf: &Value) -> cniinvoke::Result<()> {
    exec_plugin_without_result(
        &Context::background(),
        plugin(),
        conf.to_string().as_bytes(),
        &args(command, ""),
        Some(&quiet()),
    )
}

fn plugin_error(e: Error) -> (u32, String, String) {
    match e {
        Error::Plugin(p) => (p.code, p.msg, p.details),
        other => panic!("expected a plugin error, got {other:?}"),
    }
}

fn log_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn add_without_prev_result_is_the_plain_result() {
    let r = add(&json!({"cniVersion": "1.0.0", "name": "net", "type": "t"})).unwrap();
    assert_eq!(
        r,
        json!({
            "cniVersion": "1.0.0",
            "interfaces": [{"name": "eth0", "sandbox": "/var/run/netns/test"}],
            "ips": [{"interface": 0, "address": "10.1.2.3/24", "gateway": "10.1.2.1"}]
        })
    );
}

#[test]
fn add_carries_prev_result_through_and_adds_its_own_interface() {
    let first = add(&json!({"cniVersion": "1.0.0", "name": "net", "type": "t"})).unwrap();
    let mut prev = first.clone();
    prev["routes"] = json!([{"dst": "0.0.0.0/0", "gw": "10.1.2.1"}]);
    prev["dns"] = json!({"nameservers": ["10.0.0.53"]});
    let second =
        add(&json!({"cniVersion": "1.0.0", "name": "net", "type": "t", "prevResult": prev}))
            .unwrap();
    assert_eq!(
        second["interfaces"],
        json!([
            {"name": "eth0", "sandbox": "/var/run/netns/test"},
            {"name": "eth0-1", "sandbox": "/var/run/netns/test"}
        ])
    );
    assert_eq!(
        second["ips"],
        json!([
            {"interface": 0, "address": "10.1.2.3/24", "gateway": "10.1.2.1"},
            {"interface": 1, "address": "10.1.2.4/24", "gateway": "10.1.2.1"}
        ])
    );
    assert_eq!(second["routes"], prev["routes"]);
    assert_eq!(second["dns"], prev["dns"]);
}

#[test]
fn chained_addresses_follow_the_configs_version() {
    let prev = json!({
        "cniVersion": "1.0.0",
        "interfaces": [{"name": "eth0"}],
        "ips": [{"interface": 0, "address": "fd00::3/64"}]
    });
    let r =
        add(&json!({"cniVersion": "0.4.0", "name": "n", "type": "t", "prevResult": prev})).unwrap();
    assert_eq!(r["cniVersion"], "0.4.0");
    assert_eq!(r["ips"][0]["version"], "6");
    assert_eq!(r["ips"][1]["version"], "4");
    let prev = json!({
        "cniVersion": "0.4.0",
        "interfaces": [{"name": "eth0"}],
        "ips": [{"version": "4", "interface": 0, "address": "10.9.9.9/24"}]
    });
    let r =
        add(&json!({"cniVersion": "1.1.0", "name": "n", "type": "t", "prevResult": prev})).unwrap();
    assert_eq!(
        r["ips"][0],
        json!({"interface": 0, "address": "10.9.9.9/24"})
    );
}

#[test]
fn inline_debug_in_the_config_wins_over_cni_args() {
    let d =
        Debug::new(json!({"result": {"cniVersion": "1.0.0", "ips": [{"address": "1.1.1.1/32"}]}}));
    let conf = json!({
        "cniVersion": "1.0.0", "name": "n", "type": "t",
        "debug": {"chainResult": true, "record": d.path("rec"), "recordConfig": true},
        "runtimeConfig": {"mac": "02:00:00:00:00:01"}
    });
    let r = exec_plugin_with_result(
        &Context::background(),
        plugin(),
        conf.to_string().as_bytes(),
        &args("ADD", &d.cni_args()),
        Some(&quiet()),
    )
    .unwrap();
    assert!(r.to_json().contains("10.1.2.3/24"), "{}", r.to_json());
    let rec = d.record("rec");
    assert_eq!(rec["command"], "ADD");
    assert_eq!(rec["runtimeConfig"], json!({"mac": "02:00:00:00:00:01"}));
    assert_eq!(rec["prevResult"], Value::Null);
}

#[test]
fn debug_file_in_the_config_wins_over_cni_args() {
    let shared = Debug::new(json!({"error": {"code": 7, "msg": "shared script"}}));
    let own = Debug::empty();
    own.set(json!({"commands": {"DEL": {"record": own.path("rec")}}}));
    let conf = json!({"cniVersion": "1.0.0", "name": "n", "type": "t",
                      "debugFile": own.file.to_string_lossy()});
    exec_plugin_without_result(
        &Context::background(),
        plugin(),
        conf.to_string().as_bytes(),
        &args("DEL", &shared.cni_args()),
        Some(&quiet()),
    )
    .unwrap();
    assert_eq!(own.record("rec")["command"], "DEL");
    // Without the config's key the shared script answers.
    let conf = json!({"cniVersion": "1.0.0", "name": "n", "type": "t"});
    let e = exec_plugin_without_result(
        &Context::background(),
        plugin(),
        conf.to_string().as_bytes(),
        &args("DEL", &shared.cni_args()),
        Some(&quiet()),
    )
    .unwrap_err();
    assert_eq!(plugin_error(e), (7, "shared script".into(), String::new()));
}

#[test]
fn bad_config_keys_are_test_plugin_errors() {
    let cases = [
        (
            json!({"debug": 1}),
            "test plugin: config \"debug\" must be an object, got 1",
        ),
        (
            json!({"debug": {}, "debugFile": "/x"}),
            "test plugin: config has both \"debug\" and \"debugFile\"",
        ),
        (
            json!({"failOn": "ADD"}),
            "test plugin: config \"failOn\" must be an array of strings, got \"ADD\"",
        ),
        (
            json!({"logDir": 3}),
            "test plugin: config \"logDir\" must be a string, got 3",
        ),
        (
            json!({"debug": {"nope": 1}}),
            "test plugin: config \"debug\": unknown key \"nope\"",
        ),
        (
            json!({"debug": {"readStdin": false}}),
            "test plugin: \"readStdin\": false cannot come from the config",
        ),
    ];
    for (conf, msg) in cases {
        let e = run("DEL", &conf).unwrap_err();
        assert_eq!(
            plugin_error(e),
            (999, msg.to_owned(), String::new()),
            "{conf}"
        );
    }
}

#[test]
fn fail_on_fails_only_the_listed_commands() {
    let conf = json!({"cniVersion": "1.0.0", "name": "n", "type": "t", "failOn": ["ADD", "DEL"]});
    let e = add(&conf).unwrap_err();
    assert_eq!(
        plugin_error(e),
        (100, "ADD failed on request".into(), String::new())
    );
    let e = run("DEL", &conf).unwrap_err();
    assert_eq!(
        plugin_error(e),
        (100, "DEL failed on request".into(), String::new())
    );
    run("CHECK", &conf).unwrap();
}

#[test]
fn fail_on_status_with_a_chosen_code_message_and_details() {
    let conf = json!({"cniVersion": "1.1.0", "name": "n", "type": "t", "failOn": ["STATUS"],
                      "failCode": 51, "failMsg": "no IPs left", "failDetails": "pool empty"});
    let e = run("STATUS", &conf).unwrap_err();
    assert_eq!(
        plugin_error(e),
        (51, "no IPs left".into(), "pool empty".into())
    );
}

#[test]
fn fail_on_wins_over_a_script() {
    let conf = json!({"cniVersion": "1.0.0", "failOn": ["ADD"],
                      "debug": {"result": {"cniVersion": "1.0.0"}}});
    let e = add(&conf).unwrap_err();
    assert_eq!(plugin_error(e).0, 100);
}

#[test]
fn log_dir_gets_one_line_per_run_per_attachment() {
    let dir = tempdir();
    let log_dir = dir.path().to_string_lossy().into_owned();
    let prev = json!({"cniVersion": "1.0.0", "interfaces": [{"name": "eth0"}], "ips": []});
    let conf = json!({"cniVersion": "1.0.0", "name": "net", "type": "noop", "logDir": log_dir,
                      "prevResult": prev, "runtimeConfig": {"portMappings": []}});
    add(&conf).unwrap();
    run("DEL", &conf).unwrap();
    let lines = log_lines(&dir.path().join("ctr-1-eth0.log"));
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        json!({
            "command": "ADD", "containerId": "ctr-1", "ifName": "eth0",
            "netns": "/var/run/netns/test", "cniArgs": "", "name": "net", "type": "noop",
            "cniVersion": "1.0.0", "prevResult": prev,
            "runtimeConfig": {"portMappings": []}, "validAttachments": null
        })
    );
    assert_eq!(lines[1]["command"], "DEL");
}

#[test]
fn gc_and_status_log_what_they_received_under_the_commands_name() {
    let dir = tempdir();
    let log_dir = dir.path().to_string_lossy().into_owned();
    let valid = json!([{"containerID": "ctr-1", "ifname": "eth0"}]);
    let conf = json!({"cniVersion": "1.1.0", "name": "net", "type": "noop", "logDir": log_dir,
                      "cni.dev/valid-attachments": valid, "cni.dev/attachments": valid});
    let gc = Args {
        command: "GC".into(),
        path: "/opt/cni/bin".into(),
        ..Default::default()
    };
    let ctx = Context::background();
    let bytes = conf.to_string();
    exec_plugin_without_result(&ctx, plugin(), bytes.as_bytes(), &gc, Some(&quiet())).unwrap();
    let status = Args {
        command: "STATUS".into(),
        ..gc.clone()
    };
    exec_plugin_without_result(&ctx, plugin(), bytes.as_bytes(), &status, Some(&quiet())).unwrap();
    let gc_lines = log_lines(&dir.path().join("GC.log"));
    assert_eq!(gc_lines.len(), 1);
    assert_eq!(gc_lines[0]["validAttachments"], valid);
    assert_eq!(gc_lines[0]["containerId"], "");
    assert_eq!(
        log_lines(&dir.path().join("STATUS.log"))[0]["command"],
        "STATUS"
    );
}

#[test]
fn record_config_keeps_gcs_attachments() {
    let d = Debug::empty();
    let valid = json!([{"containerID": "a", "ifname": "eth1"}]);
    let conf = json!({"cniVersion": "1.1.0", "cni.dev/valid-attachments": valid,
                      "debug": {"record": d.path("rec"), "recordConfig": true}});
    run("GC", &conf).unwrap();
    let rec = d.record("rec");
    assert_eq!(rec["validAttachments"], valid);
    assert_eq!(rec["attachments"], Value::Null);
    assert_eq!(rec["runtimeConfig"], Value::Null);
}

#[test]
fn concurrent_plugins_append_whole_lines() {
    let dir = tempdir();
    let log_dir = dir.path().to_string_lossy().into_owned();
    let big = "x".repeat(20_000);
    let conf = json!({"cniVersion": "1.0.0", "name": "net", "type": "t", "logDir": log_dir,
                      "runtimeConfig": {"pad": big}});
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..4 {
                    run("CHECK", &conf).unwrap();
                }
            });
        }
    });
    let lines = log_lines(&dir.path().join("ctr-1-eth0.log"));
    assert_eq!(lines.len(), 32);
    assert!(lines
        .iter()
        .all(|l| l["runtimeConfig"]["pad"] == big.as_str()));
}

#[test]
fn chain_result_in_a_script_needs_stdin() {
    let d = Debug::new(json!({"readStdin": false, "chainResult": true}));
    let e = exec_plugin_without_result(
        &Context::background(),
        plugin(),
        b"{}",
        &args("ADD", &d.cni_args()),
        Some(&quiet()),
    )
    .unwrap_err();
    assert_eq!(
        plugin_error(e).1,
        "test plugin: \"chainResult\" needs \"readStdin\": true"
    );
}
