//! Helpers shared by the integration tests: the test plugin, debug files,
//! scratch directories.
#![allow(dead_code)]

pub mod netns;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;

/// Path of the built test plugin: `CNI_TEST_PLUGIN` if set, else built with
/// cargo into the target directory this test binary lives in.
pub fn plugin() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Ok(p) = std::env::var("CNI_TEST_PLUGIN") {
            if !p.is_empty() {
                return p;
            }
        }
        // target/<profile>/deps/<test>-<hash>
        let exe = std::env::current_exe().expect("current_exe");
        let target = exe
            .ancestors()
            .nth(3)
            .expect("test binary lives in target/<profile>/deps")
            .to_path_buf();
        let status = std::process::Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "cni-test-plugin"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("running cargo to build the test plugin");
        assert!(status.success(), "building the test plugin failed");
        let bin = target.join("debug/cni-test-plugin");
        assert!(bin.is_file(), "test plugin missing at {}", bin.display());
        bin.to_string_lossy().into_owned()
    })
}

/// A scratch directory removed on drop.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("cniinvoke-test")
        .tempdir()
        .unwrap()
}

/// A debug file for the test plugin, with its scratch directory.
pub struct Debug {
    pub dir: tempfile::TempDir,
    pub file: PathBuf,
}

impl Debug {
    pub fn new(script: Value) -> Debug {
        let d = Debug::empty();
        d.set(script);
        d
    }

    /// A debug file with no keys yet (see [`Debug::set`]), so that a script
    /// can name paths inside the scratch directory.
    pub fn empty() -> Debug {
        let dir = tempdir();
        let file = dir.path().join("debug.json");
        let d = Debug { dir, file };
        d.set(serde_json::json!({}));
        d
    }

    /// Replace the script.
    pub fn set(&self, script: Value) {
        std::fs::write(&self.file, script.to_string()).unwrap();
    }

    /// A path inside the scratch directory.
    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// `CNI_ARGS` value pointing the plugin at this file.
    pub fn cni_args(&self) -> String {
        format!("DEBUG={}", self.file.display())
    }

    /// Args for `command` that point the plugin at this file.
    pub fn args(&self, command: &str) -> cniinvoke::Args {
        cniinvoke::Args {
            command: command.into(),
            container_id: "ctr-1".into(),
            netns: "/var/run/netns/test".into(),
            if_name: "eth0".into(),
            path: "/opt/cni/bin".into(),
            plugin_args_str: self.cni_args(),
            ..Default::default()
        }
    }

    /// The environment list for these args.
    pub fn env(&self, command: &str) -> Vec<String> {
        use cniinvoke::CniArgs;
        self.args(command).as_env().unwrap()
    }

    /// The environment (`envList`) of the plugin's record `name`, in order.
    pub fn env_list(&self, name: &str) -> Vec<String> {
        let rec = self.record(name);
        let list = rec["envList"].as_array().expect("a record with envList");
        list.iter()
            .map(|e| e.as_str().expect("entries are strings").to_string())
            .collect()
    }

    /// The record the plugin wrote to `name`.
    pub fn record(&self, name: &str) -> Value {
        let text = std::fs::read_to_string(self.path(name)).expect("plugin record");
        serde_json::from_str(&text).unwrap()
    }
}

/// A minimal 1.0.0 result.
pub fn result_100() -> Value {
    json!({
        "cniVersion": "1.0.0",
        "interfaces": [{"name": "eth0", "sandbox": "/var/run/netns/test"}],
        "ips": [{"interface": 0, "address": "10.1.2.3/24", "gateway": "10.1.2.1"}],
        "dns": {}
    })
}

/// A raw runner that keeps stderr out of the test output.
pub fn quiet() -> cniinvoke::RawExec {
    cniinvoke::RawExec::new(cniinvoke::RawExecOptions {
        stderr: cniinvoke::StderrSink::Discard,
        ..Default::default()
    })
}

/// Descriptors open in this process.
pub fn open_fds() -> Vec<i32> {
    let mut v: Vec<i32> = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    v.sort();
    v
}

/// Whether this process has any child, living or zombie.
pub fn has_children() -> bool {
    let mut status = 0;
    // SAFETY: a non-blocking probe of our own children.
    let r = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    !(r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD))
}

/// Whether process `pid` has ended (gone, or a zombie waiting for whoever
/// reaps it), polled for up to two seconds: a process that a correct caller
/// killed is dead well within that, one left running is not.
pub fn ended(pid: i32) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let dead = match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            // The state is the first field after the parenthesised name.
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with(['Z', 'X'])),
        };
        if dead || std::time::Instant::now() >= deadline {
            return dead;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Asserts that every pid in `pids` has ended; on failure the survivors are
/// killed first, so a broken build leaves nothing running.
pub fn assert_ended(what: &str, pids: &[(&str, i32)]) {
    let alive: Vec<String> = pids
        .iter()
        .filter(|(_, pid)| !ended(*pid))
        .map(|(name, pid)| format!("{name} {pid}"))
        .collect();
    if !alive.is_empty() {
        for (_, pid) in pids {
            // SAFETY: kill has no memory-safety preconditions.
            unsafe { libc::kill(*pid, libc::SIGKILL) };
        }
        panic!("{what}: still running: {}", alive.join(", "));
    }
}

/// Reads a pid the test plugin wrote (`grandchildPidFile`), waiting up to
/// ten seconds for the file to appear.
pub fn wait_pid_file(path: &str) -> i32 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text.trim().parse().expect("a pid");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the plugin never wrote {path}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Skips a test for `why`, unless the environment variable `switch` is `1`
/// (`make test` sets it as root, where the tool is installed): then the
/// skip is a failure.
pub fn skip_unless_required(switch: &str, why: &str) {
    let required = std::env::var(switch).is_ok_and(|v| v == "1");
    assert!(!required, "{switch}=1, but {why}");
    eprintln!("SKIPPED: {why} (set {switch}=1 to make this a failure)");
}

/// The shortest of up to `n` measurements, stopping at the first one under
/// `bound`: a timing bound on a small, busy machine holds if the engine
/// can meet it, and a single slow scheduling does not fail the test. An
/// engine that is always slow still fails.
pub fn fastest(
    n: usize,
    bound: std::time::Duration,
    mut measure: impl FnMut() -> std::time::Duration,
) -> std::time::Duration {
    let mut best = std::time::Duration::MAX;
    for _ in 0..n {
        best = best.min(measure());
        if best < bound {
            break;
        }
    }
    best
}
