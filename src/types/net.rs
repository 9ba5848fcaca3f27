//! IP addresses and CIDRs that parse and print like Go's `net.IP` and
//! `net.IPNet` as upstream CNI uses them.
//!
//! Go parses every address into 16 bytes (IPv4 as `::ffff:a.b.c.d`) and
//! prints any IPv4-mapped address in dotted form. Upstream's CIDR parser
//! keeps the host address (`10.1.2.3/24` stays `10.1.2.3/24`) and an IPv4
//! CIDR has a 4-byte mask while an IPv6 one has 16 bytes, which decides how
//! an IPv4-mapped IPv6 CIDR prints (`::ffff:10.1.2.3/120` → `10.1.2.3/24`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An IP address held the way Go's `net.IP` holds a parsed one (16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoIp([u8; 16]);

impl GoIp {
    /// Parse like Go's `net.ParseIP` (no zones, no leading zeros in IPv4).
    pub fn parse(s: &str) -> Option<GoIp> {
        parse_addr(s).map(GoIp)
    }

    /// The address as a standard library value (IPv4-mapped addresses come
    /// back as IPv4).
    pub fn addr(&self) -> IpAddr {
        match self.to4() {
            Some(v4) => IpAddr::V4(Ipv4Addr::from(v4)),
            None => IpAddr::V6(Ipv6Addr::from(self.0)),
        }
    }

    /// Whether the address is IPv4 (Go's `To4() != nil`).
    pub fn is_ipv4(&self) -> bool {
        self.to4().is_some()
    }

    fn to4(&self) -> Option<[u8; 4]> {
        let b = &self.0;
        if b[..10].iter().all(|x| *x == 0) && b[10] == 0xff && b[11] == 0xff {
            Some([b[12], b[13], b[14], b[15]])
        } else {
            None
        }
    }
}

impl From<IpAddr> for GoIp {
    fn from(a: IpAddr) -> Self {
        match a {
            IpAddr::V4(v4) => GoIp(v4.to_ipv6_mapped().octets()),
            IpAddr::V6(v6) => GoIp(v6.octets()),
        }
    }
}

impl GoIp {
    /// Append the address as it prints (`Display`), without formatting
    /// machinery for the usual IPv4 case.
    pub(crate) fn push_to(&self, out: &mut String) {
        match self.to4() {
            Some(v4) => push_v4(out, v4),
            None => out.push_str(&format_v6(&self.0)),
        }
    }
}

/// Append `a.b.c.d`.
fn push_v4(out: &mut String, v4: [u8; 4]) {
    for (i, b) in v4.into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if b >= 100 {
            out.push(char::from(b'0' + b / 100));
        }
        if b >= 10 {
            out.push(char::from(b'0' + b / 10 % 10));
        }
        out.push(char::from(b'0' + b % 10));
    }
}

impl fmt::Display for GoIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to4() {
            Some(v4) => write!(f, "{}", Ipv4Addr::from(v4)),
            None => f.write_str(&format_v6(&self.0)),
        }
    }
}

/// A CIDR as upstream's `types.ParseCIDR` returns it: host address plus
/// prefix. The default value is Go's zero `net.IPNet`, which prints as
/// `<nil>` (what upstream prints for a route without `dst`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IpNet {
    inner: Option<NetInner>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct NetInner {
    ip: GoIp,
    prefix: u8,
    /// Go's mask length in bytes: 4 for an IPv4 literal, 16 for IPv6.
    v4_mask: bool,
}

impl IpNet {
    /// Parse like upstream's `types.ParseCIDR`; the error is Go's text
    /// (`invalid CIDR address: ...`).
    pub fn parse(s: &str) -> Result<IpNet, String> {
        let bad = || format!("invalid CIDR address: {s}");
        let (addr, mask) = s.split_once('/').ok_or_else(bad)?;
        let v4 = addr_is_v4_literal(addr);
        let ip = parse_addr(addr).ok_or_else(bad)?;
        let bits = if v4 { 32 } else { 128 };
        // Go's dtoi: decimal digits only (leading zeros allowed).
        if mask.is_empty() || mask.len() > 8 || !mask.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: u32 = mask.parse().map_err(|_| bad())?;
        if n > bits {
            return Err(bad());
        }
        Ok(IpNet {
            inner: Some(NetInner {
                ip: GoIp(ip),
                prefix: n as u8,
                v4_mask: v4,
            }),
        })
    }

    /// Build from an address and prefix length (host bits are kept).
    pub fn new(addr: IpAddr, prefix: u8) -> Option<IpNet> {
        let v4 = addr.is_ipv4();
        if prefix > if v4 { 32 } else { 128 } {
            return None;
        }
        Some(IpNet {
            inner: Some(NetInner {
                ip: GoIp::from(addr),
                prefix,
                v4_mask: v4,
            }),
        })
    }

    /// The address, unless this is the zero value.
    pub fn ip(&self) -> Option<GoIp> {
        self.inner.map(|n| n.ip)
    }

    /// The prefix length as written, unless this is the zero value.
    pub fn prefix_len(&self) -> Option<u8> {
        self.inner.map(|n| n.prefix)
    }

