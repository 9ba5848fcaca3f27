//! What each fuzz target checks, one function per target.
//!
//! Included with `#[path]` by the cargo-fuzz binaries (`fuzz_targets/*.rs`)
//! and by the corpus replay test (`tests/fuzz_replay.rs`), so the fuzzer and
//! `cargo test` run exactly the same code. Every function takes the raw
//! input, must never panic on its own account, and asserts the properties
//! listed in its comment.
#![allow(dead_code)]

use cniinvoke::fuzzing;
use cniinvoke::types::{self, CniError, CniResult, ALL_VERSIONS};
use cniinvoke::{Args, CniArgs, Error, PluginInfo};

/// A target's check: panics when a property fails.
pub type Check = fn(&[u8]);

/// Every target: its name (the corpus directory) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("decode_version", decode_version),
    ("result", result),
    ("plugin_info", plugin_info),
    ("args", args),
    ("cni_error", cni_error),
    ("go_quote", go_quote),
    #[cfg(feature = "capi")]
    ("c_entry_points", c_entry_points),
    ("conf_list", conf_list),
    ("cache_entry", cache_entry),
    ("inject_conf", inject_conf),
    #[cfg(feature = "capi")]
    ("c_netlist", c_netlist),
];

#[path = "libcni_checks.rs"]
mod libcni_checks;
pub use libcni_checks::{cache_entry, conf_list, inject_conf};

#[cfg(feature = "capi")]
#[path = "c_netlist_checks.rs"]
mod c_netlist_checks;
#[cfg(feature = "capi")]
pub use c_netlist_checks::c_netlist;

/// True when `data` is strict RFC 8259 JSON (serde_json's reading, which
/// also refuses invalid UTF-8, lone surrogates and nesting beyond 128).
fn strict_json(data: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(data).is_ok()
}

/// `types::decode_version`: a non-empty version or a Decode error with
/// upstream's prefix; the config decoder agrees; input that is valid JSON
/// never gets a syntax error (only a type error).
pub fn decode_version(data: &[u8]) {
    let got = types::decode_version(data);
    assert_eq!(
        cniinvoke::version::decode_config_version(data),
        got,
        "the config decoder is decode_version"
    );
    match got {
        Ok(v) => assert!(!v.is_empty(), "an empty version must read as 0.1.0"),
        Err(Error::Decode(msg)) => {
            assert!(
                msg.starts_with("decoding version from network config: "),
                "{msg}"
            );
            if strict_json(data) {
                assert!(
                    msg.contains("json: cannot unmarshal"),
                    "valid JSON got a syntax error: {msg}"
                );
            }
        }
        Err(e) => panic!("decode_version: not a Decode error: {e:?}"),
    }
}

/// Result parsing for every version and through `from_json`; for each
/// result that parses: compact and pretty JSON are the same valid JSON,
/// the compact form parses back to itself, and every conversion either
/// fails with InvalidArgument or yields a result that round-trips too.
pub fn result(data: &[u8]) {
    for v in ALL_VERSIONS.iter().copied().chain(["", "0.5.0", "1.1"]) {
        match CniResult::create(v, data) {
            Ok(r) => {
                assert!(ALL_VERSIONS.contains(&r.cni_version()), "{r:?}");
                exercise_result(&r, true);
            }
            Err(Error::Decode(_)) => {}
            Err(Error::UnsupportedVersion(m)) => {
                assert!(!ALL_VERSIONS.contains(&v) && !v.is_empty(), "{v}: {m}")
            }
            Err(e) => panic!("create({v:?}): unexpected error kind {e:?}"),
        }
    }
    match CniResult::from_json(data) {
        Ok(r) => {
            let again = CniResult::create(r.cni_version(), data).expect("from_json = create");
            assert_eq!(again, r);
        }
        Err(Error::Decode(_) | Error::UnsupportedVersion(_)) => {}
        Err(e) => panic!("from_json: unexpected error kind {e:?}"),
    }
}

