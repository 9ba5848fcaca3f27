//! `cni-test-plugin`: the CNI plugin that every test suite runs as a real
//! child process. Its behaviour is scripted by a JSON "debug file", in the
//! spirit of upstream's `plugins/test/noop`.
//!
//! # Finding the script
//!
//! 1. The network configuration on stdin (a JSON object), whose own keys
//!    (below) take precedence because in a list all plugins share
//!    `CNI_ARGS`: `"debug": {...}` (an inline script) or
//!    `"debugFile": "/path"`; else
//! 2. `CNI_ARGS` (`K=V;K=V`) containing `DEBUG=/path/to/debug.json`, else
//! 3. the environment variable `CNI_TEST_PLUGIN_DEBUG` (if non-empty), else
//! 4. no script: the plugin behaves as a small real plugin (below).
//!
//! A debug file named by 2 or 3 is validated before stdin is read (even
//! when the configuration names its own script, so it must be valid); if it
//! says `"readStdin": false` stdin is never touched and the configuration's
//! keys do not apply. A script from the configuration cannot say
//! `"readStdin": false` (stdin has been read to find it).
//!
//! The debug file is a JSON object. Its top-level keys are the default
//! behaviour; an optional `"commands": {"ADD": {...}, "VERSION": {...}}`
//! object overrides keys for one `CNI_COMMAND`. If a command section sets any
//! output key (`stdout`, `result`, `error`, `echoStdin`, `chainResult`) it
//! replaces whichever output the top level chose. Unknown keys, wrong types, unreadable files
//! and bad JSON print `{"code":999,"msg":"test plugin: ..."}` on stdout and
//! exit 2, so a broken test is obvious. Nothing happens before the whole file
//! has been validated.
//!
//! # Keys (all optional), in the order they take effect
//!
//! * `"onSigterm": "/path"` — first of all, catch SIGTERM: each one received
//!   appends to the path a line with the CLOCK_MONOTONIC time of its
//!   arrival in nanoseconds (decimal), and the plugin carries on as if
//!   nothing happened, so only SIGKILL ends it early. A grandchild forked
//!   later inherits the handler, so a group-wide SIGTERM adds its line too.
//! * `"readStdin": bool` (default `true`) — read stdin to EOF first. When
//!   `false`, fd 0 is never touched (not read, not closed).
//! * `"record": "/path/out.json"` — after stdin, atomically (temp file +
//!   rename) write `{"command", "stdin" (lossy UTF-8, null if not read),
//!   "stdinLen" (null if not read), "env" (object; first occurrence wins like
//!   getenv), "envList" (["K=V",...] in environ order, duplicates kept),
//!   "fds" (sorted numbers from /proc/self/fd, minus the listing fd), "pid",
//!   "ppid", "pgid", "sigmask" (SigBlk hex), "sigign" (SigIgn hex), "argv",
//!   "parentThreads" (entries in /proc/<ppid>/task: how many threads the
//!   caller runs while the plugin does; null if unreadable)}`.
//!   `"recordConfig": true` — the record also gets `"prevResult"`,
//!   `"runtimeConfig"`, `"validAttachments"` (`cni.dev/valid-attachments`)
//!   and `"attachments"` (`cni.dev/attachments`) from the configuration on
//!   stdin (null when absent).
//! * `"recordAppend": "/path/log"` — append the line `CNI_COMMAND\n`.
//! * `"grandchild": {"sleepMs": N}` — fork a grandchild that inherits fds
//!   0, 1 and 2, sleeps N ms and exits; the plugin carries on. With
//!   `"stdout": "text"` beside `sleepMs`, the grandchild writes the text to
//!   stdout after its sleep.
//!   `"grandchildPidFile": "/path"` — atomically write its pid there.
//! * `"sleepMs": N` — sleep N ms.
//! * `"stderr": "text"` — write text to stderr.
//! * `"stdoutMiB": N`, `"stderrMiB": N` — write round(N * 1048576) bytes
//!   (N may be fractional) of [`sys::PATTERN`] repeated (byte i is
//!   `PATTERN[i % 64]`). With both, writes alternate in 64 KiB chunks,
//!   stdout first, so a caller draining only one stream deadlocks.
//! * At most one of: `"stdout": "text"` (written raw), `"result": value`
//!   (compact JSON), `"error": value` (compact JSON; exit code becomes 1
//!   unless `exitCode` is given), `"echoStdin": true` (the stdin bytes;
//!   needs `readStdin`), `"chainResult": true` (the result the real-plugin
//!   `ADD` would print, carrying `prevResult` through; needs `readStdin`).
//! * `"closeStdoutAndSleepMs": N` — close fds 1 and 2, then sleep N ms.
//! * `"signal": N` — die by signal N: core dumps are disabled (RLIMIT_CORE
//!   soft limit 0), the disposition reset to default and the signal
//!   unblocked, then it is sent to our own pid. If that does not kill us
//!   (e.g. SIGCHLD), it is a code-999 error.
//!   `"coreDump": "/dir"` — instead, let the kernel dump core: chdir to
//!   `/dir` (where a relative `core_pattern` puts the core) and raise the
//!   RLIMIT_CORE soft limit to the hard limit (to unlimited if we may).
//! * `"exitCode": N` (0..=255) — exit status (default 0, or 1 after `error`).
//!
//! # The configuration's own keys (all optional)
//!
//! Read from stdin when it is a JSON object (other keys are ignored; ours
//! of the wrong type are code-999 errors), they apply with or without a
//! script, in this order, after stdin was read:
//!
//! * `"debug"` / `"debugFile"` — the script (above; not both).
//! * `"logDir": "/dir"` — append one JSON line `{"command", "containerId",
//!   "ifName", "netns", "cniArgs"` (the environment's values, null if
//!   unset)`, "name", "type", "cniVersion", "prevResult", "runtimeConfig",
//!   "validAttachments"` (the configuration's values, null if absent;
//!   `validAttachments` is `cni.dev/valid-attachments`)`}` to
//!   `/dir/<CNI_CONTAINERID>-<CNI_IFNAME>.log`, or to `/dir/<CNI_COMMAND>.log`
//!   when `CNI_CONTAINERID` is empty or unset (`GC`, `STATUS`). One `write`
//!   on an `O_APPEND` descriptor, so concurrent plugins never interleave.
//! * `"failOn": ["ADD", ...]` — for a listed `CNI_COMMAND`, print the error
//!   `{"code": failCode, "msg": failMsg, "details": failDetails}` and exit 1
//!   instead of anything else (no script runs). `"failCode": N` (default
//!   100; e.g. 50/51 for `STATUS`), `"failMsg": "text"` (default
//!   `"<COMMAND> failed on request"`), `"failDetails": "text"` (default:
//!   no `details`).
//!
//! # Without a script
//!
//! stdin is always read to EOF, then per `CNI_COMMAND`:
//! `VERSION` prints the supported versions (up to 1.1.0); `ADD` prints a
//! result in the config's `cniVersion` format (default 0.1.0; unsupported →
//! error 1; bad JSON → error 6 `decoding failure`) that carries the
//! config's `prevResult` through (see the `chain` module: prevResult's
//! interfaces, ips, routes and dns, plus an interface named `CNI_IFNAME`
//! or, after n interfaces, `CNI_IFNAME-n`, with address `10.1.2.(3+n)/24`);
//! `CHECK`, `DEL`, `STATUS`, `GC` succeed silently; anything else prints
//! error 4 `unknown CNI_COMMAND: X`. Errors exit 1.
//!
//! # Process hygiene
//!
//! The binary uses `#![no_main]`: Rust's normal runtime start-up would
//! ignore SIGPIPE (visible in `sigign`) and reopen closed fds 0-2 on
//! /dev/null (hiding what the caller really passed). With a C `main` the
//! plugin sees exactly what its caller set up, like a Go or C plugin would.

