//! A call runs on the caller's thread: the engine starts no thread of its
//! own, whatever the outcome. Alone in its binary so that no other test's
//! thread is counted.

mod common;

use cniinvoke::Context;
use common::{plugin, quiet, Debug};
use serde_json::json;
use std::time::Duration;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn no_thread_is_started_or_left_behind() {
    let _ = plugin(); // built before counting
    let before = threads();
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