fn exercise_result(r: &CniResult, convert: bool) {
    let compact = r.to_json();
    let pretty = r.to_json_pretty();
    let a: serde_json::Value = serde_json::from_str(&compact)
        .unwrap_or_else(|e| panic!("to_json is not JSON ({e}): {compact}"));
    let b: serde_json::Value = serde_json::from_str(&pretty)
        .unwrap_or_else(|e| panic!("to_json_pretty is not JSON ({e}): {pretty}"));
    assert_eq!(a, b, "pretty and compact JSON differ");
    assert!(!compact.contains('\n'), "compact JSON has a newline");
    // The round trip: parse(to_json(x)) prints exactly to_json(x). The two
    // exceptions are upstream's own, kept because we print byte for byte
    // what Go prints: an unset CIDR (a route without `dst`, an IP without
    // `address`) prints as "<nil>", which Go cannot read back; and a 1.x
    // result writes integers through float64, so one near i64::MAX or MIN
    // prints as ±9223372036854776000, which no longer fits Go's int.
    match CniResult::create(r.cni_version(), compact.as_bytes()) {
        Ok(back) => {
            assert_eq!(back.to_json(), compact, "round trip changed the JSON");
            let from = CniResult::from_json(compact.as_bytes()).expect("reads by its version");
            assert_eq!(from.to_json(), compact);
        }
        Err(e) => {
            let e = e.to_string();
            let nil_cidr =
                compact.contains(r#""\u003cnil\u003e""#) && e == "invalid CIDR address: <nil>";
            let float_overflow = r.cni_version().starts_with("1.")
                && ["", "-"].iter().any(|sign| {
                    let n = format!("{sign}9223372036854776000");
                    compact.contains(&format!(":{n}"))
                        && e.starts_with(&format!("json: cannot unmarshal number {n} into"))
                });
            assert!(
                nil_cidr || float_overflow,
                "to_json does not parse back ({e}): {compact}"
            );
        }
    }
    if !convert {
        return;
    }
    for to in ALL_VERSIONS {
        match r.convert_to(to) {
            Ok(c) => {
                assert_eq!(c.cni_version(), to, "converted to the wrong version");
                exercise_result(&c, false);
            }
            Err(Error::InvalidArgument(_)) => {}
            Err(e) => panic!("convert_to({to}): unexpected error kind {e:?}"),
        }
    }
    assert!(matches!(
        r.convert_to("0.5.0"),
        Err(Error::UnsupportedVersion(_))
    ));
}

/// `PluginInfo::decode`: Ok means a version and at least one supported
/// version, and the info encodes and decodes back to itself; errors are
/// Decode errors with upstream's prefix.
pub fn plugin_info(data: &[u8]) {
    match PluginInfo::decode(data) {
        Ok(info) => {
            assert!(!info.cni_version().is_empty());
            assert!(!info.supported_versions().is_empty());
            let json = info.to_json();
            assert!(strict_json(json.as_bytes()), "to_json is not JSON: {json}");
            assert_eq!(PluginInfo::decode(json.as_bytes()).unwrap(), info);
        }
        Err(Error::Decode(msg)) => {
            assert!(msg.starts_with("decoding version info: "), "{msg}");
            if strict_json(data) {
                assert!(
                    !msg.contains("invalid character") && !msg.contains("end of JSON"),
                    "valid JSON got a syntax error: {msg}"
                );
            }
        }
        Err(e) => panic!("PluginInfo::decode: not a Decode error: {e:?}"),
    }
}

/// `Args` from arbitrary fields (the input split at 0xFF bytes: command,
/// container id, netns, args string, ifname, path, then key, value, key,
/// value...). `validate` accepts exactly what can pass faithfully;
/// `as_env` holds each CNI variable once with its value; when validation
/// passes and the pairs are used, CNI_ARGS splits back into them exactly.
pub fn args(data: &[u8]) {
    let parts: Vec<String> = data
        .split(|b| *b == 0xff)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    let field = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let a = Args {
        command: field(0),
        container_id: field(1),
        netns: field(2),
        plugin_args_str: field(3),
        if_name: field(4),
        path: field(5),
        plugin_args: parts
            .get(6..)
            .unwrap_or_default()
            .chunks(2)
            .map(|kv| (kv[0].clone(), kv.get(1).cloned().unwrap_or_default()))
            .collect(),
    };

    let fields = [
        &a.command,
        &a.container_id,
        &a.netns,
        &a.plugin_args_str,
        &a.if_name,
        &a.path,
    ];
    let faithful = fields.iter().all(|f| !f.contains('\0'))
        && a.plugin_args.iter().all(|(k, v)| {
            !k.is_empty() && !k.contains(['=', ';', '\0']) && !v.contains([';', '\0'])
        });
    let verdict = a.validate();
    match &verdict {
        Ok(()) => assert!(faithful, "validate accepted {a:?}"),
        Err(Error::InvalidArgument(_)) => assert!(!faithful, "validate refused {a:?}"),
        Err(e) => panic!("validate: unexpected error kind {e:?}"),
    }

    let env = a.as_env().expect("Args always give an environment");
    let cni_args = a.cni_args_value();
    for (name, want) in [
        ("CNI_COMMAND", &a.command),
        ("CNI_CONTAINERID", &a.container_id),
        ("CNI_NETNS", &a.netns),
        ("CNI_ARGS", &cni_args),
        ("CNI_IFNAME", &a.if_name),
        ("CNI_PATH", &a.path),
    ] {
        let found: Vec<&str> = env
            .iter()
            .filter_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name))
            .map(|(_, v)| v)
            .collect();
        assert_eq!(found, [want.as_str()], "{name} in {env:?}");
    }
    if verdict.is_ok() && a.plugin_args_str.is_empty() {
        let split: Vec<(String, String)> = if cni_args.is_empty() {
            Vec::new()
        } else {
            cni_args
                .split(';')
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("every pair has '='");
                    (k.to_string(), v.to_string())
                })
                .collect()
        };
        assert_eq!(split, a.plugin_args, "CNI_ARGS {cni_args:?}");
    }
}

