//! The descriptor a cancelled context makes readable, so that a wait in
//! `poll` ends at once. Made the first time a wait asks for it: a context
//! that never waits (most are cancelled, if at all, before or after their
//! call) costs no descriptor.
//!
//! After a `fork()` the child shares the descriptor with its parent, but
//! not the flag it stands for: there it is neither written nor waited on
//! (waits fall back to a short tick), so that a cancel on one side never
//! wakes, and spins, a wait on the other.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::OnceLock;

/// A lazily made eventfd and the process that made it. `None` inside the
/// cell: making it failed (EMFILE); waits then look at the context on a
/// short tick instead.
#[derive(Default)]
pub(super) struct Wake {
    pub(super) fd: OnceLock<Option<(OwnedFd, libc::pid_t)>>,
}

fn this_process() -> libc::pid_t {
    // SAFETY: getpid has no preconditions.
    unsafe { libc::getpid() }
}

impl Wake {
    /// The descriptor (made now if it was not yet), if usable here.
    pub(super) fn get_or_make(&self) -> Option<RawFd> {
        let made = self.fd.get_or_init(|| {
            // SAFETY: eventfd has no memory-safety preconditions.
            let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
            // SAFETY: a descriptor eventfd just returned, owned by no one else.
            (fd >= 0).then(|| (unsafe { OwnedFd::from_raw_fd(fd) }, this_process()))
        });
        Self::usable(made.as_ref())
    }

    fn usable(made: Option<&(OwnedFd, libc::pid_t)>) -> Option<RawFd> {
        made.filter(|(_, pid)| *pid == this_process())
            .map(|(fd, _)| fd.as_raw_fd())
    }

    /// Make the descriptor readable, if it exists and is usable here.
    pub(super) fn signal(&self) {
        if let Some(fd) = Self::usable(self.fd.get().and_then(Option::as_ref)) {
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a live u64 to our own eventfd.
            unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
        }
    }

    /// Whether a wait asked for the descriptor and has none it may use.
    pub(super) fn failed(&self) -> bool {
        match self.fd.get() {
            None => false,
            Some(made) => Self::usable(made.as_ref()).is_none(),
        }
    }
}
