//! `cni-test-plugin`: the CNI plugin that every test suite runs as a real
//! child process. Its behaviour is scripted by a JSON "debug file", in the
//! spirit of upstream's `plugins/test/noop`.
//!
//! # Finding the debug file
//!
//! 1. `CNI_ARGS` (`K=V;K=V`) containing `DEBUG=/path/to/debug.json`, else
//! 2. the environment variable `CNI_TEST_PLUGIN_DEBUG` (if non-empty), else
//! 3. no debug file: the plugin behaves as a small real plugin (below).
//!
//! The debug file is a JSON object. Its top-level keys are the default
//! behaviour; an optional `"commands": {"ADD": {...}, "VERSION": {...}}`
//! object overrides keys for one `CNI_COMMAND`. If a command section sets any
//! output key (`stdout`, `result`, `error`, `echoStdin`) it replaces whichever
//! output the top level chose. Unknown keys, wrong types, unreadable files
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
//! * `"recordAppend": "/path/log"` — append the line `CNI_COMMAND\n`.
//! * `"grandchild": {"sleepMs": N}` — fork a grandchild that inherits fds
//!   0, 1 and 2, sleeps N ms and exits; the plugin carries on.
//!   `"grandchildPidFile": "/path"` — atomically write its pid there.
//! * `"sleepMs": N` — sleep N ms.
//! * `"stderr": "text"` — write text to stderr.
//! * `"stdoutMiB": N`, `"stderrMiB": N` — write round(N * 1048576) bytes
//!   (N may be fractional) of [`PATTERN`] repeated (byte i is
//!   `PATTERN[i % 64]`). With both, writes alternate in 64 KiB chunks,
//!   stdout first, so a caller draining only one stream deadlocks.
//! * At most one of: `"stdout": "text"` (written raw), `"result": value`
//!   (compact JSON), `"error": value` (compact JSON; exit code becomes 1
//!   unless `exitCode` is given), `"echoStdin": true` (the stdin bytes;
//!   needs `readStdin`).
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
//! # Without a debug file
//!
//! stdin is always read to EOF, then per `CNI_COMMAND`:
//! `VERSION` prints the supported versions (up to 1.1.0); `ADD` prints a
//! result in the config's `cniVersion` format (default 0.1.0; unsupported →
//! error 1; bad JSON → error 6 `decoding failure`); `CHECK`, `DEL`, `STATUS`,
//! `GC` succeed silently; anything else prints error 4
//! `unknown CNI_COMMAND: X`. Errors exit 1.
//!
//! # Process hygiene
//!
//! The binary uses `#![no_main]`: Rust's normal runtime start-up would
//! ignore SIGPIPE (visible in `sigign`) and reopen closed fds 0-2 on
//! /dev/null (hiding what the caller really passed). With a C `main` the
//! plugin sees exactly what its caller set up, like a Go or C plugin would.

#![no_main]

use serde_json::{json, Map, Value};
use std::ffi::CStr;
use std::io;
use std::os::raw::{c_char, c_int};
use std::time::Duration;

/// The 64-byte unit repeated by `stdoutMiB` / `stderrMiB`.
const PATTERN: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n";
const CHUNK: usize = 64 * 1024;
const MIB: f64 = 1048576.0;

const SUPPORTED: [&str; 7] = [
    "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0",
];
const OUTPUT_KEYS: [&str; 4] = ["stdout", "result", "error", "echoStdin"];
const KEYS: [&str; 19] = [
    "onSigterm",
    "readStdin",
    "record",
    "recordAppend",
    "grandchild",
    "grandchildPidFile",
    "sleepMs",
    "stderr",
    "stdoutMiB",
    "stderrMiB",
    "stdout",
    "result",
    "error",
    "echoStdin",
    "closeStdoutAndSleepMs",
    "signal",
    "coreDump",
    "exitCode",
    "commands",
];

type Res<T> = Result<T, String>;

