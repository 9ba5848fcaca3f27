//! Every `net` command, option and environment variable, and bad input,
//! against the wrapped test plugin.

use crate::{cnitool_id, fails, ok, text, Net};
use serde_json::{json, Value};

const NS: &str = "/var/run/netns/cli-net-test";

fn add(net: &Net, name: &str, netns: &str, env: &[(&str, &str)]) -> String {
    ok(&net.run(
        &["net", "add", name, netns, "--cache-dir", &net.cache()],
        env,
    ))
}

#[test]
fn add_runs_the_chain_and_prints_as_cnitool() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    let out = add(&net, "demo", NS, &[]);
    // result.Print(): four-space indent, no newline after it.
    assert!(
        out.starts_with("{\n    \"cniVersion\": \"1.0.0\","),
        "{out}"
    );
    assert!(out.ends_with('}'), "{out:?}");
    let id = cnitool_id(NS);
    assert_eq!(
        net.log(),
        [
            format!("tp-a ADD {id} eth0 {NS}"),
            format!("tp-b ADD {id} eth0 {NS}")
        ]
    );
    // tp-b was given tp-a's result, and both the list's name and version.
    let b = net.stdin("tp-b", "ADD");
    assert_eq!(b["name"], "demo");
    assert_eq!(b["cniVersion"], "1.0.0");
    assert_eq!(b["prevResult"]["interfaces"][0]["name"], "eth0");
    assert_eq!(net.cached(), [format!("demo-{id}-eth0")]);
    let printed: Value = serde_json::from_str(&out).unwrap();
    let cached: Value = serde_json::from_slice(
        &std::fs::read(net.path(&format!("cache/results/demo-{id}-eth0"))).unwrap(),
    )
    .unwrap();
    assert_eq!(cached["result"], printed);
    assert_eq!(cached["containerId"], id);
    assert_eq!(cached["netns"], NS);
}

#[test]
fn check_in_order_and_del_in_reverse_with_the_cached_result() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    add(&net, "demo", NS, &[]);
    let c = &net.cache();
    ok(&net.run(&["net", "check", "demo", NS, "--cache-dir", c], &[]));
    assert_eq!(
        net.stdin("tp-a", "CHECK")["prevResult"]["ips"][0]["address"],
        "10.1.2.3/24"
    );
    ok(&net.run(&["net", "del", "demo", NS, "--cache-dir", c], &[]));
    assert_eq!(
        net.calls()[2..],
        ["tp-a CHECK", "tp-b CHECK", "tp-b DEL", "tp-a DEL"]
    );
    assert!(net.stdin("tp-b", "DEL")["prevResult"].is_object());
    assert!(net.cached().is_empty(), "DEL removed the cache entry");
    // A second DEL runs without a prevResult and succeeds.
    ok(&net.run(&["net", "del", "demo", NS, "--cache-dir", c], &[]));
    assert!(net.stdin("tp-b", "DEL").get("prevResult").is_none());
}

#[test]
fn check_below_040_is_refused_with_upstreams_text() {
    let net = Net::new();
    net.list("old", "0.3.1");
    add(&net, "old", NS, &[]);
    let out = net.run(
        &["net", "check", "old", NS, "--cache-dir", &net.cache()],
        &[],
    );
    fails(
        &out,
        11,
        "configuration version \"0.3.1\" does not support the CHECK command",
    );
}

#[test]
fn relative_netns_is_made_absolute_as_go_does() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    let real = net.path("work");
    std::fs::create_dir(&real).unwrap();
    let link = net.path("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let mut c = net.cmd(&[
        "net",
        "add",
        "demo",
        "ns/../ctr",
        "--cache-dir",
        &net.cache(),
    ]);
    // Go's os.Getwd believes $PWD when it names the working directory.
    c.current_dir(&link).env("PWD", &link);
    ok(&c.output().unwrap());
    let abs = format!("{}/ctr", link.display());
    assert_eq!(net.env("tp-a", "ADD", "CNI_NETNS").unwrap(), abs);
    assert_eq!(
        net.env("tp-a", "ADD", "CNI_CONTAINERID").unwrap(),
        cnitool_id(&abs)
    );
    // A $PWD that names another directory is not believed.
    let mut c = net.cmd(&["net", "del", "demo", "ctr", "--cache-dir", &net.cache()]);
    c.current_dir(&real).env("PWD", "/");
    ok(&c.output().unwrap());
    let abs = format!("{}/ctr", real.canonicalize().unwrap().display());
    assert_eq!(net.env("tp-a", "DEL", "CNI_NETNS").unwrap(), abs);
}

