//! Stopping a plugin on cancellation, observed from the plugin's side: with
//! a grace, SIGTERM arrives first and SIGKILL only once the grace is over;
//! without one, SIGKILL at once and no SIGTERM.

mod common;

use cniinvoke::{Context, Error, RawExec, RawExecOptions, StderrSink};
use common::{plugin, Debug};
use serde_json::json;
use std::time::Duration;

/// CLOCK_MONOTONIC in nanoseconds, the clock the plugin stamps SIGTERM with.
fn monotonic_ns() -> u64 {
    // SAFETY: clock_gettime writes into a live timespec.
    unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    }
}

/// Runs a plugin that notes SIGTERM and otherwise sleeps 30 s, cancelling
/// the call once the plugin has started. Returns the debug files, when the
/// call returned (monotonic ns) and the plugin's pid.
fn cancel_a_sleeper(grace: Duration) -> (Debug, u64, i32) {
    let d = Debug::empty();
    d.set(json!({
        "onSigterm": d.path("sigterm"),
        "record": d.path("rec"),
        "grandchild": {"sleepMs": 30_000},
        "grandchildPidFile": d.path("gc"),
        "sleepMs": 30_000
    }));
    let exec = RawExec::new(RawExecOptions {
        stderr: StderrSink::Discard,
        kill_grace: grace,
        ..Default::default()
    });
    let ctx = Context::new();
    let canceller = {
        let ctx = ctx.clone();
        let gc = d.path("gc");
        std::thread::spawn(move || {
            let pid = common::wait_pid_file(&gc);
            ctx.cancel();
            pid
        })
    };
    let r = exec.exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD")));
    let returned = monotonic_ns();
    let grandchild = canceller.join().unwrap();
    assert_eq!(
        r.unwrap_err(),
        Error::Cancelled("netplugin cancelled: context canceled".into())
    );
    let pid = d.record("rec")["pid"].as_i64().unwrap() as i32;
    common::assert_ended(
        "after cancellation",
        &[("plugin", pid), ("grandchild", grandchild)],
    );
    (d, returned, pid)
}

#[test]
fn with_a_grace_sigterm_comes_first_and_sigkill_after_the_grace() {
    let grace = Duration::from_millis(400);
    let (d, returned, _) = cancel_a_sleeper(grace);
    let lines: Vec<u64> = std::fs::read_to_string(d.path("sigterm"))
        .expect("the plugin saw no SIGTERM")
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    // One line each from the plugin and its grandchild: the whole group.
    assert_eq!(lines.len(), 2, "SIGTERMs seen: {lines:?}");
    let term = *lines.iter().min().unwrap();
    let after_term = Duration::from_nanos(returned.saturating_sub(term));
    // The plugin ignores SIGTERM and sleeps 30 s: only SIGKILL ends it,
    // and the call returns only once it has been reaped.
    assert!(after_term >= grace, "killed {after_term:?} after SIGTERM");
    assert!(
        after_term < grace + Duration::from_secs(10),
        "no SIGKILL: returned {after_term:?} after SIGTERM"
    );
}

#[test]
fn without_a_grace_sigkill_comes_alone() {
    let (d, _, _) = cancel_a_sleeper(Duration::ZERO);
    assert!(
        !std::path::Path::new(&d.path("sigterm")).exists(),
        "SIGTERM was sent with a zero grace"
    );
}
