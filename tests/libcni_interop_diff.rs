//! Upstream Go libcni v1.3.0 and ours side by side on the same inputs: what
//! every plugin receives (stdin byte for byte, the CNI environment), the
//! error texts of failing lists, and which cached attachments are listed.
//! Upstream runs as the driver in `tests/libcni-interop` (see
//! `tests/upstream`).
//!
//! Without `go` every test says it skipped, unless CNI_REQUIRE_GO=1.

mod common;
mod upstream;

use cniinvoke::libcni::{GcArgs, GcAttachment, RuntimeConf};
use serde_json::{json, Map, Value};
use upstream::{ctx, driver, upstream, upstream_on, Net, NET};

/// What one plugin run saw: its stdin and its `CNI_*` variables.
fn seen(net: &Net, record: &str) -> (String, Map<String, Value>) {
    let rec: Value =
        serde_json::from_slice(&std::fs::read(net.dir().join(record)).unwrap()).unwrap();
    let env = rec["env"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("CNI_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (rec["stdin"].as_str().unwrap().to_owned(), env)
}

/// Both plugins' view after the last run.
fn both_seen(net: &Net) -> [(String, Map<String, Value>); 2] {
    [seen(net, "rec-1"), seen(net, "rec-2")]
}

/// A list whose two plugins record what they get and chain their results;
/// the second takes `mac` and `portMappings`, the first has a `name` of its
/// own (which the list's name overrides).
fn recording_net() -> Net {
    Net::with("1.1.0", |dir| {
        let rec = |n: &str| dir.join(n).to_string_lossy().into_owned();
        vec![
            json!({"type": "cni-test-plugin", "name": "own-name", "extra": "<&>",
                   "debug": {"record": rec("rec-1"), "chainResult": true}}),
            json!({"type": "cni-test-plugin", "capabilities": {"mac": true, "portMappings": true},
                   "debug": {"record": rec("rec-2"), "chainResult": true}}),
        ]
    })
}

const CAPS: &str = r#"{"mac":"02:00:00:00:00:2a","portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}],"bandwidth":{"ingressRate":1}}"#;

fn rt(net: &Net, ctr: &str) -> RuntimeConf {
    let caps: Value = serde_json::from_str(CAPS).unwrap();
    RuntimeConf {
        container_id: ctr.into(),
        netns: net.netns(ctr),
        if_name: "eth0".into(),
        args: vec![
            ("K".into(), "V".into()),
            ("IgnoreUnknown".into(), "1".into()),
        ],
        capability_args: caps.as_object().unwrap().clone(),
        ..Default::default()
    }
}

const ARGS: &str = r#"[["K","V"],["IgnoreUnknown","1"]]"#;
const FLAGS: [&str; 4] = ["-args", ARGS, "-caps", CAPS];

#[test]
fn plugins_get_the_same_stdin_and_environment_from_both_sides() {
    if driver().is_none() {
        return;
    }
    let net = recording_net();
    let ours = net.ours();
    let rt = rt(&net, "ctr-d");

    upstream(&net, "add", "ctr-d", &FLAGS).unwrap();
    let theirs = both_seen(&net);
    ours.add_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_eq!(both_seen(&net), theirs, "ADD");
    let second: Value = serde_json::from_str(&theirs[1].0).unwrap();
    assert_eq!(
        second["runtimeConfig"],
        json!({"mac": "02:00:00:00:00:2a", "portMappings": [
        {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]})
    );

    upstream(&net, "check", "ctr-d", &FLAGS).unwrap();
    let theirs = both_seen(&net);
    ours.check_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_eq!(both_seen(&net), theirs, "CHECK");

    upstream(&net, "del", "ctr-d", &FLAGS).unwrap();
    let theirs = both_seen(&net);
    ours.add_network_list(&ctx(), &net.list, &rt).unwrap();
    ours.del_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_eq!(both_seen(&net), theirs, "DEL");

    upstream(&net, "status", "", &[]).unwrap();
    let theirs = both_seen(&net);
    ours.get_status_network_list(&ctx(), &net.list).unwrap();
    assert_eq!(both_seen(&net), theirs, "STATUS");
}

#[test]
fn gc_sends_the_same_to_plugins_from_both_sides() {
    if driver().is_none() {
        return;
    }
    let net = recording_net();
    let ours = net.ours();
    let valid = r#"[{"containerID":"ctr-keep","ifname":"eth0"}]"#;
    let args = GcArgs {
        valid_attachments: vec![GcAttachment {
            container_id: "ctr-keep".into(),
            if_name: "eth0".into(),
        }],
    };
    // With valid attachments (and nothing stale: the records are GC's).
    upstream(&net, "add", "ctr-keep", &FLAGS).unwrap();
    upstream(&net, "gc", "", &["-valid", valid]).unwrap();
    let theirs = both_seen(&net);
    let gc_stdin: Value = serde_json::from_str(&theirs[0].0).unwrap();
    assert_eq!(
        gc_stdin["cni.dev/valid-attachments"],
        serde_json::from_str::<Value>(valid).unwrap()
    );
    ours.gc_network_list(&ctx(), &net.list, Some(&args))
        .unwrap();
    assert_eq!(both_seen(&net), theirs, "GC with valid attachments");
    // Without arguments: the attachment is stale; the records are GC's.
    upstream(&net, "gc", "", &[]).unwrap();
    let theirs = both_seen(&net);
    assert!(!net.cache_file("ctr-keep").exists());
    upstream(&net, "add", "ctr-keep", &FLAGS).unwrap();
    ours.gc_network_list(&ctx(), &net.list, None).unwrap();
    assert!(!net.cache_file("ctr-keep").exists());
    assert_eq!(both_seen(&net), theirs, "GC without arguments");
}

// ---------------------------------------------------------------------------
// Error texts

/// One failing case: the list's version and plugins, the verb, the
/// container id.
struct Case {
    what: &'static str,
    version: &'static str,
    plugins: Vec<Value>,
    verb: &'static str,
    ctr: &'static str,
}

fn plugin(extra: Value) -> Value {
    let mut p = json!({"type": "cni-test-plugin"});
    p.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    p
}

fn cases() -> Vec<Case> {
    let fail = |cmd: &str| json!({"failOn": [cmd], "failCode": 7, "failMsg": "boom", "failDetails": "why"});
    let case = |what, version, plugins, verb, ctr| Case {
        what,
        version,
        plugins,
        verb,
        ctr,
    };
    vec![
        case(
            "ADD fails in the second plugin, which has a name",
            "1.1.0",
            vec![
                plugin(json!({})),
                plugin(json!({"name": "second", "failOn": ["ADD"]})),
            ],
            "add",
            "c1",
        ),
        case(
            "ADD fails in the first plugin, without a name",
            "1.0.0",
            vec![plugin(fail("ADD")), plugin(json!({}))],
            "add",
            "c1",
        ),
        case(
            "ADD of a plugin that is not on the path",
            "1.0.0",
            vec![plugin(json!({})), json!({"type": "no-such-plugin"})],
            "add",
            "c1",
        ),
        case(
            "ADD with an invalid container id",
            "1.0.0",
            vec![plugin(json!({}))],
            "add",
            "bad/id",
        ),
        case(
            "ADD with an empty container id",
            "1.0.0",
            vec![plugin(json!({}))],
            "add",
            "",
        ),
        case(
            "DEL fails in the first plugin (run last)",
            "1.0.0",
            vec![plugin(fail("DEL")), plugin(json!({}))],
            "del",
            "c1",
        ),
        case(
            "CHECK fails in the second plugin",
            "1.0.0",
            vec![plugin(json!({})), plugin(fail("CHECK"))],
            "check",
            "c1",
        ),
        case(
            "CHECK below 0.4.0",
            "0.3.1",
            vec![plugin(json!({}))],
            "check",
            "c1",
        ),
        case(
            "STATUS fails with code 50",
            "1.1.0",
            vec![plugin(
                json!({"failOn": ["STATUS"], "failCode": 50, "failMsg": "not ready"}),
            )],
            "status",
            "",
        ),
        case(
            "GC fails in both plugins (errors joined)",
            "1.1.0",
            vec![plugin(fail("GC")), plugin(json!({"failOn": ["GC"]}))],
            "gc",
            "",
        ),
    ]
}

/// Our error for the case's verb.
fn ours_fails(net: &Net, case: &Case) -> String {
    let cfg = net.ours();
    let rt = RuntimeConf {
        container_id: case.ctr.into(),
        netns: net.netns(case.ctr),
        if_name: "eth0".into(),
        ..Default::default()
    };
    let r = match case.verb {
        "add" => cfg.add_network_list(&ctx(), &net.list, &rt).map(drop),
        "check" => cfg.check_network_list(&ctx(), &net.list, &rt),
        "del" => cfg.del_network_list(&ctx(), &net.list, &rt),
        "status" => cfg.get_status_network_list(&ctx(), &net.list),
        "gc" => cfg.gc_network_list(&ctx(), &net.list, None),
        other => panic!("no verb {other}"),
    };
    r.expect_err(case.what).to_string()
}

#[test]
fn failing_lists_fail_with_upstreams_words() {
    if driver().is_none() {
        return;
    }
    for case in cases() {
        let plugins = case.plugins.clone();
        let net = Net::with(case.version, |_| plugins);
        let theirs = upstream(&net, case.verb, case.ctr, &[]).expect_err(case.what);
        assert_eq!(ours_fails(&net, &case), theirs, "{}", case.what);
    }
}

#[test]
fn gc_reports_a_stale_attachment_whose_del_fails_like_upstream() {
    if driver().is_none() {
        return;
    }
    let net = Net::with("1.1.0", |_| {
        vec![
            plugin(json!({})),
            plugin(json!({"name": "second", "failOn": ["DEL"]})),
        ]
    });
    upstream(&net, "add", "c9", &[]).unwrap();
    let theirs = upstream(&net, "gc", "", &[]).unwrap_err();
    assert!(
        net.cache_file("c9").exists(),
        "a failed DEL keeps the entry"
    );
    let mine = net
        .ours()
        .gc_network_list(&ctx(), &net.list, None)
        .unwrap_err();
    assert_eq!(mine.to_string(), theirs);
    assert!(net.cache_file("c9").exists());
}

#[test]
fn a_cached_result_follows_the_lists_new_version_like_upstream() {
    if driver().is_none() {
        return;
    }
    let net = Net::with("0.4.0", |dir| {
        let rec = dir.join("rec-1").to_string_lossy().into_owned();
        vec![json!({"type": "cni-test-plugin", "debug": {"record": rec, "chainResult": true}})]
    });
    upstream(&net, "add", "c1", &[]).unwrap();
    // The same list, upgraded to 1.0.0 while the container runs.
    let text = String::from_utf8(net.bytes.clone())
        .unwrap()
        .replace("0.4.0", "1.0.0");
    let upgraded = net.write("upgraded.conflist", &text);
    let list = cniinvoke::libcni::conf_list_from_bytes(text.as_bytes()).unwrap();
    for verb in ["check", "del"] {
        upstream_on(&net, &upgraded, verb, "c1", &[]).unwrap();
        let theirs = seen(&net, "rec-1");
        let prev: Value = serde_json::from_str(&theirs.0).unwrap();
        assert_eq!(prev["prevResult"]["cniVersion"], "1.0.0", "{verb}");
        upstream(&net, "add", "c1", &[]).unwrap();
        let rt = RuntimeConf {
            container_id: "c1".into(),
            netns: net.netns("c1"),
            if_name: "eth0".into(),
            ..Default::default()
        };
        let cfg = net.ours();
        match verb {
            "check" => cfg.check_network_list(&ctx(), &list, &rt).unwrap(),
            _ => cfg.del_network_list(&ctx(), &list, &rt).unwrap(),
        }
        assert_eq!(seen(&net, "rec-1"), theirs, "{verb}");
    }
}

#[test]
fn a_plugins_error_code_survives_the_list() {
    if driver().is_none() {
        return;
    }
    let net = Net::with("1.1.0", |_| {
        vec![
            plugin(json!({})),
            plugin(json!({"failOn": ["ADD", "STATUS"], "failCode": 51})),
        ]
    });
    let cfg = net.ours();
    let e = cfg.get_status_network_list(&ctx(), &net.list).unwrap_err();
    assert!(
        matches!(&e, cniinvoke::Error::Plugin(p) if p.code == 51),
        "{e:?}"
    );
    let e = cfg
        .add_network_list(&ctx(), &net.list, &rt(&net, "c1"))
        .unwrap_err();
    assert_eq!(e.status(), cniinvoke::Status::PluginError, "{e:?}");
    assert!(
        !net.cache_file("c1").exists(),
        "a failed ADD caches nothing"
    );
}

// ---------------------------------------------------------------------------
// Listing cached attachments

#[test]
fn cached_attachments_are_listed_like_upstream() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    for ctr in ["a", "a-b", "b", "ab", "net"] {
        upstream(&net, "add", ctr, &[]).unwrap();
    }
    // Not entries: a stray file, a legacy result, an entry of no interface.
    let results = net.cache.join("results");
    std::fs::write(results.join("stray"), "not json").unwrap();
    std::fs::write(
        results.join(format!("{NET}-a-eth1")),
        r#"{"cniVersion":"0.4.0"}"#,
    )
    .unwrap();
    let ours = net.ours();
    for ctr in ["", "a", "a-b", "b", "ab", "net", "eth0", "interop", "zzz"] {
        let theirs: Value =
            serde_json::from_str(&upstream(&net, "attachments", ctr, &[]).unwrap()).unwrap();
        let theirs: Vec<(String, String, String)> = theirs
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let s = |k: &str| a[k].as_str().unwrap().to_owned();
                (s("containerId"), s("network"), s("ifName"))
            })
            .collect();
        let mine: Vec<(String, String, String)> = ours
            .get_cached_attachments(ctr)
            .unwrap()
            .into_iter()
            .map(|a| (a.container_id, a.network, a.if_name))
            .collect();
        assert_eq!(mine, theirs, "container id {ctr:?}");
    }
}

