//! The direct reading of a cache entry's result against the general path
//! (`Record::decode`, then `Record::result_as`, or the legacy reading, as
//! `read_result` does): the same result for every entry it takes, and it
//! takes no entry the general path reads otherwise.

use super::cached_result;
use crate::libcni::record::{
    convert_cached, legacy_result_as, NewRecord, Record, CNI_CACHE_V1, FIELDS,
};
use crate::test_rng::below;
use crate::types::CniResult;

/// The general path's answer for `entry` in `version`, as text.
fn general(entry: &[u8], version: &str) -> String {
    let r = match Record::decode(entry) {
        Ok(r) if r.kind == CNI_CACHE_V1 => r.result_as(version),
        _ => legacy_result_as(entry, version),
    };
    format!("{r:?}")
}

/// `entry` taken directly only as the general path takes it, in every
/// version a list may have.
fn agrees(entry: &[u8]) -> bool {
    let Some(direct) = cached_result(entry) else {
        return false;
    };
    for version in ["1.1.0", "1.0.0", "0.4.0", "0.3.1", "0.2.0"] {
        let ours = format!("{:?}", convert_cached(&direct, version));
        let text = String::from_utf8_lossy(entry);
        assert_eq!(ours, general(entry, version), "{text} in {version}");
    }
    true
}

/// Results of every shape a 1.x plugin writes, and some that are not 1.x.
const RESULTS: &[&str] = &[
    r#"{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","mtu":1500,"sandbox":"/ns","socketPath":"/s","pciID":"0000:00:01.0"},{"name":"lo"}],"ips":[{"interface":0,"address":"10.0.0.2/24","gateway":"10.0.0.1"},{"address":"2001:db8::2/64"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.0.0.1","mtu":9000,"advmss":1460,"priority":100,"table":254,"scope":0},{"dst":"::/0"}],"dns":{"nameservers":["10.0.0.53"],"domain":"d.example","search":["a","b"],"options":["ndots:5"]}}"#,
    r#"{"cniVersion":"1.0.0"}"#,
    r#"{"cniVersion":"1.0.0","dns":{"domain":"d<&>"}}"#,
    r#"{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/x"}],"ips":[{"interface":0,"address":"10.1.2.3/16"}],"dns":{}}"#,
    r#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","interface":12345678901}]}"#,
    r#"{"cniVersion":"1.1.0","dns":{"domain":"ünï"}}"#,
    r#"{"cniVersion":"0.4.0","interfaces":[{"name":"e","mac":"m"}],"ips":[{"version":"4","address":"10.0.0.2/24","interface":0}]}"#,
    r#"{"cniVersion":"0.3.1","ips":[{"version":"6","address":"::1/128"}]}"#,
];

/// A cache entry as this library writes it, of generated parts.
fn entry(next: &mut impl FnMut(usize) -> usize) -> Vec<u8> {
    let result = CniResult::from_json(RESULTS[next(RESULTS.len())].as_bytes()).unwrap();
    let ids = ["c1", "ctr-0123456789abcdef", "x.y_z-1"];
    let netns = ["", "/var/run/netns/n", "/proc/1/ns/net"];
    let args: Vec<(String, String)> = (0..next(3))
        .map(|i| (format!("K{i}"), ["V", "", "a=b"][next(3)].to_string()))
        .collect();
    let mut caps = serde_json::Map::new();
    if next(4) == 0 {
        caps.insert("portMappings".into(), serde_json::json!([{"hostPort": 80}]));
    }
    let config: Vec<u8> = (0..next(40)).map(|_| next(256) as u8).collect();
    NewRecord {
        container_id: ids[next(ids.len())],
        config: &config,
        if_name: ["eth0", "net1"][next(2)],
        network_name: "benchnet",
        netns: netns[next(netns.len())],
        cni_args: &args,
        capability_args: &caps,
        result: (next(8) != 0).then_some(&result),
    }
    .encode()
}

