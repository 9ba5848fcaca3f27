//! Finding and running plugins: the calls of upstream `pkg/invoke`.
//!
//! Common rules: `exec` NULL = the default exec; `ctx` NULL = no
//! cancellation, no deadline; `netconf` is the network configuration JSON,
//! handed to the plugin on stdin as given (the library decodes it only
//! where it needs its `cniVersion`: then malformed JSON is
//! `CNI_STATUS_DECODE_ERROR`, as upstream).

use super::context::{cni_context, context_arg};
use super::error::cni_error;
use super::exec::cni_exec;
use super::ptr::{bytes_arg, json_object_fast, json_object_str, str_array_arg, Out, StrArg};
use super::status::cni_status;
use crate::args::{Args, CniArgs, ExplicitEnv, InheritedArgs};
use crate::delegate::Verb;
use crate::error::{Error, Result};
use crate::types::CniResult;
use std::ffi::c_char;

/// The `args_json` of the C ABI.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ArgsJson {
    #[serde(default)]
    command: String,
    #[serde(default)]
    container_id: String,
    #[serde(default)]
    netns: String,
    #[serde(default)]
    if_name: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    plugin_args: Vec<(String, String)>,
    #[serde(default)]
    plugin_args_str: String,
}

impl From<ArgsJson> for Args {
    fn from(a: ArgsJson) -> Args {
        Args {
            command: a.command,
            container_id: a.container_id,
            netns: a.netns,
            plugin_args: a.plugin_args,
            plugin_args_str: a.plugin_args_str,
            if_name: a.if_name,
            path: a.path,
        }
    }
}

/// `args_json` as core arguments: NULL = inherit this process's environment;
/// `{"environ":[...]}` = exactly that environment; otherwise the CNI
/// variables of [`ArgsJson`] on top of this process's environment.
///
/// # Safety
/// `args_json` is NULL or a NUL-terminated string.
unsafe fn args_arg(args_json: *const c_char) -> Result<Box<dyn CniArgs>> {
    if args_json.is_null() {
        return Ok(Box::new(InheritedArgs));
    }
    // SAFETY: the caller's promise: `args_json` is a NUL-terminated string
    // (NULL was handled above).
    let s = unsafe { args_json.str_arg("args_json") }?;
    // The common case in one pass; "environ" (an unknown field to
    // `ArgsJson`) and every error take the general way.
    if let Some(a) = json_object_fast::<ArgsJson>(s) {
        return Ok(Box::new(Args::from(a)));
    }
    let mut obj: serde_json::Map<String, serde_json::Value> = json_object_str(s, "args_json")?;
    let invalid = |what: String| Error::InvalidArgument(format!("argument `args_json` {what}"));
    if let Some(environ) = obj.remove("environ") {
        if let Some(other) = obj.keys().next() {
            return Err(invalid(format!(
                "mixes \"environ\" with {other:?}: \"environ\" is the whole environment \
                 and takes no other key"
            )));
        }
        let env: Vec<String> = serde_json::from_value(environ).map_err(|e| {
            invalid(format!(
                "has an \"environ\" that is not an array of strings: {e}"
            ))
        })?;
        return Ok(Box::new(ExplicitEnv(env)));
    }
    let a: ArgsJson = serde_json::from_value(serde_json::Value::Object(obj))
        .map_err(|e| invalid(format!("is not valid JSON here: {e}")))?;
    Ok(Box::new(Args::from(a)))
}

