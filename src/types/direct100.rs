//! A 1.0.0 / 1.1.0 result in the form plugins write it, decoded straight
//! from its bytes into [`Result100`], without the value tree and the
//! general decoder ([`super::decode`]) the other forms go through.
//!
//! The form: one object of the result's own fields, each key spelled
//! exactly as upstream names it and given once, every string free of
//! escapes and control characters, every number a plain integer, no
//! `null`, nothing after the object but whitespace. For such a document
//! Go's decoding is plain field assignment, so the answer is the one the
//! general path gives (`direct100_tests.rs` holds them to that). Anything
//! else, including every document the general path refuses, is `None`:
//! the caller then takes the general path, which also words the errors.

use super::common::{Dns, Route};
use super::net::{GoIp, IpNet};
use super::scan::Scan;
use super::v100::{Interface100, IpConfig100, Result100};
use super::CniResult;

/// `stdout` decoded as a plugin's result in the configuration's version
/// `conf_version` (which fills in a missing or empty `cniVersion`), when
/// it is a 1.x result in the form above.
pub(crate) fn decode(stdout: &[u8], conf_version: &str) -> Option<CniResult> {
    let mut s = Scan::new(stdout);
    let mut r = result(&mut s)?;
    if !s.at_end() {
        return None;
    }
    if r.cni_version.is_empty() {
        r.cni_version = conf_version.to_string();
    }
    of_1x(r)
}

/// A 1.x result in the form above at the cursor, its `cniVersion` given
/// (a cache entry's `result`, which upstream reads without a configuration
/// version to fill in a missing one).
pub(crate) fn versioned_result(s: &mut Scan) -> Option<CniResult> {
    of_1x(result(s)?)
}

/// The result, if its version is one `Result100` stands for.
fn of_1x(r: Result100) -> Option<CniResult> {
    matches!(r.cni_version.as_str(), "1.0.0" | "1.1.0").then_some(CniResult::V100(r))
}

fn result(s: &mut Scan) -> Option<Result100> {
    let mut r = Result100::default();
    const NAMES: &[&str] = &["cniVersion", "interfaces", "ips", "routes", "dns"];
    s.object(NAMES, |s, field| {
        match field {
            0 => r.cni_version = s.string()?,
            1 => r.interfaces = s.list(interface)?,
            2 => r.ips = s.list(ip_config)?,
            3 => r.routes = s.list(route)?,
            _ => r.dns = dns(s)?,
        }
        Some(())
    })?;
    Some(r)
}

fn interface(s: &mut Scan) -> Option<Interface100> {
    let mut i = Interface100::default();
    const NAMES: &[&str] = &["name", "mac", "mtu", "sandbox", "socketPath", "pciID"];
    s.object(NAMES, |s, field| {
        match field {
            0 => i.name = s.string()?,
            1 => i.mac = s.string()?,
            2 => i.mtu = s.int()?,
            3 => i.sandbox = s.string()?,
            4 => i.socket_path = s.string()?,
            _ => i.pci_id = s.string()?,
        }
        Some(())
    })?;
    Some(i)
}

fn ip_config(s: &mut Scan) -> Option<IpConfig100> {
    let mut c = IpConfig100::default();
    s.object(&["interface", "address", "gateway"], |s, field| {
        match field {
            0 => c.interface = Some(s.int()?),
            1 => c.address = s.ipnet()?,
            _ => c.gateway = s.ip()?,
        }
        Some(())
    })?;
    Some(c)
}

fn route(s: &mut Scan) -> Option<Route> {
    let mut r = Route::default();
    const NAMES: &[&str] = &["dst", "gw", "mtu", "advmss", "priority", "table", "scope"];
    s.object(NAMES, |s, field| {
        match field {
            0 => r.dst = s.ipnet()?,
            1 => r.gw = s.ip()?,
            2 => r.mtu = s.int()?,
            3 => r.adv_mss = s.int()?,
            4 => r.priority = s.int()?,
            5 => r.table = Some(s.int()?),
            _ => r.scope = Some(s.int()?),
        }
        Some(())
    })?;
    Some(r)
}

fn dns(s: &mut Scan) -> Option<Dns> {
    let mut d = Dns::default();
    s.object(
        &["nameservers", "domain", "search", "options"],
        |s, field| {
            match field {
                0 => d.nameservers = s.list(Scan::string)?,
                1 => d.domain = s.string()?,
                2 => d.search = s.list(Scan::string)?,
                _ => d.options = s.list(Scan::string)?,
            }
            Some(())
        },
    )?;
    Some(d)
}

/// The result's own kinds of value.
impl Scan<'_> {
    /// A CIDR upstream's parser takes.
    fn ipnet(&mut self) -> Option<IpNet> {
        IpNet::parse(self.str()?).ok()
    }

    /// An address Go's `net.ParseIP` takes; `""` is none.
    fn ip(&mut self) -> Option<Option<GoIp>> {
        match self.str()? {
            "" => Some(None),
            s => GoIp::parse(s).map(Some),
        }
    }
}

#[cfg(test)]
#[path = "direct100_tests.rs"]
mod tests;
