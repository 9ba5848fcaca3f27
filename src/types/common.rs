//! Pieces shared by every result version: routes, DNS settings, and the
//! JSON writing and reading helpers for them and for addresses.

use super::decode::{DecodeError, Decoder, Hard};
use super::gojson::{push_go_float_int, push_int, write_str, Value};
use super::net::{GoIp, IpNet};

/// A route (upstream `types.Route`); every version carries all fields.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    /// Destination network; the zero value prints as `<nil>`.
    pub dst: IpNet,
    /// Next hop, if any.
    pub gw: Option<GoIp>,
    /// Route MTU (0 = unset).
    pub mtu: i64,
    /// TCP advertised MSS (0 = unset).
    pub adv_mss: i64,
    /// Route priority (0 = unset).
    pub priority: i64,
    /// Routing table, when set (0 is a value).
    pub table: Option<i64>,
    /// Route scope, when set (0 is a value).
    pub scope: Option<i64>,
}

/// DNS settings (upstream `types.DNS`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dns {
    /// Name server addresses, in priority order.
    pub nameservers: Vec<String>,
    /// Local domain.
    pub domain: String,
    /// Search domains.
    pub search: Vec<String>,
    /// Resolver options.
    pub options: Vec<String>,
}

impl Dns {
    /// True when no field is set (upstream `DNS.IsEmpty`).
    pub fn is_empty(&self) -> bool {
        self.nameservers.is_empty()
            && self.domain.is_empty()
            && self.search.is_empty()
            && self.options.is_empty()
    }
}

/// Writes one JSON object, member by member, compactly.
pub(crate) struct ObjWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> ObjWriter<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        out.push('{');
        ObjWriter { out, first: true }
    }

    /// Start a member and return the buffer to write its value into. A
    /// key is a field name of ours, which needs no escaping.
    pub(crate) fn key(&mut self, k: &'static str) -> &mut String {
        debug_assert!(k.bytes().all(|b| b.is_ascii_alphanumeric()), "{k}");
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(k);
        self.out.push_str("\":");
        self.out
    }

    pub(crate) fn str(&mut self, k: &'static str, v: &str) {
        write_str(self.key(k), v);
    }

    pub(crate) fn str_nonempty(&mut self, k: &'static str, v: &str) {
        if !v.is_empty() {
            self.str(k, v);
        }
    }

    /// An integer; `float` prints it as Go does after a float64 round trip.
    pub(crate) fn int(&mut self, k: &'static str, v: i64, float: bool) {
        let out = self.key(k);
        if float {
            push_go_float_int(out, v);
        } else {
            push_int(out, v);
        }
    }

    pub(crate) fn int_nonzero(&mut self, k: &'static str, v: i64, float: bool) {
        if v != 0 {
            self.int(k, v, float);
        }
    }

    pub(crate) fn int_opt(&mut self, k: &'static str, v: Option<i64>, float: bool) {
        if let Some(v) = v {
            self.int(k, v, float);
        }
    }

    pub(crate) fn ip_opt(&mut self, k: &'static str, v: &Option<GoIp>) {
        if let Some(ip) = v {
            // An address's text needs no escaping.
            let out = self.key(k);
            out.push('"');
            ip.push_to(out);
            out.push('"');
        }
    }

    /// A CIDR, as a string (the zero one is `<nil>`, escaped as Go
    /// escapes `<` and `>`).
    pub(crate) fn ipnet(&mut self, k: &'static str, v: &IpNet) {
        let out = self.key(k);
        out.push('"');
        if v.push_to(out).is_none() {
            out.push_str("\\u003cnil\\u003e");
        }
        out.push('"');
    }

    pub(crate) fn strings_nonempty(&mut self, k: &'static str, v: &[String]) {
        if !v.is_empty() {
            let out = self.key(k);
            out.push('[');
            for (i, s) in v.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, s);
            }
            out.push(']');
        }
    }

    /// A non-empty list of objects written by `f`.
    pub(crate) fn list_nonempty<T>(
        &mut self,
        k: &'static str,
        v: &[T],
        f: impl Fn(&mut String, &T),
    ) {
        if !v.is_empty() {
            let out = self.key(k);
            out.push('[');
            for (i, item) in v.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                f(out, item);
            }
            out.push(']');
        }
    }

    pub(crate) fn end(self) {
        self.out.push('}');
    }
}

/// Key order of the two JSON shapes upstream produces.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Go struct field order, integers exact (0.x results).
    Struct,
    /// Alphabetical keys, integers via float64 (1.x results, which
    /// upstream re-marshals through a `map[string]interface{}`).
    Sorted,
}

