//! Upstream's side of the interop tests: the Go driver in
//! `tests/libcni-interop` (upstream libcni v1.3.0, built here with `go
//! build`), and a network list in a scratch directory that both sides run.
//! Used by `libcni_interop.rs` and `libcni_interop_diff.rs`, which declare
//! `mod common;` before `mod upstream;`.
#![allow(dead_code)]

use cniinvoke::libcni::{conf_list_from_bytes, CniConfig, NetworkConfigList, RuntimeConf};
use cniinvoke::Context;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const NET: &str = "interop-net";
pub const MAC: &str = "02:00:00:00:00:2a";

// ---------------------------------------------------------------------------
// Upstream's side: the Go driver

/// The Go toolchain, if there is one.
fn go() -> Option<PathBuf> {
    let candidates = [PathBuf::from("go"), PathBuf::from("/usr/local/go/bin/go")];
    candidates.into_iter().find(|g| {
        Command::new(g)
            .arg("version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The built driver, or `None` (test skipped) without Go.
pub fn driver() -> Option<&'static Path> {
    static BIN: OnceLock<Option<PathBuf>> = OnceLock::new();
    BIN.get_or_init(|| {
        let Some(go) = go() else {
            if std::env::var("CNI_REQUIRE_GO").as_deref() == Ok("1") {
                panic!("libcni interop tests required but `go` is missing");
            }
            eprintln!("SKIPPED libcni interop test: no `go` toolchain");
            return None;
        };
        // target/<profile>/deps/<test>-<hash> → target/<profile>/libcni-interop-<test>-<hash>
        // (one per test binary, so two binaries never write the same file).
        let exe = std::env::current_exe().unwrap();
        let stem = exe.file_name().unwrap().to_string_lossy();
        let out = exe
            .ancestors()
            .nth(2)
            .unwrap()
            .join(format!("libcni-interop-{stem}"));
        let built = Command::new(go)
            .args(["build", "-o"])
            .arg(&out)
            .arg(".")
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/libcni-interop"))
            .output()
            .expect("running go build");
        assert!(
            built.status.success(),
            "go build of tests/libcni-interop failed: {}",
            String::from_utf8_lossy(&built.stderr)
        );
        Some(out)
    })
    .as_deref()
}

/// What upstream printed for `verb` on the network list, or its error text.
pub fn upstream(net: &Net, verb: &str, ctr: &str, flags: &[&str]) -> Result<String, String> {
    upstream_on(net, &net.list_path, verb, ctr, flags)
}

/// What upstream printed for `verb` on the configuration file `conf` (a
/// list, or one plugin's for the `*net` verbs), or its error text.
pub fn upstream_on(
    net: &Net,
    conf: &Path,
    verb: &str,
    ctr: &str,
    flags: &[&str],
) -> Result<String, String> {
    let out = Command::new(driver().unwrap())
        .args(flags)
        .arg(verb)
        .arg(conf)
        .arg(&net.cache)
        .args([ctr, &net.netns(ctr), "eth0", plugin_dir()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).trim_end().to_owned();
    match out.status.code() {
        Some(0) => Ok(stdout),
        Some(1) => {
            let text = String::from_utf8_lossy(&out.stderr);
            Err(text.strip_suffix('\n').unwrap_or(&text).to_owned())
        }
        other => panic!(
            "driver {verb} exited {other:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// Upstream's ADD with this test's CNI args and capability args.
pub fn upstream_add(net: &Net, ctr: &str) -> Value {
    let args = json!([["K", "V"]]).to_string();
    let caps = json!({"mac": MAC, "other": 1}).to_string();
    let out = upstream(net, "add", ctr, &["-args", &args, "-caps", &caps]).unwrap();
    serde_json::from_str(&out).unwrap()
}

// ---------------------------------------------------------------------------
// The network list, its cache and its log

pub fn plugin_dir() -> &'static str {
    Path::new(crate::common::plugin())
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
}

/// A network list in a scratch directory, with its cache and the plugins'
/// command log.
pub struct Net {
    dir: tempfile::TempDir,
    pub list_path: PathBuf,
    pub cache: PathBuf,
    pub logs: PathBuf,
    pub bytes: Vec<u8>,
    pub list: NetworkConfigList,
}

impl Net {
    /// Two test plugins at 1.1.0, the second taking the `mac` capability.
    pub fn new() -> Net {
        Net::with("1.1.0", |_| {
            vec![
                json!({"type": "cni-test-plugin"}),
                json!({"type": "cni-test-plugin", "capabilities": {"mac": true}}),
            ]
        })
    }

    /// The list `NET` at `version` of the plugins `plugins` makes, given
    /// the scratch directory; every plugin gets the `logDir` key.
    pub fn with(version: &str, plugins: impl FnOnce(&Path) -> Vec<Value>) -> Net {
        let dir = crate::common::tempdir();
        let logs = dir.path().join("log");
        std::fs::create_dir(&logs).unwrap();
        let plugins: Vec<Value> = plugins(dir.path())
            .into_iter()
            .map(|mut p| {
                p["logDir"] = json!(logs);
                p
            })
            .collect();
        let text = format!(
            "{}\n",
            json!({"cniVersion": version, "name": NET, "plugins": plugins})
        );
        let list_path = dir.path().join("net.conflist");
        std::fs::write(&list_path, &text).unwrap();
        let list = conf_list_from_bytes(text.as_bytes()).unwrap();
        let cache = dir.path().join("cache");
        Net {
            list_path,
            cache,
            logs,
            bytes: text.into_bytes(),
            list,
            dir,
        }
    }

    /// Writes `name` in the scratch directory; its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The scratch directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn netns(&self, ctr: &str) -> String {
        format!("/var/run/netns/{ctr}")
    }

    pub fn ours(&self) -> CniConfig {
        CniConfig::with_cache_dir(vec![plugin_dir().to_owned()], &self.cache, None)
    }

    pub fn rt(&self, ctr: &str) -> RuntimeConf {
        let mut caps = serde_json::Map::new();
        caps.insert("mac".into(), json!(MAC));
        caps.insert("other".into(), json!(1));
        RuntimeConf {
            container_id: ctr.into(),
            netns: self.netns(ctr),
            if_name: "eth0".into(),
            args: vec![("K".into(), "V".into())],
            capability_args: caps,
            ..Default::default()
        }
    }

    pub fn cache_file(&self, ctr: &str) -> PathBuf {
        self.cache.join("results").join(format!("{NET}-{ctr}-eth0"))
    }

    pub fn cache_json(&self, ctr: &str) -> Value {
        serde_json::from_slice(&std::fs::read(self.cache_file(ctr)).unwrap()).unwrap()
    }

    /// The command log lines of one attachment (or of `GC.log`).
    pub fn log(&self, file: &str) -> Vec<Value> {
        match std::fs::read_to_string(self.logs.join(file)) {
            Ok(text) => text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    pub fn commands(&self, ctr: &str, command: &str) -> Vec<Value> {
        self.log(&format!("{ctr}-eth0.log"))
            .into_iter()
            .filter(|l| l["command"] == command)
            .collect()
    }
}

pub fn ctx() -> Context {
    Context::background()
}
