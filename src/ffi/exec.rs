//! `cni_exec`: how plugins are found and run (the `Exec` seam), including
//! executors implemented by the caller through `cni_exec_vtable`.

use super::context::cni_context;
use super::error::cni_error;
use super::ptr::{bytes_arg, Out, RefArg, SendPtr, StrArg};
use super::status::cni_status;
use crate::context::Context;
use crate::env::PluginEnv;
use crate::error::{Error, Result};
use crate::exec::{default_exec, DefaultExec, Exec};
use crate::raw_exec::{RawExec, RawExecOptions, StderrWriter};
use crate::version::PluginInfo;
use std::ffi::{c_char, c_void, CString};
use std::sync::{Arc, Mutex};

/// How plugins are found, run and their version reports decoded.
///
/// Made by `cni_exec_new_default`, `cni_exec_new_raw`,
/// `cni_exec_new_raw_with_stderr` or `cni_exec_new_custom`; freed with
/// `cni_exec_free`. Thread-safe: one exec may serve any number of calls on
/// any threads at once. Passing NULL where a call takes a `const cni_exec *`
/// means the library's default exec (as `cni_exec_new_default`).
#[allow(non_camel_case_types)]
pub struct cni_exec {
    pub(crate) exec: Arc<dyn Exec>,
}

impl cni_exec {
    /// The exec a NULL `const cni_exec *` stands for.
    ///
    /// # Safety
    /// `e` is NULL or a live exec.
    pub(crate) unsafe fn arg<'a>(e: *const cni_exec) -> Option<&'a dyn Exec> {
        // SAFETY: the caller's promise: `e` is NULL or a live exec, which
        // outlives the call the reference is used for.
        unsafe { e.opt() }.map(|e| &*e.exec)
    }
}

/// An output sink handed to the callbacks of a custom exec: append bytes
/// with `cni_buffer_append`. Valid only during the callback that received
/// it; owned by the library. Appending from several threads at once is
/// safe.
#[allow(non_camel_case_types)]
#[derive(Default)]
pub struct cni_buffer {
    data: Mutex<Vec<u8>>,
}

