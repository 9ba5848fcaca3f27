//! A directory handle whose files are opened relative to it, never
//! following a symbolic link: the only `unsafe` of the cache and the locks.
//!
//! Names given to these methods are single path components (no `/`, no
//! NUL, not `.` or `..`); anything else is refused with `InvalidInput`, so
//! nothing reached through a [`Dir`] can lie outside it.

use std::ffi::{CStr, CString};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

/// An open directory.
#[derive(Debug)]
pub(crate) struct Dir {
    file: File,
}

/// Go's `os.ErrNotExist` family, for callers that treat absence as "none".
pub(crate) fn is_not_found(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ENOENT)
}

fn component(name: &str) -> io::Result<CString> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{name:?} is not a file name"),
        ));
    }
    CString::new(name)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in a file name"))
}

/// A descriptor returned by a syscall, or the error it set.
fn owned(fd: RawFd) -> io::Result<OwnedFd> {
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by a successful open and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

impl Dir {
    /// Open the directory at `path`. Symbolic links along `path` are
    /// followed: it is the caller's own configuration.
    pub(crate) fn open(path: &Path) -> io::Result<Dir> {
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in a path"))?;
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;
        // SAFETY: `c` is a valid NUL-terminated string for the call's duration.
        let fd = owned(unsafe { libc::open(c.as_ptr(), flags) })?;
        Ok(Dir { file: fd.into() })
    }

    /// Open the directory `name` inside the directory at `path` in one
    /// call, as [`Dir::open`] then [`Dir::subdir`] would (links along
    /// `path` followed, `name` itself never). Any failure is only that:
    /// callers take the two-step way for the error they report.
    pub(crate) fn open_subdir_of(path: &Path, name: &str) -> io::Result<Dir> {
        component(name)?;
        if path.as_os_str().is_empty() {
            // Not the current directory's `name`: no directory at all.
            return Err(io::Error::from_raw_os_error(libc::ENOENT));
        }
        let c = CString::new(path.join(name).into_os_string().into_vec())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in a path"))?;
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        // SAFETY: `c` is a valid NUL-terminated string for the call's duration.
        let fd = owned(unsafe { libc::open(c.as_ptr(), flags) })?;
        Ok(Dir { file: fd.into() })
    }

    /// Open the subdirectory `name`; a symbolic link there is refused
    /// (`ELOOP`), a non-directory too (`ENOTDIR`).
    pub(crate) fn subdir(&self, name: &str) -> io::Result<Dir> {
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        match self.openat(name, flags, 0) {
            Ok(fd) => Ok(Dir { file: fd.into() }),
            // With O_DIRECTORY Linux reports a link as ENOTDIR: say ELOOP.
            Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) && self.is_symlink(name) => {
                Err(io::Error::from_raw_os_error(libc::ELOOP))
            }
            Err(e) => Err(e),
        }
    }

    fn is_symlink(&self, name: &str) -> bool {
        self.stat(name)
            .is_ok_and(|st| st.is_some_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFLNK))
    }

    /// Create the subdirectory `name` with `mode` (before the umask) unless
    /// something of that name exists.
    fn make_subdir(&self, name: &str, mode: libc::mode_t) -> io::Result<()> {
        let c = component(name)?;
        // SAFETY: valid directory descriptor and NUL-terminated name.
        match check(unsafe { libc::mkdirat(self.fd(), c.as_ptr(), mode) }) {
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(()),
            other => other,
        }
    }

    /// Open the subdirectory `name` ([`Dir::subdir`]), creating it with
    /// `mode` first if it is missing (or cannot be opened: then the error
    /// is the creation's, or the second open's).
    pub(crate) fn open_or_make_subdir(&self, name: &str, mode: libc::mode_t) -> io::Result<Dir> {
        if let Ok(dir) = self.subdir(name) {
            return Ok(dir);
        }
        self.make_subdir(name, mode)?;
        self.subdir(name)
    }

    /// The whole content of the regular file `name`, `None` if there is no
    /// such entry. A symbolic link, directory, FIFO or device is an error
    /// (and is never read from: the open does not block or follow).
    pub(crate) fn read_regular(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let flags =
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;
        let mut file: File = match self.openat(name, flags, 0) {
            Ok(fd) => fd.into(),
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        read_all(&mut file, meta.len()).map(Some)
    }

    /// Create `name` afresh (0600 before the umask) for writing: whatever
    /// had that name (a stale file, a planted link: `O_EXCL` refuses both)
    /// is unlinked, and the creation made again.
    pub(crate) fn create_fresh(&self, name: &str) -> io::Result<File> {
        let flags =
            libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        match self.openat(name, flags, 0o600) {
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => {
                self.remove(name)?;
                Ok(self.openat(name, flags, 0o600)?.into())
            }
            other => Ok(other?.into()),
        }
    }

    /// Open (creating, 0600) the regular file `name` for locking, with its
    /// device and inode. On a read-only file system an existing file is
    /// opened read-only (`flock` needs no write access).
    pub(crate) fn open_lock_file(&self, name: &str) -> io::Result<(File, (u64, u64))> {
        let common = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;
        let fd = match self.openat(name, libc::O_RDWR | libc::O_CREAT | common, 0o600) {
            Err(e) if e.raw_os_error() == Some(libc::EROFS) => self
                .openat(name, libc::O_RDONLY | common, 0)
                .map_err(|_| e)?,
            other => other?,
        };
        let file: File = fd.into();
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        use std::os::unix::fs::MetadataExt;
        Ok((file, (meta.dev(), meta.ino())))
    }

    /// Rename `from` to `to`, both in this directory, atomically replacing
    /// `to` (a symbolic link named `to` is replaced, not followed).
    pub(crate) fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let (f, t) = (component(from)?, component(to)?);
        // SAFETY: valid directory descriptor and NUL-terminated names.
        check(unsafe { libc::renameat(self.fd(), f.as_ptr(), self.fd(), t.as_ptr()) })
    }

    /// Unlink the entry `name` (not a directory); `false` if there was none.
    pub(crate) fn remove(&self, name: &str) -> io::Result<bool> {
        let c = component(name)?;
        // SAFETY: valid directory descriptor and NUL-terminated name.
        match check(unsafe { libc::unlinkat(self.fd(), c.as_ptr(), 0) }) {
            Ok(()) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Device and inode of the entry `name` itself (links not followed),
    /// `None` if there is none.
    pub(crate) fn identity(&self, name: &str) -> io::Result<Option<(u64, u64)>> {
        Ok(self.stat(name)?.map(|st| (st.st_dev, st.st_ino)))
    }

    /// `lstat` of the entry `name`, `None` if there is none.
    fn stat(&self, name: &str) -> io::Result<Option<libc::stat>> {
        let c = component(name)?;
        // SAFETY: an all-zero `stat` is a valid value of this plain C struct.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let flags = libc::AT_SYMLINK_NOFOLLOW;
        // SAFETY: valid descriptor, NUL-terminated name, `st` writable.
        match check(unsafe { libc::fstatat(self.fd(), c.as_ptr(), &mut st, flags) }) {
            Ok(()) => Ok(Some(st)),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Make the directory's entries durable.
    pub(crate) fn sync(&self) -> io::Result<()> {
        self.file.sync_all()
    }

    /// The names in the directory (without `.` and `..`), unsorted.
    pub(crate) fn names(&self) -> io::Result<Vec<String>> {
        // SAFETY: duplicating our own valid descriptor.
        let dup = owned(unsafe { libc::fcntl(self.fd(), libc::F_DUPFD_CLOEXEC, 0) })?;
        let raw = dup.as_raw_fd();
        // SAFETY: `raw` is an open directory descriptor; on success the
        // stream owns it, so ownership leaves `dup` only then.
        let stream = unsafe { libc::fdopendir(raw) };
        if stream.is_null() {
            return Err(io::Error::last_os_error());
        }
        std::mem::forget(dup);
        let mut out = Vec::new();
        // SAFETY: `stream` is a live DIR*; the duplicate shares the file
        // offset, so rewind first; each dirent is read before the next
        // readdir call; the stream is closed exactly once.
        unsafe {
            libc::rewinddir(stream);
            loop {
                let ent = libc::readdir(stream);
                if ent.is_null() {
                    break;
                }
                let name = CStr::from_ptr((*ent).d_name.as_ptr()).to_bytes();
                if name != b"." && name != b".." {
                    out.push(String::from_utf8_lossy(name).into_owned());
                }
            }
            libc::closedir(stream);
        }
        Ok(out)
    }

    fn fd(&self) -> RawFd {
        self.file.as_raw_fd()
    }

    fn openat(&self, name: &str, flags: libc::c_int, mode: libc::mode_t) -> io::Result<OwnedFd> {
        let c = component(name)?;
        // SAFETY: valid directory descriptor and NUL-terminated name; the
        // mode is passed as the variadic argument open expects.
        owned(unsafe { libc::openat(self.fd(), c.as_ptr(), flags, mode as libc::c_uint) })
    }
}

/// Try to take an exclusive `flock` on `file` without waiting: `false` if
/// another open file description holds it.
pub(crate) fn try_lock_exclusive(file: &File) -> io::Result<bool> {
    // SAFETY: flock on a descriptor we own; no memory is involved.
    match check(unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) }) {
        Ok(()) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => Ok(false),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(false),
        Err(e) => Err(e),
    }
}

/// All of `file`, which held `len` bytes when it was opened: read to its
/// end without asking its size again (it may have grown or shrunk since).
fn read_all(file: &mut File, len: u64) -> io::Result<Vec<u8>> {
    // One byte more than expected, so that the end shows without growing;
    // a size beyond a mebibyte (a sparse or corrupt file) is not trusted
    // with memory up front.
    let first = usize::try_from(len).map_or(1 << 20, |n| n.min(1 << 20));
    let mut data = vec![0u8; first + 1];
    let mut n = 0;
    loop {
        if n == data.len() {
            data.resize(data.len().saturating_mul(2), 0);
        }
        match file.read(&mut data[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    data.truncate(n);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The whole file comes back whatever size was given: the true one, a
    /// smaller one (the file grew), a larger one (it shrank), or one beyond
    /// the first allocation's bound.
    #[test]
    fn read_all_reads_to_the_end_whatever_size_was_seen() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0usize, 1, 4095, 4096, 3 << 20] {
            let path = dir.path().join(format!("f{size}"));
            let content: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            std::fs::File::create(&path)
                .unwrap()
                .write_all(&content)
                .unwrap();
            for seen in [
                0,
                size as u64 / 2,
                size as u64,
                size as u64 * 2 + 1,
                u64::MAX,
            ] {
                let mut f = File::open(&path).unwrap();
                assert!(
                    read_all(&mut f, seen).unwrap() == content,
                    "{size} seen as {seen}"
                );
            }
        }
    }
}
