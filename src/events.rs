//! Structured events: one per plugin run and one per network-list
//! operation, each saying what ran, for whom, for how long and how it
//! ended.
//!
//! Events go to two places, both off until someone listens:
//!
//! * the [`log`] facade, under the target [`TARGET`] (`"cniinvoke"`), with
//!   the event's fields as the record's key-values (see [`Event`] for the
//!   keys) and a one-line summary as its message. Any `log` logger sees
//!   them; a `tracing` subscriber does through `tracing-log`.
//! * one process-wide sink set with [`set_sink`]: the hook the C ABI
//!   (`cni_set_log_callback`) and the language bindings use to forward
//!   events to their own logging.
//!
//! Levels: a successful plugin run is [`Level::Debug`], a successful list
//! operation [`Level::Info`], any failure [`Level::Warn`].
//!
//! With nobody listening an operation pays two relaxed atomic loads (the
//! sink's level and `log`'s maximum level) and nothing else: the event is
//! only built when it will be delivered.
//!
//! ```
//! use cniinvoke::events::{self, Event};
//! use std::sync::{Arc, Mutex};
//!
//! let seen: Arc<Mutex<Vec<Event>>> = Arc::default();
//! let keep = seen.clone();
//! events::set_sink(
//!     Box::new(move |e: &Event| keep.lock().unwrap().push(e.clone())),
//!     log::LevelFilter::Debug,
//! );
//! // ... run plugins or network lists: each run lands in `seen` ...
//! events::clear_sink();
//! ```

use crate::context::Context;
use crate::env::PluginEnv;
use crate::environ_snapshot::EnvironSnapshot;
use crate::error::{Error, Result};
use crate::libcni::RuntimeConf;
use crate::types::CniResult;
use crate::version::PluginInfo;
use log::kv::{self, Key, Value, VisitSource};
pub use log::{Level, LevelFilter};
use serde::Serialize;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// The `log` target of every event.
pub const TARGET: &str = "cniinvoke";

/// What an event reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// One run of one plugin executable (the exec layer).
    Plugin,
    /// One operation of [`crate::libcni::CniConfig`] on a network list or
    /// a single network configuration.
    List,
}

impl EventKind {
    /// `"plugin"` or `"list"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Plugin => "plugin",
            EventKind::List => "list",
        }
    }
}

/// One event. Serialized (and given to `log` as key-values) with the field
/// names below; fields that are `None` are left out. `duration` appears as
/// `duration_us` (microseconds) and the outcome as `outcome` (`"ok"` or
/// `"error"`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Plugin run or list operation.
    pub kind: EventKind,
    /// `ADD`, `CHECK`, `DEL`, `GC`, `STATUS`, `VERSION` (plugin runs and
    /// list operations) or `VALIDATE` (list operations).
    pub verb: String,
    /// The plugin's `type` (for a list operation, only for a single
    /// network configuration or a version query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_type: Option<String>,
    /// The executable that ran (plugin runs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_path: Option<String>,
    /// The network's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    /// `CNI_CONTAINERID`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_id: Option<String>,
    /// `CNI_IFNAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ifname: Option<String>,
    /// How long the run or operation took.
    #[serde(rename = "duration_us", serialize_with = "micros")]
    pub duration: Duration,
    /// `true` when it succeeded.
    #[serde(rename = "outcome", serialize_with = "outcome")]
    pub ok: bool,
    /// The `cniVersion` of the result (successful ADD and CHECK-less runs
    /// that return one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_version: Option<String>,
    /// The error's category, as the C ABI names its status (`PluginError`,
    /// `Timeout`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_status: Option<String>,
    /// The error's CNI code (the plugin's own, or 0 for a library-side
    /// failure).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<u32>,
    /// The error's text, exactly as the caller gets it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    /// How a failed plugin process ended, as Go prints it (`exit status 1`,
    /// `signal: killed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<String>,
}

fn micros<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

fn outcome<S: serde::Serializer>(ok: &bool, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(if *ok { "ok" } else { "error" })
}

impl Event {
    /// Debug for a successful plugin run, Info for a successful list
    /// operation, Warn for any failure.
    pub fn level(&self) -> Level {
        match (self.ok, self.kind) {
            (false, _) => Level::Warn,
            (true, EventKind::Plugin) => Level::Debug,
            (true, EventKind::List) => Level::Info,
        }
    }