#[no_mangle]
pub extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    let command = std::env::var("CNI_COMMAND").ok();
    match debug_path() {
        None => real_plugin(command.as_deref().unwrap_or("")),
        Some(path) => match load_script(&path, command.as_deref()).and_then(|s| s.run(command)) {
            Ok(code) => code,
            Err(msg) => {
                let _ = write_fd(
                    1,
                    json!({"code": 999, "msg": format!("test plugin: {msg}")})
                        .to_string()
                        .as_bytes(),
                );
                2
            }
        },
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

fn real_plugin(command: &str) -> c_int {
    let stdin = read_stdin().unwrap_or_default();
    match command {
        "VERSION" => {
            let out = json!({"cniVersion": "1.1.0", "supportedVersions": SUPPORTED});
            print_json(&out);
            0
        }
        "ADD" => add(&stdin),
        "CHECK" | "DEL" | "STATUS" | "GC" => 0,
        other => cni_fail(4, &format!("unknown CNI_COMMAND: {other}"), None),
    }
}

fn add(stdin: &[u8]) -> c_int {
    let version = match serde_json::from_slice::<Value>(stdin) {
        Ok(Value::Object(conf)) => match conf.get("cniVersion") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(v)) => v.clone(),
            Some(_) => return cni_fail(6, "decoding failure", Some("cniVersion is not a string")),
        },
        Ok(_) => return cni_fail(6, "decoding failure", Some("config is not a JSON object")),
        Err(e) => return cni_fail(6, "decoding failure", Some(&e.to_string())),
    };
    let version = if version.is_empty() {
        "0.1.0".to_owned()
    } else {
        version
    };
    let ifname = std::env::var("CNI_IFNAME").unwrap_or_default();
    let netns = std::env::var("CNI_NETNS").unwrap_or_default();
    let result = match version.as_str() {
        "0.1.0" | "0.2.0" => json!({
            "cniVersion": version,
            "ip4": {"ip": "10.1.2.3/24", "gateway": "10.1.2.1"},
            "dns": {},
        }),
        "0.3.0" | "0.3.1" | "0.4.0" | "1.0.0" | "1.1.0" => {
            let mut ip = json!({"interface": 0, "address": "10.1.2.3/24", "gateway": "10.1.2.1"});
            if !version.starts_with("1.") {
                ip["version"] = json!("4");
            }
            json!({
                "cniVersion": version,
                "interfaces": [{"name": ifname, "sandbox": netns}],
                "ips": [ip],
                "dns": {},
            })
        }
        _ => {
            // Go's %q formatting of the version and of the []string.
            let quoted: Vec<String> = SUPPORTED.iter().map(|v| format!("\"{v}\"")).collect();
            let details = format!(
                "config is {:?}, plugin supports [{}]",
                version,
                quoted.join(" ")
            );
            return cni_fail(1, "incompatible CNI versions", Some(&details));
        }
    };
    print_json(&result);
    0
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
    let _ = write_fd(1, v.to_string().as_bytes());
}

// ---------------------------------------------------------------------------
// Scripted mode

enum Output {
    Nothing,
    Raw(String),
    Json(Value),
    Error(Value),
    EchoStdin,
}

struct Script {
    on_sigterm: Option<String>,
    read_stdin: bool,
    record: Option<String>,
    record_append: Option<String>,
    grandchild_ms: Option<u64>,
    grandchild_pid_file: Option<String>,
    sleep_ms: Option<u64>,
    stderr: Option<String>,
    stdout_bytes: usize,
    stderr_bytes: usize,
    output: Output,
    close_and_sleep_ms: Option<u64>,
    signal: Option<c_int>,
    core_dump_dir: Option<String>,
    exit_code: Option<c_int>,
}

/// Reads the debug file, validates every section, and merges the section
/// for `command` over the top level.
fn load_script(path: &str, command: Option<&str>) -> Res<Script> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read debug file {path}: {e}"))?;
    let mut top = match serde_json::from_slice(&text) {
        Ok(Value::Object(m)) => m,
        Ok(_) => return Err(format!("debug file {path} is not a JSON object")),
        Err(e) => return Err(format!("bad JSON in debug file {path}: {e}")),
    };
    let commands = match top.remove("commands") {
        None => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => return Err("\"commands\" must be an object".into()),
    };
    let mut section = None;
    for (name, value) in commands {
        let Value::Object(map) = value else {
            return Err(format!("commands.{name} must be an object"));
        };
        Script::parse(&map).map_err(|e| format!("commands.{name}: {e}"))?;
        if command == Some(name.as_str()) {
            section = Some(map);
        }
    }
    if let Some(section) = section {
        if OUTPUT_KEYS.iter().any(|k| section.contains_key(*k)) {
            top.retain(|k, _| !OUTPUT_KEYS.contains(&k.as_str()));
        }
        top.extend(section);
    }
    Script::parse(&top)
}