#[test]
fn every_entry_it_takes_the_general_path_reads_the_same() {
    let mut next = below(0xcace);
    let mut taken = 0;
    for _ in 0..1500 {
        taken += usize::from(agrees(&entry(&mut next)));
    }
    // Both ways are exercised: 1.x results without capability arguments
    // are taken, the others are not.
    assert!((400..1300).contains(&taken), "{taken} of 1500 taken");
}

#[test]
fn it_takes_an_entry_written_for_a_1x_result() {
    let result = CniResult::from_json(RESULTS[0].as_bytes()).unwrap();
    let record = NewRecord {
        container_id: "c",
        config: br#"{"cniVersion":"1.1.0","name":"n","plugins":[{"type":"bridge"}]}"#,
        if_name: "eth0",
        network_name: "n",
        netns: "/var/run/netns/n",
        cni_args: &[("K".into(), "V".into())],
        capability_args: &serde_json::Map::new(),
        result: Some(&result),
    };
    let bytes = record.encode();
    assert_eq!(cached_result(&bytes), Some(result));
    assert!(agrees(&bytes));
}

#[test]
fn every_cut_and_every_changed_byte_of_an_entry() {
    let mut next = below(7);
    let bytes = (0..1000)
        .map(|_| entry(&mut next))
        .find(|e| cached_result(e).is_some() && e.len() > 400)
        .expect("a long entry in the form");
    for end in 0..bytes.len() {
        assert!(!agrees(&bytes[..end]), "a cut taken");
    }
    let mut b = bytes.clone();
    for i in 0..b.len() {
        let was = b[i];
        for c in [
            b'"', b'\\', b',', b':', b'[', b']', b'{', b'}', b' ', b'=', b'A', b'0', 0x01, 0xC3,
        ] {
            b[i] = c;
            agrees(&b);
        }
        b[i] = was;
    }
}

#[test]
fn entries_outside_the_form_go_the_general_way() {
    let result = r#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"}]}"#;
    let with = |members: &str| format!("{{{members}}}").into_bytes();
    let base = format!(
        r#""kind":"cniCacheV1","containerId":"c","config":"e30=","ifName":"eth0","networkName":"n","result":{result}"#
    );
    assert!(agrees(&with(&base)), "the form itself");
    let shuffled = format!(
        r#" "result" : {result} , "networkName":"n","ifName":"eth0","config":"e30=","containerId":"c","kind":"cniCacheV1" "#
    );
    assert!(agrees(&with(&shuffled)), "any order, any whitespace");
    for members in [
        base.replace(r#""kind":"cniCacheV1","#, ""),
        base.replace("cniCacheV1", "cniCacheV2"),
        base.replace(r#""kind""#, r#""Kind""#),
        base.replace(r#""config":"e30=""#, r#""config":"e30""#),
        base.replace(r#""config":"e30=""#, r#""config":null"#),
        base.replace(r#""config":"e30=""#, r#""config":"e3\u0030=""#),
        base.replace(
            r#""containerId":"c""#,
            r#""containerId":"c","containerId":"d""#,
        ),
        base.replace(
            r#""ifName":"eth0""#,
            r#""ifName":"eth0","capabilityArgs":{}"#,
        ),
        base.replace(
            r#""ifName":"eth0""#,
            r#""ifName":"eth0","cniArgs":[["K","V","W"]]"#,
        ),
        base.replace(r#""ifName":"eth0""#, r#""ifName":"eth0","other":1"#),
        base.replace("1.0.0", "0.4.0"),
        base.replace(r#""cniVersion":"1.0.0","#, ""),
        base.replace(&format!(r#","result":{result}"#), ""),
        format!("{base}}} {{"),
    ] {
        let bytes = with(&members);
        assert_eq!(cached_result(&bytes), None, "{members}");
    }
    assert_eq!(cached_result(result.as_bytes()), None, "a legacy entry");
    assert_eq!(cached_result(b""), None);
}

#[test]
fn the_fields_are_read_by_their_index() {
    let at = |i: usize| FIELDS[i];
    assert_eq!(
        [at(0), at(2), at(6), at(7), at(8)],
        ["kind", "config", "cniArgs", "capabilityArgs", "result"]
    );
    assert_eq!(FIELDS.len(), 9);
}