    /// The event as one JSON object (what the C callback receives).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.as_str(), self.verb)?;
        if let Some(t) = &self.plugin_type {
            write!(f, " type={t}")?;
        }
        if let Some(n) = &self.network {
            write!(f, " network={n}")?;
        }
        if let Some(c) = &self.container_id {
            write!(f, " container={c}")?;
        }
        let ms = self.duration.as_secs_f64() * 1000.0;
        match &self.error_text {
            None => write!(f, ": ok in {ms:.3}ms"),
            Some(e) => write!(f, ": failed in {ms:.3}ms: {e}"),
        }
    }
}

impl kv::Source for Event {
    fn visit<'kvs>(
        &'kvs self,
        v: &mut dyn VisitSource<'kvs>,
    ) -> std::result::Result<(), kv::Error> {
        let text = |v: &mut dyn VisitSource<'kvs>, k: &'static str, x: &'kvs Option<String>| {
            x.as_deref()
                .map_or(Ok(()), |x| v.visit_pair(Key::from_str(k), Value::from(x)))
        };
        v.visit_pair(Key::from_str("kind"), Value::from(self.kind.as_str()))?;
        v.visit_pair(Key::from_str("verb"), Value::from(self.verb.as_str()))?;
        text(v, "plugin_type", &self.plugin_type)?;
        text(v, "plugin_path", &self.plugin_path)?;
        text(v, "network", &self.network)?;
        text(v, "container_id", &self.container_id)?;
        text(v, "ifname", &self.ifname)?;
        let us = u64::try_from(self.duration.as_micros()).unwrap_or(u64::MAX);
        v.visit_pair(Key::from_str("duration_us"), Value::from(us))?;
        let outcome = if self.ok { "ok" } else { "error" };
        v.visit_pair(Key::from_str("outcome"), Value::from(outcome))?;
        text(v, "result_version", &self.result_version)?;
        text(v, "error_status", &self.error_status)?;
        if let Some(code) = self.error_code {
            v.visit_pair(Key::from_str("error_code"), Value::from(code))?;
        }
        text(v, "error_text", &self.error_text)?;
        text(v, "exit_status", &self.exit_status)
    }
}

/// A function events are handed to; see [`set_sink`].
pub type Sink = Box<dyn Fn(&Event) + Send + Sync>;

/// The sink, and its level filter as a number (0 = off) for the hot path.
static SINK: RwLock<Option<Sink>> = RwLock::new(None);
static SINK_FILTER: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set while this thread runs the sink: events raised by the sink
    /// itself (it called into the library) are dropped, not recursed on.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

/// Send every event at `filter` or more severe to `sink`, replacing any
/// sink set before. Events reach `log` as well, independently.
///
/// `sink` may be called from any thread, several at once. Once this (or
/// [`clear_sink`]) returns, the previous sink is not running and is never
/// called again. Events the sink raises itself (by calling into this
/// library) are dropped. The sink must not call [`set_sink`] or
/// [`clear_sink`], and neither may be called while holding a lock the sink
/// takes (a binding's interpreter lock, say): both wait for running sinks
/// to return.
pub fn set_sink(sink: Sink, filter: LevelFilter) {
    let mut slot = SINK.write().unwrap_or_else(|e| e.into_inner());
    *slot = Some(sink);
    SINK_FILTER.store(filter as usize, Ordering::Release);
}

/// Remove the sink set by [`set_sink`], if any.
pub fn clear_sink() {
    let mut slot = SINK.write().unwrap_or_else(|e| e.into_inner());
    SINK_FILTER.store(0, Ordering::Release);
    *slot = None;
}

/// Whether an event at `level` has a listener.
#[inline]
fn wanted(level: Level) -> bool {
    level as usize <= SINK_FILTER.load(Ordering::Relaxed)
        || log::log_enabled!(target: TARGET, level)
}

