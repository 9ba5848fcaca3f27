//! libcniinvoke: find, run and decode CNI plugins.
pub mod error;
pub mod types;
pub mod version;

pub use error::{Error, Result, Status};
pub use types::{CniError, CniResult};
pub use version::PluginInfo;
