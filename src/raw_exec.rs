//! Running a plugin process (upstream `raw_exec.go`): spawn, feed stdin,
//! drain stdout and stderr together, honour the context, turn a failure into
//! upstream's CNI error.

use crate::context::{Context, Done};
use crate::error::{Error, Result};
use crate::goquote;
use crate::spawn::{self, ChildStdio, EnvBlock, SigpipeGuard};
use crate::types::CniError;
use std::ffi::CString;
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A function that receives a successful plugin's stderr.
pub type StderrWriter = Arc<dyn Fn(&[u8]) + Send + Sync>;

/// Where a plugin's stderr goes once the plugin has succeeded.
#[derive(Clone, Default)]
pub enum StderrSink {
    /// Captured, then written to this process's stderr (upstream
    /// `DefaultExec`).
    #[default]
    Forward,
    /// The plugin writes straight to this process's fd 2; nothing is
    /// captured, so failures cannot quote it.
    Inherit,
    /// Captured for error messages only (upstream `RawExec{}`).
    Discard,
    /// Captured, then handed to this function (upstream
    /// `RawExec{Stderr: w}`).
    Writer(StderrWriter),
}

impl std::fmt::Debug for StderrSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StderrSink::Forward => "Forward",
            StderrSink::Inherit => "Inherit",
            StderrSink::Discard => "Discard",
            StderrSink::Writer(_) => "Writer(..)",
        })
    }
}

/// How [`RawExec`] runs plugins.
#[derive(Debug, Clone)]
pub struct RawExecOptions {
    /// Where stderr goes.
    pub stderr: StderrSink,
    /// Further attempts when the plugin file is busy being written (ETXTBSY).
    pub text_busy_retries: u32,
    /// Pause between those attempts.
    pub text_busy_delay: Duration,
    /// On cancellation: zero = SIGKILL at once; otherwise SIGTERM, up to
    /// this long for the plugin to exit, then SIGKILL.
    pub kill_grace: Duration,
    /// Most bytes read from each of stdout and stderr; a plugin writing
    /// more is killed and the call fails.
    pub max_output_bytes: usize,
}

impl Default for RawExecOptions {
    fn default() -> Self {
        RawExecOptions {
            stderr: StderrSink::Forward,
            text_busy_retries: 5,
            text_busy_delay: Duration::from_secs(1),
            kill_grace: Duration::ZERO,
            max_output_bytes: DEFAULT_MAX_OUTPUT,
        }
    }
}

/// Default cap on each output stream: far above any real result, low
/// enough that a runaway plugin cannot take the host's memory.
pub const DEFAULT_MAX_OUTPUT: usize = 64 << 20;

/// How long output is still read after the plugin itself has exited while
/// something it started keeps the pipes open.
const PIPE_LINGER: Duration = Duration::from_secs(1);

/// Runs plugin binaries as child processes.
#[derive(Debug, Clone, Default)]
pub struct RawExec {
    /// The options in force.
    pub options: RawExecOptions,
}

impl RawExec {
    /// A runner with the given options.
    pub fn new(options: RawExecOptions) -> RawExec {
        RawExec { options }
    }

    /// Run `plugin_path` with `stdin` on its standard input and exactly
    /// `environ` as its environment (`None` = this process's). Returns its
    /// stdout when it exits 0.
    pub fn exec_plugin(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin: &[u8],
        environ: Option<&[String]>,
    ) -> Result<Vec<u8>> {
        let path = CString::new(plugin_path).map_err(|_| {
            Error::InvalidArgument(format!("plugin path {plugin_path:?} contains a NUL byte"))
        })?;
        let envp = build_env(ctx, environ)?;
        let mut attempt = 0;
        loop {
            if let Some(done) = ctx.done() {
                return Err(done.error());
            }
            match self.run_once(ctx, &path, &envp, stdin) {
                Err(Attempt::SpawnFailed(libc::ETXTBSY))
                    if attempt < self.options.text_busy_retries =>
                {
                    attempt += 1;
                    ctx.sleep(self.options.text_busy_delay)
                        .map_err(Done::error)?;
                }
                Err(Attempt::SpawnFailed(errno)) => {
                    return Err(Error::ExecFailed(format!(
                        "netplugin failed with no error message: fork/exec {plugin_path}: {}",
                        goquote::errno_text(errno)
                    )))
                }
                Err(Attempt::Failed(e)) => return Err(e),
                Ok(out) => return self.finish(out),
            }
        }
    }