/// Hand `event` to `log` and to the sink, as their levels allow.
fn emit(event: &Event) {
    let level = event.level();
    if log::log_enabled!(target: TARGET, level) {
        log::logger().log(
            &log::Record::builder()
                .args(format_args!("{event}"))
                .level(level)
                .target(TARGET)
                .module_path_static(Some(module_path!()))
                .key_values(event)
                .build(),
        );
    }
    if level as usize > SINK_FILTER.load(Ordering::Relaxed) || IN_SINK.with(Cell::get) {
        return;
    }
    let slot = SINK.read().unwrap_or_else(|e| e.into_inner());
    if let Some(sink) = slot.as_ref() {
        IN_SINK.with(|f| f.set(true));
        let _reset = ResetOnDrop;
        sink(event);
    }
}

/// Clears [`IN_SINK`] when the sink returns or unwinds.
struct ResetOnDrop;

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        IN_SINK.with(|f| f.set(false));
    }
}

/// A value an observed call succeeds with: what the event reports of it.
pub(crate) trait Outcome {
    /// The result's `cniVersion`, if it is a result.
    fn result_version(&self) -> Option<String> {
        None
    }
}

impl Outcome for () {}
impl Outcome for Vec<String> {}
impl Outcome for PluginInfo {}

impl Outcome for CniResult {
    fn result_version(&self) -> Option<String> {
        Some(self.cni_version().to_string())
    }
}

impl Outcome for Option<CniResult> {
    fn result_version(&self) -> Option<String> {
        self.as_ref().and_then(Outcome::result_version)
    }
}

/// What the fields of an unsuccessful event say of `e`.
fn fill_error(event: &mut Event, e: &Error) {
    let mut bottom = e;
    while let Some(cause) = bottom.cause() {
        bottom = cause;
    }
    if let Error::Plugin(ce) = bottom.kind() {
        event.exit_status = ce.exit_status.clone();
    }
    event.error_status = Some(format!("{:?}", e.status()));
    event.error_code = Some(e.to_cni_error().code);
    event.error_text = Some(e.to_string());
}

/// Time `op` and report it with the fields `describe` fills in, when
/// anyone listens; otherwise just run it. Inlined: with nobody listening,
/// the cost is the check of two levels in the caller's own code.
#[inline(always)]
fn observe<T: Outcome>(
    describe: impl FnOnce() -> Event,
    op: impl FnOnce() -> Result<T>,
) -> Result<T> {
    // A failure is the least verbose event: nobody wants that, nobody
    // wants any.
    if !wanted(Level::Warn) {
        return op();
    }
    observed(describe, op)
}

/// [`observe`] with someone listening.
#[cold]
#[inline(never)]
fn observed<T: Outcome>(
    describe: impl FnOnce() -> Event,
    op: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let start = Instant::now();
    let r = op();
    let mut event = describe();
    event.duration = start.elapsed();
    match &r {
        Ok(v) => event.result_version = v.result_version(),
        Err(e) => {
            event.ok = false;
            fill_error(&mut event, e);
        }
    }
    if wanted(event.level()) {
        emit(&event);
    }
    r
}

fn blank(kind: EventKind, verb: String) -> Event {
    Event {
        kind,
        verb,
        plugin_type: None,
        plugin_path: None,
        network: None,
        container_id: None,
        ifname: None,
        duration: Duration::ZERO,
        ok: true,
        result_version: None,
        error_status: None,
        error_code: None,
        error_text: None,
        exit_status: None,
    }
}

/// The `name` and `type` of a network configuration.
#[derive(serde::Deserialize, Default)]
struct Names {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    type_: Option<String>,
}

/// The value of `key` in a plugin environment, `base` inherited in place
/// of this process's environment when given, unless empty.
fn env_value(env: &PluginEnv, key: &str, base: Option<&EnvironSnapshot>) -> Option<String> {
    env.value_in(key, base).filter(|v| !v.is_empty())
}

/// Observe one run under `ctx` of the plugin at `plugin_path` with
/// configuration `netconf` and environment `env` (the exec layer).
#[inline(always)]
pub(crate) fn observe_plugin<T: Outcome>(
    ctx: &Context,
    plugin_path: &str,
    netconf: &[u8],
    env: &PluginEnv,
    op: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let describe = || {
        let base = ctx.environ();
        let env_value = |key| env_value(env, key, base.as_deref());
        let verb = env_value("CNI_COMMAND").unwrap_or_default();
        let mut e = blank(EventKind::Plugin, verb);
        let names: Names = serde_json::from_slice(netconf).unwrap_or_default();
        e.plugin_type = names.type_.or_else(|| {
            let base = std::path::Path::new(plugin_path).file_name()?;
            Some(base.to_string_lossy().into_owned())
        });
        e.network = names.name;
        e.plugin_path = Some(plugin_path.to_string());
        if e.verb != "VERSION" {
            e.container_id = env_value("CNI_CONTAINERID");
            e.ifname = env_value("CNI_IFNAME");
        }
        e
    };
    observe(describe, op)
}

