//! libcniinvoke: find, run and decode CNI plugins.
//!
//! A port of upstream Go's `pkg/invoke` (containernetworking/cni) with
//! cancellation, deadlines and a hardened process layer. See the README.

pub mod args;
pub mod context;
pub mod delegate;
pub mod error;
pub mod exec;
#[cfg(feature = "capi")]
pub mod ffi;
pub mod find;
mod goprint;
mod goquote;
pub mod libcni;
pub mod raw_exec;
mod raw_exec_options;
mod spawn;
pub mod types;
pub mod version;

pub use args::{args_from_env, Args, CniArgs, DelegateArgs, ExplicitEnv, InheritedArgs};
pub use context::{Context, Done, TraceContext};
pub use delegate::{
    delegate, delegate_add, delegate_check, delegate_del, delegate_gc, delegate_status, Verb,
};
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
