//! Output buffers reused from run to run.
//!
//! A plugin that writes megabytes would otherwise make every run fault its
//! buffers' pages in afresh: glibc gives large freed blocks back to the
//! kernel, and a thread's arena trims its top, so the next run's buffer is
//! new memory, and the page faults cost more than the reading. A few
//! emptied buffers are kept instead, within a bound, for the next run on
//! any thread.

use std::sync::Mutex;

/// At most this many buffers are kept...
const KEEP: usize = 4;
/// ...of at most this much capacity in all.
const RETAIN: usize = 64 << 20;
/// Smaller buffers are not worth keeping (malloc serves them from its
/// bins without faults), and a result this small is copied out so that a
/// large kept buffer stays here.
const SMALL: usize = 64 << 10;

/// Kept buffers.
struct Pool {
    spare: Mutex<Vec<Vec<u8>>>,
}

static POOL: Pool = Pool::new();

impl Pool {
    const fn new() -> Pool {
        Pool {
            spare: Mutex::new(Vec::new()),
        }
    }

    fn spare(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        self.spare.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take(&self) -> Vec<u8> {
        self.spare().pop().unwrap_or_default()
    }

    fn recycle(&self, mut buf: Vec<u8>) {
        if buf.capacity() < SMALL {
            return;
        }
        buf.clear();
        let mut spare = self.spare();
        let kept: usize = spare.iter().map(Vec::capacity).sum();
        if spare.len() < KEEP && kept + buf.capacity() <= RETAIN {
            spare.push(buf);
        }
    }

    fn hand_out(&self, buf: Vec<u8>) -> Vec<u8> {
        if buf.len() >= SMALL {
            return buf;
        }
        let out = buf.clone();
        self.recycle(buf);
        out
    }
}

/// An empty buffer: a kept one if there is one.
pub(crate) fn take() -> Vec<u8> {
    POOL.take()
}

/// Keep `buf` for a later run, if it is large enough to be worth it and
/// the bound allows.
pub(crate) fn recycle(buf: Vec<u8>) {
    POOL.recycle(buf)
}

/// `buf` as the caller's output: small output is copied out (and the
/// buffer kept); large output is the buffer itself.
pub(crate) fn hand_out(buf: Vec<u8>) -> Vec<u8> {
    POOL.hand_out(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_buffers_are_kept_emptied_and_small_ones_dropped() {
        let pool = Pool::new();
        pool.recycle(Vec::with_capacity(SMALL - 1));
        assert_eq!(pool.take().capacity(), 0);
        let mut big = Vec::with_capacity(SMALL);
        big.extend_from_slice(b"old");
        pool.recycle(big);
        let again = pool.take();
        assert!(again.is_empty() && again.capacity() >= SMALL);
        assert_eq!(pool.take().capacity(), 0, "taken once");
    }

    #[test]
    fn small_output_is_copied_out_and_large_output_handed_over() {
        let pool = Pool::new();
        let mut buf = Vec::with_capacity(SMALL);
        buf.extend_from_slice(b"result");
        let out = pool.hand_out(buf);
        assert_eq!((out.as_slice(), out.capacity()), (&b"result"[..], 6));
        assert!(pool.take().capacity() >= SMALL, "its buffer was kept");
        let large = vec![7u8; SMALL];
        let ptr = large.as_ptr();
        let out = pool.hand_out(large);
        assert_eq!(out.as_ptr(), ptr);
        assert_eq!(pool.take().capacity(), 0);
    }

    #[test]
    fn at_most_keep_buffers_and_retain_bytes_are_kept() {
        let pool = Pool::new();
        for _ in 0..KEEP + 2 {
            pool.recycle(Vec::with_capacity(SMALL));
        }
        assert_eq!(pool.spare().len(), KEEP);
        let pool = Pool::new();
        pool.recycle(Vec::with_capacity(RETAIN));
        pool.recycle(Vec::with_capacity(SMALL));
        assert_eq!(pool.spare().len(), 1);
        let pool = Pool::new();
        pool.recycle(Vec::with_capacity(RETAIN + 1));
        assert!(pool.spare().is_empty());
    }
}
