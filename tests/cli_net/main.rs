//! `cniinvoke net` (cnitool's command line on the network-list layer),
//! driven as a built binary against the test plugin, side by side with
//! upstream's cnitool, and with Debian's real plugins as root.
//!
//! The test plugin is put on CNI_PATH behind small wrapper scripts named
//! `tp-a`, `tp-b`, … that log `NAME COMMAND CONTAINERID IFNAME NETNS` to a
//! shared file, keep each call's stdin and environment, and use the debug
//! file `NAME.json` when the test wrote one.

#[path = "../common/mod.rs"]
mod common;

mod chain;
mod cnitool;
mod commands;
mod inspect;
mod real;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

/// A scratch world: configurations, wrapped plugins, a cache, a log.
pub struct Net {
    pub dir: tempfile::TempDir,
}

impl Default for Net {
    fn default() -> Self {
        Net::new()
    }
}

impl Net {
    /// With wrapper plugins `tp-a`, `tp-b`, `tp-c`.
    pub fn new() -> Net {
        let net = Net {
            dir: common::tempdir(),
        };
        for d in ["net", "bin", "cache", "calls"] {
            std::fs::create_dir(net.path(d)).unwrap();
        }
        for name in ["tp-a", "tp-b", "tp-c"] {
            net.wrapper(name);
        }
        net
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn netdir(&self) -> PathBuf {
        self.path("net")
    }

    pub fn cache(&self) -> String {
        self.path("cache").to_string_lossy().into_owned()
    }

    fn wrapper(&self, name: &str) {
        let calls = self.path("calls");
        let c = calls.display();
        let script = format!(
            "#!/bin/sh\n\
             cat > \"{c}/{name}.$CNI_COMMAND.stdin\"\n\
             env > \"{c}/{name}.$CNI_COMMAND.env\"\n\
             echo \"{name} $CNI_COMMAND $CNI_CONTAINERID $CNI_IFNAME $CNI_NETNS\" >> \"{c}/log\"\n\
             if [ -f \"{c}/{name}.json\" ]; then export CNI_TEST_PLUGIN_DEBUG=\"{c}/{name}.json\"; fi\n\
             exec \"{plugin}\" < \"{c}/{name}.$CNI_COMMAND.stdin\"\n",
            plugin = common::plugin()
        );
        let file = self.path(&format!("bin/{name}"));
        std::fs::write(&file, script).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// Write a configuration file into the configuration directory.
    pub fn conf(&self, file: &str, text: &str) {
        std::fs::write(self.netdir().join(file), text).unwrap();
    }

    /// A two-plugin list `name` at `version`: tp-a (capabilities mac and
    /// portMappings) then tp-b.
    pub fn list(&self, name: &str, version: &str) {
        self.conf(
            &format!("10-{name}.conflist"),
            &format!(
                r#"{{"cniVersion":"{version}","name":"{name}","plugins":[
                   {{"type":"tp-a","capabilities":{{"mac":true,"portMappings":true}}}},
                   {{"type":"tp-b","capabilities":{{"bandwidth":false}}}}]}}"#
            ),
        );
    }

    /// The debug file of one wrapped plugin.
    pub fn debug(&self, plugin: &str, script: Value) {
        std::fs::write(
            self.path(&format!("calls/{plugin}.json")),
            script.to_string(),
        )
        .unwrap();
    }

    /// The calls logged so far: `NAME COMMAND CONTAINERID IFNAME NETNS`.
    pub fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("calls/log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// `NAME COMMAND` of the calls logged so far.
    pub fn calls(&self) -> Vec<String> {
        self.log()
            .iter()
            .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// What `plugin` read on stdin for `command`, as JSON.
    pub fn stdin(&self, plugin: &str, command: &str) -> Value {
        let f = self.path(&format!("calls/{plugin}.{command}.stdin"));
        serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap()
    }

    /// One variable of `plugin`'s environment for `command`.
    pub fn env(&self, plugin: &str, command: &str, var: &str) -> Option<String> {
        let f = self.path(&format!("calls/{plugin}.{command}.env"));
        let text = std::fs::read_to_string(f).unwrap();
        let prefix = format!("{var}=");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
    }

    /// The names in the cache's results directory.
    pub fn cached(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.path("cache/results"))
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter(|n| !n.starts_with('.') && !n.ends_with(".lock"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// `cniinvoke ARGS` with NETCONFPATH and CNI_PATH pointing here and the
    /// other cnitool variables unset.
    pub fn cmd(&self, args: &[&str]) -> Command {
        self.command(env!("CARGO_BIN_EXE_cniinvoke"), args)
    }

    /// `PROGRAM ARGS` in this world's environment (see [`Net::cmd`]).
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .env("NETCONFPATH", self.netdir())
            .env("CNI_PATH", self.path("bin"))
            .env_remove("CNI_ARGS")
            .env_remove("CAP_ARGS")
            .env_remove("CNI_IFNAME")
            .env_remove("CNI_TEST_PLUGIN_DEBUG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Run `cniinvoke ARGS` with extra environment variables.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.cmd(args);
        c.envs(env.iter().copied());
        c.output().unwrap()
    }

    /// Start `cniinvoke ARGS` without waiting.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.cmd(args).spawn().unwrap()
    }
}

/// stdout and stderr as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Assert success and return stdout.
#[track_caller]
pub fn ok(out: &Output) -> String {
    let (o, e) = text(out);
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {o}\nstderr: {e}",
        out.status
    );
    o
}

/// Assert exit `code` and exactly `stderr` (one line).
#[track_caller]
pub fn fails(out: &Output, code: i32, stderr: &str) {
    let (o, e) = text(out);
    assert_eq!(out.status.code(), Some(code), "stdout: {o}\nstderr: {e}");
    assert_eq!(e, format!("{stderr}\n"));
}

/// cnitool's container id of an absolute netns path, computed here with
/// coreutils' sha512sum (independently of the code under test).
pub fn cnitool_id(netns: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("sha512sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sha512sum");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(netns.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    format!("cnitool-{}", &String::from_utf8_lossy(&out.stdout)[..20])
}

/// Whether this process runs as root.
pub fn root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Wait until `what` holds (up to 10 s).
pub fn wait_for(what: impl Fn() -> bool) {
    let t = std::time::Instant::now();
    while !what() {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(10),
            "timed out waiting"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