    /// Whether the address is IPv4 (Go's `IP.To4() != nil`); false for the
    /// zero value.
    pub fn is_ipv4(&self) -> bool {
        self.inner.is_some_and(|n| n.ip.is_ipv4())
    }

    /// Whether this is the zero value (no address).
    pub fn is_unset(&self) -> bool {
        self.inner.is_none()
    }
}

impl IpNet {
    /// Append the CIDR as it prints (`Display`); `None` (nothing appended)
    /// for the zero value, which prints as `<nil>`.
    pub(crate) fn push_to(&self, out: &mut String) -> Option<()> {
        let n = self.inner?;
        n.ip.push_to(out);
        out.push('/');
        let prefix = n.shown_prefix();
        if prefix >= 100 {
            out.push(char::from(b'0' + prefix / 100));
        }
        if prefix >= 10 {
            out.push(char::from(b'0' + prefix / 10 % 10));
        }
        out.push(char::from(b'0' + prefix % 10));
        Some(())
    }
}

impl NetInner {
    /// The prefix length as Go prints it: a 16-byte mask on an
    /// IPv4-mapped address keeps only its last four bytes.
    fn shown_prefix(&self) -> u8 {
        match (self.ip.is_ipv4(), self.v4_mask) {
            (true, false) => self.prefix.saturating_sub(96),
            _ => self.prefix,
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(n) = self.inner else {
            return f.write_str("<nil>");
        };
        write!(f, "{}/{}", n.ip, n.shown_prefix())
    }
}

/// netip.ParseAddr decides the family by the first '.', ':' or '%'.
fn addr_is_v4_literal(s: &str) -> bool {
    s.bytes()
        .find(|b| matches!(b, b'.' | b':' | b'%'))
        .is_some_and(|b| b == b'.')
}

/// Go's `netip.ParseAddr` followed by `As16`, rejecting zones.
fn parse_addr(s: &str) -> Option<[u8; 16]> {
    match s.bytes().find(|b| matches!(b, b'.' | b':' | b'%'))? {
        b'.' => {
            let v4 = parse_v4(s)?;
            Some(Ipv4Addr::from(v4).to_ipv6_mapped().octets())
        }
        b':' => parse_v6(s),
        _ => None,
    }
}

/// Dotted decimal, four parts of one to three digits, each at most 255 and
/// without a leading zero (Go's rules since 1.17), in one pass.
fn parse_v4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let (mut done, mut value, mut digits) = (0, 0u32, 0);
    for &b in s.as_bytes() {
        match b {
            b'0'..=b'9' => {
                if digits == 3 || (digits == 1 && value == 0) {
                    return None;
                }
                value = value * 10 + u32::from(b - b'0');
                digits += 1;
            }
            b'.' if done < 3 && digits > 0 && value <= 255 => {
                out[done] = value as u8;
                (done, value, digits) = (done + 1, 0, 0);
            }
            _ => return None,
        }
    }
    if done != 3 || digits == 0 || value > 255 {
        return None;
    }
    out[3] = value as u8;
    Some(out)
}

fn parse_v6(s: &str) -> Option<[u8; 16]> {
    if s.contains('%') {
        // Either an empty zone (an error) or a zone, which Go's ParseIP
        // and ParseCIDR refuse.
        return None;
    }
    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    let mut rest = s;
    if let Some(r) = rest.strip_prefix("::") {
        ellipsis = Some(0);
        rest = r;
        if rest.is_empty() {
            return Some(ip);
        }
    }
    let mut i = 0;
    while i < 16 {
        let digits = rest.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits == 0 || digits > 4 {
            return None;
        }
        if rest.as_bytes().get(digits) == Some(&b'.') {
            if (ellipsis.is_none() && i != 12) || i + 4 > 16 {
                return None;
            }
            let v4 = parse_v4(rest)?;
            ip[i..i + 4].copy_from_slice(&v4);
            rest = "";
            i += 4;
            break;
        }
        let acc = u16::from_str_radix(&rest[..digits], 16).ok()?;
        ip[i..i + 2].copy_from_slice(&acc.to_be_bytes());
        i += 2;
        rest = &rest[digits..];
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix(':')?;
        if rest.is_empty() {
            return None;
        }
        if let Some(r) = rest.strip_prefix(':') {
            if ellipsis.is_some() {
                return None;
            }
            ellipsis = Some(i);
            rest = r;
            if rest.is_empty() {
                break;
            }
        }
    }
    if !rest.is_empty() {
        return None;
    }
    if i < 16 {
        let e = ellipsis?;
        let n = 16 - i;
        ip.copy_within(e..i, e + n);
        ip[e..e + n].fill(0);
    } else if ellipsis.is_some() {
        return None;
    }
    Some(ip)
}