#![no_main]

mod chain;
mod cmdlog;
mod conf;
mod script;
mod sys;

use conf::PluginKeys;
use serde_json::{json, Value};
use std::os::raw::{c_char, c_int};

type Res<T> = Result<T, String>;

#[no_mangle]
pub extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    let command = std::env::var("CNI_COMMAND").ok();
    match run(command) {
        Ok(code) => code,
        Err(msg) => {
            let err = json!({"code": 999, "msg": format!("test plugin: {msg}")});
            let _ = sys::write_fd(1, err.to_string().as_bytes());
            2
        }
    }
}

/// Validates the debug file named by the environment, reads stdin (unless
/// that file says not to), applies the configuration's own keys, then runs
/// the chosen script or the real-plugin mode.
fn run(command: Option<String>) -> Res<c_int> {
    let env_script = match debug_path() {
        Some(path) => Some(script::from_file(&path, command.as_deref())?),
        None => None,
    };
    if let Some(s) = &env_script {
        s.prepare()?;
    }
    let stdin = match env_script {
        Some(s) if !s.read_stdin => return s.run(command.as_deref(), None, &PluginKeys::default()),
        Some(s) => (
            Some(s),
            sys::read_stdin().map_err(|e| format!("reading stdin: {e}"))?,
        ),
        None => (None, sys::read_stdin().unwrap_or_default()),
    };
    let (env_script, stdin) = stdin;
    let keys = PluginKeys::parse(&stdin)?;
    let script = keys.script(command.as_deref())?.or(env_script);
    let name = command.as_deref().unwrap_or("");
    if let Some(dir) = &keys.log_dir {
        cmdlog::append(dir, name, &keys)?;
    }
    if let Some(code) = keys.fail(name) {
        return Ok(code);
    }
    match script {
        Some(s) => s.run(command.as_deref(), Some(stdin), &keys),
        None => Ok(real_plugin(name, &stdin)),
    }
}

/// `DEBUG=` from `CNI_ARGS`, else `CNI_TEST_PLUGIN_DEBUG`.
fn debug_path() -> Option<String> {
    let from_args = std::env::var("CNI_ARGS").ok().and_then(|args| {
        args.split(';')
            .find_map(|kv| kv.strip_prefix("DEBUG=").map(str::to_owned))
    });
    from_args
        .or_else(|| std::env::var("CNI_TEST_PLUGIN_DEBUG").ok())
        .filter(|p| !p.is_empty())
}

// ---------------------------------------------------------------------------
// Real-plugin mode

fn real_plugin(command: &str, stdin: &[u8]) -> c_int {
    match command {
        "VERSION" => {
            let out = json!({"cniVersion": "1.1.0", "supportedVersions": chain::SUPPORTED});
            print_json(&out);
            0
        }
        "ADD" => match chain::add_result(stdin) {
            Ok(result) => {
                print_json(&result);
                0
            }
            Err((code, msg, details)) => cni_fail(code, &msg, details.as_deref()),
        },
        "CHECK" | "DEL" | "STATUS" | "GC" => 0,
        other => cni_fail(4, &format!("unknown CNI_COMMAND: {other}"), None),
    }
}

fn cni_fail(code: u32, msg: &str, details: Option<&str>) -> c_int {
    let mut err = json!({"code": code, "msg": msg});
    if let Some(d) = details {
        err["details"] = json!(d);
    }
    print_json(&err);
    1
}

fn print_json(v: &Value) {
    let _ = sys::write_fd(1, v.to_string().as_bytes());
}
