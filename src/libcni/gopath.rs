//! Go's `path/filepath` (`Join`, `Clean`, `Dir`, `Ext`) and `os.ReadFile`
//! / `os.ReadDir`, with the texts of Go's `*PathError`: upstream's paths
//! and error messages come out of these, so ours do too.

use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::goquote::errno_text;

/// A path's bytes.
fn bytes(p: &Path) -> &[u8] {
    p.as_os_str().as_bytes()
}

fn path(b: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(b))
}

/// A path as Go prints it in messages.
pub(crate) fn show(p: &Path) -> String {
    String::from_utf8_lossy(bytes(p)).into_owned()
}

/// `filepath.Clean`: the shortest lexically equal path (no `.` elements,
/// `..` applied to the element before it, single slashes, no trailing
/// slash), `.` for an empty result.
pub(crate) fn clean(p: &[u8]) -> Vec<u8> {
    let rooted = p.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in p.split(|b| *b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => match parts.last() {
                Some(last) if *last != b".." => {
                    parts.pop();
                }
                // `/..` is `/`; a relative path keeps leading `..`.
                _ if rooted => {}
                _ => parts.push(part),
            },
            _ => parts.push(part),
        }
    }
    let mut out = Vec::with_capacity(p.len());
    if rooted {
        out.push(b'/');
    }
    out.extend_from_slice(&parts.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// `filepath.Join(dir, name)`.
pub(crate) fn join(dir: &Path, name: &[u8]) -> PathBuf {
    let dir = bytes(dir);
    let joined = match (dir.is_empty(), name.is_empty()) {
        (true, true) => return PathBuf::new(),
        (true, false) => name.to_vec(),
        _ => [dir, b"/", name].concat(),
    };
    path(&clean(&joined))
}

/// `filepath.Dir`: everything before the last slash, cleaned.
pub(crate) fn dir(p: &Path) -> PathBuf {
    let b = bytes(p);
    let end = b.iter().rposition(|c| *c == b'/').map_or(0, |i| i + 1);
    path(&clean(&b[..end]))
}

/// `filepath.Ext`: from the last dot of the last element on, or nothing.
pub(crate) fn ext(name: &[u8]) -> &[u8] {
    for (i, c) in name.iter().enumerate().rev() {
        match c {
            b'/' => break,
            b'.' => return &name[i..],
            _ => {}
        }
    }
    b""
}

/// Go's `*PathError` text: `OP PATH: ERRNO TEXT`.
fn path_error(op: &str, p: &Path, e: &std::io::Error) -> String {
    let text = match e.raw_os_error() {
        Some(errno) => errno_text(errno),
        // Rust refuses a NUL in a path before any system call; Go's
        // syscall layer answers EINVAL.
        None if e.kind() == std::io::ErrorKind::InvalidInput => errno_text(libc::EINVAL),
        None => e.to_string(),
    };
    format!("{op} {}: {text}", show(p))
}

/// `os.ReadFile`, failing with Go's text (`open P: …` / `read P: …`).
pub(crate) fn read_file(p: &Path) -> Result<Vec<u8>, String> {
    let mut f = std::fs::File::open(p).map_err(|e| path_error("open", p, &e))?;
    let mut out = Vec::new();
    f.read_to_end(&mut out)
        .map_err(|e| path_error("read", p, &e))?;
    Ok(out)
}

/// One directory entry: its name and whether it is a directory (not
/// following symlinks, as Go's `DirEntry.IsDir`).
pub(crate) struct Entry {
    pub(crate) name: Vec<u8>,
    pub(crate) is_dir: bool,
}

/// `os.ReadDir`: the entries sorted by name; `Ok(None)` when the directory
/// does not exist (Go's `os.IsNotExist`), otherwise Go's error texts
/// (`open D: not a directory`, `readdirent D: …`).
pub(crate) fn read_dir(d: &Path) -> Result<Option<Vec<Entry>>, String> {
    let listing = match std::fs::read_dir(d) {
        Ok(listing) => listing,
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(None),
        Err(e) => return Err(path_error("open", d, &e)),
    };
    let mut out = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|e| path_error("readdirent", d, &e))?;
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        out.push(Entry {
            name: entry.file_name().as_bytes().to_vec(),
            is_dir,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_like_go() {
        let cases: &[(&str, &str)] = &[
            ("", "."),
            (".", "."),
            ("/", "/"),
            ("//a//b/", "/a/b"),
            ("./a/./b/.", "a/b"),
            ("a/../..", ".."),
            ("../../a/../b", "../../b"),
            ("/../a/..", "/"),
            ("a/b/../../..", ".."),
            ("abc/../def/./", "def"),
        ];
        for (input, want) in cases {
            assert_eq!(
                String::from_utf8(clean(input.as_bytes())).unwrap(),
                *want,
                "{input:?}"
            );
        }
    }

    #[test]
    fn join_dir_ext_like_go() {
        assert_eq!(
            join(Path::new("/etc/cni/"), b"x.conf"),
            Path::new("/etc/cni/x.conf")
        );
        assert_eq!(join(Path::new(""), b"x"), Path::new("x"));
        assert_eq!(join(Path::new("a/"), b""), Path::new("a"));
        assert_eq!(join(Path::new("a"), b"../b"), Path::new("b"));
        assert_eq!(join(Path::new(""), b""), Path::new(""));
        assert_eq!(dir(Path::new("x.conflist")), Path::new("."));
        assert_eq!(dir(Path::new("/a/b/c.conf")), Path::new("/a/b"));
        assert_eq!(dir(Path::new("/c.conf")), Path::new("/"));
        assert_eq!(ext(b"a.b.conf"), b".conf");
        assert_eq!(ext(b".conf"), b".conf");
        assert_eq!(ext(b"conf"), b"");
        assert_eq!(ext(b"a."), b".");
    }
}