impl cni_buffer {
    fn into_inner(self) -> Vec<u8> {
        self.data.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn as_out(&self) -> *mut cni_buffer {
        self as *const cni_buffer as *mut cni_buffer
    }
}

/// Append `len` bytes at `data` to `b`. NULL `b`, or NULL `data` with a
/// non-zero `len`, is ignored (nothing is appended).
#[no_mangle]
pub unsafe extern "C" fn cni_buffer_append(b: *mut cni_buffer, data: *const u8, len: usize) {
    ffi_boundary!({
        // SAFETY: the header requires `b` to be NULL or the buffer handed
        // to the running callback, which lives until the callback returns.
        let b = unsafe { (b as *const cni_buffer).opt() };
        // SAFETY: the caller keeps the header's conventions: `data` is NULL or readable for `len` bytes.
        if let (Some(b), Some(bytes)) = (b, unsafe { bytes_arg(data, len) }) {
            b.data
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(bytes);
        }
    })
}

/// The library's default exec (upstream `DefaultExec`): plugins run as child
/// processes; a successful plugin's stderr is captured, then written to this
/// process's fd 2; ETXTBSY is retried 5 times, 1 s apart; a cancelled plugin
/// is killed with SIGKILL at once. Never NULL. Free with `cni_exec_free`.
#[no_mangle]
pub extern "C" fn cni_exec_new_default() -> *mut cni_exec {
    ffi_boundary!({
        Box::into_raw(Box::new(cni_exec {
            exec: Arc::new(DefaultExec::new()),
        }))
    })
}

/// The raw-exec options document of `options_json` (NULL = `{}`), read by
/// the core: every binding gets the same defaults and the same errors.
///
/// # Safety
/// `json` is NULL or a NUL-terminated string.
unsafe fn raw_options(json: *const c_char, writer: Option<StderrWriter>) -> Result<RawExecOptions> {
    let text = if json.is_null() {
        "{}"
    } else {
        // SAFETY: the caller's promise: `json` is a NUL-terminated string
        // (NULL was handled above).
        unsafe { json.str_arg("options_json") }?
    };
    match writer {
        None => RawExecOptions::from_json(text.as_bytes()),
        Some(w) => RawExecOptions::from_json_with_writer(text.as_bytes(), w),
    }
}

fn boxed_raw(options: RawExecOptions) -> cni_exec {
    cni_exec {
        exec: Arc::new(RawExec::new(options)),
    }
}

/// A process exec (upstream `RawExec`) configured by `options_json`, stored
/// in `*out` (free with `cni_exec_free`).
///
/// `options_json` is NULL (all defaults) or a JSON object with any of
/// `{"stderr":"discard"|"forward"|"inherit", "textBusyRetries":5,
/// "textBusyDelayMs":1000, "killGraceMs":0, "maxOutputBytes":67108864}`;
/// the values shown are the defaults, and `null` also means the default.
/// `discard`: a successful plugin's stderr is captured for error messages
/// only (upstream `RawExec{}`); `forward`: captured, then written to fd 2
/// (upstream `DefaultExec`, as `cni_exec_new_default`); `inherit`: the
/// plugin writes to fd 2 directly (failures then cannot quote it).
/// `textBusyRetries`: further attempts (integer 0 to 2^32-1) when the
/// plugin file is busy (ETXTBSY), `textBusyDelayMs` apart. `killGraceMs` >
/// 0: on cancellation send SIGTERM, wait that long, then SIGKILL (both are
/// numbers of milliseconds, 0 to 2^64-1, fractions allowed).
/// `maxOutputBytes`: most bytes read from each of stdout and stderr; a
/// plugin writing more is killed and the call fails with
/// `CNI_STATUS_EXEC_FAILED`.
///
/// Bad options → `CNI_STATUS_INVALID_ARGUMENT` with one of (the same texts
/// the Python and Go bindings give): `raw exec options are not valid JSON:
/// …`, `raw exec options must be a JSON object, not an array`, `unknown raw
/// exec option "x"; the options are stderr, textBusyRetries,
/// textBusyDelayMs, killGraceMs, maxOutputBytes`, `raw exec option
/// "textBusyRetries" must be an integer from 0 to 4294967295, not -1` (and
/// likewise `"stderr" must be "forward", "inherit" or "discard"`,
/// `"killGraceMs" must be a number of milliseconds from 0 to
/// 18446744073709551615`, `"maxOutputBytes" must be an integer from 0 to
/// …`). `out` is required.
#[no_mangle]
pub unsafe extern "C" fn cni_exec_new_raw(
    options_json: *const c_char,
    out: *mut *mut cni_exec,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(out, "out") }?;
        // SAFETY: the caller keeps the header's conventions: `options_json` is NULL or a NUL-terminated string.
        let options = unsafe { raw_options(options_json, None) }?;
        out.set_box(boxed_raw(options));
        Ok(())
    })
}

/// A process exec whose successful plugins' stderr is handed to `write`
/// (upstream `RawExec{Stderr: w}`), stored in `*out`.
///
/// `options_json` as for `cni_exec_new_raw`, except that it must not name
/// `"stderr"` (→ `CNI_STATUS_INVALID_ARGUMENT`, `raw exec option "stderr"
/// cannot be given with a stderr writer`). `write(userdata, data, len)` is
/// called once per successful plugin run that wrote to stderr, on the
/// thread of that call; with calls on several threads it may run
/// concurrently, so `userdata` must be usable from any thread. `data` is
/// valid only during the callback. `userdata` is not freed by the library
/// and must outlive the exec. `write` and `out` are required.
#[no_mangle]
pub unsafe extern "C" fn cni_exec_new_raw_with_stderr(
    options_json: *const c_char,
    write: Option<unsafe extern "C" fn(userdata: *mut c_void, data: *const u8, len: usize)>,
    userdata: *mut c_void,
    out: *mut *mut cni_exec,
    err: *mut *mut cni_error,
) -> cni_status {
    ffi_boundary!(err => {
        // SAFETY: the caller keeps the header's conventions: `out` is NULL or points to a writable pointer.
        let out = unsafe { Out::new(out, "out") }?;
        let write = write
            .ok_or_else(|| Error::InvalidArgument("argument `write` is NULL".into()))?;
        let userdata = SendPtr(userdata);
        let writer: StderrWriter = Arc::new(move |data: &[u8]| {
            let ud = userdata;
            // SAFETY: the caller promised `write` accepts `userdata` from any
            // thread; `data` is a live slice.
            unsafe { write(ud.0, data.as_ptr(), data.len()) }
        });
        // SAFETY: the caller keeps the header's conventions: `options_json` is NULL or a NUL-terminated string.
        let options = unsafe { raw_options(options_json, Some(writer)) }?;
        out.set_box(boxed_raw(options));
        Ok(())
    })
}

