//! What a long-lived host needs from every call: no SIGPIPE, no leaked
//! descriptor, no zombie, under concurrency. These
//! tests look at process-wide state, so they run one at a time.

mod common;

use cniinvoke::{Context, Error};
use common::{has_children, open_fds, plugin, quiet, Debug};
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn unread_stdin_never_raises_sigpipe_in_the_host() {
    let _g = serial();
    // A C host keeps SIGPIPE's default action (the Rust runtime ignores it).
    // SAFETY: setting a signal disposition; restored below.
    let old = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let d = Debug::new(json!({"readStdin": false, "stdout": "{}"}));
    let big = vec![b'x'; 4 << 20];
    // A config of PIPE_BUF bytes or less is written to a blocking pipe in
    // one go, a larger one through a non-blocking one: both ways the
    // plugin may be gone before the write.
    let small = vec![b'x'; libc::PIPE_BUF];
    for config in [&big, &small, &big, &small, &big] {
        let out = quiet()
            .exec_plugin(
                &Context::background(),
                plugin(),
                config,
                Some(&d.env("ADD")),
            )
            .unwrap();
        assert_eq!(out, b"{}");
    }
    // Also when the plugin fails.
    d.set(json!({"readStdin": false, "exitCode": 3}));
    let e = quiet()
        .exec_plugin(&Context::background(), plugin(), &big, Some(&d.env("ADD")))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "netplugin failed with no error message: exit status 3"
    );
    // SAFETY: a probe of this thread's pending set.
    unsafe {
        let mut pending: libc::sigset_t = std::mem::zeroed();
        libc::sigpending(&mut pending);
        assert_eq!(
            libc::sigismember(&pending, libc::SIGPIPE),
            0,
            "no SIGPIPE left pending"
        );
        libc::signal(libc::SIGPIPE, old);
    }
}

/// A host thread that blocks SIGPIPE keeps a SIGPIPE of its own pending
/// through a call whose plugin leaves its stdin unread (the call's own,
/// raised by its write, is consumed), and none is left pending when the
/// host had none.
#[test]
fn a_hosts_own_pending_sigpipe_survives_a_call() {
    let _g = serial();
    let d = Debug::new(json!({"readStdin": false, "stdout": "{}"}));
    let big = vec![b'x'; 4 << 20];
    let call = || {
        quiet()
            .exec_plugin(&Context::background(), plugin(), &big, Some(&d.env("ADD")))
            .unwrap()
    };
    // SAFETY: this thread's signal mask and pending set, restored below;
    // the SIGPIPE raised is blocked, so it stays pending until consumed.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
        let pending = || {
            let mut p: libc::sigset_t = std::mem::zeroed();
            libc::sigpending(&mut p);
            libc::sigismember(&p, libc::SIGPIPE) == 1
        };
        call();
        assert!(!pending(), "the call's own SIGPIPE left pending");
        libc::pthread_kill(libc::pthread_self(), libc::SIGPIPE);
        assert!(pending());
        call();
        assert!(pending(), "the host's pending SIGPIPE was consumed");
        let zero = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        assert_eq!(
            libc::sigtimedwait(&set, std::ptr::null_mut(), &zero),
            libc::SIGPIPE
        );
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
    }
}

#[test]
fn plugin_gets_only_fds_0_1_2_even_from_a_careless_host() {
    let _g = serial();
    // A descriptor without close-on-exec, as a C host might hold.
    // SAFETY: plain open/close of a file we own.
    let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY) };
    assert!(fd > 2);
    let d = Debug::empty();
    d.set(json!({"record": d.path("rec")}));
    quiet()
        .exec_plugin(&Context::background(), plugin(), b"{}", Some(&d.env("ADD")))
        .unwrap();
    // SAFETY: `fd` is the descriptor opened above, used by nothing else.
    unsafe { libc::close(fd) };
    assert_eq!(d.record("rec")["fds"], json!([0, 1, 2]));
}

#[test]
fn no_zombie_and_no_descriptor_after_any_outcome() {
    let _g = serial();
    let fds_before = open_fds();
    let scripts = [
        json!({"stdout": "{}"}),
        json!({"exitCode": 2, "stderr": "bad"}),
        json!({"signal": 9}),
        json!({"error": {"code": 11, "msg": "try again"}}),
        json!({"readStdin": false, "stdoutMiB": 1}),
        json!({"sleepMs": 10_000}),
        json!({"grandchild": {"sleepMs": 10_000}, "sleepMs": 10_000}),
    ];
    for script in scripts {
        let d = Debug::new(script.clone());
        let ctx = Context::with_timeout(Duration::from_millis(200));
        let _ = quiet().exec_plugin(&ctx, plugin(), &[b'x'; 100_000], Some(&d.env("ADD")));
        drop(ctx); // its eventfd
        assert!(!has_children(), "a child is left after {script}");
        assert_eq!(open_fds(), fds_before, "descriptors leaked after {script}");
    }
    // Cancelled before and during.
    let d = Debug::new(json!({"sleepMs": 10_000}));
    let ctx = Context::new();
    let c2 = ctx.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        c2.cancel();
    });
    assert!(matches!(
        quiet().exec_plugin(&ctx, plugin(), b"{}", Some(&d.env("ADD"))),
        Err(Error::Cancelled(_))
    ));
    t.join().unwrap();
    drop(ctx);
    assert!(!has_children());
    let _ = quiet().exec_plugin(&Context::background(), "/nonexistent", b"{}", None);
    assert_eq!(open_fds(), fds_before);
}

#[test]
fn two_hundred_calls_from_sixteen_threads() {
    let _g = serial();
    let fds_before = open_fds();
    let d = Debug::new(json!({"echoStdin": true, "stderr": "noise"}));
    let env = d.env("ADD");
    std::thread::scope(|s| {
        for t in 0..16 {
            let env = &env;
            s.spawn(move || {
                for i in 0..13 {
                    if t * 13 + i >= 200 {
                        break;
                    }
                    let msg = format!("{{\"thread\":{t},\"call\":{i}}}");
                    let out = quiet()
                        .exec_plugin(&Context::background(), plugin(), msg.as_bytes(), Some(env))
                        .unwrap();
                    assert_eq!(out, msg.as_bytes());
                }
            });
        }
    });
    assert!(!has_children());
    assert_eq!(open_fds(), fds_before);
}

#[test]
fn a_host_ignoring_sigchld_gets_an_error_not_a_false_success() {
    let _g = serial();
    // The kernel reaps the children of a process that ignores SIGCHLD, so
    // the plugin's exit status cannot be known.
    // Built (by a child cargo) before SIGCHLD is ignored.
    let plugin = plugin();
    // SAFETY: setting a signal disposition; restored below.
    let old = unsafe { libc::signal(libc::SIGCHLD, libc::SIG_IGN) };
    let d = Debug::new(json!({"exitCode": 3}));
    let r = quiet().exec_plugin(&Context::background(), plugin, b"{}", Some(&d.env("ADD")));
    // SAFETY: restores the disposition saved above.
    unsafe { libc::signal(libc::SIGCHLD, old) };
    match r {
        Err(Error::ExecFailed(m)) => assert!(m.contains("SIGCHLD"), "{m}"),
        other => panic!("expected an exec failure, got {other:?}"),
    }
}
