//! Validation of configurations against their plugins, and plugin version
//! reports (upstream `ValidateNetworkList`, `ValidateNetwork`,
//! `validatePlugin`, `GetVersionInfo`).

use super::super::api::CniConfig;
use super::super::conf::{NetworkConfigList, PluginConfig};
use crate::context::Context;
use crate::events;
use crate::exec::get_version_info;
use crate::types::go_quote;
use crate::version::PluginInfo;
use crate::{Error, Result};
use std::collections::BTreeSet;

impl CniConfig {
    /// Check that plugin `plugin_type` exists and supports `expected`
    /// (empty = 0.1.0).
    fn validate_plugin(&self, ctx: &Context, plugin_type: &str, expected: &str) -> Result<()> {
        let expected = if expected.is_empty() {
            "0.1.0"
        } else {
            expected
        };
        let info = self.get_version_info(ctx, plugin_type)?;
        if info.supported_versions().iter().any(|v| v == expected) {
            return Ok(());
        }
        Err(Error::UnsupportedVersion(format!(
            "plugin {plugin_type} does not support config version {}",
            go_quote(expected)
        )))
    }

    /// Check that every plugin of the list exists and supports the list's
    /// version; the capabilities the plugins enable, sorted, without
    /// duplicates. Failures are all reported, as Go prints a slice of
    /// errors (`[first second]`); the first is the cause.
    pub fn validate_network_list(
        &self,
        ctx: &Context,
        list: &NetworkConfigList,
    ) -> Result<Vec<String>> {
        events::observe_list("VALIDATE", Some(list.name.as_str()), None, None, || {
            let mut caps = BTreeSet::new();
            let mut errs = Vec::new();
            for net in &list.plugins {
                if let Err(e) = self.validate_plugin(ctx, &net.network.type_, &list.cni_version) {
                    errs.push(e);
                }
                caps.extend(enabled(net));
            }
            if errs.is_empty() {
                return Ok(caps.into_iter().collect());
            }
            let texts: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
            Err(Error::Wrapped {
                msg: format!("[{}]", texts.join(" ")),
                cause: Box::new(errs.remove(0)),
            })
        })
    }

    /// Check one plugin configuration as
    /// [`CniConfig::validate_network_list`] does; its enabled capabilities.
    pub fn validate_network(&self, ctx: &Context, net: &PluginConfig) -> Result<Vec<String>> {
        events::observe_list(
            "VALIDATE",
            Some(net.network.name.as_str()),
            Some(net.network.type_.as_str()),
            None,
            || {
                self.validate_plugin(ctx, &net.network.type_, &net.network.cni_version)?;
                Ok(enabled(net).collect())
            },
        )
    }

    /// The versions plugin `plugin_type` supports (upstream
    /// `GetVersionInfo`: found on the path, asked with `VERSION`).
    pub fn get_version_info(&self, ctx: &Context, plugin_type: &str) -> Result<PluginInfo> {
        events::observe_list("VERSION", None, Some(plugin_type), None, || {
            let exec = self.exec();
            let plugin_path = exec.find_in_path(plugin_type, &self.path)?;
            get_version_info(ctx, &plugin_path, Some(exec))
        })
    }
}

fn enabled(net: &PluginConfig) -> impl Iterator<Item = String> + '_ {
    net.network
        .capabilities
        .iter()
        .filter(|(_, on)| **on)
        .map(|(c, _)| c.clone())
}