/// The `Exec` interface implemented by the caller (e.g. a test fake, or a
/// binding's own executor). A NULL entry means the library's own behaviour:
/// the default exec's `exec_plugin`, the standard `find_in_path`, the
/// standard version-report decoder.
///
/// Every callback gets the `userdata` given to `cni_exec_new_custom`,
/// returns `CNI_STATUS_OK` on success or another `cni_status` value (only
/// the values of the enum) on failure, optionally storing a `cni_error`
/// (from `cni_error_new` or `cni_error_new_with_userdata`) in `*err`, which
/// the library takes over (and frees unless it hands it back).
/// A failure becomes the library's error of that status: for
/// `CNI_STATUS_PLUGIN_ERROR` the error's code, msg and details are kept (the
/// plugin's CNI error), for other statuses its msg. When that error ends the
/// outer call, its caller gets the very `cni_error *` the callback stored
/// (with its `cni_error_userdata`), not a copy. Output goes into the
/// `cni_buffer` argument with `cni_buffer_append`. Pointer arguments are
/// valid only during the callback. Callbacks may run on any thread, several
/// at once, and may call back into the library; they must not unwind
/// (C++ exceptions, longjmp) through it.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Clone, Copy)]
pub struct cni_exec_vtable {
    /// Run the plugin at `plugin_path` with `stdin_len` bytes at
    /// `stdin_data` on its stdin and `environ` (a NULL-terminated array of
    /// `"K=V"`, or NULL = inherit this process's environment) as its
    /// environment; append its stdout to `stdout_out`. `ctx` is the call's
    /// context (never NULL; usable with `cni_context_cancel` and as the
    /// context of nested calls, not to be freed).
    pub exec_plugin: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            ctx: *const cni_context,
            plugin_path: *const c_char,
            stdin_data: *const u8,
            stdin_len: usize,
            environ: *const *const c_char,
            stdout_out: *mut cni_buffer,
            err: *mut *mut cni_error,
        ) -> cni_status,
    >,
    /// Find `plugin` in the `n_paths` directories `paths`; append the full
    /// path to `path_out` (UTF-8, no NUL).
    pub find_in_path: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            plugin: *const c_char,
            paths: *const *const c_char,
            n_paths: usize,
            path_out: *mut cni_buffer,
            err: *mut *mut cni_error,
        ) -> cni_status,
    >,
    /// Decode the `len` bytes at `json` (a plugin's `VERSION` output) and
    /// append plugin-info JSON
    /// (`{"cniVersion":"…","supportedVersions":["…"]}`) to
    /// `plugin_info_json_out`.
    pub decode: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            json: *const u8,
            len: usize,
            plugin_info_json_out: *mut cni_buffer,
            err: *mut *mut cni_error,
        ) -> cni_status,
    >,
    /// Called exactly once, with `userdata`, when the exec is freed (also
    /// when it is freed right after creation). May be NULL.
    pub free_userdata: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

/// An `Exec` whose methods are the caller's callbacks.
struct CustomExec {
    vtable: cni_exec_vtable,
    userdata: SendPtr,
}

impl Drop for CustomExec {
    fn drop(&mut self) {
        if let Some(free) = self.vtable.free_userdata {
            // SAFETY: the caller's destructor for its own user data, called
            // once: a CustomExec is dropped once and never copied.
            unsafe { free(self.userdata.0) };
        }
    }
}

fn c_string(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::InvalidArgument(format!("{what} contains a NUL byte")))
}

/// Run one callback with a fresh buffer and error slot; its output, or the
/// core error its status and error stand for.
fn call_back(
    what: &str,
    f: impl FnOnce(*mut cni_buffer, *mut *mut cni_error) -> cni_status,
) -> Result<Vec<u8>> {
    let buf = cni_buffer::default();
    let mut err: *mut cni_error = std::ptr::null_mut();
    let status = f(buf.as_out(), &mut err);
    let error = (!err.is_null()).then(|| {
        // SAFETY: a callback stores only errors from `cni_error_new` (or
        // from another call of this library), which it hands over to us.
        unsafe { Box::from_raw(err) }
    });
    match (status, error) {
        (cni_status::Ok, _) => Ok(buf.into_inner()),
        (status, Some(e)) => Err(e.into_core(status)),
        (status, None) => Err(Error::from_status(
            status,
            format!("custom exec's {what} failed with {status:?} and no error"),
        )),
    }
}

