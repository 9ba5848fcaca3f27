//! Finding a plugin binary on a search path (upstream `find.go`).

use crate::error::{Error, Result};

/// File-name suffixes tried, in order, after the plugin name
/// (upstream `ExecutableFileExtensions`; `[""]` on Unix).
pub const EXECUTABLE_FILE_EXTENSIONS: &[&str] = &[""];

/// The first regular file named `plugin` (plus one of
/// [`EXECUTABLE_FILE_EXTENSIONS`]) in `paths`, searched in order.
///
/// Errors are upstream's, word for word, as [`Error::NotFound`] (a missing
/// plugin) or [`Error::InvalidArgument`] (an empty name, a name holding a
/// path separator, an empty path list).
///
/// ```no_run
/// // Needs the plugin installed: Debian's containernetworking-plugins.
/// let path = cniinvoke::find_in_path("bridge", &["/opt/cni/bin", "/usr/lib/cni"])?;
/// let info = cniinvoke::get_version_info(&cniinvoke::Context::background(), &path, None)?;
/// println!("{path}: {:?}", info.supported_versions());
/// # Ok::<(), cniinvoke::Error>(())
/// ```
pub fn find_in_path<S: AsRef<str>>(plugin: &str, paths: &[S]) -> Result<String> {
    if plugin.is_empty() {
        return Err(Error::InvalidArgument("no plugin name provided".into()));
    }
    if plugin.contains('/') {
        return Err(Error::InvalidArgument(format!(
            "invalid plugin name: {plugin}"
        )));
    }
    if paths.is_empty() {
        return Err(Error::InvalidArgument("no paths provided".into()));
    }
    for dir in paths {
        for ext in EXECUTABLE_FILE_EXTENSIONS {
            let full = join(dir.as_ref(), plugin) + ext;
            if std::fs::metadata(&full).is_ok_and(|m| m.is_file()) {
                return Ok(full);
            }
        }
    }
    let list: Vec<&str> = paths.iter().map(|p| p.as_ref()).collect();
    Err(Error::NotFound(format!(
        "failed to find plugin {} in path [{}]",
        crate::goquote::quote(plugin.as_bytes()),
        list.join(" ")
    )))
}

/// Go's `filepath.Join(dir, name)`: the joined path, cleaned.
fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        return clean(name);
    }
    if is_plain(dir, true) && is_plain(name, false) {
        // Nothing to clean: the two with one slash between (a search
        // path's directory and a plugin's name, nearly always).
        let slash = if dir == "/" { "" } else { "/" };
        return [dir, slash, name].concat();
    }
    clean(&[dir, "/", name].concat())
}

/// `path` is clean as it is and stays so with a plain name after it: no
/// empty, `.` or `..` segment, no trailing slash. A directory (`is_dir`)
/// may start with `/`, or be `/` itself; a name may not.
fn is_plain(path: &str, is_dir: bool) -> bool {
    if is_dir && path == "/" {
        return true;
    }
    let body = if is_dir {
        path.strip_prefix('/').unwrap_or(path)
    } else {
        path
    };
    body.split('/').all(|seg| !matches!(seg, "" | "." | ".."))
}

/// Go's `filepath.Clean` for Unix paths: collapse `//`, drop `.`, resolve
/// `..` lexically.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

#[cfg(test)]
mod tests {
    use super::{clean, join};

    #[test]
    fn clean_matches_go() {
        for (i, o) in [
            ("/a//b/./c", "/a/b/c"),
            ("a/../..", ".."),
            ("/../x", "/x"),
            ("", "."),
            ("a/b/../c/", "a/c"),
            ("./x", "x"),
        ] {
            assert_eq!(clean(i), o, "clean({i:?})");
        }
    }

    #[test]
    fn join_is_clean_of_the_two_joined() {
        let parts = [
            "", "/", "a", "/a", "a/", "//a", "a//b", ".", "..", "/.", "a/.", "a/..", "/..", "bc",
            "./a", "b/c",
        ];
        for dir in parts {
            for name in parts {
                let want = if dir.is_empty() {
                    clean(name)
                } else {
                    clean(&format!("{dir}/{name}"))
                };
                assert_eq!(join(dir, name), want, "join({dir:?}, {name:?})");
            }
        }
    }
}