/// A plugin's error output: Go-style lenient parsing, serde's parsing and
/// upstream's synthesis for a failed plugin (stdout is the input up to its
/// first NUL byte, which JSON cannot hold; stderr is the rest). Parsed
/// errors print and parse back to themselves; synthesised messages follow
/// upstream's three forms and carry no raw control characters (plugin
/// output is quoted).
pub fn cni_error(data: &[u8]) {
    let (stdout, stderr) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    match CniError::from_json(stdout) {
        Ok(e) => check_cni_error_round_trip(&e),
        Err(Error::Decode(_)) => {}
        Err(e) => panic!("CniError::from_json: unexpected error kind {e:?}"),
    }
    if let Ok(e) = serde_json::from_slice::<CniError>(stdout) {
        check_cni_error_round_trip(&e);
        let via_serde = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<CniError>(&via_serde).unwrap(), e);
    }
    for status in ["exit status 1", "signal: killed"] {
        let e = fuzzing::plugin_error(status, stdout, stderr);
        assert_eq!(e.exit_status.as_deref(), Some(status));
        let synthesised = if stdout.is_empty() {
            if stderr.is_empty() {
                assert_eq!(
                    e.msg,
                    format!("netplugin failed with no error message: {status}")
                );
            } else {
                assert!(e.msg.starts_with("netplugin failed: \""), "{}", e.msg);
                assert!(e.msg.ends_with('"'), "{}", e.msg);
            }
            true
        } else if let Ok(parsed) = CniError::from_json(stdout) {
            // Read as Go reads it (case-insensitive keys, Go's decoder).
            assert_eq!(e, parsed.with_exit_status(status), "stdout's own CNI error");
            false
        } else {
            let prefix = "netplugin failed but error parsing its diagnostic message \"";
            assert!(e.msg.starts_with(prefix), "{}", e.msg);
            true
        };
        if synthesised {
            assert_eq!((e.code, e.details.as_str()), (0, ""));
            assert!(
                !e.msg.chars().any(char::is_control),
                "raw control character in {:?}",
                e.msg
            );
        }
        let _ = e.to_string();
    }
}

fn check_cni_error_round_trip(e: &CniError) {
    let json = e.to_json();
    assert!(strict_json(json.as_bytes()), "to_json is not JSON: {json}");
    assert_eq!(CniError::from_json(json.as_bytes()).unwrap(), *e, "{json}");
    assert_eq!(
        serde_json::from_str::<CniError>(&json).unwrap(),
        *e,
        "{json}"
    );
    let _ = (e.to_string(), e.code_name());
}

