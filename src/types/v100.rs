//! Results of spec versions 1.0.0 and 1.1.0 (upstream `pkg/types/100`):
//! like 0.4.0 without the per-address IP version, plus the 1.1.0
//! interface fields (`mtu`, `socketPath`, `pciID`).
//!
//! Upstream prints these results through a `map[string]interface{}`, so
//! their keys come out sorted and integers pass through `float64`.

use super::common::{decode_dns, decode_ip, decode_ipnet, decode_ptr_list, decode_route};
use super::common::{write_dns, write_route, Dns, ObjWriter, Route, Shape};
use super::decode::{Decoder, Hard};
use super::gojson::Value;
use super::net::{GoIp, IpNet};

/// A 1.0.0 / 1.1.0 result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Result100 {
    /// `cniVersion`: "1.0.0" or "1.1.0".
    pub cni_version: String,
    /// Interfaces the plugin created or used.
    pub interfaces: Vec<Interface100>,
    /// Assigned addresses.
    pub ips: Vec<IpConfig100>,
    /// Routes.
    pub routes: Vec<Route>,
    /// DNS settings (omitted from JSON when empty).
    pub dns: Dns,
}

/// An interface of a 1.x result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interface100 {
    /// Interface name.
    pub name: String,
    /// Hardware address.
    pub mac: String,
    /// MTU (0 = unset; 1.1.0).
    pub mtu: i64,
    /// Network namespace path, empty for the host.
    pub sandbox: String,
    /// vhost-user or similar socket path (1.1.0).
    pub socket_path: String,
    /// PCI address of the device (1.1.0).
    pub pci_id: String,
}

/// An address of a 1.x result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IpConfig100 {
    /// Index into `interfaces`, if given.
    pub interface: Option<i64>,
    /// Address with prefix length.
    pub address: IpNet,
    /// Gateway, if any.
    pub gateway: Option<GoIp>,
}

impl Result100 {
    pub(crate) fn write(&self, out: &mut String) {
        let mut o = ObjWriter::new(out);
        o.str_nonempty("cniVersion", &self.cni_version);
        write_dns(&mut o, &self.dns, Shape::Sorted);
        o.list_nonempty("interfaces", &self.interfaces, |out, i| {
            let mut w = ObjWriter::new(out);
            w.str_nonempty("mac", &i.mac);
            w.int_nonzero("mtu", i.mtu, true);
            w.str("name", &i.name);
            w.str_nonempty("pciID", &i.pci_id);
            w.str_nonempty("sandbox", &i.sandbox);
            w.str_nonempty("socketPath", &i.socket_path);
            w.end();
        });
        o.list_nonempty("ips", &self.ips, |out, ip| {
            let mut w = ObjWriter::new(out);
            w.ipnet("address", &ip.address);
            w.ip_opt("gateway", &ip.gateway);
            w.int_opt("interface", ip.interface, true);
            w.end();
        });
        o.list_nonempty("routes", &self.routes, |out, r| {
            write_route(out, r, Shape::Sorted)
        });
        o.end();
    }

    pub(crate) fn decode(d: &mut Decoder, v: &Value, r: &mut Result100) -> Hard {
        d.object(
            v,
            "Result",
            "types100.Result",
            &["cniVersion", "interfaces", "ips", "routes", "dns"],
            |d, f, v| match f {
                "cniVersion" => {
                    d.string(v, &mut r.cni_version);
                    Ok(())
                }
                "interfaces" => decode_ptr_list(
                    d,
                    v,
                    "[]*types100.Interface",
                    &mut r.interfaces,
                    decode_interface,
                ),
                "ips" => decode_ptr_list(d, v, "[]*types100.IPConfig", &mut r.ips, decode_ipconfig),
                "routes" => decode_ptr_list(d, v, "[]*types.Route", &mut r.routes, decode_route),
                _ => decode_dns(d, v, &mut r.dns),
            },
        )
    }
}

fn decode_interface(d: &mut Decoder, v: &Value, i: &mut Interface100) -> Hard {
    d.object(
        v,
        "Interface",
        "types100.Interface",
        &["name", "mac", "mtu", "sandbox", "socketPath", "pciID"],
        |d, f, v| {
            match f {
                "name" => d.string(v, &mut i.name),
                "mac" => d.string(v, &mut i.mac),
                "mtu" => d.int(v, &mut i.mtu),
                "sandbox" => d.string(v, &mut i.sandbox),
                "socketPath" => d.string(v, &mut i.socket_path),
                _ => d.string(v, &mut i.pci_id),
            }
            Ok(())
        },
    )
}

fn decode_ipconfig(d: &mut Decoder, v: &Value, out: &mut IpConfig100) -> Hard {
    *out = d.nested(v, |d, v, c: &mut IpConfig100| {
        d.object(
            v,
            "ipConfig",
            "types100.ipConfig",
            &["interface", "address", "gateway"],
            |d, f, v| match f {
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
