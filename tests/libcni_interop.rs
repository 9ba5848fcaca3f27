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

use cniinvoke::libcni::{GcArgs, GcAttachment};
use serde_json::{json, Value};
use upstream::{ctx, driver, upstream, upstream_add, Net, MAC, NET};

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
    let theirs = net.cache_json("ctr-a");
    std::fs::remove_file(net.cache_file("ctr-a")).unwrap();
    net.ours()
        .add_network_list(&ctx(), &net.list, &net.rt("ctr-a"))
        .unwrap();
    let mine = net.cache_json("ctr-a");
    assert_eq!(mine, theirs);
    assert_eq!(mine["kind"], "cniCacheV1");
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
