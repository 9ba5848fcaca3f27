//! libcniinvoke: find, run and decode CNI plugins.
//!
//! A port of upstream Go's `pkg/invoke` (containernetworking/cni) with
//! cancellation, deadlines and a hardened process layer, and of upstream's
//! `libcni` ([`libcni`]: configuration lists, chained plugins, the result
//! cache). See the README.
//!
//! Run one plugin ([`exec_plugin_with_result`]); the executor here is a
//! stand-in so that the example runs anywhere, `None` runs the real
//! plugin:
//!
//! ```
//! use cniinvoke::{exec_plugin_with_result, Args, Context, Exec, Result};
//!
//! struct Canned;
//! impl Exec for Canned {
//!     fn exec_plugin(&self, _: &Context, _: &str, _: &[u8], _: Option<&[String]>) -> Result<Vec<u8>> {
//!         Ok(br#"{"ips":[{"address":"10.1.2.3/24"}]}"#.to_vec())
//!     }
//! }
//!
//! let conf = br#"{"cniVersion":"1.0.0","name":"mynet","type":"bridge"}"#;
//! let args = Args {
//!     command: "ADD".into(),
//!     container_id: "ctr-1".into(),
//!     netns: "/var/run/netns/ctr-1".into(),
//!     if_name: "eth0".into(),
//!     path: "/opt/cni/bin".into(),
//!     ..Args::default()
//! };
//! let ctx = Context::with_timeout(std::time::Duration::from_secs(30));
//! let result = exec_plugin_with_result(&ctx, "/opt/cni/bin/bridge", conf, &args, Some(&Canned))?;
//! // No cniVersion in the plugin's answer: the configuration's.
//! assert_eq!(result.cni_version(), "1.0.0");
//! assert!(result.to_json().contains("10.1.2.3/24"));
//! # Ok::<(), cniinvoke::Error>(())
//! ```
//!
//! Every plugin run and list operation can be observed as a structured
//! event through the `log` crate or a sink: see [`events`].
#![deny(missing_docs)]

pub mod args;
pub mod context;
pub mod delegate;
pub mod env;
mod environ_snapshot;
pub mod error;
pub mod events;
pub mod exec;
#[cfg(feature = "capi")]
pub mod ffi;
pub mod find;
mod goprint;
mod goquote;
pub mod libcni;
mod overlay_memo;
pub mod raw_exec;
mod raw_exec_options;
mod spawn;
#[cfg(test)]
mod test_rng;
pub mod types;
pub mod version;
mod while_running;

pub use args::{args_from_env, Args, CniArgs, DelegateArgs, ExplicitEnv, InheritedArgs};
pub use context::{Context, Done, TraceContext};
pub use delegate::{
    delegate, delegate_add, delegate_check, delegate_del, delegate_gc, delegate_status, Verb,
};
pub use env::PluginEnv;
pub use environ_snapshot::EnvironSnapshot;
pub use error::{Error, Foreign, Payload, Result, Status};
pub use exec::{
    default_exec, exec_plugin_with_result, exec_plugin_without_result, get_version_info,
    DefaultExec, Exec,
};
pub use find::{find_in_path, EXECUTABLE_FILE_EXTENSIONS};
pub use raw_exec::{RawExec, RawExecOptions, StderrSink, StderrWriter};
pub use types::{CniError, CniResult};
pub use version::PluginInfo;

/// Crate internals that the fuzz targets (`fuzz/`) and their corpus replay
/// test call directly. Not part of the API; may change at any time.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::goquote::quote;
    pub use crate::raw_exec::plugin_error;
    pub use crate::types::go_quote;
}
