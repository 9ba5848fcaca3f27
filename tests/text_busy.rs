//! How many times a busy plugin file is tried: exactly once plus
//! `text_busy_retries`, counted, not timed.
//!
//! The count comes from the kernel. The plugin is a script whose
//! interpreter is held open for writing: every exec opens the script (an
//! inotify IN_OPEN event on it) and then fails with ETXTBSY on the
//! interpreter, so the number of IN_OPEN events is the number of attempts.

mod common;

use cniinvoke::{Context, Error, RawExec, RawExecOptions, StderrSink};
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

/// Opens, and closes too: inotify merges an event into an identical one
/// still queued, so open events are only told apart with a close between.
const WATCHED: u32 = libc::IN_OPEN | libc::IN_CLOSE_NOWRITE;

/// A script plugin whose interpreter is busy being written, and a watch
/// counting opens of the script.
struct BusyPlugin {
    _dir: tempfile::TempDir,
    script: String,
    _writer: std::fs::File,
    inotify: OwnedFd,
}

impl BusyPlugin {
    fn new() -> BusyPlugin {
        let dir = common::tempdir();
        let interp = dir.path().join("interp");
        std::fs::copy(common::plugin(), &interp).unwrap();
        std::fs::set_permissions(&interp, PermissionsExt::from_mode(0o755)).unwrap();
        let writer = std::fs::OpenOptions::new()
            .write(true)
            .open(&interp)
            .unwrap();
        let script = dir.path().join("plugin");
        std::fs::write(&script, format!("#!{}\n", interp.display())).unwrap();
        std::fs::set_permissions(&script, PermissionsExt::from_mode(0o755)).unwrap();
        // SAFETY: plain syscalls; a non-negative result is a descriptor we own.
        let inotify = unsafe {
            let fd = libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC);
            assert!(
                fd >= 0,
                "inotify_init1: {}",
                std::io::Error::last_os_error()
            );
            OwnedFd::from_raw_fd(fd)
        };
        let path = CString::new(script.to_str().unwrap()).unwrap();
        // SAFETY: a valid descriptor and NUL-terminated path.
        let wd = unsafe { libc::inotify_add_watch(inotify.as_raw_fd(), path.as_ptr(), WATCHED) };
        assert!(
            wd >= 0,
            "inotify_add_watch: {}",
            std::io::Error::last_os_error()
        );
        BusyPlugin {
            script: script.to_string_lossy().into_owned(),
            _dir: dir,
            _writer: writer,
            inotify,
        }
    }

    /// Run it once with `options`; the error and the number of attempts.
    fn run(&self, options: RawExecOptions) -> (Error, usize) {
        let exec = RawExec::new(RawExecOptions {
            stderr: StderrSink::Discard,
            ..options
        });
        let e = exec
            .exec_plugin(&Context::background(), &self.script, b"{}", None)
            .unwrap_err();
        (e, self.opens())
    }

    /// IN_OPEN events queued since the last call.
    fn opens(&self) -> usize {
        let mut buf = [0u8; 4096];
        let mut n = 0;
        loop {
            // SAFETY: reads into a live buffer of its own length.
            let got =
                unsafe { libc::read(self.inotify.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if got <= 0 {
                return n;
            }
            let mut off = 0;
            while off < got as usize {
                let len = u32::from_ne_bytes(buf[off + 12..off + 16].try_into().unwrap());
                let mask = u32::from_ne_bytes(buf[off + 4..off + 8].try_into().unwrap());
                if mask & libc::IN_OPEN != 0 {
                    n += 1;
                }
                off += 16 + len as usize;
            }
        }
    }
}

fn busy_error(e: &Error, script: &str) {
    assert_eq!(
        e,
        &Error::ExecFailed(format!(
            "netplugin failed with no error message: fork/exec {script}: text file busy"
        ))
    );
}

#[test]
fn the_default_is_five_retries() {
    let p = BusyPlugin::new();
    let (e, attempts) = p.run(RawExecOptions {
        text_busy_delay: Duration::from_millis(10),
        ..Default::default()
    });
    busy_error(&e, &p.script);
    assert_eq!(attempts, 6, "one attempt and the five default retries");
}

#[test]
fn a_configured_count_is_kept_exactly() {
    let p = BusyPlugin::new();
    for retries in [0, 1, 3] {
        let (e, attempts) = p.run(RawExecOptions {
            text_busy_retries: retries,
            text_busy_delay: Duration::from_millis(5),
            ..Default::default()
        });
        busy_error(&e, &p.script);
        assert_eq!(attempts, retries as usize + 1, "{retries} retries");
    }
}
