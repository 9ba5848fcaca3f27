//! A plugin run with `Args` or `DelegateArgs` gets exactly what their
//! `as_env()` answers, whatever this process's environment holds. The
//! process runner builds that environment straight from `environ` when the
//! names are distinct and UTF-8, and through `as_env()` otherwise; each case
//! below re-runs this test binary with a crafted environment (`posix_spawn`
//! with an explicit `envp`, so that a name can appear twice) and the child
//! compares what the test plugin recorded with `as_env()`.

mod common;

use cniinvoke::{exec_plugin_without_result, Args, CniArgs, Context, DelegateArgs, TraceContext};
use common::{plugin, Debug};
use serde_json::json;
use std::ffi::CString;

const CHILD: &str = "ENV_OVERLAY_CHILD";
const CONF: &[u8] = br#"{"cniVersion":"1.0.0","name":"n","type":"cni-test-plugin"}"#;

/// Run the test plugin with `args`, compare its environment with
/// `args.as_env()` and return it.
fn plugin_sees_as_env(d: &Debug, what: &str, args: &dyn CniArgs) -> Vec<String> {
    d.set(json!({"record": d.path("rec")}));
    let ctx = Context::background();
    exec_plugin_without_result(&ctx, plugin(), CONF, args, None).unwrap();
    let want = args.as_env().unwrap();
    assert_eq!(d.record("rec")["envList"], json!(want), "{what}");
    want
}

/// The child's half: both argument kinds against this environment.
#[test]
fn child() {
    let Ok(case) = std::env::var(CHILD) else {
        return;
    };
    if case == "traced" {
        return traced_child();
    }
    let d = Debug::empty();
    let args = Args {
        netns: "/var/run/netns/x".into(),
        ..d.args("ADD")
    };
    let env = plugin_sees_as_env(&d, &format!("{case}: Args"), &args);
    // What the merge promises, in each case's terms (PATH comes first).
    let expect: &[&str] = match case.as_str() {
        "distinct" => &["A=1", "CNI_IFNAME=eth0", "B=2", "CNI_COMMAND=ADD"],
        "twice" => &["A=2", "CNI_NETNS=/var/run/netns/x", "B=3"],
        "not-utf8" => &["A=\u{fffd}\u{fffd}", "B=2", "C\u{fffd}=x"],
        "no-equals" => &["LONELY", "A=1"],
        other => panic!("unknown case {other}"),
    };
    assert_eq!(&env[1..=expect.len()], expect, "{case}: {env:?}");
    // The same names again, then the environment changed between runs
    // (a value, a variable added, one removed): each run sees it as it is
    // then, whatever the runner remembered of the one before.
    plugin_sees_as_env(&d, &format!("{case}: Args again"), &args);
    std::env::set_var("A", "changed");
    plugin_sees_as_env(&d, &format!("{case}: A changed"), &args);
    std::env::set_var("CNI_ADDED", "1");
    let env = plugin_sees_as_env(&d, &format!("{case}: a variable added"), &args);
    assert!(env.iter().any(|kv| kv == "CNI_ADDED=1"), "{case}: {env:?}");
    std::env::remove_var("CNI_ADDED");
    std::env::remove_var("A");
    let env = plugin_sees_as_env(&d, &format!("{case}: two removed"), &args);
    assert!(
        !env.iter().any(|kv| kv.starts_with("A=")),
        "{case}: {env:?}"
    );
    std::env::set_var("CNI_TEST_PLUGIN_DEBUG", &d.file);
    let env = plugin_sees_as_env(
        &d,
        &format!("{case}: DelegateArgs"),
        &DelegateArgs::new("DEL"),
    );
    assert_eq!(
        env.iter()
            .filter(|kv| kv.starts_with("CNI_COMMAND="))
            .count(),
        1
    );
}

const TRACEPARENT: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

