//! `Child::supervise` on the paths a whole plugin run rarely takes.

use super::*;
use std::time::Instant;

/// A started `/bin/true` without a pidfd (as where `pidfd_open` is
/// missing: kernels before 5.3, valgrind, strict seccomp filters), whose
/// stdout stays open after it exits because we hold a copy of the write
/// end; returned once it has exited.
fn exited_child_with_open_stdout() -> (Child, Io<'static>, OwnedFd) {
    let (child, io, held) = started("/bin/true", b"x", false, true);
    while !spawn::has_exited(child.pid) {
        std::thread::sleep(Duration::from_millis(1));
    }
    (child, io, held.expect("held stdout"))
}

/// `path` started (argv is only the path) with `stdin` to be written, with
/// a pidfd or without one, and with `hold` keeping a copy of its stdout's
/// write end (as a grandchild would).
fn started(
    path: &str,
    stdin: &'static [u8],
    pidfd: bool,
    hold: bool,
) -> (Child, Io<'static>, Option<OwnedFd>) {
    let (in_r, in_w) = spawn::pipe().unwrap();
    let (out_r, out_w) = spawn::pipe().unwrap();
    let held = hold.then(|| out_w.try_clone().unwrap());
    let stdio = ChildStdio {
        stdin: in_r,
        stdout: out_w,
        stderr: None,
    };
    let path = CString::new(path).unwrap();
    let pid = spawn::spawn(&path, &EnvBlock::default(), stdio).unwrap();
    let child = Child {
        pid,
        exit: if pidfd {
            ExitSignal::Pidfd(spawn::pidfd_open(pid).expect("this kernel gives no pidfd"))
        } else {
            ExitSignal::Timer
        },
        reaped: false,
    };
    (child, io(in_w, stdin, out_r), held)
}

/// The parent's side of a child's pipes: `data` to write to `stdin`, and
/// `stdout` to read (no stderr pipe, no output cap).
fn io(stdin: OwnedFd, data: &'static [u8], stdout: OwnedFd) -> Io<'static> {
    Io {
        stdin: Some(stdin),
        stdin_data: data,
        written: 0,
        stdout: Some(stdout),
        stderr: None,
        out: Vec::new(),
        err: Vec::new(),
        cap: usize::MAX,
    }
}

#[test]
fn an_ended_context_after_an_exit_seen_without_a_pidfd_returns_at_once() {
    let (child, mut io, _held) = exited_child_with_open_stdout();
    let ctx = Context::new();
    ctx.cancel();
    let (tx, rx) = std::sync::mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let r = child.supervise(&ctx, &mut io, Duration::ZERO, None);
        let _ = tx.send(r.map_err(|e| e.to_string()));
    });
    let r = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("supervise hung after the context ended");
    assert_eq!(r, Err("netplugin cancelled: context canceled".to_string()));
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// `/bin/sh` started with `script` on its stdin ([`started`]).
fn shell(script: &'static [u8], pidfd: bool, hold: bool) -> (Child, Io<'static>, Option<OwnedFd>) {
    started("/bin/sh", script, pidfd, hold)
}

/// What the calling thread has used so far: CPU time and voluntary
/// context switches (each a sleep in `poll`).
fn thread_usage() -> (Duration, i64) {
    // SAFETY: an all-zero rusage is a valid value for getrusage to fill.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a live, writable rusage for this call only.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) }, 0);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (tv(ru.ru_utime) + tv(ru.ru_stime), ru.ru_nvcsw)
}

/// Supervise on a thread of its own (so that its usage is its own); the
/// wait status, and the CPU time and sleeps it took. Panics after 20 s.
fn supervise_measured(child: Child, mut io: Io<'static>) -> (Result<i32>, Duration, i64) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let before = thread_usage();
        let r = child.supervise(&Context::new(), &mut io, Duration::ZERO, None);
        let after = thread_usage();
        let _ = tx.send((r, after.0 - before.0, after.1 - before.1));
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("supervise never returned")
}