    fn finish(&self, out: Output) -> Result<Vec<u8>> {
        if out.status != 0 {
            return Err(Error::Plugin(plugin_error(
                &goquote::wait_status(out.status),
                &out.stdout,
                &out.stderr,
            )));
        }
        if !out.stderr.is_empty() {
            match &self.options.stderr {
                StderrSink::Forward => {
                    let _ = std::io::stderr().write_all(&out.stderr);
                }
                StderrSink::Writer(w) => w(&out.stderr),
                StderrSink::Inherit | StderrSink::Discard => {}
            }
        }
        Ok(out.stdout)
    }

    fn run_once(
        &self,
        ctx: &Context,
        path: &CString,
        envp: &EnvBlock,
        stdin: &[u8],
    ) -> std::result::Result<Output, Attempt> {
        let os = |what: &str, e: std::io::Error| {
            Attempt::Failed(Error::ExecFailed(format!("{what}: {e}")))
        };
        let (in_r, in_w) = spawn::pipe().map_err(|e| os("creating stdin pipe", e))?;
        let (out_r, out_w) = spawn::pipe().map_err(|e| os("creating stdout pipe", e))?;
        let (err_r, err_w) = match self.options.stderr {
            StderrSink::Inherit => (None, None),
            _ => {
                let (r, w) = spawn::pipe().map_err(|e| os("creating stderr pipe", e))?;
                (Some(r), Some(w))
            }
        };
        let stdio = ChildStdio {
            stdin: in_r,
            stdout: out_w,
            stderr: err_w,
        };
        // The child-side ends are dropped (closed in this process) on return.
        let pid = spawn::spawn(path, envp, stdio).map_err(Attempt::SpawnFailed)?;
        let child = Child {
            pid,
            pidfd: spawn::pidfd_open(pid),
            reaped: false,
        };
        let mut io = Io {
            stdin: Some(in_w).filter(|_| !stdin.is_empty()),
            stdin_data: stdin,
            written: 0,
            stdout: Some(out_r),
            stderr: err_r,
            out: Vec::new(),
            err: Vec::new(),
            cap: self.options.max_output_bytes,
        };
        let grace = self.options.kill_grace;
        child
            .supervise(ctx, &mut io, grace)
            .map_err(Attempt::Failed)
            .map(|status| Output {
                status,
                stdout: io.out,
                stderr: io.err,
            })
    }
}

enum Attempt {
    SpawnFailed(i32),
    Failed(Error),
}

struct Output {
    status: libc::c_int,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// The parent's side of the plugin's pipes and what has come through them.
struct Io<'a> {
    stdin: Option<OwnedFd>,
    stdin_data: &'a [u8],
    written: usize,
    stdout: Option<OwnedFd>,
    stderr: Option<OwnedFd>,
    out: Vec<u8>,
    err: Vec<u8>,
    /// Most bytes accepted on each of stdout and stderr.
    cap: usize,
}

impl Io<'_> {
    fn open_outputs(&self) -> bool {
        self.stdout.is_some() || self.stderr.is_some()
    }

    /// Write what the pipe takes now; closes stdin when all is written or the
    /// plugin has closed its end (EPIPE is not an error: upstream ignores a
    /// plugin that does not read its config).
    fn pump_stdin(&mut self, guard: &mut SigpipeGuard) {
        let Some(fd) = &self.stdin else { return };
        while self.written < self.stdin_data.len() {
            let rest = &self.stdin_data[self.written..];
            // SAFETY: writes from a live slice to a descriptor we own.
            let n = unsafe { libc::write(fd.as_raw_fd(), rest.as_ptr().cast(), rest.len()) };
            if n >= 0 {
                self.written += n as usize;
                continue;
            }
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) => return,
                Some(libc::EPIPE) => guard.got_epipe = true,
                _ => {}
            }
            break;
        }
        self.stdin = None;
    }

    /// Read what is there from one output pipe into `buf`, up to `cap`
    /// bytes in all.
    fn drain(fd: &OwnedFd, buf: &mut Vec<u8>, cap: usize) -> Drained {
        loop {
            if buf.len() > cap {
                return Drained::Overflow;
            }
            // Small first (most results are a few hundred bytes), then
            // doubling, so a flood costs few reads and little slack.
            if buf.capacity() - buf.len() < 2048 {
                buf.reserve(buf.capacity().max(8 * 1024));
            }
            let spare = buf.spare_capacity_mut();
            // SAFETY: reads into the vector's spare capacity; set_len covers
            // only the bytes read.
            let n = unsafe { libc::read(fd.as_raw_fd(), spare.as_mut_ptr().cast(), spare.len()) };
            if n > 0 {
                unsafe { buf.set_len(buf.len() + n as usize) };
                continue;
            }
            if n == 0 {
                return Drained::Eof;
            }
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) => return Drained::More,
                _ => return Drained::Eof,
            }
        }
    }
}

