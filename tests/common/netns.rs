//! Network namespaces for the real-plugin tests: made and removed here, and
//! a thread that joins one, so the plugins' "host" is a namespace too and
//! the machine's own network is never touched.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Whether the real-plugin tests can run: root, the `plugins` in `dir`, and
/// the `tools` (run with `-V`). If not, the test skips with the reason, or
/// fails with it when CNI_REQUIRE_REAL_PLUGINS=1.
pub fn available(dir: &str, plugins: &[&str], tools: &[&str]) -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let missing: Vec<String> = plugins
        .iter()
        .filter(|p| !std::path::Path::new(dir).join(p).is_file())
        .map(|p| format!("{dir}/{p}"))
        .chain(
            tools
                .iter()
                .filter(|t| Command::new(t).arg("-V").output().is_err())
                .map(|t| t.to_string()),
        )
        .collect();
    if root && missing.is_empty() {
        return true;
    }
    let why = format!("root={root}, missing: [{}]", missing.join(", "));
    if std::env::var("CNI_REQUIRE_REAL_PLUGINS").as_deref() == Ok("1") {
        panic!("real-plugin tests required but cannot run: {why}");
    }
    eprintln!("SKIPPED real-plugin test: {why}");
    false
}

/// A network namespace that is deleted on drop.
pub struct Netns {
    pub name: String,
}

impl Netns {
    pub fn new(tag: &str) -> Netns {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "cnii-{}-{}-{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        ip(&["netns", "add", &name]).expect("ip netns add");
        Netns { name }
    }

    pub fn path(&self) -> String {
        format!("/var/run/netns/{}", self.name)
    }

    /// `ip -n NAME args…`
    pub fn ip(&self, args: &[&str]) -> Result<String, String> {
        let mut all = vec!["-n", self.name.as_str()];
        all.extend_from_slice(args);
        ip(&all)
    }

    /// `ip netns exec NAME program args…`
    pub fn exec(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let mut all = vec!["netns", "exec", self.name.as_str(), program];
        all.extend_from_slice(args);
        ip(&all)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = ip(&["netns", "del", &self.name]);
    }
}

/// `ip args…`: its stdout, or its stderr as the error.
pub fn ip(args: &[&str]) -> Result<String, String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Run `f` on a thread that has joined `host`'s network namespace: the
/// plugins it starts see that namespace as their host.
pub fn in_netns<T: Send>(host: &Netns, f: impl FnOnce() -> T + Send) -> T {
    let path = host.path();
    std::thread::scope(|s| {
        s.spawn(move || {
            let file = std::fs::File::open(&path).expect("open netns");
            use std::os::fd::AsRawFd;
            // SAFETY: setns on this thread only, with a namespace fd we hold.
            let r = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(r, 0, "setns: {}", std::io::Error::last_os_error());
            f()
        })
        .join()
        .unwrap()
    })
}
