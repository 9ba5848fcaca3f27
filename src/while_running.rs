//! Work a call does while its plugin runs rather than after it: between the
//! spawn and the exit the caller's thread only waits, so decoding there
//! takes that much off the call's time. Nothing changes in what a call
//! answers or in which error it reports first: the work is the same, only
//! earlier, and its outcome is used only once the plugin has succeeded.

use crate::error::Result;
use crate::exec::fixup_result_version;
use crate::types::{decode_version, CniResult};

/// What a plugin run tells its caller on the way, for work that needs no
/// more than that. The process runner calls each once at most; another
/// [`crate::exec::Exec`] calls both after its run.
pub trait WhileRunning {
    /// The plugin has started and has its stdin.
    fn started(&mut self);

    /// The plugin has closed its stdout, which held `stdout`: all it
    /// writes there, before its exit status is known. Keep it short: the
    /// run answers a cancellation only after it.
    fn stdout_closed(&mut self, stdout: &[u8]);
}

/// The largest result decoded while the plugin exits: a typical result is
/// well below a kilobyte; a larger output is decoded after the exit, so a
/// cancellation never waits for a long decode.
const DECODE_EARLY_MAX: usize = 64 << 10;

/// A plugin's result, decoded as [`crate::exec_plugin_with_result`]
/// decodes it: the configuration's version once the plugin has started,
/// the result once its stdout is complete.
pub(crate) struct ResultDecoding<'n> {
    netconf: &'n [u8],
    /// The configuration's version, once known (given, or decoded).
    conf_version: Option<Result<String>>,
    /// The result, once decoded.
    result: Option<Result<CniResult>>,
}

impl<'n> ResultDecoding<'n> {
    /// For a plugin given `netconf`, whose version may be known already.
    pub(crate) fn new(netconf: &'n [u8], conf_version: Option<&str>) -> ResultDecoding<'n> {
        ResultDecoding {
            netconf,
            conf_version: conf_version.map(|v| Ok(v.to_string())),
            result: None,
        }
    }

    /// The result of a plugin that succeeded with `stdout` (the stdout
    /// the run reported, if it reported it).
    pub(crate) fn finish(mut self, stdout: &[u8]) -> Result<CniResult> {
        match self.result.take() {
            Some(result) => result,
            None => self.decode(stdout),
        }
    }

    fn decode(&mut self, stdout: &[u8]) -> Result<CniResult> {
        let conf_version = match self.conf_version.take() {
            Some(v) => v?,
            None => decode_version(self.netconf)?,
        };
        if let Some(result) = CniResult::from_plugin_direct(stdout, &conf_version) {
            return Ok(result);
        }
        let (version, result) = fixup_result_version(conf_version, stdout)?;
        CniResult::create_parsed(&version, &result)
    }
}

impl WhileRunning for ResultDecoding<'_> {
    fn started(&mut self) {
        if self.conf_version.is_none() {
            self.conf_version = Some(decode_version(self.netconf));
        }
    }

    fn stdout_closed(&mut self, stdout: &[u8]) {
        if self.result.is_none() && stdout.len() <= DECODE_EARLY_MAX {
            self.result = Some(self.decode(stdout));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw_exec::{RawExec, RawExecOptions, StderrSink};
    use crate::{Context, PluginEnv};
    use std::os::unix::fs::PermissionsExt;
    use std::time::{Duration, Instant};

    /// When each step was told, and what stdout it was told of.
    #[derive(Default)]
    struct Steps {
        started: Option<Instant>,
        stdout_closed: Option<(Instant, Vec<u8>)>,
    }

    impl WhileRunning for Steps {
        fn started(&mut self) {
            assert!(self.started.is_none(), "started twice");
            self.started = Some(Instant::now());
        }

        fn stdout_closed(&mut self, stdout: &[u8]) {
            assert!(self.stdout_closed.is_none(), "stdout closed twice");
            self.stdout_closed = Some((Instant::now(), stdout.to_vec()));
        }
    }

    /// A plugin that writes `{"a":1}`, closes its stdout and stderr, and
    /// exits `exit` after 400 ms.
    fn closing_plugin(dir: &std::path::Path, exit: u8) -> String {
        let path = dir.join(format!("closing-{exit}"));
        let script =
            format!("#!/bin/sh\nprintf '{{\"a\":1}}'\nexec >&- 2>&-\nsleep 0.4\nexit {exit}\n");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.to_str().unwrap().to_string()
    }

    fn run(plugin: &str, steps: &mut Steps) -> (crate::Result<Vec<u8>>, Instant) {
        let exec = RawExec::new(RawExecOptions {
            stderr: StderrSink::Discard,
            ..RawExecOptions::default()
        });
        let env = PluginEnv::Entries(vec!["PATH=/usr/bin:/bin".into()]);
        let out = exec.exec_plugin_while(&Context::background(), plugin, b"{}", &env, steps);
        (out, Instant::now())
    }

    /// The runner tells of the start, then of the complete stdout while the
    /// plugin still runs (here 400 ms before its exit), with the bytes the
    /// run returns.
    #[test]
    fn the_runner_tells_of_the_closed_stdout_before_the_exit() {
        let dir = tempfile::tempdir().unwrap();
        let mut steps = Steps::default();
        let (out, returned) = run(&closing_plugin(dir.path(), 0), &mut steps);
        let out = out.unwrap();
        let started = steps.started.expect("told of the start");
        let (closed, stdout) = steps.stdout_closed.expect("told of the closed stdout");
        assert_eq!(stdout, out);
        assert_eq!(out, br#"{"a":1}"#);
        assert!(started <= closed);
        assert!(
            returned - closed >= Duration::from_millis(300),
            "told {:?} before the return",
            returned - closed
        );
    }

    /// A plugin that fails after closing its stdout: the run is its
    /// failure, whatever was told on the way.
    #[test]
    fn a_failure_after_the_closed_stdout_is_the_runs_answer() {
        let dir = tempfile::tempdir().unwrap();
        let mut steps = Steps::default();
        let (out, _) = run(&closing_plugin(dir.path(), 5), &mut steps);
        assert!(steps.stdout_closed.is_some());
        // Its stdout is read as the CNI error upstream reads there.
        assert!(matches!(out, Err(crate::Error::Plugin(_))), "{out:?}");
    }

    /// A result decoded early is the one a decode after the run gives, and
    /// an output above the early limit is decoded after the run.
    #[test]
    fn an_early_decode_is_the_decode_after_the_run() {
        let netconf = br#"{"cniVersion":"1.0.0"}"#;
        let result = br#"{"ips":[{"address":"10.0.0.2/24"}]}"#;
        let mut early = ResultDecoding::new(netconf, None);
        early.started();
        early.stdout_closed(result);
        assert!(early.result.is_some());
        let late = ResultDecoding::new(netconf, None);
        assert_eq!(
            early.finish(b"").unwrap().to_json(),
            late.finish(result).unwrap().to_json()
        );
        let mut big = ResultDecoding::new(netconf, Some("1.0.0"));
        big.stdout_closed(&vec![b' '; DECODE_EARLY_MAX + 1]);
        assert!(big.result.is_none(), "a large output decoded early");
    }
}
