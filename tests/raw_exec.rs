//! The process layer against the real test plugin: stdin, environment,
//! output, failures as upstream words them, retries, cancellation.

mod common;

use cniinvoke::{Context, Error, RawExec, RawExecOptions, StderrSink};
use common::{plugin, quiet, Debug};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn run(d: &Debug, stdin: &[u8]) -> cniinvoke::Result<Vec<u8>> {
    quiet().exec_plugin(&Context::background(), plugin(), stdin, Some(&d.env("ADD")))
}

fn plugin_err(r: cniinvoke::Result<Vec<u8>>) -> cniinvoke::types::CniError {
    match r {
        Err(Error::Plugin(e)) => e,
        other => panic!("expected a plugin error, got {other:?}"),
    }
}

#[test]
fn stdin_reaches_plugin_and_stdout_comes_back() {
    let d = Debug::new(json!({"echoStdin": true}));
    let out = run(&d, br#"{"cniVersion":"1.0.0","name":"n"}"#).unwrap();
    assert_eq!(out, br#"{"cniVersion":"1.0.0","name":"n"}"#);
}

#[test]
fn environment_is_exactly_the_given_one() {
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec")}));
    let env = vec![
        "CNI_ARGS=".to_string() + &d.cni_args(),
        "CNI_COMMAND=ADD".into(),
        "ONLY=this".into(),
    ];
    quiet()
        .exec_plugin(&Context::background(), plugin(), b"{}", Some(&env))
        .unwrap();
    let rec = d.record("rec");
    assert_eq!(rec["envList"], json!(env));
}

#[test]
fn none_environment_inherits_this_process() {
    let out = quiet()
        .exec_plugin(&Context::background(), "/usr/bin/env", b"", None)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let ours: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
    for kv in &ours {
        if !kv.contains('\n') {
            assert!(text.lines().any(|l| l == kv), "{kv} not inherited");
        }
    }
}

/// A context carrying a trace parent (and `tracestate`, if given).
fn traced(tracestate: Option<&str>) -> Context {
    let ctx = Context::new();
    ctx.set_trace(cniinvoke::TraceContext {
        traceparent: Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into()),
        tracestate: tracestate.map(str::to_string),
        baggage: None,
    });
    ctx
}

#[test]
fn trace_context_reaches_plugin_and_replaces_inherited_values() {
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec")}));
    let ctx = traced(Some("congo=t61rcWkgMzE"));
    let mut env = d.env("ADD");
    env.push("TRACEPARENT=stale".into());
    // An entry that is only the name, without `=`, is not a value to
    // replace: it stays.
    env.push("TRACESTATE".into());
    quiet()
        .exec_plugin(&ctx, plugin(), b"{}", Some(&env))
        .unwrap();
    let rec = d.record("rec");
    assert_eq!(
        rec["env"]["TRACEPARENT"],
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    );
    // (The bare TRACESTATE entry below comes first, so the record's `env`,
    // first occurrence wins, would show it; the list has both.)
    let list = rec["envList"].as_array().unwrap();
    assert!(list.contains(&json!("TRACESTATE=congo=t61rcWkgMzE")));
    assert!(rec["env"].get("BAGGAGE").is_none());
    let n = rec["envList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.as_str().unwrap().starts_with("TRACEPARENT="))
        .count();
    assert_eq!(n, 1);
    assert!(rec["envList"]
        .as_array()
        .unwrap()
        .contains(&json!("TRACESTATE")));
}

/// The trace variables replace only themselves when the environment is
/// described (`CniArgs::plugin_env`) rather than listed: every CNI variable
/// and every inherited one still reaches the plugin.
#[test]
fn trace_context_with_a_described_environment_keeps_the_rest() {
    use cniinvoke::CniArgs;
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec")}));
    let ctx = traced(None);
    let args = d.args("ADD");
    quiet()
        .exec_plugin_env(&ctx, plugin(), b"{}", &args.plugin_env())
        .unwrap();
    let list = d.env_list("rec");
    let list: Vec<&str> = list.iter().map(String::as_str).collect();
    for kv in args.as_env().unwrap() {
        if !kv.starts_with("TRACEPARENT=") {
            assert!(list.contains(&kv.as_str()), "{kv} missing from {list:?}");
        }
    }
    let traced: Vec<&str> = list
        .iter()
        .copied()
        .filter(|e| e.starts_with("TRACEPARENT="))
        .collect();
    assert_eq!(
        traced,
        ["TRACEPARENT=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"]
    );
}

/// An explicit environment may be empty, or hold an empty entry, with or
/// without trace variables added to it.
#[test]
fn an_empty_environment_or_entry_runs_with_a_trace_context() {
    let ctx = traced(Some("congo=t61rcWkgMzE"));
    for env in [vec![], vec![String::new()]] {
        let out = quiet().exec_plugin(&ctx, "/usr/bin/env", b"", Some(&env));
        let out = String::from_utf8(out.unwrap()).unwrap();
        let lines: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines,
            [
                "TRACEPARENT=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "TRACESTATE=congo=t61rcWkgMzE"
            ],
            "environment {env:?}"
        );
    }
    let out = quiet().exec_plugin(&Context::new(), "/usr/bin/env", b"", Some(&[]));
    assert_eq!(out.unwrap(), b"");
    // A described environment may set an empty name to an empty value.
    let env = cniinvoke::PluginEnv::Overlay(vec![("", String::new().into())]);
    let out = quiet().exec_plugin_env(&Context::new(), "/usr/bin/env", b"", &env);
    let out = String::from_utf8(out.unwrap()).unwrap();
    assert_eq!(out.lines().last(), Some("="), "{out}");
}

#[test]
fn plugin_runs_in_its_own_process_group_with_clean_signals() {
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec")}));
    run(&d, b"{}").unwrap();
    let rec = d.record("rec");
    assert_eq!(rec["pgid"], rec["pid"], "plugin leads its own group");
    // SAFETY: getpgrp has no preconditions.
    assert_ne!(rec["pgid"], json!(unsafe { libc::getpgrp() }));
    assert_eq!(rec["sigmask"], "0000000000000000");
    // glibc keeps its two internal real-time signals (32, 33) to itself.
    let ignored = u64::from_str_radix(rec["sigign"].as_str().unwrap(), 16).unwrap();
    assert_eq!(ignored & !0x1_8000_0000, 0, "SIGPIPE etc. back to default");
    assert_eq!(rec["argv"], json!([plugin()]));
}

#[test]
fn cni_error_on_stdout_is_returned_as_is() {
    let d = Debug::new(json!({"error": {"code": 7, "msg": "bad config", "details": "field x"}}));
    let e = plugin_err(run(&d, b"{}"));
    assert_eq!(
        (e.code, e.msg.as_str(), e.details.as_str()),
        (7, "bad config", "field x")
    );
    assert_eq!(e.to_string(), "bad config; field x");
    // The plugin's own error still records how the process ended.
    let d = Debug::new(json!({"error": {"code": 7, "msg": "m"}, "exitCode": 5}));
    let e = plugin_err(run(&d, b"{}"));
    assert_eq!(e.exit_status.as_deref(), Some("exit status 5"));
}

#[test]
fn failure_without_output_names_the_status() {
    let d = Debug::new(json!({"exitCode": 1}));
    let e = plugin_err(run(&d, b"{}"));
    assert_eq!(
        e.msg,
        "netplugin failed with no error message: exit status 1"
    );
    assert_eq!(e.code, 0);
    assert_eq!(e.exit_status.as_deref(), Some("exit status 1"));
}

#[test]
fn failure_with_stderr_quotes_it_like_go() {
    let d = Debug::new(json!({"stderr": "boom \"x\"\n\ttab\u{1b}", "exitCode": 3}));
    let e = plugin_err(run(&d, b"{}"));
    // Upstream v1.3.0's text: the exit status is not in the message but
    // kept on the error.
    assert_eq!(e.msg, r#"netplugin failed: "boom \"x\"\n\ttab\x1b""#);
    assert_eq!(e.exit_status.as_deref(), Some("exit status 3"));
    assert_eq!(
        e.to_json(),
        r#"{"code":0,"msg":"netplugin failed: \"boom \\\"x\\\"\\n\\ttab\\x1b\""}"#
    );
}

#[test]
fn failure_with_garbage_stdout_reports_the_parse_error() {
    let d = Debug::new(json!({"stdout": "not json\n", "exitCode": 2}));
    let e = plugin_err(run(&d, b"{}"));
    // The JSON error is Go's own wording.
    assert_eq!(
        e.msg,
        r#"netplugin failed but error parsing its diagnostic message "not json\n": invalid character 'o' in literal null (expecting 'u')"#
    );
}

#[test]
fn the_plugins_error_is_read_as_go_reads_it() {
    // Go's decoder matches keys case-insensitively and ignores unknown ones.
    let d = Debug::new(
        json!({"stdout": r#"{"CODE":7,"Msg":"bad","cniVersion":"1.0.0"}"#, "exitCode": 1}),
    );
    let e = plugin_err(run(&d, b"{}"));
    assert_eq!((e.code, e.msg.as_str()), (7, "bad"));
}

#[test]
fn signal_deaths_print_like_go() {
    for (sig, text) in [
        (9, "signal: killed"),
        (15, "signal: terminated"),
        (11, "signal: segmentation fault"),
        (6, "signal: aborted"),
    ] {
        let d = Debug::new(json!({"signal": sig}));
        let e = plugin_err(run(&d, b"{}"));
        assert_eq!(
            e.msg,
            format!("netplugin failed with no error message: {text}")
        );
        assert_eq!(e.exit_status.as_deref(), Some(text));
    }
}

#[test]
fn stderr_of_a_successful_plugin_goes_to_the_writer() {
    let d = Debug::new(json!({"stderr": "warning: something\n", "stdout": "{}"}));
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Writer(Arc::new(move |b| sink.lock().unwrap().extend_from_slice(b))),
        ..Default::default()
    });
    let out = exec
        .exec_plugin(&Context::background(), plugin(), b"{}", Some(&d.env("ADD")))
        .unwrap();
    assert_eq!(out, b"{}");
    assert_eq!(&*got.lock().unwrap(), b"warning: something\n");
}

#[test]
fn inherited_stderr_is_not_captured() {
    let d = Debug::new(json!({"stderr": "to the terminal\n", "exitCode": 1}));
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Inherit,
        ..Default::default()
    });
    let e =
        plugin_err(exec.exec_plugin(&Context::background(), plugin(), b"{}", Some(&d.env("ADD"))));
    assert_eq!(
        e.msg,
        "netplugin failed with no error message: exit status 1"
    );
}