/// Find `plugin` (a file name, no `/`) in the directories of `paths_json`
/// (a JSON array of strings), searched in order; the full path of the first
/// regular file `dir/plugin` (plus an extension from
/// `cni_executable_file_extensions`) is stored in `*path_out` (free with
/// `cni_string_free`).
///
/// Errors (texts as upstream's): `CNI_STATUS_NOT_FOUND` with
/// `failed to find plugin "X" in path [a b]`; `CNI_STATUS_INVALID_ARGUMENT`
/// with `no plugin name provided`, `invalid plugin name: X`,
/// `no paths provided`, or for a NULL/malformed argument. All pointers are
/// required. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_find_in_path(
    plugin: *const c_char,
    paths_json: *const c_char,
    path_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `path_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(path_out, "path_out") }?;
        // SAFETY: the caller keeps the header's conventions: `plugin` is NULL or a NUL-terminated string that stays unchanged during the call.
        let plugin = unsafe { plugin.str_arg("plugin") }?;
        // SAFETY: the caller keeps the header's conventions: `paths_json` is NULL or a NUL-terminated string that stays unchanged during the call.
        let paths: Vec<String> = unsafe { paths_json.json_arg("paths_json") }?;
        out.set_string(crate::find::find_in_path(plugin, &paths)?);
        Ok(())
    })
}

/// Run the plugin at `plugin_path` with `netconf` on stdin and the
/// environment of `args_json`, and decode its stdout as a CNI result
/// (upstream `ExecPluginWithResult`). The result JSON, in the version the
/// plugin answered in (the config's when the plugin gave none), is stored in
/// `*result_json_out` (free with `cni_string_free`).
///
/// `args_json`: NULL = the plugin inherits this process's environment;
/// otherwise an object with any of `"command"`, `"containerId"`, `"netns"`,
/// `"ifName"`, `"path"` (strings), `"pluginArgs"` (`[["K","V"],…]`) and
/// `"pluginArgsStr"` (string; wins over `pluginArgs` for `CNI_ARGS`): these
/// CNI variables are set on top of this process's environment. Or instead
/// `{"environ":["K=V",…]}`: exactly that environment, nothing inherited
/// (upstream's `CNIArgs.AsEnv()` of any implementation; `[]` = empty), in
/// which case no other key may be given. Unknown keys, wrong types, or
/// `"environ"` mixed with another key → `CNI_STATUS_INVALID_ARGUMENT`.
/// `plugin_path`, `netconf` and `result_json_out` are required.
///
/// Failures: `CNI_STATUS_PLUGIN_ERROR` (the plugin's CNI error),
/// `CNI_STATUS_EXEC_FAILED`, `CNI_STATUS_DECODE_ERROR`,
/// `CNI_STATUS_UNSUPPORTED_VERSION`, `CNI_STATUS_TIMEOUT`,
/// `CNI_STATUS_CANCELLED`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_exec_plugin_with_result(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin_path: *const c_char,
    netconf: *const c_char,
    args_json: *const c_char,
    result_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `result_json_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(result_json_out, "result_json_out") }?;
        // SAFETY: the caller keeps the header's conventions: `plugin_path` is NULL or a NUL-terminated string that stays unchanged during the call.
        let path = unsafe { plugin_path.str_arg("plugin_path") }?;
        // SAFETY: the caller keeps the header's conventions: `netconf` is NULL or a NUL-terminated string that stays unchanged during the call.
        let netconf = unsafe { netconf.str_arg("netconf") }?;
        // SAFETY: the caller keeps the header's conventions: `args_json` is NULL or a NUL-terminated string that stays unchanged during the call.
        let args = unsafe { args_arg(args_json) }?;
        // SAFETY: the caller keeps the header's conventions: `exec` is NULL or a live exec.
        let exec = unsafe { cni_exec::arg(exec) };
        // SAFETY: the caller keeps the header's conventions: `ctx` is NULL or a live context.
        let ctx = unsafe { context_arg(ctx) };
        let result =
            crate::exec::exec_plugin_with_result(&ctx, path, netconf.as_bytes(), &*args, exec)?;
        out.set_string(result.to_json());
        Ok(())
    })
}

/// Run the plugin at `plugin_path` for its effect only, ignoring its stdout
/// (upstream `ExecPluginWithoutResult`). Arguments and failures as for
/// `cni_exec_plugin_with_result`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_exec_plugin_without_result(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin_path: *const c_char,
    netconf: *const c_char,
    args_json: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `plugin_path` is NULL or a NUL-terminated string that stays unchanged during the call.
        let path = unsafe { plugin_path.str_arg("plugin_path") }?;
        // SAFETY: the caller keeps the header's conventions: `netconf` is NULL or a NUL-terminated string that stays unchanged during the call.
        let netconf = unsafe { netconf.str_arg("netconf") }?;
        // SAFETY: the caller keeps the header's conventions: `args_json` is NULL or a NUL-terminated string that stays unchanged during the call.
        let args = unsafe { args_arg(args_json) }?;
        // SAFETY: the caller keeps the header's conventions: `exec` is NULL or a live exec.
        let exec = unsafe { cni_exec::arg(exec) };
        // SAFETY: the caller keeps the header's conventions: `ctx` is NULL or a live context.
        let ctx = unsafe { context_arg(ctx) };
        crate::exec::exec_plugin_without_result(&ctx, path, netconf.as_bytes(), &*args, exec)
    })
}

