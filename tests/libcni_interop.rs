//! Cache interoperability with upstream Go libcni v1.3.0, both directions: a
//! runtime upgrading from upstream must CHECK, DEL and GC what upstream
//! added, and upstream must handle what we added. Upstream runs as the
//! small driver in `tests/libcni-interop` (built here with `go build`), our
//! side through `cniinvoke::libcni::CniConfig`; both run the test plugin in
//! a two-plugin list whose command log shows what every plugin received.
//!
//! Without `go` every test says it skipped, unless CNI_REQUIRE_GO=1 (set by
//! `make test` as root), which makes that a failure.

mod common;
mod upstream;

use cniinvoke::libcni::{conf_from_bytes, GcArgs, GcAttachment, RuntimeConf};
use serde_json::{json, Value};
use upstream::{ctx, driver, upstream, upstream_add, upstream_on, Net, MAC, NET};

/// Both plugins ran `command` once, with `result` as prevResult, and only
/// the second got the `mac` capability (DEL runs them in reverse).
fn assert_chain_saw(net: &Net, ctr: &str, command: &str, result: &Value) {
    let lines = net.commands(ctr, command);
    assert_eq!(lines.len(), 2, "{command}: {lines:?}");
    let mac_first = command == "DEL";
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(&line["prevResult"], result, "{command} #{i}");
        assert_eq!(line["name"], NET);
        let expect_mac = (i == 0) == mac_first;
        let rc = if expect_mac {
            json!({"mac": MAC})
        } else {
            Value::Null
        };
        assert_eq!(line["runtimeConfig"], rc, "{command} #{i}");
    }
}

// ---------------------------------------------------------------------------
// Upstream wrote, we read

#[test]
fn upstream_add_then_our_cached_attachments_check_and_del() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let result = upstream_add(&net, "ctr-up");
    assert_eq!(
        result["interfaces"][1]["name"], "eth0-1",
        "both plugins ran"
    );
    let ours = net.ours();

    let found = ours.get_cached_attachments("ctr-up").unwrap();
    assert_eq!(found.len(), 1);
    let a = &found[0];
    assert_eq!(
        (
            a.container_id.as_str(),
            a.network.as_str(),
            a.if_name.as_str()
        ),
        ("ctr-up", NET, "eth0")
    );
    assert_eq!(a.netns, net.netns("ctr-up"));
    assert_eq!(a.config, net.bytes);
    assert_eq!(a.cni_args, [("K".to_owned(), "V".to_owned())]);
    assert_eq!(
        Value::Object(a.capability_args.clone()),
        json!({"mac": MAC, "other": 1})
    );

    let rt = net.rt("ctr-up");
    let cached = ours.get_network_list_cached_result(&net.list, &rt).unwrap();
    let cached: Value = serde_json::from_str(&cached.unwrap().to_json()).unwrap();
    assert_eq!(cached, result);
    let conf = ours
        .get_network_list_cached_config(&net.list, &rt)
        .unwrap()
        .unwrap();
    assert_eq!(conf.config, net.bytes);
    assert_eq!(conf.runtime_conf.args, rt.args);

    ours.check_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_chain_saw(&net, "ctr-up", "CHECK", &result);
    ours.del_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_chain_saw(&net, "ctr-up", "DEL", &result);
    assert!(!net.cache_file("ctr-up").exists(), "DEL removed the entry");
    assert!(ours.get_cached_attachments("ctr-up").unwrap().is_empty());
}

#[test]
fn upstream_add_then_our_gc_deletes_what_is_not_valid() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let keep = upstream_add(&net, "ctr-keep");
    let stale = upstream_add(&net, "ctr-stale");
    let valid = GcArgs {
        valid_attachments: vec![GcAttachment {
            container_id: "ctr-keep".into(),
            if_name: "eth0".into(),
        }],
    };
    net.ours()
        .gc_network_list(&ctx(), &net.list, Some(&valid))
        .unwrap();
    assert!(net.cache_file("ctr-keep").exists());
    assert!(
        !net.cache_file("ctr-stale").exists(),
        "GC deleted the stale one"
    );
    // The stale attachment's DEL ran with what upstream cached.
    let dels = net.commands("ctr-stale", "DEL");
    assert_eq!(dels.len(), 2);
    assert!(dels
        .iter()
        .all(|l| l["prevResult"] == stale && l["cniArgs"] == "K=V"));
    assert!(net.commands("ctr-keep", "DEL").is_empty());
    let gc = net.log("GC.log");
    assert_eq!(gc.len(), 2, "both plugins got GC at 1.1.0");
    let expect = json!([{"containerID": "ctr-keep", "ifname": "eth0"}]);
    assert!(gc.iter().all(|l| l["validAttachments"] == expect), "{gc:?}");
    // Upstream still reads the kept entry after our GC.
    let cached: Value =
        serde_json::from_str(&upstream(&net, "cached", "ctr-keep", &[]).unwrap()).unwrap();
    assert_eq!(cached, keep);
}

