//! Conversions between result versions, following upstream's converter
//! registry (`pkg/types/internal/convert.go` and the per-version
//! `init` registrations): which pairs exist, what each one keeps and drops,
//! and the errors it returns.

use super::common::Route;
use super::v020::{IpConfig020, Result020};
use super::v040::{Interface040, IpConfig040, Result040};
use super::v100::{Interface100, IpConfig100, Result100};
use super::CniResult;

const V02X: [&str; 2] = ["0.1.0", "0.2.0"];
const V04X: [&str; 3] = ["0.3.0", "0.3.1", "0.4.0"];
const V1X: [&str; 2] = ["1.0.0", "1.1.0"];

/// Upstream `convert.Convert`; the error is upstream's text.
pub(crate) fn convert(from: &CniResult, to: &str) -> Result<CniResult, String> {
    let to = if to.is_empty() { "0.1.0" } else { to };
    let fv = from.cni_version();
    if fv == to {
        return Ok(from.clone());
    }
    let no_converter = || format!("no converter for CNI result version {fv} to {to}");
    // A converter is registered by the *declared* version of the source.
    match from {
        CniResult::V020(r) if V02X.contains(&fv) => {
            if V02X.contains(&to) {
                Ok(CniResult::V020(Result020 {
                    cni_version: to.to_string(),
                    ..r.clone()
                }))
            } else if V04X.contains(&to) {
                Ok(CniResult::V040(from_02x(r, to)))
            } else if V1X.contains(&to) {
                Ok(CniResult::V100(from_04x(&from_02x(r, "0.4.0"), to)))
            } else {
                Err(no_converter())
            }
        }
        CniResult::V040(r) if V04X.contains(&fv) => {
            if V04X.contains(&to) {
                Ok(CniResult::V040(Result040 {
                    cni_version: to.to_string(),
                    ..r.clone()
                }))
            } else if V02X.contains(&to) {
                to_02x(r, to).map(CniResult::V020)
            } else if V1X.contains(&to) {
                Ok(CniResult::V100(from_04x(r, to)))
            } else {
                Err(no_converter())
            }
        }
        CniResult::V100(r) if V1X.contains(&fv) => {
            if V1X.contains(&to) {
                Ok(CniResult::V100(Result100 {
                    cni_version: to.to_string(),
                    ..r.clone()
                }))
            } else if V04X.contains(&to) {
                Ok(CniResult::V040(to_04x(r, to)))
            } else if V02X.contains(&to) {
                to_02x(&to_04x(r, "0.4.0"), to).map(CniResult::V020)
            } else {
                Err(no_converter())
            }
        }
        _ => Err(no_converter()),
    }
}

/// 0.1.0/0.2.0 → 0.3.x/0.4.0: one address per family, routes collected.
fn from_02x(r: &Result020, to: &str) -> Result040 {
    let mut out = Result040 {
        cni_version: to.to_string(),
        dns: r.dns.clone(),
        ..Default::default()
    };
    for (family, ipc) in [("4", &r.ip4), ("6", &r.ip6)] {
        if let Some(ipc) = ipc {
            out.ips.push(IpConfig040 {
                version: family.to_string(),
                interface: None,
                address: ipc.ip,
                gateway: ipc.gateway,
            });
            out.routes.extend(ipc.routes.iter().cloned());
        }
    }
    out
}

/// 0.3.x/0.4.0 → 0.1.0/0.2.0: the first address of each family; routes
/// go to the configuration of their family and keep only dst and gw.
fn to_02x(r: &Result040, to: &str) -> Result<Result020, String> {
    let mut out = Result020 {
        cni_version: to.to_string(),
        dns: r.dns.clone(),
        ..Default::default()
    };
    for ip in &r.ips {
        let conf = || IpConfig020 {
            ip: ip.address,
            gateway: ip.gateway,
            routes: Vec::new(),
        };
        if ip.version == "4" && out.ip4.is_none() {
            out.ip4 = Some(conf());
        } else if ip.version == "6" && out.ip6.is_none() {
            out.ip6 = Some(conf());
        }
        if out.ip4.is_some() && out.ip6.is_some() {
            break;
        }
    }
    for route in &r.routes {
        let slot = if route.dst.is_ipv4() {
            &mut out.ip4
        } else {
            &mut out.ip6
        };
        if let Some(ipc) = slot {
            ipc.routes.push(Route {
                dst: route.dst,
                gw: route.gw,
                ..Default::default()
            });
        }
    }
    if out.ip4.is_none() && out.ip6.is_none() {
        return Err("cannot convert: no valid IP addresses".into());
    }
    Ok(out)
}

/// 0.3.x/0.4.0 → 1.x: drops the per-address version.
fn from_04x(r: &Result040, to: &str) -> Result100 {
    Result100 {
        cni_version: to.to_string(),
        interfaces: r
            .interfaces
            .iter()
            .map(|i| Interface100 {
                name: i.name.clone(),
                mac: i.mac.clone(),
                sandbox: i.sandbox.clone(),
                ..Default::default()
            })
            .collect(),
        ips: r
            .ips
            .iter()
            .map(|ip| IpConfig100 {
                interface: ip.interface,
                address: ip.address,
                gateway: ip.gateway,
            })
            .collect(),
        routes: r.routes.clone(),
        dns: r.dns.clone(),
    }
}

/// 1.x → 0.3.x/0.4.0: derives each address's version, drops the 1.1.0
/// interface fields (routes keep all of theirs).
fn to_04x(r: &Result100, to: &str) -> Result040 {
    Result040 {
        cni_version: to.to_string(),
        interfaces: r
            .interfaces
            .iter()
            .map(|i| Interface040 {
                name: i.name.clone(),
                mac: i.mac.clone(),
                sandbox: i.sandbox.clone(),
            })
            .collect(),
        ips: r
            .ips
            .iter()
            .map(|ip| IpConfig040 {
                version: if ip.address.is_ipv4() { "4" } else { "6" }.to_string(),
                interface: ip.interface,
                address: ip.address,
                gateway: ip.gateway,
            })
            .collect(),
        routes: r.routes.clone(),
        dns: r.dns.clone(),
    }
}