/// Go's `strconv.Quote`, both implementations: the output is quoted, holds
/// no raw control character, unquotes (Go's rules) to exactly the input,
/// and the byte and string quoters agree on valid UTF-8.
pub fn go_quote(data: &[u8]) {
    let q = fuzzing::quote(data);
    assert!(
        q.len() >= 2 && q.starts_with('"') && q.ends_with('"'),
        "{q}"
    );
    assert!(
        !q.chars().any(char::is_control),
        "raw control char in {q:?}"
    );
    assert_eq!(go_unquote(&q).as_deref(), Some(data), "{q}");
    if let Ok(s) = std::str::from_utf8(data) {
        assert_eq!(fuzzing::go_quote(s), q, "the two Go quoters disagree");
    }
}

/// Go's `strconv.Unquote` for double-quoted strings, as bytes.
fn go_unquote(q: &str) -> Option<Vec<u8>> {
    let body = q.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = Vec::new();
    let mut chars = body.chars();
    let hex = |chars: &mut std::str::Chars, n: usize| -> Option<u32> {
        let s: String = chars.take(n).collect();
        (s.len() == n).then_some(())?;
        u32::from_str_radix(&s, 16).ok()
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => match chars.next()? {
                'a' => out.push(7),
                'b' => out.push(8),
                'f' => out.push(12),
                'n' => out.push(b'\n'),
                'r' => out.push(b'\r'),
                't' => out.push(b'\t'),
                'v' => out.push(11),
                '\\' => out.push(b'\\'),
                '"' => out.push(b'"'),
                'x' => out.push(u8::try_from(hex(&mut chars, 2)?).ok()?),
                'u' => push_char(&mut out, char::from_u32(hex(&mut chars, 4)?)?),
                'U' => push_char(&mut out, char::from_u32(hex(&mut chars, 8)?)?),
                _ => return None,
            },
            c => push_char(&mut out, c),
        }
    }
    Some(out)
}

fn push_char(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
}

// The C ABI's check, with the `capi` feature (of cniinvoke when the replay
// test includes this file, of cniinvoke-fuzz in the fuzzer, which turns it
// on by default).