// ---------------------------------------------------------------------------
// We wrote, upstream reads

#[test]
fn our_add_then_upstream_cached_check_and_del() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let rt = net.rt("ctr-ours");
    let result = net.ours().add_network_list(&ctx(), &net.list, &rt).unwrap();
    let result: Value = serde_json::from_str(&result.to_json()).unwrap();
    assert_eq!(
        result["interfaces"][1]["name"], "eth0-1",
        "both plugins ran"
    );

    let cached: Value =
        serde_json::from_str(&upstream(&net, "cached", "ctr-ours", &[]).unwrap()).unwrap();
    assert_eq!(cached, result);
    let conf: Value =
        serde_json::from_str(&upstream(&net, "cachedconfig", "ctr-ours", &[]).unwrap()).unwrap();
    assert_eq!(conf["config"].as_str().unwrap().as_bytes(), net.bytes);
    assert_eq!(conf["runtimeConf"]["args"], json!([["K", "V"]]));
    assert_eq!(
        conf["runtimeConf"]["capabilityArgs"],
        json!({"mac": MAC, "other": 1})
    );
    let found: Value =
        serde_json::from_str(&upstream(&net, "attachments", "ctr-ours", &[]).unwrap()).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["network"], NET);
    assert_eq!(found[0]["netns"], net.netns("ctr-ours"));

    let caps = json!({"mac": MAC}).to_string();
    upstream(&net, "check", "ctr-ours", &["-caps", &caps]).unwrap();
    assert_chain_saw(&net, "ctr-ours", "CHECK", &result);
    upstream(&net, "del", "ctr-ours", &["-caps", &caps]).unwrap();
    assert_chain_saw(&net, "ctr-ours", "DEL", &result);
    assert!(
        !net.cache_file("ctr-ours").exists(),
        "upstream's DEL removed our entry"
    );
}

#[test]
fn our_add_then_upstream_gc_deletes_what_is_not_valid() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let ours = net.ours();
    ours.add_network_list(&ctx(), &net.list, &net.rt("ctr-keep"))
        .unwrap();
    let stale = ours
        .add_network_list(&ctx(), &net.list, &net.rt("ctr-stale"))
        .unwrap();
    let stale: Value = serde_json::from_str(&stale.to_json()).unwrap();
    let valid = json!([{"containerID": "ctr-keep", "ifname": "eth0"}]).to_string();
    upstream(&net, "gc", "", &["-valid", &valid]).unwrap();
    assert!(net.cache_file("ctr-keep").exists());
    assert!(!net.cache_file("ctr-stale").exists());
    let dels = net.commands("ctr-stale", "DEL");
    assert_eq!(dels.len(), 2);
    assert!(dels
        .iter()
        .all(|l| l["prevResult"] == stale && l["cniArgs"] == "K=V"));
    assert_eq!(
        dels[0]["runtimeConfig"],
        json!({"mac": MAC}),
        "upstream's DEL used the capability args we cached"
    );
    assert_eq!(net.log("GC.log").len(), 2);
    // And we still read the kept entry after upstream's GC.
    let left = ours.get_cached_attachments("").unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].container_id, "ctr-keep");
}

// ---------------------------------------------------------------------------
// The files themselves

#[test]
fn both_sides_write_the_same_cache_entry() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    upstream_add(&net, "ctr-a");
    let theirs = std::fs::read(net.cache_file("ctr-a")).unwrap();
    std::fs::remove_file(net.cache_file("ctr-a")).unwrap();
    net.ours()
        .add_network_list(&ctx(), &net.list, &net.rt("ctr-a"))
        .unwrap();
    let mine = std::fs::read(net.cache_file("ctr-a")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&mine),
        String::from_utf8_lossy(&theirs)
    );
    assert_eq!(net.cache_json("ctr-a")["kind"], "cniCacheV1");
}

/// Capability and CNI args that Go's encoder treats specially: HTML
/// characters, line and paragraph separators, non-ASCII, 2^53, fractions,
/// exponents, negative zero, nesting, empty containers. (Integers that a
/// float64 cannot hold differ by design: the driver decodes its `-caps`
/// into float64, while we keep a runtime's integers exact, as a Go runtime
/// holding an int64 or uint64 would.)
const AWKWARD_CAPS: &str = r#"{"mac":"02:00:00:00:00:2a","html":"<a href=\"x\">&amp;</a>","seps":"\u2028\u2029","utf8":"ünïcødé ☃","big":9007199254740992,"huge":1e300,"frac":0.1,"exp":1e21,"neg":-0,"nested":{"b":[1,{"a":null}],"a":true},"empty":{},"list":[]}"#;

