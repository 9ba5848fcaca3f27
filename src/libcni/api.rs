//! [`CniConfig`] and the values its operations take and return (upstream
//! `libcni/api.go`). The operations themselves are in [`super::ops`], one
//! verb per file, each a short loop over the list's plugins.

use super::cache::{Cache, DEFAULT_CACHE_DIR};
use crate::args::Args;
use crate::exec::{default_exec, Exec};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The arguments of one attachment, apart from the configuration (upstream
/// `RuntimeConf`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RuntimeConf {
    /// `CNI_CONTAINERID`.
    pub container_id: String,
    /// `CNI_NETNS`.
    pub netns: String,
    /// `CNI_IFNAME`.
    pub if_name: String,
    /// `CNI_ARGS` as key/value pairs (`[["K","V"]]` in JSON).
    pub args: Vec<(String, String)>,
    /// Capability arguments; each plugin gets, as `runtimeConfig`, those it
    /// declares in its `capabilities`.
    pub capability_args: Map<String, Value>,
    /// Capability arguments already encoded as Go's `encoding/json`
    /// encodes them, set by a binding whose callers pass Go values: a
    /// plugin's `runtimeConfig` carries this text for a key here instead of
    /// encoding its `capability_args` value again, so that a Go struct
    /// keeps its field order as upstream sends it. The caller keeps both
    /// in step (the cache records `capability_args`).
    #[serde(skip)]
    pub capability_args_go: BTreeMap<String, String>,
    /// Deprecated upstream: a cache directory used when the [`CniConfig`]
    /// has none.
    pub cache_dir: String,
}

/// An attachment found in the cache (upstream `NetworkAttachment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NetworkAttachment {
    /// The container's id.
    pub container_id: String,
    /// The network's name.
    pub network: String,
    /// The interface's name inside the container.
    pub if_name: String,
    /// The cached configuration bytes (the list's, for a list).
    #[serde(with = "bytes_as_text")]
    pub config: Vec<u8>,
    /// The network namespace the attachment was made in.
    pub netns: String,
    /// The `CNI_ARGS` of the ADD, as key/value pairs.
    pub cni_args: Vec<(String, String)>,
    /// The capability arguments of the ADD.
    pub capability_args: Map<String, Value>,
}

/// One attachment a GC must keep (upstream `types.GCAttachment`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GcAttachment {
    /// The container's id (`containerID` in JSON).
    #[serde(rename = "containerID")]
    pub container_id: String,
    /// The interface's name (`ifname` in JSON).
    #[serde(rename = "ifname")]
    pub if_name: String,
}

/// Arguments of a GC (upstream `GCArgs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GcArgs {
    /// The attachments still in use; every other cached one is deleted.
    pub valid_attachments: Vec<GcAttachment>,
}

/// What the cache holds for an attachment (upstream's
/// `GetNetworkListCachedConfig` pair): the configuration bytes and the
/// caller's runtime configuration with the cached `args` and
/// `capabilityArgs` filled in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CachedConfig {
    /// The cached configuration bytes.
    #[serde(with = "bytes_as_text")]
    pub config: Vec<u8>,
    /// The caller's runtime configuration, cached values filled in.
    pub runtime_conf: RuntimeConf,
}

/// Behaviour switches of a [`CniConfig`] beyond upstream's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CniConfigOptions {
    /// A failed ADD runs the list's DEL before returning the ADD's error
    /// (what the spec asks of runtimes). Default off, as upstream.
    pub cleanup_on_failure: bool,
    /// fsync cache entries and their directory (default on; off for a
    /// cache on tmpfs).
    pub cache_sync: bool,
}

impl Default for CniConfigOptions {
    fn default() -> Self {
        CniConfigOptions {
            cleanup_on_failure: false,
            cache_sync: true,
        }
    }
}

