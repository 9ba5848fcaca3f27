//! Plugin configurations and configuration lists (upstream `libcni/conf.go`):
//! the types, and loading them from files and directories. Parsing from
//! bytes is in `parse.rs`, `inject_conf` in `inject.rs`; both are
//! re-exported here.
//!
//! Errors: a file or directory that cannot be read is [`Error::Io`], a
//! configuration that does not parse [`Error::Decode`], a name not found in
//! a directory [`Error::ConfigNotFound`]; the texts are upstream's.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::gopath;
use crate::{Error, Result};

/// The fields libcni reads from one plugin's configuration (upstream
/// `types.PluginConf`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginConf {
    /// JSON `cniVersion`.
    pub cni_version: String,
    /// JSON `name`.
    pub name: String,
    /// JSON `type`: the plugin's executable name.
    pub type_: String,
    /// JSON `capabilities`: the capability arguments the plugin accepts.
    pub capabilities: BTreeMap<String, bool>,
}

/// One plugin's configuration: the parsed fields and the bytes they came
/// from (upstream `PluginConfig`). The bytes are what the plugin is sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PluginConfig {
    /// The fields libcni reads.
    pub network: PluginConf,
    /// The configuration exactly as read: what the plugin is sent.
    pub bytes: Vec<u8>,
}

/// Upstream's older name for [`PluginConfig`].
pub type NetworkConfig = PluginConfig;

/// A network configuration list (upstream `NetworkConfigList`): a `.conflist`
/// file's fields, its plugins in order and the list's own bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkConfigList {
    /// `name`: the network's name, given to every plugin.
    pub name: String,
    /// `cniVersion`: the spec version every plugin is run in.
    pub cni_version: String,
    /// `disableCheck`: CHECK succeeds without running any plugin.
    pub disable_check: bool,
    /// `disableGC`: GC does nothing.
    pub disable_gc: bool,
    /// `loadOnlyInlinedPlugins`: plugin configurations from a directory
    /// beside the file are not loaded.
    pub load_only_inlined_plugins: bool,
    /// The plugins, in the order ADD runs them.
    pub plugins: Vec<PluginConfig>,
    /// The list's own bytes (what the cache records).
    pub bytes: Vec<u8>,
}

pub use super::inject::inject_conf;
pub use super::parse::{
    conf_from_bytes, conf_list_from_bytes, conf_list_from_conf, network_conf_from_bytes,
    network_plugin_conf_from_bytes,
};

/// Upstream `NetworkPluginConfsFromFiles`: the plugin configurations in
/// `<dir>/<network_name>/*.conf`, in name order.
pub fn network_plugin_confs_from_files(
    dir: &Path,
    network_name: &str,
) -> Result<Vec<PluginConfig>> {
    let plugin_dir = gopath::join(dir, network_name.as_bytes());
    let files = conf_files(&plugin_dir, &[".conf"]).map_err(|e| {
        Error::Io(format!(
            "failed to read plugin config files in {}: {e}",
            gopath::show(&plugin_dir)
        ))
    })?;
    files
        .iter()
        .map(|file| network_plugin_conf_from_bytes(&read(file)?))
        .collect()
}

/// A configuration file's bytes, or upstream's `error reading FILE: …`.
fn read(file: &Path) -> Result<Vec<u8>> {
    gopath::read_file(file)
        .map_err(|e| Error::Io(format!("error reading {}: {e}", gopath::show(file))))
}

/// Upstream `NetworkConfFromFile`: a configuration list file, followed by
/// the sub-plugin files of its network (see
/// [`network_plugin_confs_from_files`]) unless `loadOnlyInlinedPlugins`.
/// A list that ends up without plugins is an error.
pub fn network_conf_from_file(file: &Path) -> Result<NetworkConfigList> {
    let mut list = network_conf_from_bytes(&read(file)?)?;
    if !list.load_only_inlined_plugins {
        let dir = gopath::dir(file);
        list.plugins
            .extend(network_plugin_confs_from_files(&dir, &list.name)?);
    }
    if list.plugins.is_empty() {
        return Err(Error::Decode("no plugin configs found".into()));
    }
    Ok(list)
}

/// Upstream's other name for [`network_conf_from_file`].
pub fn conf_list_from_file(file: &Path) -> Result<NetworkConfigList> {
    network_conf_from_file(file)
}

/// Upstream's deprecated `ConfFromFile`: one plugin's configuration file.
pub fn conf_from_file(file: &Path) -> Result<PluginConfig> {
    conf_from_bytes(&read(file)?)
}

/// Upstream `ConfFiles`: the entries of `dir` that are not directories and
/// whose extension (from the last dot of the name, so `.conf` itself
/// counts) is one of `extensions`, in name order (an entry is listed once
/// per matching extension, as upstream does). A missing directory has no
/// files; any other failure to list it is Go's error text as
/// [`Error::Io`].
pub fn conf_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let Some(entries) = gopath::read_dir(dir).map_err(Error::Io)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for entry in entries.iter().filter(|e| !e.is_dir) {
        let ext = gopath::ext(&entry.name);
        for wanted in extensions {
            if ext == wanted.as_bytes() {
                out.push(gopath::join(dir, &entry.name));
            }
        }
    }
    Ok(out)
}

/// The files of `dir` with these extensions, sorted by path (Go's
/// `sort.Strings`).
fn sorted_conf_files(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    let mut files = conf_files(dir, extensions)?;
    files.sort_by(|a, b| a.as_os_str().as_bytes().cmp(b.as_os_str().as_bytes()));
    Ok(files)
}

/// Upstream's deprecated `LoadConf`: the first `.conf` / `.json` file of
/// `dir` (sorted) whose plugin configuration is named `name`. A file that
/// fails to load stops the search.
pub fn load_conf(dir: &Path, name: &str) -> Result<PluginConfig> {
    let files = sorted_conf_files(dir, &[".conf", ".json"])?;
    if files.is_empty() {
        return Err(not_found(dir, None));
    }
    for file in &files {
        let conf = conf_from_file(file)?;
        if conf.network.name == name {
            return Ok(conf);
        }
    }
    Err(not_found(dir, Some(name)))
}

fn not_found(dir: &Path, name: Option<&str>) -> Error {
    Error::ConfigNotFound {
        dir: gopath::show(dir),
        name: name.map(str::to_string),
    }
}

/// Upstream's other name for [`load_network_conf`].
pub fn load_conf_list(dir: &Path, name: &str) -> Result<NetworkConfigList> {
    load_network_conf(dir, name)
}

/// Upstream `LoadNetworkConf`: the first `.conflist` file of `dir`
/// (sorted) whose list is named `name`; failing that, the `.conf` /
/// `.json` file of that name (see [`load_conf`]) made into a list. A file
/// that fails to load stops the search.
pub fn load_network_conf(dir: &Path, name: &str) -> Result<NetworkConfigList> {
    let files = sorted_conf_files(dir, &[".conflist"])?;
    for file in &files {
        let list = network_conf_from_file(file)?;
        if list.name == name {
            return Ok(list);
        }
    }
    match load_conf(dir, name) {
        Ok(single) => conf_list_from_conf(&single),
        // There were lists, just none of this name.
        Err(Error::ConfigNotFound { name: None, .. }) if !files.is_empty() => {
            Err(not_found(dir, Some(name)))
        }
        Err(e) => Err(e),
    }
}
