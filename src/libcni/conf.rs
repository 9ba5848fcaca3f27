//! Plugin configurations and configuration lists (upstream `libcni/conf.go`).

use std::collections::BTreeMap;

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
    pub network: PluginConf,
    pub bytes: Vec<u8>,
}

/// Upstream's older name for [`PluginConfig`].
pub type NetworkConfig = PluginConfig;

/// A network configuration list (upstream `NetworkConfigList`): a `.conflist`
/// file's fields, its plugins in order and the list's own bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkConfigList {
    pub name: String,
    pub cni_version: String,
    pub disable_check: bool,
    pub disable_gc: bool,
    pub load_only_inlined_plugins: bool,
    pub plugins: Vec<PluginConfig>,
    pub bytes: Vec<u8>,
}
