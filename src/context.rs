//! Cancellation, deadlines and trace context for a call (Go's
//! `context.Context`, as far as plugin invocation needs it).
//!
//! Contexts form a tree: a child is done when its parent is (cancelling a
//! parent cancels its children at once, waking calls that wait on them), its
//! deadline is the earlier of its own and its parent's, and it inherits the
//! trace values it does not set itself.

mod trace;
mod wake;

pub use trace::TraceContext;

use crate::environ_snapshot::EnvironSnapshot;
use crate::error::Error;
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
use wake::Wake;

/// Why a context is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// [`Context::cancel`] was called (on the context or an ancestor).
    Cancelled,
    /// The deadline passed.
    DeadlineExceeded,
}

impl Done {
    /// The error a call under a context done for this reason fails with:
    /// [`Error::Cancelled`] or [`Error::Timeout`], with Go's words for the
    /// reason (`context canceled`, `context deadline exceeded`). Every
    /// binding reports a done context with this one text.
    pub fn error(self) -> Error {
        match self {
            Done::Cancelled => Error::Cancelled("netplugin cancelled: context canceled".into()),
            Done::DeadlineExceeded => {
                Error::Timeout("netplugin timed out: context deadline exceeded".into())
            }
        }
    }
}

/// A function run while a plugin runs (every [`Context::set_interrupt_check`]
/// interval, and at once when a signal interrupts the wait); returning `true`
/// cancels the context. Bindings use it to notice a pending Ctrl-C of their
/// host.
pub type InterruptCheck = Arc<dyn Fn() -> bool + Send + Sync>;

struct Interrupt {
    every: Duration,
    check: InterruptCheck,
    last: Mutex<Option<Instant>>,
}

struct Inner {
    /// `false` only for [`Context::background`].
    cancellable: bool,
    cancelled: AtomicBool,
    wake: Wake,
    /// The earlier of this context's own deadline and its parent's.
    deadline: Option<Instant>,
    parent: Option<Arc<Inner>>,
    /// Live children, by the address of their `Inner`; each removes itself
    /// when dropped.
    children: Mutex<HashMap<usize, Weak<Inner>>>,
    trace: RwLock<TraceContext>,
    /// The environment plugins inherit in place of this process's, when
    /// this context sets one.
    environ: RwLock<Option<Arc<EnvironSnapshot>>>,
    interrupt: RwLock<Option<Arc<Interrupt>>>,
}

impl Inner {
    fn new(cancellable: bool, deadline: Option<Instant>, parent: Option<Arc<Inner>>) -> Inner {
        Inner {
            cancellable,
            cancelled: AtomicBool::new(false),
            wake: Wake::default(),
            deadline,
            parent,
            children: Mutex::default(),
            trace: RwLock::default(),
            environ: RwLock::default(),
            interrupt: RwLock::new(None),
        }
    }

    /// Set the flag and wake waiters; `false` if it was set already (or
    /// cannot be).
    fn mark_cancelled(&self) -> bool {
        if !self.cancellable || self.cancelled.swap(true, Ordering::SeqCst) {
            return false;
        }
        self.wake.signal();
        true
    }

