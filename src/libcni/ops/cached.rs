//! Reading the cache: results, configurations and the attachments it
//! lists (upstream `getCachedResult`, `getCachedConfig`,
//! `GetCachedAttachments`), and writing an ADD's entry (`cacheAdd`).

use super::super::api::{CachedConfig, CniConfig, NetworkAttachment, RuntimeConf};
use super::super::cache::{entry_name, Cache};
use super::super::conf::{NetworkConfigList, PluginConfig};
use super::super::record::{convert_cached, legacy_result_as, NewRecord, Record, CNI_CACHE_V1};
use super::super::record_direct::cached_result;
use super::super::validate::validate_attachment;
use crate::types::{go_quote, CniResult};
use crate::{Error, Result};

/// The entry name of (`network`, `rt`): upstream's text for an empty part,
/// then the name rules (nothing invalid becomes a path).
fn checked_entry(network: &str, rt: &RuntimeConf) -> Result<String> {
    let name = entry_name(network, &rt.container_id, &rt.if_name)?;
    validate_attachment(network, &rt.container_id, &rt.if_name)?;
    Ok(name)
}

/// The cached result of entry `entry`, converted to `cni_version`; `None`
/// when nothing is cached. An empty entry (a write cut short by upstream
/// Go's non-atomic writer) is reported as such.
pub(crate) fn read_result(
    cache: &Cache,
    entry: &str,
    cni_version: &str,
) -> Result<Option<CniResult>> {
    let Some(bytes) = cache.read(entry)? else {
        return Ok(None);
    };
    if bytes.is_empty() {
        return Err(Error::Io(format!(
            "cache file {} is empty",
            cache.entry_path(entry).display()
        )));
    }
    // An entry as this library writes it, straight from its bytes; any
    // other the general way.
    if let Some(cached) = cached_result(&bytes) {
        return convert_cached(&cached, cni_version).map(Some);
    }
    let result = match Record::decode(&bytes) {
        Ok(r) if r.kind == CNI_CACHE_V1 => r.result_as(cni_version),
        _ => legacy_result_as(&bytes, cni_version),
    };
    result.map(Some)
}

/// Write the entry of a successful ADD (upstream `cacheAdd`).
pub(crate) fn write_result(
    cache: &Cache,
    entry: &str,
    result: Option<&CniResult>,
    config: &[u8],
    network: &str,
    rt: &RuntimeConf,
) -> Result<()> {
    let record = NewRecord {
        container_id: &rt.container_id,
        config,
        if_name: &rt.if_name,
        network_name: network,
        netns: &rt.netns,
        cni_args: &rt.args,
        capability_args: &rt.capability_args,
        result,
    };
    cache.write(entry, &record.encode())
}

impl CniConfig {
    fn cached_result(
        &self,
        network: &str,
        cni_version: &str,
        rt: &RuntimeConf,
    ) -> Result<Option<CniResult>> {
        let entry = checked_entry(network, rt)?;
        read_result(&self.cache(rt), &entry, cni_version)
    }

    fn cached_config(&self, network: &str, rt: &RuntimeConf) -> Result<Option<CachedConfig>> {
        let entry = checked_entry(network, rt)?;
        let Some(bytes) = self.cache(rt).read(&entry)? else {
            return Ok(None);
        };
        let record = Record::decode(&bytes).map_err(|e| {
            Error::Decode(format!(
                "failed to unmarshal cached network {} config: {e}",
                go_quote(network)
            ))
        })?;
        if record.kind != CNI_CACHE_V1 {
            return Err(Error::Decode(format!(
                "read cached network {} config has wrong kind: {}",
                go_quote(network),
                record.kind
            )));
        }
        let mut runtime_conf = rt.clone();
        if let Some(args) = record.cni_args {
            runtime_conf.args = args;
        }
        runtime_conf.capability_args = record.capability_args.unwrap_or_default();
        Ok(Some(CachedConfig {
            config: record.config.unwrap_or_default(),
            runtime_conf,
        }))
    }

    /// The cached result of the list's last ADD for `rt`, in the list's
    /// version (upstream `GetNetworkListCachedResult`); `None` if none.
    pub fn get_network_list_cached_result(
        &self,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
    ) -> Result<Option<CniResult>> {
        self.cached_result(&list.name, &list.cni_version, rt)
    }

    /// As [`CniConfig::get_network_list_cached_result`] for one plugin.
    pub fn get_network_cached_result(
        &self,
        net: &PluginConfig,
        rt: &RuntimeConf,
    ) -> Result<Option<CniResult>> {
        self.cached_result(&net.network.name, &net.network.cni_version, rt)
    }

    /// The cached configuration and runtime configuration of the list's
    /// last ADD for `rt` (upstream `GetNetworkListCachedConfig`).
    pub fn get_network_list_cached_config(
        &self,
        list: &NetworkConfigList,
        rt: &RuntimeConf,
    ) -> Result<Option<CachedConfig>> {
        self.cached_config(&list.name, rt)
    }

    /// As [`CniConfig::get_network_list_cached_config`] for one plugin.
    pub fn get_network_cached_config(
        &self,
        net: &PluginConfig,
        rt: &RuntimeConf,
    ) -> Result<Option<CachedConfig>> {
        self.cached_config(&net.network.name, rt)
    }

    /// The attachments in the cache, sorted by entry name, of
    /// `container_id` only unless it is empty (upstream
    /// `GetCachedAttachments`). Entries that cannot be read or decoded are
    /// skipped, as upstream.
    pub fn get_cached_attachments(&self, container_id: &str) -> Result<Vec<NetworkAttachment>> {
        let cache = self.cache(&RuntimeConf::default());
        let mut out = Vec::new();
        for name in cache.names()? {
            if !container_id.is_empty() && !names_container(&name, container_id) {
                continue;
            }
            let Ok(Some(bytes)) = cache.read(&name) else {
                continue;
            };
            let Ok(r) = Record::decode(&bytes) else {
                continue;
            };
            if r.kind != CNI_CACHE_V1
                || (!container_id.is_empty() && r.container_id != container_id)
                || r.if_name.is_empty()
                || r.network_name.is_empty()
            {
                continue;
            }
            out.push(NetworkAttachment {
                container_id: r.container_id,
                network: r.network_name,
                if_name: r.if_name,
                config: r.config.unwrap_or_default(),
                netns: r.netns,
                cni_args: r.cni_args.unwrap_or_default(),
                capability_args: r.capability_args.unwrap_or_default(),
            });
        }
        Ok(out)
    }
}

/// Upstream's filter: `-<id>-` occurs after the first byte and before the
/// last one of the file name.
fn names_container(file: &str, container_id: &str) -> bool {
    let part = format!("-{container_id}-");
    match file.find(&part) {
        Some(pos) => pos > 0 && pos + part.len() < file.len(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::names_container;

    /// `-<id>-` strictly inside the name: not at its start, not at its end,
    /// not as the start of a longer id.
    #[test]
    fn entry_names_are_filtered_as_upstream_filters_them() {
        assert!(names_container("net1-ctr1-eth0", "ctr1"));
        assert!(!names_container("net1-ctr10-eth0", "ctr1"));
        assert!(!names_container("-ctr1-eth0", "ctr1"));
        assert!(!names_container("net1-ctr1-", "ctr1"));
        assert!(names_container("n-ctr1-e", "ctr1"));
    }
}