impl Script {
    fn parse(map: &Map<String, Value>) -> Res<Script> {
        if let Some(k) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!("unknown key {k:?}"));
        }
        if map.contains_key("commands") {
            return Err("\"commands\" is only allowed at the top level".into());
        }
        let f = Fields(map);
        let grandchild_ms = match map.get("grandchild") {
            None => None,
            Some(Value::Object(g)) => match (g.len(), Fields(g).ms("sleepMs")?) {
                (1, Some(ms)) => Some(ms),
                _ => return Err("\"grandchild\" must be {\"sleepMs\": N}".into()),
            },
            Some(_) => return Err("\"grandchild\" must be an object".into()),
        };
        let read_stdin = f.bool("readStdin")?.unwrap_or(true);
        let mut outputs = Vec::new();
        if let Some(s) = f.string("stdout")? {
            outputs.push(Output::Raw(s));
        }
        if let Some(v) = map.get("result") {
            outputs.push(Output::Json(v.clone()));
        }
        if let Some(v) = map.get("error") {
            outputs.push(Output::Error(v.clone()));
        }
        if f.bool("echoStdin")? == Some(true) {
            if !read_stdin {
                return Err("\"echoStdin\" needs \"readStdin\": true".into());
            }
            outputs.push(Output::EchoStdin);
        }
        if outputs.len() > 1 {
            return Err("at most one of stdout, result, error, echoStdin".into());
        }
        let signal = f.int("signal", 1..=64)?;
        let core_dump_dir = f.string("coreDump")?;
        if core_dump_dir.is_some() && signal.is_none() {
            return Err("\"coreDump\" needs \"signal\"".into());
        }
        let exit_code = f.int("exitCode", 0..=255)?;
        Ok(Script {
            on_sigterm: f.string("onSigterm")?,
            read_stdin,
            record: f.string("record")?,
            record_append: f.string("recordAppend")?,
            grandchild_ms,
            grandchild_pid_file: f.string("grandchildPidFile")?,
            sleep_ms: f.ms("sleepMs")?,
            stderr: f.string("stderr")?,
            stdout_bytes: f.mib("stdoutMiB")?,
            stderr_bytes: f.mib("stderrMiB")?,
            output: outputs.pop().unwrap_or(Output::Nothing),
            close_and_sleep_ms: f.ms("closeStdoutAndSleepMs")?,
            signal,
            core_dump_dir,
            exit_code,
        })
    }

    fn run(self, command: Option<String>) -> Res<c_int> {
        if let Some(path) = &self.on_sigterm {
            catch_sigterm(path)?;
        }
        let stdin = if self.read_stdin {
            Some(read_stdin().map_err(|e| format!("reading stdin: {e}"))?)
        } else {
            None
        };
        if let Some(path) = &self.record {
            let record = record(command.as_deref(), stdin.as_deref());
            atomic_write(path, record.to_string().as_bytes())?;
        }
        if let Some(path) = &self.record_append {
            append_line(path, command.as_deref().unwrap_or(""))?;
        }
        if let Some(ms) = self.grandchild_ms {
            let pid = spawn_grandchild(ms)?;
            if let Some(path) = &self.grandchild_pid_file {
                atomic_write(path, pid.to_string().as_bytes())?;
            }
        }
        if let Some(ms) = self.sleep_ms {
            sleep_ms(ms);
        }
        if let Some(text) = &self.stderr {
            write_fd(2, text.as_bytes()).map_err(|e| format!("writing stderr: {e}"))?;
        }
        flood(self.stdout_bytes, self.stderr_bytes)?;
        let mut exit = 0;
        let out = match self.output {
            Output::Nothing => Vec::new(),
            Output::Raw(s) => s.into_bytes(),
            Output::Json(v) => v.to_string().into_bytes(),
            Output::Error(v) => {
                exit = 1;
                v.to_string().into_bytes()
            }
            Output::EchoStdin => stdin.unwrap_or_default(),
        };
        write_fd(1, &out).map_err(|e| format!("writing stdout: {e}"))?;
        if let Some(ms) = self.close_and_sleep_ms {
            // SAFETY: closing our own standard fds; nothing else uses them.
            unsafe {
                libc::close(1);
                libc::close(2);
            }
            sleep_ms(ms);
        }
        if let Some(sig) = self.signal {
            die_by_signal(sig, self.core_dump_dir.as_deref())?;
        }
        Ok(self.exit_code.unwrap_or(exit))
    }
}

