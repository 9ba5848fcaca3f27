//! The core's events (one per plugin run and per network-list operation)
//! as records of Python's `logging`, logger `cniinvoke`.
//!
//! The core sink is installed only while the logger would keep something:
//! before each call that may run a plugin, with the GIL held anyway, the
//! binding asks the logger whether it has a handler and which of the
//! events' levels it is enabled for, and (only when that changed) sets the
//! core sink to exactly those levels or removes it. With the logger off the
//! core builds no event and no thread takes the GIL for one; with it on,
//! the thread that ran the plugin takes the GIL to hand its record over.

use cniinvoke::events::{self, Event, Level, LevelFilter};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `logging.getLogger("cniinvoke")`.
static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The filter the core sink is installed with (`LevelFilter as usize`;
/// 0 = no sink). Read without a lock on the fast path.
static INSTALLED: AtomicUsize = AtomicUsize::new(0);

/// Serializes installing and removing the sink.
static INSTALLING: Mutex<()> = Mutex::new(());

thread_local! {
    /// Set while this thread delivers an event: a handler that calls the
    /// library must not reinstall the sink it runs in.
    static DELIVERING: Cell<bool> = const { Cell::new(false) };
}

/// Python's number for a core level.
fn py_level(level: Level) -> u32 {
    match level {
        Level::Error => 40,
        Level::Warn => 30,
        Level::Info => 20,
        Level::Debug => 10,
        Level::Trace => 5,
    }
}

fn logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    let l = LOGGER.get_or_try_init(py, || {
        py.import("logging")?
            .call_method1("getLogger", ("cniinvoke",))
            .map(Bound::unbind)
    })?;
    Ok(l.bind(py))
}

/// The most verbose event level the logger keeps now, as a core filter.
fn wanted(logger: &Bound<'_, PyAny>) -> PyResult<LevelFilter> {
    if !logger.call_method0("hasHandlers")?.is_truthy()? {
        return Ok(LevelFilter::Off);
    }
    for (level, filter) in [
        (Level::Debug, LevelFilter::Debug),
        (Level::Info, LevelFilter::Info),
        (Level::Warn, LevelFilter::Warn),
    ] {
        let on = logger.call_method1("isEnabledFor", (py_level(level),))?;
        if on.is_truthy()? {
            return Ok(filter);
        }
    }
    Ok(LevelFilter::Off)
}

/// Bring the core sink in line with the `cniinvoke` logger's state. Called
/// before each call that may run plugins.
pub(crate) fn sync(py: Python<'_>) -> PyResult<()> {
    if DELIVERING.with(Cell::get) {
        return Ok(());
    }
    let filter = wanted(logger(py)?)?;
    if INSTALLED.load(Ordering::Acquire) == filter as usize {
        return Ok(());
    }
    // Installing waits for running sinks, which may wait for the GIL: the
    // GIL is released meanwhile.
    py.detach(|| {
        let _one = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        if INSTALLED.load(Ordering::Acquire) == filter as usize {
            return;
        }
        match filter {
            LevelFilter::Off => events::clear_sink(),
            f => events::set_sink(Box::new(deliver), f),
        }
        INSTALLED.store(filter as usize, Ordering::Release);
    });
    Ok(())
}

/// The sink: runs on the thread that ran the plugin or the operation.
fn deliver(event: &Event) {
    DELIVERING.with(|d| d.set(true));
    Python::attach(|py| {
        if let Err(e) = log_event(py, event) {
            e.write_unraisable(py, None);
        }
    });
    DELIVERING.with(|d| d.set(false));
}

/// `logger.log(level, summary, extra={...})`.
fn log_event(py: Python<'_>, event: &Event) -> PyResult<()> {
    let logger = logger(py)?;
    let extra = extra(py, event)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("extra", extra)?;
    logger.call_method(
        "log",
        (py_level(event.level()), event.to_string()),
        Some(&kwargs),
    )?;
    Ok(())
}

/// The event's fields as the record's attributes; absent ones are None so
/// a format string may name any of them.
fn extra<'py>(py: Python<'py>, e: &Event) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("kind", e.kind.as_str())?;
    d.set_item("verb", &e.verb)?;
    d.set_item("plugin_type", &e.plugin_type)?;
    d.set_item("plugin_path", &e.plugin_path)?;
    d.set_item("network", &e.network)?;
    d.set_item("container_id", &e.container_id)?;
    d.set_item("ifname", &e.ifname)?;
    d.set_item("duration", e.duration.as_secs_f64())?;
    d.set_item("outcome", if e.ok { "ok" } else { "error" })?;
    d.set_item("result_version", &e.result_version)?;
    d.set_item("error_status", &e.error_status)?;
    d.set_item("error_code", e.error_code)?;
    d.set_item("error_text", &e.error_text)?;
    d.set_item("exit_status", &e.exit_status)?;
    Ok(d)
}