/// With a pidfd, the loop sleeps in `poll` until something happens: a
/// plugin that sleeps costs the caller no CPU and only a few wake-ups
/// (no busy loop, no periodic exit check).
#[test]
fn a_sleeping_plugin_costs_a_few_wakeups() {
    let (child, io, _) = shell(b"sleep 0.5\n", true, false);
    let (r, cpu, sleeps) = supervise_measured(child, io);
    assert_eq!(r.unwrap(), 0);
    assert!(cpu < Duration::from_millis(100), "{cpu:?} of CPU");
    assert!(sleeps < 20, "{sleeps} wake-ups");
}

/// Without a pidfd the exit is checked every `EXIT_CHECK`, even while a
/// grandchild holds stdout open (the poll alone would never wake), and
/// the linger after the exit ends the run; still no busy loop.
#[test]
fn without_a_pidfd_the_exit_is_checked_on_a_timer() {
    let (child, io, held) = shell(b"sleep 0.3\n", false, true);
    let (r, cpu, _) = supervise_measured(child, io);
    assert_eq!(r.unwrap(), 0);
    assert!(cpu < Duration::from_millis(150), "{cpu:?} of CPU");
    drop(held);
}

/// A `Child` dropped unreaped (a run that ended by an error) is killed
/// and reaped: nothing is left running, not even a zombie.
#[test]
fn a_dropped_child_is_killed_and_reaped() {
    // The shell blocks reading a stdin that never ends.
    let (child, io, _) = shell(b"", false, false);
    let pid = child.pid;
    drop(child);
    // SAFETY: signal 0 only checks that `pid` exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    assert!(!alive, "the child is still there");
    drop(io);
}

/// A pipe whose read end does not block, with `data` written into it.
fn pipe_holding(data: &[u8]) -> (OwnedFd, OwnedFd) {
    let (r, w) = spawn::pipe().unwrap();
    // SAFETY: plain descriptor calls on descriptors we own; the write is
    // from a live slice.
    unsafe {
        libc::fcntl(r.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK);
        assert_eq!(
            libc::write(w.as_raw_fd(), data.as_ptr().cast(), data.len()),
            data.len() as isize
        );
    }
    (r, w)
}

/// A short result read into an empty buffer takes room for itself only
/// (no 8 KiB block, which costs malloc a consolidation on every run);
/// more output after it still grows the buffer and loses nothing.
#[test]
fn a_short_first_read_takes_room_for_itself_only() {
    let (r, w) = pipe_holding(&[b'a'; 300]);
    let mut buf = Vec::new();
    assert!(Io::drain(&r, &mut buf, usize::MAX, false) == Drained::More);
    assert_eq!(buf, [b'a'; 300]);
    assert!(buf.capacity() < PROBE_BYTES, "capacity {}", buf.capacity());
    let more = [b'b'; 5000];
    // SAFETY: a write from a live slice to our own pipe.
    let wrote = unsafe { libc::write(w.as_raw_fd(), more.as_ptr().cast(), more.len()) };
    assert_eq!(wrote, 5000);
    drop(w);
    assert!(Io::drain(&r, &mut buf, usize::MAX, true) == Drained::Eof);
    assert_eq!(buf.len(), 5300);
    assert!(buf[..300].iter().all(|&b| b == b'a') && buf[300..].iter().all(|&b| b == b'b'));
}

/// Output that goes on after the first read, even a little, is taken as
/// the start of a flood: the buffer grows by at least 8 KiB at once.
#[test]
fn a_second_read_grows_the_buffer_for_more() {
    let (r, w) = pipe_holding(b"first");
    let mut buf = Vec::new();
    assert!(Io::drain(&r, &mut buf, usize::MAX, false) == Drained::More);
    // SAFETY: a write from a live slice to our own pipe.
    let wrote = unsafe { libc::write(w.as_raw_fd(), b"+more".as_ptr().cast(), 5) };
    assert_eq!(wrote, 5);
    assert!(Io::drain(&r, &mut buf, usize::MAX, false) == Drained::More);
    assert_eq!(buf, b"first+more");
    assert!(buf.capacity() >= FLOOD_BLOCK, "capacity {}", buf.capacity());
}