/// Run the plugin at `plugin_path` through `exec` and return its raw stdout
/// (the `Exec` interface's `ExecPlugin`, upstream `RawExec.ExecPlugin`):
/// `stdin_len` bytes at `stdin_data` on its stdin (`stdin_data` may be NULL
/// when `stdin_len` is 0) and `environ` as its whole environment: a
/// NULL-terminated array of `"K=V"` strings (UTF-8), or NULL to inherit this
/// process's environment. Nothing is added to the environment, and nothing
/// is decoded: the stdout of a successful plugin is returned as is.
///
/// On success `*stdout_out` holds `*stdout_len` bytes, owned by the caller
/// and freed with `cni_bytes_free(*stdout_out, *stdout_len)`; an empty
/// stdout is NULL with length 0. On failure both are NULL / 0.
///
/// With a custom exec this calls its `exec_plugin` entry (or the default
/// exec's for a NULL entry). `plugin_path`, `stdout_out` and `stdout_len`
/// are required; an `environ` entry that is not UTF-8 →
/// `CNI_STATUS_INVALID_ARGUMENT`. Failures: `CNI_STATUS_PLUGIN_ERROR` (the
/// plugin's CNI error: code, msg, details), `CNI_STATUS_EXEC_FAILED`,
/// `CNI_STATUS_TIMEOUT`, `CNI_STATUS_CANCELLED`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_exec_plugin(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin_path: *const c_char,
    stdin_data: *const u8,
    stdin_len: usize,
    environ: *const *const c_char,
    stdout_out: *mut *mut u8,
    stdout_len: *mut usize,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `stdout_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(stdout_out, "stdout_out") }?;
        // SAFETY: the caller keeps the header's conventions: `stdout_len` is NULL or writable.
        let len_out = unsafe { stdout_len.as_mut() }
            .ok_or_else(|| Error::InvalidArgument("argument `stdout_len` is NULL".into()))?;
        *len_out = 0;
        // SAFETY: the caller keeps the header's conventions: `plugin_path` is NULL or a NUL-terminated string that stays unchanged during the call.
        let path = unsafe { plugin_path.str_arg("plugin_path") }?;
        // SAFETY: the caller keeps the header's conventions: `stdin_data` is NULL or readable for `stdin_len` bytes.
        let stdin = unsafe { bytes_arg(stdin_data, stdin_len) }.ok_or_else(|| {
            Error::InvalidArgument("argument `stdin_data` is NULL with a non-zero `stdin_len`".into())
        })?;
        // SAFETY: the caller keeps the header's conventions: `environ` is NULL or a NULL-terminated array of NUL-terminated strings.
        let env: Option<Vec<String>> = unsafe { str_array_arg(environ, "environ") }?
            .map(|e| e.into_iter().map(str::to_string).collect());
        // SAFETY: the caller keeps the header's conventions: `exec` is NULL or a live exec.
        let exec = unsafe { cni_exec::arg(exec) }.unwrap_or_else(|| crate::exec::default_exec());
        // SAFETY: the caller keeps the header's conventions: `ctx` is NULL or a live context.
        let ctx = unsafe { context_arg(ctx) };
        let stdout = exec.exec_plugin(&ctx, path, stdin, env.as_deref())?;
        out.set_bytes(len_out, stdout);
        Ok(())
    })
}

/// Ask the plugin at `plugin_path` which CNI versions it supports (upstream
/// `GetVersionInfo`): runs `VERSION`; a plugin answering
/// `unknown CNI_COMMAND: VERSION` supports 0.1.0 only. Stores plugin-info
/// JSON `{"cniVersion":"…","supportedVersions":["…",…]}` in
/// `*plugin_info_json_out` (free with `cni_string_free`). `plugin_path` and
/// `plugin_info_json_out` are required. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_get_version_info(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin_path: *const c_char,
    plugin_info_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `plugin_info_json_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(plugin_info_json_out, "plugin_info_json_out") }?;
        // SAFETY: the caller keeps the header's conventions: `plugin_path` is NULL or a NUL-terminated string that stays unchanged during the call.
        let path = unsafe { plugin_path.str_arg("plugin_path") }?;
        // SAFETY: the caller keeps the header's conventions: `exec` is NULL or a live exec.
        let exec = unsafe { cni_exec::arg(exec) };
        // SAFETY: the caller keeps the header's conventions: `ctx` is NULL or a live context.
        let ctx = unsafe { context_arg(ctx) };
        let info = crate::exec::get_version_info(&ctx, path, exec)?;
        out.set_string(info.to_json());
        Ok(())
    })
}

