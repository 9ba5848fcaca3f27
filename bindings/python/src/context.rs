//! `Context` for Python, and the per-call context every call runs under.
//!
//! A Python `Context` is one core context; `parent=` makes it the core
//! context's child (so `cniinvoke.aio` can cancel one call without touching
//! the caller's context): the core propagates a cancel at once and takes the
//! nearer deadline. Each call runs under a fresh child with `timeout=`; on
//! the main thread it also watches Python's signal handlers (Ctrl-C's).

use crate::convert;
use cniinvoke::{Context, Done, EnvironSnapshot, TraceContext};
use pyo3::prelude::*;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a call on the main thread looks at Python's signal handlers
/// besides the moment a signal interrupts its wait. The interruption is what
/// normally reports Ctrl-C (the kernel gives a process's signals to its main
/// thread first); this interval only bounds the delay when a signal was
/// handled on another thread.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// Cancellation, deadline and trace context for one or more calls (Go's
/// `context.Context`).
///
/// `Context(timeout=None, *, deadline=None, parent=None, traceparent=None,
/// tracestate=None, baggage=None)`: `timeout` is in seconds from now,
/// `deadline` a `time.monotonic()` value; with both the earlier wins. A
/// context with a `parent` is done when its parent is, and inherits the
/// parent's trace values it does not set itself. `cancel()` may be called
/// from any thread, any number of times, also while calls are running: they
/// kill their plugin and raise `PluginCancelledError`. When the deadline
/// passes, running calls kill their plugin and raise `PluginTimeoutError`.
///
/// Example::
///
///     ctx = cniinvoke.Context(timeout=60)
///     threading.Timer(5, ctx.cancel).start()   # e.g. the pod went away
///     try:
///         cfg.add_network_list(netlist, rt, ctx=ctx)
///     except cniinvoke.PluginCancelledError:
///         ...   # the running plugin was killed; the cache is as it was
#[pyclass(module = "cniinvoke", name = "Context", frozen)]
pub struct PyContext {
    pub(crate) ctx: Context,
}

#[pymethods]
impl PyContext {
    #[new]
    #[pyo3(signature = (timeout=None, *, deadline=None, parent=None, traceparent=None, tracestate=None, baggage=None))]
    fn new(
        py: Python<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
        deadline: Option<&Bound<'_, PyAny>>,
        parent: Option<&Bound<'_, PyAny>>,
        traceparent: Option<String>,
        tracestate: Option<String>,
        baggage: Option<String>,
    ) -> PyResult<Self> {
        let timeout = convert::seconds(timeout, "timeout")?;
        let deadline = match deadline {
            None => None,
            Some(d) if d.is_none() => None,
            Some(d) => {
                let at = convert::float(d, "deadline")?;
                let now = monotonic(py)?;
                Some(instant_after((at - now).max(0.0)))
            }
        };
        let own = [timeout.map(|t| instant_after(t.as_secs_f64())), deadline]
            .into_iter()
            .flatten()
            .min();
        let parent = match parent.filter(|p| !p.is_none()) {
            None => None,
            Some(p) => Some(
                p.cast::<PyContext>()
                    .map_err(|_| {
                        pyo3::exceptions::PyTypeError::new_err(format!(
                            "parent must be a cniinvoke.Context or None, not {}",
                            convert::type_name(p)
                        ))
                    })?
                    .get()
                    .ctx
                    .clone(),
            ),
        };
        let ctx = derive(parent.as_ref(), own);
        ctx.set_trace(TraceContext {
            traceparent,
            tracestate,
            baggage,
        });
        Ok(PyContext { ctx })
    }

    /// Cancel this context (and so every context derived from it).
    fn cancel(&self) {
        self.ctx.cancel();
    }

    /// True once this context or an ancestor has been cancelled.
    #[getter]
    fn cancelled(&self) -> bool {
        self.ctx.done() == Some(Done::Cancelled)
    }

    /// True once the deadline (this context's or an ancestor's) has passed.
    #[getter]
    fn expired(&self) -> bool {
        self.ctx.done() == Some(Done::DeadlineExceeded)
    }

    /// True when cancelled or expired: calls under it fail at once.
    #[getter]
    fn done(&self) -> bool {
        self.ctx.done().is_some()
    }

    /// The effective deadline as a `time.monotonic()` value, or None.
    #[getter]
    fn deadline(&self, py: Python<'_>) -> PyResult<Option<f64>> {
        let Some(d) = self.ctx.deadline() else {
            return Ok(None);
        };
        let now = Instant::now();
        let mono = monotonic(py)?;
        Ok(Some(if d >= now {
            mono + (d - now).as_secs_f64()
        } else {
            mono - (now - d).as_secs_f64()
        }))
    }

