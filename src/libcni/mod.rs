//! Network configuration lists: upstream's `libcni` layer.
//!
//! [`conf`] parses plugin configurations and configuration lists and loads
//! them from a directory (upstream `libcni/conf.go`), with upstream's
//! behaviour and error texts; [`inject_conf`] sets keys in a plugin
//! configuration and prints it exactly as upstream's Go does.

pub mod conf;
mod gopath;
pub(crate) mod inject;
mod json_map;
mod parse;

pub use conf::{
    conf_files, conf_from_bytes, conf_from_file, conf_list_from_bytes, conf_list_from_conf,
    conf_list_from_file, inject_conf, load_conf, load_conf_list, load_network_conf,
    network_conf_from_bytes, network_conf_from_file, network_plugin_conf_from_bytes,
    network_plugin_confs_from_files, NetworkConfig, NetworkConfigList, PluginConf, PluginConfig,
};
pub use json_map::map_from_json;