/// The one delegate call behind `cni_delegate` and its per-verb wrappers.
///
/// # Safety
/// As for `cni_delegate`.
unsafe fn delegate(
    verb: Verb,
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin: *const c_char,
    netconf: *const c_char,
    result_json_out: Option<Out<'_, c_char>>,
) -> Result<()> {
    // SAFETY: the caller's promise (the `cni_delegate` contract), here and
    // in the three blocks below: `plugin` and `netconf` are NULL or
    // NUL-terminated strings, `ctx` NULL or a live context, `exec` NULL or a
    // live exec.
    let plugin = unsafe { plugin.str_arg("plugin") }?;
    // SAFETY: as above.
    let netconf = unsafe { netconf.str_arg("netconf") }?;
    // SAFETY: as above.
    let exec = unsafe { cni_exec::arg(exec) };
    // SAFETY: as above.
    let ctx = unsafe { context_arg(ctx) };
    let result = crate::delegate::delegate(&ctx, verb, plugin, netconf.as_bytes(), exec)?;
    if let (Some(out), Some(result)) = (result_json_out, result) {
        out.set_string(result.to_json());
    }
    Ok(())
}

/// Run a delegate (upstream `DelegateAdd` … `DelegateGC`), for plugins that
/// call other plugins: find `plugin` (a name) on this process's `CNI_PATH`
/// and run it with this process's environment and `CNI_COMMAND` = `verb`
/// (`"ADD"`, `"CHECK"`, `"DEL"`, `"STATUS"` or `"GC"`, exactly; another →
/// `CNI_STATUS_INVALID_ARGUMENT`, `unknown delegate verb "x": expected ADD,
/// CHECK, DEL, STATUS or GC`). `result_json_out` may be NULL (no result
/// wanted); otherwise it receives the ADD result JSON (free with
/// `cni_string_free`), or NULL for the other verbs. `verb`, `plugin` and
/// `netconf` are required. Thread-safe (reads the environment: do not
/// modify it concurrently).
#[no_mangle]
pub unsafe extern "C" fn cni_delegate(
    exec: *const cni_exec,
    ctx: *const cni_context,
    verb: *const c_char,
    plugin: *const c_char,
    netconf: *const c_char,
    result_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        let out = if result_json_out.is_null() {
            None
        } else {
            // SAFETY: the caller keeps the header's conventions: `result_json_out` points to a writable pointer.
            Some(unsafe { Out::new(result_json_out, "result_json_out") }?)
        };
        // SAFETY: the caller keeps the header's conventions: `verb` is NULL or a NUL-terminated string.
        let verb: Verb = unsafe { verb.str_arg("verb") }?.parse()?;
        // SAFETY: forwarded: the caller keeps the `cni_delegate` contract.
        unsafe { delegate(verb, exec, ctx, plugin, netconf, out) }
    })
}

