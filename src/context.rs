//! Cancellation, deadlines and trace context for a call (Go's
//! `context.Context`, as far as plugin invocation needs it).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Why a context is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// [`Context::cancel`] was called.
    Cancelled,
    /// The deadline passed.
    DeadlineExceeded,
}

/// W3C trace-context values handed to plugins as `TRACEPARENT`,
/// `TRACESTATE` and `BAGGAGE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TraceContext {
    /// `traceparent` header value.
    pub traceparent: Option<String>,
    /// `tracestate` header value.
    pub tracestate: Option<String>,
    /// `baggage` header value.
    pub baggage: Option<String>,
}

impl TraceContext {
    /// The environment entries this trace context adds, in a fixed order.
    pub fn env_vars(&self) -> Vec<(&'static str, String)> {
        [
            ("TRACEPARENT", &self.traceparent),
            ("TRACESTATE", &self.tracestate),
            ("BAGGAGE", &self.baggage),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (k, v.clone())))
        .collect()
    }
}

/// A function polled while a plugin runs; returning `true` cancels the
/// context. Bindings use it to notice a pending Ctrl-C of their host.
pub type InterruptCheck = Arc<dyn Fn() -> bool + Send + Sync>;

struct Inner {
    /// `false` only for [`Context::background`].
    cancellable: bool,
    cancelled: AtomicBool,
    /// Readable once cancelled; polled next to the plugin's pipes.
    wake: Option<OwnedFd>,
    deadline: Option<Instant>,
    trace: RwLock<TraceContext>,
    interrupt: RwLock<Option<(Duration, InterruptCheck)>>,
}

/// Cancellation and deadline for one or more calls. Cheap to clone (clones
/// share state); [`Context::cancel`] may be called from any thread, any
/// number of times, while calls are in flight.
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
        Context::build(None)
    }

    /// A context whose deadline is `timeout` from now.
    pub fn with_timeout(timeout: Duration) -> Context {
        Context::build(Some(
            Instant::now()
                .checked_add(timeout)
                .unwrap_or_else(far_future),
        ))
    }

    /// A context with the given deadline.
    pub fn with_deadline(deadline: Instant) -> Context {
        Context::build(Some(deadline))
    }

    /// A context that is never done (Go's `context.Background()`): it holds
    /// no descriptor, and [`Context::cancel`] on it does nothing.
    pub fn background() -> Context {
        Context {
            inner: Arc::new(Inner {
                cancellable: false,
                cancelled: AtomicBool::new(false),
                wake: None,
                deadline: None,
                trace: RwLock::default(),
                interrupt: RwLock::new(None),
            }),
        }
    }

    fn build(deadline: Option<Instant>) -> Context {
        // SAFETY: eventfd has no memory-safety preconditions.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        // Without a descriptor (EMFILE), cancellation is still seen, at the
        // granularity of the poll tick in the process loop.
        // SAFETY: a non-negative `fd` is the new eventfd, owned by nothing
        // else.
        let wake = (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) });
        Context {
            inner: Arc::new(Inner {
                cancellable: true,
                cancelled: AtomicBool::new(false),
                wake,
                deadline,
                trace: RwLock::default(),
                interrupt: RwLock::new(None),
            }),
        }
    }

    /// Cancel: calls in flight kill their plugin and return
    /// [`crate::Error::Cancelled`]; later calls fail at once. Idempotent.
    pub fn cancel(&self) {
        if !self.inner.cancellable || self.inner.cancelled.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(fd) = &self.inner.wake {
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a live u64 to our own eventfd.
            unsafe { libc::write(fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
        }
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

    /// The deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.inner.deadline
    }

    /// A descriptor that becomes readable on cancellation, for `poll`.
    pub fn wake_fd(&self) -> Option<RawFd> {
        self.inner.wake.as_ref().map(|f| f.as_raw_fd())
    }

    /// Replace the trace context handed to plugins.
    pub fn set_trace(&self, trace: TraceContext) {
        *self.inner.trace.write().unwrap_or_else(|e| e.into_inner()) = trace;
    }

    /// The trace context handed to plugins.
    pub fn trace(&self) -> TraceContext {
        self.inner
            .trace
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Poll `check` every `every` while a plugin runs; when it returns
    /// `true` the context is cancelled.
    pub fn set_interrupt_check(&self, every: Duration, check: InterruptCheck) {
        *self
            .inner
            .interrupt
            .write()
            .unwrap_or_else(|e| e.into_inner()) = Some((every, check));
    }

    /// Run the interrupt check, if any, cancelling on `true`.
    pub(crate) fn check_interrupt(&self) {
        let check = self
            .inner
            .interrupt
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|(_, c)| c.clone());
        if let Some(check) = check {
            if check() {
                self.cancel();
            }
        }
    }

    /// How long a wait may last before the context must be looked at again:
    /// the time to the deadline, capped by the interrupt-check interval.
    /// `None` = no limit.
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
            .map(|(every, _)| *every);
        let no_fd = (self.inner.cancellable && self.inner.wake.is_none())
            .then(|| Duration::from_millis(10));
        [to_deadline, interval, no_fd].into_iter().flatten().min()
    }

    /// Sleep for `d` unless the context ends first; `Err` tells why it did.
    pub(crate) fn sleep(&self, d: Duration) -> Result<(), Done> {
        let until = Instant::now() + d;
        loop {
            self.check_interrupt();
            if let Some(done) = self.done() {
                return Err(done);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            let wait = self.tick().map_or(left, |t| t.min(left));
            crate::spawn::poll_one(self.wake_fd(), wait);
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}