#[test]
fn containerid_option_and_cnitools_environment() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    let env = [
        ("CNI_IFNAME", "net1"),
        ("CNI_ARGS", "K8S_POD_NAME=web;IgnoreUnknown=1"),
        (
            "CAP_ARGS",
            r#"{"mac":"c2:11:22:33:44:55","portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}],"bandwidth":{"ingressRate":1}}"#,
        ),
    ];
    let out = net.run(
        &[
            "net",
            "add",
            "demo",
            NS,
            "--containerid",
            "ctr-1",
            "--cache-dir",
            &net.cache(),
        ],
        &env,
    );
    ok(&out);
    assert_eq!(net.log()[0], format!("tp-a ADD ctr-1 net1 {NS}"));
    assert_eq!(
        net.env("tp-b", "ADD", "CNI_ARGS").unwrap(),
        "K8S_POD_NAME=web;IgnoreUnknown=1"
    );
    // runtimeConfig carries only the capabilities each plugin enables.
    assert_eq!(
        net.stdin("tp-a", "ADD")["runtimeConfig"],
        json!({"mac":"c2:11:22:33:44:55","portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"}]})
    );
    assert!(net.stdin("tp-b", "ADD").get("runtimeConfig").is_none());
    assert_eq!(net.cached(), ["demo-ctr-1-net1"]);
    let att = ok(&net.run(
        &["net", "attachments", "ctr-1", "--cache-dir", &net.cache()],
        &[],
    ));
    // Go's float64s print as Go prints them.
    assert!(att.contains("\"hostPort\": 8080,\n"), "{att}");
    let att: Value = serde_json::from_str(&att).unwrap();
    assert_eq!(att[0]["network"], "demo");
    assert_eq!(att[0]["ifName"], "net1");
    assert_eq!(att[0]["netns"], NS);
    assert_eq!(
        att[0]["cniArgs"],
        json!([["K8S_POD_NAME", "web"], ["IgnoreUnknown", "1"]])
    );
    assert_eq!(att[0]["capabilityArgs"]["bandwidth"]["ingressRate"], 1);
    assert_eq!(att[0]["config"]["plugins"][0]["type"], "tp-a");
    // The same attachment is DELeted with the same environment.
    ok(&net.run(
        &[
            "net",
            "del",
            "demo",
            NS,
            "--containerid",
            "ctr-1",
            "--cache-dir",
            &net.cache(),
        ],
        &env,
    ));
    assert!(net.cached().is_empty());
}

#[test]
fn bad_environment_is_reported_as_cnitool_reports_it() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    let c = &net.cache();
    let add = ["net", "add", "demo", NS, "--cache-dir", c];
    fails(
        &net.run(&add, &[("CNI_ARGS", "A=1;")]),
        11,
        r#"invalid CNI_ARGS pair """#,
    );
    fails(
        &net.run(&add, &[("CNI_ARGS", "A=1=2")]),
        11,
        r#"invalid CNI_ARGS pair "A=1=2""#,
    );
    fails(
        &net.run(&add, &[("CAP_ARGS", "{mac}")]),
        11,
        "invalid character 'm' looking for beginning of object key string",
    );
    fails(
        &net.run(&add, &[("CAP_ARGS", "[]")]),
        11,
        "json: cannot unmarshal array into Go value of type map[string]interface {}",
    );
    fails(
        &net.run(&add, &[("CNI_IFNAME", "")]),
        13,
        r#"plugin type="tp-a" failed (add): interface name is empty"#,
    );
    assert!(net.log().is_empty(), "no plugin ran");
    fails(
        &net.run(&["net", "add", "demo", "", "--cache-dir", c], &[]),
        11,
        "NETNS must not be empty",
    );
    let out = net.run(&["net", "add", "demo"], &[]);
    assert_eq!(out.status.code(), Some(2), "NETNS is required");
    assert!(text(&out).1.contains("<NETNS>"), "{}", text(&out).1);
}

#[test]
fn unknown_network_and_directories() {
    let net = Net::new();
    let dir = net.netdir().display().to_string();
    let out = net.run(&["net", "add", "demo", NS], &[]);
    fails(&out, 12, &format!("no net configurations found in {dir}"));
    net.list("demo", "1.0.0");
    fails(
        &net.run(&["net", "del", "nosuch", NS], &[]),
        12,
        &format!("no net configuration with name \"nosuch\" in {dir}"),
    );
    // NETCONFPATH unset: /etc/cni/net.d; --dir wins over NETCONFPATH.
    let mut c = net.cmd(&["net", "status", "nosuch"]);
    c.env_remove("NETCONFPATH");
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(12));
    assert!(
        text(&out).1.contains(" in /etc/cni/net.d"),
        "{}",
        text(&out).1
    );
    let other = net.path("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(
        other.join("x.conf"),
        r#"{"cniVersion":"1.1.0","name":"x","type":"tp-c"}"#,
    )
    .unwrap();
    ok(&net.run(
        &["net", "status", "x", "--dir", other.to_str().unwrap()],
        &[],
    ));
    assert_eq!(net.calls(), ["tp-c STATUS"]);
}