#[test]
fn awkward_runtime_config_reaches_plugins_byte_for_byte() {
    if driver().is_none() {
        return;
    }
    // Values Go's encoder treats specially, each a declared capability.
    let caps = r#"{"html":"<a href=\"x\">&amp;</a>","seps":"\u2028\u2029","utf8":"ünïcødé ☃","big":9007199254740992,"huge":1e300,"frac":0.1,"exp":1e21,"neg":-0,"nested":{"b":[1,{"a":null}],"a":true},"empty":{},"list":[],"undeclared":1}"#;
    let declared: Value = serde_json::from_str(caps).unwrap();
    let mut capabilities: Map<String, Value> = declared
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (k.clone(), json!(true)))
        .collect();
    capabilities.remove("undeclared");
    let net = Net::with("1.0.0", |dir| {
        let rec = dir.join("rec-1").to_string_lossy().into_owned();
        vec![
            json!({"type": "cni-test-plugin", "capabilities": capabilities,
                   "html": "<&>", "float": 1.5e-7, "int": 12345678901234567890u64,
                   "debug": {"record": rec, "chainResult": true}}),
        ]
    });
    upstream(&net, "add", "ctr-w", &["-caps", caps]).unwrap();
    let theirs = seen(&net, "rec-1");
    let rt = RuntimeConf {
        container_id: "ctr-w".into(),
        netns: net.netns("ctr-w"),
        if_name: "eth0".into(),
        capability_args: declared.as_object().unwrap().clone(),
        ..Default::default()
    };
    net.ours().add_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_eq!(seen(&net, "rec-1"), theirs);
    let stdin: Value = serde_json::from_str(&theirs.0).unwrap();
    assert_eq!(
        stdin["runtimeConfig"].as_object().unwrap().len(),
        11,
        "undeclared left out"
    );
}