#[test]
fn spawn_failures_read_like_go() {
    let ctx = Context::background();
    let e = quiet()
        .exec_plugin(&ctx, "/nonexistent/plugin", b"{}", None)
        .unwrap_err();
    assert_eq!(
        e,
        Error::ExecFailed(
            "netplugin failed with no error message: fork/exec /nonexistent/plugin: no such file or directory"
                .into()
        )
    );
    let dir = common::tempdir();
    let noexec = dir.path().join("noexec");
    std::fs::write(&noexec, "#!/bin/sh\n").unwrap();
    let p = noexec.to_str().unwrap();
    let e = quiet().exec_plugin(&ctx, p, b"{}", None).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("netplugin failed with no error message: fork/exec {p}: permission denied")
    );
    let e = quiet()
        .exec_plugin(&ctx, "/bin/sh\0x", b"", None)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
}

#[test]
fn sixteen_mib_on_both_streams_at_once() {
    let d = Debug::new(json!({"stdoutMiB": 16, "stderrMiB": 16}));
    let got = Arc::new(Mutex::new(0usize));
    let sink = got.clone();
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Writer(Arc::new(move |b| *sink.lock().unwrap() += b.len())),
        ..Default::default()
    });
    let out = exec
        .exec_plugin(&Context::background(), plugin(), b"{}", Some(&d.env("ADD")))
        .unwrap();
    assert_eq!(out.len(), 16 << 20);
    assert_eq!(*got.lock().unwrap(), 16 << 20);
    let pattern = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n";
    assert!(out.chunks(64).all(|c| c == &pattern[..c.len()]));
}