impl Exec for CustomExec {
    fn exec_plugin_env(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        env: &PluginEnv,
    ) -> Result<Vec<u8>> {
        if self.vtable.exec_plugin.is_none() {
            return default_exec().exec_plugin_env(ctx, plugin_path, stdin_data, env);
        }
        let entries = env.to_entries_in(ctx.environ().as_deref());
        self.exec_plugin(ctx, plugin_path, stdin_data, entries.as_deref())
    }

    fn exec_plugin(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin_data: &[u8],
        environ: Option<&[String]>,
    ) -> Result<Vec<u8>> {
        let Some(f) = self.vtable.exec_plugin else {
            return default_exec().exec_plugin(ctx, plugin_path, stdin_data, environ);
        };
        let path = c_string("plugin path", plugin_path)?;
        let env: Option<Vec<CString>> = environ
            .map(|e| {
                e.iter()
                    .map(|kv| c_string("environment entry", kv))
                    .collect()
            })
            .transpose()?;
        let env_ptrs: Option<Vec<*const c_char>> = env.as_ref().map(|e| {
            e.iter()
                .map(|c| c.as_ptr())
                .chain(std::iter::once(std::ptr::null()))
                .collect()
        });
        let environ_ptr = env_ptrs.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
        let c_ctx = cni_context { ctx: ctx.clone() };
        call_back("exec_plugin", |out, err| {
            // SAFETY: every pointer is live for the duration of the call.
            unsafe {
                f(
                    self.userdata.0,
                    &c_ctx,
                    path.as_ptr(),
                    stdin_data.as_ptr(),
                    stdin_data.len(),
                    environ_ptr,
                    out,
                    err,
                )
            }
        })
    }

    fn find_in_path(&self, plugin: &str, paths: &[String]) -> Result<String> {
        let Some(f) = self.vtable.find_in_path else {
            return crate::find::find_in_path(plugin, paths);
        };
        let name = c_string("plugin name", plugin)?;
        let dirs: Vec<CString> = paths
            .iter()
            .map(|p| c_string("search path entry", p))
            .collect::<Result<_>>()?;
        let ptrs: Vec<*const c_char> = dirs.iter().map(|c| c.as_ptr()).collect();
        let out = call_back("find_in_path", |out, err| {
            // SAFETY: every pointer is live for the duration of the call.
            unsafe {
                f(
                    self.userdata.0,
                    name.as_ptr(),
                    ptrs.as_ptr(),
                    ptrs.len(),
                    out,
                    err,
                )
            }
        })?;
        String::from_utf8(out).map_err(|_| {
            Error::ExecFailed("custom exec's find_in_path returned a path that is not UTF-8".into())
        })
    }

    fn decode(&self, json: &[u8]) -> Result<PluginInfo> {
        let Some(f) = self.vtable.decode else {
            return PluginInfo::decode(json);
        };
        let out = call_back("decode", |out, err| {
            // SAFETY: every pointer is live for the duration of the call.
            unsafe { f(self.userdata.0, json.as_ptr(), json.len(), out, err) }
        })?;
        PluginInfo::decode(&out)
    }
}

/// An exec whose behaviour is the caller's `vtable` (copied; need not
/// outlive the call) with `userdata`. NULL entries fall back to the
/// library's own behaviour (see `cni_exec_vtable`). `vtable->free_userdata`
/// (if any) is called exactly once, when the exec is freed. `userdata` must
/// be usable from any thread. Returns NULL only when `vtable` is NULL. Free
/// with `cni_exec_free`.
#[no_mangle]
pub unsafe extern "C" fn cni_exec_new_custom(
    vtable: *const cni_exec_vtable,
    userdata: *mut c_void,
) -> *mut cni_exec {
    ffi_boundary!({
        // SAFETY: the caller keeps the header's conventions: `vtable` is
        // NULL or points to a readable `cni_exec_vtable` (copied at once).
        match unsafe { vtable.opt() } {
            None => std::ptr::null_mut(),
            Some(v) => Box::into_raw(Box::new(cni_exec {
                exec: Arc::new(CustomExec {
                    vtable: *v,
                    userdata: SendPtr(userdata),
                }),
            })),
        }
    })
}

/// Free an exec (for a custom exec, calling its `free_userdata`). NULL is
/// ignored. Calls using it must have returned.
#[no_mangle]
pub unsafe extern "C" fn cni_exec_free(e: *mut cni_exec) {
    ffi_boundary!({
        if !e.is_null() {
            // SAFETY: the header requires an exec from this library, not yet
            // freed and no longer in use.
            drop(unsafe { Box::from_raw(e) });
        }
    })
}
