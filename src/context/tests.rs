//! The context tree, the lazy wake descriptor and the interrupt check.

use super::*;
use std::sync::atomic::AtomicUsize;

fn readable(fd: RawFd) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut pfd, 1, 0) == 1 }
}

#[test]
fn cancelling_a_parent_cancels_its_descendants_not_the_reverse() {
    let parent = Context::new();
    let child = parent.child();
    let grandchild = child.child();
    grandchild.cancel();
    assert_eq!(child.done(), None);
    child.cancel();
    assert_eq!(parent.done(), None);
    let other = parent.child();
    parent.cancel();
    assert_eq!(other.done(), Some(Done::Cancelled));
    assert_eq!(parent.done(), Some(Done::Cancelled));
}

#[test]
fn a_child_made_after_the_cancel_is_born_cancelled() {
    let parent = Context::new();
    parent.cancel();
    assert_eq!(parent.child().child().done(), Some(Done::Cancelled));
}

#[test]
fn children_of_background_are_cancellable_and_unregistered() {
    let bg = Context::background();
    bg.cancel();
    assert_eq!(bg.done(), None);
    assert_eq!(bg.wake_fd(), None);
    let child = bg.child();
    assert!(lock(&bg.inner.children).is_empty());
    child.cancel();
    assert_eq!(child.done(), Some(Done::Cancelled));
}

#[test]
fn a_childs_deadline_is_the_earlier_one() {
    let soon = Instant::now() + Duration::from_secs(5);
    let later = soon + Duration::from_secs(5);
    assert_eq!(
        Context::with_deadline(soon)
            .child_with_deadline(later)
            .deadline(),
        Some(soon)
    );
    assert_eq!(
        Context::with_deadline(later)
            .child_with_deadline(soon)
            .deadline(),
        Some(soon)
    );
    assert_eq!(Context::with_deadline(soon).child().deadline(), Some(soon));
    let expired = Context::with_timeout(Duration::ZERO).child();
    assert_eq!(expired.done(), Some(Done::DeadlineExceeded));
}

#[test]
fn dropped_children_leave_their_parent() {
    let parent = Context::new();
    let kids: Vec<Context> = (0..10).map(|_| parent.child()).collect();
    assert_eq!(lock(&parent.inner.children).len(), 10);
    drop(kids);
    assert!(lock(&parent.inner.children).is_empty());
    // A clone keeps the child alive and registered.
    let child = parent.child();
    let clone = child.clone();
    drop(child);
    assert_eq!(lock(&parent.inner.children).len(), 1);
    parent.cancel();
    assert_eq!(clone.done(), Some(Done::Cancelled));
}

#[test]
fn no_descriptor_until_a_wait_asks_for_one() {
    let ctx = Context::new().child();
    ctx.cancel();
    assert!(ctx.inner.wake.fd.get().is_none());
    // Asked for after the cancel: already readable.
    let fd = ctx.wake_fd().expect("an eventfd");
    assert!(readable(fd));
    assert_eq!(ctx.wake_fd(), Some(fd), "made once");
}

#[test]
fn a_parents_cancel_wakes_a_wait_on_a_child_at_once() {
    let parent = Context::new();
    let child = parent.child();
    let fd = child.wake_fd().expect("an eventfd");
    assert!(!readable(fd));
    let waiter = std::thread::spawn(move || {
        let t = Instant::now();
        // No timeout: only the descriptor can end this wait.
        let mut pfd = libc::pollfd {
            fd: child.wake_fd().unwrap(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut pfd, 1, -1) };
        (t.elapsed(), child.done())
    });
    std::thread::sleep(Duration::from_millis(50));
    parent.cancel();
    let (waited, done) = waiter.join().unwrap();
    assert_eq!(done, Some(Done::Cancelled));
    assert!(waited < Duration::from_secs(1), "waited {waited:?}");
}

#[test]
fn sleep_ends_on_a_parents_cancel() {
    let parent = Context::new();
    let child = parent.child();
    let p2 = parent.clone();
    let t = Instant::now();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        p2.cancel();
    });
    assert_eq!(child.sleep(Duration::from_secs(30)), Err(Done::Cancelled));
    canceller.join().unwrap();
    assert!(t.elapsed() < Duration::from_secs(1));
}

#[test]
fn trace_values_are_inherited_one_by_one() {
    let parent = Context::new();
    parent.set_trace(TraceContext {
        traceparent: Some("p".into()),
        tracestate: Some("s".into()),
        baggage: None,
    });
    let child = parent.child();
    child.set_trace(TraceContext {
        traceparent: Some("c".into()),
        tracestate: Some(String::new()),
        baggage: Some("b".into()),
    });
    assert_eq!(
        child.trace(),
        TraceContext {
            traceparent: Some("c".into()),
            tracestate: Some("s".into()),
            baggage: Some("b".into()),
        }
    );
}

