//! A context's environment snapshot (`Context::set_environ`) is what every
//! plugin started under it inherits, in place of this process's
//! environment: single calls with each argument kind, a child context, the
//! trace variables on top, and every plugin of a list.

mod libcni_support;

use cniinvoke::{
    exec_plugin_without_result, Context, DelegateArgs, EnvironSnapshot, Error, TraceContext,
};
use libcni_support::{Debug, Net};
use serde_json::{json, Value};

const CONF: &[u8] = br#"{"cniVersion":"1.0.0","name":"n","type":"cni-test-plugin"}"#;

fn snapshot(entries: &[&str]) -> EnvironSnapshot {
    EnvironSnapshot::from_entries(entries).unwrap()
}

fn env_list(record: &Value) -> Vec<String> {
    serde_json::from_value(record["envList"].clone()).unwrap()
}

/// What the test plugin saw when run under `ctx` with `args`.
fn seen(d: &Debug, ctx: &Context, args: &dyn cniinvoke::CniArgs) -> Vec<String> {
    d.set(json!({"record": d.path("rec")}));
    exec_plugin_without_result(ctx, libcni_support::plugin(), CONF, args, None).unwrap();
    env_list(&d.record("rec"))
}

#[test]
fn a_plugin_inherits_the_snapshot_not_this_processs_environment() {
    let d = Debug::empty();
    let ctx = Context::new();
    ctx.set_environ(Some(snapshot(&[
        "SNAP_A=1",
        "CNI_IFNAME=replaced",
        "BARE",
        &format!("CNI_TEST_PLUGIN_DEBUG={}", d.file.display()),
    ])));
    let args = d.args("ADD");
    let got = seen(&d, &ctx, &args);
    let debug = format!("CNI_TEST_PLUGIN_DEBUG={}", d.file.display());
    assert_eq!(got[..4], ["SNAP_A=1", "CNI_IFNAME=eth0", "BARE", &debug]);
    assert!(got.iter().any(|kv| kv == "CNI_COMMAND=ADD"), "{got:?}");
    let path = std::env::var("PATH").unwrap();
    assert!(!got.contains(&format!("PATH={path}")), "{got:?}");
    // The same environment as `as_env()` computes over the snapshot.
    assert_eq!(got.len(), 4 + 5, "{got:?}");

    // Inherited unchanged but for the command (DelegateArgs).
    let got = seen(&d, &ctx, &DelegateArgs::new("DEL"));
    assert_eq!(
        got,
        [
            "SNAP_A=1",
            "CNI_IFNAME=replaced",
            "BARE",
            &debug,
            "CNI_COMMAND=DEL"
        ]
    );
}

#[test]
fn a_child_inherits_its_parents_snapshot_unless_it_sets_its_own() {
    let d = Debug::empty();
    let debug = format!("CNI_TEST_PLUGIN_DEBUG={}", d.file.display());
    let parent = Context::new();
    parent.set_environ(Some(snapshot(&["FROM=parent", &debug])));
    let child = parent.child();
    let del = DelegateArgs::new("DEL");
    assert_eq!(seen(&d, &child, &del)[0], "FROM=parent");
    child.set_environ(Some(snapshot(&["FROM=child", &debug])));
    assert_eq!(seen(&d, &child, &del)[0], "FROM=child");
    assert_eq!(seen(&d, &parent, &del)[0], "FROM=parent");
    child.set_environ(None);
    assert_eq!(seen(&d, &child, &del)[0], "FROM=parent");
    parent.set_environ(None);
    // Without the snapshot's CNI_TEST_PLUGIN_DEBUG, CNI_ARGS finds the script.
    let got = seen(&d, &child, &d.args("DEL"));
    let path = format!("PATH={}", std::env::var("PATH").unwrap());
    assert!(got.contains(&path), "this process's again: {got:?}");
}