/// The C entry points that take strings and run no process, fed the input
/// split at NUL bytes into C strings (a missing piece is a NULL pointer):
///
/// 0 plugin name / plugin path, 1 `paths_json`, 2 `args_json`,
/// 3 `result_json`, 4 `to_version`, 5 error msg, 6 error details,
/// 7 `options_json`, 8 traceparent, 9 tracestate, 10 baggage, 11 netconf,
/// 12 the rest (NULs included): what a custom exec's `exec_plugin`
/// returns as the plugin's stdout, so `cni_exec_plugin_with_result` and
/// `cni_get_version_info` decode it without spawning anything.
///
/// Every status is one of the enum's and never `CNI_STATUS_PANIC`; `*err`
/// is set exactly when the call fails, its msg and details UTF-8; every
/// out-string is NULL on failure and otherwise UTF-8 (JSON where the
/// header says JSON), and is freed.
#[cfg(feature = "capi")]
pub fn c_entry_points(data: &[u8]) {
    use cniinvoke::ffi::*;
    use std::ffi::{c_char, CStr, CString};

    let mut pieces = data.splitn(13, |b| *b == 0);
    let strings: Vec<CString> = pieces
        .by_ref()
        .take(12)
        .map(|p| CString::new(p).expect("split at NUL"))
        .collect();
    let stdout = pieces.next().unwrap_or_default();
    let arg = |i: usize| strings.get(i).map_or(std::ptr::null(), |s| s.as_ptr());
    let code = u32::from_le_bytes(std::array::from_fn(|i| data.get(i).copied().unwrap_or(0)));

    // A pointer the library must overwrite: NULL on failure, a new value on
    // success.
    let sentinel = std::ptr::NonNull::<c_char>::dangling().as_ptr();
    let err_sentinel = std::ptr::NonNull::<cni_error>::dangling().as_ptr();

    let utf8 = |what: &str, p: *const c_char| -> String {
        assert!(!p.is_null(), "{what}: NULL");
        // SAFETY: the library hands out NUL-terminated strings.
        let s = unsafe { CStr::from_ptr(p) };
        s.to_str()
            .unwrap_or_else(|_| panic!("{what}: not UTF-8: {s:?}"))
            .to_string()
    };
    // The status and error of one fallible call; frees the error.
    let outcome = |what: &str, status: cni_status, err: *mut cni_error| {
        let known = [
            cni_status::Ok,
            cni_status::InvalidArgument,
            cni_status::NotFound,
            cni_status::PluginError,
            cni_status::ExecFailed,
            cni_status::DecodeError,
            cni_status::UnsupportedVersion,
            cni_status::Timeout,
            cni_status::Cancelled,
        ];
        assert!(
            known.iter().any(|k| *k as i32 == status as i32),
            "{what}: status {} (a panic is 99)",
            status as i32
        );
        assert_ne!(err, err_sentinel, "{what}: *err left untouched");
        if status == cni_status::Ok {
            assert!(err.is_null(), "{what}: OK with an error");
        } else {
            assert!(!err.is_null(), "{what}: {status:?} without an error");
            // SAFETY: a live error from the library, freed once.
            unsafe {
                utf8(what, cni_error_msg(err));
                utf8(what, cni_error_details(err));
                cni_error_free(err);
            }
        }
    };
    // An out-string: NULL on failure, else UTF-8 (and JSON if `json`); freed.
    let out_string = |what: &str, status: cni_status, out: *mut c_char, json: bool| {
        assert_ne!(out, sentinel, "{what}: out-string left untouched");
        if status != cni_status::Ok {
            assert!(out.is_null(), "{what}: failed but set its out-string");
            return None;
        }
        let s = utf8(what, out);
        // SAFETY: the library's string, freed once.
        unsafe { cni_string_free(out) };
        if json {
            let v: serde_json::Value =
                serde_json::from_str(&s).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {s}"));
            return Some(v);
        }
        Some(serde_json::Value::String(s))
    };

    // SAFETY: for the whole block: every pointer is NULL or a live C string
    // of `strings`, and out-parameters point to locals.
    unsafe {
        let (mut out, mut err) = (sentinel, err_sentinel);
        let st = cni_find_in_path(arg(0), arg(1), &mut out, &mut err);
        outcome("cni_find_in_path", st, err);
        if let Some(p) = out_string("cni_find_in_path", st, out, false) {
            assert!(p
                .as_str()
                .unwrap()
                .ends_with(&*strings[0].to_string_lossy()));
        }

        let (mut out, mut err) = (sentinel, err_sentinel);
        let st = cni_args_as_env(arg(2), &mut out, &mut err);
        outcome("cni_args_as_env", st, err);
        if let Some(env) = out_string("cni_args_as_env", st, out, true) {
            assert!(
                env.is_null()
                    || env
                        .as_array()
                        .is_some_and(|a| a.iter().all(|e| e.is_string())),
                "cni_args_as_env: {env}"
            );
        }

        let (mut out, mut err) = (sentinel, err_sentinel);
        let st = cni_result_convert(arg(3), arg(4), &mut out, &mut err);
        outcome("cni_result_convert", st, err);
        if let Some(r) = out_string("cni_result_convert", st, out, true) {
            // "" is upstream's legacy version, 0.1.0.
            let want = match strings[4].to_str().unwrap() {
                "" => "0.1.0",
                v => v,
            };
            assert_eq!(r["cniVersion"], want, "cni_result_convert: {r}");
        }

        let e = cni_error_new(code, arg(5), arg(6));
        assert!(!e.is_null(), "cni_error_new returned NULL");
        assert_eq!(cni_error_code(e), code);
        let msg = utf8("cni_error_msg", cni_error_msg(e));
        let details = utf8("cni_error_details", cni_error_details(e));
        let (mut out, mut err) = (sentinel, err_sentinel);
        let st = cni_error_to_json(e, &mut out, &mut err);
        outcome("cni_error_to_json", st, err);
        assert_eq!(st, cni_status::Ok, "cni_error_to_json failed");
        let json = out_string("cni_error_to_json", st, out, true).unwrap();
        assert_eq!(json["code"], code, "{json}");
        assert_eq!(json["msg"], msg, "{json}");
        if !details.is_empty() {
            assert_eq!(json["details"], details, "{json}");
        }
        cni_error_free(e);

        let (mut exec, mut err) = (std::ptr::NonNull::dangling().as_ptr(), err_sentinel);
        let st = cni_exec_new_raw(arg(7), &mut exec, &mut err);
        outcome("cni_exec_new_raw", st, err);
        assert_eq!(
            exec.is_null(),
            st != cni_status::Ok,
            "cni_exec_new_raw's exec"
        );
        cni_exec_free(exec);

        let ctx = cni_context_new();
        let mut err = err_sentinel;
        let st = cni_context_set_trace(ctx, arg(8), arg(9), arg(10), &mut err);
        outcome("cni_context_set_trace", st, err);

        let fake = FakePlugin {
            stdout,
            problems: std::sync::Mutex::new(Vec::new()),
        };
        let vtable = cni_exec_vtable {
            exec_plugin: Some(fake_exec_plugin),
            find_in_path: None,
            decode: None,
            free_userdata: None,
        };
        let exec = cni_exec_new_custom(&vtable, &fake as *const FakePlugin as *mut _);
        assert!(!exec.is_null());

        let (mut out, mut err) = (sentinel, err_sentinel);
        let st =
            cni_exec_plugin_with_result(exec, ctx, arg(0), arg(11), arg(2), &mut out, &mut err);
        outcome("cni_exec_plugin_with_result", st, err);
        if let Some(r) = out_string("cni_exec_plugin_with_result", st, out, true) {
            assert!(
                r["cniVersion"].is_string(),
                "cni_exec_plugin_with_result: {r}"
            );
        }

        let mut err = err_sentinel;
        let st = cni_exec_plugin_without_result(exec, ctx, arg(0), arg(11), arg(2), &mut err);
        outcome("cni_exec_plugin_without_result", st, err);

        let (mut out, mut err) = (sentinel, err_sentinel);
        let st = cni_get_version_info(exec, ctx, arg(0), &mut out, &mut err);
        outcome("cni_get_version_info", st, err);
        if let Some(info) = out_string("cni_get_version_info", st, out, true) {
            assert!(
                info["cniVersion"].is_string(),
                "cni_get_version_info: {info}"
            );
            assert!(
                info["supportedVersions"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty()),
                "cni_get_version_info: {info}"
            );
        }

        cni_exec_free(exec);
        cni_context_free(ctx);
        let problems = fake.problems.into_inner().unwrap();
        assert!(problems.is_empty(), "exec_plugin saw: {problems:?}");
    }
}

