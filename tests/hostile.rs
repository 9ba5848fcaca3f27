//! Hostile input: nesting far beyond any stack, huge documents, names and
//! environments that cannot reach a process, CNI_ARGS smuggling. Each must
//! end in a clear error (or a correct answer), never a crash. These run on
//! the default 2 MiB test-thread stack on purpose.

mod common;

use cniinvoke::types::{decode_version, CniResult};
use cniinvoke::{
    exec_plugin_with_result, find_in_path, get_version_info, Args, CniArgs, Context, Error, Exec,
    PluginInfo,
};
use serde_json::json;

/// An `Exec` that prints fixed bytes, whatever it is asked.
struct Prints(Vec<u8>);

impl Exec for Prints {
    fn exec_plugin(
        &self,
        _: &Context,
        _: &str,
        _: &[u8],
        _: Option<&[String]>,
    ) -> cniinvoke::Result<Vec<u8>> {
        Ok(self.0.clone())
    }
}

fn deep(n: usize) -> Vec<u8> {
    vec![b'['; n]
}

fn args() -> Args {
    Args {
        command: "ADD".into(),
        container_id: "c".into(),
        netns: "/n".into(),
        if_name: "eth0".into(),
        path: "/p".into(),
        ..Args::default()
    }
}

#[test]
fn nesting_100k_deep_is_a_decode_error_everywhere() {
    let bomb = deep(100_000);
    let depth = "invalid character '[' exceeded max depth";

    // As a network configuration.
    let e = decode_version(&bomb).unwrap_err();
    assert_eq!(
        e,
        Error::Decode(format!("decoding version from network config: {depth}"))
    );
    let mut in_field = br#"{"cniVersion":"1.0.0","x":"#.to_vec();
    in_field.extend(b"{\"a\":".repeat(100_000));
    assert!(
        matches!(decode_version(&in_field), Err(Error::Decode(m)) if m.ends_with("invalid character '{' exceeded max depth"))
    );
    let ok = Prints(br#"{"cniVersion":"1.0.0"}"#.to_vec());
    let e = exec_plugin_with_result(&Context::background(), "/p", &bomb, &args(), Some(&ok));
    assert!(matches!(e, Err(Error::Decode(_))), "{e:?}");

    // As a result, parsed directly and as a plugin's stdout.
    for v in cniinvoke::types::ALL_VERSIONS {
        assert_eq!(
            CniResult::create(v, &bomb),
            Err(Error::Decode(depth.into()))
        );
    }
    assert!(matches!(CniResult::from_json(&bomb), Err(Error::Decode(_))));
    let conf = br#"{"cniVersion":"1.0.0","name":"n","type":"t"}"#;
    for stdout in [bomb.clone(), in_field.clone()] {
        let e = exec_plugin_with_result(
            &Context::background(),
            "/p",
            conf,
            &args(),
            Some(&Prints(stdout)),
        );
        assert!(matches!(e, Err(Error::Decode(_))), "{e:?}");
    }

    // As a VERSION report.
    assert_eq!(
        PluginInfo::decode(&bomb),
        Err(Error::Decode(format!("decoding version info: {depth}")))
    );
    let e = get_version_info(&Context::background(), "/p", Some(&Prints(bomb.clone())));
    assert!(matches!(e, Err(Error::Decode(_))), "{e:?}");

    // As a plugin's error output.
    assert!(matches!(
        cniinvoke::CniError::from_json(&bomb),
        Err(Error::Decode(_))
    ));
    assert!(serde_json::from_slice::<cniinvoke::CniError>(&bomb).is_err());
}

#[test]
fn nesting_at_go_limit_still_decodes() {
    // Go accepts 10000 levels: an unknown member that deep is skipped.
    let mut conf = br#"{"cniVersion":"0.4.0","x":"#.to_vec();
    conf.extend(b"[".repeat(9_999));
    conf.extend(b"]".repeat(9_999));
    conf.push(b'}');
    assert_eq!(decode_version(&conf).unwrap(), "0.4.0");
}

#[test]
fn fifty_megabyte_strings_are_handled() {
    let big = "x".repeat(50 << 20);
    let conf = json!({"cniVersion": "1.0.0", "name": "n", "type": "t", "blob": big}).to_string();
    assert_eq!(decode_version(conf.as_bytes()).unwrap(), "1.0.0");

    let result = json!({
        "cniVersion": "1.0.0",
        "ips": [{"address": "10.0.0.2/24"}],
        "dns": {"domain": big},
    })
    .to_string();
    let r = CniResult::create("1.0.0", result.as_bytes()).unwrap();
    let out = r.to_json();
    assert!(out.len() > 50 << 20);
    assert_eq!(CniResult::from_json(out.as_bytes()).unwrap(), r);

    // End to end: a 50 MB netconf into the test plugin, echoed back as a
    // 50 MB result (under the 64 MiB output cap).
    let d = common::Debug::new(json!({"echoStdin": true}));
    let conf = result.replace("\"1.0.0\"", "\"1.1.0\"");
    let got = exec_plugin_with_result(
        &Context::with_timeout(std::time::Duration::from_secs(120)),
        common::plugin(),
        conf.as_bytes(),
        &d.args("ADD"),
        Some(&common::quiet()),
    )
    .unwrap();
    assert_eq!(got.cni_version(), "1.1.0");
    assert!(got.to_json().len() > 50 << 20);
}

#[test]
fn plugin_names_with_separators_or_nul_get_clear_errors() {
    let paths = ["/usr/lib/cni", "/opt/cni/bin"];
    for name in ["../bin/sh", "a/b", "/bin/sh"] {
        assert_eq!(
            find_in_path(name, &paths),
            Err(Error::InvalidArgument(format!(
                "invalid plugin name: {name}"
            )))
        );
    }
    assert_eq!(
        find_in_path("bridge\0x", &paths),
        Err(Error::NotFound(
            r#"failed to find plugin "bridge\x00x" in path [/usr/lib/cni /opt/cni/bin]"#.into()
        ))
    );
    assert!(matches!(
        find_in_path("bridge", &["/usr\0/lib/cni"]),
        Err(Error::NotFound(_))
    ));

    let raw = common::quiet();
    let ctx = Context::background();
    let e = raw
        .exec_plugin(&ctx, "/bin/true\0--evil", b"", None)
        .unwrap_err();
    assert_eq!(
        e,
        Error::InvalidArgument(r#"plugin path "/bin/true\0--evil" contains a NUL byte"#.into())
    );
    let e = raw
        .exec_plugin(&ctx, "/nonexistent/../x/plugin", b"", None)
        .unwrap_err();
    assert_eq!(
        e,
        Error::ExecFailed(
            "netplugin failed with no error message: fork/exec /nonexistent/../x/plugin: no such file or directory"
                .into()
        )
    );
}

#[test]
fn environment_entries_with_nul_are_refused_before_spawning() {
    let d = common::Debug::empty();
    let record = d.path("record.json");
    d.set(json!({"record": record}));
    let mut env = d.env("ADD");
    env.push("EVIL=a\0LD_PRELOAD=/tmp/x.so".into());
    let e = common::quiet()
        .exec_plugin(&Context::background(), common::plugin(), b"{}", Some(&env))
        .unwrap_err();
    assert_eq!(
        e,
        Error::InvalidArgument(
            r#"environment entry "EVIL=a\0LD_PRELOAD=/tmp/x.so" contains a NUL byte"#.into()
        )
    );
    assert!(!std::path::Path::new(&record).exists(), "the plugin ran");
}

#[test]
fn cni_args_smuggling_is_refused_and_never_reaches_the_plugin() {
    let d = common::Debug::empty();
    let record = d.path("record.json");
    d.set(json!({"record": record, "result": common::result_100()}));
    let smuggle = |k: &str, v: &str| Args {
        plugin_args_str: String::new(),
        plugin_args: vec![
            ("DEBUG".into(), d.file.to_string_lossy().into_owned()),
            (k.into(), v.into()),
        ],
        ..d.args("ADD")
    };
    for (k, v) in [
        ("K8S_POD_NAME", "web;DEBUG=/etc/evil.json"),
        ("K8S_POD_NAME;DEBUG", "/etc/evil.json"),
        ("K8S_POD_NAME=web;DEBUG", "/etc/evil.json"),
        ("", "x"),
        ("K", "v\0"),
    ] {
        let a = smuggle(k, v);
        assert!(
            matches!(a.validate(), Err(Error::InvalidArgument(_))),
            "{k:?}={v:?}"
        );
        let e = exec_plugin_with_result(
            &Context::background(),
            common::plugin(),
            br#"{"cniVersion":"1.0.0"}"#,
            &a,
            Some(&common::quiet()),
        );
        assert!(matches!(e, Err(Error::InvalidArgument(_))), "{e:?}");
        assert!(!std::path::Path::new(&record).exists(), "the plugin ran");
    }

    // A faithful pair set reaches the plugin as exactly those pairs.
    let a = smuggle("K8S_POD_NAME", "web=0");
    exec_plugin_with_result(
        &Context::background(),
        common::plugin(),
        br#"{"cniVersion":"1.0.0"}"#,
        &a,
        Some(&common::quiet()),
    )
    .unwrap();
    let seen = d.record("record.json")["env"]["CNI_ARGS"].clone();
    assert_eq!(
        seen,
        json!(format!("DEBUG={};K8S_POD_NAME=web=0", d.file.display()))
    );
    assert_eq!(
        a.as_env()
            .unwrap()
            .iter()
            .filter(|kv| kv.starts_with("CNI_ARGS="))
            .count(),
        1
    );
}
