//! The configuration layer (upstream `libcni/conf.go`): every function,
//! with upstream's error texts asserted exactly and the error category of
//! each. Directory loading is in `libcni_conf_dirs.rs`; the byte-for-byte
//! comparison with upstream Go itself in `libcni_conf_diff.rs`.

use cniinvoke::libcni::{self, NetworkConfigList, PluginConfig};
use cniinvoke::{Error, Status};
use serde_json::json;

fn decode_err<T: std::fmt::Debug>(r: cniinvoke::Result<T>) -> String {
    match r {
        Err(Error::Decode(msg)) => msg,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn plugin_conf_fields_and_bytes() {
    let bytes = br#"{"cniVersion":"1.0.0","name":"n","type":"bridge","capabilities":{"portMappings":true,"mac":false},"x":1e400}"#;
    let c = libcni::network_plugin_conf_from_bytes(bytes).unwrap();
    assert_eq!(c.network.cni_version, "1.0.0");
    assert_eq!(c.network.name, "n");
    assert_eq!(c.network.type_, "bridge");
    assert_eq!(
        c.network.capabilities.into_iter().collect::<Vec<_>>(),
        [
            ("mac".to_string(), false),
            ("portMappings".to_string(), true)
        ]
    );
    // The bytes are kept as given; unknown keys are not decoded at all.
    assert_eq!(c.bytes, bytes);
    assert_eq!(libcni::conf_from_bytes(bytes).unwrap().bytes, bytes);
}

#[test]
fn plugin_conf_uses_go_field_matching() {
    let c = libcni::conf_from_bytes(br#"{"TYPE":"a","type":"b","Type":"c","NAME":"n"}"#).unwrap();
    assert_eq!(
        (c.network.type_.as_str(), c.network.name.as_str()),
        ("c", "n")
    );
    let c = libcni::conf_from_bytes(
        br#"{"type":"t","capabilities":{"a":true},"capabilities":{"b":true,"c":null}}"#,
    )
    .unwrap();
    assert_eq!(c.network.capabilities.len(), 3);
    assert!(!c.network.capabilities["c"]);
    let c =
        libcni::conf_from_bytes(br#"{"type":"t","capabilities":{"a":true},"capabilities":null}"#)
            .unwrap();
    assert!(c.network.capabilities.is_empty());
}

#[test]
fn plugin_conf_errors_are_upstreams() {
    let cases: &[(&[u8], &str)] = &[
        (b"", "unexpected end of JSON input"),
        (b"{", "unexpected end of JSON input"),
        (b"{\"type\":\"t\"} x", "invalid character 'x' after top-level value"),
        (br#"{"name":"n"}"#, "missing 'type'"),
        (br#"{"type":""}"#, "missing 'type'"),
        (b"null", "missing 'type'"),
        (b"[]", "json: cannot unmarshal array into Go value of type types.PluginConf"),
        (
            br#"{"type":1}"#,
            "json: cannot unmarshal number into Go struct field PluginConf.type of type string",
        ),
        (
            br#"{"type":"t","cniVersion":true}"#,
            "json: cannot unmarshal bool into Go struct field PluginConf.cniVersion of type string",
        ),
        (
            br#"{"type":"t","capabilities":[]}"#,
            "json: cannot unmarshal array into Go struct field PluginConf.capabilities of type map[string]bool",
        ),
        (
            br#"{"type":"t","capabilities":{"a":"yes"}}"#,
            "json: cannot unmarshal string into Go struct field PluginConf.capabilities of type bool",
        ),
        (
            br#"{"type":"t","ipam":{"type":1}}"#,
            "json: cannot unmarshal number into Go struct field IPAM.ipam.type of type string",
        ),
        (
            br#"{"type":"t","ipam":"x"}"#,
            "json: cannot unmarshal string into Go struct field PluginConf.ipam of type types.IPAM",
        ),
        (
            br#"{"type":"t","dns":{"search":[1]}}"#,
            "json: cannot unmarshal number into Go struct field DNS.dns.search of type string",
        ),
        (
            br#"{"type":"t","prevResult":[]}"#,
            "json: cannot unmarshal array into Go struct field PluginConf.prevResult of type map[string]interface {}",
        ),
        (
            br#"{"type":"t","prevResult":{"a":{"b":[-1e999]}}}"#,
            "json: cannot unmarshal number -1e999 into Go struct field PluginConf.prevResult of type float64",
        ),
        (
            br#"{"type":"t","cni.dev/valid-attachments":[{"ifname":2}]}"#,
            "json: cannot unmarshal number into Go struct field GCAttachment.cni.dev/valid-attachments.ifname of type string",
        ),
        (
            br#"{"type":"t","cni.dev/valid-attachments":"x"}"#,
            "json: cannot unmarshal string into Go struct field PluginConf.cni.dev/valid-attachments of type []types.GCAttachment",
        ),
        // The first type error in document order is the one reported.
        (
            br#"{"name":1,"type":2}"#,
            "json: cannot unmarshal number into Go struct field PluginConf.name of type string",
        ),
    ];
    for (input, want) in cases {
        let msg = decode_err(libcni::network_plugin_conf_from_bytes(input));
        assert_eq!(
            msg,
            format!("error parsing configuration: {want}"),
            "{input:?}"
        );
    }
}

fn list(text: &str) -> NetworkConfigList {
    libcni::network_conf_from_bytes(text.as_bytes()).unwrap()
}

fn list_err(text: &str) -> String {
    decode_err(libcni::conf_list_from_bytes(text.as_bytes()))
}

#[test]
fn list_fields_plugins_and_bytes() {
    let text = r#"{"name":"net","cniVersion":"1.0.0","disableCheck":true,"disableGC":"TRUE",
        "plugins":[{"type":"bridge","z":1.50,"a":"<&>","a":"last"},{"type":"tuning","capabilities":{"mac":true}}]}"#;
    let l = list(text);
    assert_eq!(l.name, "net");
    assert_eq!(l.cni_version, "1.0.0");
    assert!(l.disable_check && l.disable_gc && !l.load_only_inlined_plugins);
    assert_eq!(l.bytes, text.as_bytes());
    let types: Vec<&str> = l.plugins.iter().map(|p| p.network.type_.as_str()).collect();
    assert_eq!(types, ["bridge", "tuning"]);
    // Each plugin's bytes are Go's re-encoding: sorted keys, last duplicate,
    // float64 numbers, HTML escaping.
    assert_eq!(
        String::from_utf8(l.plugins[0].bytes.clone()).unwrap(),
        r#"{"a":"last","type":"bridge","z":1.5}"#
    );
    assert!(l.plugins[1].network.capabilities["mac"]);
    // Without `plugins` the list is returned empty (the file loader adds
    // sub-plugins or fails).
    assert!(list(r#"{"name":"n"}"#).plugins.is_empty());
    // A missing cniVersion stays empty.
    assert_eq!(list(r#"{"name":"n"}"#).cni_version, "");
}

#[test]
fn list_string_booleans() {
    for (v, want) in [
        ("true", true),
        ("false", false),
        ("\"true\"", true),
        ("\"FALSE\"", false),
        ("\"tRuE\"", true),
    ] {
        for key in ["disableCheck", "disableGC", "loadOnlyInlinedPlugins"] {
            let l = list(&format!(
                r#"{{"name":"n","{key}":{v},"plugins":[{{"type":"t"}}]}}"#
            ));
            let got = match key {
                "disableCheck" => l.disable_check,
                "disableGC" => l.disable_gc,
                _ => l.load_only_inlined_plugins,
            };
            assert_eq!(got, want, "{key}={v}");
        }
    }
    let p = r#""plugins":[{"type":"t"}]"#;
    let cases = [
        (
            r#""disableCheck":"yes""#,
            r#"invalid value "yes" for disableCheck"#,
        ),
        (
            r#""disableGC":"TRUE!""#,
            r#"invalid value "true!" for disableGC"#,
        ),
        (
            r#""loadOnlyInlinedPlugins":"""#,
            r#"invalid value "" for loadOnlyInlinedPlugins"#,
        ),
        (
            r#""disableCheck":"ΣΑΣ""#,
            r#"invalid value "σασ" for disableCheck"#,
        ),
        (
            r#""disableCheck":1"#,
            "invalid type float64 for disableCheck",
        ),
        (r#""disableGC":null"#, "invalid type <nil> for disableGC"),
        (
            r#""disableGC":[]"#,
            "invalid type []interface {} for disableGC",
        ),
        (
            r#""disableGC":{}"#,
            "invalid type map[string]interface {} for disableGC",
        ),
        // disableCheck is read first.
        (
            r#""disableGC":1,"disableCheck":"x""#,
            r#"invalid value "x" for disableCheck"#,
        ),
    ];
    for (member, want) in cases {
        assert_eq!(
            list_err(&format!(r#"{{"name":"n",{member},{p}}}"#)),
            format!("error parsing configuration list: {want}"),
            "{member}"
        );
    }
}

#[test]
fn list_cni_versions_selection() {
    let pick = |version: Option<&str>, versions: &str| {
        let v = version.map_or(String::new(), |v| format!(r#""cniVersion":"{v}","#));
        list(&format!(
            r#"{{"name":"n",{v}"cniVersions":{versions},"plugins":[{{"type":"t"}}]}}"#
        ))
        .cni_version
    };
    assert_eq!(pick(None, r#"["0.3.1","1.0.0","0.4.0"]"#), "1.0.0");
    // Versions newer than the library's 1.1.0 are skipped...
    assert_eq!(pick(None, r#"["1.0.0","1.2.0","2.0.0"]"#), "1.0.0");
    assert_eq!(pick(Some("9.9.9"), r#"["0.4.0"]"#), "0.4.0");
    // ...cniVersion takes part in the choice...
    assert_eq!(pick(Some("1.1.0"), r#"["0.4.0"]"#), "1.1.0");
    assert_eq!(pick(Some("0.3.1"), r#"["1.0.0"]"#), "1.0.0");
    // ...and with nothing usable it stays as it was.
    assert_eq!(pick(Some("1.0.0"), r#"["5.0.0"]"#), "1.0.0");
    assert_eq!(pick(None, r#"[]"#), "");
    // Versions compare numerically.
    assert_eq!(pick(None, r#"["0.10.0","0.9.0"]"#), "0.10.0");
    // Two spellings of one version: upstream's sort moves the later one
    // before the earlier, so the first listed wins.
    assert_eq!(pick(None, r#"["1.0","1.0.0"]"#), "1.0");
    assert_eq!(pick(None, r#"["1.0.0","1.0"]"#), "1.0.0");

    let err = |version: Option<&str>, versions: &str| {
        let v = version.map_or(String::new(), |v| format!(r#""cniVersion":"{v}","#));
        list_err(&format!(
            r#"{{"name":"n",{v}"cniVersions":{versions},"plugins":[{{"type":"t"}}]}}"#
        ))
    };
    let pre = "error parsing configuration list: ";
    assert_eq!(
        err(None, r#""1.0.0""#),
        format!("{pre}invalid type for cniVersions: []interface {{}}")
    );
    assert_eq!(
        err(None, "null"),
        format!("{pre}invalid type for cniVersions: []interface {{}}")
    );
    assert_eq!(
        err(None, r#"["1.0.0",1]"#),
        format!("{pre}invalid type for cniVersions index 1: float64")
    );
    assert_eq!(
        err(None, r#"["a.b"]"#),
        format!(
            r#"{pre}invalid cniVersions entry a.b at index 0: failed to convert major version part "a": strconv.Atoi: parsing "a": invalid syntax"#
        )
    );
    assert_eq!(
        err(None, r#"["1.0.0.0"]"#),
        format!(
            r#"{pre}invalid cniVersions entry 1.0.0.0 at index 0: invalid version "1.0.0.0": too many parts"#
        )
    );
    assert_eq!(
        err(Some("1.x"), r#"[]"#),
        format!(
            r#"{pre}invalid cniVersion 1.x: failed to convert minor version part "x": strconv.Atoi: parsing "x": invalid syntax"#
        )
    );
}

#[test]
fn list_errors_are_upstreams() {
    let p = r#""plugins":[{"type":"t"}]"#;
    let cases = [
        ("".to_string(), "unexpected end of JSON input"),
        (
            "[]".to_string(),
            "json: cannot unmarshal array into Go value of type map[string]interface {}",
        ),
        (
            r#""n""#.to_string(),
            "json: cannot unmarshal string into Go value of type map[string]interface {}",
        ),
        ("null".to_string(), "no name"),
        (format!("{{{p}}}"), "no name"),
        (format!(r#"{{"name":1,{p}}}"#), "invalid name type float64"),
        (format!(r#"{{"name":null,{p}}}"#), "invalid name type <nil>"),
        (
            format!(r#"{{"name":"n","cniVersion":1,{p}}}"#),
            "invalid cniVersion type float64",
        ),
        (
            format!(r#"{{"name":"n","cniVersion":[],{p}}}"#),
            "invalid cniVersion type []interface {}",
        ),
        (
            format!(r#"{{"name":"n","x":[1e400],{p}}}"#),
            "json: cannot unmarshal number 1e400 into Go value of type float64",
        ),
        (
            r#"{"name":"n","loadOnlyInlinedPlugins":true}"#.to_string(),
            "`loadOnlyInlinedPlugins` is true, and no 'plugins' key",
        ),
        (
            r#"{"name":"n","plugins":null}"#.to_string(),
            "invalid 'plugins' type <nil>",
        ),
        (
            r#"{"name":"n","plugins":{}}"#.to_string(),
            "invalid 'plugins' type map[string]interface {}",
        ),
        (
            r#"{"name":"n","plugins":[]}"#.to_string(),
            "no plugins in list",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(
            list_err(&text),
            format!("error parsing configuration list: {want}"),
            "{text}"
        );
    }
    let plugin_cases = [
        (r#"[{"type":"t"},{"name":"x"}]"#, "failed to parse plugin config 1: error parsing configuration: missing 'type'"),
        (r#"[null]"#, "failed to parse plugin config 0: error parsing configuration: missing 'type'"),
        (r#"[1]"#, "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal number into Go value of type types.PluginConf"),
        (r#"[{"type":"t","ipam":{"type":2}}]"#, "failed to parse plugin config 0: error parsing configuration: json: cannot unmarshal number into Go struct field IPAM.ipam.type of type string"),
    ];
    for (plugins, want) in plugin_cases {
        assert_eq!(
            list_err(&format!(r#"{{"name":"n","plugins":{plugins}}}"#)),
            want,
            "{plugins}"
        );
    }
}

#[test]
fn conf_list_from_conf_upconverts() {
    let single = libcni::conf_from_bytes(
        br#"{"name":"n","cniVersion":"0.4.0","type":"bridge","b":1.0,"a":"<"}"#,
    )
    .unwrap();
    let l = libcni::conf_list_from_conf(&single).unwrap();
    assert_eq!((l.name.as_str(), l.cni_version.as_str()), ("n", "0.4.0"));
    assert_eq!(
        String::from_utf8(l.bytes.clone()).unwrap(),
        r#"{"cniVersion":"0.4.0","name":"n","plugins":[{"a":"\u003c","b":1,"cniVersion":"0.4.0","name":"n","type":"bridge"}]}"#
    );
    assert_eq!(l.plugins.len(), 1);
    assert_eq!(l.plugins[0].network, single.network);
    // The name and version come from the parsed fields, not the bytes.
    let mut renamed = single.clone();
    renamed.network.name = "other".into();
    assert_eq!(libcni::conf_list_from_conf(&renamed).unwrap().name, "other");
    // Errors: the decoder's own text, without a prefix.
    let bad = |bytes: &[u8]| PluginConfig {
        bytes: bytes.to_vec(),
        ..PluginConfig::default()
    };
    assert_eq!(
        decode_err(libcni::conf_list_from_conf(&bad(b"[]"))),
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    assert_eq!(
        decode_err(libcni::conf_list_from_conf(&bad(b"{"))),
        "unexpected end of JSON input"
    );
    // An unnamed configuration makes a list named "" (always present).
    let unnamed = libcni::conf_list_from_conf(&bad(br#"{"type":"t"}"#)).unwrap();
    assert_eq!((unnamed.name.as_str(), unnamed.plugins.len()), ("", 1));
    let mut named = bad(b"{}");
    named.network.name = "n".into();
    assert_eq!(
        decode_err(libcni::conf_list_from_conf(&named)),
        "failed to parse plugin config 0: error parsing configuration: missing 'type'"
    );
}

#[test]
fn inject_conf_prints_like_go() {
    let orig = libcni::conf_from_bytes(
        "{\"type\":\"bridge\",\"z\":1e21,\"big\":12345678901234567890,\"s\":\"<\u{2028}>&\\ud800\",\"z\":1E-7}".as_bytes(),
    )
    .unwrap();
    let values = json!({"name": "net", "cniVersion": "1.1.0", "n": 1.5, "i": -3,
        "prevResult": {"b": [1, 2.0], "a": null}});
    let got = libcni::inject_conf(&orig, values.as_object().unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(got.bytes.clone()).unwrap(),
        "{\"big\":12345678901234567000,\"cniVersion\":\"1.1.0\",\"i\":-3,\"n\":1.5,\"name\":\"net\",\"prevResult\":{\"a\":null,\"b\":[1,2]},\"s\":\"\\u003c\\u2028\\u003e\\u0026\u{fffd}\",\"type\":\"bridge\",\"z\":1e-7}"
    );
    assert_eq!(got.network.name, "net");
    assert_eq!(got.network.cni_version, "1.1.0");
    assert_eq!(got.network.type_, "bridge");
    // Invalid UTF-8 is repaired.
    let raw = PluginConfig {
        bytes: b"{\"type\":\"t\",\"s\":\"\xff\"}".to_vec(),
        ..PluginConfig::default()
    };
    let got = libcni::inject_conf(&raw, &serde_json::Map::new()).unwrap();
    assert_eq!(got.bytes, "{\"s\":\"\u{fffd}\",\"type\":\"t\"}".as_bytes());
}

#[test]
fn inject_conf_errors_are_upstreams() {
    let orig = libcni::conf_from_bytes(br#"{"type":"bridge"}"#).unwrap();
    let inject =
        |o: &PluginConfig, v: serde_json::Value| libcni::inject_conf(o, v.as_object().unwrap());
    assert_eq!(
        inject(&orig, json!({"": 1})).unwrap_err(),
        Error::InvalidArgument("keys cannot be empty".into())
    );
    assert_eq!(
        inject(&orig, json!({"k": null})).unwrap_err(),
        Error::InvalidArgument("key 'k' value must not be nil".into())
    );
    let bad = |bytes: &[u8]| PluginConfig {
        bytes: bytes.to_vec(),
        ..PluginConfig::default()
    };
    assert_eq!(
        decode_err(inject(&bad(b"[1]"), json!({}))),
        "unmarshal existing network bytes: json: cannot unmarshal array into Go value of type map[string]interface {}"
    );
    assert_eq!(
        decode_err(inject(&bad(br#"{"type":"t","x":1e400}"#), json!({}))),
        "unmarshal existing network bytes: json: cannot unmarshal number 1e400 into Go value of type float64"
    );
    assert_eq!(
        decode_err(inject(&bad(b"{\"type\":"), json!({}))),
        "unmarshal existing network bytes: unexpected end of JSON input"
    );
    // The result must still be a plugin configuration.
    assert_eq!(
        decode_err(inject(
            &bad(br#"{"name":"n"}"#),
            json!({"cniVersion": "1.0.0"})
        )),
        "error parsing configuration: missing 'type'"
    );
    assert_eq!(
        decode_err(inject(&orig, json!({"type": 1}))),
        "error parsing configuration: json: cannot unmarshal number into Go struct field PluginConf.type of type string"
    );
    // Upstream panics setting keys in a `null` document; we refuse.
    assert_eq!(
        decode_err(inject(&bad(b"null"), json!({"type": "t"}))),
        "unmarshal existing network bytes: the configuration is null"
    );
    assert_eq!(
        decode_err(inject(&bad(b"null"), json!({}))),
        "error parsing configuration: missing 'type'"
    );
}

#[test]
fn new_error_variants() {
    let named = Error::ConfigNotFound {
        dir: "/etc/cni/net.d".into(),
        name: Some("net".into()),
    };
    assert_eq!(
        named.to_string(),
        r#"no net configuration with name "net" in /etc/cni/net.d"#
    );
    assert_eq!(named.status(), Status::NotFound);
    let none = Error::ConfigNotFound {
        dir: "/etc/cni/net.d".into(),
        name: None,
    };
    assert_eq!(
        none.to_string(),
        "no net configurations found in /etc/cni/net.d"
    );
    assert_eq!(none.status(), Status::NotFound);
    let io = Error::Io("error reading x: open x: no such file or directory".into());
    assert_eq!(io.status(), Status::Io);
    assert_eq!(Status::Io as i32, 9);
    assert_eq!(Error::from_status(Status::Io, "m"), Error::Io("m".into()));
}
