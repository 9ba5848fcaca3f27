//! `Context` for Python, and the per-call context every call runs under.
//!
//! A Python `Context` may have a parent (so `cniinvoke.aio` can cancel one
//! call without touching the caller's context). Each call builds a fresh core
//! context whose deadline is the nearest of the chain's and `timeout=`; an
//! interrupt check, polled while the plugin runs, cancels it when a context
//! of the chain is cancelled or, on the main thread, when a Python signal
//! handler (Ctrl-C's) raises.

use crate::convert;
use cniinvoke::{Context, Done, TraceContext};
use pyo3::prelude::*;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// How often a running call looks at its parents and at Python's signals.
const POLL: Duration = Duration::from_millis(10);

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
#[pyclass(module = "cniinvoke", name = "Context", frozen)]
pub struct PyContext {
    /// This context first, then its ancestors, nearest first.
    pub(crate) chain: Vec<Context>,
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
        let own = [timeout.map(|t| Instant::now() + t), deadline]
            .into_iter()
            .flatten()
            .min();
        let ctx = match own {
            Some(at) => Context::with_deadline(at),
            None => Context::new(),
        };
        ctx.set_trace(TraceContext {
            traceparent,
            tracestate,
            baggage,
        });
        let mut chain = vec![ctx];
        if let Some(p) = parent.filter(|p| !p.is_none()) {
            let p = p.cast::<PyContext>().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err(format!(
                    "parent must be a cniinvoke.Context or None, not {}",
                    convert::type_name(p)
                ))
            })?;
            chain.extend(p.get().chain.iter().cloned());
        }
        Ok(PyContext { chain })
    }

    /// Cancel this context (and so every context derived from it).
    fn cancel(&self) {
        self.chain[0].cancel();
    }

    /// True once this context or an ancestor has been cancelled.
    #[getter]
    fn cancelled(&self) -> bool {
        chain_cancelled(&self.chain)
    }

    /// True once the deadline (this context's or an ancestor's) has passed.
    #[getter]
    fn expired(&self) -> bool {
        !self.cancelled() && chain_deadline(&self.chain).is_some_and(|d| Instant::now() >= d)
    }

    /// True when cancelled or expired: calls under it fail at once.
    #[getter]
    fn done(&self) -> bool {
        self.cancelled() || self.expired()
    }

    /// The effective deadline as a `time.monotonic()` value, or None.
    #[getter]
    fn deadline(&self, py: Python<'_>) -> PyResult<Option<f64>> {
        let Some(d) = chain_deadline(&self.chain) else {
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
        chain_deadline(&self.chain)
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
        self.chain[0].set_trace(TraceContext {
            traceparent,
            tracestate,
            baggage,
        });
    }

    /// The `traceparent` in effect (own, else inherited), or None.
    #[getter]
    fn traceparent(&self) -> Option<String> {
        chain_trace(&self.chain).traceparent
    }

    /// The `tracestate` in effect (own, else inherited), or None.
    #[getter]
    fn tracestate(&self) -> Option<String> {
        chain_trace(&self.chain).tracestate
    }

    /// The `baggage` in effect (own, else inherited), or None.
    #[getter]
    fn baggage(&self) -> Option<String> {
        chain_trace(&self.chain).baggage
    }

    fn __repr__(&self) -> String {
        let state = if self.cancelled() {
            "cancelled"
        } else if self.expired() {
            "expired"
        } else {
            "active"
        };
        match self.time_remaining() {
            Some(left) => format!("<cniinvoke.Context {state}, {left:.3}s left>"),
            None => format!("<cniinvoke.Context {state}>"),
        }
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

fn chain_cancelled(chain: &[Context]) -> bool {
    chain.iter().any(|c| c.done() == Some(Done::Cancelled))
}

fn chain_deadline(chain: &[Context]) -> Option<Instant> {
    chain.iter().filter_map(Context::deadline).min()
}

/// Each trace value from the nearest context that sets it.
fn chain_trace(chain: &[Context]) -> TraceContext {
    let mut out = TraceContext::default();
    for c in chain {
        let t = c.trace();
        let pick = |mine: &mut Option<String>, theirs: Option<String>| {
            if mine.as_deref().unwrap_or("").is_empty() {
                *mine = theirs.filter(|s| !s.is_empty());
            }
        };
        pick(&mut out.traceparent, t.traceparent);
        pick(&mut out.tracestate, t.tracestate);
        pick(&mut out.baggage, t.baggage);
    }
    out
}

thread_local! {
    /// The chains of the calls whose Python executor is running on this
    /// thread, innermost last: a nested `RawExec.exec_plugin()` without
    /// `ctx=` runs under the outer call's context.
    static CURRENT: RefCell<Vec<Vec<Context>>> = const { RefCell::new(Vec::new()) };
}

/// Marks a call's chain as current on this thread while it lives.
pub struct CurrentGuard(());

impl CurrentGuard {
    pub fn enter(chain: Vec<Context>) -> CurrentGuard {
        CURRENT.with(|c| c.borrow_mut().push(chain));
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

fn current_chain() -> Vec<Context> {
    CURRENT.with(|c| c.borrow().last().cloned().unwrap_or_default())
}

/// Bumped in the child of a `fork()`: what a thread cached before it (its
/// spare context, whose eventfd the parent shares; whether it is the main
/// thread) is not used after it.
static FORK_GEN: AtomicU64 = AtomicU64::new(0);
static ATFORK: Once = Once::new();

extern "C" fn after_fork_in_child() {
    FORK_GEN.fetch_add(1, Ordering::Relaxed);
}

fn fork_gen() -> u64 {
    ATFORK.call_once(|| {
        // SAFETY: registers a handler that only bumps an atomic (it fails
        // only for want of memory).
        unsafe { libc::pthread_atfork(None, None, Some(after_fork_in_child)) };
    });
    FORK_GEN.load(Ordering::Relaxed)
}

/// The context a call without `ctx=`, `timeout=` or an outer call runs
/// under, kept per thread between calls (a fresh one costs an eventfd and a
/// few allocations): it has no deadline, no parents and no trace values, and
/// nothing but its own interrupt check can cancel it. A call that ends with
/// it cancelled does not give it back.
struct Spare {
    fork_gen: u64,
    ctx: Context,
    interrupted: Arc<Mutex<Option<PyErr>>>,
}

thread_local! {
    static SPARE: RefCell<Option<Spare>> = const { RefCell::new(None) };
    /// Whether this thread is the process's main thread, and for which
    /// fork generation.
    static MAIN: Cell<Option<(u64, bool)>> = const { Cell::new(None) };
}

fn on_main_thread(fork_gen: u64) -> bool {
    MAIN.with(|m| match m.get() {
        Some((g, main)) if g == fork_gen => main,
        _ => {
            // SAFETY: neither call has preconditions.
            let main = unsafe { libc::gettid() == libc::getpid() };
            m.set(Some((fork_gen, main)));
            main
        }
    })
}

/// The context one call runs under.
pub struct Call {
    /// What the core call gets.
    pub ctx: Context,
    /// `ctx` followed by the chain it derives from (for nested calls).
    pub chain: Vec<Context>,
    /// The exception a signal handler raised while the plugin ran.
    interrupted: Arc<Mutex<Option<PyErr>>>,
    /// For a context that may be kept as this thread's spare: the fork
    /// generation it was made in.
    spare: Option<u64>,
}

impl Call {
    /// The context for a call given `ctx=` and `timeout=`.
    pub fn new(ctx: Option<&PyContext>, timeout: Option<Duration>) -> Call {
        let parents = match ctx {
            Some(c) => c.chain.clone(),
            None => current_chain(),
        };
        let gen = fork_gen();
        let plain = ctx.is_none() && timeout.is_none() && parents.is_empty();
        if plain {
            let spare = SPARE.with(|s| s.borrow_mut().take());
            if let Some(s) = spare.filter(|s| s.fork_gen == gen && s.ctx.done().is_none()) {
                return Call {
                    chain: vec![s.ctx.clone()],
                    ctx: s.ctx,
                    interrupted: s.interrupted,
                    spare: Some(gen),
                };
            }
        }
        let deadline = [
            chain_deadline(&parents),
            timeout.map(|t| instant_after(t.as_secs_f64())),
        ]
        .into_iter()
        .flatten()
        .min();
        let call_ctx = match deadline {
            Some(d) => Context::with_deadline(d),
            None => Context::new(),
        };
        call_ctx.set_trace(chain_trace(&parents));
        if chain_cancelled(&parents) {
            call_ctx.cancel();
        }
        let interrupted: Arc<Mutex<Option<PyErr>>> = Arc::default();
        let main = on_main_thread(gen);
        if main || !parents.is_empty() {
            let watched = parents.clone();
            let stash = interrupted.clone();
            // Python's signal handlers are looked at (which takes the GIL)
            // at most every half tick: a signal interrupts the wait, and
            // the tick that follows sees it.
            let last_look: Mutex<Option<Instant>> = Mutex::new(None);
            call_ctx.set_interrupt_check(
                POLL,
                Arc::new(move || {
                    if chain_cancelled(&watched) {
                        return true;
                    }
                    if !main {
                        return false;
                    }
                    let lock = || stash.lock().unwrap_or_else(|e| e.into_inner());
                    if lock().is_some() {
                        return true;
                    }
                    {
                        let now = Instant::now();
                        let mut last = last_look.lock().unwrap_or_else(|e| e.into_inner());
                        if last.is_some_and(|t| now.saturating_duration_since(t) < POLL / 2) {
                            return false;
                        }
                        *last = Some(now);
                    }
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
        let mut chain = vec![call_ctx.clone()];
        chain.extend(parents);
        Call {
            ctx: call_ctx,
            chain,
            interrupted,
            spare: plain.then_some(gen),
        }
    }

    /// The call's outcome for Python: the executor's own exception when it
    /// raised one, then a signal handler's exception (Ctrl-C's
    /// `KeyboardInterrupt`, raised even if the plugin finished meanwhile),
    /// then the library error as its `CNIError` subclass.
    pub fn finish<T>(
        self,
        py: Python<'_>,
        r: cniinvoke::Result<T>,
        executor_exc: Option<PyErr>,
    ) -> PyResult<T> {
        let signal = self
            .interrupted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(gen) = self.spare {
            if signal.is_none() && self.ctx.done().is_none() && gen == fork_gen() {
                let ctx = self.ctx;
                let interrupted = self.interrupted;
                SPARE.with(|s| {
                    let mut s = s.borrow_mut();
                    if s.is_none() {
                        *s = Some(Spare {
                            fork_gen: gen,
                            ctx,
                            interrupted,
                        });
                    }
                });
            }
        }
        match r {
            Err(_) if executor_exc.is_some() => Err(executor_exc.expect("checked")),
            _ if signal.is_some() => Err(signal.expect("checked")),
            Ok(v) => Ok(v),
            Err(e) => Err(crate::errors::to_py(py, &e)),
        }
    }
}