#[test]
fn the_trace_variables_still_replace_the_inherited_ones() {
    let d = Debug::empty();
    let debug = format!("CNI_TEST_PLUGIN_DEBUG={}", d.file.display());
    let ctx = Context::new();
    ctx.set_environ(Some(snapshot(&["TRACEPARENT=old", "KEEP=1", &debug])));
    let tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    ctx.set_trace(TraceContext {
        traceparent: Some(tp.into()),
        tracestate: None,
        baggage: None,
    });
    let got = seen(&d, &ctx, &DelegateArgs::new("ADD"));
    let trace = format!("TRACEPARENT={tp}");
    assert_eq!(got, ["KEEP=1", &debug, "CNI_COMMAND=ADD", &trace]);
}

#[test]
fn an_explicit_environment_ignores_the_snapshot() {
    let d = Debug::empty();
    let ctx = Context::new();
    ctx.set_environ(Some(snapshot(&["SNAP=1"])));
    let debug = format!("CNI_TEST_PLUGIN_DEBUG={}", d.file.display());
    let explicit = cniinvoke::ExplicitEnv(vec!["ONLY=this".into(), debug.clone()]);
    assert_eq!(seen(&d, &ctx, &explicit), ["ONLY=this", &debug]);
}

#[test]
fn every_plugin_of_a_list_inherits_the_snapshot() {
    let net = Net::new();
    let recorded = |name: &str| {
        let record = net.dir.path().join(format!("{name}.json"));
        let plugin = json!({"type": name, "debug": {"commands": {
            "ADD": {"record": record, "chainResult": true},
            "DEL": {"record": record}}}});
        (plugin, record)
    };
    let (alpha, alpha_rec) = recorded("alpha");
    let (beta, beta_rec) = recorded("beta");
    let list = net.list("net1", "1.0.0", vec![alpha, beta]);
    let ctx = Context::new();
    ctx.set_environ(Some(snapshot(&["LIST_SNAPSHOT=yes"])));
    let rt = net.rt("ctr1");
    let read = |p: &std::path::Path| {
        env_list(&serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
    };
    net.cfg().add_network_list(&ctx, &list, &rt).unwrap();
    for rec in [&alpha_rec, &beta_rec] {
        let got = read(rec);
        assert_eq!(got[0], "LIST_SNAPSHOT=yes", "{got:?}");
        assert!(got.contains(&"CNI_COMMAND=ADD".to_string()), "{got:?}");
        assert!(!got.iter().any(|kv| kv.starts_with("PATH=")), "{got:?}");
    }
    net.cfg().del_network_list(&ctx, &list, &rt).unwrap();
    for rec in [&alpha_rec, &beta_rec] {
        assert_eq!(read(rec)[0], "LIST_SNAPSHOT=yes");
    }
}

#[test]
fn a_delegate_is_found_on_the_snapshots_cni_path_and_inherits_it() {
    let bin = libcni_support::tempdir();
    std::os::unix::fs::symlink(libcni_support::plugin(), bin.path().join("ipam-x")).unwrap();
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec")}));
    let debug = format!("CNI_TEST_PLUGIN_DEBUG={}", d.file.display());
    let path = format!("CNI_PATH=/nonexistent:{}", bin.path().display());
    let ctx = Context::new();
    ctx.set_environ(Some(snapshot(&[&path, "CNI_COMMAND=ADD", &debug])));
    let conf = br#"{"cniVersion":"1.0.0","name":"n","type":"ipam-x"}"#;
    cniinvoke::delegate_del(&ctx, "ipam-x", conf, None).unwrap();
    assert_eq!(
        env_list(&d.record("rec")),
        [&path, "CNI_COMMAND=DEL", &debug]
    );
    // This process's CNI_PATH (unset, or some other) does not have it.
    let lost = cniinvoke::delegate_del(&Context::new(), "ipam-x", conf, None).unwrap_err();
    assert!(
        matches!(lost, Error::NotFound(_) | Error::InvalidArgument(_)),
        "{lost:?}"
    );
}
