//! The `c_netlist` fuzz check: the network-list entry points of the C ABI
//! with fuzzed JSON, run through a custom exec (C callbacks written here)
//! whose "plugin" prints fuzzed output. Included by `checks.rs` with the
//! C ABI on.

use cniinvoke::ffi::*;
use std::ffi::{c_char, c_void, CStr, CString};

/// The input, NUL-separated: list, runtime configuration, options,
/// GC arguments, a plugin configuration, values to inject, then the
/// plugin's stdout (the rest, NULs included).
struct Pieces {
    strings: Vec<CString>,
    stdout: Vec<u8>,
}

fn pieces(data: &[u8]) -> Pieces {
    let mut it = data.splitn(7, |b| *b == 0);
    let strings = it
        .by_ref()
        .take(6)
        .map(|p| CString::new(p).expect("split at NUL"))
        .collect();
    Pieces {
        strings,
        stdout: it.next().unwrap_or_default().to_vec(),
    }
}

/// The exec's "plugin": append the fuzzed stdout (the userdata).
unsafe extern "C" fn fake_exec(
    userdata: *mut c_void,
    _: *const cni_context,
    _: *const c_char,
    _: *const u8,
    _: usize,
    _: *const *const c_char,
    out: *mut cni_buffer,
    _: *mut *mut cni_error,
) -> cni_status {
    // SAFETY: the userdata is the `Vec<u8>` that outlives the config.
    let stdout = unsafe { &*(userdata as *const Vec<u8>) };
    // SAFETY: `out` is the live buffer of this callback.
    unsafe { cni_buffer_append(out, stdout.as_ptr(), stdout.len()) };
    cni_status::Ok
}

unsafe extern "C" fn fake_find(
    _: *mut c_void,
    plugin: *const c_char,
    _: *const *const c_char,
    _: usize,
    out: *mut cni_buffer,
    _: *mut *mut cni_error,
) -> cni_status {
    // SAFETY: the library passes a NUL-terminated plugin name.
    let name = unsafe { CStr::from_ptr(plugin) }.to_bytes();
    let path = [b"/fake/".as_slice(), name].concat();
    // SAFETY: `out` is the live buffer of this callback.
    unsafe { cni_buffer_append(out, path.as_ptr(), path.len()) };
    cni_status::Ok
}

const KNOWN: [cni_status; 10] = [
    cni_status::Ok,
    cni_status::InvalidArgument,
    cni_status::NotFound,
    cni_status::PluginError,
    cni_status::ExecFailed,
    cni_status::DecodeError,
    cni_status::UnsupportedVersion,
    cni_status::Timeout,
    cni_status::Cancelled,
    cni_status::Io,
];

fn text(what: &str, p: *const c_char) -> String {
    assert!(!p.is_null(), "{what}: NULL string");
    // SAFETY: the library hands out NUL-terminated strings.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str()
        .unwrap_or_else(|_| panic!("{what}: not UTF-8: {s:?}"))
        .to_string()
}

/// Check one call's status and error (freed).
fn judge(what: &str, status: cni_status, err: *mut cni_error) -> bool {
    assert!(
        KNOWN.iter().any(|k| *k as i32 == status as i32),
        "{what}: status {} (a panic is 99)",
        status as i32
    );
    if status == cni_status::Ok {
        assert!(err.is_null(), "{what}: OK with an error");
        return true;
    }
    assert!(!err.is_null(), "{what}: {status:?} without an error");
    // SAFETY: a live error from the library, freed once.
    unsafe {
        text(what, cni_error_msg(err));
        text(what, cni_error_details(err));
        cni_error_free(err);
    }
    false
}

