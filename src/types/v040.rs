//! Results of spec versions 0.3.0, 0.3.1 and 0.4.0 (upstream
//! `pkg/types/040`): interfaces, addresses tagged with their IP version,
//! and routes.

use super::common::{decode_dns, decode_ip, decode_ipnet, decode_ptr_list, decode_route};
use super::common::{write_dns, write_route, Dns, ObjWriter, Route, Shape};
use super::decode::{Decoder, Hard};
use super::gojson::Value;
use super::net::{GoIp, IpNet};

/// A 0.3.0 / 0.3.1 / 0.4.0 result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Result040 {
    /// `cniVersion`: "0.3.0", "0.3.1" or "0.4.0".
    pub cni_version: String,
    /// Interfaces the plugin created or used.
    pub interfaces: Vec<Interface040>,
    /// Assigned addresses.
    pub ips: Vec<IpConfig040>,
    /// Routes.
    pub routes: Vec<Route>,
    /// DNS settings.
    pub dns: Dns,
}

/// An interface of a 0.3.x / 0.4.0 result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interface040 {
    /// Interface name.
    pub name: String,
    /// Hardware address.
    pub mac: String,
    /// Network namespace path, empty for the host.
    pub sandbox: String,
}

/// An address of a 0.3.x / 0.4.0 result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpConfig040 {
    /// IP version, "4" or "6".
    pub version: String,
    /// Index into `interfaces`, if given.
    pub interface: Option<i64>,
    /// Address with prefix length.
    pub address: IpNet,
    /// Gateway, if any.
    pub gateway: Option<GoIp>,
}

impl Result040 {
    pub(crate) fn write(&self, out: &mut String) {
        let mut o = ObjWriter::new(out);
        o.str_nonempty("cniVersion", &self.cni_version);
        o.list_nonempty("interfaces", &self.interfaces, |out, i| {
            let mut w = ObjWriter::new(out);
            w.str("name", &i.name);
            w.str_nonempty("mac", &i.mac);
            w.str_nonempty("sandbox", &i.sandbox);
            w.end();
        });
        o.list_nonempty("ips", &self.ips, |out, ip| {
            let mut w = ObjWriter::new(out);
            w.str("version", &ip.version);
            w.int_opt("interface", ip.interface, false);
            w.ipnet("address", &ip.address);
            w.ip_opt("gateway", &ip.gateway);
            w.end();
        });
        o.list_nonempty("routes", &self.routes, |out, r| {
            write_route(out, r, Shape::Struct)
        });
        write_dns(&mut o, &self.dns, Shape::Struct);
        o.end();
    }

    pub(crate) fn decode(d: &mut Decoder, v: &Value, r: &mut Result040) -> Hard {
        d.object(
            v,
            "Result",
            "types040.Result",
            &["cniVersion", "interfaces", "ips", "routes", "dns"],
            |d, f, v| match f {
                "cniVersion" => {
                    d.string(v, &mut r.cni_version);
                    Ok(())
                }
                "interfaces" => decode_ptr_list(
                    d,
                    v,
                    "[]*types040.Interface",
                    &mut r.interfaces,
                    decode_interface,
                ),
                "ips" => decode_ptr_list(d, v, "[]*types040.IPConfig", &mut r.ips, decode_ipconfig),
                "routes" => decode_ptr_list(d, v, "[]*types.Route", &mut r.routes, decode_route),
                _ => decode_dns(d, v, &mut r.dns),
            },
        )
    }
}

fn decode_interface(d: &mut Decoder, v: &Value, i: &mut Interface040) -> Hard {
    d.object(
        v,
        "Interface",
        "types040.Interface",
        &["name", "mac", "sandbox"],
        |d, f, v| {
            match f {
                "name" => d.string(v, &mut i.name),
                "mac" => d.string(v, &mut i.mac),
                _ => d.string(v, &mut i.sandbox),
            }
            Ok(())
        },
    )
}

fn decode_ipconfig(d: &mut Decoder, v: &Value, out: &mut IpConfig040) -> Hard {
    *out = d.nested(v, |d, v, c: &mut IpConfig040| {
        d.object(
            v,
            "ipConfig",
            "types040.ipConfig",
            &["version", "interface", "address", "gateway"],
            |d, f, v| match f {
                "version" => {
                    d.string(v, &mut c.version);
                    Ok(())
                }
                "interface" => {
                    d.opt_int(v, &mut c.interface);
                    Ok(())
                }
                "address" => decode_ipnet(d, v, &mut c.address),
                _ => decode_ip(d, v, &mut c.gateway),
            },
        )
    })?;
    Ok(())
}
