//! `Child::supervise` on the paths a whole plugin run rarely takes.

use super::*;
use std::time::Instant;

/// A started `/bin/true` without a pidfd (as where `pidfd_open` is
/// missing: kernels before 5.3, valgrind, strict seccomp filters), whose
/// stdout stays open after it exits because we hold a copy of the write
/// end; returned once it has exited.
fn exited_child_with_open_stdout() -> (Child, Io<'static>, OwnedFd) {
    let (in_r, in_w) = spawn::pipe().unwrap();
    let (out_r, out_w) = spawn::pipe().unwrap();
    let held = out_w.try_clone().unwrap();
    let stdio = ChildStdio {
        stdin: in_r,
        stdout: out_w,
        stderr: None,
    };
    let path = CString::new("/bin/true").unwrap();
    let pid = spawn::spawn(&path, &EnvBlock::default(), stdio).unwrap();
    while !spawn::has_exited(pid) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let child = Child {
        pid,
        pidfd: None,
        reaped: false,
    };
    let io = Io {
        stdin: Some(in_w),
        stdin_data: b"x",
        written: 0,
        stdout: Some(out_r),
        stderr: None,
        out: Vec::new(),
        err: Vec::new(),
        cap: usize::MAX,
    };
    (child, io, held)
}

#[test]
fn an_ended_context_after_an_exit_seen_without_a_pidfd_returns_at_once() {
    let (child, mut io, _held) = exited_child_with_open_stdout();
    let ctx = Context::new();
    ctx.cancel();
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let r = child.supervise(&ctx, &mut io, Duration::ZERO);
        let _ = tx.send(r.map_err(|e| e.to_string()));
    });
    let r = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("supervise hung after the context ended");
    assert_eq!(r, Err("netplugin cancelled: context canceled".to_string()));
    assert!(started.elapsed() < Duration::from_secs(5));
}