/// One cancelled call against a plugin sleeping 30 s, cancelled once the
/// plugin has started: how long after `cancel` the call returned.
fn cancel_lag() -> Duration {
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec"), "sleepMs": 30_000}));
    let ctx = Context::new();
    let c2 = ctx.clone();
    let rec = d.path("rec");
    let canceller = std::thread::spawn(move || {
        while !std::path::Path::new(&rec).exists() {
            std::thread::sleep(Duration::from_millis(2));
        }
        let t = Instant::now();
        c2.cancel();
        t
    });
    let r = quiet().exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD")));
    let returned = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    assert_eq!(
        r.unwrap_err(),
        Error::Cancelled("netplugin cancelled: context canceled".into())
    );
    returned.saturating_duration_since(cancelled_at)
}

/// A call waiting on a child wakes when the parent is cancelled, through
/// the child's wake descriptor: the call has no deadline and no interrupt
/// check, so its wait has no tick to notice the cancel on.
#[test]
fn cancelling_the_parent_ends_a_call_on_a_child_at_once() {
    let d = Debug::new(json!({"sleepMs": 30_000}));
    let parent = Context::new();
    let child = parent.child().child();
    let p2 = parent.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        let t = Instant::now();
        p2.cancel();
        t
    });
    let r = quiet().exec_plugin(&child, plugin(), b"{}", Some(&d.env("ADD")));
    let returned = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    assert_eq!(
        r.unwrap_err(),
        Error::Cancelled("netplugin cancelled: context canceled".into())
    );
    let lag = returned - cancelled_at;
    assert!(
        lag < Duration::from_millis(50),
        "returned {lag:?} after cancel"
    );
}

