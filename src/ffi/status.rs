//! `cni_status`: the result of every fallible call.
//!
//! It is the core's [`Status`](crate::error::Status) itself, exported under
//! its C name (cbindgen.toml renames the enum; its variants become
//! `CNI_STATUS_*`), so the two cannot drift apart.

pub use crate::error::Status as cni_status;
