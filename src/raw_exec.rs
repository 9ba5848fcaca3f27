//! Running a plugin process (upstream `raw_exec.go`): spawn, feed stdin,
//! drain stdout and stderr together, honour the context, turn a failure into
//! upstream's CNI error.

use crate::context::{Context, Done};
use crate::env::{write_entries, PluginEnv, Skip};
use crate::environ_snapshot::EnvironSnapshot;
use crate::error::{Error, Result};
use crate::goquote;
use crate::spawn::{self, ChildStdio, EnvBlock, SigpipeGuard};
use crate::types::CniError;
use crate::while_running::WhileRunning;
use std::ffi::CString;
use std::io::Write;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A function that receives a successful plugin's stderr.
pub type StderrWriter = Arc<dyn Fn(&[u8]) + Send + Sync>;

/// Where a plugin's stderr goes once the plugin has succeeded. A failed
/// plugin's captured stderr is quoted in its error instead, whatever the sink.
#[derive(Clone, Default)]
pub enum StderrSink {
    /// Captured, then written to this process's stderr (upstream
    /// `DefaultExec`).
    Forward,
    /// The plugin writes straight to this process's fd 2; nothing is
    /// captured, so failures cannot quote it.
    Inherit,
    /// Captured for error messages only (upstream `RawExec{}`, no stderr
    /// writer): the default of [`RawExecOptions`].
    #[default]
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

/// How [`RawExec`] runs plugins. The default is upstream's `RawExec{}`
/// (stderr discarded, ETXTBSY retried 5 times 1 s apart, SIGKILL at once on
/// cancellation, 64 MiB cap per stream); [`crate::DefaultExec`] forwards
/// stderr instead. Bindings build these from the JSON document of
/// [`RawExecOptions::from_json`], which applies the same defaults.
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
            stderr: StderrSink::Discard,
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

/// What one read takes when the output buffer is nearly full: enough for
/// most results in one go.
const PROBE_BYTES: usize = 2048;

/// The least an output buffer grows by once more output follows its
/// first read (the start of a flood).
const FLOOD_BLOCK: usize = 8 * 1024;

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
        self.run(ctx, plugin_path, stdin, EnvSource::Given(environ), None)
    }

    /// [`RawExec::exec_plugin`] with the environment `env` describes,
    /// built without a string per inherited entry.
    pub fn exec_plugin_env(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin: &[u8],
        env: &PluginEnv,
    ) -> Result<Vec<u8>> {
        self.run(ctx, plugin_path, stdin, EnvSource::Plugin(env), None)
    }

    /// [`RawExec::exec_plugin_env`], telling `work` when the plugin has
    /// started and when its stdout is complete, while it runs.
    pub(crate) fn exec_plugin_while(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin: &[u8],
        env: &PluginEnv,
        work: &mut dyn WhileRunning,
    ) -> Result<Vec<u8>> {
        self.run(ctx, plugin_path, stdin, EnvSource::Plugin(env), Some(work))
    }

    fn run(
        &self,
        ctx: &Context,
        plugin_path: &str,
        stdin: &[u8],
        env: EnvSource,
        mut work: Option<&mut dyn WhileRunning>,
    ) -> Result<Vec<u8>> {
        let path = CString::new(plugin_path).map_err(|_| {
            Error::InvalidArgument(format!("plugin path {plugin_path:?} contains a NUL byte"))
        })?;
        // Held until the last spawn: the block may point into it.
        let base = ctx.environ();
        let mut attempt = 0;
        loop {
            if let Some(done) = ctx.done() {
                return Err(done.error());
            }
            let envp = build_env(ctx, env, base.as_deref())?;
            match self.run_once(ctx, &path, &envp, stdin, work.as_deref_mut()) {
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
        let Output {
            status,
            stdout,
            stderr,
        } = out;
        let result = if status != 0 {
            let e = plugin_error(&goquote::wait_status(status), &stdout, &stderr);
            buffers::recycle(stdout);
            Err(Error::Plugin(e))
        } else {
            self.deliver_stderr(&stderr);
            Ok(buffers::hand_out(stdout))
        };
        buffers::recycle(stderr);
        result
    }

    /// A successful plugin's stderr to where the options send it.
    fn deliver_stderr(&self, stderr: &[u8]) {
        if stderr.is_empty() {
            return;
        }
        match &self.options.stderr {
            StderrSink::Forward => {
                let _ = std::io::stderr().write_all(stderr);
            }
            StderrSink::Writer(w) => w(stderr),
            StderrSink::Inherit | StderrSink::Discard => {}
        }
    }

    fn run_once(
        &self,
        ctx: &Context,
        path: &CString,
        envp: &EnvBlock<'_>,
        stdin: &[u8],
        work: Option<&mut (dyn WhileRunning + '_)>,
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
            exit: ExitSignal::at_spawn(ctx, pid),
            reaped: false,
        };
        let err = err_r.as_ref().map_or_else(Vec::new, |_| buffers::take());
        let mut io = Io {
            stdin: Some(in_w).filter(|_| !stdin.is_empty()),
            stdin_data: stdin,
            written: 0,
            stdout: Some(out_r),
            stderr: err_r,
            out: buffers::take(),
            err,
            cap: self.options.max_output_bytes,
        };
        let grace = self.options.kill_grace;
        child
            .supervise(ctx, &mut io, grace, work)
            .map_err(Attempt::Failed)
            .map(|status| Output {
                status,
                stdout: std::mem::take(&mut io.out),
                stderr: std::mem::take(&mut io.err),
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

/// A run that ends early (cancelled, overflowed) gives its buffers back.
impl Drop for Io<'_> {
    fn drop(&mut self) {
        buffers::recycle(std::mem::take(&mut self.out));
        buffers::recycle(std::mem::take(&mut self.err));
    }
}

impl Io<'_> {
    fn open_outputs(&self) -> bool {
        self.stdout.is_some() || self.stderr.is_some()
    }

    /// Write what stdin takes at once. The output pipes stay blocking: they
    /// are read once per readiness the poll reports, which never blocks
    /// (this process is their only reader), so no `fcntl` and no read that
    /// ends in `EAGAIN`. Stdin is made non-blocking only when the config
    /// is larger than `PIPE_BUF`: a smaller write to the fresh, empty pipe
    /// always fits at once, whether or not the plugin reads.
    fn start(&mut self, guard: &mut SigpipeGuard) -> Result<()> {
        if let Some(fd) = &self.stdin {
            if self.stdin_data.len() > libc::PIPE_BUF {
                spawn::set_nonblocking(fd).map_err(|e| {
                    Error::ExecFailed(format!("setting up the plugin's stdin: {e}"))
                })?;
            }
        }
        self.pump_stdin(guard);
        Ok(())
    }

    /// Close every pipe, unread.
    fn abandon(&mut self) {
        self.stdin = None;
        self.stdout = None;
        self.stderr = None;
    }

    /// Drain step: read the output pipes the poll found ready; a pipe at
    /// its end is closed. An output past the cap is an error (dropping the
    /// child then kills its group and reaps it).
    fn drain_ready(&mut self, fds: &PollSet) -> Result<()> {
        let cap = self.cap;
        for (slot, name) in [(POLL_STDOUT, "stdout"), (POLL_STDERR, "stderr")] {
            if fds[slot].revents == 0 {
                continue;
            }
            let (fd, buf) = if slot == POLL_STDOUT {
                (&mut self.stdout, &mut self.out)
            } else {
                (&mut self.stderr, &mut self.err)
            };
            let hung_up = fds[slot].revents & libc::POLLHUP != 0;
            match fd.as_ref().map(|f| Io::drain(f, buf, cap, hung_up)) {
                Some(Drained::Eof) => *fd = None,
                Some(Drained::Overflow) => {
                    return Err(Error::ExecFailed(format!(
                        "netplugin wrote more than {cap} bytes on {name}; it was killed"
                    )));
                }
                _ => {}
            }
        }
        Ok(())
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

    /// Read from an output pipe the poll found ready into `buf`: once
    /// (a blocking pipe: a second read could wait), or, once every writer
    /// has closed it (`hung_up`), to its end, which never waits. More than
    /// `cap` bytes in all is an overflow.
    fn drain(fd: &OwnedFd, buf: &mut Vec<u8>, cap: usize, hung_up: bool) -> Drained {
        loop {
            let n = Io::read_once(fd, buf);
            if n > 0 {
                if buf.len() > cap {
                    return Drained::Overflow;
                }
                if hung_up {
                    continue;
                }
                return Drained::More;
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

    /// One `read(2)` appended to `buf`: the count, or -1 with errno set.
    fn read_once(fd: &OwnedFd, buf: &mut Vec<u8>) -> isize {
        if buf.capacity() - buf.len() >= PROBE_BYTES {
            let n = read_into(fd, buf.spare_capacity_mut());
            if n > 0 {
                // SAFETY: read(2) initialised the first `n` bytes of the
                // spare capacity, and `n` is at most its length.
                unsafe { buf.set_len(buf.len() + n as usize) };
            }
            return n;
        }
        // Nearly full: see whether more comes before growing, so that
        // output which just fits a kept buffer costs no reallocation. Then
        // small first (most results are a few hundred bytes), doubling, so
        // that a flood costs few reads and little slack.
        let mut probe = [MaybeUninit::<u8>::uninit(); PROBE_BYTES];
        let n = read_into(fd, &mut probe);
        if n > 0 {
            // A short first read is likely the whole result: room for just
            // that (a large block would cost malloc a consolidation of its
            // free lists on every run).
            let first_short = buf.is_empty() && (n as usize) < probe.len();
            buf.reserve(if first_short {
                n as usize
            } else {
                buf.capacity().max(FLOOD_BLOCK)
            });
            // SAFETY: read(2) initialised the first `n` bytes.
            let got = unsafe { std::slice::from_raw_parts(probe.as_ptr().cast(), n as usize) };
            buf.extend_from_slice(got);
        }
        n
    }
}

/// `read(2)` from `fd` into `buf`: the count, or -1 with errno set.
fn read_into(fd: &OwnedFd, buf: &mut [MaybeUninit<u8>]) -> isize {
    // SAFETY: reads at most `buf.len()` bytes into memory we own.
    unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) }
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
    exit: ExitSignal,
    reaped: bool,
}

/// How the supervision learns that the plugin has exited.
enum ExitSignal {
    /// Nothing asked for yet (since the spawn at this instant), under a
    /// context nothing can end: a plugin that closes its pipes as it exits
    /// (most do) is then waited for by the reap step's `waitpid`, and the
    /// pidfd (a pidfs file, some microseconds) is never made.
    NotYet(Instant),
    /// A pidfd, readable once the plugin has exited.
    Pidfd(OwnedFd),
    /// No pidfd to be had (kernels before 5.3, valgrind, strict seccomp
    /// filters): the exit is checked every [`EXIT_CHECK`].
    Timer,
}

/// The slots of the poll set of [`Child::supervise`].
const POLL_STDIN: usize = 0;
const POLL_STDOUT: usize = 1;
const POLL_STDERR: usize = 2;
/// The pidfd, readable once the plugin has exited.
const POLL_EXIT: usize = 3;
/// The context's wake descriptor (cancellation from another thread).
const POLL_WAKE: usize = 4;
/// One pollfd per slot; -1 leaves a slot out.
type PollSet = [libc::pollfd; 5];

/// How often the exit is checked for a plugin without a pidfd, and how
/// long a plugin runs, its pipes open, before it gets one.
const EXIT_CHECK: Duration = Duration::from_millis(5);

/// Where one supervision stands between two polls.
struct Watch {
    /// The plugin has exited (it is not reaped yet).
    exited: bool,
    /// After the exit: when to stop reading a pipe still held open.
    linger_until: Option<Instant>,
    /// Once the context ends: why, and when SIGTERM turns into SIGKILL.
    stopping: Option<(Done, Option<Instant>)>,
    /// A signal handler interrupted the last wait: run the interrupt check
    /// now rather than when it is next due.
    signalled: bool,
}

impl Watch {
    /// The loop is over: the plugin exited and its output is read (or no
    /// longer wanted), or the linger after its exit ran out.
    fn finished(&self, io: &Io) -> bool {
        (self.exited && (!io.open_outputs() || self.stopping.is_some()))
            || self.linger_until.is_some_and(|t| Instant::now() >= t)
    }

    /// After the exit, a pipe still open (held by a grandchild) is read for
    /// at most [`PIPE_LINGER`] more.
    fn start_linger(&mut self, io: &Io) {
        if self.exited
            && io.open_outputs()
            && self.linger_until.is_none()
            && self.stopping.is_none()
        {
            self.linger_until = Some(Instant::now() + PIPE_LINGER);
        }
    }
}

impl ExitSignal {
    /// Under a context that can end, the pidfd is made at once: the wait
    /// for the exit must stay in `poll`, and made now it costs nothing on
    /// the way to the result (the plugin is starting on another CPU
    /// meanwhile), where made after the pipes closed it would.
    fn at_spawn(ctx: &Context, pid: libc::pid_t) -> ExitSignal {
        if ctx.never_ends() {
            ExitSignal::NotYet(Instant::now())
        } else {
            spawn::pidfd_open(pid).map_or(ExitSignal::Timer, ExitSignal::Pidfd)
        }
    }
}

impl Child {
    /// Feed, drain and wait, until the plugin has exited and its output is
    /// read, or the context ends (then the group is killed and reaped).
    fn supervise(
        mut self,
        ctx: &Context,
        io: &mut Io,
        grace: Duration,
        mut work: Option<&mut (dyn WhileRunning + '_)>,
    ) -> Result<libc::c_int> {
        let mut guard = SigpipeGuard::new();
        io.start(&mut guard)?;
        if let Some(work) = work.as_deref_mut() {
            work.started();
        }
        let mut w = Watch {
            exited: false,
            linger_until: None,
            stopping: None,
            signalled: false,
        };
        loop {
            self.check_exit(&mut w);
            w.start_linger(io);
            if w.finished(io) || self.exit_only_left(ctx, io, &w) {
                break;
            }
            self.stop(ctx, io, grace, &mut w);
            // Stopping gives up the pipes: a plugin already seen to exit
            // (by `check_exit` above) leaves nothing to wait for, and the
            // poll would have no descriptor and no timeout.
            if w.finished(io) {
                break;
            }
            self.arm_exit_signal(io, &w);
            let mut fds = self.poll_set(ctx, io, &w);
            w.signalled = !poll(&mut fds, self.poll_timeout(ctx, &w));
            if w.signalled {
                continue; // EINTR
            }
            if fds[POLL_STDIN].revents != 0 {
                io.pump_stdin(&mut guard);
            }
            let stdout_open = io.stdout.is_some();
            io.drain_ready(&fds)?;
            if stdout_open && io.stdout.is_none() {
                if let Some(work) = work.take() {
                    work.stdout_closed(&io.out);
                }
            }
            if fds[POLL_EXIT].revents != 0 {
                w.exited = true;
            }
        }
        self.conclude(w.stopping)
    }

    /// Without a pidfd to poll, look at the plugin's state now. (Before
    /// one is asked for there is nothing to look for: the reap step's
    /// `waitpid` or the pidfd asked for then learns the exit.)
    fn check_exit(&self, w: &mut Watch) {
        if !w.exited && matches!(self.exit, ExitSignal::Timer) {
            w.exited = spawn::has_exited(self.pid);
        }
    }

    /// Only the exit is left to wait for (stdin written, both outputs read
    /// to their end), under a context nothing can end: the reap step's
    /// blocking wait is that wait, as the floor's `waitpid` is, and no
    /// pidfd is needed.
    fn exit_only_left(&self, ctx: &Context, io: &Io, w: &Watch) -> bool {
        matches!(self.exit, ExitSignal::NotYet(_))
            && !w.exited
            && io.stdin.is_none()
            && !io.open_outputs()
            && ctx.never_ends()
    }

    /// Ask for a pidfd once the exit must be waited for in `poll`: the
    /// pipes are done but the plugin has not exited yet, or it has run
    /// for [`EXIT_CHECK`] with them open (a grandchild may hold them past
    /// its exit). The plugin is not reaped yet, so the pid is still its.
    fn arm_exit_signal(&mut self, io: &Io, w: &Watch) {
        if let ExitSignal::NotYet(since) = self.exit {
            if !w.exited && (!io.open_outputs() || since.elapsed() >= EXIT_CHECK) {
                self.exit =
                    spawn::pidfd_open(self.pid).map_or(ExitSignal::Timer, ExitSignal::Pidfd);
            }
        }
    }

    /// Stop step. When the context has ended: signal the group (SIGTERM,
    /// or SIGKILL without a grace period) and give up the pipes. Once
    /// stopping, SIGKILL when the grace period is over.
    fn stop(&self, ctx: &Context, io: &mut Io, grace: Duration, w: &mut Watch) {
        if let Some((_, hard)) = &mut w.stopping {
            if hard.is_some_and(|t| Instant::now() >= t) {
                spawn::kill_group(self.pid, libc::SIGKILL);
                *hard = None;
            }
            return;
        }
        ctx.check_interrupt(w.signalled);
        let Some(done) = ctx.done() else { return };
        let hard = if grace.is_zero() {
            spawn::kill_group(self.pid, libc::SIGKILL);
            None
        } else {
            spawn::kill_group(self.pid, libc::SIGTERM);
            Some(Instant::now() + grace)
        };
        w.stopping = Some((done, hard));
        // A killed plugin's output is of no use.
        io.abandon();
    }

    /// The poll set: the open pipes, the pidfd until the exit, the
    /// context's wake descriptor until it has ended (-1 skips a slot).
    fn poll_set(&self, ctx: &Context, io: &Io, w: &Watch) -> PollSet {
        let slot = |fd: Option<std::os::fd::RawFd>, events| libc::pollfd {
            fd: fd.unwrap_or(-1),
            events,
            revents: 0,
        };
        let raw = |fd: Option<&OwnedFd>| fd.map(|f| f.as_raw_fd());
        let mut fds: PollSet = [slot(None, 0); 5];
        fds[POLL_STDIN] = slot(raw(io.stdin.as_ref()), libc::POLLOUT);
        fds[POLL_STDOUT] = slot(raw(io.stdout.as_ref()), libc::POLLIN);
        fds[POLL_STDERR] = slot(raw(io.stderr.as_ref()), libc::POLLIN);
        let pidfd = match &self.exit {
            ExitSignal::Pidfd(fd) if !w.exited => Some(fd),
            _ => None,
        };
        fds[POLL_EXIT] = slot(raw(pidfd), libc::POLLIN);
        // Once stopping, the wake descriptor is not asked for: asking for it
        // from a cancelled context writes it again.
        let wake = if w.stopping.is_none() {
            ctx.wake_fd()
        } else {
            None
        };
        fds[POLL_WAKE] = slot(wake, libc::POLLIN);
        fds
    }

    /// How long the next poll may block: the context's own tick until it
    /// has ended, and no later than the end of the linger, the SIGKILL of
    /// the stop step, the next exit check without a pidfd, or the moment a
    /// plugin still running gets one.
    fn poll_timeout(&self, ctx: &Context, w: &Watch) -> Option<Duration> {
        let now = Instant::now();
        let mut wait = if w.stopping.is_none() {
            ctx.tick()
        } else {
            None
        };
        let deadlines = [
            w.linger_until,
            w.stopping.and_then(|(_, hard)| hard),
            match self.exit {
                _ if w.exited => None,
                ExitSignal::NotYet(since) => Some(since + EXIT_CHECK),
                ExitSignal::Pidfd(_) => None,
                ExitSignal::Timer => Some(now + EXIT_CHECK),
            },
        ];
        for t in deadlines.into_iter().flatten() {
            let d = t.saturating_duration_since(now);
            wait = Some(wait.map_or(d, |w| w.min(d)));
        }
        wait
    }

    /// Reap step: the plugin's wait status or, when the context ended, its
    /// error once the group is killed and the plugin reaped.
    fn conclude(mut self, stopping: Option<(Done, Option<Instant>)>) -> Result<libc::c_int> {
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

/// Wait for the poll set for at most `wait` (`None`: no limit); false when
/// poll(2) failed (EINTR: a signal interrupted it; the loop polls again).
fn poll(fds: &mut PollSet, wait: Option<Duration>) -> bool {
    // SAFETY: `fds` is a live, writable array of `fds.len()` pollfds, which
    // poll(2) reads and whose `revents` it writes, for this call only.
    let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as _, spawn::timeout_ms(wait)) };
    r >= 0
}

/// Upstream's reading of a failed plugin that ended with `status` (as Go
/// prints it): its CNI error from stdout, or one made from its stderr
/// (`netplugin failed: "<stderr>"`, upstream v1.3.0's text), or from the
/// status alone when it wrote nothing. The status is always kept in
/// [`CniError::exit_status`]. Public (hidden) for the fuzz targets only.
#[doc(hidden)]
pub fn plugin_error(status: &str, stdout: &[u8], stderr: &[u8]) -> CniError {
    let error = if stdout.is_empty() {
        let msg = if stderr.is_empty() {
            format!("netplugin failed with no error message: {status}")
        } else {
            format!("netplugin failed: {}", goquote::quote(stderr))
        };
        CniError::new(0, msg, "")
    } else {
        CniError::from_json(stdout).unwrap_or_else(|e| {
            let msg = format!(
                "netplugin failed but error parsing its diagnostic message {}: {e}",
                goquote::quote(stdout)
            );
            CniError::new(0, msg, "")
        })
    };
    error.with_exit_status(status)
}

/// Where a run's environment comes from: the entries of
/// [`RawExec::exec_plugin`] (`None` = inherit) or a [`PluginEnv`].
#[derive(Clone, Copy)]
enum EnvSource<'a> {
    Given(Option<&'a [String]>),
    Plugin(&'a PluginEnv<'a>),
}

/// The plugin's environment block: `env`'s entries, with the context's
/// trace variables replacing any inherited ones. Built right before each
/// spawn: the block borrows this process's environment, or `base`, the
/// context's snapshot in its place.
fn build_env<'a>(
    ctx: &Context,
    env: EnvSource<'a>,
    base: Option<&'a EnvironSnapshot>,
) -> Result<EnvBlock<'a>> {
    let trace = ctx.trace().env_vars();
    let is_traced = |name: &[u8]| trace.iter().any(|(t, _)| t.as_bytes() == name);
    let traced: Skip = (!trace.is_empty()).then_some(&is_traced);
    let mut block = EnvBlock::default();
    let written = match env {
        EnvSource::Given(Some(entries)) => write_entries(entries, &mut block, traced),
        EnvSource::Given(None) => PluginEnv::Inherit.write_block(&mut block, traced, base),
        EnvSource::Plugin(env) => env.write_block(&mut block, traced, base),
    };
    let nul = |kv: &[u8]| {
        Error::InvalidArgument(format!(
            "environment entry {:?} contains a NUL byte",
            String::from_utf8_lossy(kv)
        ))
    };
    written.map_err(|kv| nul(&kv))?;
    for (k, v) in trace {
        let kv = format!("{k}={v}");
        block
            .push(&[kv.as_bytes()])
            .map_err(|_| nul(kv.as_bytes()))?;
    }
    Ok(block)
}

#[path = "raw_exec/buffers.rs"]
mod buffers;

/// Give back a plugin's stdout that is no longer needed (the C ABI's
/// `cni_bytes_free`), so that the next run reads into it.
#[cfg(feature = "capi")]
pub(crate) fn recycle_output(stdout: Vec<u8>) {
    buffers::recycle(stdout)
}

#[cfg(test)]
#[path = "raw_exec/supervise_tests.rs"]
mod supervise_tests;