    /// The live children. Upgraded under the lock, used (and maybe
    /// dropped) after it: a child's drop takes this lock.
    fn live_children(&self) -> Vec<Arc<Inner>> {
        lock(&self.children)
            .values()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// Cancel this context and every descendant (without recursion: chains
    /// of contexts may be long).
    fn cancel(&self) {
        if !self.mark_cancelled() {
            return;
        }
        let mut todo = self.live_children();
        while let Some(c) = todo.pop() {
            if c.mark_cancelled() {
                todo.extend(c.live_children());
            }
        }
    }

    /// Own trace values, each unset one taken from the nearest ancestor
    /// that sets it.
    fn trace(&self) -> TraceContext {
        let read = |i: &Inner| i.trace.read().unwrap_or_else(|e| e.into_inner()).clone();
        let mut out = read(self);
        let mut up = self.parent.as_deref();
        while let Some(p) = up {
            out = out.or_inherit(read(p));
            up = p.parent.as_deref();
        }
        out
    }

    /// Own environment snapshot, else the nearest ancestor's.
    fn environ(&self) -> Option<Arc<EnvironSnapshot>> {
        let read = |i: &Inner| i.environ.read().unwrap_or_else(|e| e.into_inner()).clone();
        let mut at = Some(self);
        while let Some(i) = at {
            if let Some(env) = read(i) {
                return Some(env);
            }
            at = i.parent.as_deref();
        }
        None
    }
}

impl Drop for Inner {
    /// Leave the parent's list; release ancestors that only this context
    /// kept alive one by one (a recursive drop of a long chain would
    /// exhaust the stack).
    fn drop(&mut self) {
        let mut key = self as *const Inner as usize;
        let mut next = self.parent.take();
        while let Some(parent) = next {
            lock(&parent.children).remove(&key);
            key = Arc::as_ptr(&parent) as usize;
            next = match Arc::try_unwrap(parent) {
                Ok(mut last_ref) => last_ref.parent.take(),
                Err(_) => None,
            };
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Cancellation and deadline for one or more calls. Cheap to clone (clones
/// share state) and cheap to make (no descriptor until a call waits on it);
/// [`Context::cancel`] may be called from any thread, any number of times,
/// while calls are in flight.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("done", &self.done())
            .field("deadline", &self.inner.deadline)
            .finish()
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::new()
    }
}

impl Context {
    /// A cancellable context without a deadline.
    pub fn new() -> Context {
        Context::build(None, None)
    }

    /// A context whose deadline is `timeout` from now.
    pub fn with_timeout(timeout: Duration) -> Context {
        Context::build(None, Some(after(timeout)))
    }

    /// A context with the given deadline.
    pub fn with_deadline(deadline: Instant) -> Context {
        Context::build(None, Some(deadline))
    }

    /// A context that is never done (Go's `context.Background()`):
    /// [`Context::cancel`] on it does nothing.
    pub fn background() -> Context {
        Context {
            inner: Arc::new(Inner::new(false, None, None)),
        }
    }

    /// A cancellable child of this context (Go's `context.WithCancel`):
    /// cancelling it leaves this context alone; cancelling this context
    /// cancels the child at once.
    pub fn child(&self) -> Context {
        Context::build(Some(self), None)
    }

    /// A child (see [`Context::child`]) whose deadline is `timeout` from
    /// now, or this context's when that is earlier.
    pub fn child_with_timeout(&self, timeout: Duration) -> Context {
        Context::build(Some(self), Some(after(timeout)))
    }

    /// A child (see [`Context::child`]) with the earlier of `deadline` and
    /// this context's deadline.
    pub fn child_with_deadline(&self, deadline: Instant) -> Context {
        Context::build(Some(self), Some(deadline))
    }

    fn build(parent: Option<&Context>, own_deadline: Option<Instant>) -> Context {
        let deadline = [own_deadline, parent.and_then(Context::deadline)]
            .into_iter()
            .flatten()
            .min();
        // Linked to every parent (its trace values and environment are
        // inherited), but a parent that can never be cancelled need not
        // know its children.
        let inner = Arc::new(Inner::new(true, deadline, parent.map(|p| p.inner.clone())));
        if let Some(p) = parent.filter(|p| p.inner.cancellable) {
            lock(&p.inner.children).insert(Arc::as_ptr(&inner) as usize, Arc::downgrade(&inner));
            // A cancel that ran before the child was registered has not
            // seen it; the flag it set first is seen here.
            if p.inner.cancelled.load(Ordering::SeqCst) {
                inner.cancel();
            }
        }
        Context { inner }
    }

    /// Cancel this context and its descendants: calls in flight kill their
    /// plugin and return [`crate::Error::Cancelled`]; later calls fail at
    /// once. Idempotent.
    pub fn cancel(&self) {
        self.inner.cancel();
    }

    /// Whether the context is done, and why. Cancellation wins over an
    /// expired deadline when both hold.
    pub fn done(&self) -> Option<Done> {
        if self.inner.cancelled.load(Ordering::SeqCst) {
            return Some(Done::Cancelled);
        }
        match self.inner.deadline {
            Some(d) if Instant::now() >= d => Some(Done::DeadlineExceeded),
            _ => None,
        }
    }

    /// The error a call under this context fails with now ([`Done::error`]),
    /// or `None` while it is not done.
    pub fn err(&self) -> Option<Error> {
        self.done().map(Done::error)
    }

    /// The deadline in force (the earliest of this context's and its
    /// ancestors'), if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline
    }

    /// A descriptor that becomes readable on cancellation, for `poll`; made
    /// on the first call. `None` for a context that cannot be cancelled, or
    /// when no descriptor could be made (then waits use a short tick).
    pub fn wake_fd(&self) -> Option<RawFd> {
        if !self.inner.cancellable {
            return None;
        }
        let fd = self.inner.wake.get_or_make();
        // A cancel that ran before the descriptor existed could not write
        // it; the flag it set first is seen here.
        if self.inner.cancelled.load(Ordering::SeqCst) {
            self.inner.wake.signal();
        }
        fd
    }

    /// Replace this context's own trace values (a value left unset or
    /// empty is inherited from the parent).
    pub fn set_trace(&self, trace: TraceContext) {
        *self.inner.trace.write().unwrap_or_else(|e| e.into_inner()) = trace;
    }

    /// The trace values handed to plugins: each one this context sets,
    /// else its parent's.
    pub fn trace(&self) -> TraceContext {
        self.inner.trace()
    }

    /// Have every plugin started under this context, or under a child that
    /// sets none of its own, inherit `env` in place of this process's
    /// environment (`None`: its parent's again, else this process's). The
    /// plugin's environment is then built from the snapshot alone, so a
    /// caller whose environment may change while the call runs (a Go
    /// `os.Setenv`, a Python `os.environ[...] =` on another thread) passes
    /// the one it read under its own lock, and the plugin's environment is
    /// built without reading `environ`.
    pub fn set_environ(&self, env: Option<EnvironSnapshot>) {
        *self
            .inner
            .environ
            .write()
            .unwrap_or_else(|e| e.into_inner()) = env.map(Arc::new);
    }

    /// The environment plugins inherit under this context: its own
    /// snapshot, else its nearest ancestor's; `None`: this process's.
    pub fn environ(&self) -> Option<Arc<EnvironSnapshot>> {
        self.inner.environ()
    }

    /// Run `check` while a plugin runs (or a retry waits): at most every
    /// `every`, and at once when a signal interrupts the wait. When it
    /// returns `true` the context is cancelled.
    pub fn set_interrupt_check(&self, every: Duration, check: InterruptCheck) {
        *self
            .inner
            .interrupt
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(Interrupt {
            every,
            check,
            last: Mutex::new(None),
        }));
    }

