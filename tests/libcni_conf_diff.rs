//! Differential test of the configuration layer against upstream Go libcni
//! v1.3.0, in the same run: `tests/libcni-conf-diff` (a Go program built
//! here with `go build`) runs upstream's `InjectConf`, `ConfFromBytes`,
//! `ConfListFromBytes`, `ConfListFromConf`, `ConfListFromFile`,
//! `LoadNetworkConf`, `LoadConf` and `ConfFiles` on a table of tricky
//! inputs, and every answer (bytes, fields, error texts) must equal ours.
//!
//! Without `go` on the PATH the test is skipped with a message, unless
//! `CNI_REQUIRE_GO=1` (set by `make test` as root), which makes it fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use cniinvoke::libcni::{self, NetworkConfigList, PluginConfig};
use serde_json::{json, Value};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The built Go program, or `None` (with the reason printed) without Go.
fn go_program() -> Option<&'static Path> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| {
        let required = std::env::var("CNI_REQUIRE_GO").is_ok_and(|v| v == "1");
        if Command::new("go").arg("version").output().is_err() {
            assert!(!required, "CNI_REQUIRE_GO=1, but `go` is not on the PATH");
            eprintln!("SKIPPED: `go` is not on the PATH; the Go differential test did not run");
            return None;
        }
        let bin = Path::new(env!("CARGO_TARGET_TMPDIR")).join("libcni-conf-diff");
        let out = Command::new("go")
            .args(["build", "-mod=readonly", "-o"])
            .arg(&bin)
            .arg(".")
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/libcni-conf-diff"))
            .output()
            .expect("running go build");
        assert!(
            out.status.success(),
            "go build of tests/libcni-conf-diff failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Some(bin)
    })
    .as_deref()
}

/// One input for both implementations.
#[derive(Default, Clone)]
struct Case {
    op: &'static str,
    conf: Vec<u8>,
    /// JSON text of the values to inject, read by both sides.
    values: Option<String>,
    name: String,
    version: String,
    path: String,
    dir: String,
    exts: Vec<String>,
}

impl Case {
    fn bytes(op: &'static str, conf: impl AsRef<[u8]>) -> Case {
        Case {
            op,
            conf: conf.as_ref().to_vec(),
            ..Case::default()
        }
    }

    fn inject(conf: impl AsRef<[u8]>, values: &str) -> Case {
        Case {
            values: Some(values.to_string()),
            ..Case::bytes("inject", conf)
        }
    }

    fn to_json(&self) -> String {
        let head = json!({
            "op": self.op, "conf": hex(&self.conf), "name": self.name,
            "version": self.version, "path": self.path, "dir": self.dir, "exts": self.exts,
        })
        .to_string();
        match &self.values {
            // Spliced in as text, so that Go reads exactly what serde reads.
            Some(v) => format!("{},\"values\":{v}}}", &head[..head.len() - 1]),
            None => head,
        }
    }
}

fn plugin_json(p: &PluginConfig) -> Value {
    json!({
        "cniVersion": p.network.cni_version, "name": p.network.name,
        "type": p.network.type_, "capabilities": p.network.capabilities,
        "bytes": hex(&p.bytes),
    })
}

fn list_json(l: &NetworkConfigList) -> Value {
    json!({
        "name": l.name, "cniVersion": l.cni_version, "disableCheck": l.disable_check,
        "disableGC": l.disable_gc, "loadOnlyInlinedPlugins": l.load_only_inlined_plugins,
        "plugins": l.plugins.iter().map(plugin_json).collect::<Vec<_>>(),
        "bytes": hex(&l.bytes),
    })
}