/// What reading an output pipe came to.
#[derive(PartialEq)]
enum Drained {
    More,
    Eof,
    Overflow,
}

/// The running plugin.
struct Child {
    pid: libc::pid_t,
    pidfd: Option<OwnedFd>,
    reaped: bool,
}

impl Child {
    /// Feed, drain and wait, until the plugin has exited and its output is
    /// read, or the context ends (then the group is killed and reaped).
    fn supervise(mut self, ctx: &Context, io: &mut Io, grace: Duration) -> Result<libc::c_int> {
        let mut guard = SigpipeGuard::new();
        for fd in [&io.stdin, &io.stdout, &io.stderr].into_iter().flatten() {
            spawn::set_nonblocking(fd)
                .map_err(|e| Error::ExecFailed(format!("setting up the plugin's pipes: {e}")))?;
        }
        io.pump_stdin(&mut guard);

        let mut exited = false;
        let mut linger_until: Option<Instant> = None;
        // Once the context ends: why, and when SIGTERM turns into SIGKILL.
        let mut stopping: Option<(Done, Option<Instant>)> = None;
        // A signal handler interrupted the last wait: run the interrupt
        // check now rather than when it is next due.
        let mut signalled = false;
        loop {
            if !exited && self.pidfd.is_none() {
                exited = spawn::has_exited(self.pid);
            }
            if exited && (!io.open_outputs() || stopping.is_some()) {
                break;
            }
            if linger_until.is_some_and(|t| Instant::now() >= t) {
                break;
            }
            match &mut stopping {
                None => {
                    ctx.check_interrupt(signalled);
                    if let Some(done) = ctx.done() {
                        let hard = if grace.is_zero() {
                            spawn::kill_group(self.pid, libc::SIGKILL);
                            None
                        } else {
                            spawn::kill_group(self.pid, libc::SIGTERM);
                            Some(Instant::now() + grace)
                        };
                        stopping = Some((done, hard));
                        // A killed plugin's output is of no use.
                        io.stdin = None;
                        io.stdout = None;
                        io.stderr = None;
                    }
                }
                Some((_, hard)) => {
                    if hard.is_some_and(|t| Instant::now() >= t) {
                        spawn::kill_group(self.pid, libc::SIGKILL);
                        *hard = None;
                    }
                }
            }

            let slot = |fd: Option<&OwnedFd>, events| libc::pollfd {
                fd: fd.map_or(-1, |f| f.as_raw_fd()),
                events,
                revents: 0,
            };
            let mut fds = [
                slot(io.stdin.as_ref(), libc::POLLOUT),
                slot(io.stdout.as_ref(), libc::POLLIN),
                slot(io.stderr.as_ref(), libc::POLLIN),
                slot(self.pidfd.as_ref().filter(|_| !exited), libc::POLLIN),
                libc::pollfd {
                    fd: ctx.wake_fd().filter(|_| stopping.is_none()).unwrap_or(-1),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            let now = Instant::now();
            let mut wait = if stopping.is_none() { ctx.tick() } else { None };
            let deadlines = [
                linger_until,
                stopping.and_then(|(_, hard)| hard),
                (self.pidfd.is_none() && !exited).then(|| now + Duration::from_millis(5)),
            ];
            for t in deadlines.into_iter().flatten() {
                let d = t.saturating_duration_since(now);
                wait = Some(wait.map_or(d, |w| w.min(d)));
            }
            // SAFETY: fds is a valid array of pollfds.
            let r =
                unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as _, spawn::timeout_ms(wait)) };
            signalled = r < 0;
            if signalled {
                continue; // EINTR
            }
            if fds[0].revents != 0 {
                io.pump_stdin(&mut guard);
            }
            for (i, name) in [(1, "stdout"), (2, "stderr")] {
                if fds[i].revents == 0 {
                    continue;
                }
                let (fd, buf) = match i {
                    1 => (&mut io.stdout, &mut io.out),
                    _ => (&mut io.stderr, &mut io.err),
                };
                match fd.as_ref().map(|f| Io::drain(f, buf, io.cap)) {
                    Some(Drained::Eof) => *fd = None,
                    Some(Drained::Overflow) => {
                        // Dropping the child kills its group and reaps it.
                        return Err(Error::ExecFailed(format!(
                            "netplugin wrote more than {} bytes on {name}; it was killed",
                            io.cap
                        )));
                    }
                    _ => {}
                }
            }
            if fds[3].revents != 0 {
                exited = true;
            }
            if exited && io.open_outputs() && linger_until.is_none() && stopping.is_none() {
                linger_until = Some(Instant::now() + PIPE_LINGER);
            }
        }

        if let Some((done, _)) = stopping {
            // Whatever the plugin left behind in its group goes too, while the
            // unreaped leader still pins the group id.
            spawn::kill_group(self.pid, libc::SIGKILL);
            let _ = self.reap();
            return Err(done.error());
        }
        self.reap()
    }