#[test]
fn cni_path_and_path_option() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    let mut c = net.cmd(&[
        "net",
        "add",
        "demo",
        NS,
        "--cache-dir",
        &net.cache(),
        "--no-cleanup",
    ]);
    c.env_remove("CNI_PATH");
    fails(
        &c.output().unwrap(),
        12,
        r#"plugin type="tp-a" failed (add): failed to find plugin "tp-a" in path [/opt/cni/bin /usr/lib/cni]"#,
    );
    let bin = net.path("bin").display().to_string();
    let out = net.run(
        &[
            "net",
            "add",
            "demo",
            NS,
            "--cache-dir",
            &net.cache(),
            "--path",
            &format!("/nonexistent:{bin}"),
        ],
        &[("CNI_PATH", "/nowhere")],
    );
    ok(&out);
    assert_eq!(
        net.env("tp-a", "ADD", "CNI_PATH").unwrap(),
        format!("/nonexistent:{bin}")
    );
}

#[test]
fn failed_add_is_undone_unless_no_cleanup() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    net.debug("tp-b", json!({"commands": {"ADD": {"error": {"code": 11, "msg": "no room", "details": "pool full"}}}}));
    let c = &net.cache();
    let out = net.run(&["net", "add", "demo", NS, "--cache-dir", c], &[]);
    fails(
        &out,
        13,
        r#"plugin type="tp-b" failed (add): no room; pool full"#,
    );
    assert_eq!(
        net.calls(),
        ["tp-a ADD", "tp-b ADD", "tp-b DEL", "tp-a DEL"]
    );
    assert!(net.cached().is_empty());
    std::fs::remove_file(net.path("calls/log")).unwrap();
    let out = net.run(
        &["net", "add", "demo", NS, "--cache-dir", c, "--no-cleanup"],
        &[],
    );
    assert_eq!(out.status.code(), Some(13));
    assert_eq!(net.calls(), ["tp-a ADD", "tp-b ADD"]);
    assert!(net.cached().is_empty());
}

#[test]
fn gc_deletes_what_is_not_kept_then_runs_the_plugins_gc() {
    let net = Net::new();
    net.list("demo", "1.1.0");
    let c = &net.cache();
    add(&net, "demo", "/run/netns/one", &[]);
    add(&net, "demo", "/run/netns/two", &[]);
    let one = cnitool_id("/run/netns/one");
    let two = cnitool_id("/run/netns/two");
    std::fs::remove_file(net.path("calls/log")).unwrap();
    let keep = format!("{one}/eth0");
    // cnitool's form `gc <net> <netns>` is accepted; the netns is unused.
    ok(&net.run(
        &[
            "net",
            "gc",
            "demo",
            "/run/netns/one",
            "--keep",
            &keep,
            "--cache-dir",
            c,
        ],
        &[],
    ));
    assert_eq!(
        net.log()[..2],
        [
            format!("tp-b DEL {two} eth0 /run/netns/two"),
            format!("tp-a DEL {two} eth0 /run/netns/two")
        ]
    );
    assert_eq!(net.calls()[2..], ["tp-a GC", "tp-b GC"]);
    assert_eq!(
        net.stdin("tp-a", "GC")["cni.dev/valid-attachments"],
        json!([{"containerID": one, "ifname": "eth0"}])
    );
    assert_eq!(net.cached(), [format!("demo-{one}-eth0")]);
    // Without --keep, as cnitool: nothing is kept.
    ok(&net.run(&["net", "gc", "demo", "--cache-dir", c], &[]));
    assert!(net.cached().is_empty());
    // No args at all reach the plugins' GC, as upstream's nil GCArgs.
    assert!(net
        .stdin("tp-b", "GC")
        .get("cni.dev/valid-attachments")
        .is_none());
    fails(
        &net.run(&["net", "gc", "demo", "--keep", "just-an-id"], &[]),
        11,
        r#"--keep "just-an-id": expected CONTAINERID/IFNAME"#,
    );
}

#[test]
fn status_runs_from_110_and_reports_the_plugins_error() {
    let net = Net::new();
    net.list("old", "1.0.0");
    ok(&net.run(&["net", "status", "old"], &[]));
    assert!(net.log().is_empty(), "below 1.1.0 nothing runs");
    net.list("new", "1.1.0");
    net.debug(
        "tp-b",
        json!({"commands": {"STATUS": {"error": {"code": 50, "msg": "not ready"}}}}),
    );
    let out = net.run(&["net", "status", "new", "/ignored"], &[]);
    fails(&out, 13, "not ready");
    assert_eq!(net.calls(), ["tp-a STATUS", "tp-b STATUS"]);
}

#[test]
fn an_unusable_cache_is_exit_status_19() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    let file = net.path("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let file = file.to_str().unwrap();
    let out = net.run(&["net", "add", "demo", NS, "--cache-dir", file], &[]);
    assert_eq!(out.status.code(), Some(19), "{}", text(&out).1);
    assert!(text(&out).1.contains(file), "{}", text(&out).1);
    assert!(net.log().is_empty(), "no plugin ran without its lock");
}
