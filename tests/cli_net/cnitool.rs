//! Side by side with upstream's cnitool v1.3.0, built here from the Go
//! module cache (or proxy): one tool adds, the other checks, deletes or
//! garbage-collects, on the wrapped test plugin. cnitool's cache is always
//! /var/lib/cni, so both tools run in a private mount namespace where a
//! scratch directory is bound over /var/lib/cni, and ours runs without
//! --cache-dir: the defaults, container ids and cache paths must agree.
//!
//! Skipped (with a message) when `go` is missing, unless CNI_REQUIRE_GO=1.

use crate::{cnitool_id, ok, text, Net};
use serde_json::json;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// Upstream's cnitool binary, built once per run; None when Go is missing.
pub fn cnitool() -> Option<&'static Path> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(build).as_deref()
}

/// The Go toolchain: `go` on PATH, else where the Go tarball installs it.
fn go() -> Option<PathBuf> {
    ["go", "/usr/local/go/bin/go"]
        .into_iter()
        .map(PathBuf::from)
        .find(|g| {
            Command::new(g)
                .arg("version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn build() -> Option<PathBuf> {
    let Some(go) = go() else {
        if std::env::var("CNI_REQUIRE_GO").as_deref() == Ok("1") {
            panic!("CNI_REQUIRE_GO=1 but go is not installed");
        }
        eprintln!("SKIPPED cnitool comparison: go is not installed");
        return None;
    };
    let gobin = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cnitool-v1.3.0");
    let built = Command::new("nice")
        .arg(&go)
        .args([
            "install",
            "github.com/containernetworking/cni/cnitool@v1.3.0",
        ])
        .env("GOBIN", &gobin)
        .output()
        .expect("running go install");
    assert!(
        built.status.success(),
        "building upstream's cnitool failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    Some(gobin.join("cnitool"))
}

/// Held while a test uses /var/lib/cni as a mount point (created for the
/// test when missing and removed again).
pub struct CacheMount {
    _serial: MutexGuard<'static, ()>,
    created: bool,
}

impl CacheMount {
    /// None (the test skips) when /var/lib/cni is missing and cannot be
    /// made, as for a user other than root.
    pub fn new() -> Option<CacheMount> {
        static SERIAL: Mutex<()> = Mutex::new(());
        let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let dir = Path::new("/var/lib/cni");
        let created = !dir.exists();
        if created {
            if let Err(e) = std::fs::create_dir(dir) {
                eprintln!("SKIPPED cnitool comparison: cannot make the mount point {dir:?}: {e}");
                return None;
            }
        }
        Some(CacheMount {
            _serial: serial,
            created,
        })
    }
}

impl Drop for CacheMount {
    fn drop(&mut self) {
        if self.created {
            let _ = std::fs::remove_dir("/var/lib/cni");
        }
    }
}

/// Whether this machine can give a process a private mount namespace.
pub fn mounts_available() -> bool {
    let out = Command::new("unshare")
        .args(unshare_args())
        .arg("true")
        .output();
    let ok = matches!(out, Ok(o) if o.status.success());
    if !ok {
        eprintln!("SKIPPED cnitool comparison: no private mount namespace (unshare)");
    }
    ok
}

fn unshare_args() -> &'static [&'static str] {
    if crate::root() {
        &["-m"]
    } else {
        &["-r", "-m"]
    }
}

/// `PROGRAM ARGS` (in `net`'s environment plus `env`) in a mount namespace
/// where /var/lib/cni is `net`'s cache directory; `prefix` runs first (as
/// `ip netns exec HOST`).
pub fn run_in_cache(
    net: &Net,
    prefix: &[&str],
    program: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let env: Vec<(&str, &OsStr)> = env.iter().map(|(k, v)| (*k, OsStr::new(*v))).collect();
    run_in_cache_os(net, prefix, program, args, &env)
}

/// [`run_in_cache`] with values that need not be UTF-8.
pub fn run_in_cache_os(
    net: &Net,
    prefix: &[&str],
    program: &Path,
    args: &[&str],
    env: &[(&str, &OsStr)],
) -> Output {
    command_in_cache(net, prefix, program, args, env)
        .output()
        .unwrap()
}

/// The command [`run_in_cache_os`] runs, to start it without waiting.
pub fn command_in_cache(
    net: &Net,
    prefix: &[&str],
    program: &Path,
    args: &[&str],
    env: &[(&str, &OsStr)],
) -> Command {
    let cache = net.cache();
    let mut argv: Vec<&str> = prefix.to_vec();
    argv.push("unshare");
    argv.extend_from_slice(unshare_args());
    argv.extend_from_slice(&[
        "sh",
        "-c",
        "mount --bind \"$1\" /var/lib/cni && shift && exec \"$@\"",
        "sh",
        &cache,
    ]);
    let program = program.to_str().unwrap();
    argv.push(program);
    argv.extend_from_slice(args);
    let mut c = net.command(argv[0], &argv[1..]);
    c.envs(env.iter().copied());
    c
}

pub fn ours() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_cniinvoke"))
}

/// Both tools, or None (skipped).
fn setup() -> Option<(&'static Path, CacheMount)> {
    let tool = cnitool()?;
    if !mounts_available() {
        return None;
    }
    Some((tool, CacheMount::new()?))
}

const NS: &str = "/var/run/netns/side-by-side";

#[test]
fn added_by_cnitool_checked_and_deleted_by_us() {
    let Some((tool, _mount)) = setup() else {
        return;
    };
    let net = Net::new();
    net.list("demo", "1.0.0");
    let env = [
        (
            "CAP_ARGS",
            r#"{"mac":"c2:00:00:00:00:01","portMappings":[{"hostPort":8080.0,"containerPort":80}]}"#,
        ),
        ("CNI_ARGS", "A=1;B=2"),
    ];
    let theirs = ok(&run_in_cache(&net, &[], tool, &["add", "demo", NS], &env));
    let id = cnitool_id(NS);
    assert_eq!(
        net.cached(),
        [format!("demo-{id}-eth0")],
        "cnitool's cache entry"
    );
    let their_stdin = std::fs::read(net.path("calls/tp-a.ADD.stdin")).unwrap();
    // Our default cache is cnitool's: its attachment is listed.
    let att = ok(&run_in_cache(
        &net,
        &[],
        ours(),
        &["net", "attachments", &id],
        &[],
    ));
    let att: serde_json::Value = serde_json::from_str(&att).unwrap();
    assert_eq!(att[0]["netns"], NS);
    assert_eq!(att[0]["cniArgs"], json!([["A", "1"], ["B", "2"]]));
    ok(&run_in_cache(
        &net,
        &[],
        ours(),
        &["net", "check", "demo", NS],
        &env,
    ));
    ok(&run_in_cache(
        &net,
        &[],
        ours(),
        &["net", "del", "demo", NS],
        &env,
    ));
    assert!(net.cached().is_empty(), "our DEL removed cnitool's entry");
    assert_eq!(
        net.log()[1..],
        [
            format!("tp-b ADD {id} eth0 {NS}"),
            format!("tp-a CHECK {id} eth0 {NS}"),
            format!("tp-b CHECK {id} eth0 {NS}"),
            format!("tp-b DEL {id} eth0 {NS}"),
            format!("tp-a DEL {id} eth0 {NS}"),
        ]
    );
    // The same ADD by us: byte for byte the same output and the same
    // configuration sent to the plugin (runtimeConfig included).
    let mine = ok(&run_in_cache(
        &net,
        &[],
        ours(),
        &["net", "add", "demo", NS],
        &env,
    ));
    assert_eq!(mine, theirs);
    assert_eq!(
        std::fs::read(net.path("calls/tp-a.ADD.stdin")).unwrap(),
        their_stdin
    );
    assert_eq!(net.env("tp-a", "ADD", "CNI_ARGS").unwrap(), "A=1;B=2");
}

#[test]
fn added_by_us_checked_deleted_and_collected_by_cnitool() {
    let Some((tool, _mount)) = setup() else {
        return;
    };
    let net = Net::new();
    net.list("demo", "1.1.0");
    ok(&run_in_cache(
        &net,
        &[],
        ours(),
        &["net", "add", "demo", NS],
        &[],
    ));
    let id = cnitool_id(NS);
    assert_eq!(net.cached(), [format!("demo-{id}-eth0")]);
    ok(&run_in_cache(&net, &[], tool, &["check", "demo", NS], &[]));
    assert_eq!(
        net.stdin("tp-b", "CHECK")["prevResult"]["ips"][0]["address"],
        "10.1.2.3/24"
    );
    ok(&run_in_cache(&net, &[], tool, &["del", "demo", NS], &[]));
    assert!(net.cached().is_empty(), "cnitool's DEL removed our entry");
    ok(&run_in_cache(
        &net,
        &[],
        ours(),
        &["net", "add", "demo", "/run/netns/gc-me"],
        &[],
    ));
    ok(&run_in_cache(
        &net,
        &[],
        tool,
        &["gc", "demo", "/ignored"],
        &[],
    ));
    assert!(
        net.cached().is_empty(),
        "cnitool's GC deleted our attachment"
    );
    let calls = net.calls();
    assert_eq!(
        calls[calls.len() - 4..],
        ["tp-b DEL", "tp-a DEL", "tp-a GC", "tp-b GC"]
    );
    let gc_stdin = std::fs::read(net.path("calls/tp-b.GC.stdin")).unwrap();
    ok(&run_in_cache(
        &net,
        &[],
        ours(),
        &["net", "gc", "demo"],
        &[],
    ));
    assert_eq!(
        std::fs::read(net.path("calls/tp-b.GC.stdin")).unwrap(),
        gc_stdin
    );
    ok(&run_in_cache(
        &net,
        &[],
        tool,
        &["status", "demo", "/ignored"],
        &[],
    ));
    ok(&run_in_cache(
        &net,
        &[],
        ours(),
        &["net", "status", "demo"],
        &[],
    ));
    assert_eq!(
        net.calls()[net.calls().len() - 4..],
        ["tp-a STATUS", "tp-b STATUS", "tp-a STATUS", "tp-b STATUS"]
    );
}

/// cnitool's arguments, the environment, our exit status.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], i32);

/// ADD's output in every spec version, byte for byte as cnitool prints it.
#[test]
fn results_print_as_cnitool_prints_them_in_every_version() {
    let Some((tool, _mount)) = setup() else {
        return;
    };
    let net = Net::new();
    for v in [
        "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0",
    ] {
        let name = format!("v{}", v.replace('.', ""));
        net.list(&name, v);
        let theirs = ok(&run_in_cache(&net, &[], tool, &["add", &name, NS], &[]));
        ok(&run_in_cache(&net, &[], tool, &["del", &name, NS], &[]));
        let mine = ok(&run_in_cache(
            &net,
            &[],
            ours(),
            &["net", "add", &name, NS],
            &[],
        ));
        ok(&run_in_cache(
            &net,
            &[],
            ours(),
            &["net", "del", &name, NS],
            &[],
        ));
        assert_eq!(mine, theirs, "{v}");
        assert!(
            mine.contains(&format!("\"cniVersion\": \"{v}\"")),
            "{v}: {mine}"
        );
    }
    assert!(net.cached().is_empty());
}

/// CAP_ARGS that Go reads and writes in its own way: invalid UTF-8, HTML
/// characters, floats, duplicate keys, deep nesting. Both tools must send
/// the plugins the same bytes.
#[test]
fn odd_capability_args_reach_the_plugins_as_cnitool_sends_them() {
    let Some((tool, _mount)) = setup() else {
        return;
    };
    let net = Net::new();
    net.list("demo", "1.0.0");
    let mut caps = br#"{"mac":"first","portMappings":[{"s":"<c2&\u2028>"#.to_vec();
    caps.extend_from_slice(&[0xff, 0xfe]);
    caps.extend_from_slice(br#"","hostPort":8080.0,"n":1e21,"f":0.000001,"g":1e-7,"big":12345678901234567890}],"mac":"dup","x":"#);
    caps.extend_from_slice(&[b'['; 500]);
    caps.extend_from_slice(&[b']'; 500]);
    caps.push(b'}');
    let env = [("CAP_ARGS", OsStr::from_bytes(&caps))];
    let add = ["add", "demo", NS];
    ok(&run_in_cache_os(&net, &[], tool, &add, &env));
    let theirs = std::fs::read(net.path("calls/tp-a.ADD.stdin")).unwrap();
    ok(&run_in_cache_os(
        &net,
        &[],
        tool,
        &["del", "demo", NS],
        &env,
    ));
    ok(&run_in_cache_os(
        &net,
        &[],
        ours(),
        &["net", "add", "demo", NS],
        &env,
    ));
    let mine = std::fs::read(net.path("calls/tp-a.ADD.stdin")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&mine),
        String::from_utf8_lossy(&theirs)
    );
    let text = String::from_utf8_lossy(&mine);
    assert!(text.contains(r#""mac":"dup""#), "{text}");
    assert!(
        text.contains("\\u003cc2\\u0026\\u2028\\u003e\u{fffd}\u{fffd}"),
        "{text}"
    );
    let cached =
        std::fs::read(net.path(&format!("cache/results/demo-{}-eth0", cnitool_id(NS)))).unwrap();
    ok(&run_in_cache_os(
        &net,
        &[],
        tool,
        &["del", "demo", NS],
        &env,
    ));
    assert!(
        net.cached().is_empty(),
        "cnitool read our entry: {}",
        String::from_utf8_lossy(&cached)
    );
}

#[test]
fn the_same_error_texts() {
    let Some((tool, _mount)) = setup() else {
        return;
    };
    let net = Net::new();
    net.list("demo", "1.0.0");
    net.conf(
        "20-fails.conflist",
        r#"{"cniVersion":"1.0.0","name":"fails","plugins":[{"type":"tp-c","name":"inner"}]}"#,
    );
    net.debug(
        "tp-c",
        json!({"error": {"code": 7, "msg": "bad config", "details": "no subnet"}}),
    );
    let cases: &[Case] = &[
        (&["add", "nosuch", NS], &[], 12),
        (&["add", "demo", NS], &[("CNI_ARGS", "A=1;;B=2")], 11),
        (&["add", "demo", NS], &[("CNI_ARGS", "A")], 11),
        (&["add", "demo", NS], &[("CAP_ARGS", "{\"mac\":}")], 11),
        (&["add", "demo", NS], &[("CAP_ARGS", "3")], 11),
        (&["add", "demo", NS], &[("CNI_IFNAME", "")], 13),
        (&["add", "demo", NS], &[("CNI_IFNAME", "a/b")], 13),
        (&["add", "fails", NS], &[], 13),
        (&["del", "fails", NS], &[], 13),
    ];
    for (args, env, code) in cases {
        let theirs = run_in_cache(&net, &[], tool, args, env);
        let mut ours_args = vec!["net"];
        ours_args.extend_from_slice(args);
        ours_args.push("--no-cleanup");
        if args[0] != "add" {
            ours_args.pop();
        }
        let mine = run_in_cache(&net, &[], ours(), &ours_args, env);
        assert_eq!(
            theirs.status.code(),
            Some(1),
            "{args:?} {env:?}: {}",
            text(&theirs).1
        );
        assert_eq!(
            mine.status.code(),
            Some(*code),
            "{args:?} {env:?}: {}",
            text(&mine).1
        );
        assert_eq!(text(&mine).1, text(&theirs).1, "{args:?} {env:?}");
    }
    // Where we go further (DESIGN: names are validated on every verb
    // before they become a cache path): upstream's CHECK runs the plugins
    // with a bad ifname, ours refuses with the text its ADD and DEL use.
    let env = [("CNI_IFNAME", "x y")];
    ok(&run_in_cache(&net, &[], tool, &["check", "demo", NS], &env));
    let mine = run_in_cache(&net, &[], ours(), &["net", "check", "demo", NS], &env);
    crate::fails(
        &mine,
        13,
        "interface name contains / or : or whitespace characters",
    );
}