/// The custom exec of [`c_entry_points`]: its "plugin" prints `stdout`.
/// What it finds wrong in its arguments goes to `problems` (a panic must
/// not unwind out of an `extern "C"` callback).
#[cfg(feature = "capi")]
struct FakePlugin<'a> {
    stdout: &'a [u8],
    problems: std::sync::Mutex<Vec<String>>,
}

#[cfg(feature = "capi")]
unsafe extern "C" fn fake_exec_plugin(
    userdata: *mut std::ffi::c_void,
    ctx: *const cniinvoke::ffi::cni_context,
    plugin_path: *const std::ffi::c_char,
    _stdin_data: *const u8,
    _stdin_len: usize,
    environ: *const *const std::ffi::c_char,
    stdout_out: *mut cniinvoke::ffi::cni_buffer,
    _err: *mut *mut cniinvoke::ffi::cni_error,
) -> cniinvoke::ffi::cni_status {
    use std::ffi::CStr;
    // SAFETY: `userdata` is the FakePlugin that outlives the exec; the
    // library passes live pointers for the duration of the call.
    unsafe {
        let fake = &*(userdata as *const FakePlugin);
        let mut problems = Vec::new();
        if ctx.is_null() {
            problems.push("NULL ctx".to_string());
        }
        if plugin_path.is_null() || CStr::from_ptr(plugin_path).to_str().is_err() {
            problems.push("plugin_path NULL or not UTF-8".to_string());
        }
        if !environ.is_null() {
            let mut p = environ;
            while !(*p).is_null() {
                let kv = CStr::from_ptr(*p);
                if kv.to_str().is_err() {
                    problems.push(format!("environ entry not UTF-8: {kv:?}"));
                }
                p = p.add(1);
            }
        }
        fake.problems.lock().unwrap().extend(problems);
        cniinvoke::ffi::cni_buffer_append(stdout_out, fake.stdout.as_ptr(), fake.stdout.len());
    }
    cniinvoke::ffi::cni_status::Ok
}