fn answer<T>(r: cniinvoke::Result<T>, key: &str, f: impl Fn(&T) -> Value) -> Value {
    match r {
        Ok(v) => json!({ key: f(&v) }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// What our implementation answers, in the Go program's output shape.
fn ours(c: &Case) -> Value {
    let path = |s: &str| PathBuf::from(s);
    match c.op {
        "inject" => {
            let values: serde_json::Map<String, Value> =
                serde_json::from_str(c.values.as_deref().unwrap_or("{}")).unwrap();
            let orig = PluginConfig {
                bytes: c.conf.clone(),
                ..PluginConfig::default()
            };
            answer(libcni::inject_conf(&orig, &values), "plugin", plugin_json)
        }
        "plugin" => answer(libcni::conf_from_bytes(&c.conf), "plugin", plugin_json),
        "list" => answer(libcni::conf_list_from_bytes(&c.conf), "list", list_json),
        "upconvert" => {
            let mut orig = PluginConfig {
                bytes: c.conf.clone(),
                ..PluginConfig::default()
            };
            orig.network.name = c.name.clone();
            orig.network.cni_version = c.version.clone();
            answer(libcni::conf_list_from_conf(&orig), "list", list_json)
        }
        "listfile" => answer(
            libcni::conf_list_from_file(&path(&c.path)),
            "list",
            list_json,
        ),
        "load" => answer(
            libcni::load_network_conf(&path(&c.dir), &c.name),
            "list",
            list_json,
        ),
        "loadconf" => answer(
            libcni::load_conf(&path(&c.dir), &c.name),
            "plugin",
            plugin_json,
        ),
        "files" => {
            let exts: Vec<&str> = c.exts.iter().map(String::as_str).collect();
            match libcni::conf_files(&path(&c.dir), &exts) {
                Ok(files) if files.is_empty() => json!({}),
                Ok(files) => json!({ "files": files }),
                Err(e) => json!({ "error": e.to_string() }),
            }
        }
        op => panic!("unknown op {op}"),
    }
}

/// Upstream's answers to `cases`, or `None` without Go.
fn upstream(cases: &[Case]) -> Option<Vec<Value>> {
    let bin = go_program()?;
    let input = format!(
        "[{}]",
        cases
            .iter()
            .map(Case::to_json)
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut child = Command::new(bin)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running the Go program");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Go program failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers.len(), cases.len());
    Some(answers)
}

/// Compare every case; `go_panics` lists the cases where upstream panics
/// (and we must fail instead).
fn compare(cases: &[Case]) {
    let Some(theirs) = upstream(cases) else {
        return;
    };
    let mut failures = Vec::new();
    for (i, (case, want)) in cases.iter().zip(&theirs).enumerate() {
        let got = ours(case);
        let go_panicked = want["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("panic: "));
        if go_panicked {
            if got.get("error").is_none() {
                failures.push(format!("case {i}: upstream panics, we answered {got}"));
            }
            continue;
        }
        if &got != want {
            failures.push(format!(
                "case {i} ({} {:?} values {:?} dir {:?} name {:?}):\n  ours: {got}\n  Go:   {want}",
                case.op,
                String::from_utf8_lossy(&case.conf),
                case.values,
                case.dir,
                case.name,
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from upstream:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Plugin configurations that stress Go's decoder and encoder.
const CONFS: &[&[u8]] = &[
    br#"{"cniVersion":"1.0.0","name":"n","type":"bridge"}"#,
    br#"{"type":"t","a":1.0,"b":1.5e300,"c":-0.0,"d":1e-7,"e":123456789012345678901234567890,"f":0.000001,"g":1e21,"h":100e-2,"i":-0,"j":0.1e-6,"k":5e-324,"l":1e-400}"#,
    br#"{"type":"t","big":9007199254740993,"neg":-9223372036854775809,"u":18446744073709551615,"e":1E+2}"#,
    br#"{"type":"t","max":1.7976931348623157e308,"near":1.7976931348623158e308}"#,
    br#"{"type":"t","over":1.7976931348623159e308}"#,
    br#"{"type":"t","x":[1,{"y":1e400}]}"#,
    "{\"type\":\"t\",\"s\":\"h\u{e9}llo \u{2713} \u{1F600} \\u00e9 \\ud83d\\ude00 \\ud800 \\udc00x\"}".as_bytes(),
    br#"{"type":"t","h":"<a href=\"x\">&amp;</a>","<k>":"\u2028\u2029","\u2028":1}"#,
    br#"{"type":"a","type":"b","x":{"k":1,"k":2},"x2":[{"a":1,"a":{"b":2}}],"cniVersion":"0.4.0","cniVersion":"1.0.0"}"#,
    br#"{"type":"t","ipam":{"type":"host-local","ranges":[[{"subnet":"10.0.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}]},"dns":{"nameservers":["1.1.1.1"]}}"#,
    b"{\"type\":\"t\",\"s\":\"\xff\xfe ok \xc3\",\"\xe2\x82k\":1,\"\xed\xa0\x80\":2}",
    b"{\"type\":\"t\",\"c\":\"\\u0001\\b\\f\\n\\r\\t\\u007f\\u0000\\/\x7f\"}",
    b"  {\"type\" : \"t\" ,\n\t\"name\":\"spaced\"}\r\n",
    br#"{"TYPE":"upper","Name":"mixed","CNIVERSION":"1.0.0","capabilities":{"portMappings":true,"bandwidth":false}}"#,
    br#"{"type":"t","capabilities":{"a":true},"capabilities":{"b":true}}"#,
    br#"{"type":"t","capabilities":{"a":true},"capabilities":null}"#,
    br#"{"type":"t","capabilities":{"a":null}}"#,
    br#"{"type":1}"#,
    br#"{"name":"no-type"}"#,
    br#"{"type":""}"#,
    br#"{"type":null}"#,
    br#"{"type":"t","foo":1e400}"#,
    br#"{"type":"t","ipam":{"type":1}}"#,
    br#"{"type":"t","ipam":"host-local"}"#,
    br#"{"type":"t","capabilities":{"a":"yes"}}"#,
    br#"{"type":"t","capabilities":[]}"#,
    br#"{"type":"t","prevResult":{"a":[1e400]}}"#,
    br#"{"type":"t","prevResult":3}"#,
    br#"{"type":"t","prevResult":null}"#,
    br#"{"type":"t","cni.dev/valid-attachments":[{"containerID":"c","ifname":"eth0"},{"containerID":1}]}"#,
    br#"{"type":"t","CNI.DEV/VALID-ATTACHMENTS":[1]}"#,
    br#"{"type":"t","cni.dev/valid-attachments":{}}"#,
    br#"{"type":"t","dns":{"nameservers":[1]}}"#,
    br#"{"type":"t","dns":[]}"#,
    br#"{"type":"t","name":1,"cniVersion":true}"#,
    br#"{"type":"t","cniVersion":[],"name":{}}"#,
    br#"{"name":2,"type":"t"}"#,
    b"[1]",
    b"\"s\"",
    b"null",
    b"1e400",
    b"",
    b"{\"type\":\"t\"} x",
    b"{\"type\":\"t\",}",
    b"{\"type\":tru}",
    b"\xef\xbb\xbf{\"type\":\"t\"}",
];

/// Values to inject, as JSON text.
const VALUES: &[&str] = &[
    r#"{}"#,
    r#"{"name":"net1","cniVersion":"1.1.0"}"#,
    r#"{"prevResult":{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24","interface":0}]},"runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}}"#,
    r#"{"n":1.5,"i":-3,"big":18446744073709551615,"bigger":18446744073709551616,"f":1e21,"g":1.0,"h":0.0000001,"s":"<&>\u2028"}"#,
    r#"{"":1}"#,
    r#"{"k":null}"#,
    r#"{"type":"override","a":[null,true,{"z":1,"a":2}]}"#,
    r#"{"capabilities":{"portMappings":true},"x":{},"y":[]}"#,
    r#"{"type":1}"#,
    "{\"z\":1,\"Z\":2,\"\u{e9}\":3,\"\u{e9}x\":4,\"a\\u0000\":5,\"<k>\":6,\"\\n\":7,\"\u{1F600}\":8,\"\u{ffff}\":9}",
    r#"{"ctl":"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u001f\u007f","f":[1e-7,123456789.123456789,-5e-324,1.7976931348623157e308]}"#,
];

#[test]
fn inject_conf_matches_upstream() {
    let mut cases = Vec::new();
    for conf in CONFS {
        for values in &VALUES[..2] {
            cases.push(Case::inject(conf, values));
        }
    }
    for values in VALUES {
        cases.push(Case::inject(CONFS[0], values));
        cases.push(Case::inject(CONFS[1], values));
    }
    let numbers = random_numbers();
    let injected = libcni::inject_conf(
        &PluginConfig {
            bytes: numbers.clone().into_bytes(),
            ..PluginConfig::default()
        },
        &serde_json::Map::new(),
    );
    assert!(injected.is_ok(), "{injected:?}");
    // The same numbers as values to inject, read by serde_json.
    let values = numbers.replacen(r#""type":"t","#, "", 1);
    cases.push(Case::inject(CONFS[0], &values));
    cases.push(Case::inject(numbers, "{}"));
    let deep = format!(
        r#"{{"type":"t","d":{}1{}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    cases.push(Case::inject(&deep, r#"{"name":"deep"}"#));
    compare(&cases);
}

/// A configuration with many pseudo-random number literals of every
/// magnitude, some with more digits than a float64 holds.
fn random_numbers() -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut members = vec![r#""type":"t""#.to_string()];
    for i in 0..600 {
        let r = next();
        let lit = match i % 4 {
            0 => format!(
                "{}",
                f64::from_bits(r & !(0x7ff << 52) | ((r % 2046 + 1) << 52))
            ),
            1 => format!(
                "{}e{}",
                r % 100_000_000_000_000_000,
                (r >> 40) as i64 % 300 - 10
            ),
            2 => format!(
                "-{}.{}e-{}",
                r % 1000,
                next() % 1_000_000_000_000_000_000,
                r % 320
            ),
            _ => format!("{}", r >> (r % 64)),
        };
        members.push(format!(r#""n{i}":{lit}"#));
    }
    format!("{{{}}}", members.join(","))
}

#[test]
fn conf_from_bytes_matches_upstream() {
    compare(
        &CONFS
            .iter()
            .map(|c| Case::bytes("plugin", c))
            .collect::<Vec<_>>(),
    );
}

#[test]
fn conf_list_from_conf_matches_upstream() {
    let mut cases = Vec::new();
    for conf in CONFS {
        cases.push(Case {
            name: "net".into(),
            version: "1.0.0".into(),
            ..Case::bytes("upconvert", conf)
        });
    }
    for (name, version) in [("", ""), ("<&>\u{2028}", "0.3.1"), ("other", "9.9.9")] {
        cases.push(Case {
            name: name.into(),
            version: version.into(),
            ..Case::bytes("upconvert", CONFS[0])
        });
    }
    compare(&cases);
}

/// Configuration lists: names, versions, flags and plugins rules.
fn lists() -> Vec<String> {
    let p =
        r#"[{"type":"bridge","b":1.50,"a":"<x>"},{"type":"tuning","capabilities":{"mac":true}}]"#;
    let mut out: Vec<String> = [
        r#"{"name":"n","cniVersion":"1.0.0","plugins":PLUGINS}"#,
        r#"{"cniVersion":"1.0.0","plugins":PLUGINS}"#,
        r#"{"name":1,"plugins":PLUGINS}"#,
        r#"{"name":null,"plugins":PLUGINS}"#,
        r#"{"name":[],"plugins":PLUGINS}"#,
        r#"{"name":"n","cniVersion":1,"plugins":PLUGINS}"#,
        r#"{"name":"n","cniVersion":null,"plugins":PLUGINS}"#,
        r#"{"name":"n","cniVersion":{},"plugins":PLUGINS}"#,
        r#"{"name":"n","name":"last","plugins":PLUGINS}"#,
        r#"{"name":"n"}"#,
        r#"{"name":"n","loadOnlyInlinedPlugins":true}"#,
        r#"{"name":"n","loadOnlyInlinedPlugins":"TRUE","plugins":PLUGINS}"#,
        r#"{"name":"n","plugins":null}"#,
        r#"{"name":"n","plugins":{}}"#,
        r#"{"name":"n","plugins":"bridge"}"#,
        r#"{"name":"n","plugins":[]}"#,
        r#"{"name":"n","plugins":[1]}"#,
        r#"{"name":"n","plugins":[null]}"#,
        r#"{"name":"n","plugins":[[]]}"#,
        r#"{"name":"n","plugins":[{"type":"a"},{"name":"x"}]}"#,
        r#"{"name":"n","plugins":[{"type":"a","TYPE":"b","Type":"c"}]}"#,
        r#"{"name":"n","plugins":[{"type":"a","ipam":{"type":2}}]}"#,
        r#"{"name":"n","plugins":[{"type":"a","x":{"k":1,"k":[2,3e2]}}]}"#,
        r#"{"name":"n","plugins":PLUGINS,"extra":1e400}"#,
        r#"{"name":"n","plugins":PLUGINS,"nested":{"x":[1e999]}}"#,
        r#"[]"#,
        r#"null"#,
        r#""n""#,
        r#"{"name":"n","plugins":PLUGINS"#,
        r#"{"name":"n","plugins":PLUGINS}}"#,
    ]
    .iter()
    .map(|s| s.replace("PLUGINS", p))
    .collect();
    // String booleans and their errors.
    for key in ["disableCheck", "disableGC", "loadOnlyInlinedPlugins"] {
        for v in [
            "true",
            "false",
            "\"true\"",
            "\"False\"",
            "\"TRUE\"",
            "\"tRuE\"",
            "\"yes\"",
            "\"\"",
            "\"T\u{130}\"",
            "\"\u{3a3}TRUE\"",
            "\"\\u00ff\"",
            "1",
            "0",
            "null",
            "[]",
            "{}",
        ] {
            out.push(format!(r#"{{"name":"n","{key}":{v},"plugins":{p}}}"#));
        }
    }
    out.push(format!(
        r#"{{"name":"n","disableCheck":"maybe","disableGC":1,"plugins":{p}}}"#
    ));
    out.push(format!(
        r#"{{"name":"n","disableGC":"no","loadOnlyInlinedPlugins":"x","plugins":{p}}}"#
    ));
    // cniVersions selection.
    for (version, versions) in [
        (None, r#"["0.3.1","1.0.0"]"#),
        (None, r#"["1.0.0","0.3.1"]"#),
        (None, r#"["2.0.0","1.0.0"]"#),
        (Some("0.4.0"), r#"["2.0.0"]"#),
        (Some("1.0.0"), r#"["5.0.0"]"#),
        (None, r#"["5.0.0"]"#),
        (Some("9.9.9"), r#"["1.0.0"]"#),
        (Some("1.1.0"), r#"["0.4.0"]"#),
        (Some("0.4.0"), r#"["1.1.0","1.1.1","1.10.0"]"#),
        (Some("1.0.0"), r#"[]"#),
        (None, r#"[]"#),
        (None, r#""1.0.0""#),
        (None, r#"null"#),
        (None, r#"{}"#),
        (None, r#"[1]"#),
        (None, r#"["1.0.0",null]"#),
        (None, r#"["a.b"]"#),
        (None, r#"["1.0.0","1.x"]"#),
        (None, r#"["1.0.0.0"]"#),
        (None, r#"["99999999999999999999"]"#),
        (Some("x.y"), r#"["1.0.0"]"#),
        (Some("x.y"), r#"[]"#),
        (None, r#"["1.0","1.0.0"]"#),
        (None, r#"["1.0.0","1.0"]"#),
        (None, r#"["1","1.0.0","1.0","0.4.0"]"#),
        (Some("1.0"), r#"["1.0.0"]"#),
        (Some("1.0.0"), r#"["1.0"]"#),
        (None, r#"["",""]"#),
        (None, r#"["0.1.0",""]"#),
        (None, r#"["+1.0.0","1.0.0"]"#),
    ] {
        let v = version.map_or(String::new(), |v| format!(r#""cniVersion":"{v}","#));
        out.push(format!(
            r#"{{"name":"n",{v}"cniVersions":{versions},"plugins":{p}}}"#
        ));
    }
    out
}

#[test]
fn conf_list_from_bytes_matches_upstream() {
    let mut cases: Vec<Case> = lists().iter().map(|l| Case::bytes("list", l)).collect();
    cases.extend(CONFS.iter().map(|c| Case::bytes("list", c)));
    compare(&cases);
}

/// Write `files` (path relative to `root` → contents; a trailing `/` makes
/// a directory).
fn populate(root: &Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        let p = root.join(rel);
        if let Some(dir) = rel.strip_suffix('/') {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            continue;
        }
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
    }
}

#[test]
fn directories_match_upstream() {
    let tmp = common::tempdir();
    let root = tmp.path();
    let bridge = r#"{"type":"bridge"}"#;
    populate(
        root,
        &[
            (
                "d1/a.conflist",
                r#"{"name":"alpha","cniVersion":"1.0.0","plugins":[{"type":"inline","z":1,"a":2}]}"#,
            ),
            ("d1/alpha/20-y.conf", r#"{"type":"second","name":"y"}"#),
            ("d1/alpha/10-x.conf", r#"{"type":"first","b":1.0}"#),
            ("d1/alpha/z.json", r#"{"type":"ignored"}"#),
            ("d1/alpha/dir.conf/", ""),
            (
                "d1/b.conflist",
                r#"{"name":"beta","loadOnlyInlinedPlugins":"true","plugins":[{"type":"only"}]}"#,
            ),
            ("d1/beta/10.conf", r#"{"type":"not-loaded"}"#),
            ("d1/c.conflist", r#"{"name":"gamma","cniVersion":"0.4.0"}"#),
            ("d1/gamma/1.conf", r#"{"type":"from-dir"}"#),
            (
                "d1/e.conflist",
                r#"{"name":"sub/../alpha","plugins":[{"type":"dotted"}]}"#,
            ),
            (
                "d1/10-single.conf",
                r#"{"name":"single","type":"bridge","cniVersion":"0.3.1","x":1e2}"#,
            ),
            ("d1/20-other.json", r#"{"name":"other","type":"macvlan"}"#),
            ("d1/.conf", r#"{"name":"dotfile","type":"hidden"}"#),
            ("d1/x.CONF", r#"{"name":"upper","type":"upper"}"#),
            ("d1/noext", r#"{"name":"noext","type":"x"}"#),
            ("d1/dir.conflist/", ""),
            (
                "d2/a.conflist",
                r#"{"name":"only","plugins":[{"type":"t"}]}"#,
            ),
            ("d3/", ""),
            ("d4/a.conflist", r#"{"name":"broken","#),
            (
                "d4/b.conflist",
                r#"{"name":"after","plugins":[{"type":"t"}]}"#,
            ),
            ("d5/a.conflist", r#"{"name":"empty"}"#),
            ("d6/a.conflist", r#"{"name":"filedir"}"#),
            ("d6/filedir", "not a directory"),
            ("d7/a.conflist", r#"{"name":"badsub"}"#),
            ("d7/badsub/1.conf", r#"{"type":"ok"}"#),
            ("d7/badsub/2.conf", r#"{"type":1}"#),
            ("d8/1.conf", bridge),
            ("d8/2.conf", r#"{"name":"n","type":"t""#),
            ("d8/3.conf", r#"{"name":"late","type":"t"}"#),
            ("d9/a.conflist", r#"{"name":"","plugins":[{"type":"t"}]}"#),
            ("d9/1.conf", r#"{"type":"sibling"}"#),
            ("d10/a.conflist", r#"{"name":"nul\u0000name"}"#),
            ("d10/b.conflist", r#"{"name":"../d1/alpha"}"#),
        ],
    );
    std::os::unix::fs::symlink("10-single.conf", root.join("d1/link.conf")).unwrap();
    std::os::unix::fs::symlink("alpha", root.join("d1/linkdir.conf")).unwrap();
    let d = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    let mut cases = Vec::new();
    let load = |op: &'static str, dir: String, name: &str| Case {
        op,
        dir,
        name: name.into(),
        ..Case::default()
    };
    for name in [
        "alpha",
        "beta",
        "gamma",
        "sub/../alpha",
        "single",
        "other",
        "dotfile",
        "upper",
        "noext",
        "missing",
        "",
    ] {
        cases.push(load("load", d("d1"), name));
        cases.push(load("loadconf", d("d1"), name));
    }
    for (dir, name) in [
        (d("d1/"), "alpha"),
        (format!("{}/./d1//", root.display()), "single"),
        (format!("{}/d3/../d1", root.display()), "missing"),
        (d("d2"), "only"),
        (d("d2"), "missing"),
        (d("d3"), "x"),
        (d("d4"), "after"),
        (d("d5"), "empty"),
        (d("d6"), "filedir"),
        (d("d7"), "badsub"),
        (d("d8"), "late"),
        (d("d8"), ""),
        (d("d9"), ""),
        (d("nonexistent"), "x"),
        (d("d1/10-single.conf"), "x"),
        (String::new(), "x"),
    ] {
        cases.push(load("load", dir.clone(), name));
        cases.push(load("loadconf", dir, name));
    }
    for file in [
        "d1/a.conflist",
        "d1/c.conflist",
        "d1/e.conflist",
        "d5/a.conflist",
        "d6/a.conflist",
        "d9/a.conflist",
        "d10/a.conflist",
        "d10/b.conflist",
        "missing.conflist",
        "d1/dir.conflist",
        "d1",
    ] {
        cases.push(Case {
            op: "listfile",
            path: d(file),
            ..Case::default()
        });
    }
    let files = |dir: String, exts: &[&str]| Case {
        op: "files",
        dir,
        exts: exts.iter().map(|e| e.to_string()).collect(),
        ..Case::default()
    };
    cases.push(files(d("d1"), &[".conf", ".json", ".conf"]));
    cases.push(files(d("d1"), &[".conflist"]));
    cases.push(files(d("d1"), &[""]));
    cases.push(files(d("d1"), &["conf"]));
    cases.push(files(format!("{}//d1/./", root.display()), &[".conf"]));
    cases.push(files(d("nonexistent"), &[".conf"]));
    cases.push(files(d("d1/10-single.conf"), &[".conf"]));
    cases.push(files(d("d1/10-single.conf/x"), &[".conf"]));
    compare(&cases);
}
