//! A snapshot of this process's environment that plugins inherit in its
//! place ([`crate::Context::set_environ`]).
//!
//! The exec block of a plugin points into `environ` without a lock, which
//! is safe only while nothing changes the environment. A binding whose
//! language may change it from another thread at any moment (Go's
//! `os.Setenv`, Python's `os.environ[...] =` in a call that released the
//! GIL) reads it once under the language's own lock into a snapshot and
//! sets that on the call's context: the block then points into the
//! snapshot, and `environ` is not read at all.

use crate::error::{Error, Result};
use crate::spawn::{with_environ, EnvironEntry};

/// An environment, `K=V` entries (or bare words, as `environ` may hold)
/// with their bytes unchanged, owned in one buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironSnapshot {
    /// The entries, each followed by a NUL byte (none holds another): the
    /// exec block points into it, copying nothing.
    buf: Vec<u8>,
    spans: Vec<Span>,
}

/// Where an entry of [`EnvironSnapshot::buf`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    /// Where its NUL is.
    end: usize,
    /// The length of its name (the bytes before its first `=`), `None`
    /// when it has no `=`: found once, when the snapshot is made.
    name_len: Option<usize>,
}

/// The room a capture starts with: a typical environment (a few dozen
/// entries, 1–3 KiB) fits without growing on the way.
const CAPTURE_BYTES: usize = 4096;
const CAPTURE_ENTRIES: usize = 64;

impl EnvironSnapshot {
    /// This process's environment as it is now.
    pub fn capture() -> EnvironSnapshot {
        let mut buf = Vec::with_capacity(CAPTURE_BYTES);
        let mut spans = Vec::with_capacity(CAPTURE_ENTRIES);
        with_environ(|env| {
            for e in env {
                // An entry of environ is a C string: no NUL inside.
                let start = buf.len();
                buf.extend_from_slice(e.bytes());
                spans.push(Span {
                    start,
                    end: buf.len(),
                    name_len: e.name().map(<[u8]>::len),
                });
                buf.push(0);
            }
        });
        EnvironSnapshot { buf, spans }
    }

    /// The entries of `block`, each followed by a NUL byte
    /// (`"A=1\0B=2\0"`; an empty block is an empty environment). Fails on
    /// a block that does not end with a NUL or holds an empty entry.
    pub fn from_block(block: &[u8]) -> Result<EnvironSnapshot> {
        if block.last().is_some_and(|&b| b != 0) {
            return Err(invalid(
                "environment block: its last entry does not end with a NUL byte".into(),
            ));
        }
        let mut spans = Vec::with_capacity(CAPTURE_ENTRIES);
        let mut start = 0;
        // Each entry ends at a NUL: the block ends with one.
        while let Some(len) = memchr::memchr(0, &block[start..]) {
            if len == 0 {
                let at = spans.len();
                return Err(invalid(format!("environment block: entry {at} is empty")));
            }
            spans.push(Span {
                start,
                end: start + len,
                name_len: memchr::memchr(b'=', &block[start..start + len]),
            });
            start += len + 1;
        }
        Ok(EnvironSnapshot {
            buf: block.to_vec(),
            spans,
        })
    }

    /// These entries. Fails on an empty one or one holding a NUL byte.
    pub fn from_entries<I, S>(entries: I) -> Result<EnvironSnapshot>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut block = Vec::new();
        for (at, kv) in entries.into_iter().enumerate() {
            let kv = kv.as_ref();
            if kv.contains(&0) {
                return Err(invalid(format!(
                    "environment entry {at} ({:?}) contains a NUL byte",
                    String::from_utf8_lossy(kv)
                )));
            }
            block.extend_from_slice(kv);
            block.push(0);
        }
        EnvironSnapshot::from_block(&block)
    }

    /// The entries, in order, without their NULs.
    pub fn entries(&self) -> impl Iterator<Item = &[u8]> {
        self.spans.iter().map(|s| &self.buf[s.start..s.end])
    }

    /// The value of the first entry named `name`, as `getenv` finds it.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries().find_map(|kv| {
            kv.strip_prefix(name.as_bytes())
                .and_then(|rest| rest.strip_prefix(b"="))
        })
    }

    /// The entries as the exec block takes `environ`'s.
    pub(crate) fn inherited(&self) -> Vec<EnvironEntry<'_>> {
        let entry = |s: &Span| EnvironEntry::terminated(&self.buf[s.start..=s.end], s.name_len);
        self.spans.iter().filter_map(entry).collect()
    }
}

fn invalid(msg: String) -> Error {
    Error::InvalidArgument(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_gives_its_entries_unchanged() {
        let s = EnvironSnapshot::from_block(b"A=1\0BARE\0C=\xff\0=x\0D==y\0").unwrap();
        let got: Vec<&[u8]> = s.entries().collect();
        assert_eq!(got, [&b"A=1"[..], b"BARE", b"C=\xff", b"=x", b"D==y"]);
        let names: Vec<_> = s.inherited().iter().map(|e| e.name()).collect();
        assert_eq!(
            names,
            [Some(&b"A"[..]), None, Some(b"C"), Some(b""), Some(b"D")]
        );
        let bytes: Vec<_> = s.inherited().iter().map(|e| e.bytes()).collect();
        assert_eq!(bytes, got);
        assert_eq!(
            EnvironSnapshot::from_block(b"").unwrap().entries().count(),
            0
        );
    }

    #[test]
    fn a_malformed_block_is_refused_with_the_entry_named() {
        let err = |b: &[u8]| EnvironSnapshot::from_block(b).unwrap_err().to_string();
        assert!(err(b"A=1\0B=2").contains("last entry does not end with a NUL"));
        assert!(err(b"A=1\0\0B=2\0").contains("entry 1 is empty"));
        assert!(err(b"\0").contains("entry 0 is empty"));
        let nul = EnvironSnapshot::from_entries(["A=1", "B=\0"]).unwrap_err();
        assert!(nul.to_string().contains("entry 1"), "{nul}");
        let empty = EnvironSnapshot::from_entries(["A=1", ""]).unwrap_err();
        assert!(empty.to_string().contains("entry 1 is empty"), "{empty}");
    }

    #[test]
    fn a_capture_is_this_processs_environment() {
        let s = EnvironSnapshot::capture();
        let ours: Vec<Vec<u8>> = s.entries().map(<[u8]>::to_vec).collect();
        let std: Vec<Vec<u8>> = std::env::vars_os()
            .map(|(k, v)| [k.as_encoded_bytes(), b"=", v.as_encoded_bytes()].concat())
            .collect();
        assert_eq!(ours, std);
        // Its names are where the exec block's walk of environ finds them.
        let names: Vec<Option<Vec<u8>>> = s
            .inherited()
            .iter()
            .map(|e| e.name().map(<[u8]>::to_vec))
            .collect();
        let walked = crate::spawn::with_environ(|env| {
            env.iter()
                .map(|e| e.name().map(<[u8]>::to_vec))
                .collect::<Vec<_>>()
        });
        assert_eq!(names, walked);
    }
}