/// The traced case's child: a context's trace parent replaces the
/// inherited one, appended after the CNI variables; a bare `TRACESTATE`
/// (no `=`, no value) is an entry of its own and stays.
fn traced_child() {
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec")}));
    let ctx = Context::new();
    ctx.set_trace(TraceContext {
        traceparent: Some(TRACEPARENT.into()),
        tracestate: None,
        baggage: None,
    });
    exec_plugin_without_result(&ctx, plugin(), CONF, &d.args("ADD"), None).unwrap();
    let list = d.env_list("rec");
    let list: Vec<&str> = list.iter().map(String::as_str).collect();
    let traced: Vec<&str> = list
        .iter()
        .copied()
        .filter(|e| e.starts_with("TRACEPARENT"))
        .collect();
    let want = format!("TRACEPARENT={TRACEPARENT}");
    assert_eq!(traced, [want.as_str()], "{list:?}");
    assert_eq!(list.last(), Some(&want.as_str()), "{list:?}");
    assert_eq!(&list[1..4], ["A=1", "TRACESTATE", "B=2"], "{list:?}");
}

/// Run this binary's `child` test with exactly `env` (plus the child
/// marker); panics unless it passes.
fn run_child(case: &str, env: &[&[u8]]) {
    let exe = CString::new(
        std::env::current_exe()
            .unwrap()
            .into_os_string()
            .into_encoded_bytes(),
    )
    .unwrap();
    let argv: Vec<CString> = [exe.as_bytes(), b"--exact", b"child", b"--test-threads=1"]
        .iter()
        .map(|a| CString::new(*a).unwrap())
        .collect();
    let mut envv: Vec<CString> = env.iter().map(|kv| CString::new(*kv).unwrap()).collect();
    envv.push(CString::new(format!("{CHILD}={case}")).unwrap());
    if let Ok(p) = std::env::var("CNI_TEST_PLUGIN") {
        envv.push(CString::new(format!("CNI_TEST_PLUGIN={p}")).unwrap());
    }
    let ptrs = |v: &[CString]| -> Vec<*mut libc::c_char> {
        let mut p: Vec<*mut libc::c_char> = v.iter().map(|s| s.as_ptr() as *mut _).collect();
        p.push(std::ptr::null_mut());
        p
    };
    let (argp, envp) = (ptrs(&argv), ptrs(&envv));
    let mut pid = 0;
    // SAFETY: every pointer is a live NUL-terminated string or NULL, and
    // the arrays are NULL-terminated; they outlive the call.
    let rc = unsafe {
        libc::posix_spawn(
            &mut pid,
            exe.as_ptr(),
            std::ptr::null(),
            std::ptr::null(),
            argp.as_ptr(),
            envp.as_ptr(),
        )
    };
    assert_eq!(rc, 0, "spawning the child for {case}");
    let mut status = 0;
    // SAFETY: waiting for the child just spawned.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{case}: the child failed (status {status:#x})"
    );
}

fn path_entry() -> Vec<u8> {
    format!("PATH={}", std::env::var("PATH").unwrap_or_default()).into_bytes()
}

#[test]
fn distinct_names_are_built_from_environ() {
    let path = path_entry();
    run_child(
        "distinct",
        &[
            &path,
            b"A=1",
            b"CNI_IFNAME=inherited",
            b"B=2",
            b"CNI_COMMAND=GC",
        ],
    );
}

#[test]
fn a_name_twice_appears_once_at_its_first_place() {
    let path = path_entry();
    run_child(
        "twice",
        &[
            &path,
            b"A=1",
            b"CNI_NETNS=one",
            b"A=2",
            b"CNI_NETNS=two",
            b"B=3",
        ],
    );
}

#[test]
fn an_entry_that_is_not_utf8_is_carried_over_lossily() {
    let path = path_entry();
    run_child("not-utf8", &[&path, b"A=\xff\xfe", b"B=2", b"C\xc3=x"]);
}

#[test]
fn an_entry_without_equals_sign_is_kept() {
    let path = path_entry();
    run_child("no-equals", &[&path, b"LONELY", b"A=1"]);
}

#[test]
fn an_inherited_trace_variable_gives_way_to_the_contexts() {
    let path = path_entry();
    run_child(
        "traced",
        &[&path, b"A=1", b"TRACEPARENT=stale", b"TRACESTATE", b"B=2"],
    );
}