/// A first read that fills the probe is no short result either.
#[test]
fn a_full_first_read_grows_the_buffer_for_more() {
    let (r, _w) = pipe_holding(&[b'c'; PROBE_BYTES]);
    let mut buf = Vec::new();
    assert!(Io::drain(&r, &mut buf, usize::MAX, false) == Drained::More);
    assert_eq!(buf.len(), PROBE_BYTES);
    assert!(buf.capacity() >= FLOOD_BLOCK, "capacity {}", buf.capacity());
}

/// The output pipes are blocking: a drain of a pipe whose writer is still
/// open reads once and returns, never a second time (which would wait for
/// the plugin's next write); once the writer has closed, it reads to the
/// end in the same call.
#[test]
fn a_drain_reads_once_until_the_writer_hangs_up() {
    let (r, w) = spawn::pipe().unwrap();
    let data = [b'd'; 100];
    // SAFETY: a write from a live slice to our own pipe.
    let wrote = unsafe { libc::write(w.as_raw_fd(), data.as_ptr().cast(), data.len()) };
    assert_eq!(wrote, 100);
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let first = Io::drain(&r, &mut buf, usize::MAX, false) == Drained::More;
        tx.send((first, buf.len())).unwrap();
        (r, buf)
    });
    let got = rx.recv_timeout(Duration::from_secs(10));
    // SAFETY: a write from a live slice to our own pipe.
    let wrote = unsafe { libc::write(w.as_raw_fd(), b"tail".as_ptr().cast(), 4) };
    assert_eq!(wrote, 4);
    drop(w);
    assert_eq!(
        got,
        Ok((true, 100)),
        "the drain read a second time and waited"
    );
    let (r, mut buf) = reader.join().unwrap();
    assert!(Io::drain(&r, &mut buf, usize::MAX, true) == Drained::Eof);
    assert_eq!(buf.len(), 104);
}

/// `script` started as a plugin run starts it: no pidfd asked for yet.
fn shell_lazily(script: &'static [u8], hold: bool) -> (Child, Io<'static>, Option<OwnedFd>) {
    let (mut child, io, held) = shell(script, false, hold);
    child.exit = ExitSignal::NotYet(Instant::now());
    (child, io, held)
}

/// A plugin that closes its pipes and only later exits is waited for, under
/// a context that can end (in `poll`, on the pidfd asked for then) and one
/// that cannot (in the reap step's blocking wait); its status is its own.
#[test]
fn a_plugin_exiting_after_closing_its_pipes_is_waited_for() {
    for ctx in [Context::new(), Context::background()] {
        let (child, mut io, _) = shell_lazily(b"exec >&-; sleep 0.2; exit 3\n", false);
        let started = Instant::now();
        let status = child
            .supervise(&ctx, &mut io, Duration::ZERO, None)
            .unwrap();
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 3,
            "status {status}"
        );
        assert!(started.elapsed() >= Duration::from_millis(200));
    }
}

/// Waiting for that exit still ends with the context: the wait is in
/// `poll`, not in a `waitpid` that a cancel could not reach.
#[test]
fn a_cancel_ends_the_wait_for_an_exit_after_the_pipes_closed() {
    let (child, mut io, _) = shell_lazily(b"exec >&-; exec sleep 10\n", false);
    let ctx = Context::new();
    let canceller = ctx.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        canceller.cancel();
    });
    let started = Instant::now();
    let r = child.supervise(&ctx, &mut io, Duration::ZERO, None);
    assert_eq!(
        r.map_err(|e| e.to_string()),
        Err("netplugin cancelled: context canceled".to_string())
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A plugin that outlives `EXIT_CHECK` with its stdout held open by a
/// grandchild gets a pidfd then: its exit is seen, and the linger after it
/// ends the run, with the caller asleep in between (no busy loop).
#[test]
fn a_plugin_running_past_the_exit_check_gets_a_pidfd() {
    let (child, io, held) = shell_lazily(b"sleep 0.2\n", true);
    let (r, cpu, sleeps) = supervise_measured(child, io);
    assert_eq!(r.unwrap(), 0);
    assert!(cpu < Duration::from_millis(100), "{cpu:?} of CPU");
    assert!(sleeps < 20, "{sleeps} wake-ups");
    drop(held);
}
