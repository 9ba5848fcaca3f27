//! `net ls`, `net validate`, `net attachments` and the help texts.

use crate::{cnitool_id, fails, ok, text, Net};
use serde_json::{json, Value};

const NS: &str = "/var/run/netns/cli-net-inspect";

fn add(net: &Net, name: &str, netns: &str) {
    ok(&net.run(
        &["net", "add", name, netns, "--cache-dir", &net.cache()],
        &[],
    ));
}

#[test]
fn ls_lists_in_lookup_order() {
    let net = Net::new();
    let dir = net.netdir().display().to_string();
    net.list("demo", "1.0.0");
    net.conf(
        "05-single.conf",
        r#"{"cniVersion":"0.4.0","name":"single","type":"tp-c"}"#,
    );
    net.conf(
        "20-dup.json",
        r#"{"cniVersion":"1.0.0","name":"demo","type":"tp-c"}"#,
    );
    let table = ok(&net.run(&["net", "ls"], &[]));
    assert_eq!(
        table,
        format!(
            "NAME    VERSION  PLUGINS    FILE\n\
             demo    1.0.0    tp-a,tp-b  {dir}/10-demo.conflist\n\
             single  0.4.0    tp-c       {dir}/05-single.conf\n\
             demo    1.0.0    tp-c       {dir}/20-dup.json (unused: {dir}/10-demo.conflist comes first)\n"
        )
    );
    let js: Value = serde_json::from_str(&ok(&net.run(&["net", "ls", "--json"], &[]))).unwrap();
    assert_eq!(js[0]["plugins"], json!(["tp-a", "tp-b"]));
    assert_eq!(js[2]["shadowedBy"], format!("{dir}/10-demo.conflist"));
    assert_eq!(js[1]["shadowedBy"], Value::Null);
    net.conf("30-bad.conflist", "{bad");
    let out = net.run(&["net", "ls"], &[]);
    assert_eq!(out.status.code(), Some(15));
    let (o, e) = text(&out);
    assert_eq!(o.lines().count(), 4, "the good ones are still listed");
    assert_eq!(
        e,
        format!(
            "{dir}/30-bad.conflist: error parsing configuration list: invalid character 'b' looking for beginning of object key string\n\
             1 of 4 configuration files could not be loaded\n"
        )
    );
    let empty = net.path("empty");
    let out = ok(&net.run(&["net", "ls", "--dir", empty.to_str().unwrap()], &[]));
    assert_eq!(out, "NAME  VERSION  PLUGINS  FILE\n");
}

#[test]
fn validate_prints_the_capabilities_or_what_is_missing() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    assert_eq!(
        ok(&net.run(&["net", "validate", "demo"], &[])),
        "mac\nportMappings\n"
    );
    net.conf(
        "20-broken.conflist",
        r#"{"cniVersion":"1.0.0","name":"broken","plugins":[{"type":"tp-a"},{"type":"missing"}]}"#,
    );
    let out = net.run(&["net", "validate", "broken"], &[]);
    let bin = net.path("bin").display().to_string();
    fails(
        &out,
        12,
        &format!("[failed to find plugin \"missing\" in path [{bin}]]"),
    );
}

#[test]
fn attachments_of_one_container_or_all() {
    let net = Net::new();
    net.list("demo", "1.0.0");
    net.list("other", "1.0.0");
    add(&net, "demo", NS);
    add(&net, "other", NS);
    add(&net, "demo", "/run/netns/two");
    let c = &net.cache();
    let all: Value =
        serde_json::from_str(&ok(&net.run(&["net", "attachments", "--cache-dir", c], &[])))
            .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 3);
    let id = cnitool_id(NS);
    let one: Value = serde_json::from_str(&ok(
        &net.run(&["net", "attachments", &id, "--cache-dir", c], &[])
    ))
    .unwrap();
    let networks: Vec<&str> = one
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["network"].as_str().unwrap())
        .collect();
    assert_eq!(networks, ["demo", "other"]);
    let none = ok(&net.run(&["net", "attachments", "nobody", "--cache-dir", c], &[]));
    assert_eq!(none, "[]\n");
}

#[test]
fn help_names_the_environment_and_exit_codes() {
    let net = Net::new();
    let help = ok(&net.run(&["net", "--help"], &[]));
    for word in [
        "NETCONFPATH",
        "CNI_PATH",
        "CNI_IFNAME",
        "CNI_ARGS",
        "CAP_ARGS",
        "/var/lib/cni",
        "ls",
        "validate",
        "attachments",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
    let help = ok(&net.run(&["--help"], &[]));
    assert!(help.contains("19   cache or configuration file"), "{help}");
    let help = ok(&net.run(&["net", "add", "--help"], &[]));
    for word in [
        "--containerid",
        "--cache-dir",
        "--timeout",
        "--dir",
        "--path",
        "--no-cleanup",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
}
