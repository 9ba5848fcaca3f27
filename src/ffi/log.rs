//! Events to a C callback: `cni_set_log_callback` over the core's event
//! sink ([`crate::events::set_sink`]).

use crate::events::{self, Event, Level, LevelFilter};
use std::ffi::{c_char, c_int, c_void, CString};

/// Levels of the events `cni_set_log_callback` delivers, numbered as
/// Python's `logging` numbers its levels (a higher number is more severe).
/// A successful plugin run is `CNI_LOG_LEVEL_DEBUG`, a successful
/// network-list operation `CNI_LOG_LEVEL_INFO`, any failure
/// `CNI_LOG_LEVEL_WARN`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cni_log_level {
    /// Finer than debug (no event uses it today).
    Trace = 5,
    /// One plugin run that succeeded.
    Debug = 10,
    /// One network-list operation that succeeded.
    Info = 20,
    /// A plugin run or operation that failed.
    Warn = 30,
    /// Reserved for failures of the library itself.
    Error = 40,
}

/// The callback type of `cni_set_log_callback`: `userdata` as registered,
/// the event's level (a `cni_log_level` value) and the event as one JSON
/// object, valid only during the call.
#[allow(non_camel_case_types)]
pub type cni_log_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, level: c_int, event_json: *const c_char)>;

/// The C level of a core level.
fn c_level(level: Level) -> c_int {
    let l = match level {
        Level::Error => cni_log_level::Error,
        Level::Warn => cni_log_level::Warn,
        Level::Info => cni_log_level::Info,
        Level::Debug => cni_log_level::Debug,
        Level::Trace => cni_log_level::Trace,
    };
    l as c_int
}

/// The core filter that lets through every level at least `min_level`.
fn filter_for(min_level: c_int) -> LevelFilter {
    [
        (cni_log_level::Trace, LevelFilter::Trace),
        (cni_log_level::Debug, LevelFilter::Debug),
        (cni_log_level::Info, LevelFilter::Info),
        (cni_log_level::Warn, LevelFilter::Warn),
        (cni_log_level::Error, LevelFilter::Error),
    ]
    .into_iter()
    .find(|(c, _)| min_level <= *c as c_int)
    .map_or(LevelFilter::Off, |(_, f)| f)
}

/// The registered callback and its userdata.
struct Callback {
    cb: unsafe extern "C" fn(*mut c_void, c_int, *const c_char),
    userdata: *mut c_void,
    min_level: c_int,
}

// SAFETY: the header requires the callback to be callable from any thread
// with this userdata, several threads at once; the library only passes the
// pointer back, never dereferences it.
unsafe impl Send for Callback {}
// SAFETY: as above; the struct is never mutated after registration.
unsafe impl Sync for Callback {}

impl Callback {
    fn deliver(&self, event: &Event) {
        let level = c_level(event.level());
        if level < self.min_level {
            return;
        }
        // serde_json escapes NUL inside strings: the text has none.
        let Ok(json) = CString::new(event.to_json()) else {
            return;
        };
        // SAFETY: `cb` is the caller's function with the userdata it gave;
        // `json` lives until the call returns, as documented.
        unsafe { (self.cb)(self.userdata, level, json.as_ptr()) };
    }
}

/// Deliver every event of level `min_level` or more severe (see
/// `cni_log_level`) to `cb`, as one JSON object:
///
/// `{"kind":"plugin","verb":"ADD","plugin_type":"bridge",
/// "plugin_path":"/opt/cni/bin/bridge","network":"mynet",
/// "container_id":"c1","ifname":"eth0","duration_us":1234,
/// "outcome":"ok","result_version":"1.1.0"}`
///
/// `kind` is `"plugin"` (one run of one plugin executable) or `"list"` (one
/// network-list or network-configuration operation, which also reports
/// each plugin it ran); `verb` is `ADD`, `CHECK`, `DEL`, `GC`, `STATUS`,
/// `VERSION` or `VALIDATE`. A failure has `"outcome":"error"` with
/// `error_status` (the `cni_status` name, e.g. `"PluginError"`),
/// `error_code` (the CNI error code), `error_text` and, when a plugin ran
/// and failed, `exit_status` (`"exit status 1"`, `"signal: killed"`).
/// Absent values are left out.
///
/// A NULL `cb` turns delivery off. One callback at a time: a new one
/// replaces the old. Thread-safe; the callback is called from the thread
/// that ran the operation, possibly from several threads at once. Once this
/// function returns, the previous callback is not running and is never
/// called again, so its userdata may be freed. The callback must not call
/// `cni_set_log_callback`; events raised by calls it makes into the
/// library are dropped.
#[no_mangle]
pub unsafe extern "C" fn cni_set_log_callback(
    cb: cni_log_callback,
    userdata: *mut c_void,
    min_level: c_int,
) {
    ffi_boundary!({
        match cb {
            None => events::clear_sink(),
            Some(cb) => {
                let callback = Callback {
                    cb,
                    userdata,
                    min_level,
                };
                let sink = Box::new(move |e: &Event| callback.deliver(e));
                events::set_sink(sink, filter_for(min_level));
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_levels_map_to_the_filters_that_keep_them() {
        assert_eq!(filter_for(0), LevelFilter::Trace);
        assert_eq!(filter_for(10), LevelFilter::Debug);
        assert_eq!(filter_for(11), LevelFilter::Info);
        assert_eq!(filter_for(30), LevelFilter::Warn);
        assert_eq!(filter_for(40), LevelFilter::Error);
        assert_eq!(filter_for(41), LevelFilter::Off);
        assert_eq!(c_level(Level::Warn), 30);
    }
}