/// A child's deadline is its parent's when that is earlier.
#[test]
fn a_child_times_out_at_its_parents_deadline() {
    let d = Debug::new(json!({"sleepMs": 30_000}));
    let parent = Context::with_timeout(Duration::from_millis(200));
    let child = parent.child_with_timeout(Duration::from_secs(60));
    let t = Instant::now();
    let r = quiet().exec_plugin(&child, plugin(), b"{}", Some(&d.env("ADD")));
    let took = t.elapsed();
    assert_eq!(
        r.unwrap_err(),
        Error::Timeout("netplugin timed out: context deadline exceeded".into())
    );
    assert!(took < Duration::from_millis(250), "took {took:?}");
}

#[test]
fn cancel_kills_the_plugin_promptly() {
    let bound = Duration::from_millis(50);
    let lag = common::fastest(3, bound, cancel_lag);
    assert!(lag < bound, "returned {lag:?} after cancel, best of 3");
}

/// One call against a plugin sleeping 30 s with a 200 ms deadline: how
/// long it took.
fn deadline_call() -> Duration {
    let d = Debug::new(json!({"sleepMs": 30_000}));
    let ctx = Context::with_timeout(Duration::from_millis(200));
    let t = Instant::now();
    let r = quiet().exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD")));
    let took = t.elapsed();
    assert_eq!(
        r.unwrap_err(),
        Error::Timeout("netplugin timed out: context deadline exceeded".into())
    );
    assert!(took >= Duration::from_millis(200), "took {took:?}");
    took
}

#[test]
fn deadline_is_a_distinct_timeout() {
    let bound = Duration::from_millis(250);
    let took = common::fastest(3, bound, deadline_call);
    assert!(took < bound, "took {took:?}, best of 3");
}

#[test]
fn a_done_context_runs_nothing() {
    let d = Debug::empty();
    d.set(json!({"recordAppend": d.path("log")}));
    let ctx = Context::new();
    ctx.cancel();
    let r = quiet().exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD")));
    assert!(matches!(r, Err(Error::Cancelled(_))));
    assert!(!std::path::Path::new(&d.path("log")).exists());
}

