//! Delegation (upstream `delegate.go`): the delegate is found on this
//! process's CNI_PATH and runs with this process's environment and the verb
//! as CNI_COMMAND. One test, since it changes the process environment.

mod common;

use cniinvoke::{
    delegate, delegate_add, delegate_check, delegate_del, delegate_gc, delegate_status, Context,
    Error, Verb,
};
use common::Debug;
use serde_json::json;

#[test]
fn delegation() {
    let bin = common::tempdir();
    std::os::unix::fs::symlink(common::plugin(), bin.path().join("ipam-plugin")).unwrap();
    let d = Debug::empty();
    d.set(json!({
        "record": d.path("rec"),
        "recordAppend": d.path("log"),
        "commands": {"ADD": {"result": {"cniVersion": "1.0.0", "ips": [{"address": "10.9.0.5/16"}]}}}
    }));
    std::env::set_var("CNI_PATH", format!("/nonexistent:{}", bin.path().display()));
    std::env::set_var("CNI_COMMAND", "ADD");
    std::env::set_var("CNI_IFNAME", "eth7");
    std::env::set_var("CNI_TEST_PLUGIN_DEBUG", &d.file);
    let ctx = Context::background();
    let conf = br#"{"cniVersion":"1.0.0","name":"n","type":"ipam-plugin"}"#;

    std::env::set_var("CNI_COMMAND", "DEL");
    let r = delegate_add(&ctx, "ipam-plugin", conf, Some(&common::quiet())).unwrap();
    assert_eq!(r.cni_version(), "1.0.0");
    let rec = d.record("rec");
    assert_eq!(
        rec["env"]["CNI_COMMAND"], "ADD",
        "the verb overrides the parent's command"
    );
    assert_eq!(rec["env"]["CNI_IFNAME"], "eth7", "the rest is inherited");
    assert_eq!(rec["stdin"], std::str::from_utf8(conf).unwrap());

    delegate_check(&ctx, "ipam-plugin", conf, Some(&common::quiet())).unwrap();
    delegate_del(&ctx, "ipam-plugin", conf, Some(&common::quiet())).unwrap();
    delegate_status(&ctx, "ipam-plugin", conf, Some(&common::quiet())).unwrap();
    delegate_gc(&ctx, "ipam-plugin", conf, None).unwrap();
    let log = std::fs::read_to_string(d.path("log")).unwrap();
    assert_eq!(log, "ADD\nCHECK\nDEL\nSTATUS\nGC\n");

    // The one function behind them: a result for ADD only.
    std::fs::remove_file(d.path("log")).unwrap();
    for verb in Verb::ALL {
        let r = delegate(&ctx, verb, "ipam-plugin", conf, Some(&common::quiet())).unwrap();
        assert_eq!(r.is_some(), verb == Verb::Add, "{verb}");
        assert_eq!(verb.as_str().parse::<Verb>().unwrap(), verb);
        assert_eq!(verb.to_string(), verb.as_str());
    }
    let log = std::fs::read_to_string(d.path("log")).unwrap();
    assert_eq!(log, "ADD\nCHECK\nDEL\nSTATUS\nGC\n");
    assert_eq!(
        "add".parse::<Verb>().unwrap_err(),
        Error::InvalidArgument(
            r#"unknown delegate verb "add": expected ADD, CHECK, DEL, STATUS or GC"#.into()
        )
    );

    let e = delegate_del(&ctx, "missing", conf, None).unwrap_err();
    assert_eq!(
        e,
        Error::NotFound(format!(
            r#"failed to find plugin "missing" in path [/nonexistent {}]"#,
            bin.path().display()
        ))
    );
    std::env::set_var("CNI_PATH", "");
    assert_eq!(
        delegate_check(&ctx, "ipam-plugin", conf, None).unwrap_err(),
        Error::InvalidArgument("no paths provided".into())
    );
    std::env::remove_var("CNI_PATH");
    assert_eq!(
        delegate_gc(&ctx, "ipam-plugin", conf, None).unwrap_err(),
        Error::InvalidArgument("no paths provided".into())
    );

    // A delegate's own error comes back as it is.
    std::env::set_var("CNI_PATH", bin.path());
    d.set(json!({"error": {"code": 11, "msg": "try again later"}}));
    let e = delegate_add(&ctx, "ipam-plugin", conf, Some(&common::quiet())).unwrap_err();
    assert!(matches!(e, Error::Plugin(ref c) if c.code == 11), "{e:?}");
}
