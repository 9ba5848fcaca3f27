//! Network configuration lists: upstream's `libcni` layer.
//!
//! [`conf`] parses plugin configurations and configuration lists and loads
//! them from a directory (upstream `libcni/conf.go`), with upstream's
//! behaviour and error texts.
//!
//! [`CniConfig`] runs them (upstream `libcni/api.go`): ADD, CHECK, DEL, GC,
//! STATUS, validation and version reports, chaining each plugin's result
//! into the next one's `prevResult`, caching the final result. Beyond
//! upstream: the cache is written crash-safely and never followed through
//! symbolic links ([`cache`]), and each attachment is worked on by one
//! operation at a time, across threads and processes ([`lock`]).

mod api;
pub mod cache;
pub mod conf;
mod dirfd;
mod gowrite;
mod lock;
mod ops;
mod record;
pub mod validate;

pub use api::{
    CachedConfig, CniConfig, CniConfigOptions, GcArgs, GcAttachment, NetworkAttachment, RuntimeConf,
};
pub use cache::DEFAULT_CACHE_DIR;
pub use conf::{NetworkConfig, NetworkConfigList, PluginConf, PluginConfig};
pub use record::CNI_CACHE_V1;
pub use validate::{validate_container_id, validate_interface_name, validate_network_name};