#[test]
fn the_whole_group_dies_grandchild_included() {
    let d = Debug::empty();
    d.set(json!({
        "grandchild": {"sleepMs": 30_000},
        "grandchildPidFile": d.path("gc.pid"),
        "sleepMs": 30_000
    }));
    let ctx = Context::with_timeout(Duration::from_millis(300));
    let r = quiet().exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD")));
    assert!(matches!(r, Err(Error::Timeout(_))));
    let pid: i32 = std::fs::read_to_string(d.path("gc.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The grandchild is not our child: once killed it is gone or a zombie
    // waiting for whoever adopted it.
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(10));
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z'),
        }
    });
    assert!(gone, "grandchild {pid} survived");
}

#[test]
fn a_grandchild_holding_the_pipes_does_not_hold_the_call() {
    let d = Debug::new(json!({"grandchild": {"sleepMs": 10_000}, "stdout": "{}"}));
    let t = Instant::now();
    let out = run(&d, b"{}").unwrap();
    assert_eq!(out, b"{}");
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
}

/// After the plugin exits, a pipe still open is read for up to a second:
/// what a grandchild writes within it is part of the output; what comes
/// later is not waited for.
#[test]
fn output_written_after_the_exit_is_read_for_a_second() {
    let d =
        Debug::new(json!({"grandchild": {"sleepMs": 200, "stdout": "late"}, "stdout": "early-"}));
    assert_eq!(run(&d, b"{}").unwrap(), b"early-late");
    let d =
        Debug::new(json!({"grandchild": {"sleepMs": 4000, "stdout": "late"}, "stdout": "early"}));
    let t = Instant::now();
    assert_eq!(run(&d, b"{}").unwrap(), b"early");
    assert!(
        t.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t.elapsed()
    );
}

/// Once the plugin has exited and closed its pipes, the call returns: the
/// second of waiting for a grandchild's pipes is for pipes still open.
/// Ten runs take far less than the ten seconds that waiting would cost.
#[test]
fn closed_pipes_end_the_call_without_the_post_exit_wait() {
    let d = Debug::new(json!({"stdout": "{}"}));
    let t = Instant::now();
    for _ in 0..10 {
        assert_eq!(run(&d, b"{}").unwrap(), b"{}");
    }
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "10 runs took {:?}",
        t.elapsed()
    );
}

/// The stderr sinks print their names (a Writer without its closure).
#[test]
fn stderr_sinks_debug_as_their_names() {
    let writer = StderrSink::Writer(Arc::new(|_: &[u8]| {}));
    let names: Vec<String> = [
        StderrSink::Forward,
        StderrSink::Inherit,
        StderrSink::Discard,
        writer,
    ]
    .iter()
    .map(|s| format!("{s:?}"))
    .collect();
    assert_eq!(names, ["Forward", "Inherit", "Discard", "Writer(..)"]);
}

#[test]
fn kill_grace_sends_sigterm_first() {
    // A plugin that dies of SIGTERM within the grace period.
    let d = Debug::new(json!({"sleepMs": 30_000}));
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Discard,
        kill_grace: Duration::from_secs(5),
        ..Default::default()
    });
    let ctx = Context::with_timeout(Duration::from_millis(100));
    let t = Instant::now();
    let r = exec.exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD")));
    assert!(matches!(r, Err(Error::Timeout(_))));
    // The test plugin keeps SIGTERM's default action, so it goes at once:
    // well before the grace would have ended in SIGKILL.
    assert!(
        t.elapsed() < Duration::from_secs(4),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn kill_grace_ends_in_sigkill_for_a_plugin_ignoring_sigterm() {
    let dir = common::tempdir();
    let script = dir.path().join("stubborn");
    std::fs::write(&script, "#!/bin/sh\ntrap '' TERM\nsleep 30 & wait; wait\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Discard,
        kill_grace: Duration::from_millis(300),
        ..Default::default()
    });
    let ctx = Context::with_timeout(Duration::from_millis(100));
    let t = Instant::now();
    let r = exec.exec_plugin(&ctx, script.to_str().unwrap(), b"", None);
    let took = t.elapsed();
    assert!(matches!(r, Err(Error::Timeout(_))), "{r:?}");
    // Not before the grace; and long before the script's 30 s: SIGKILL
    // (tests/kill_grace.rs sees the signals from the plugin's side).
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(10),
        "took {took:?}"
    );
}