// ---------------------------------------------------------------------------
// Validation

#[test]
fn validation_reports_like_upstream() {
    if driver().is_none() {
        return;
    }
    let net = Net::with("1.0.0", |_| {
        vec![
            plugin(json!({"capabilities": {"mac": true, "portMappings": true, "off": false}})),
            plugin(json!({"capabilities": {"mac": true, "bandwidth": true}})),
        ]
    });
    let theirs: Value =
        serde_json::from_str(&upstream(&net, "validate", "", &[]).unwrap()).unwrap();
    let mine = net.ours().validate_network_list(&ctx(), &net.list).unwrap();
    assert_eq!(json!(mine), theirs);
    assert_eq!(theirs, json!(["bandwidth", "mac", "portMappings"]));

    for (version, plugins) in [
        (
            "9.9.9",
            vec![plugin(json!({})), json!({"type": "no-such-plugin"})],
        ),
        (
            "1.0.0",
            vec![
                json!({"type": "no-such-plugin"}),
                json!({"type": "nor-this"}),
            ],
        ),
        ("", vec![plugin(json!({}))]),
    ] {
        let net = Net::with(version, |_| plugins);
        let theirs = upstream(&net, "validate", "", &[]);
        let mine = net.ours().validate_network_list(&ctx(), &net.list);
        match (mine, theirs) {
            (Ok(m), Ok(t)) => assert_eq!(json!(m), serde_json::from_str::<Value>(&t).unwrap()),
            (Err(m), Err(t)) => assert_eq!(m.to_string(), t, "version {version:?}"),
            (m, t) => panic!("version {version:?}: ours {m:?}, upstream {t:?}"),
        }
    }
}