    fn reap(&mut self) -> Result<libc::c_int> {
        self.reaped = true;
        spawn::wait_blocking(self.pid).ok_or_else(|| {
            Error::ExecFailed(
                "the plugin's exit status is lost: its process was reaped elsewhere \
                 (is SIGCHLD ignored in this process?)"
                    .into(),
            )
        })
    }
}

impl Drop for Child {
    /// Never leave a child behind, whatever path got us here.
    fn drop(&mut self) {
        if !self.reaped {
            spawn::kill_group(self.pid, libc::SIGKILL);
            spawn::wait_blocking(self.pid);
        }
    }
}

/// Upstream's reading of a failed plugin: its CNI error from stdout, or a
/// synthesised one naming stderr and the exit status. Public (hidden) for
/// the fuzz targets only.
#[doc(hidden)]
pub fn plugin_error(status: &str, stdout: &[u8], stderr: &[u8]) -> CniError {
    if stdout.is_empty() {
        let msg = if stderr.is_empty() {
            format!("netplugin failed with no error message: {status}")
        } else {
            format!("netplugin failed: {}: {status}", goquote::quote(stderr))
        };
        return CniError::new(0, msg, "");
    }
    match CniError::from_json(stdout) {
        Ok(e) => e,
        Err(e) => CniError::new(
            0,
            format!(
                "netplugin failed but error parsing its diagnostic message {}: {e}",
                goquote::quote(stdout)
            ),
            "",
        ),
    }
}

/// The plugin's environment block: `environ` (or this process's), with the
/// context's trace variables replacing any inherited ones.
fn build_env(ctx: &Context, environ: Option<&[String]>) -> Result<EnvBlock> {
    let trace = ctx.trace().env_vars();
    let nul = |kv: &[u8]| {
        Error::InvalidArgument(format!(
            "environment entry {:?} contains a NUL byte",
            String::from_utf8_lossy(kv)
        ))
    };
    let traced = |kv: &[u8]| trace.iter().any(|(k, _)| is_entry_of(kv, k));
    let mut block = EnvBlock::default();
    match environ {
        Some(env) => {
            block.reserve(env.len(), env.iter().map(|kv| kv.len() + 1).sum());
            for kv in env.iter().map(|kv| kv.as_bytes()).filter(|kv| !traced(kv)) {
                block.push(&[kv]).map_err(|_| nul(kv))?;
            }
        }
        None => {
            use std::os::unix::ffi::OsStrExt;
            for (k, v) in std::env::vars_os() {
                let (k, v) = (k.as_bytes(), v.as_bytes());
                if !trace.iter().any(|(t, _)| k == t.as_bytes()) {
                    // The OS environment cannot hold a NUL; nothing to refuse.
                    let _ = block.push(&[k, b"=", v]);
                }
            }
        }
    }
    for (k, v) in trace {
        let kv = format!("{k}={v}");
        block
            .push(&[kv.as_bytes()])
            .map_err(|_| nul(kv.as_bytes()))?;
    }
    Ok(block)
}

fn is_entry_of(kv: &[u8], key: &str) -> bool {
    kv.len() > key.len() && kv.starts_with(key.as_bytes()) && kv[key.len()] == b'='
}