/// Typed, optional accessors over one debug-file object.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn get<T>(&self, key: &str, what: &str, conv: impl Fn(&Value) -> Option<T>) -> Res<Option<T>> {
        match self.0.get(key) {
            None => Ok(None),
            Some(v) => conv(v)
                .map(Some)
                .ok_or_else(|| format!("{key:?} must be {what}, got {v}")),
        }
    }
    fn string(&self, key: &str) -> Res<Option<String>> {
        self.get(key, "a string", |v| v.as_str().map(str::to_owned))
    }
    fn bool(&self, key: &str) -> Res<Option<bool>> {
        self.get(key, "a boolean", Value::as_bool)
    }
    fn ms(&self, key: &str) -> Res<Option<u64>> {
        self.get(key, "a non-negative integer", Value::as_u64)
    }
    fn int(&self, key: &str, range: std::ops::RangeInclusive<i64>) -> Res<Option<c_int>> {
        let what = format!("an integer in {range:?}");
        self.get(key, &what, |v| {
            v.as_i64().filter(|n| range.contains(n)).map(|n| n as c_int)
        })
    }
    fn mib(&self, key: &str) -> Res<usize> {
        let n = self.get(key, "a non-negative number", |v| {
            v.as_f64().filter(|n| n.is_finite() && *n >= 0.0)
        })?;
        Ok(n.map_or(0, |n| (n * MIB).round() as usize))
    }
}

/// What the plugin saw, for `"record"`.
fn record(command: Option<&str>, stdin: Option<&[u8]>) -> Value {
    let env_list = environ();
    let mut env = Map::new();
    for entry in &env_list {
        let (k, v) = entry.split_once('=').unwrap_or((entry, ""));
        env.entry(k).or_insert_with(|| json!(v));
    }
    let fds = open_fds(); // before anything below opens a file
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let status_field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
    };
    let argv: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // SAFETY: these calls have no preconditions.
    let (pid, ppid, pgid) = unsafe { (libc::getpid(), libc::getppid(), libc::getpgrp()) };
    json!({
        "command": command,
        "stdin": stdin.map(String::from_utf8_lossy),
        "stdinLen": stdin.map(<[u8]>::len),
        "env": env,
        "envList": env_list,
        "fds": fds,
        "pid": pid,
        "ppid": ppid,
        "pgid": pgid,
        "sigmask": status_field("SigBlk:"),
        "sigign": status_field("SigIgn:"),
        "argv": argv,
        "parentThreads": std::fs::read_dir(format!("/proc/{ppid}/task")).ok().map(Iterator::count),
    })
}

/// The raw `environ` entries, in order, duplicates and all.
fn environ() -> Vec<String> {
    extern "C" {
        static environ: *const *const c_char;
    }
    let mut out = Vec::new();
    // SAFETY: single-threaded; environ is a NULL-terminated array of C strings.
    unsafe {
        let mut p = environ;
        while !p.is_null() && !(*p).is_null() {
            out.push(CStr::from_ptr(*p).to_string_lossy().into_owned());
            p = p.add(1);
        }
    }
    out
}

/// Numbers in /proc/self/fd, excluding the descriptor used to list them.
fn open_fds() -> Vec<c_int> {
    let mut fds = Vec::new();
    // SAFETY: plain opendir/readdir/closedir on a handle we own.
    unsafe {
        let dir = libc::opendir(c"/proc/self/fd".as_ptr());
        if dir.is_null() {
            return fds;
        }
        let own = libc::dirfd(dir);
        loop {
            let ent = libc::readdir(dir);
            if ent.is_null() {
                break;
            }
            let name = CStr::from_ptr((*ent).d_name.as_ptr());
            match name.to_str().ok().and_then(|s| s.parse().ok()) {
                Some(fd) if fd != own => fds.push(fd),
                _ => {}
            }
        }
        libc::closedir(dir);
    }
    fds.sort_unstable();
    fds
}

fn atomic_write(path: &str, data: &[u8]) -> Res<()> {
    let tmp = format!("{path}.tmp{}", std::process::id());
    std::fs::write(&tmp, data)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("writing {path}: {e}"))
}

fn append_line(path: &str, line: &str) -> Res<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(format!("{line}\n").as_bytes()))
        .map_err(|e| format!("appending to {path}: {e}"))
}

/// Forks a grandchild that holds the inherited fds, sleeps, and exits.
fn spawn_grandchild(ms: u64) -> Res<libc::pid_t> {
    // SAFETY: the process is single-threaded; the child only sleeps and _exits.
    match unsafe { libc::fork() } {
        -1 => Err(format!("fork: {}", io::Error::last_os_error())),
        0 => {
            sleep_ms(ms);
            unsafe { libc::_exit(0) }
        }
        pid => Ok(pid),
    }
}

