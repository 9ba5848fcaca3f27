//! A call runs on the caller's thread: the engine starts no thread of its
//! own, whatever the outcome, neither while the plugin runs nor after.
//! Alone in its binary (one test function) so that no other test's thread
//! is counted.

mod common;

use cniinvoke::Context;
use common::{plugin, quiet, Debug};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

fn tid() -> i64 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::syscall(libc::SYS_gettid) }
}

#[test]
fn no_thread_is_started_or_left_behind() {
    let _ = plugin(); // built before counting
    let before = threads();
    while_the_plugin_runs(before);
    after_each_outcome(before);
}

/// Two observers inside the call: the plugin counts its parent's threads
/// (`parentThreads`), and the context's interrupt check, polled while the
/// plugin runs, notes the thread count and which thread it runs on.
fn while_the_plugin_runs(before: usize) {
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec"), "sleepMs": 300}));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ctx = Context::new();
    let log = seen.clone();
    ctx.set_interrupt_check(
        Duration::from_millis(10),
        Arc::new(move || {
            log.lock().unwrap().push((threads(), tid()));
            false
        }),
    );
    quiet()
        .exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD")))
        .unwrap();
    assert_eq!(
        d.record("rec")["parentThreads"],
        json!(before),
        "threads in this process while the plugin ran"
    );
    let seen = seen.lock().unwrap();
    assert!(
        seen.len() >= 5,
        "interrupt check polled {} times",
        seen.len()
    );
    let me = tid();
    for &(count, on) in seen.iter() {
        assert_eq!(count, before, "threads during the call");
        assert_eq!(on, me, "the call ran on another thread");
    }
}

fn after_each_outcome(before: usize) {
    for script in [
        json!({"stdoutMiB": 2, "stderrMiB": 2}),
        json!({"exitCode": 1}),
        json!({"sleepMs": 5000}),
    ] {
        let d = Debug::new(script);
        let ctx = Context::with_timeout(Duration::from_millis(100));
        let _ = quiet().exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD")));
        assert_eq!(threads(), before);
    }
}
