//! DEL (upstream `DelNetworkList`, `DelNetwork`, `delNetwork`).

use super::super::api::{CniConfig, RuntimeConf};
use super::super::conf::{NetworkConfigList, PluginConfig};
use super::cached::read_result;
use super::{plugin_description, Attachment};
use crate::context::Context;
use crate::events;
use crate::exec::exec_plugin_without_result;
use crate::types::CniResult;
use crate::version::greater_than_or_equal_to;
use crate::{Error, Result};

impl CniConfig {
    pub(super) fn del_one(
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
        let args = self.args("DEL", rt);
        exec_plugin_without_result(ctx, &plugin_path, &conf.bytes, &args, Some(exec))
    }

    /// The list's plugins in reverse order, each given `cached` (printed
    /// once for all of them).
    pub(crate) fn del_chain(
        &self,
        ctx: &Context,
        list: &NetworkConfigList,
        cached: Option<&CniResult>,
        rt: &RuntimeConf,
    ) -> Result<()> {
        let prev_json = cached.map(CniResult::to_json);
        for net in list.plugins.iter().rev() {
            let prev = prev_json.as_deref();
            self.del_one(ctx, &list.name, &list.cni_version, net, prev, rt)
                .map_err(|e| {
                    let what = format!(
                        "plugin {} failed (delete)",
                        plugin_description(&net.network)
                    );
                    Error::wrap(what, e)
                })?;
        }
        Ok(())
    }

    /// The cached result a DEL hands its plugins (from spec 0.4.0 on). An
    /// entry that cannot be used (empty, corrupt, not a regular file) is
    /// removed and the DEL goes on without it, as upstream does for lists.
    fn del_prev_result(&self, att: &Attachment, cni_version: &str) -> Result<Option<CniResult>> {
        if !greater_than_or_equal_to(cni_version, "0.4.0")? {
            return Ok(None);
        }
        match read_result(&att.cache, &att.entry, cni_version) {
            Ok(r) => Ok(r),
            Err(_) => {
                let _ = att.cache.remove(&att.entry);
                Ok(None)
            }
        }
    }

    /// DEL the list for `rt`: its plugins in reverse order with the cached
    /// result, then the cache entry removed (upstream `DelNetworkList`).
    /// The attachment is locked throughout.
    pub fn del_network_list(
        &self,
        ctx: &Context,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
    ) -> Result<()> {
        events::observe_list("DEL", Some(list.name.as_str()), None, Some(rt), || {
            let att = self.attach(ctx, &list.name, rt)?;
            let cached = self.del_prev_result(&att, &list.cni_version)?;
            self.del_chain(ctx, list, cached.as_ref(), rt)?;
            finish_del(att);
            Ok(())
        })
    }

    /// DEL one plugin configuration (upstream `DelNetwork`). Unlike
    /// upstream, an unusable cache entry does not stop it either.
    pub fn del_network(&self, ctx: &Context, net: &PluginConfig, rt: &RuntimeConf) -> Result<()> {
        events::observe_list(
            "DEL",
            Some(net.network.name.as_str()),
            Some(net.network.type_.as_str()),
            Some(rt),
            || {
                let (name, version) = (&net.network.name, &net.network.cni_version);
                let att = self.attach(ctx, name, rt)?;
                let cached = self.del_prev_result(&att, version)?;
                let prev = cached.as_ref().map(CniResult::to_json);
                self.del_one(ctx, name, version, net, prev.as_deref(), rt)?;
                finish_del(att);
                Ok(())
            },
        )
    }
}

/// Remove the entry (errors ignored, as upstream) and the lock file.
fn finish_del(att: Attachment) {
    let _ = att.cache.remove(&att.entry);
    att.lock.release_and_remove();
}