/// Where the SIGTERM handler writes; set once, before the handler exists.
static SIGTERM_FILE: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();

/// Installs the `onSigterm` handler.
fn catch_sigterm(path: &str) -> Res<()> {
    let c = std::ffi::CString::new(path).map_err(|_| "\"onSigterm\" holds a NUL".to_string())?;
    let _ = SIGTERM_FILE.set(c);
    // SAFETY: installs a handler that only makes async-signal-safe calls.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_sigterm as *const () as libc::sighandler_t;
        sa.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut sa.sa_mask);
        if libc::sigaction(libc::SIGTERM, &sa, std::ptr::null_mut()) != 0 {
            return Err(format!("sigaction: {}", io::Error::last_os_error()));
        }
    }
    Ok(())
}

/// The SIGTERM handler: the arrival time, in decimal nanoseconds, as a line
/// appended to [`SIGTERM_FILE`] (one write, so lines never interleave). Only clock_gettime, open, write and close: all
/// async-signal-safe; the digits are formatted on the stack.
extern "C" fn on_sigterm(_: c_int) {
    let Some(path) = SIGTERM_FILE.get() else {
        return;
    };
    // SAFETY: async-signal-safe syscalls on local buffers and a CString
    // that lives for the whole process.
    unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts);
        let mut n = ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64;
        let mut digits = [0u8; 21];
        digits[20] = b'\n';
        let mut i = digits.len() - 1;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let fd = libc::open(
            path.as_ptr(),
            libc::O_WRONLY | libc::O_CREAT | libc::O_APPEND | libc::O_CLOEXEC,
            0o644,
        );
        if fd >= 0 {
            libc::write(fd, digits[i..].as_ptr().cast(), digits.len() - i);
            libc::close(fd);
        }
    }
}

/// Writes `out` bytes to stdout and `err` bytes to stderr, alternating
/// 64 KiB chunks (stdout first).
fn flood(mut out: usize, mut err: usize) -> Res<()> {
    if out == 0 && err == 0 {
        return Ok(());
    }
    let chunk: Vec<u8> = PATTERN.iter().copied().cycle().take(CHUNK).collect();
    while out > 0 || err > 0 {
        for (fd, left) in [(1, &mut out), (2, &mut err)] {
            let n = (*left).min(CHUNK);
            if n > 0 {
                write_fd(fd, &chunk[..n]).map_err(|e| format!("flooding fd {fd}: {e}"))?;
                *left -= n;
            }
        }
    }
    Ok(())
}

/// Kills the process with `sig`, without a core dump, or with one written
/// in `core_dir`; returns only if that did not work.
fn die_by_signal(sig: c_int, core_dir: Option<&str>) -> Res<()> {
    if let Some(dir) = core_dir {
        std::env::set_current_dir(dir).map_err(|e| format!("chdir {dir}: {e}"))?;
    }
    // SAFETY: plain syscalls on our own process.
    unsafe {
        let mut core: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_CORE, &mut core) == 0 {
            if core_dir.is_none() {
                core.rlim_cur = 0;
                libc::setrlimit(libc::RLIMIT_CORE, &core);
            } else {
                let unlimited = libc::rlimit {
                    rlim_cur: libc::RLIM_INFINITY,
                    rlim_max: libc::RLIM_INFINITY,
                };
                if libc::setrlimit(libc::RLIMIT_CORE, &unlimited) != 0 {
                    core.rlim_cur = core.rlim_max;
                    libc::setrlimit(libc::RLIMIT_CORE, &core);
                }
            }
        }
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        if libc::kill(libc::getpid(), sig) != 0 {
            return Err(format!("kill(self, {sig}): {}", io::Error::last_os_error()));
        }
    }
    Err(format!("signal {sig} did not terminate the plugin"))
}

// ---------------------------------------------------------------------------
// Raw fd I/O: fds 0-2 may be closed or odd, so no std handles are involved.

fn read_stdin() -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        // SAFETY: buf is a valid writable buffer of buf.len() bytes.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        match n {
            0 => return Ok(data),
            n if n > 0 => data.extend_from_slice(&buf[..n as usize]),
            _ => {
                let e = io::Error::last_os_error();
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
}

fn write_fd(fd: c_int, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        // SAFETY: buf is a valid readable buffer of buf.len() bytes.
        let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        buf = &buf[n as usize..];
    }
    Ok(())
}

fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}
