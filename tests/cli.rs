//! The `cniinvoke` command line against the test plugin.

mod common;

use common::{plugin, Debug};
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn cli(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cniinvoke"))
        .args(args)
        .env_remove("CNI_PATH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The command may exit without reading (a usage error, say).
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn plugin_dir() -> String {
    std::path::Path::new(plugin())
        .parent()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn add_prints_the_result() {
    let conf = br#"{"cniVersion":"1.0.0","name":"n","type":"cni-test-plugin"}"#;
    let out = cli(
        &[
            "add",
            "cni-test-plugin",
            "--netconf",
            "-",
            "--path",
            &plugin_dir(),
            "--ifname",
            "net1",
            "--netns",
            "/x",
        ],
        conf,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cniVersion"], "1.0.0");
    assert_eq!(v["interfaces"][0]["name"], "net1");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\n    "),
        "pretty-printed"
    );
}

#[test]
fn verbs_without_results_print_nothing() {
    let dir = common::tempdir();
    let conf = dir.path().join("net.json");
    std::fs::write(&conf, r#"{"cniVersion":"1.1.0","name":"n"}"#).unwrap();
    for verb in ["check", "del", "status", "gc"] {
        let out = cli(&[verb, plugin(), "--netconf", conf.to_str().unwrap()], b"");
        assert!(
            out.status.success(),
            "{verb}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn plugin_error_goes_to_stderr_with_its_exit_code() {
    let d =
        Debug::new(json!({"error": {"code": 7, "msg": "invalid config", "details": "no bridge"}}));
    let out = cli(
        &["add", plugin(), "--netconf", "-", "--args", &d.cni_args()],
        b"{\"cniVersion\":\"1.0.0\"}",
    );
    assert_eq!(out.status.code(), Some(13));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(
        e,
        json!({"code": 7, "msg": "invalid config", "details": "no bridge"})
    );
}

#[test]
fn missing_plugin_and_missing_file() {
    let out = cli(
        &[
            "add",
            "no-such-plugin",
            "--netconf",
            "-",
            "--path",
            "/nonexistent",
        ],
        b"{}",
    );
    assert_eq!(out.status.code(), Some(12));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(
        e["msg"],
        r#"failed to find plugin "no-such-plugin" in path [/nonexistent]"#
    );
    let out = cli(&["del", plugin(), "--netconf", "/nonexistent.json"], b"");
    assert_eq!(out.status.code(), Some(11));
    let out = cli(&["add"], b"");
    assert_eq!(out.status.code(), Some(2), "usage error");
}

/// A script for a plugin that records itself (its pid is in `record`),
/// starts a grandchild (pid in `gc`) and sleeps far longer than any test.
fn long_runner() -> Debug {
    let d = Debug::empty();
    d.set(json!({
        "record": d.path("record"),
        "grandchild": {"sleepMs": 30_000},
        "grandchildPidFile": d.path("gc"),
        "sleepMs": 30_000
    }));
    d
}

/// The plugin's and its grandchild's pids, once both are written.
fn pids(d: &Debug) -> [(&'static str, i32); 2] {
    let grandchild = common::wait_pid_file(&d.path("gc"));
    let plugin = d.record("record")["pid"].as_i64().unwrap() as i32;
    [("plugin", plugin), ("grandchild", grandchild)]
}

#[test]
fn timeout_kills_the_plugin_and_its_grandchild() {
    let d = long_runner();
    let t = Instant::now();
    let out = cli(
        &[
            "del",
            plugin(),
            "--netconf",
            "-",
            "--args",
            &d.cni_args(),
            "--timeout",
            "2s",
        ],
        b"{}",
    );
    assert_eq!(
        out.status.code(),
        Some(17),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        t.elapsed() >= Duration::from_secs(2),
        "returned before the timeout"
    );
    common::assert_ended("after --timeout", &pids(&d));
}

#[test]
fn ctrl_c_kills_the_plugin_and_its_grandchild() {
    let d = long_runner();
    let child = Command::new(env!("CARGO_BIN_EXE_cniinvoke"))
        .args(["del", plugin(), "--netconf", "-", "--args", &d.cni_args()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt only once the plugin runs, with its grandchild started.
    let pids = pids(&d);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::assert_ended("after Ctrl-C", &pids);
}

#[test]
fn version_and_find() {
    let out = cli(
        &["version", "cni-test-plugin", "--path", &plugin_dir()],
        b"",
    );
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["supportedVersions"].as_array().unwrap().len(), 7);
    let out = cli(
        &[
            "find",
            "cni-test-plugin",
            "--path",
            &format!("/nonexistent:{}", plugin_dir()),
        ],
        b"",
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), plugin());
}

#[test]
fn convert_between_versions() {
    let result =
        br#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","gateway":"10.0.0.1"}]}"#;
    let out = cli(&["convert", "--to", "0.4.0"], result);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cniVersion"], "0.4.0");
    let out = cli(&["convert", "--to", "9.0.0"], result);
    assert_eq!(out.status.code(), Some(16));
}