/// An out-string: set (JSON, freed) exactly when the call succeeded, or
/// NULL on success where `may_be_null`.
fn json_out(
    what: &str,
    ok: bool,
    out: *mut c_char,
    may_be_null: bool,
) -> Option<serde_json::Value> {
    if !ok {
        assert!(out.is_null(), "{what}: failed but set its out-string");
        return None;
    }
    if out.is_null() {
        assert!(may_be_null, "{what}: OK without its out-string");
        return None;
    }
    let s = text(what, out);
    // SAFETY: the library's string, freed once.
    unsafe { cni_string_free(out) };
    Some(serde_json::from_str(&s).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {s}")))
}

/// Every list entry point with the pieces: no panic, known statuses, an
/// error exactly on failure, out-strings exactly on success; a cached
/// result is the ADD's result, and after a DEL nothing is cached.
pub fn c_netlist(data: &[u8]) {
    let p = pieces(data);
    let arg = |i: usize| p.strings.get(i).map_or(std::ptr::null(), |s| s.as_ptr());
    let stdout = Box::new(p.stdout.clone());
    let dir = std::env::temp_dir().join(format!("cniinvoke-fuzz-c-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cache = CString::new(dir.to_str().unwrap()).unwrap();
    let vtable = cni_exec_vtable {
        exec_plugin: Some(fake_exec),
        find_in_path: Some(fake_find),
        decode: None,
        free_userdata: None,
    };
    let (list, rt) = (arg(0), arg(1));
    // SAFETY: for the whole block: every pointer is NULL or a live C string
    // of `p`, out-parameters point to locals, `stdout` outlives the exec.
    unsafe {
        let exec = cni_exec_new_custom(&vtable, &*stdout as *const Vec<u8> as *mut c_void);
        assert!(!exec.is_null());
        let (mut cfg, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = cni_config_new(
            c"[\"/fake\"]".as_ptr(),
            cache.as_ptr(),
            exec,
            &mut cfg,
            &mut err,
        );
        assert!(judge("cni_config_new", st, err) && !cfg.is_null());
        cni_exec_free(exec); // the config keeps its own reference
        let mut err = std::ptr::null_mut();
        judge(
            "set_options",
            cni_config_set_options(cfg, arg(2), &mut err),
            err,
        );

        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = cni_network_list_add(cfg, std::ptr::null(), list, rt, &mut out, &mut err);
        let added = json_out("add", judge("add", st, err), out, false);
        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = cni_network_list_cached_result(cfg, list, rt, &mut out, &mut err);
        let cached = json_out("cached_result", judge("cached_result", st, err), out, true);
        // As upstream: a result with an address or destination missing is
        // cached as Go prints a nil IPNet, and cannot be read back.
        let unreadable = added
            .as_ref()
            .is_some_and(|a| super::libcni_checks::has_nil_net(&a.to_string()));
        if let Some(added) = added.as_ref().filter(|_| !unreadable) {
            // As upstream: the ADD returns the last plugin's result in its
            // own version, the cache gives it in the list's. Numbers pass
            // through float64 in the cache, as upstream's.
            match &cached {
                Some(cached) if cached["cniVersion"] == added["cniVersion"] => {
                    let same = super::libcni_checks::same(cached, added);
                    assert!(same, "the cache holds {cached}, the ADD gave {added}");
                }
                Some(_) => {}
                // As upstream, the cache gives the result in the list's
                // version: reading fails exactly when the ADD's result does
                // not convert to it (a version such as "1.1. ", or 0.1.0
                // from a result without addresses), with that error.
                None => {
                    let list = p.strings[0].as_bytes();
                    let version = cniinvoke::libcni::conf_list_from_bytes(list)
                        .expect("the ADD parsed the list")
                        .cni_version;
                    let converted = cniinvoke::CniResult::from_json(added.to_string().as_bytes())
                        .and_then(|r| r.convert_to(&version));
                    let e = converted.expect_err("the ADD's result converts, yet is not cached");
                    assert_eq!(e.status() as i32, st as i32, "{e}");
                }
            }
        }
        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = cni_network_list_cached_config(cfg, list, rt, &mut out, &mut err);
        json_out("cached_config", judge("cached_config", st, err), out, true);
        let mut err = std::ptr::null_mut();
        judge(
            "check",
            cni_network_list_check(cfg, std::ptr::null(), list, rt, &mut err),
            err,
        );
        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = cni_cached_attachments(cfg, c"".as_ptr(), &mut out, &mut err);
        let all = json_out("attachments", judge("attachments", st, err), out, false);
        assert!(all.is_some_and(|a| a.is_array()));
        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = cni_network_list_validate(cfg, std::ptr::null(), list, &mut out, &mut err);
        json_out("validate", judge("validate", st, err), out, false);
        let mut err = std::ptr::null_mut();
        judge(
            "status",
            cni_network_list_status(cfg, std::ptr::null(), list, &mut err),
            err,
        );
        let mut err = std::ptr::null_mut();
        judge(
            "gc",
            cni_network_list_gc(cfg, std::ptr::null(), list, arg(3), &mut err),
            err,
        );
        let mut err = std::ptr::null_mut();
        let st = cni_network_list_del(cfg, std::ptr::null(), list, rt, &mut err);
        if judge("del", st, err) {
            let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
            let st = cni_network_list_cached_result(cfg, list, rt, &mut out, &mut err);
            let after = json_out("cached_result", judge("cached_result", st, err), out, true);
            assert!(after.is_none(), "cached after a DEL: {after:?}");
        }
        cni_config_free(cfg);

        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = cni_netlist_from_conf(arg(4), &mut out, &mut err);
        json_out(
            "netlist_from_conf",
            judge("netlist_from_conf", st, err),
            out,
            false,
        );
        let (mut out, mut err) = (std::ptr::null_mut(), std::ptr::null_mut());
        let st = cni_inject_conf(arg(4), arg(5), &mut out, &mut err);
        json_out("inject_conf", judge("inject_conf", st, err), out, false);
    }
    drop(stdout);
    let _ = std::fs::remove_dir_all(&dir);
}
