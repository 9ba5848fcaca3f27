//! Scripted mode: the debug-file language (see the crate docs), parsed and
//! run.

use crate::conf::PluginKeys;
use crate::{chain, cmdlog, sys, Res};
use serde_json::{json, Map, Value};
use std::os::raw::c_int;

const MIB: f64 = 1048576.0;

const OUTPUT_KEYS: [&str; 5] = ["stdout", "result", "error", "echoStdin", "chainResult"];
const KEYS: [&str; 21] = [
    "onSigterm",
    "readStdin",
    "record",
    "recordConfig",
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
    "chainResult",
    "closeStdoutAndSleepMs",
    "signal",
    "coreDump",
    "exitCode",
    "commands",
];

enum Output {
    Nothing,
    Raw(String),
    Json(Value),
    Error(Value),
    EchoStdin,
    Chain,
}

pub struct Script {
    on_sigterm: Option<String>,
    pub read_stdin: bool,
    record: Option<String>,
    record_config: bool,
    record_append: Option<String>,
    grandchild: Option<(u64, Option<String>)>,
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

/// Reads the debug file at `path`; see [`from_map`].
pub fn from_file(path: &str, command: Option<&str>) -> Res<Script> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read debug file {path}: {e}"))?;
    match serde_json::from_slice(&text) {
        Ok(Value::Object(m)) => from_map(m, command),
        Ok(_) => Err(format!("debug file {path} is not a JSON object")),
        Err(e) => Err(format!("bad JSON in debug file {path}: {e}")),
    }
}

/// Validates every section of a script and merges the section for
/// `command` over the top level.
pub fn from_map(mut top: Map<String, Value>, command: Option<&str>) -> Res<Script> {
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
        let grandchild = match map.get("grandchild") {
            None => None,
            Some(Value::Object(g)) => {
                let gf = Fields(g);
                let (ms, text) = (gf.ms("sleepMs")?, gf.string("stdout")?);
                match (ms, g.len() == 1 + usize::from(text.is_some())) {
                    (Some(ms), true) => Some((ms, text)),
                    _ => {
                        return Err(
                            "\"grandchild\" must be {\"sleepMs\": N} or {\"sleepMs\": N, \"stdout\": \"text\"}"
                                .into(),
                        )
                    }
                }
            }
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
        if f.bool("chainResult")? == Some(true) {
            if !read_stdin {
                return Err("\"chainResult\" needs \"readStdin\": true".into());
            }
            outputs.push(Output::Chain);
        }
        if outputs.len() > 1 {
            return Err("at most one of stdout, result, error, echoStdin, chainResult".into());
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
            record_config: f.bool("recordConfig")?.unwrap_or(false),
            record_append: f.string("recordAppend")?,
            grandchild,
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

    /// Runs the script; `stdin` is what was read (`None`: not read).
    pub fn run(
        self,
        command: Option<&str>,
        stdin: Option<Vec<u8>>,
        keys: &PluginKeys,
    ) -> Res<c_int> {
        self.prepare()?;
        self.observe(command, stdin.as_deref(), keys)?;
        self.side_effects()?;
        let (out, exit) = self.output(stdin)?;
        sys::write_fd(1, &out).map_err(|e| format!("writing stdout: {e}"))?;
        self.finish(exit)
    }

    /// `onSigterm`: catch SIGTERM before anything else happens (also run
    /// again, harmlessly, when the script starts).
    pub fn prepare(&self) -> Res<()> {
        match &self.on_sigterm {
            Some(path) => sys::catch_sigterm(path),
            None => Ok(()),
        }
    }

    /// `record`, `recordConfig`, `recordAppend`.
    fn observe(&self, command: Option<&str>, stdin: Option<&[u8]>, keys: &PluginKeys) -> Res<()> {
        if let Some(path) = &self.record {
            let mut record = record(command, stdin);
            if self.record_config {
                for (key, value) in cmdlog::config_fields(keys) {
                    record[key] = value;
                }
            }
            sys::atomic_write(path, record.to_string().as_bytes())?;
        }
        if let Some(path) = &self.record_append {
            sys::append_line(path, command.unwrap_or(""))?;
        }
        Ok(())
    }

    /// `grandchild`, `sleepMs`, `stderr`, `stdoutMiB` / `stderrMiB`.
    fn side_effects(&self) -> Res<()> {
        if let Some((ms, text)) = &self.grandchild {
            let pid = sys::spawn_grandchild(*ms, text.as_deref())?;
            if let Some(path) = &self.grandchild_pid_file {
                sys::atomic_write(path, pid.to_string().as_bytes())?;
            }
        }
        if let Some(ms) = self.sleep_ms {
            sys::sleep_ms(ms);
        }
        if let Some(text) = &self.stderr {
            sys::write_fd(2, text.as_bytes()).map_err(|e| format!("writing stderr: {e}"))?;
        }
        sys::flood(self.stdout_bytes, self.stderr_bytes)
    }

    /// The bytes for stdout and the default exit status.
    fn output(&self, stdin: Option<Vec<u8>>) -> Res<(Vec<u8>, c_int)> {
        Ok(match &self.output {
            Output::Nothing => (Vec::new(), 0),
            Output::Raw(s) => (s.clone().into_bytes(), 0),
            Output::Json(v) => (v.to_string().into_bytes(), 0),
            Output::Error(v) => (v.to_string().into_bytes(), 1),
            Output::EchoStdin => (stdin.unwrap_or_default(), 0),
            Output::Chain => match chain::add_result(&stdin.unwrap_or_default()) {
                Ok(v) => (v.to_string().into_bytes(), 0),
                Err((code, msg, details)) => {
                    let mut err = json!({"code": code, "msg": msg});
                    if let Some(d) = details {
                        err["details"] = json!(d);
                    }
                    (err.to_string().into_bytes(), 1)
                }
            },
        })
    }

    /// `closeStdoutAndSleepMs`, `signal`, `exitCode`.
    fn finish(&self, exit: c_int) -> Res<c_int> {
        if let Some(ms) = self.close_and_sleep_ms {
            // SAFETY: closing our own standard fds; nothing else uses them.
            unsafe {
                libc::close(1);
                libc::close(2);
            }
            sys::sleep_ms(ms);
        }
        if let Some(sig) = self.signal {
            sys::die_by_signal(sig, self.core_dump_dir.as_deref())?;
        }
        Ok(self.exit_code.unwrap_or(exit))
    }
}

/// Typed, optional accessors over one debug-file object.
pub struct Fields<'a>(pub &'a Map<String, Value>);

impl Fields<'_> {
    fn get<T>(&self, key: &str, what: &str, conv: impl Fn(&Value) -> Option<T>) -> Res<Option<T>> {
        match self.0.get(key) {
            None => Ok(None),
            Some(v) => conv(v)
                .map(Some)
                .ok_or_else(|| format!("{key:?} must be {what}, got {v}")),
        }
    }
    pub fn string(&self, key: &str) -> Res<Option<String>> {
        self.get(key, "a string", |v| v.as_str().map(str::to_owned))
    }
    pub fn bool(&self, key: &str) -> Res<Option<bool>> {
        self.get(key, "a boolean", Value::as_bool)
    }
    pub fn ms(&self, key: &str) -> Res<Option<u64>> {
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
    let env_list = sys::environ();
    let mut env = Map::new();
    for entry in &env_list {
        let (k, v) = entry.split_once('=').unwrap_or((entry, ""));
        env.entry(k).or_insert_with(|| json!(v));
    }
    let fds = sys::open_fds(); // before anything below opens a file
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