pub(crate) fn write_route(out: &mut String, r: &Route, shape: Shape) {
    let mut o = ObjWriter::new(out);
    match shape {
        Shape::Struct => {
            o.ipnet("dst", &r.dst);
            o.ip_opt("gw", &r.gw);
            o.int_nonzero("mtu", r.mtu, false);
            o.int_nonzero("advmss", r.adv_mss, false);
            o.int_nonzero("priority", r.priority, false);
            o.int_opt("table", r.table, false);
            o.int_opt("scope", r.scope, false);
        }
        Shape::Sorted => {
            o.int_nonzero("advmss", r.adv_mss, true);
            o.ipnet("dst", &r.dst);
            o.ip_opt("gw", &r.gw);
            o.int_nonzero("mtu", r.mtu, true);
            o.int_nonzero("priority", r.priority, true);
            o.int_opt("scope", r.scope, true);
            o.int_opt("table", r.table, true);
        }
    }
    o.end();
}

/// Write `"dns":{...}`: 0.x results always have it, 1.x only when set.
pub(crate) fn write_dns(o: &mut ObjWriter<'_>, d: &Dns, shape: Shape) {
    if shape == Shape::Sorted && d.is_empty() {
        return;
    }
    let mut w = ObjWriter::new(o.key("dns"));
    match shape {
        Shape::Struct => {
            w.strings_nonempty("nameservers", &d.nameservers);
            w.str_nonempty("domain", &d.domain);
            w.strings_nonempty("search", &d.search);
            w.strings_nonempty("options", &d.options);
        }
        Shape::Sorted => {
            w.str_nonempty("domain", &d.domain);
            w.strings_nonempty("nameservers", &d.nameservers);
            w.strings_nonempty("options", &d.options);
            w.strings_nonempty("search", &d.search);
        }
    }
    w.end();
}

/// Decode `types.DNS` into `out` (merging, as Go does for structs).
pub(crate) fn decode_dns(d: &mut Decoder, v: &Value, out: &mut Dns) -> Hard {
    d.object(
        v,
        "DNS",
        "types.DNS",
        &["nameservers", "domain", "search", "options"],
        |d, f, v| {
            match f {
                "nameservers" => d.strings(v, "[]string", &mut out.nameservers),
                "domain" => d.string(v, &mut out.domain),
                "search" => d.strings(v, "[]string", &mut out.search),
                _ => d.strings(v, "[]string", &mut out.options),
            }
            Ok(())
        },
    )
}

/// Decode a CIDR field (upstream `types.IPNet.UnmarshalJSON`).
pub(crate) fn decode_ipnet(d: &mut Decoder, v: &Value, out: &mut IpNet) -> Hard {
    let s: String = d.nested(v, |d, v, s: &mut String| {
        d.string(v, s);
        Ok(())
    })?;
    *out = IpNet::parse(&s).map_err(DecodeError::Other)?;
    Ok(())
}

/// Decode a `net.IP` field (a text unmarshaler: `null` and `""` clear it).
pub(crate) fn decode_ip(d: &mut Decoder, v: &Value, out: &mut Option<GoIp>) -> Hard {
    match v {
        Value::Null => *out = None,
        Value::String(s) if s.is_empty() => *out = None,
        Value::String(s) => {
            let ip = GoIp::parse(s)
                .ok_or_else(|| DecodeError::Other(format!("invalid IP address: {s}")))?;
            *out = Some(ip);
        }
        other => d.type_error(other, "net.IP"),
    }
    Ok(())
}

/// Decode one route (upstream `types.Route.UnmarshalJSON`: always fresh).
pub(crate) fn decode_route(d: &mut Decoder, v: &Value, out: &mut Route) -> Hard {
    *out = d.nested(v, |d, v, r: &mut Route| {
        d.object(
            v,
            "route",
            "types.route",
            &["dst", "gw", "mtu", "advmss", "priority", "table", "scope"],
            |d, f, v| {
                match f {
                    "dst" => return decode_ipnet(d, v, &mut r.dst),
                    "gw" => return decode_ip(d, v, &mut r.gw),
                    "mtu" => d.int(v, &mut r.mtu),
                    "advmss" => d.int(v, &mut r.adv_mss),
                    "priority" => d.int(v, &mut r.priority),
                    "table" => d.opt_int(v, &mut r.table),
                    _ => d.opt_int(v, &mut r.scope),
                }
                Ok(())
            },
        )
    })?;
    Ok(())
}

/// Decode a list of pointers (`[]*T` upstream). A `null` entry would be a
/// nil pointer upstream, which its converters cannot handle; we refuse it.
pub(crate) fn decode_ptr_list<T: Default>(
    d: &mut Decoder,
    v: &Value,
    go_type: &'static str,
    out: &mut Vec<T>,
    elem: impl Fn(&mut Decoder, &Value, &mut T) -> Hard,
) -> Hard {
    d.slice(v, go_type, out, |d, item, slot| {
        if let Value::Null = item {
            return Err(DecodeError::Other(
                "null entries in result lists are not supported".into(),
            ));
        }
        elem(d, item, slot)
    })
}
