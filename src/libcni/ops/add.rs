//! ADD (upstream `AddNetworkList`, `AddNetwork`, `addNetwork`).

use super::super::api::{CniConfig, RuntimeConf};
use super::super::conf::{NetworkConfigList, PluginConfig};
use super::cached::write_result;
use super::{plugin_description, Attachment};
use crate::context::Context;
use crate::events;
use crate::exec::exec_plugin_with_result_in;
use crate::types::{go_quote, CniResult};
use crate::version::greater_than_or_equal_to;
use crate::{Error, Result};
use std::time::Duration;

/// How long the cleanup DEL of a failed ADD may take when the caller's
/// context has already ended.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(30);

impl CniConfig {
    /// Run one plugin's ADD with `prev_result` chained in.
    fn add_one(
        &self,
        ctx: &Context,
        name: &str,
        cni_version: &str,
        net: &PluginConfig,
        prev_result: Option<&CniResult>,
        rt: &RuntimeConf,
    ) -> Result<CniResult> {
        let prev_json = prev_result.map(CniResult::to_json);
        let (exec, plugin_path, conf) =
            self.prepare_one(ctx, name, cni_version, net, prev_json.as_deref(), rt)?;
        let args = self.args("ADD", rt);
        let version = conf.version.as_deref();
        exec_plugin_with_result_in(ctx, &plugin_path, &conf.bytes, version, &args, exec)
    }

    /// Run the list's plugins in order, each given the previous one's
    /// result; the last result (`None` for an empty list).
    fn add_chain(
        &self,
        ctx: &Context,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
    ) -> Result<Option<CniResult>> {
        let mut result = None;
        for net in &list.plugins {
            let r = self
                .add_one(ctx, &list.name, &list.cni_version, net, result.as_ref(), rt)
                .map_err(|e| add_failed(net, e))?;
            result = Some(r);
        }
        Ok(result)
    }

    /// ADD the list for `rt`: its plugins in order, the result cached
    /// (upstream `AddNetworkList`). The attachment is locked throughout.
    /// With `cleanup_on_failure`, a failed ADD (a plugin failed, or the
    /// result could not be cached) runs the list's DEL before the ADD's
    /// error is returned.
    pub fn add_network_list(
        &self,
        ctx: &Context,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
    ) -> Result<CniResult> {
        events::observe_list("ADD", Some(list.name.as_str()), None, Some(rt), || {
            let att = self
                .attach(ctx, &list.name, rt)
                .map_err(|e| match list.plugins.first() {
                    // Upstream validates inside the first plugin's step.
                    Some(first) if matches!(e.kind(), Error::Plugin(_)) => add_failed(first, e),
                    _ => e,
                })?;
            let result = match self.add_chain(ctx, list, rt) {
                Ok(r) => r,
                Err(e) => {
                    self.cleanup_failed_add(ctx, &att, |ctx| self.del_chain(ctx, list, None, rt));
                    return Err(e);
                }
            };
            let cached = write_result(
                &att.cache,
                &att.entry,
                result.as_ref(),
                &list.bytes,
                &list.name,
                rt,
            );
            if let Err(e) = cached {
                // Every plugin succeeded but the cache could not record it
                // (a full or read-only disk): without an entry no later DEL
                // or GC would find the attachment, so undo it now, with the
                // result as the DEL's prevResult where the version has one.
                let prev = prev_result(&list.cni_version, result.as_ref());
                self.cleanup_failed_add(ctx, &att, |ctx| self.del_chain(ctx, list, prev, rt));
                return Err(cache_failed(&list.name, e));
            }
            // Upstream returns a nil result for an empty list; we have to
            // return something: the spec's empty result of the list's version.
            match result {
                Some(r) => Ok(r),
                None => empty_result(&list.cni_version),
            }
        })
    }

    /// With `cleanup_on_failure`, the spec's DEL after a failed ADD (`del`,
    /// on the held lock), and the cache entry removed when it succeeds; its
    /// own errors are dropped (the ADD's error is what the caller gets). A
    /// cancelled or expired `ctx` gives the DEL a fresh bounded one.
    fn cleanup_failed_add(
        &self,
        ctx: &Context,
        att: &Attachment,
        del: impl FnOnce(&Context) -> Result<()>,
    ) {
        if !self.options.cleanup_on_failure {
            return;
        }
        let fresh;
        let ctx = if ctx.done().is_some() {
            fresh = Context::with_timeout(CLEANUP_TIMEOUT);
            fresh.set_trace(ctx.trace());
            &fresh
        } else {
            ctx
        };
        if del(ctx).is_ok() {
            let _ = att.cache.remove(&att.entry);
        }
    }

    /// ADD one plugin configuration for `rt` and cache its result
    /// (upstream `AddNetwork`; errors are the plugin's own, unwrapped).
    /// With `cleanup_on_failure`, a failed ADD (the plugin failed, or the
    /// result could not be cached) runs the plugin's DEL first.
    pub fn add_network(
        &self,
        ctx: &Context,
        net: &PluginConfig,
        rt: &RuntimeConf,
    ) -> Result<CniResult> {
        events::observe_list(
            "ADD",
            Some(net.network.name.as_str()),
            Some(net.network.type_.as_str()),
            Some(rt),
            || {
                let (name, version) = (&net.network.name, &net.network.cni_version);
                let att = self.attach(ctx, name, rt)?;
                let result = match self.add_one(ctx, name, version, net, None, rt) {
                    Ok(r) => r,
                    Err(e) => {
                        self.cleanup_failed_add(ctx, &att, |ctx| {
                            self.del_one(ctx, name, version, net, None, rt)
                        });
                        return Err(e);
                    }
                };
                let cached =
                    write_result(&att.cache, &att.entry, Some(&result), &net.bytes, name, rt);
                if let Err(e) = cached {
                    let prev = prev_result(version, Some(&result)).map(CniResult::to_json);
                    self.cleanup_failed_add(ctx, &att, |ctx| {
                        self.del_one(ctx, name, version, net, prev.as_deref(), rt)
                    });
                    return Err(cache_failed(name, e));
                }
                Ok(result)
            },
        )
    }
}

/// The result a cleanup DEL is given: the ADD's, where the version has
/// `prevResult` (0.4.0 on).
fn prev_result<'a>(cni_version: &str, result: Option<&'a CniResult>) -> Option<&'a CniResult> {
    result.filter(|_| greater_than_or_equal_to(cni_version, "0.4.0").unwrap_or(false))
}

fn add_failed(net: &PluginConfig, e: Error) -> Error {
    Error::wrap(
        format!("plugin {} failed (add)", plugin_description(&net.network)),
        e,
    )
}

fn cache_failed(network: &str, e: Error) -> Error {
    Error::wrap(
        format!("failed to set network {} cached result", go_quote(network)),
        e,
    )
}

fn empty_result(cni_version: &str) -> Result<CniResult> {
    let version = if cni_version.is_empty() {
        "0.1.0"
    } else {
        cni_version
    };
    let json = format!(r#"{{"cniVersion":{}}}"#, go_quote(version));
    CniResult::from_json(json.as_bytes())
}
