//! One operation per attachment at a time, across threads and processes.
//!
//! The lock of attachment `<network>-<containerId>-<ifName>` is an `flock`
//! on `<cacheDir>/locks/<network>-<containerId>-<ifName>.lock` (directory
//! 0700, file 0600; neither may be a symbolic link). ADD, CHECK and DEL hold
//! it across their whole plugin chain and the cache update; GC takes it for
//! each stale attachment it deletes.
//!
//! Waiting never blocks in the kernel: a non-blocking `flock` is retried
//! with a short backoff while sleeping on the [`Context`], so cancellation
//! and deadlines end the wait at once, and no thread is spent per waiter.
//!
//! A lock left by a crashed process never blocks anyone: the kernel drops
//! an `flock` with its holder. A successful DEL unlinks the lock file while
//! holding it; a waiter that then wins the orphaned file notices (its inode
//! is no longer the one at the path) and starts over on a fresh file.

use super::dirfd::{self, Dir};
use crate::context::{Context, Done};
use crate::{Error, Result};
use std::fs::File;
use std::path::Path;
use std::time::Duration;

/// Name of the lock directory inside the cache directory.
pub(crate) const LOCKS_DIR: &str = "locks";

const FIRST_BACKOFF: Duration = Duration::from_millis(1);
const MAX_BACKOFF: Duration = Duration::from_millis(16);

/// A held attachment lock; released on drop.
#[derive(Debug)]
pub(crate) struct AttachmentLock {
    dir: Dir,
    name: String,
    // Kept open: closing it releases the flock.
    _file: File,
}

impl AttachmentLock {
    /// Take the lock of the attachment whose cache entry is `entry`,
    /// creating `<cache_dir>/locks` if needed, waiting as long as `ctx`
    /// allows.
    pub(crate) fn acquire(ctx: &Context, cache_dir: &Path, entry: &str) -> Result<AttachmentLock> {
        let dir = open_locks_dir(cache_dir)?;
        let name = format!("{entry}.lock");
        let io = |e: std::io::Error| {
            super::cache::io_error("lock", &cache_dir.join(LOCKS_DIR).join(&name), e)
        };
        loop {
            let (file, opened) = dir.open_lock_file(&name).map_err(io)?;
            wait_for(ctx, &file, entry)?;
            // Still the file at the path? Otherwise a DEL removed it while
            // we waited: try again on whatever is there now.
            if dir.identity(&name).map_err(io)? == Some(opened) {
                return Ok(AttachmentLock {
                    dir,
                    name,
                    _file: file,
                });
            }
        }
    }

    /// Release the lock and remove its file (the attachment is gone).
    pub(crate) fn release_and_remove(self) {
        // Best effort: a leftover lock file is harmless.
        let _ = self.dir.remove(&self.name);
    }
}

fn open_locks_dir(cache_dir: &Path) -> Result<Dir> {
    if let Ok(dir) = Dir::open_subdir_of(cache_dir, LOCKS_DIR) {
        return Ok(dir);
    }
    let root = super::cache::create_root(cache_dir)?;
    let path = cache_dir.join(LOCKS_DIR);
    let io = |e| super::cache::io_error("open", &path, e);
    root.open_or_make_subdir(LOCKS_DIR, 0o700).map_err(io)
}

fn wait_for(ctx: &Context, file: &File, entry: &str) -> Result<()> {
    let mut backoff = FIRST_BACKOFF;
    loop {
        if let Some(done) = ctx.done() {
            return Err(wait_ended(done, entry));
        }
        match dirfd::try_lock_exclusive(file) {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => {
                return Err(Error::Io(format!(
                    "locking attachment {entry}: {}",
                    super::cache::os_text(&e)
                )))
            }
        }
        ctx.sleep(backoff).map_err(|done| wait_ended(done, entry))?;
        backoff = next_backoff(backoff);
    }
}

/// The wait after `backoff`: twice as long, up to [`MAX_BACKOFF`].
fn next_backoff(backoff: Duration) -> Duration {
    (backoff * 2).min(MAX_BACKOFF)
}

fn wait_ended(done: Done, entry: &str) -> Error {
    match done {
        Done::Cancelled => Error::Cancelled(format!(
            "waiting for the lock of attachment {entry}: context canceled"
        )),
        Done::DeadlineExceeded => Error::Timeout(format!(
            "waiting for the lock of attachment {entry}: context deadline exceeded"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A held lock is polled ever less often, never less often than
    /// every MAX_BACKOFF.
    #[test]
    fn waits_double_up_to_the_cap() {
        let mut waits = vec![FIRST_BACKOFF];
        for _ in 0..8 {
            waits.push(next_backoff(*waits.last().unwrap()));
        }
        let ms = |d: &Duration| d.as_millis();
        let ms: Vec<u128> = waits.iter().map(ms).collect();
        assert_eq!(ms, [1, 2, 4, 8, 16, 16, 16, 16, 16]);
    }
}
