//! Process plumbing: pipes, `posix_spawn` in its own process group with a
//! clean signal state and only fds 0–2, pidfds, group kills and reaping.
//! Everything `unsafe` about processes lives here.

use std::ffi::CStr;
use std::io;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

extern "C" {
    // glibc ≥ 2.34. Closing in the spawn helper keeps the spawn on the
    // vfork path: no fork of the host's page tables, no pre_exec closure.
    fn posix_spawn_file_actions_addclosefrom_np(
        actions: *mut libc::posix_spawn_file_actions_t,
        from: libc::c_int,
    ) -> libc::c_int;
}

/// Wait up to `wait` for `fd` (if any) to become readable; `true` when a
/// signal handler interrupted the wait.
pub(crate) fn poll_one(fd: Option<RawFd>, wait: Duration) -> bool {
    let mut pfd = libc::pollfd {
        fd: fd.unwrap_or(-1),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd; a negative fd is ignored by poll.
    let r = unsafe { libc::poll(&mut pfd, 1, timeout_ms(Some(wait))) };
    r < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
}

/// A `poll` timeout in milliseconds, rounded up so that a wait never ends
/// just before the moment it waits for; `None` = forever.
pub(crate) fn timeout_ms(d: Option<Duration>) -> libc::c_int {
    match d {
        None => -1,
        Some(d) => {
            let ms = d.as_nanos().div_ceil(1_000_000);
            ms.min(i32::MAX as u128) as libc::c_int
        }
    }
}

/// A pipe whose both ends are close-on-exec: `(read, write)`.
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: fds has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 returned two fresh descriptors that we now own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Put a fresh pipe end in non-blocking mode.
pub(crate) fn set_nonblocking(fd: &OwnedFd) -> io::Result<()> {
    // A fresh pipe end has no status flag but its access mode, which
    // F_SETFL ignores: no need to read the flags first.
    // SAFETY: fcntl on a descriptor we own.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Move a child-side descriptor above 2, so that wiring it onto 0–2 in the
/// child can never overwrite another one (a host may run with its own
/// stdio closed).
fn above_stdio(fd: OwnedFd) -> io::Result<OwnedFd> {
    if fd.as_raw_fd() > 2 {
        return Ok(fd);
    }
    // SAFETY: duplicating a descriptor we own.
    let new = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
    if new < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fcntl returned a fresh descriptor.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

/// The child's standard descriptors. `stderr: None` lets the child write to
/// this process's own fd 2.
pub(crate) struct ChildStdio {
    pub stdin: OwnedFd,
    pub stdout: OwnedFd,
    pub stderr: Option<OwnedFd>,
}

extern "C" {
    static environ: *const *const libc::c_char;
}

/// One entry of this process's environment, borrowed from `environ` (a
/// NUL-terminated C string: `K=V`, or a bare word without `=`).
#[derive(Clone, Copy)]
pub(crate) struct EnvironEntry<'a> {
    ptr: *const libc::c_char,
    /// The bytes before the first `=`, when there is one.
    name: Option<&'a [u8]>,
}

impl<'a> EnvironEntry<'a> {
    /// The name, `None` for an entry without `=`.
    pub(crate) fn name(&self) -> Option<&'a [u8]> {
        self.name
    }

    /// An entry standing in for one of `environ`'s (an
    /// [`crate::EnvironSnapshot`]'s): `kv` ends with a NUL, the only one it
    /// holds, and its name is its first `name_len` bytes (`None`: no `=`);
    /// `None` when `kv` does not end with a NUL or is shorter than that.
    pub(crate) fn terminated(kv: &'a [u8], name_len: Option<usize>) -> Option<EnvironEntry<'a>> {
        if kv.last() != Some(&0) {
            return None;
        }
        let name = match name_len {
            Some(n) => Some(kv.get(..n)?),
            None => None,
        };
        Some(EnvironEntry {
            ptr: kv.as_ptr() as *const libc::c_char,
            name,
        })
    }

    /// The whole entry.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        // SAFETY: `ptr` is one of `environ`'s NUL-terminated strings, alive
        // and unchanged for 'a (the contract of `with_environ`), or the
        // start of bytes borrowed for 'a that end with a NUL (`terminated`).
        unsafe { CStr::from_ptr(self.ptr).to_bytes() }
    }
}

/// This process's environment entries, as `environ` holds them, handed to
/// `f` (they live only as long as the call).
///
/// Read the way `posix_spawn(…, environ)` and glibc's `getenv` read it,
/// without a lock: the environment must not change meanwhile, the contract
/// every C library and Rust's `std::env::set_var` (which is `unsafe` in a
/// program with threads for this reason) already impose. Each entry is
/// read only up to its `=`; its value is not even measured.
pub(crate) fn with_environ<R>(f: impl for<'a> FnOnce(&[EnvironEntry<'a>]) -> R) -> R {
    let mut entries: Vec<EnvironEntry> = Vec::with_capacity(64);
    // SAFETY: `environ` is NULL or a NULL-terminated array of NUL-terminated
    // strings, unchanged during the call (the contract above); strchrnul
    // stops inside each string (at its first `=` or its NUL), so each name
    // is bytes of that string, and no entry outlives `f`.
    unsafe {
        let mut p = environ;
        while !p.is_null() && !(*p).is_null() {
            let ptr = *p;
            // The first `=`, or the NUL when there is none.
            let end = libc::strchrnul(ptr, libc::c_int::from(b'='));
            let name = (*end as u8 == b'=').then(|| {
                std::slice::from_raw_parts(ptr as *const u8, end.offset_from(ptr) as usize)
            });
            entries.push(EnvironEntry { ptr, name });
            p = p.add(1);
        }
    }
    f(&entries)
}