#[test]
fn text_file_busy_is_retried_with_fresh_buffers() {
    use std::io::Write;
    let dir = common::tempdir();
    let copy = dir.path().join("busy-plugin");
    let bytes = std::fs::read(plugin()).unwrap();
    let mut w = std::fs::File::create(&copy).unwrap();
    w.write_all(&bytes).unwrap();
    std::fs::set_permissions(&copy, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let d = Debug::new(json!({"echoStdin": true}));
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Discard,
        text_busy_delay: Duration::from_millis(100),
        ..Default::default()
    });
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(250));
        drop(w);
    });
    let t = Instant::now();
    let out = exec
        .exec_plugin(
            &Context::background(),
            copy.to_str().unwrap(),
            b"payload",
            Some(&d.env("ADD")),
        )
        .unwrap();
    releaser.join().unwrap();
    assert_eq!(
        out, b"payload",
        "one copy of the output, from the run that worked"
    );
    assert!(t.elapsed() >= Duration::from_millis(200));
}

#[test]
fn text_file_busy_gives_up_after_the_retries() {
    let dir = common::tempdir();
    let copy = dir.path().join("busy-plugin");
    std::fs::copy(plugin(), &copy).unwrap();
    let _w = std::fs::OpenOptions::new().write(true).open(&copy).unwrap();
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Discard,
        text_busy_retries: 2,
        text_busy_delay: Duration::from_millis(20),
        ..Default::default()
    });
    let t = Instant::now();
    let e = exec
        .exec_plugin(&Context::background(), copy.to_str().unwrap(), b"", None)
        .unwrap_err();
    assert!(e.to_string().ends_with(": text file busy"), "{e}");
    assert!(t.elapsed() >= Duration::from_millis(40));
}

#[test]
fn text_file_busy_wait_is_cancellable() {
    let dir = common::tempdir();
    let copy = dir.path().join("busy-plugin");
    std::fs::copy(plugin(), &copy).unwrap();
    let _w = std::fs::OpenOptions::new().write(true).open(&copy).unwrap();
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Discard,
        ..Default::default() // 1 s between attempts
    });
    let ctx = Context::with_timeout(Duration::from_millis(100));
    let t = Instant::now();
    let e = exec
        .exec_plugin(&ctx, copy.to_str().unwrap(), b"", None)
        .unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    // Woken by the deadline, not at the end of the 1 s pause.
    assert!(
        t.elapsed() < Duration::from_millis(800),
        "took {:?}",
        t.elapsed()
    );
}

#[test]
fn a_plugin_that_closes_its_output_and_lingers_is_still_waited_for() {
    let d = Debug::new(json!({"closeStdoutAndSleepMs": 300, "exitCode": 0}));
    let t = Instant::now();
    run(&d, b"{}").unwrap();
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[test]
fn output_beyond_the_cap_kills_the_plugin() {
    let d = Debug::new(json!({"stdoutMiB": 4, "sleepMs": 0}));
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Discard,
        max_output_bytes: 1 << 20,
        ..Default::default()
    });
    let e = exec
        .exec_plugin(&Context::background(), plugin(), b"{}", Some(&d.env("ADD")))
        .unwrap_err();
    assert_eq!(
        e,
        Error::ExecFailed(
            "netplugin wrote more than 1048576 bytes on stdout; it was killed".into()
        )
    );
    // Exactly the cap is fine.
    let d = Debug::new(json!({"stderrMiB": 1, "exitCode": 0}));
    exec.exec_plugin(&Context::background(), plugin(), b"{}", Some(&d.env("ADD")))
        .unwrap();
}