    /// Seconds left until the deadline (0.0 once passed), or None.
    fn time_remaining(&self) -> Option<f64> {
        self.ctx
            .deadline()
            .map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64())
    }

    /// Set the W3C trace-context values plugins get as `TRACEPARENT`,
    /// `TRACESTATE` and `BAGGAGE` (None or "" = not set here).
    #[pyo3(signature = (traceparent=None, tracestate=None, baggage=None))]
    fn set_trace(
        &self,
        traceparent: Option<String>,
        tracestate: Option<String>,
        baggage: Option<String>,
    ) {
        self.ctx.set_trace(TraceContext {
            traceparent,
            tracestate,
            baggage,
        });
    }

    /// The `traceparent` in effect (own, else inherited), or None.
    #[getter]
    fn traceparent(&self) -> Option<String> {
        self.ctx.trace().traceparent
    }

    /// The `tracestate` in effect (own, else inherited), or None.
    #[getter]
    fn tracestate(&self) -> Option<String> {
        self.ctx.trace().tracestate
    }

    /// The `baggage` in effect (own, else inherited), or None.
    #[getter]
    fn baggage(&self) -> Option<String> {
        self.ctx.trace().baggage
    }

    fn __repr__(&self) -> String {
        let state = match self.ctx.done() {
            Some(Done::Cancelled) => "cancelled",
            Some(Done::DeadlineExceeded) => "expired",
            None => "active",
        };
        match self.time_remaining() {
            Some(left) => format!("<cniinvoke.Context {state}, {left:.3}s left>"),
            None => format!("<cniinvoke.Context {state}>"),
        }
    }
}

/// A new core context: a child of `parent` when given, with `deadline`.
fn derive(parent: Option<&Context>, deadline: Option<Instant>) -> Context {
    match (parent, deadline) {
        (Some(p), Some(d)) => p.child_with_deadline(d),
        (Some(p), None) => p.child(),
        (None, Some(d)) => Context::with_deadline(d),
        (None, None) => Context::new(),
    }
}

fn monotonic(py: Python<'_>) -> PyResult<f64> {
    py.import("time")?.call_method0("monotonic")?.extract()
}

fn instant_after(secs: f64) -> Instant {
    let now = Instant::now();
    Duration::try_from_secs_f64(secs)
        .ok()
        .and_then(|d| now.checked_add(d))
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

thread_local! {
    /// The contexts of the calls whose Python executor is running on this
    /// thread, innermost last: a nested `RawExec.exec_plugin()` without
    /// `ctx=` runs under the outer call's context.
    static CURRENT: RefCell<Vec<Context>> = const { RefCell::new(Vec::new()) };
}

/// Marks a call's context as current on this thread while it lives.
pub struct CurrentGuard(());

impl CurrentGuard {
    pub fn enter(ctx: Context) -> CurrentGuard {
        CURRENT.with(|c| c.borrow_mut().push(ctx));
        CurrentGuard(())
    }
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| {
            c.borrow_mut().pop();
        });
    }
}

fn current() -> Option<Context> {
    CURRENT.with(|c| c.borrow().last().cloned())
}

fn on_main_thread() -> bool {
    // SAFETY: neither call has preconditions.
    unsafe { libc::gettid() == libc::getpid() }
}

/// The context one call runs under.
pub struct Call {
    /// What the core call gets: a child of `ctx=` (or of the outer call's
    /// context) with the deadline of `timeout=`.
    pub ctx: Context,
    /// The exception a signal handler raised while the plugin ran.
    interrupted: Arc<Mutex<Option<PyErr>>>,
}

impl Call {
    /// The context for a call given `ctx=` and `timeout=`.
    pub fn new(ctx: Option<&PyContext>, timeout: Option<Duration>) -> Call {
        let parent = ctx.map(|c| c.ctx.clone()).or_else(current);
        let deadline = timeout.map(|t| instant_after(t.as_secs_f64()));
        let call_ctx = derive(parent.as_ref(), deadline);
        let interrupted: Arc<Mutex<Option<PyErr>>> = Arc::default();
        if on_main_thread() {
            let stash = interrupted.clone();
            call_ctx.set_interrupt_check(
                SIGNAL_POLL,
                Arc::new(move || {
                    let lock = || stash.lock().unwrap_or_else(|e| e.into_inner());
                    if lock().is_some() {
                        return true;
                    }
                    // Runs the handlers (Ctrl-C's raises KeyboardInterrupt);
                    // the lock is not held while they run.
                    match Python::attach(|py| py.check_signals()) {
                        Ok(()) => false,
                        Err(e) => {
                            *lock() = Some(e);
                            true
                        }
                    }
                }),
            );
        }
        Call {
            ctx: call_ctx,
            interrupted,
        }
    }

    /// [`Call::new`] for a call that runs plugins: with this process's
    /// environment as it is now for them to inherit.
    ///
    /// Made with the GIL held (`_py`): Python changes `os.environ` only
    /// while holding it, so the snapshot is never torn, and the core, which
    /// runs with the GIL released, builds every plugin's environment from
    /// it without reading `environ`.
    pub fn running_plugins(
        _py: Python<'_>,
        ctx: Option<&PyContext>,
        timeout: Option<Duration>,
    ) -> Call {
        let call = Call::new(ctx, timeout);
        call.ctx.set_environ(Some(EnvironSnapshot::capture()));
        call
    }

    /// The call's outcome for Python: a signal handler's exception
    /// (Ctrl-C's `KeyboardInterrupt`, raised even if the plugin finished
    /// meanwhile) first, then the library error as its Python exception (a
    /// Python executor's own exception comes back as that very object).
    pub fn finish<T>(self, py: Python<'_>, r: cniinvoke::Result<T>) -> PyResult<T> {
        let signal = self
            .interrupted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        match (r, signal) {
            (Err(e), _) if e.payload().is_some() => Err(crate::errors::to_py(py, &e)),
            (_, Some(exc)) => Err(exc),
            (Ok(v), None) => Ok(v),
            (Err(e), None) => Err(crate::errors::to_py(py, &e)),
        }
    }
}