/// The entries of this process's environment as [`with_environ`] found
/// them once: the pointers `environ` held, and the name of each (copied).
/// Whether `environ` still holds the same is cheap to check, cheaper than
/// finding the names again: work that depends only on them (which entries
/// an overlay keeps) can be done once for many spawns.
pub(crate) struct EnvironRecord {
    ptrs: Vec<*const libc::c_char>,
    /// Each entry's name as an offset and length in `names`; `None` for an
    /// entry without `=`.
    spans: Vec<Option<(usize, usize)>>,
    names: Vec<u8>,
}

impl EnvironRecord {
    /// A record of `entries` (those [`with_environ`] handed out).
    pub(crate) fn of(entries: &[EnvironEntry<'_>]) -> EnvironRecord {
        let mut names = Vec::new();
        let spans = entries.iter().map(|e| {
            e.name.map(|n| {
                names.extend_from_slice(n);
                (names.len() - n.len(), n.len())
            })
        });
        let spans = spans.collect();
        EnvironRecord {
            ptrs: entries.iter().map(|e| e.ptr).collect(),
            spans,
            names,
        }
    }

    /// Entry `i` as recorded: to be used only while
    /// [`EnvironRecord::still_holds`] (under [`with_environ`]'s contract).
    pub(crate) fn entry(&self, i: usize) -> EnvironEntry<'_> {
        let name = self.spans[i].map(|(at, len)| &self.names[at..at + len]);
        EnvironEntry {
            ptr: self.ptrs[i],
            name,
        }
    }

    /// Whether `environ` holds exactly the recorded pointers, in order,
    /// each string still named as recorded (a string changed in place, as
    /// one given to `putenv` may be, is noticed too).
    pub(crate) fn still_holds(&self) -> bool {
        // SAFETY: `environ` is NULL or a NULL-terminated array of
        // NUL-terminated strings, unchanged during the call (the contract
        // of `with_environ`).
        unsafe { self.holds_in(environ) }
    }

    /// [`EnvironRecord::still_holds`] of the array at `array`.
    ///
    /// # Safety
    ///
    /// `array` is NULL or a NULL-terminated array of NUL-terminated strings,
    /// unchanged during the call.
    unsafe fn holds_in(&self, array: *const *const libc::c_char) -> bool {
        if array.is_null() {
            return self.ptrs.is_empty();
        }
        let mut p = array;
        // SAFETY: the array is read up to its NULL at most (a recorded
        // pointer is never NULL, so the NULL ends the loop); each string is
        // read by strncmp and strchr, which stop at its NUL, and its byte at
        // a name's length only once strncmp found that many non-NUL bytes
        // there (a recorded name has no NUL).
        unsafe {
            for (&ptr, span) in self.ptrs.iter().zip(&self.spans) {
                if *p != ptr {
                    return false;
                }
                let named_so = match *span {
                    Some((at, len)) => {
                        let name = self.names.as_ptr().add(at) as *const libc::c_char;
                        libc::strncmp(ptr, name, len) == 0 && *ptr.add(len) as u8 == b'='
                    }
                    None => libc::strchr(ptr, libc::c_int::from(b'=')).is_null(),
                };
                if !named_so {
                    return false;
                }
                p = p.add(1);
            }
            (*p).is_null()
        }
    }
}

