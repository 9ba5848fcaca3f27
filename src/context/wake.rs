//! The descriptor a cancelled context makes readable, so that a wait in
//! `poll` ends at once. Made the first time a wait asks for it: a context
//! that never waits (most are cancelled, if at all, before or after their
//! call) costs no descriptor.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::OnceLock;

/// A lazily made eventfd. `None` inside the cell: making it failed (EMFILE);
/// waits then look at the context on a short tick instead.
#[derive(Default)]
pub(super) struct Wake {
    pub(super) fd: OnceLock<Option<OwnedFd>>,
}

impl Wake {
    /// The descriptor, made now if it was not yet.
    pub(super) fn get_or_make(&self) -> Option<RawFd> {
        self.fd
            .get_or_init(|| {
                // SAFETY: eventfd has no memory-safety preconditions.
                let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
                // SAFETY: a descriptor eventfd just returned, owned by no one else.
                (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
            })
            .as_ref()
            .map(|f| f.as_raw_fd())
    }

    /// Make the descriptor readable, if it exists.
    pub(super) fn signal(&self) {
        if let Some(fd) = self.fd.get().and_then(|f| f.as_ref()) {
            let one: u64 = 1;
            // SAFETY: writes 8 bytes from a live u64 to our own eventfd.
            unsafe { libc::write(fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
        }
    }

    /// Whether a wait asked for the descriptor and none could be made.
    pub(super) fn failed(&self) -> bool {
        matches!(self.fd.get(), Some(None))
    }
}
