//! The glue above the `Exec` seam (upstream `exec.go`), tested with fakes as
//! upstream does, and end to end with the test plugin.

mod common;

use cniinvoke::version::PluginInfo;
use cniinvoke::{
    exec_plugin_with_result, exec_plugin_without_result, get_version_info, Args, Context, Error,
    Exec,
};
use common::{plugin, quiet, Debug};
use serde_json::json;
use std::sync::Mutex;

/// One recorded call: plugin path, stdin, environment.
type Call = (String, Vec<u8>, Option<Vec<String>>);

/// Upstream's fake: returns canned stdout (or error) and records the call.
#[derive(Default)]
struct FakeExec {
    stdout: Vec<u8>,
    error: Option<Error>,
    decoded: Option<PluginInfo>,
    calls: Mutex<Vec<Call>>,
}

impl FakeExec {
    fn returning(stdout: &str) -> FakeExec {
        FakeExec {
            stdout: stdout.as_bytes().to_vec(),
            ..Default::default()
        }
    }
}

impl Exec for FakeExec {
    fn exec_plugin(
        &self,
        _ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        environ: Option<&[String]>,
    ) -> cniinvoke::Result<Vec<u8>> {
        self.calls.lock().unwrap().push((
            plugin_path.into(),
            stdin_data.to_vec(),
            environ.map(|e| e.to_vec()),
        ));
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(self.stdout.clone()),
        }
    }

    fn decode(&self, json: &[u8]) -> cniinvoke::Result<PluginInfo> {
        match &self.decoded {
            Some(p) => Ok(p.clone()),
            None => PluginInfo::decode(json),
        }
    }
}

fn add() -> Args {
    Args {
        command: "ADD".into(),
        container_id: "c".into(),
        netns: "/ns".into(),
        if_name: "eth0".into(),
        path: "/opt/cni/bin".into(),
        ..Default::default()
    }
}

fn with_result(conf: &str, stdout: &str) -> cniinvoke::Result<cniinvoke::types::CniResult> {
    let fake = FakeExec::returning(stdout);
    exec_plugin_with_result(
        &Context::background(),
        "/p",
        conf.as_bytes(),
        &add(),
        Some(&fake),
    )
}

