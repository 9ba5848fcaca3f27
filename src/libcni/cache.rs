//! Where cached results live, and reading and writing them safely.
//!
//! An attachment's entry is `<cacheDir>/results/<network>-<containerId>-<ifName>`
//! (upstream's path; the layout of its content is in `record.rs`).
//!
//! What is checked: the cache directory itself is the caller's
//! configuration and may be reached through symbolic links; the `results`
//! directory inside it must be a real directory (not a symbolic link), and
//! every entry is opened relative to it with `O_NOFOLLOW`, so a link planted
//! there is never followed. Reading refuses anything but a regular file
//! (and never blocks on a FIFO). Names are validated before they get here
//! ([`super::validate`]), so they are single path components.
//!
//! A write is crash-safe: the new content goes to `.<entry>.tmp` in the
//! same directory, is fsynced, renamed over the entry and the directory is
//! fsynced, so after a crash or a power cut the entry is the old one or the
//! new one, never empty or cut short. The temporary name is fixed per
//! entry because writers hold the attachment's lock (`lock.rs`); a
//! leftover from a crashed writer is replaced by the next write and is
//! never listed as an attachment. Directories are created 0700, files 0600.
//! With `sync` off (a cache on tmpfs) the fsyncs are skipped, the rename
//! still makes the replacement atomic.

use super::dirfd::{self, Dir};
use crate::{Error, Result};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Upstream's default cache directory.
pub const DEFAULT_CACHE_DIR: &str = "/var/lib/cni";

/// Name of the results directory inside the cache directory.
pub(crate) const RESULTS_DIR: &str = "results";

/// A cache directory.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    root: PathBuf,
    sync: bool,
}

/// The entry (and lock) name of an attachment, with upstream's text when a
/// part is empty. Callers validate the parts first.
pub(crate) fn entry_name(network: &str, container_id: &str, if_name: &str) -> Result<String> {
    if network.is_empty() || container_id.is_empty() || if_name.is_empty() {
        return Err(Error::InvalidArgument(format!(
            "cache file path requires network name ({}), container ID ({}), and interface name ({})",
            crate::types::go_quote(network),
            crate::types::go_quote(container_id),
            crate::types::go_quote(if_name)
        )));
    }
    Ok(format!("{network}-{container_id}-{if_name}"))
}