/// An environment for `execve`: entries of its own, NUL-terminated in one
/// buffer, and entries borrowed as they are (from `environ`, or from a
/// buffer that outlives the block, `'a`), so that building it costs a few
/// allocations however many entries it has and copies no borrowed entry.
#[derive(Default)]
pub(crate) struct EnvBlock<'a> {
    buf: Vec<u8>,
    slots: Vec<Slot>,
    borrowed: PhantomData<&'a [u8]>,
}

/// Where an entry of an [`EnvBlock`] is.
#[derive(Clone, Copy)]
enum Slot {
    /// At this offset in the block's buffer.
    Own(usize),
    /// A NUL-terminated string the block does not own: one of `environ`'s,
    /// or an entry of the snapshot standing in for it.
    Borrowed(*const libc::c_char),
}

impl<'a> EnvBlock<'a> {
    /// Room for `entries` entries of `bytes` bytes of its own in all (NULs
    /// included).
    pub(crate) fn reserve(&mut self, entries: usize, bytes: usize) {
        self.slots.reserve(entries);
        self.buf.reserve(bytes);
    }

    /// Add one entry made of `parts` joined; `Err` (and nothing added) when
    /// it holds a NUL byte.
    pub(crate) fn push(&mut self, parts: &[&[u8]]) -> Result<(), ()> {
        // Copied first, then searched once for a NUL (and taken back when
        // it has one): one scan of the entry instead of one per part.
        let at = self.buf.len();
        for p in parts {
            self.buf.extend_from_slice(p);
        }
        if memchr::memchr(0, &self.buf[at..]).is_some() {
            self.buf.truncate(at);
            return Err(());
        }
        self.buf.push(0);
        self.slots.push(Slot::Own(at));
        Ok(())
    }

    /// Add an entry of this process's environment, not copied: the block
    /// must be spawned while the environment is unchanged (the contract of
    /// [`with_environ`]), which [`spawn`]'s callers do by building the
    /// block right before it; or an entry of a snapshot standing in for
    /// it, which they keep alive until the spawn.
    pub(crate) fn push_environ(&mut self, entry: EnvironEntry<'_>) {
        self.slots.push(Slot::Borrowed(entry.ptr));
    }

    /// The NULL-terminated pointer array `execve` takes; valid while `self`
    /// is neither moved nor changed, and the environment is unchanged.
    fn pointers(&self) -> Vec<*mut libc::c_char> {
        let base = self.buf.as_ptr() as *mut libc::c_char;
        let mut ptrs: Vec<*mut libc::c_char> = Vec::with_capacity(self.slots.len() + 1);
        ptrs.extend(self.slots.iter().map(|&s| match s {
            // SAFETY: every offset of a slot is inside buf.
            Slot::Own(at) => unsafe { base.add(at) },
            Slot::Borrowed(p) => p as *mut libc::c_char,
        }));
        ptrs.push(std::ptr::null_mut());
        ptrs
    }

    /// The entries as the plugin would get them, for tests.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> Vec<Vec<u8>> {
        let ptrs = self.pointers();
        ptrs[..ptrs.len() - 1]
            .iter()
            // SAFETY: each pointer is a live NUL-terminated string (above).
            .map(|&p| unsafe { CStr::from_ptr(p) }.to_bytes().to_vec())
            .collect()
    }
}