/// RFC 5952 text, as Go's netip prints a non-mapped IPv6 address.
fn format_v6(b: &[u8; 16]) -> String {
    let groups: Vec<u16> = (0..8)
        .map(|k| u16::from_be_bytes([b[2 * k], b[2 * k + 1]]))
        .collect();
    // Longest run of at least two zero groups (first on ties).
    let (mut best, mut best_len) = (usize::MAX, 1);
    let mut k = 0;
    while k < 8 {
        if groups[k] == 0 {
            let start = k;
            while k < 8 && groups[k] == 0 {
                k += 1;
            }
            if k - start > best_len {
                best = start;
                best_len = k - start;
            }
        } else {
            k += 1;
        }
    }
    let mut out = String::new();
    let mut k = 0;
    while k < 8 {
        if k == best {
            out.push_str("::");
            k += best_len;
            continue;
        }
        if k > 0 && !out.ends_with(':') {
            out.push(':');
        }
        out.push_str(&format!("{:x}", groups[k]));
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `push_to` appends what `Display` prints, for addresses and CIDRs
    /// of both families, every octet width and prefix length, IPv4-mapped
    /// ones with either mask, and the zero CIDR.
    #[test]
    fn push_to_appends_what_display_prints() {
        let mut texts = vec![
            "0.0.0.0/0".to_string(),
            "255.255.255.255/32".into(),
            "::/0".into(),
            "2001:db8::1/64".into(),
            "::ffff:10.1.2.3/120".into(),
            "::ffff:10.1.2.3/96".into(),
            "fe80::1:2:3:4/128".into(),
        ];
        for b in [0u8, 1, 9, 10, 99, 100, 199, 200, 255] {
            for p in [0, 1, 9, 10, 24, 31, 32] {
                texts.push(format!("{b}.{}.1.{b}/{p}", 255 - b));
            }
        }
        for t in &texts {
            let net = IpNet::parse(t).unwrap();
            let mut out = String::from("x");
            net.push_to(&mut out).unwrap();
            assert_eq!(out, format!("x{net}"), "{t}");
            let ip = GoIp::parse(t.split('/').next().unwrap()).unwrap();
            let mut out = String::new();
            ip.push_to(&mut out);
            assert_eq!(out, ip.to_string(), "{t}");
        }
        let mut out = String::new();
        assert!(IpNet::default().push_to(&mut out).is_none());
        assert_eq!(out, "");
    }

    fn cidr(s: &str) -> String {
        IpNet::parse(s).map(|n| n.to_string()).unwrap_or_else(|e| e)
    }

    #[test]
    fn cidrs_print_like_go() {
        assert_eq!(cidr("10.1.2.3/24"), "10.1.2.3/24");
        assert_eq!(cidr("::ffff:10.1.2.3/120"), "10.1.2.3/24");
        assert_eq!(cidr("::ffff:10.1.2.3/64"), "10.1.2.3/0");
        assert_eq!(cidr("2001:0DB8::0001/064"), "2001:db8::1/64");
        assert_eq!(cidr("::1.2.3.4/96"), "::102:304/96");
        assert_eq!(cidr("1:0:0:2:0:0:0:3/128"), "1:0:0:2::3/128");
        assert_eq!(cidr("1:0:2:3:4:5:6:7/1"), "1:0:2:3:4:5:6:7/1");
        assert_eq!(cidr("::/0"), "::/0");
        assert_eq!(cidr("1::/16"), "1::/16");
        assert_eq!(IpNet::default().to_string(), "<nil>");
    }

    #[test]
    fn bad_cidrs_are_refused() {
        for s in [
            "10.0.0.1",
            "10.0.0.1/33",
            "010.0.0.1/8",
            "fe80::1%eth0/64",
            "1::2::3/64",
            "1:2:3:4:5:6:7:8:9/64",
            "10.0.0.1/",
            "10.0.0.1/+1",
            "::1.2.3/96",
            "1:2:3:4:5:6:7::8/64",
            "12345::/16",
        ] {
            assert_eq!(cidr(s), format!("invalid CIDR address: {s}"), "{s}");
        }
    }

    /// The one-pass IPv4 reader answers as the rules read part by part do
    /// (Go's: four parts, each one to three digits, at most 255, no
    /// leading zero), over every way of joining up to five such parts.
    #[test]
    fn ipv4_reader_matches_the_rules_part_by_part() {
        fn by_parts(s: &str) -> Option<[u8; 4]> {
            let parts: Vec<&str> = s.split('.').collect();
            if parts.len() != 4 {
                return None;
            }
            let mut out = [0u8; 4];
            for (o, p) in out.iter_mut().zip(parts) {
                let digits = !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
                if !digits || (p.len() > 1 && p.starts_with('0')) {
                    return None;
                }
                *o = p.parse().ok()?;
            }
            Some(out)
        }
        let parts = [
            "", "0", "00", "01", "1", "9", "10", "99", "100", "199", "255", "256", "999", "1000",
            "a", "-1", "+1", " 1",
        ];
        let mut texts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
        let mut checked = 0;
        for _ in 1..5 {
            let mut next = Vec::new();
            for t in &texts {
                for p in parts {
                    next.push(format!("{t}.{p}"));
                }
            }
            for t in &next {
                assert_eq!(parse_v4(t), by_parts(t), "{t:?}");
            }
            checked += next.len();
            texts = next;
        }
        assert!(checked > 1_000_000);
        assert_eq!(parse_v4("255.0.10.199"), Some([255, 0, 10, 199]));
    }
}
