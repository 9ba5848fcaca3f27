//! System-level helpers: raw fd I/O (fds 0-2 may be closed or odd, so no std
//! handles are involved), the environment and fd listing, files, forks and
//! signals.

use crate::Res;
use std::ffi::CStr;
use std::io;
use std::os::raw::{c_char, c_int};
use std::time::Duration;

/// The 64-byte unit repeated by `stdoutMiB` / `stderrMiB`.
pub const PATTERN: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n";
pub const CHUNK: usize = 64 * 1024;

/// The raw `environ` entries, in order, duplicates and all.
pub fn environ() -> Vec<String> {
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
pub fn open_fds() -> Vec<c_int> {
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

pub fn atomic_write(path: &str, data: &[u8]) -> Res<()> {
    let tmp = format!("{path}.tmp{}", std::process::id());
    std::fs::write(&tmp, data)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("writing {path}: {e}"))
}

pub fn append_line(path: &str, line: &str) -> Res<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(format!("{line}\n").as_bytes()))
        .map_err(|e| format!("appending to {path}: {e}"))
}

/// Forks a grandchild that holds the inherited fds, sleeps, writes `text`
/// (if any) to stdout, and exits.
pub fn spawn_grandchild(ms: u64, text: Option<&str>) -> Res<libc::pid_t> {
    // SAFETY: the process is single-threaded; the child only sleeps,
    // writes and _exits.
    match unsafe { libc::fork() } {
        -1 => Err(format!("fork: {}", io::Error::last_os_error())),
        0 => {
            sleep_ms(ms);
            if let Some(text) = text {
                let _ = write_fd(1, text.as_bytes());
            }
            // SAFETY: _exit ends this forked child at once; nothing of the
            // parent's state is touched.
            unsafe { libc::_exit(0) }
        }
        pid => Ok(pid),
    }
}

/// Writes `out` bytes to stdout and `err` bytes to stderr, alternating
/// 64 KiB chunks (stdout first).
pub fn flood(mut out: usize, mut err: usize) -> Res<()> {
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
pub fn die_by_signal(sig: c_int, core_dir: Option<&str>) -> Res<()> {
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

pub fn read_stdin() -> io::Result<Vec<u8>> {
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

pub fn write_fd(fd: c_int, mut buf: &[u8]) -> io::Result<()> {
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

pub fn sleep_ms(ms: u64) {
    std::thread::sleep(Duration::from_millis(ms));
}

/// Where the SIGTERM handler writes; set once, before the handler exists.
static SIGTERM_FILE: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();

/// Installs the `onSigterm` handler.
pub fn catch_sigterm(path: &str) -> Res<()> {
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
/// appended to [`SIGTERM_FILE`] (one write, so lines never interleave).
/// Only clock_gettime, open, write and close: all async-signal-safe; the
/// digits are formatted on the stack.
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