/// Start `path` with `argv = [path]` and exactly `envp`, in a new process
/// group, with default signal dispositions, an empty signal mask and no
/// descriptor but 0, 1 and 2. Returns the pid, or the errno of the failed
/// exec (glibc reports it synchronously).
pub(crate) fn spawn(
    path: &CStr,
    envp: &EnvBlock<'_>,
    stdio: ChildStdio,
) -> Result<libc::pid_t, i32> {
    let io_err = |e: io::Error| e.raw_os_error().unwrap_or(libc::EIO);
    let stdin = above_stdio(stdio.stdin).map_err(io_err)?;
    let stdout = above_stdio(stdio.stdout).map_err(io_err)?;
    let stderr = stdio.stderr.map(above_stdio).transpose().map_err(io_err)?;

    let argv: [*mut libc::c_char; 2] = [path.as_ptr() as *mut _, std::ptr::null_mut()];
    let envp_ptrs = envp.pointers();

    // SAFETY: the spawn attributes and file actions are initialised before
    // use and destroyed on every path; every pointer handed to posix_spawn
    // (path, argv, envp) outlives the call.
    unsafe {
        let mut actions = MaybeUninit::<libc::posix_spawn_file_actions_t>::uninit();
        let mut attr = MaybeUninit::<libc::posix_spawnattr_t>::uninit();
        let rc = libc::posix_spawn_file_actions_init(actions.as_mut_ptr());
        if rc != 0 {
            return Err(rc);
        }
        let rc = libc::posix_spawnattr_init(attr.as_mut_ptr());
        if rc != 0 {
            libc::posix_spawn_file_actions_destroy(actions.as_mut_ptr());
            return Err(rc);
        }
        let a = actions.as_mut_ptr();
        let at = attr.as_mut_ptr();
        let mut rc = libc::posix_spawn_file_actions_adddup2(a, stdin.as_raw_fd(), 0);
        if rc == 0 {
            rc = libc::posix_spawn_file_actions_adddup2(a, stdout.as_raw_fd(), 1);
        }
        if rc == 0 {
            if let Some(e) = &stderr {
                rc = libc::posix_spawn_file_actions_adddup2(a, e.as_raw_fd(), 2);
            }
        }
        if rc == 0 {
            rc = posix_spawn_file_actions_addclosefrom_np(a, 3);
        }
        if rc == 0 {
            let mut all = MaybeUninit::<libc::sigset_t>::uninit();
            let mut none = MaybeUninit::<libc::sigset_t>::uninit();
            libc::sigfillset(all.as_mut_ptr());
            libc::sigemptyset(none.as_mut_ptr());
            rc = libc::posix_spawnattr_setflags(
                at,
                (libc::POSIX_SPAWN_SETPGROUP
                    | libc::POSIX_SPAWN_SETSIGDEF
                    | libc::POSIX_SPAWN_SETSIGMASK) as libc::c_short,
            );
            if rc == 0 {
                rc = libc::posix_spawnattr_setpgroup(at, 0);
            }
            if rc == 0 {
                rc = libc::posix_spawnattr_setsigdefault(at, all.as_ptr());
            }
            if rc == 0 {
                rc = libc::posix_spawnattr_setsigmask(at, none.as_ptr());
            }
        }
        let mut pid: libc::pid_t = 0;
        if rc == 0 {
            rc = libc::posix_spawn(
                &mut pid,
                path.as_ptr(),
                a,
                at,
                argv.as_ptr(),
                envp_ptrs.as_ptr(),
            );
        }
        libc::posix_spawn_file_actions_destroy(a);
        libc::posix_spawnattr_destroy(at);
        if rc != 0 {
            return Err(rc);
        }
        Ok(pid)
    }
}

/// A pidfd for `pid` (Linux ≥ 5.3), readable once the process exits.
pub(crate) fn pidfd_open(pid: libc::pid_t) -> Option<OwnedFd> {
    // SAFETY: plain syscall; a non-negative return is a fresh descriptor
    // (pidfds are close-on-exec).
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    // SAFETY: a non-negative `fd` is the new pidfd, owned by nothing else.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

/// Send `sig` to the process group `pgid`. Only called while the group
/// leader is unreaped, so the id cannot have been recycled.
pub(crate) fn kill_group(pgid: libc::pid_t, sig: libc::c_int) {
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(-pgid, sig) };
}

/// Reap `pid`, blocking; its wait status, or `None` when the process was
/// reaped by someone else (a host that ignores SIGCHLD has its children
/// reaped by the kernel, and their status is lost).
pub(crate) fn wait_blocking(pid: libc::pid_t) -> Option<libc::c_int> {
    let mut status = 0;
    loop {
        // SAFETY: status is a valid out pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            return Some(status);
        }
        if r < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return None;
        }
    }
}

/// Whether `pid` has exited, without reaping it.
pub(crate) fn has_exited(pid: libc::pid_t) -> bool {
    // SAFETY: waitid with WNOWAIT only observes; info is a valid out pointer.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let r = libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        );
        r == 0 && info.si_pid() != 0 || r < 0
    }
}

/// Blocks SIGPIPE on the calling thread while stdin is written, so that a
/// plugin that exits without reading cannot kill the host (a C host keeps
/// SIGPIPE's default action). On drop, a SIGPIPE raised by our own writes is
/// consumed and the thread's mask restored.
pub(crate) struct SigpipeGuard {
    old: libc::sigset_t,
    was_pending: bool,
    pub(crate) got_epipe: bool,
}

