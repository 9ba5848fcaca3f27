//! STATUS (upstream `GetStatusNetworkList`, `getStatusNetwork`).

use super::super::api::{CniConfig, RuntimeConf};
use super::super::conf::NetworkConfigList;
use super::super::inject::{inject_raw, marshal_str};
use super::ensure_live;
use crate::context::Context;
use crate::events;
use crate::exec::exec_plugin_without_result;
use crate::version::greater_than_or_equal_to;
use crate::{Error, Result};

impl CniConfig {
    /// STATUS of the list: every plugin in order, from spec 1.1.0 on
    /// (older lists succeed without running anything). The first failure
    /// is returned as the plugin reported it, so codes 50 and 51 reach the
    /// caller.
    pub fn get_status_network_list(&self, ctx: &Context, list: &NetworkConfigList) -> Result<()> {
        events::observe_list("STATUS", Some(list.name.as_str()), None, None, || {
            if !greater_than_or_equal_to(&list.cni_version, "1.1.0").unwrap_or(false) {
                return Ok(());
            }
            for plugin in &list.plugins {
                let type_ = &plugin.network.type_;
                let (name, version) = (marshal_str(&list.name), marshal_str(&list.cni_version));
                let values = [("name", name.as_str()), ("cniVersion", version.as_str())];
                let conf = inject_raw(&plugin.bytes, &values)
                    .map_err(|e| {
                        let what = format!(
                            "failed to generate configuration to get plugin STATUS {type_}"
                        );
                        Error::wrap(what, e)
                    })?
                    .bytes;
                ensure_live(ctx)?;
                let exec = self.exec();
                let plugin_path = exec.find_in_path(type_, &self.path)?;
                let args = self.args("STATUS", &RuntimeConf::default());
                exec_plugin_without_result(ctx, &plugin_path, &conf, &args, Some(exec))?;
            }
            Ok(())
        })
    }
}