#[test]
fn awkward_values_are_cached_byte_for_byte_like_upstream() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let args = r#"[["K","<v&>"],["U","ü"]]"#;
    upstream(
        &net,
        "add",
        "ctr-w",
        &["-args", args, "-caps", AWKWARD_CAPS],
    )
    .unwrap();
    let theirs = std::fs::read(net.cache_file("ctr-w")).unwrap();
    std::fs::remove_file(net.cache_file("ctr-w")).unwrap();
    let caps: Value = serde_json::from_str(AWKWARD_CAPS).unwrap();
    let rt = RuntimeConf {
        args: vec![("K".into(), "<v&>".into()), ("U".into(), "ü".into())],
        capability_args: caps.as_object().unwrap().clone(),
        ..net.rt("ctr-w")
    };
    let ours = net.ours();
    ours.add_network_list(&ctx(), &net.list, &rt).unwrap();
    let mine = std::fs::read(net.cache_file("ctr-w")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&mine),
        String::from_utf8_lossy(&theirs)
    );
    // And each side reads the other's values back the same.
    let conf: Value =
        serde_json::from_str(&upstream(&net, "cachedconfig", "ctr-w", &[]).unwrap()).unwrap();
    let back = ours
        .get_network_list_cached_config(&net.list, &rt)
        .unwrap()
        .unwrap();
    assert_eq!(
        Value::Object(back.runtime_conf.capability_args),
        conf["runtimeConf"]["capabilityArgs"]
    );
    assert_eq!(back.runtime_conf.args, rt.args);
}

/// A pre-`cniCacheV1` entry: just the result, as libcni 0.7 wrote it.
fn write_legacy(net: &Net, ctr: &str) -> Value {
    let legacy = json!({
        "cniVersion": "0.4.0",
        "interfaces": [{"name": "eth0", "sandbox": net.netns(ctr)}],
        "ips": [{"version": "4", "interface": 0, "address": "10.7.7.7/24"}]
    });
    std::fs::create_dir_all(net.cache.join("results")).unwrap();
    std::fs::write(net.cache_file(ctr), legacy.to_string()).unwrap();
    // As the list's version (1.1.0) sees it.
    json!({
        "cniVersion": "1.1.0",
        "interfaces": [{"name": "eth0", "sandbox": net.netns(ctr)}],
        "ips": [{"interface": 0, "address": "10.7.7.7/24"}]
    })
}

#[test]
fn legacy_raw_result_files_are_read_like_upstream() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let expect = write_legacy(&net, "ctr-old");
    let theirs: Value =
        serde_json::from_str(&upstream(&net, "cached", "ctr-old", &[]).unwrap()).unwrap();
    assert_eq!(theirs, expect);
    let ours = net.ours();
    let rt = net.rt("ctr-old");
    let mine = ours
        .get_network_list_cached_result(&net.list, &rt)
        .unwrap()
        .unwrap();
    let mine: Value = serde_json::from_str(&mine.to_json()).unwrap();
    assert_eq!(mine, expect);
    // Neither side lists a legacy entry as an attachment.
    assert_eq!(upstream(&net, "attachments", "ctr-old", &[]).unwrap(), "[]");
    assert!(ours.get_cached_attachments("ctr-old").unwrap().is_empty());
    let wrong_kind = format!("read cached network \"{NET}\" config has wrong kind: ");
    assert_eq!(
        upstream(&net, "cachedconfig", "ctr-old", &[]).unwrap_err(),
        wrong_kind
    );
    let e = ours
        .get_network_list_cached_config(&net.list, &rt)
        .unwrap_err();
    assert_eq!(e.to_string(), wrong_kind);
    // CHECK and DEL chain the legacy result; DEL removes the file.
    ours.check_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_eq!(net.commands("ctr-old", "CHECK")[0]["prevResult"], expect);
    ours.del_network_list(&ctx(), &net.list, &rt).unwrap();
    assert_eq!(net.commands("ctr-old", "DEL")[0]["prevResult"], expect);
    assert!(!net.cache_file("ctr-old").exists());
}

#[test]
fn a_legacy_file_upstream_deletes_is_gone_for_us_too() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let expect = write_legacy(&net, "ctr-old2");
    upstream(&net, "del", "ctr-old2", &[]).unwrap();
    assert_eq!(net.commands("ctr-old2", "DEL")[1]["prevResult"], expect);
    let rt = net.rt("ctr-old2");
    assert!(net
        .ours()
        .get_network_list_cached_result(&net.list, &rt)
        .unwrap()
        .is_none());
}