    /// Run the interrupt check, if any and if it is due (`signalled`: a
    /// signal just interrupted the wait, so it is due now), cancelling on
    /// `true`.
    pub(crate) fn check_interrupt(&self, signalled: bool) {
        let interrupt = self
            .inner
            .interrupt
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(interrupt) = interrupt else { return };
        {
            let now = Instant::now();
            let mut last = lock(&interrupt.last);
            let due = signalled
                || !last.is_some_and(|t| now.saturating_duration_since(t) < interrupt.every);
            if !due {
                return;
            }
            *last = Some(now);
        }
        if (interrupt.check)() {
            self.cancel();
        }
    }

    /// How long a wait may last before the context must be looked at again:
    /// the time to the deadline, capped by the interrupt-check interval (and
    /// by a short tick when no wake descriptor could be made). `None` = no
    /// limit.
    pub(crate) fn tick(&self) -> Option<Duration> {
        let to_deadline = self
            .inner
            .deadline
            .map(|d| d.saturating_duration_since(Instant::now()));
        let interval = self
            .inner
            .interrupt
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|i| i.every);
        let no_fd =
            (self.inner.cancellable && self.inner.wake.failed()).then(|| Duration::from_millis(10));
        [to_deadline, interval, no_fd].into_iter().flatten().min()
    }

    /// Whether nothing can end this context: not cancellable, no deadline,
    /// no interrupt check. A wait under it may block without a timeout.
    pub(crate) fn never_ends(&self) -> bool {
        !self.inner.cancellable
            && self.inner.deadline.is_none()
            && self
                .inner
                .interrupt
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .is_none()
    }

    /// Sleep for `d` unless the context ends first; `Err` tells why it did.
    pub(crate) fn sleep(&self, d: Duration) -> Result<(), Done> {
        let until = Instant::now() + d;
        let mut signalled = false;
        loop {
            self.check_interrupt(signalled);
            if let Some(done) = self.done() {
                return Err(done);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            let fd = self.wake_fd();
            let wait = self.tick().map_or(left, |t| t.min(left));
            signalled = crate::spawn::poll_one(fd, wait);
        }
    }
}

fn after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

#[cfg(test)]
mod tests;
