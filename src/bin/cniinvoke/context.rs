//! The context every command runs under: an optional `--timeout`, and
//! Ctrl-C (or SIGTERM), which cancels it so the running plugin is killed.

use cniinvoke::{Context, Error, Status};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Whether SIGINT or SIGTERM has arrived.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Parse `30s`, `500ms`, `2m`, `1h` or plain seconds (`1.5`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid duration {s:?} (try 30s, 500ms, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("unknown unit {unit:?} in {s:?} (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("invalid duration {s:?}"))
}

/// A context that Ctrl-C (or SIGTERM) cancels, with the optional timeout.
pub fn context(timeout: Option<Duration>) -> Context {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    let ctx = match timeout {
        Some(t) => Context::with_timeout(t),
        None => Context::new(),
    };
    ctx.set_interrupt_check(Duration::from_millis(20), Arc::new(interrupted));
    ctx
}

/// Whether Ctrl-C (or SIGTERM) has arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Whether `e` means the call was cut short (Ctrl-C or `--timeout`).
pub fn cut_short(e: &Error) -> bool {
    matches!(e.status(), Status::Cancelled | Status::Timeout)
}