// ---------------------------------------------------------------------------
// Single networks (AddNetwork and friends) cache the same way

#[test]
fn single_network_entries_cross_over_both_ways() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let logs = net.logs.to_string_lossy().into_owned();
    let text = json!({"cniVersion": "1.0.0", "name": NET, "type": "cni-test-plugin",
                      "logDir": logs, "capabilities": {"mac": true}})
    .to_string();
    let conf_path = net.write("single.conf", &text);
    let conf = conf_from_bytes(text.as_bytes()).unwrap();
    let ours = net.ours();
    let caps = json!({"mac": MAC}).to_string();

    // Upstream adds; we read, check and delete.
    let theirs: Value = serde_json::from_str(
        &upstream_on(&net, &conf_path, "addnet", "ctr-1", &["-caps", &caps]).unwrap(),
    )
    .unwrap();
    let rt = net.rt("ctr-1");
    let cached = ours.get_network_cached_result(&conf, &rt).unwrap().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&cached.to_json()).unwrap(),
        theirs
    );
    let cached_conf = ours.get_network_cached_config(&conf, &rt).unwrap().unwrap();
    assert_eq!(
        cached_conf.config,
        text.as_bytes(),
        "the plugin's own bytes are cached"
    );
    ours.check_network(&ctx(), &conf, &rt).unwrap();
    ours.del_network(&ctx(), &conf, &rt).unwrap();
    let del = net.commands("ctr-1", "DEL");
    assert_eq!(del.len(), 1);
    assert_eq!(del[0]["prevResult"], theirs);
    assert!(!net.cache_file("ctr-1").exists());

    // We add; upstream reads and deletes.
    let rt = net.rt("ctr-2");
    let mine = ours.add_network(&ctx(), &conf, &rt).unwrap();
    let mine: Value = serde_json::from_str(&mine.to_json()).unwrap();
    let cached: Value =
        serde_json::from_str(&upstream_on(&net, &conf_path, "cachednet", "ctr-2", &[]).unwrap())
            .unwrap();
    assert_eq!(cached, mine);
    upstream_on(&net, &conf_path, "checknet", "ctr-2", &["-caps", &caps]).unwrap();
    upstream_on(&net, &conf_path, "delnet", "ctr-2", &["-caps", &caps]).unwrap();
    let del = net.commands("ctr-2", "DEL");
    assert_eq!(del.len(), 1);
    assert_eq!(del[0]["prevResult"], mine);
    assert_eq!(del[0]["runtimeConfig"], json!({"mac": MAC}));
    assert!(!net.cache_file("ctr-2").exists());
}

// ---------------------------------------------------------------------------
// Entries a crash left behind

#[test]
fn empty_and_corrupt_entries_never_block_del_on_either_side() {
    if driver().is_none() {
        return;
    }
    let net = Net::new();
    let ours = net.ours();
    std::fs::create_dir_all(net.cache.join("results")).unwrap();
    for (ctr, junk) in [("ctr-0", ""), ("ctr-j", "{\"kind\":\"cniCacheV1\",\"res")] {
        // Upstream's DEL goes on without prevResult and removes the entry.
        std::fs::write(net.cache_file(ctr), junk).unwrap();
        upstream(&net, "del", ctr, &[]).unwrap();
        assert!(!net.cache_file(ctr).exists(), "upstream removed {ctr:?}");
        let theirs = net.commands(ctr, "DEL");
        // So does ours.
        std::fs::write(net.cache_file(ctr), junk).unwrap();
        ours.del_network_list(&ctx(), &net.list, &net.rt(ctr))
            .unwrap();
        assert!(!net.cache_file(ctr).exists(), "we removed {ctr:?}");
        let all = net.commands(ctr, "DEL");
        assert_eq!(all.len(), 4);
        for (t, m) in theirs.iter().zip(&all[2..]) {
            assert_eq!(t["prevResult"], Value::Null);
            assert_eq!(m["prevResult"], Value::Null);
            assert_eq!(t["name"], m["name"]);
        }
        // Neither lists such an entry as an attachment.
        std::fs::write(net.cache_file(ctr), junk).unwrap();
        assert_eq!(upstream(&net, "attachments", ctr, &[]).unwrap(), "[]");
        assert!(ours.get_cached_attachments(ctr).unwrap().is_empty());
        // CHECK reports it on both sides.
        assert!(upstream(&net, "check", ctr, &[]).is_err());
        assert!(ours
            .check_network_list(&ctx(), &net.list, &net.rt(ctr))
            .is_err());
    }
}