/// Observe one [`crate::libcni::CniConfig`] operation `verb` on `network`
/// (for `rt`, when it has one; `plugin_type` for a single configuration).
#[inline(always)]
pub(crate) fn observe_list<T: Outcome>(
    verb: &str,
    network: Option<&str>,
    plugin_type: Option<&str>,
    rt: Option<&RuntimeConf>,
    op: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let describe = || {
        let mut e = blank(EventKind::List, verb.to_string());
        e.network = network.map(str::to_string);
        e.plugin_type = plugin_type.map(str::to_string);
        if let Some(rt) = rt {
            e.container_id = Some(rt.container_id.clone()).filter(|s| !s.is_empty());
            e.ifname = Some(rt.if_name.clone()).filter(|s| !s.is_empty());
        }
        e
    };
    observe(describe, op)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No unit test installs a logger or a sink: with nobody listening an
    /// observed call runs as it is and builds no event.
    #[test]
    fn nobody_listening_builds_nothing() {
        let describe = || -> Event { panic!("an event was built with nobody listening") };
        assert_eq!(observe(describe, || Ok::<_, Error>(())).ok(), Some(()));
        let failed = observe(describe, || Err::<(), _>(Error::Io("x".into())));
        assert_eq!(failed.unwrap_err().to_string(), "x");
    }

    #[test]
    fn env_values_come_from_the_given_environment_last_one_wins() {
        let env = PluginEnv::Entries(vec![
            "CNI_COMMAND=ADD".to_string(),
            "CNI_IFNAME=eth0".to_string(),
            "CNI_IFNAME=eth1".to_string(),
            "CNI_COMMANDX=no".to_string(),
            "CNI_PATH=".to_string(),
        ]);
        assert_eq!(env_value(&env, "CNI_COMMAND", None).as_deref(), Some("ADD"));
        assert_eq!(env_value(&env, "CNI_IFNAME", None).as_deref(), Some("eth1"));
        assert_eq!(env_value(&env, "CNI_NETNS", None), None);
        assert_eq!(env_value(&env, "CNI_PATH", None), None);
    }

    /// What an overlay inherits is read from the context's snapshot when
    /// there is one, never from this process's environment.
    #[test]
    fn env_values_inherited_come_from_the_snapshot() {
        let env = PluginEnv::Overlay(vec![("CNI_COMMAND", "DEL".into())]);
        let base = EnvironSnapshot::from_entries(["CNI_IFNAME=snap0", "CNI_COMMAND=ADD"]).unwrap();
        assert_eq!(
            env_value(&env, "CNI_COMMAND", Some(&base)).as_deref(),
            Some("DEL")
        );
        assert_eq!(
            env_value(&env, "CNI_IFNAME", Some(&base)).as_deref(),
            Some("snap0")
        );
        assert_eq!(env_value(&env, "PATH", Some(&base)), None);
        let inherit = PluginEnv::Inherit;
        assert_eq!(
            env_value(&inherit, "CNI_COMMAND", Some(&base)).as_deref(),
            Some("ADD")
        );
        assert_eq!(
            env_value(&inherit, "PATH", None),
            std::env::var("PATH").ok()
        );
    }

    #[test]
    fn json_names_every_present_field_and_leaves_out_the_absent() {
        let mut e = blank(EventKind::Plugin, "DEL".into());
        e.plugin_type = Some("bridge".into());
        e.duration = Duration::from_micros(1500);
        e.ok = false;
        e.error_code = Some(7);
        e.error_text = Some("boom".into());
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "plugin", "verb": "DEL", "plugin_type": "bridge",
                "duration_us": 1500, "outcome": "error", "error_code": 7, "error_text": "boom"})
        );
        assert_eq!(e.level(), Level::Warn);
        assert_eq!(
            e.to_string(),
            "plugin DEL type=bridge: failed in 1.500ms: boom"
        );
    }
}