/// A plugin whose own configuration also has a `cniversion` key (Go reads
/// it as `cniVersion` too, and it sorts after the list's): its result,
/// which names no version, is read in that version on both sides.
#[test]
fn a_second_cni_version_key_is_read_like_upstream() {
    if driver().is_none() {
        return;
    }
    let net = Net::with("1.0.0", |dir| {
        let rec = |n: &str| dir.join(n).to_string_lossy().into_owned();
        vec![
            json!({"type": "cni-test-plugin", "cniversion": "0.4.0",
                   "debug": {"record": rec("rec-1"),
                             "result": {"ips": [{"version": "4", "address": "10.1.2.3/24"}]}}}),
            json!({"type": "cni-test-plugin", "debug": {"record": rec("rec-2"), "chainResult": true}}),
        ]
    });
    upstream(&net, "add", "c1", &[]).unwrap();
    let theirs = both_seen(&net);
    let second: Value = serde_json::from_str(&theirs[1].0).unwrap();
    assert_eq!(second["prevResult"]["cniVersion"], "0.4.0");
    let rt = RuntimeConf {
        container_id: "c1".into(),
        netns: net.netns("c1"),
        if_name: "eth0".into(),
        ..Default::default()
    };
    let result = net.ours().add_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_eq!(both_seen(&net), theirs);
    assert_eq!(
        result.cni_version(),
        "1.0.0",
        "the last plugin's own result"
    );
}
