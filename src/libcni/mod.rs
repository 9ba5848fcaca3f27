//! Network configuration lists: upstream's `libcni` layer.
//!
//! [`conf`] parses plugin configurations and configuration lists and loads
//! them from a directory (upstream `libcni/conf.go`), with upstream's
//! behaviour and error texts; [`inject_conf`] sets keys in a plugin
//! configuration and prints it exactly as upstream's Go does.
//!
//! [`CniConfig`] runs them (upstream `libcni/api.go`): ADD, CHECK, DEL, GC,
//! STATUS, validation and version reports, chaining each plugin's result
//! into the next one's `prevResult`, caching the final result. Beyond
//! upstream: the cache is written crash-safely and never followed through
//! symbolic links ([`cache`]), and each attachment is worked on by one
//! operation at a time, across threads and processes (`lock.rs`).

mod api;
pub(crate) mod base64;
pub mod cache;
pub mod conf;
mod dirfd;
mod gopath;
pub(crate) mod inject;
mod json_map;
mod lock;
mod ops;
mod parse;
mod record;
pub mod validate;

pub use api::{
    CachedConfig, CniConfig, CniConfigOptions, GcArgs, GcAttachment, NetworkAttachment, RuntimeConf,
};
pub use cache::DEFAULT_CACHE_DIR;
pub use conf::{
    conf_files, conf_from_bytes, conf_from_file, conf_list_from_bytes, conf_list_from_conf,
    conf_list_from_file, inject_conf, load_conf, load_conf_list, load_network_conf,
    network_conf_from_bytes, network_conf_from_file, network_plugin_conf_from_bytes,
    network_plugin_confs_from_files, NetworkConfig, NetworkConfigList, PluginConf, PluginConfig,
};
pub use json_map::map_from_json;
pub use record::CNI_CACHE_V1;
pub use validate::{validate_container_id, validate_interface_name, validate_network_name};