/// An OS error's text as Go prints a `syscall.Errno` (lower case, no
/// number).
pub(crate) fn os_text(e: &io::Error) -> String {
    let full = e.to_string();
    let s = match full.rfind(" (os error ") {
        Some(i) if e.raw_os_error().is_some() => &full[..i],
        _ => &full,
    };
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `op path: reason`, as Go's `*PathError` prints, as an [`Error::Io`];
/// a symbolic link refused by `O_NOFOLLOW` is named as such.
pub(crate) fn io_error(op: &str, path: &Path, e: io::Error) -> Error {
    let reason = match e.raw_os_error() {
        Some(libc::ELOOP) => "is a symbolic link, refused".to_string(),
        _ => os_text(&e),
    };
    Error::Io(format!("{op} {}: {reason}", path.display()))
}

/// Open the cache directory, creating it (and its parents, 0700) first if
/// it is missing.
pub(crate) fn create_root(root: &Path) -> Result<Dir> {
    use std::os::unix::fs::DirBuilderExt;
    // It is there nearly always; else the way that words every error.
    if let Ok(dir) = Dir::open(root) {
        return Ok(dir);
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(root)
        .map_err(|e| io_error("mkdir", root, e))?;
    Dir::open(root).map_err(|e| io_error("open", root, e))
}

impl Cache {
    pub(crate) fn new(root: PathBuf, sync: bool) -> Cache {
        Cache { root, sync }
    }

    /// The cache directory.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Full path of an entry (for messages).
    pub(crate) fn entry_path(&self, name: &str) -> PathBuf {
        self.results_path().join(name)
    }

    fn results_path(&self) -> PathBuf {
        self.root.join(RESULTS_DIR)
    }

    /// The results directory, `None` if it (or the cache dir) is missing.
    fn results(&self) -> Result<Option<Dir>> {
        if let Ok(dir) = Dir::open_subdir_of(&self.root, RESULTS_DIR) {
            return Ok(Some(dir));
        }
        let root = match Dir::open(&self.root) {
            Ok(d) => d,
            Err(e) if dirfd::is_not_found(&e) => return Ok(None),
            Err(e) => return Err(io_error("open", &self.root, e)),
        };
        match root.subdir(RESULTS_DIR) {
            Ok(d) => Ok(Some(d)),
            Err(e) if dirfd::is_not_found(&e) => Ok(None),
            Err(e) => Err(io_error("open", &self.results_path(), e)),
        }
    }

    fn results_for_writing(&self) -> Result<Dir> {
        if let Ok(dir) = Dir::open_subdir_of(&self.root, RESULTS_DIR) {
            return Ok(dir);
        }
        let root = create_root(&self.root)?;
        let io = |e| io_error("open", &self.results_path(), e);
        root.open_or_make_subdir(RESULTS_DIR, 0o700).map_err(io)
    }

    /// The bytes of entry `name`; `None` if there is none.
    pub(crate) fn read(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some(dir) = self.results()? else {
            return Ok(None);
        };
        dir.read_regular(name)
            .map_err(|e| io_error("read", &self.entry_path(name), e))
    }

    /// Replace entry `name` with `data`, crash-safely (see the module docs).
    pub(crate) fn write(&self, name: &str, data: &[u8]) -> Result<()> {
        let dir = self.results_for_writing()?;
        let tmp = format!(".{name}.tmp");
        let tmp_path = self.entry_path(&tmp);
        let written = (|| {
            let mut f = dir.create_fresh(&tmp)?;
            f.write_all(data)?;
            if self.sync {
                f.sync_all()?;
            }
            Ok(())
        })();
        if let Err(e) = written {
            let _ = dir.remove(&tmp);
            return Err(io_error("write", &tmp_path, e));
        }
        if let Err(e) = dir.rename(&tmp, name) {
            let _ = dir.remove(&tmp);
            return Err(io_error("rename", &self.entry_path(name), e));
        }
        if self.sync {
            dir.sync()
                .map_err(|e| io_error("sync", &self.results_path(), e))?;
        }
        Ok(())
    }

    /// Remove entry `name`; `false` if there was none.
    pub(crate) fn remove(&self, name: &str) -> Result<bool> {
        let Some(dir) = self.results()? else {
            return Ok(false);
        };
        let removed = dir
            .remove(name)
            .map_err(|e| io_error("remove", &self.entry_path(name), e))?;
        if removed && self.sync {
            dir.sync()
                .map_err(|e| io_error("sync", &self.results_path(), e))?;
        }
        Ok(removed)
    }

    /// The entry names, sorted, without the temporary files of writers.
    /// A missing results directory has none.
    pub(crate) fn names(&self) -> Result<Vec<String>> {
        let Some(dir) = self.results()? else {
            return Ok(Vec::new());
        };
        let mut names = dir
            .names()
            .map_err(|e| io_error("open", &self.results_path(), e))?;
        names.retain(|n| !n.starts_with('.'));
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any one part empty is refused, with upstream's text naming all
    /// three.
    #[test]
    fn an_entry_name_needs_every_part() {
        assert_eq!(entry_name("net", "ctr", "eth0").unwrap(), "net-ctr-eth0");
        for (n, c, i) in [("", "ctr", "eth0"), ("net", "", "eth0"), ("net", "ctr", "")] {
            let e = entry_name(n, c, i).unwrap_err().to_string();
            assert_eq!(
                e,
                format!(
                    "cache file path requires network name ({n:?}), container ID ({c:?}), and interface name ({i:?})"
                )
            );
        }
    }

    /// Only an OS error loses its " (os error N)" suffix; a message that
    /// merely contains those words is kept whole.
    #[test]
    fn os_text_drops_only_the_os_errors_number() {
        let os = io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(os_text(&os), "no space left on device");
        let other = io::Error::other("Odd (os error 5) text");
        assert_eq!(os_text(&other), "odd (os error 5) text");
        assert_eq!(os_text(&io::Error::other("")), "");
    }
}