/// A child of a context that is never done still takes its trace values
/// and its environment, though the parent does not keep track of it.
#[test]
fn a_child_of_the_background_inherits_its_values() {
    let bg = Context::background();
    bg.set_trace(TraceContext {
        traceparent: Some("p".into()),
        tracestate: None,
        baggage: None,
    });
    bg.set_environ(Some(EnvironSnapshot::from_entries(["A=1"]).unwrap()));
    let child = bg.child_with_timeout(Duration::from_secs(60));
    assert_eq!(child.trace().traceparent.as_deref(), Some("p"));
    let env = child.environ().expect("the parent's environment");
    assert_eq!(env.entries().collect::<Vec<_>>(), [b"A=1"]);
    bg.cancel();
    assert_eq!(child.done(), None);
}

#[test]
fn done_reads_as_one_text() {
    assert_eq!(
        Done::Cancelled.error(),
        Error::Cancelled("netplugin cancelled: context canceled".into())
    );
    assert_eq!(
        Done::DeadlineExceeded.error(),
        Error::Timeout("netplugin timed out: context deadline exceeded".into())
    );
    let ctx = Context::new();
    assert_eq!(ctx.err(), None);
    ctx.cancel();
    assert_eq!(ctx.err(), Some(Done::Cancelled.error()));
}

#[test]
fn the_interrupt_check_runs_when_due_or_signalled() {
    let ctx = Context::new();
    let runs = Arc::new(AtomicUsize::new(0));
    let r2 = runs.clone();
    ctx.set_interrupt_check(
        Duration::from_secs(3600),
        Arc::new(move || r2.fetch_add(1, Ordering::SeqCst) == 2),
    );
    ctx.check_interrupt(false); // first: due
    ctx.check_interrupt(false); // within the interval: skipped
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    ctx.check_interrupt(true);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    assert_eq!(ctx.done(), None);
    ctx.check_interrupt(true);
    assert_eq!(ctx.done(), Some(Done::Cancelled));
}

#[test]
fn long_chains_cancel_and_inherit_without_recursion() {
    let root = Context::new();
    root.set_trace(TraceContext {
        traceparent: Some("root".into()),
        ..TraceContext::default()
    });
    let mut chain = vec![root.clone()];
    for _ in 0..50_000 {
        let next = chain.last().unwrap().child();
        chain.push(next);
    }
    let leaf = chain.last().unwrap().clone();
    assert_eq!(leaf.trace().traceparent.as_deref(), Some("root"));
    root.cancel();
    assert_eq!(leaf.done(), Some(Done::Cancelled));
    // Dropped root first: the leaf's drop then releases the whole chain.
    drop(root);
    drop(leaf);
    chain.reverse();
    while chain.pop().is_some() {}
    assert!(chain.is_empty());
}

/// The descriptor is made by the waiter while another thread cancels: in
/// every interleaving the wait ends (the cancel writes the descriptor, or
/// the waiter sees the flag it set first).
#[test]
fn a_cancel_racing_the_first_wait_is_never_lost() {
    for _ in 0..500 {
        let ctx = Context::new().child();
        let c2 = ctx.clone();
        let canceller = std::thread::spawn(move || c2.cancel());
        let fd = ctx.wake_fd().expect("an eventfd");
        let mut pfd = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut pfd, 1, 5_000) };
        canceller.join().unwrap();
        assert_eq!(ready, 1, "the cancel was lost");
    }
}

/// A forked child shares the parent's descriptor but not its flag: its
/// cancel must not wake (and spin) the parent's waits, nor may it wait on
/// the descriptor itself.
#[test]
fn a_forked_child_leaves_the_parents_descriptor_alone() {
    let ctx = Context::new();
    let fd = ctx.wake_fd().expect("an eventfd");
    // SAFETY: the child only touches this test's own context (whose locks
    // no other thread holds) and exits without unwinding.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        ctx.cancel();
        let ok = ctx.wake_fd().is_none() && ctx.tick() == Some(Duration::from_millis(10));
        // SAFETY: leaves the child at once.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    assert!(pid > 0);
    let mut status = 0;
    // SAFETY: waits for the child just forked.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    assert!(!readable(fd), "the child's cancel woke the parent");
    assert_eq!(ctx.done(), None);
    ctx.cancel();
    assert!(readable(fd));
}
