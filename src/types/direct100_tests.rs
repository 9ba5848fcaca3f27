//! The direct decoder against the general path (`fixup_result_version`
//! and `CniResult::create_parsed`, Go's decoding): the same result for
//! every document it takes, and it takes no document the general path
//! refuses or reads otherwise.

use super::decode;
use crate::exec::fixup_result_version;
use crate::test_rng::below;
use crate::types::CniResult;

/// What the general path makes of `doc` in a configuration of `conf`.
fn general(doc: &[u8], conf: &str) -> crate::Result<CniResult> {
    let (version, parsed) = fixup_result_version(conf.to_string(), doc)?;
    CniResult::create_parsed(&version, &parsed)
}

/// `doc` taken directly only as the general path takes it.
fn agrees(doc: &[u8], conf: &str) -> bool {
    let direct = decode(doc, conf);
    match (&direct, general(doc, conf)) {
        (Some(d), Ok(g)) => assert_eq!(*d, g, "{}", String::from_utf8_lossy(doc)),
        (Some(d), Err(e)) => panic!(
            "taken as {d:?}, refused by the general path ({e}): {}",
            String::from_utf8_lossy(doc)
        ),
        (None, _) => {}
    }
    direct.is_some()
}

/// A member's name and the writer of its value.
type Field<'n, G> = (&'n str, fn(&mut G) -> String);

/// Writes a generated document: members in a shuffled order, whitespace
/// here and there, zero values sometimes written out.
struct Gen<F: FnMut(usize) -> usize> {
    next: F,
}

impl<F: FnMut(usize) -> usize> Gen<F> {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next)(from.len())]
    }

    fn ws(&mut self) -> &'static str {
        self.pick(&["", "", "", " ", "\n  ", "\t", "\r\n"])
    }

    fn text(&mut self) -> String {
        let parts = [
            "eth0",
            "a",
            "-",
            "/var/run/netns/x",
            "é",
            "日本",
            " ",
            "<&>",
            "0a:58",
            ".",
        ];
        (0..(self.next)(4)).map(|_| self.pick(&parts)).collect()
    }

    fn string(&mut self) -> String {
        format!("\"{}\"", self.text())
    }

    fn int(&mut self) -> String {
        self.pick(&[
            "0",
            "1",
            "-1",
            "1500",
            "9000",
            "-9223372036854775808",
            "9223372036854775807",
        ])
        .to_string()
    }

    fn cidr(&mut self) -> String {
        let addrs = [
            "10.1.2.3",
            "192.168.0.1",
            "2001:db8::1",
            "::ffff:10.1.2.3",
            "fe80::",
            "0.0.0.0",
        ];
        let addr = self.pick(&addrs);
        let prefix = if addr.contains(':') {
            (self.next)(129)
        } else {
            (self.next)(33)
        };
        format!("\"{addr}/{prefix}\"")
    }

    fn ip(&mut self) -> String {
        format!(
            "\"{}\"",
            self.pick(&["", "10.1.2.1", "2001:db8::ff", "::ffff:1.2.3.4", "::"])
        )
    }

    /// An object of some of `fields` (name and value writer), shuffled.
    fn object(&mut self, fields: &mut [Field<'_, Self>]) -> String {
        for i in (1..fields.len()).rev() {
            fields.swap(i, (self.next)(i + 1));
        }
        let mut members = Vec::new();
        for (name, value) in fields.iter() {
            if (self.next)(3) > 0 {
                let (a, b, c) = (self.ws(), self.ws(), self.ws());
                members.push(format!("{a}\"{name}\"{b}:{c}{}", value(self)));
            }
        }
        format!("{{{}{}}}", members.join(","), self.ws())
    }

    fn list(&mut self, elem: fn(&mut Self) -> String) -> String {
        let items: Vec<String> = (0..(self.next)(4)).map(|_| elem(self)).collect();
        format!("[{}{}]", items.join(&format!(",{}", self.ws())), self.ws())
    }

    fn interface(&mut self) -> String {
        self.object(&mut [
            ("name", Self::string),
            ("mac", Self::string),
            ("mtu", Self::int),
            ("sandbox", Self::string),
            ("socketPath", Self::string),
            ("pciID", Self::string),
        ])
    }

    fn ip_config(&mut self) -> String {
        self.object(&mut [
            ("interface", Self::int),
            ("address", Self::cidr),
            ("gateway", Self::ip),
        ])
    }

    fn route(&mut self) -> String {
        self.object(&mut [
            ("dst", Self::cidr),
            ("gw", Self::ip),
            ("mtu", Self::int),
            ("advmss", Self::int),
            ("priority", Self::int),
            ("table", Self::int),
            ("scope", Self::int),
        ])
    }

    fn strings(&mut self) -> String {
        self.list(Self::string)
    }

    fn dns(&mut self) -> String {
        self.object(&mut [
            ("nameservers", Self::strings),
            ("domain", Self::string),
            ("search", Self::strings),
            ("options", Self::strings),
        ])
    }

    fn version(&mut self) -> String {
        format!(
            "\"{}\"",
            self.pick(&["1.0.0", "1.1.0", "1.0.0", "1.1.0", ""])
        )
    }

    fn result(&mut self) -> String {
        let doc = self.object(&mut [
            ("cniVersion", Self::version),
            ("interfaces", |g| g.list(Self::interface)),
            ("ips", |g| g.list(Self::ip_config)),
            ("routes", |g| g.list(Self::route)),
            ("dns", Self::dns),
        ]);
        format!("{}{doc}{}", self.ws(), self.ws())
    }
}

