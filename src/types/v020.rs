//! Results of spec versions 0.1.0 and 0.2.0 (upstream `pkg/types/020`):
//! at most one IPv4 and one IPv6 configuration, each with its routes.

use super::common::{decode_dns, decode_ip, decode_ipnet, decode_route, write_dns, write_route};
use super::common::{Dns, ObjWriter, Route, Shape};
use super::decode::{Decoder, Hard};
use super::gojson::Value;
use super::net::{GoIp, IpNet};

/// A 0.1.0 / 0.2.0 result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Result020 {
    /// `cniVersion`: "0.1.0" or "0.2.0".
    pub cni_version: String,
    /// The IPv4 configuration, if any.
    pub ip4: Option<IpConfig020>,
    /// The IPv6 configuration, if any.
    pub ip6: Option<IpConfig020>,
    /// DNS settings.
    pub dns: Dns,
}

/// One address of a 0.1.0 / 0.2.0 result, with its gateway and routes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpConfig020 {
    /// Address with prefix length.
    pub ip: IpNet,
    /// Default gateway, if any.
    pub gateway: Option<GoIp>,
    /// Routes through this address.
    pub routes: Vec<Route>,
}

impl Result020 {
    pub(crate) fn write(&self, out: &mut String) {
        let mut o = ObjWriter::new(out);
        o.str_nonempty("cniVersion", &self.cni_version);
        for (k, ipc) in [("ip4", &self.ip4), ("ip6", &self.ip6)] {
            if let Some(ipc) = ipc {
                let mut w = ObjWriter::new(o.key(k));
                w.ipnet("ip", &ipc.ip);
                w.ip_opt("gateway", &ipc.gateway);
                w.list_nonempty("routes", &ipc.routes, |out, r| {
                    write_route(out, r, Shape::Struct)
                });
                w.end();
            }
        }
        write_dns(&mut o, &self.dns, Shape::Struct);
        o.end();
    }

    pub(crate) fn decode(d: &mut Decoder, v: &Value, r: &mut Result020) -> Hard {
        d.object(
            v,
            "Result",
            "types020.Result",
            &["cniVersion", "ip4", "ip6", "dns"],
            |d, f, v| match f {
                "cniVersion" => {
                    d.string(v, &mut r.cni_version);
                    Ok(())
                }
                "ip4" => decode_ipconfig(d, v, &mut r.ip4),
                "ip6" => decode_ipconfig(d, v, &mut r.ip6),
                _ => decode_dns(d, v, &mut r.dns),
            },
        )
    }
}

/// Upstream `IPConfig.UnmarshalJSON`: a fresh value each time, `null`
/// clears the pointer.
fn decode_ipconfig(d: &mut Decoder, v: &Value, out: &mut Option<IpConfig020>) -> Hard {
    if let Value::Null = v {
        *out = None;
        return Ok(());
    }
    let ipc = d.nested(v, |d, v, c: &mut IpConfig020| {
        d.object(
            v,
            "ipConfig",
            "types020.ipConfig",
            &["ip", "gateway", "routes"],
            |d, f, v| match f {
                "ip" => decode_ipnet(d, v, &mut c.ip),
                "gateway" => decode_ip(d, v, &mut c.gateway),
                _ => d.slice(v, "[]types.Route", &mut c.routes, decode_route),
            },
        )
    })?;
    *out = Some(ipc);
    Ok(())
}