/// Runs network configurations and lists (upstream `CNIConfig`): where
/// plugins are found, how they are run, where results are cached.
///
/// `Send + Sync`: one value may serve any number of threads at once;
/// operations on one attachment serialize on its lock, others run in
/// parallel.
///
/// ```no_run
/// use cniinvoke::libcni::{load_network_conf, CniConfig, RuntimeConf};
/// use cniinvoke::Context;
/// use std::path::Path;
///
/// let list = load_network_conf(Path::new("/etc/cni/net.d"), "mynet")?;
/// let cni = CniConfig::new(vec!["/opt/cni/bin".into()], None); // cache: /var/lib/cni
/// let rt = RuntimeConf {
///     container_id: "ctr-1".into(),
///     netns: "/var/run/netns/ctr-1".into(),
///     if_name: "eth0".into(),
///     ..RuntimeConf::default()
/// };
/// let ctx = Context::background();
/// let result = cni.add_network_list(&ctx, &list, &rt)?; // chained, cached
/// cni.check_network_list(&ctx, &list, &rt)?;
/// cni.del_network_list(&ctx, &list, &rt)?;
/// # Ok::<(), cniinvoke::Error>(())
/// ```
#[derive(Clone)]
pub struct CniConfig {
    pub(crate) path: Vec<String>,
    pub(crate) exec: Option<Arc<dyn Exec>>,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) options: CniConfigOptions,
}

impl std::fmt::Debug for CniConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CniConfig")
            .field("path", &self.path)
            .field("exec", &self.exec.as_ref().map(|_| "custom"))
            .field("cache_dir", &self.cache_dir)
            .field("options", &self.options)
            .finish()
    }
}

impl CniConfig {
    /// Plugins searched on `path`, run by `exec` (`None` = the default
    /// executor), results cached in the default directory (upstream
    /// `NewCNIConfig`).
    pub fn new(path: Vec<String>, exec: Option<Arc<dyn Exec>>) -> CniConfig {
        CniConfig {
            path,
            exec,
            cache_dir: None,
            options: CniConfigOptions::default(),
        }
    }

    /// As [`CniConfig::new`] with a cache directory (upstream
    /// `NewCNIConfigWithCacheDir`; an empty path means none).
    pub fn with_cache_dir(
        path: Vec<String>,
        cache_dir: impl Into<PathBuf>,
        exec: Option<Arc<dyn Exec>>,
    ) -> CniConfig {
        let dir: PathBuf = cache_dir.into();
        CniConfig {
            cache_dir: (!dir.as_os_str().is_empty()).then_some(dir),
            ..CniConfig::new(path, exec)
        }
    }

    /// Replace the options.
    pub fn set_options(&mut self, options: CniConfigOptions) {
        self.options = options;
    }

    /// The options.
    pub fn options(&self) -> CniConfigOptions {
        self.options
    }

    /// The plugin search path.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// The executor operations use.
    pub(crate) fn exec(&self) -> &dyn Exec {
        match &self.exec {
            Some(e) => e.as_ref(),
            None => default_exec(),
        }
    }

    /// The cache directory for `rt`: this config's, else the runtime
    /// configuration's deprecated one, else `/var/lib/cni`.
    pub fn cache_dir_for(&self, rt: &RuntimeConf) -> PathBuf {
        match &self.cache_dir {
            Some(d) => d.clone(),
            None if !rt.cache_dir.is_empty() => PathBuf::from(&rt.cache_dir),
            None => PathBuf::from(DEFAULT_CACHE_DIR),
        }
    }

    pub(crate) fn cache(&self, rt: &RuntimeConf) -> Cache {
        Cache::new(self.cache_dir_for(rt), self.options.cache_sync)
    }

    /// The plugin's arguments for `command` (upstream `args`).
    pub(crate) fn args(&self, command: &str, rt: &RuntimeConf) -> Args {
        Args {
            command: command.into(),
            container_id: rt.container_id.clone(),
            netns: rt.netns.clone(),
            plugin_args: rt.args.clone(),
            plugin_args_str: String::new(),
            if_name: rt.if_name.clone(),
            path: self.path.join(":"),
        }
    }
}

/// Configuration bytes as JSON text (they are JSON documents); bytes that
/// are not UTF-8 are carried with replacement characters.
mod bytes_as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<CniConfig>();
    }

    #[test]
    fn cache_dir_precedence() {
        let rt = RuntimeConf {
            cache_dir: "/rt".into(),
            ..RuntimeConf::default()
        };
        let none = CniConfig::new(vec![], None);
        assert_eq!(
            none.cache_dir_for(&RuntimeConf::default()),
            PathBuf::from("/var/lib/cni")
        );
        assert_eq!(none.cache_dir_for(&rt), PathBuf::from("/rt"));
        let own = CniConfig::with_cache_dir(vec![], "/own", None);
        assert_eq!(own.cache_dir_for(&rt), PathBuf::from("/own"));
        let empty = CniConfig::with_cache_dir(vec![], "", None);
        assert_eq!(empty.cache_dir_for(&rt), PathBuf::from("/rt"));
    }
}