/// Generated documents of the plugins' form are all taken directly, with
/// the general path's result; those left to the configuration's version
/// only when it is 1.x.
#[test]
fn generated_results_decode_as_the_general_path_decodes_them() {
    let mut g = Gen {
        next: below(0x05ee_d100),
    };
    let mut taken = 0;
    for _ in 0..3000 {
        let doc = g.result();
        let conf = g.pick(&["1.0.0", "1.1.0", "0.4.0"]);
        let versioned = doc.contains("\"cniVersion\"") && !doc.contains("\"cniVersion\":\"\"");
        let own = doc.contains("\"1.0.0\"") || doc.contains("\"1.1.0\"");
        let took = agrees(doc.as_bytes(), conf);
        assert_eq!(
            took,
            conf != "0.4.0" || own,
            "conf {conf}, versioned {versioned}: {doc}"
        );
        taken += usize::from(took);
    }
    assert!(taken > 2000, "only {taken} taken directly");
}

/// The result the benchmark's plugin writes, and every document a byte
/// away from it or cut short: taken directly only as the general path
/// takes it.
#[test]
fn near_misses_are_left_to_the_general_path() {
    let base = concat!(
        r#"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"0a:58:0a:01:02:03","#,
        r#""sandbox":"/var/run/netns/bench","mtu":1500}],"ips":[{"address":"10.1.2.3/24","#,
        r#""gateway":"10.1.2.1","interface":0}],"routes":[{"dst":"0.0.0.0/0","table":100}],"#,
        r#""dns":{"nameservers":["10.1.2.1"],"search":["a"],"options":[],"domain":"d"}}"#
    );
    assert!(agrees(base.as_bytes(), "1.0.0"));
    for cut in 0..base.len() {
        assert!(
            !agrees(&base.as_bytes()[..cut], "1.0.0"),
            "taken cut at {cut}"
        );
    }
    let swaps: &[u8] = b" \"\\{}[],:0-.eE+nx\x01\xff\xc3";
    for at in 0..base.len() {
        for &b in swaps {
            let mut doc = base.as_bytes().to_vec();
            doc[at] = b;
            agrees(&doc, "1.0.0");
            doc.insert(at, b);
            agrees(&doc, "1.0.0");
        }
    }
}

/// Forms the general path reads its own way (case-folded or repeated
/// keys, `null`, escapes, numbers Go's `int` refuses, other versions):
/// none is taken directly.
#[test]
fn other_forms_are_not_taken() {
    let docs = [
        r#"{"cniVersion":"1.0.0","IPS":[]}"#,
        r#"{"cniVersion":"1.0.0","ips":[],"ips":[{"address":"10.0.0.1/8"}]}"#,
        r#"{"cniVersion":"1.0.0","cniVersion":"1.1.0"}"#,
        r#"{"cniVersion":"1.0.0","dns":null}"#,
        r#"{"cniVersion":"1.0.0","interfaces":[null]}"#,
        r#"{"cniVersion":"1.0.0","interfaces":[{"name":"eth\u0030"}]}"#,
        r#"{"cniVersion":"1.0.0","interfaces":[{"mtu":1.0}]}"#,
        r#"{"cniVersion":"1.0.0","interfaces":[{"mtu":1e3}]}"#,
        r#"{"cniVersion":"1.0.0","interfaces":[{"mtu":01}]}"#,
        r#"{"cniVersion":"1.0.0","interfaces":[{"mtu":9223372036854775808}]}"#,
        r#"{"cniVersion":"1.0.0","routes":[{"dst":"10.0.0.0/33"}]}"#,
        r#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.1/8","gateway":"x"}]}"#,
        r#"{"cniVersion":"1.0.0","extra":1}"#,
        r#"{"cniVersion":"0.4.0","ips":[]}"#,
        r#"{"cniVersion":"2.0.0"}"#,
        r#"{"cniVersion":1}"#,
        r#"{"cniVersion":"1.0.0"} {}"#,
        r#"null"#,
    ];
    for doc in docs {
        assert!(!agrees(doc.as_bytes(), "1.0.0"), "taken: {doc}");
    }
    let not_utf8 = b"{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"\xff\"}]}";
    assert!(!agrees(not_utf8, "1.0.0"), "a name that is not UTF-8");
    assert!(
        !agrees(b"{}", "0.4.0"),
        "a 0.4.0 configuration's empty result"
    );
    assert!(agrees(b"{}", "1.1.0"));
    assert!(agrees(br#"{"cniVersion":""}"#, "1.0.0"));
}