impl SigpipeGuard {
    pub(crate) fn new() -> SigpipeGuard {
        // SAFETY: sigset manipulation on local values; pthread_sigmask
        // affects only the calling thread.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGPIPE);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
            // A SIGPIPE can be pending here (and is then the host's, not
            // ours to consume) only when the thread already blocked it: an
            // unblocked one would have been delivered. So the pending set
            // is read only then.
            let was_pending = libc::sigismember(&old, libc::SIGPIPE) == 1 && {
                let mut pending: libc::sigset_t = std::mem::zeroed();
                libc::sigpending(&mut pending);
                libc::sigismember(&pending, libc::SIGPIPE) == 1
            };
            SigpipeGuard {
                old,
                was_pending,
                got_epipe: false,
            }
        }
    }
}

impl Drop for SigpipeGuard {
    fn drop(&mut self) {
        // SAFETY: as in new(); the zero timeout makes sigtimedwait a poll.
        unsafe {
            if self.got_epipe && !self.was_pending {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGPIPE);
                let zero = libc::timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                };
                while libc::sigtimedwait(&set, std::ptr::null_mut(), &zero) == libc::SIGPIPE {}
            }
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.old, std::ptr::null_mut());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{EnvironEntry, EnvironRecord};

    /// NUL-terminated strings, and an array of pointers to them.
    struct Array {
        strings: Vec<Vec<u8>>,
    }

    impl Array {
        fn new(entries: &[&str]) -> Array {
            let strings = entries.iter().map(|e| format!("{e}\0").into_bytes());
            Array {
                strings: strings.collect(),
            }
        }

        fn pointers(&self) -> Vec<*const libc::c_char> {
            let mut ptrs: Vec<_> = self.strings.iter().map(|s| s.as_ptr().cast()).collect();
            ptrs.push(std::ptr::null());
            ptrs
        }

        /// A record of the array as it is now, as `with_environ` reads one.
        fn record(&self) -> EnvironRecord {
            let entries: Vec<EnvironEntry> = self
                .strings
                .iter()
                .map(|s| {
                    let name_len = s.iter().position(|&b| b == b'=');
                    EnvironEntry::terminated(s, name_len).unwrap()
                })
                .collect();
            EnvironRecord::of(&entries)
        }
    }

    fn holds(record: &EnvironRecord, ptrs: &[*const libc::c_char]) -> bool {
        // SAFETY: a NULL-terminated array of the live strings of an Array.
        unsafe { record.holds_in(ptrs.as_ptr()) }
    }

    /// The record holds while the same strings have the same names (values
    /// may change in place), and not after any change of pointer, length,
    /// or name, in place or not.
    #[test]
    fn a_record_holds_only_for_the_same_entries_and_names() {
        let mut a = Array::new(&["PATH=/bin", "=empty", "BARE", "HOME=/root", "X="]);
        let record = a.record();
        let ptrs = a.pointers();
        assert!(holds(&record, &ptrs));
        assert_eq!(record.entry(0).name(), Some(&b"PATH"[..]));
        assert_eq!(record.entry(2).name(), None);

        // A value changed in place: the names hold.
        a.strings[0][5] = b'X';
        assert!(holds(&record, &ptrs));

        let shorter = &ptrs[1..];
        assert!(!holds(&record, shorter), "another first pointer");
        let mut cut = ptrs.clone();
        cut[4] = std::ptr::null();
        assert!(!holds(&record, &cut), "one entry fewer");
        let mut longer = ptrs.clone();
        let extra = b"Y=1\0";
        longer.insert(5, extra.as_ptr().cast());
        assert!(!holds(&record, &longer), "one entry more");

        let changes: [(usize, usize, u8); 5] = [
            (0, 0, b'Q'), // another name, same length
            (0, 4, b'X'), // the `=` moved: a longer name
            (0, 2, 0),    // cut inside the name
            (1, 0, b'A'), // the empty name gone
            (2, 1, b'='), // a bare word that now has a name
        ];
        for (i, at, byte) in changes {
            let before = a.strings[i][at];
            a.strings[i][at] = byte;
            assert!(!holds(&record, &ptrs), "entry {i} changed at {at}");
            a.strings[i][at] = before;
            assert!(holds(&record, &ptrs), "entry {i} restored");
        }
        let empty = EnvironRecord::of(&[]);
        assert!(holds(&empty, &[std::ptr::null()]));
        // SAFETY: a NULL array is allowed.
        let (none_empty, none_record) = unsafe {
            (
                empty.holds_in(std::ptr::null()),
                record.holds_in(std::ptr::null()),
            )
        };
        assert!(none_empty && !none_record);
    }
}