/// Delegated ADD (upstream `DelegateAdd`): `cni_delegate` with `"ADD"`;
/// `result_json_out` is required here.
#[no_mangle]
pub unsafe extern "C" fn cni_delegate_add(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin: *const c_char,
    netconf: *const c_char,
    result_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `result_json_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(result_json_out, "result_json_out") }?;
        // SAFETY: forwarded: the caller keeps the `cni_delegate` contract.
        unsafe { delegate(Verb::Add, exec, ctx, plugin, netconf, Some(out)) }
    })
}

/// Delegated CHECK (upstream `DelegateCheck`): `cni_delegate` with
/// `"CHECK"`.
#[no_mangle]
pub unsafe extern "C" fn cni_delegate_check(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin: *const c_char,
    netconf: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: forwarded: the caller keeps the `cni_delegate` contract.
        unsafe { delegate(Verb::Check, exec, ctx, plugin, netconf, None) }
    })
}

/// Delegated DEL (upstream `DelegateDel`): `cni_delegate` with
/// `"DEL"`.
#[no_mangle]
pub unsafe extern "C" fn cni_delegate_del(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin: *const c_char,
    netconf: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: forwarded: the caller keeps the `cni_delegate` contract.
        unsafe { delegate(Verb::Del, exec, ctx, plugin, netconf, None) }
    })
}

/// Delegated STATUS (upstream `DelegateStatus`): `cni_delegate` with
/// `"STATUS"`.
#[no_mangle]
pub unsafe extern "C" fn cni_delegate_status(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin: *const c_char,
    netconf: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: forwarded: the caller keeps the `cni_delegate` contract.
        unsafe { delegate(Verb::Status, exec, ctx, plugin, netconf, None) }
    })
}

/// Delegated GC (upstream `DelegateGC`): `cni_delegate` with
/// `"GC"`.
#[no_mangle]
pub unsafe extern "C" fn cni_delegate_gc(
    exec: *const cni_exec,
    ctx: *const cni_context,
    plugin: *const c_char,
    netconf: *const c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: forwarded: the caller keeps the `cni_delegate` contract.
        unsafe { delegate(Verb::Gc, exec, ctx, plugin, netconf, None) }
    })
}

/// The environment a plugin would get from `args_json` (upstream
/// `Args.AsEnv()`): this process's environment with `CNI_COMMAND`,
/// `CNI_CONTAINERID`, `CNI_NETNS`, `CNI_ARGS`, `CNI_IFNAME` and `CNI_PATH`
/// set (one entry per name, stable order), as a JSON array of `"K=V"`
/// strings stored in `*env_json_out` (free with `cni_string_free`).
/// `args_json` NULL stands for inheriting the environment unchanged
/// (upstream `ArgsFromEnv().AsEnv()` is nil): the JSON is then `null`;
/// `{"environ":[…]}` gives that array back unchanged.
/// `env_json_out` is required. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_args_as_env(
    args_json: *const c_char,
    env_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `env_json_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(env_json_out, "env_json_out") }?;
        // SAFETY: the caller keeps the header's conventions: `args_json` is NULL or a NUL-terminated string that stays unchanged during the call.
        let args = unsafe { args_arg(args_json) }?;
        let env = serde_json::to_string(&args.as_env())
            .map_err(|e| Error::ExecFailed(format!("encoding the environment: {e}")))?;
        out.set_string(env);
        Ok(())
    })
}

/// Convert `result_json` (a CNI result of any supported version, its
/// `cniVersion` naming it) to `to_version`, storing the converted result
/// JSON in `*result_json_out` (free with `cni_string_free`). Malformed JSON
/// → `CNI_STATUS_INVALID_ARGUMENT`; a result that does not decode →
/// `CNI_STATUS_DECODE_ERROR`; an unknown version or an impossible
/// conversion → `CNI_STATUS_UNSUPPORTED_VERSION`. All pointers are required.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn cni_result_convert(
    result_json: *const c_char,
    to_version: *const c_char,
    result_json_out: *mut *mut c_char,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `result_json_out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(result_json_out, "result_json_out") }?;
        // Checked as JSON first, so that a malformed argument is told apart
        // from a well-formed result the library cannot decode.
        // SAFETY: the caller keeps the header's conventions: `result_json` is NULL or a NUL-terminated string that stays unchanged during the call.
        let _: serde::de::IgnoredAny = unsafe { result_json.json_arg("result_json") }?;
        // SAFETY: the caller keeps the header's conventions: `result_json` is NULL or a NUL-terminated string that stays unchanged during the call.
        let json = unsafe { result_json.str_arg("result_json") }?;
        // SAFETY: the caller keeps the header's conventions: `to_version` is NULL or a NUL-terminated string that stays unchanged during the call.
        let to = unsafe { to_version.str_arg("to_version") }?;
        let converted = CniResult::from_json(json.as_bytes())?.convert_to(to)?;
        out.set_string(converted.to_json());
        Ok(())
    })
}
