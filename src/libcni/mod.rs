//! Network configuration lists: upstream's `libcni` layer.
//!
//! [`conf`] parses plugin configurations and configuration lists and loads
//! them from a directory (upstream `libcni/conf.go`), with upstream's
//! behaviour and error texts.

pub mod conf;

pub use conf::{NetworkConfig, NetworkConfigList, PluginConf, PluginConfig};