#[test]
fn result_without_version_takes_the_configs() {
    let stdout = r#"{"ips":[{"version":"4","address":"10.0.0.2/24"}]}"#;
    let r = with_result(r#"{"cniVersion":"0.4.0"}"#, stdout).unwrap();
    assert_eq!(r.cni_version(), "0.4.0");
    // The rest of the result is kept as it was.
    assert_eq!(
        r.to_json(),
        r#"{"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.0.0.2/24"}],"dns":{}}"#
    );
    let r = with_result(
        r#"{"cniVersion":"0.4.0"}"#,
        r#"{"cniVersion":"","ips":[{"address":"10.0.0.3/24"}]}"#,
    )
    .unwrap();
    assert_eq!(r.cni_version(), "0.4.0");
    assert_eq!(
        r.to_json(),
        r#"{"cniVersion":"0.4.0","ips":[{"version":"","address":"10.0.0.3/24"}],"dns":{}}"#
    );
}

#[test]
fn config_without_version_means_0_1_0() {
    let r = with_result(r#"{"name":"x"}"#, r#"{"ip4":{"ip":"10.0.0.2/24"}}"#).unwrap();
    assert_eq!(r.cni_version(), "0.1.0");
    let r = with_result(r#"{"cniVersion":""}"#, "null").unwrap();
    assert_eq!(r.cni_version(), "0.1.0");
}

#[test]
fn result_version_wins_over_the_configs() {
    let r = with_result(
        r#"{"cniVersion":"0.4.0"}"#,
        r#"{"cniVersion":"1.0.0","ips":[]}"#,
    )
    .unwrap();
    assert_eq!(r.cni_version(), "1.0.0");
}

#[test]
fn unknown_result_version_is_named() {
    let e = with_result(r#"{"cniVersion":"1.0.0"}"#, r#"{"cniVersion":"9.9.9"}"#).unwrap_err();
    assert_eq!(
        e,
        Error::UnsupportedVersion(r#"unsupported CNI result version "9.9.9""#.into())
    );
    let e = with_result(r#"{"cniVersion":"7.0.0"}"#, "{}").unwrap_err();
    assert_eq!(
        e,
        Error::UnsupportedVersion(r#"unsupported CNI result version "7.0.0""#.into())
    );
}

#[test]
fn undecodable_config_is_a_decode_error() {
    let e = with_result("{not json", "{}").unwrap_err();
    assert!(
        matches!(&e, Error::Decode(m) if m.starts_with("decoding version from network config: ")),
        "{e:?}"
    );
    let e = with_result(r#"{"cniVersion":1}"#, "{}").unwrap_err();
    assert!(
        matches!(&e, Error::Decode(m) if m.starts_with("decoding version from network config: ")),
        "{e:?}"
    );
}

#[test]
fn undecodable_result_is_a_decode_error_in_gos_words() {
    for (bad, why) in [
        ("", "unexpected end of JSON input"),
        (
            "garbage",
            "invalid character 'g' looking for beginning of value",
        ),
        (
            "[1,2]",
            "json: cannot unmarshal array into Go value of type map[string]interface {}",
        ),
        (
            "\"str\"",
            "json: cannot unmarshal string into Go value of type map[string]interface {}",
        ),
    ] {
        let e = with_result(r#"{"cniVersion":"1.0.0"}"#, bad).unwrap_err();
        assert_eq!(
            e,
            Error::Decode(format!("failed to unmarshal raw result: {why}")),
            "{bad:?}"
        );
    }
}

#[test]
fn the_call_gets_the_config_on_stdin_and_the_args_environment() {
    let fake = FakeExec::returning("{}");
    let conf = br#"{"cniVersion":"1.0.0","name":"n"}"#;
    exec_plugin_without_result(
        &Context::background(),
        "/the/plugin",
        conf,
        &add(),
        Some(&fake),
    )
    .unwrap();
    let calls = fake.calls.lock().unwrap();
    let (path, stdin, env) = &calls[0];
    assert_eq!(path, "/the/plugin");
    assert_eq!(stdin, conf);
    let env = env.as_ref().unwrap();
    for kv in [
        "CNI_COMMAND=ADD",
        "CNI_CONTAINERID=c",
        "CNI_NETNS=/ns",
        "CNI_IFNAME=eth0",
        "CNI_PATH=/opt/cni/bin",
        "CNI_ARGS=",
    ] {
        assert!(env.iter().any(|e| e == kv), "{kv} missing");
    }
}

#[test]
fn without_result_ignores_stdout_but_not_errors() {
    let fake = FakeExec::returning("this is not json");
    exec_plugin_without_result(&Context::background(), "/p", b"{}", &add(), Some(&fake)).unwrap();
    let fake = FakeExec {
        error: Some(Error::Plugin(cniinvoke::types::CniError::new(
            3, "gone", "",
        ))),
        ..Default::default()
    };
    let e = exec_plugin_without_result(&Context::background(), "/p", b"{}", &add(), Some(&fake))
        .unwrap_err();
    assert_eq!(e.to_string(), "gone");
}

#[test]
fn inherited_args_pass_no_environment() {
    let fake = FakeExec::returning("{}");
    exec_plugin_without_result(
        &Context::background(),
        "/p",
        b"{}",
        &cniinvoke::args_from_env(),
        Some(&fake),
    )
    .unwrap();
    assert_eq!(fake.calls.lock().unwrap()[0].2, None);
}

#[test]
fn version_probe_sends_what_old_plugins_need() {
    let fake =
        FakeExec::returning(r#"{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}"#);
    let info = get_version_info(&Context::background(), "/p", Some(&fake)).unwrap();
    assert_eq!(info.supported_versions(), ["0.4.0", "1.0.0"]);
    let calls = fake.calls.lock().unwrap();
    let (_, stdin, env) = &calls[0];
    assert_eq!(stdin, br#"{"cniVersion":"1.1.0"}"#);
    let env = env.as_ref().unwrap();
    for kv in [
        "CNI_COMMAND=VERSION",
        "CNI_NETNS=dummy",
        "CNI_IFNAME=dummy",
        "CNI_PATH=dummy",
    ] {
        assert!(env.iter().any(|e| e == kv), "{kv} missing");
    }
}

#[test]
fn version_probe_uses_the_execs_decoder() {
    let fake = FakeExec {
        stdout: b"ignored".to_vec(),
        decoded: Some(PluginInfo::supports(&["0.3.1"])),
        ..Default::default()
    };
    let info = get_version_info(&Context::background(), "/p", Some(&fake)).unwrap();
    assert_eq!(info.supported_versions(), ["0.3.1"]);
}

#[test]
fn plugin_too_old_for_version_supports_0_1_0() {
    let fake = FakeExec {
        error: Some(Error::Plugin(cniinvoke::types::CniError::new(
            4,
            "unknown CNI_COMMAND: VERSION",
            "",
        ))),
        ..Default::default()
    };
    let info = get_version_info(&Context::background(), "/p", Some(&fake)).unwrap();
    assert_eq!(info.supported_versions(), ["0.1.0"]);
    // Any other failure is passed on.
    let fake = FakeExec {
        error: Some(Error::Plugin(cniinvoke::types::CniError::new(
            4,
            "unknown CNI_COMMAND: VERSION",
            "x",
        ))),
        ..Default::default()
    };
    assert!(get_version_info(&Context::background(), "/p", Some(&fake)).is_err());
}

#[test]
fn version_report_errors_are_decode_errors() {
    let fake = FakeExec::returning(r#"{"cniVersion":"1.0.0"}"#);
    let e = get_version_info(&Context::background(), "/p", Some(&fake)).unwrap_err();
    assert_eq!(
        e,
        Error::Decode("decoding version info: missing field supportedVersions".into())
    );
}

// ---- end to end with the test plugin ----

#[test]
fn real_plugin_reports_its_versions() {
    let exec = quiet();
    let info = get_version_info(&Context::background(), plugin(), Some(&exec)).unwrap();
    assert_eq!(info.supported_versions(), cniinvoke::types::ALL_VERSIONS);
}

#[test]
fn real_plugin_without_version_support_falls_back() {
    let d = Debug::new(
        json!({"commands": {"VERSION": {"error": {"code": 4, "msg": "unknown CNI_COMMAND: VERSION"}}}}),
    );
    // The probe's own CNI_ARGS is empty, so point the plugin at its script
    // through an exec that adds it.
    struct WithScript<'a>(&'a Debug, cniinvoke::RawExec);
    impl Exec for WithScript<'_> {
        fn exec_plugin(
            &self,
            ctx: &Context,
            p: &str,
            stdin: &[u8],
            env: Option<&[String]>,
        ) -> cniinvoke::Result<Vec<u8>> {
            let mut env = env.unwrap().to_vec();
            env.push(format!("CNI_TEST_PLUGIN_DEBUG={}", self.0.file.display()));
            self.1.exec_plugin(ctx, p, stdin, Some(&env))
        }
    }
    let info = get_version_info(
        &Context::background(),
        plugin(),
        Some(&WithScript(&d, quiet())),
    )
    .unwrap();
    assert_eq!(info.supported_versions(), ["0.1.0"]);
}

#[test]
fn real_plugin_add_in_every_version() {
    let exec = quiet();
    for v in cniinvoke::types::ALL_VERSIONS {
        let conf = format!(r#"{{"cniVersion":"{v}","name":"net","type":"cni-test-plugin"}}"#);
        let r = exec_plugin_with_result(
            &Context::background(),
            plugin(),
            conf.as_bytes(),
            &add(),
            Some(&exec),
        )
        .unwrap();
        assert_eq!(r.cni_version(), v);
        assert!(r.to_json().contains("10.1.2.3/24"), "{v}: {}", r.to_json());
    }
}

#[test]
fn default_exec_is_used_when_none_is_given() {
    let conf = br#"{"cniVersion":"1.0.0","name":"net"}"#;
    let r = exec_plugin_with_result(&Context::background(), plugin(), conf, &add(), None).unwrap();
    assert_eq!(r.cni_version(), "1.0.0");
    let info = get_version_info(&Context::background(), plugin(), None).unwrap();
    assert_eq!(info.cni_version(), "1.1.0");
}

#[test]
fn args_that_would_smuggle_pairs_are_refused_before_running() {
    let fake = FakeExec::returning("{}");
    let mut a = add();
    a.plugin_args = vec![("K8S_POD_NAME".into(), "web;IgnoreUnknown=0".into())];
    let e = exec_plugin_without_result(&Context::background(), "/p", b"{}", &a, Some(&fake))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let e = with_result_args(&a, &fake).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    assert!(fake.calls.lock().unwrap().is_empty(), "nothing ran");
}

fn with_result_args(a: &Args, fake: &FakeExec) -> cniinvoke::Result<cniinvoke::types::CniResult> {
    exec_plugin_with_result(&Context::background(), "/p", b"{}", a, Some(fake))
}

// ---- fault injection: output cut mid-JSON, invalid UTF-8 on stdout ----

#[test]
fn a_result_cut_mid_json_is_a_decode_error() {
    let d = Debug::new(json!({"stdout": r#"{"cniVersion":"1.0.0","ips":[{"addre"#}));
    let e = exec_plugin_with_result(
        &Context::background(),
        plugin(),
        b"{\"cniVersion\":\"1.0.0\"}",
        &d.args("ADD"),
        Some(&quiet()),
    )
    .unwrap_err();
    assert_eq!(
        e,
        Error::Decode("failed to unmarshal raw result: unexpected end of JSON input".into())
    );
}

#[test]
fn an_error_cut_mid_json_is_reported_with_the_raw_output() {
    let d = Debug::new(json!({"stdout": r#"{"code":7,"msg":"bad"#, "exitCode": 1}));
    let e = exec_plugin_without_result(
        &Context::background(),
        plugin(),
        b"{}",
        &d.args("DEL"),
        Some(&quiet()),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"netplugin failed but error parsing its diagnostic message "{\"code\":7,\"msg\":\"bad": unexpected end of JSON input"#
    );
}

#[test]
fn invalid_utf8_in_a_result_becomes_the_replacement_character_as_in_go() {
    let dir = common::tempdir();
    let script = dir.path().join("latin1");
    std::fs::write(
        &script,
        "#!/bin/sh\ncat >/dev/null\nprintf '{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"caf\\351\"}]}'\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let r = exec_plugin_with_result(
        &Context::background(),
        script.to_str().unwrap(),
        b"{}",
        &add(),
        Some(&quiet()),
    )
    .unwrap();
    assert_eq!(
        r.to_json(),
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"caf\u{fffd}\"}]}"
    );
}

/// The process runners behind the `Exec` trait return the plugin's stdout,
/// through either entry point (a caller's own Exec wrapping one reaches
/// them this way).
#[test]
fn process_runners_through_the_exec_trait_return_stdout() {
    let d = Debug::new(json!({"stdout": "out-of-plugin"}));
    let env = d.env("ADD");
    let plugin_env = cniinvoke::PluginEnv::Entries(env.clone());
    let default = cniinvoke::DefaultExec::new();
    let runners: [(&str, &dyn Exec); 2] = [("RawExec", &quiet()), ("DefaultExec", &default)];
    for (what, exec) in runners {
        let ctx = Context::background();
        let out = exec.exec_plugin(&ctx, plugin(), b"{}", Some(&env)).unwrap();
        assert_eq!(out, b"out-of-plugin", "{what}: exec_plugin");
        let out = exec
            .exec_plugin_env(&ctx, plugin(), b"{}", &plugin_env)
            .unwrap();
        assert_eq!(out, b"out-of-plugin", "{what}: exec_plugin_env");
    }
}

/// The process runner decodes the configuration's version and the result
/// while the plugin runs; the call still reports what it reported when it
/// decoded after: the plugin's failure before any decode error, a decode
/// error only from a plugin that succeeded, nothing decoded early from a
/// plugin that fails after closing its stdout.
#[test]
fn decoding_while_the_plugin_runs_keeps_the_errors_and_their_order() {
    let exec = quiet();
    let call = |d: &Debug, conf: &[u8]| {
        exec_plugin_with_result(
            &Context::background(),
            plugin(),
            conf,
            &d.args("ADD"),
            Some(&exec),
        )
    };
    let d = Debug::new(json!({"readStdin": false, "exitCode": 3}));
    let e = call(&d, b"{oops").unwrap_err();
    assert_eq!(
        e.to_string(),
        "netplugin failed with no error message: exit status 3"
    );
    d.set(json!({"readStdin": false, "stdout": "{}"}));
    let e = call(&d, b"{oops").unwrap_err();
    assert_eq!(
        e.to_string(),
        "decoding version from network config: invalid character 'o' looking for beginning of object key string"
    );
    // A valid result, stdout closed, then a failure: the failure, even
    // though the result was decoded before the exit.
    let conf = br#"{"cniVersion":"1.0.0","name":"n"}"#;
    let result = json!({"cniVersion": "1.0.0", "ips": [{"address": "10.1.2.3/24"}]}).to_string();
    d.set(
        json!({"readStdin": false, "stdout": result, "closeStdoutAndSleepMs": 50, "exitCode": 4}),
    );
    assert!(matches!(call(&d, conf), Err(Error::Plugin(_))));
    // The same plugin exiting 0: that result.
    d.set(json!({"readStdin": false, "stdout": result, "closeStdoutAndSleepMs": 50}));
    let r = call(&d, conf).unwrap();
    assert!(r.to_json().contains("10.1.2.3/24"), "{}", r.to_json());
    // An undecodable result from a plugin that closes its stdout early:
    // the decode error, in Go's words, once the plugin has exited 0.
    d.set(json!({"readStdin": false, "stdout": "[1,", "closeStdoutAndSleepMs": 50}));
    let e = call(&d, conf).unwrap_err();
    assert_eq!(
        e.to_string(),
        "failed to unmarshal raw result: unexpected end of JSON input"
    );
}
