//! CHECK (upstream `CheckNetworkList`, `CheckNetwork`, `checkNetwork`).

use super::super::api::{CniConfig, RuntimeConf};
use super::super::conf::{NetworkConfigList, PluginConfig};
use super::cached::read_result;

use crate::context::Context;
use crate::events;
use crate::exec::exec_plugin_without_result;
use crate::types::{go_quote, CniResult};
use crate::version::greater_than_or_equal_to;
use crate::{Error, Result};

/// CHECK exists from spec 0.4.0 on; upstream's text otherwise.
fn check_supported(cni_version: &str) -> Result<()> {
    if greater_than_or_equal_to(cni_version, "0.4.0")? {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "configuration version {} does not support the CHECK command",
            go_quote(cni_version)
        )))
    }
}

fn cached_failed(network: &str, e: Error) -> Error {
    Error::wrap(
        format!("failed to get network {} cached result", go_quote(network)),
        e,
    )
}

impl CniConfig {
    fn check_one(
        &self,
        ctx: &Context,
        name: &str,
        cni_version: &str,
        net: &PluginConfig,
        prev_json: Option<&str>,
        rt: &RuntimeConf,
    ) -> Result<()> {
        let (exec, plugin_path, conf) =
            self.prepare_one(ctx, name, cni_version, net, prev_json, rt)?;
        exec_plugin_without_result(
            ctx,
            &plugin_path,
            &conf.bytes,
            &self.args("CHECK", rt),
            Some(exec),
        )
    }

    /// CHECK the list for `rt`: every plugin in order, given the cached
    /// result (upstream `CheckNetworkList`; a plugin's error is returned as
    /// it is). `disableCheck` lists succeed at once. An unreadable cache
    /// entry (empty, corrupt, not a regular file) fails with the reason.
    pub fn check_network_list(
        &self,
        ctx: &Context,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
    ) -> Result<()> {
        events::observe_list("CHECK", Some(list.name.as_str()), None, Some(rt), || {
            check_supported(&list.cni_version)?;
            if list.disable_check {
                return Ok(());
            }
            let att = self.attach(ctx, &list.name, rt)?;
            let cached = read_result(&att.cache, &att.entry, &list.cni_version)
                .map_err(|e| cached_failed(&list.name, e))?;
            let prev_json = cached.as_ref().map(CniResult::to_json);
            for net in &list.plugins {
                let prev = prev_json.as_deref();
                self.check_one(ctx, &list.name, &list.cni_version, net, prev, rt)?;
            }
            Ok(())
        })
    }

    /// CHECK one plugin configuration (upstream `CheckNetwork`).
    pub fn check_network(&self, ctx: &Context, net: &PluginConfig, rt: &RuntimeConf) -> Result<()> {
        events::observe_list(
            "CHECK",
            Some(net.network.name.as_str()),
            Some(net.network.type_.as_str()),
            Some(rt),
            || {
                let (name, version) = (&net.network.name, &net.network.cni_version);
                check_supported(version)?;
                let att = self.attach(ctx, name, rt)?;
                let cached = read_result(&att.cache, &att.entry, version)
                    .map_err(|e| cached_failed(name, e))?;
                let prev = cached.as_ref().map(CniResult::to_json);
                self.check_one(ctx, name, version, net, prev.as_deref(), rt)
            },
        )
    }
}
