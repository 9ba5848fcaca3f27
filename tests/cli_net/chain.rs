//! A chain cut short (Ctrl-C, --timeout) and two commands on the same
//! attachment at once.

use crate::{cnitool_id, fails, ok, text, wait_for, Net};
use serde_json::json;
use std::time::{Duration, Instant};

const NS: &str = "/var/run/netns/cli-net-chain";

/// tp-a's ADD sleeps `ms` and then answers with a result.
fn slow_add(net: &Net, ms: u64) {
    net.debug(
        "tp-a",
        json!({"commands": {"ADD": {"sleepMs": ms, "result": crate::common::result_100()}}}),
    );
}

#[test]
fn a_del_waits_for_the_add_in_the_middle_of_its_chain() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    slow_add(&net, 1500);
    let c = net.cache();
    let adding = net.spawn(&["net", "add", "demo", NS, "--cache-dir", &c]);
    wait_for(|| net.calls() == ["tp-a ADD"]);
    let t = Instant::now();
    let deleting = net.spawn(&["net", "del", "demo", NS, "--cache-dir", &c]);
    let add_out = adding.wait_with_output().unwrap();
    let del_out = deleting.wait_with_output().unwrap();
    ok(&add_out);
    ok(&del_out);
    assert!(t.elapsed() >= Duration::from_millis(500), "DEL waited");
    // The DEL began after the whole ADD, and saw its cached result.
    assert_eq!(
        net.calls(),
        ["tp-a ADD", "tp-b ADD", "tp-b DEL", "tp-a DEL"]
    );
    assert_eq!(
        net.stdin("tp-a", "DEL")["prevResult"]["ips"][0]["address"],
        "10.1.2.3/24"
    );
    assert!(
        net.cached().is_empty(),
        "the cache agrees: nothing attached"
    );
}

#[test]
fn ctrl_c_stops_the_chain_kills_the_plugin_and_undoes_the_add() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    slow_add(&net, 30_000);
    let child = net.spawn(&["net", "add", "demo", NS, "--cache-dir", &net.cache()]);
    wait_for(|| net.calls() == ["tp-a ADD"]);
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert_eq!(out.status.code(), Some(130), "{}", text(&out).1);
    // tp-b never ran; the list's DEL undid tp-a; nothing is cached.
    assert_eq!(net.calls(), ["tp-a ADD", "tp-b DEL", "tp-a DEL"]);
    assert!(net.cached().is_empty());
    let (_, e) = text(&out);
    assert!(
        e.starts_with("ADD interrupted: the list's DEL was run to undo what it had set up\n"),
        "{e}"
    );
}

#[test]
fn ctrl_c_while_waiting_for_the_attachment() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    slow_add(&net, 3000);
    let c = net.cache();
    let adding = net.spawn(&["net", "add", "demo", NS, "--cache-dir", &c]);
    wait_for(|| net.calls() == ["tp-a ADD"]);
    let checking = net.spawn(&["net", "check", "demo", NS, "--cache-dir", &c]);
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(checking.id() as i32, libc::SIGINT) };
    let out = checking.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out).1);
    ok(&adding.wait_with_output().unwrap());
    assert_eq!(net.calls(), ["tp-a ADD", "tp-b ADD"], "the CHECK never ran");
    assert_eq!(net.cached(), [format!("demo-{}-eth0", cnitool_id(NS))]);
}

#[test]
fn timeout_bounds_the_whole_list() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    slow_add(&net, 30_000);
    let t = Instant::now();
    let out = net.run(
        &[
            "net",
            "add",
            "demo",
            NS,
            "--cache-dir",
            &net.cache(),
            "--timeout",
            "300ms",
        ],
        &[],
    );
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(17), "{}", text(&out).1);
    assert_eq!(net.calls(), ["tp-a ADD", "tp-b DEL", "tp-a DEL"]);
    assert!(net.cached().is_empty());
    // Without cleanup the half-made attachment stays, as with cnitool.
    std::fs::remove_file(net.path("calls/log")).unwrap();
    let out = net.run(
        &[
            "net",
            "add",
            "demo",
            NS,
            "--cache-dir",
            &net.cache(),
            "--timeout",
            "0.3",
            "--no-cleanup",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(17));
    assert_eq!(net.calls(), ["tp-a ADD"]);
    fails(
        &net.run(&["net", "add", "demo", NS, "--timeout", "soon"], &[]),
        2,
        "error: invalid value 'soon' for '--timeout <TIMEOUT>': invalid duration \"soon\" (try 30s, 500ms, 2m)\n\nFor more information, try '--help'.",
    );
}

#[test]
fn a_del_cut_short_keeps_its_cache_entry_and_can_be_run_again() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    let c = net.cache();
    ok(&net.run(&["net", "add", "demo", NS, "--cache-dir", &c], &[]));
    net.debug("tp-b", json!({"commands": {"DEL": {"sleepMs": 30_000}}}));
    let child = net.spawn(&["net", "del", "demo", NS, "--cache-dir", &c]);
    wait_for(|| net.calls().last().map(String::as_str) == Some("tp-b DEL"));
    std::thread::sleep(Duration::from_millis(100));
    // SIGTERM is taken as Ctrl-C.
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let (_, e) = text(&out);
    assert!(
        e.starts_with(&format!(
            "DEL stopped part way; the attachment stays cached: run `cniinvoke net del demo {NS}` again\n"
        )),
        "{e}"
    );
    assert_eq!(net.cached().len(), 1, "still cached");
    std::fs::remove_file(net.path("calls/tp-b.json")).unwrap();
    ok(&net.run(&["net", "del", "demo", NS, "--cache-dir", &c], &[]));
    assert!(net.cached().is_empty());
    assert_eq!(net.calls()[2..], ["tp-b DEL", "tp-b DEL", "tp-a DEL"]);
}
