//! Checks the result layer against what upstream Go (cni v1.3.0) does, as
//! recorded by tests/gen-fixtures in tests/fixtures/results/manifest.json.

use cniinvoke::types::{self, CniError, CniResult, ALL_VERSIONS};
use cniinvoke::version::{self, PluginInfo};
use cniinvoke::Error;
use serde_json::Value;

fn manifest() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/results/manifest.json"
    );
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn input(case: &Value) -> Vec<u8> {
    if let Some(h) = case.get("input_hex").and_then(Value::as_str) {
        return (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect();
    }
    case.get("input")
        .and_then(Value::as_str)
        .unwrap_or("")
        .as_bytes()
        .to_vec()
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn check(what: &str, got: &cniinvoke::Result<CniResult>, want: &Value, pretty: bool) {
    match (got, s(want, "ok"), s(want, "err")) {
        (Ok(r), Some(ok), _) => {
            assert_eq!(r.to_json(), ok, "{what}: compact");
            if pretty {
                assert_eq!(
                    Some(r.to_json_pretty().as_str()),
                    s(want, "pretty"),
                    "{what}: pretty"
                );
            }
        }
        (Err(e), _, Some(err)) => assert_eq!(e.to_string(), err, "{what}: error"),
        (got, ok, err) => panic!("{what}: got {got:?}, want ok={ok:?} err={err:?}"),
    }
}

#[test]
fn results_match_go_byte_for_byte() {
    let m = manifest();
    let cases = m["results"].as_array().unwrap();
    assert!(cases.len() >= 15);
    let mut conversions = 0;
    for case in cases {
        let name = s(case, "name").unwrap();
        let json = input(case);
        let parsed = match s(case, "create").unwrap() {
            "auto" => CniResult::from_json(&json),
            v => CniResult::create(v, &json),
        };
        check(name, &parsed, &case["parsed"], true);
        let Ok(parsed) = parsed else { continue };
        assert_eq!(Some(parsed.cni_version()), s(case, "version"), "{name}");
        let empty = Vec::new();
        for conv in case["convert"].as_array().unwrap_or(&empty) {
            let target = s(conv, "target").unwrap_or("");
            let what = format!("{name} -> {target:?}");
            check(&what, &parsed.convert_to(target), conv, true);
            conversions += 1;
        }
        for conv in case["chain"].as_array().unwrap_or(&empty) {
            let target = s(conv, "target").unwrap_or("");
            let (a, b) = target.split_once('>').unwrap();
            let got = parsed.convert_to(a).and_then(|r| r.convert_to(b));
            check(&format!("{name} -> {target}"), &got, conv, false);
            conversions += 1;
        }
    }
    assert!(conversions > 500);
}

#[test]
fn unsupported_version_text_matches_go() {
    let m = manifest();
    let err = CniResult::create("0.5.0", br#"{"cniVersion":"0.5.0"}"#).unwrap_err();
    assert_eq!(err.to_string(), m["unsupported_version"].as_str().unwrap());
    assert!(matches!(err, Error::UnsupportedVersion(_)));
    let err = CniResult::from_json(br#"{"cniVersion":"9.9.9"}"#).unwrap_err();
    assert_eq!(
        err,
        Error::UnsupportedVersion("unsupported CNI result version \"9.9.9\"".into())
    );
}

#[test]
fn decode_version_matches_go() {
    for case in manifest()["decode_version"].as_array().unwrap() {
        let got = types::decode_version(&input(case));
        match (got, s(case, "ok"), s(case, "err")) {
            (Ok(v), Some(ok), _) => assert_eq!(v, ok),
            (Err(e), _, Some(err)) => {
                assert!(matches!(e, Error::Decode(_)));
                assert_eq!(e.to_string(), err)
            }
            (got, ok, err) => panic!("{case}: got {got:?}, want {ok:?} / {err:?}"),
        }
    }
}

#[test]
fn decode_version_basics() {
    assert_eq!(types::decode_version(b"{}").unwrap(), "0.1.0");
    assert_eq!(
        types::decode_version(br#"{"cniVersion":""}"#).unwrap(),
        "0.1.0"
    );
    assert_eq!(
        types::decode_version(br#"{"cniVersion":"1.0.0"}"#).unwrap(),
        "1.0.0"
    );
    let e = types::decode_version(b"{").unwrap_err().to_string();
    assert!(
        e.starts_with("decoding version from network config: "),
        "{e}"
    );
}

#[test]
fn plugin_info_matches_go() {
    let m = manifest();
    for case in m["plugin_info"].as_array().unwrap() {
        let got = PluginInfo::decode(&input(case));
        match (got, s(case, "ok"), s(case, "err")) {
            (Ok(info), Some(ok), _) => assert_eq!(info.to_json(), ok),
            (Err(e), _, Some(err)) => assert_eq!(e.to_string(), err),
            (got, ok, err) => panic!("{case}: got {got:?}, want {ok:?} / {err:?}"),
        }
    }
    assert_eq!(
        PluginInfo::legacy().to_json(),
        m["legacy"].as_str().unwrap()
    );
    assert_eq!(PluginInfo::all().to_json(), m["all"].as_str().unwrap());
}

#[test]
fn plugin_info_error_texts() {
    let text = |j: &[u8]| PluginInfo::decode(j).unwrap_err().to_string();
    assert_eq!(
        text(b"{}"),
        "decoding version info: missing field cniVersion"
    );
    assert_eq!(
        text(br#"{"cniVersion":"1.0.0"}"#),
        "decoding version info: missing field supportedVersions"
    );
    assert_eq!(
        text(b""),
        "decoding version info: unexpected end of JSON input"
    );
    let legacy = PluginInfo::decode(br#"{"cniVersion":"0.2.0"}"#).unwrap();
    assert_eq!(legacy.supported_versions(), ["0.1.0", "0.2.0"]);
    assert_eq!(legacy.cni_version(), "1.1.0");
    let info = PluginInfo::supports(&["0.4.0", "1.0.0"]);
    assert_eq!(info.cni_version(), version::current());
    assert_eq!(
        info.to_json(),
        r#"{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0"]}"#
    );
}

#[test]
fn version_comparisons_match_go() {
    for case in manifest()["versions"].as_array().unwrap() {
        let (a, b) = (s(case, "a").unwrap(), s(case, "b").unwrap());
        let parsed = match version::parse_version(a) {
            Ok((x, y, z)) => format!("{x}.{y}.{z}"),
            Err(e) => e.to_string(),
        };
        assert_eq!(Some(parsed.as_str()), s(case, "parse"), "parse {a:?}");
        match (version::greater_than_or_equal_to(a, b), s(case, "err")) {
            (Err(e), Some(err)) => assert_eq!(e.to_string(), err),
            (Ok(ge), None) => {
                assert_eq!(Some(ge), case["ge"].as_bool(), "{a} >= {b}");
                let gt = version::greater_than(a, b).unwrap();
                assert_eq!(Some(gt), case["gt"].as_bool(), "{a} > {b}");
            }
            (got, err) => panic!("{a} vs {b}: got {got:?}, want {err:?}"),
        }
    }
}

#[test]
fn cni_error_display_json_and_codes() {
    let e = CniError::new(types::ERR_IO_FAILURE, "boom", "");
    assert_eq!(e.to_string(), "boom");
    assert_eq!(e.to_json(), r#"{"code":5,"msg":"boom"}"#);
    let e = CniError::new(7, "bad <conf>", "field \"x\"");
    assert_eq!(e.to_string(), "bad <conf>; field \"x\"");
    assert_eq!(
        e.to_json(),
        r#"{"code":7,"msg":"bad \u003cconf\u003e","details":"field \"x\""}"#
    );
    assert_eq!(
        serde_json::to_string(&CniError::new(1, "m", "")).unwrap(),
        r#"{"code":1,"msg":"m"}"#
    );
    let lenient: CniError = serde_json::from_str(r#"{"msg":"only"}"#).unwrap();
    assert_eq!(lenient, CniError::new(0, "only", ""));
    let parsed = CniError::from_json(br#"{"CODE":11,"msg":"later","extra":[1]}"#).unwrap();
    assert_eq!(
        parsed,
        CniError::new(types::ERR_TRY_AGAIN_LATER, "later", "")
    );
    assert_eq!(CniError::from_json(b"{}").unwrap(), CniError::default());
    let codes = [
        (types::ERR_UNKNOWN, 0, "Unknown"),
        (
            types::ERR_INCOMPATIBLE_CNI_VERSION,
            1,
            "IncompatibleCNIVersion",
        ),
        (types::ERR_UNSUPPORTED_FIELD, 2, "UnsupportedField"),
        (types::ERR_UNKNOWN_CONTAINER, 3, "UnknownContainer"),
        (
            types::ERR_INVALID_ENVIRONMENT_VARIABLES,
            4,
            "InvalidEnvironmentVariables",
        ),
        (types::ERR_IO_FAILURE, 5, "IOFailure"),
        (types::ERR_DECODING_FAILURE, 6, "DecodingFailure"),
        (types::ERR_INVALID_NETWORK_CONFIG, 7, "InvalidNetworkConfig"),
        (types::ERR_INVALID_NET_NS, 8, "InvalidNetNS"),
        (types::ERR_TRY_AGAIN_LATER, 11, "TryAgainLater"),
        (types::ERR_PLUGIN_NOT_AVAILABLE, 50, "PluginNotAvailable"),
        (
            types::ERR_PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY,
            51,
            "PluginNotAvailableLimitedConnectivity",
        ),
        (types::ERR_INTERNAL, 999, "Internal"),
    ];
    for (c, n, name) in codes {
        assert_eq!(c, n);
        assert_eq!(CniError::new(c, "", "").code_name(), Some(name));
    }
    assert_eq!(types::code_name(9), None);
}

#[test]
fn round_trips_across_all_versions() {
    let full = br#"{"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mac":"aa:bb:cc:dd:ee:ff","sandbox":"/ns"}],
        "ips":[{"interface":0,"address":"10.0.0.2/24","gateway":"10.0.0.1"},{"interface":0,"address":"fd00::2/64"}],
        "routes":[{"dst":"0.0.0.0/0","gw":"10.0.0.1"},{"dst":"::/0"}],"dns":{"nameservers":["10.0.0.1"]}}"#;
    let r = CniResult::from_json(full).unwrap();
    for v in ALL_VERSIONS {
        let there = r.convert_to(v).unwrap();
        assert_eq!(there.cni_version(), v);
        // Printing and parsing back gives the same result.
        let again = CniResult::from_json(there.to_json().as_bytes()).unwrap();
        assert_eq!(again, there, "{v}");
        // Coming back keeps what every version can express.
        let back = there.convert_to("1.1.0").unwrap();
        assert_eq!(back.convert_to(v).unwrap(), there, "{v} -> 1.1.0 -> {v}");
    }
}

#[test]
fn conversion_errors() {
    let r = CniResult::from_json(br#"{"cniVersion":"1.0.0","interfaces":[{"name":"x"}]}"#).unwrap();
    let e = r.convert_to("0.2.0").unwrap_err();
    assert_eq!(e.to_string(), "cannot convert: no valid IP addresses");
    let e = r.convert_to("0.9.0").unwrap_err();
    assert_eq!(
        e,
        Error::UnsupportedVersion("no converter for CNI result version 1.0.0 to 0.9.0".into())
    );
}

#[test]
fn pretty_printing() {
    let r = CniResult::from_json(
        br#"{"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.0.0.2/24"}]}"#,
    )
    .unwrap();
    assert_eq!(
        r.to_json_pretty(),
        "{\n    \"cniVersion\": \"0.4.0\",\n    \"ips\": [\n        {\n            \"version\": \"4\",\n            \"address\": \"10.0.0.2/24\"\n        }\n    ],\n    \"dns\": {}\n}"
    );
}
