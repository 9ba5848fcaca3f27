//! GC (upstream `GCNetworkList`, `gcNetwork`).

use super::super::api::{CniConfig, GcArgs, GcAttachment, RuntimeConf};
use super::super::conf::{NetworkConfigList, PluginConfig};
use super::super::inject::{inject_raw, marshal_str};
use super::{ensure_live, join_errors};
use crate::context::Context;
use crate::events;
use crate::exec::exec_plugin_without_result;
use crate::types::write_go_str;
use crate::version::greater_than_or_equal_to;
use crate::{Error, Result};
use std::collections::HashSet;

impl CniConfig {
    /// GC the list: DEL every cached attachment of the network that is not
    /// in `args`' valid attachments (all of them without `args`), then, from
    /// spec 1.1.0 on, run `GC` on every plugin with
    /// `cni.dev/valid-attachments` (and its misspelt twin
    /// `cni.dev/attachments`). Errors are collected and joined, one per
    /// line. `disableGC` lists do nothing.
    pub fn gc_network_list(
        &self,
        ctx: &Context,
        list: &NetworkConfigList,
        args: Option<&GcArgs>,
    ) -> Result<()> {
        events::observe_list("GC", Some(list.name.as_str()), None, None, || {
            if list.disable_gc {
                return Ok(());
            }
            // Upstream gives up silently when the cache cannot be listed.
            let Ok(cached) = self.get_cached_attachments("") else {
                return Ok(());
            };
            let valid: HashSet<&GcAttachment> = args
                .map(|a| a.valid_attachments.iter().collect())
                .unwrap_or_default();
            let mut errs = Vec::new();
            for att in cached.iter().filter(|a| a.network == list.name) {
                let key = GcAttachment {
                    container_id: att.container_id.clone(),
                    if_name: att.if_name.clone(),
                };
                if valid.contains(&key) {
                    continue;
                }
                let rt = RuntimeConf {
                    container_id: att.container_id.clone(),
                    netns: att.netns.clone(),
                    if_name: att.if_name.clone(),
                    args: att.cni_args.clone(),
                    capability_args: att.capability_args.clone(),
                    ..RuntimeConf::default()
                };
                if let Err(e) = self.del_network_list(ctx, list, &rt) {
                    let what = format!(
                        "failed to delete stale attachment {} {}",
                        rt.container_id, rt.if_name
                    );
                    errs.push(Error::wrap(what, e));
                }
            }
            if greater_than_or_equal_to(&list.cni_version, "1.1.0").unwrap_or(false) {
                let attachments = args.map(|a| encode_attachments(&a.valid_attachments));
                for plugin in &list.plugins {
                    if let Err(e) = self.gc_plugin(ctx, list, plugin, attachments.as_deref()) {
                        errs.push(e);
                    }
                }
            }
            join_errors(errs)
        })
    }

    fn gc_plugin(
        &self,
        ctx: &Context,
        list: &NetworkConfigList,
        plugin: &PluginConfig,
        attachments: Option<&str>,
    ) -> Result<()> {
        let type_ = &plugin.network.type_;
        let (name, version) = (marshal_str(&list.name), marshal_str(&list.cni_version));
        let mut values = vec![("name", name.as_str()), ("cniVersion", version.as_str())];
        if let Some(a) = attachments {
            values.push(("cni.dev/valid-attachments", a));
            values.push(("cni.dev/attachments", a));
        }
        let conf = inject_raw(&plugin.bytes, &values)
            .map_err(|e| {
                Error::wrap(
                    format!("failed to generate configuration to GC plugin {type_}"),
                    e,
                )
            })?
            .bytes;
        let run = || {
            ensure_live(ctx)?;
            let exec = self.exec();
            let plugin_path = exec.find_in_path(type_, &self.path)?;
            let args = self.args("GC", &RuntimeConf::default());
            exec_plugin_without_result(ctx, &plugin_path, &conf, &args, Some(exec))
        };
        run().map_err(|e| Error::wrap(format!("failed to GC plugin {type_}"), e))
    }
}

/// `[{"containerID":"…","ifname":"…"}]` as Go marshals the struct slice.
fn encode_attachments(list: &[GcAttachment]) -> String {
    let mut out = String::from("[");
    for (i, a) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r#"{"containerID":"#);
        write_go_str(&mut out, &a.container_id);
        out.push_str(r#","ifname":"#);
        write_go_str(&mut out, &a.if_name);
        out.push('}');
    }
    out.push(']');
    out
}