#[test]
fn files_that_are_not_programs() {
    let ctx = Context::background();
    let dir = common::tempdir();
    // Not an executable format, not a script: ENOEXEC.
    let junk = dir.path().join("junk");
    std::fs::write(&junk, [0u8, 1, 2, 3, 4, 5, 6, 7]).unwrap();
    std::fs::set_permissions(&junk, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let p = junk.to_str().unwrap();
    assert_eq!(
        quiet().exec_plugin(&ctx, p, b"", None).unwrap_err(),
        Error::ExecFailed(format!(
            "netplugin failed with no error message: fork/exec {p}: exec format error"
        ))
    );
    // A directory.
    let p = dir.path().to_str().unwrap();
    assert_eq!(
        quiet().exec_plugin(&ctx, p, b"", None).unwrap_err(),
        Error::ExecFailed(format!(
            "netplugin failed with no error message: fork/exec {p}: permission denied"
        ))
    );
}

#[test]
fn invalid_utf8_on_stderr_is_quoted_byte_for_byte() {
    let dir = common::tempdir();
    let script = dir.path().join("bad-utf8");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'caf\\351 \\377\\n' >&2\nexit 4\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let e = plugin_err(quiet().exec_plugin(
        &Context::background(),
        script.to_str().unwrap(),
        b"",
        None,
    ));
    assert_eq!(e.msg, r#"netplugin failed: "caf\xe9 \xff\n""#);
    assert_eq!(e.exit_status.as_deref(), Some("exit status 4"));
}

/// A plugin killed by SIGSEGV or SIGABRT that dumps core reads as Go's
/// `signal: segmentation fault (core dumped)`. The plugin (`coreDump`)
/// chdirs to a scratch directory and raises its RLIMIT_CORE soft limit, so
/// this runs only where the kernel writes cores as a relative file name
/// (`/proc/sys/kernel/core_pattern`) and the limit can be raised; the core
/// lands in the scratch directory and is deleted with it. A pipe or an
/// absolute path in core_pattern would send the core elsewhere on the
/// machine, so the test skips; `CNI_REQUIRE_COREDUMP=1` (set by `make test`
/// as root when core_pattern is a plain name) makes any skip a failure.
#[test]
fn core_dumping_signal_deaths_print_like_go() {
    let skip = |why: &str| common::skip_unless_required("CNI_REQUIRE_COREDUMP", why);
    let pattern = match std::fs::read_to_string("/proc/sys/kernel/core_pattern") {
        Ok(p) => p.trim_end().to_string(),
        Err(e) => return skip(&format!("cannot read /proc/sys/kernel/core_pattern: {e}")),
    };
    if pattern.starts_with('|') {
        return skip(&format!(
            "core_pattern {pattern:?} pipes cores to a program: they would not land in a scratch directory"
        ));
    }
    if pattern.is_empty() || pattern.contains('/') {
        return skip(&format!(
            "core_pattern {pattern:?} is not a plain file name: cores would not land in a scratch directory"
        ));
    }
    // SAFETY: reading this process's limit and effective uid.
    let (hard, root) = unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        assert_eq!(libc::getrlimit(libc::RLIMIT_CORE, &mut lim), 0);
        (lim.rlim_max, libc::geteuid() == 0)
    };
    if hard == 0 && !root {
        return skip("the RLIMIT_CORE hard limit is 0 and we are not root");
    }
    for (sig, text) in [(11, "segmentation fault"), (6, "aborted")] {
        let d = Debug::empty();
        let cores = d.dir.path().join("cores");
        std::fs::create_dir(&cores).unwrap();
        d.set(json!({"signal": sig, "coreDump": cores}));
        let e = plugin_err(run(&d, b"{}"));
        assert_eq!(
            e.msg,
            format!("netplugin failed with no error message: signal: {text} (core dumped)")
        );
        let dumped = std::fs::read_dir(&cores).unwrap().count();
        assert!(dumped > 0, "no core file in {}", cores.display());
    }
}

/// The options document every binding goes through: defaults (upstream's
/// `RawExec{}`: stderr discarded) and each value read.
#[test]
fn options_document_defaults_and_values() {
    for doc in [&b"{}"[..], br#"{"stderr":null,"killGraceMs":null}"#] {
        let o = RawExecOptions::from_json(doc).unwrap();
        assert!(matches!(o.stderr, StderrSink::Discard), "{:?}", o.stderr);
        assert_eq!(o.text_busy_retries, 5);
        assert_eq!(o.text_busy_delay, Duration::from_secs(1));
        assert_eq!(o.kill_grace, Duration::ZERO);
        assert_eq!(o.max_output_bytes, cniinvoke::raw_exec::DEFAULT_MAX_OUTPUT);
    }
    assert!(matches!(
        RawExecOptions::default().stderr,
        StderrSink::Discard
    ));
    assert!(matches!(
        cniinvoke::DefaultExec::new().raw.options.stderr,
        StderrSink::Forward
    ));
    let o = RawExecOptions::from_json(
        br#"{"stderr":"inherit","textBusyRetries":0,"textBusyDelayMs":2.5,"killGraceMs":300,"maxOutputBytes":7}"#,
    )
    .unwrap();
    assert!(matches!(o.stderr, StderrSink::Inherit));
    assert_eq!(o.text_busy_retries, 0);
    assert_eq!(o.text_busy_delay, Duration::from_micros(2500));
    assert_eq!(o.kill_grace, Duration::from_millis(300));
    assert_eq!(o.max_output_bytes, 7);
    for (mode, forward) in [("forward", true), ("discard", false)] {
        let o = RawExecOptions::from_json(format!(r#"{{"stderr":"{mode}"}}"#).as_bytes()).unwrap();
        assert_eq!(matches!(o.stderr, StderrSink::Forward), forward);
    }
    let w = RawExecOptions::from_json_with_writer(b"{}", Arc::new(|_| {})).unwrap();
    assert!(matches!(w.stderr, StderrSink::Writer(_)));
}

/// Bad values: exact texts, shared by the C, Python and Go bindings.
#[test]
fn options_document_errors_word_for_word() {
    let cases: &[(&str, &str)] = &[
        (
            "{",
            "raw exec options are not valid JSON: EOF while parsing an object at line 1 column 1",
        ),
        (
            "[1]",
            "raw exec options must be a JSON object, not an array",
        ),
        ("null", "raw exec options must be a JSON object, not null"),
        (
            r#"{"textBusyRetrys":1}"#,
            r#"unknown raw exec option "textBusyRetrys"; the options are stderr, textBusyRetries, textBusyDelayMs, killGraceMs, maxOutputBytes"#,
        ),
        (
            r#"{"stderr":"loud"}"#,
            r#"raw exec option "stderr" must be "forward", "inherit" or "discard", not "loud""#,
        ),
        (
            r#"{"stderr":true}"#,
            r#"raw exec option "stderr" must be "forward", "inherit" or "discard", not true"#,
        ),
        (
            r#"{"textBusyRetries":-1}"#,
            r#"raw exec option "textBusyRetries" must be an integer from 0 to 4294967295, not -1"#,
        ),
        (
            r#"{"textBusyRetries":1.5}"#,
            r#"raw exec option "textBusyRetries" must be an integer from 0 to 4294967295, not 1.5"#,
        ),
        (
            r#"{"textBusyDelayMs":-1}"#,
            r#"raw exec option "textBusyDelayMs" must be a number of milliseconds from 0 to 18446744073709551615, not -1"#,
        ),
        (
            r#"{"killGraceMs":"5"}"#,
            r#"raw exec option "killGraceMs" must be a number of milliseconds from 0 to 18446744073709551615, not "5""#,
        ),
        (
            r#"{"killGraceMs":1e300}"#,
            r#"raw exec option "killGraceMs" must be a number of milliseconds from 0 to 18446744073709551615, not 1e+300"#,
        ),
        (
            r#"{"maxOutputBytes":-2}"#,
            r#"raw exec option "maxOutputBytes" must be an integer from 0 to 18446744073709551615, not -2"#,
        ),
    ];
    for (doc, want) in cases {
        let e = RawExecOptions::from_json(doc.as_bytes()).unwrap_err();
        assert_eq!(e, Error::InvalidArgument(want.to_string()), "{doc}");
    }
    let e = RawExecOptions::from_json_with_writer(br#"{"stderr":"discard"}"#, Arc::new(|_| {}))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"raw exec option "stderr" cannot be given with a stderr writer"#
    );
}
