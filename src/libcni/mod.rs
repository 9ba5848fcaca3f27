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
//!
//! A two-plugin list added, checked and deleted; a stand-in executor plays
//! the plugins so that the example runs anywhere (with `None` the plugins
//! are found on the path and run):
//!
//! ```
//! use cniinvoke::libcni::{conf_list_from_bytes, CniConfig, RuntimeConf};
//! use cniinvoke::{Context, Exec, Result};
//! use std::sync::Arc;
//!
//! struct Canned;
//! impl Exec for Canned {
//!     fn exec_plugin(&self, _: &Context, _: &str, _: &[u8], env: Option<&[String]>) -> Result<Vec<u8>> {
//!         let add = env.is_some_and(|e| e.iter().any(|v| v == "CNI_COMMAND=ADD"));
//!         Ok(if add { br#"{"ips":[{"address":"10.1.2.3/24"}]}"#.to_vec() } else { Vec::new() })
//!     }
//!     fn find_in_path(&self, plugin: &str, _: &[String]) -> Result<String> {
//!         Ok(format!("/opt/cni/bin/{plugin}"))
//!     }
//! }
//!
//! let list = conf_list_from_bytes(br#"{"cniVersion":"1.0.0","name":"mynet",
//!     "plugins":[{"type":"bridge"},{"type":"portmap","capabilities":{"portMappings":true}}]}"#)?;
//! let cache = std::env::temp_dir().join(format!("cniinvoke-doc-{}", std::process::id()));
//! let cni = CniConfig::with_cache_dir(vec!["/opt/cni/bin".into()], &cache, Some(Arc::new(Canned)));
//! let rt = RuntimeConf {
//!     container_id: "ctr-1".into(),
//!     netns: "/var/run/netns/ctr-1".into(),
//!     if_name: "eth0".into(),
//!     ..RuntimeConf::default()
//! };
//! let ctx = Context::background();
//! let result = cni.add_network_list(&ctx, &list, &rt)?;
//! assert!(result.to_json().contains("10.1.2.3/24"));
//! assert_eq!(cni.get_network_list_cached_result(&list, &rt)?, Some(result));
//! cni.check_network_list(&ctx, &list, &rt)?;
//! cni.del_network_list(&ctx, &list, &rt)?;
//! assert_eq!(cni.get_network_list_cached_result(&list, &rt)?, None);
//! # std::fs::remove_dir_all(&cache).ok();
//! # Ok::<(), cniinvoke::Error>(())
//! ```

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
#[cfg(any(feature = "capi", test))]
pub(crate) mod parsed;
mod record;
pub(crate) mod record_direct;
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
