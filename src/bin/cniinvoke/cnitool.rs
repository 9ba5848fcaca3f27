//! What upstream's `cnitool` reads from its environment and how it names a
//! container, so that `cniinvoke net` is a drop-in for it.

use cniinvoke::types::go_quote;
use cniinvoke::Error;
use sha2::{Digest, Sha512};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// Where network configurations are read when NETCONFPATH is unset or empty.
pub const DEFAULT_NET_DIR: &str = "/etc/cni/net.d";
/// The cache directory cnitool's libcni uses (the core's default).
pub use cniinvoke::libcni::DEFAULT_CACHE_DIR;

/// `--dir`, else a non-empty `NETCONFPATH`, else [`DEFAULT_NET_DIR`].
pub fn net_dir(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| {
        std::env::var_os("NETCONFPATH")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    })
    .unwrap_or_else(|| PathBuf::from(DEFAULT_NET_DIR))
}

/// `CNI_IFNAME` when set (even to the empty string, as cnitool), else `eth0`.
pub fn if_name() -> String {
    match std::env::var_os("CNI_IFNAME") {
        Some(v) => v.to_string_lossy().into_owned(),
        None => "eth0".to_string(),
    }
}

/// `CNI_ARGS` as cnitool splits it: `K=V` pairs joined by `;`, each with
/// exactly one `=` and both sides non-empty. Unset or empty: no pairs.
pub fn cni_args(value: &str) -> cniinvoke::Result<Vec<(String, String)>> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    value
        .split(';')
        .map(|pair| {
            let kv: Vec<&str> = pair.split('=').collect();
            match kv[..] {
                [k, v] if !k.is_empty() && !v.is_empty() => Ok((k.to_string(), v.to_string())),
                _ => Err(Error::InvalidArgument(format!(
                    "invalid CNI_ARGS pair {}",
                    go_quote(pair)
                ))),
            }
        })
        .collect()
}

/// `CAP_ARGS`: a JSON object, decoded as cnitool's `json.Unmarshal` into a
/// map does (Go's error texts); unset or empty: none.
pub fn capability_args() -> cniinvoke::Result<serde_json::Map<String, serde_json::Value>> {
    match std::env::var_os("CAP_ARGS") {
        Some(v) if !v.is_empty() => cniinvoke::libcni::map_from_json(v.as_bytes()),
        _ => Ok(Default::default()),
    }
}

/// An environment variable as text (empty when unset; bytes that are not
/// UTF-8 replaced rather than the variable ignored).
pub fn env(name: &str) -> String {
    std::env::var_os(name)
        .map(|v| v.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The path as Go's `filepath.Abs` makes it: joined to the working
/// directory when relative, then cleaned lexically (no symlinks resolved).
pub fn absolute(path: &str) -> cniinvoke::Result<String> {
    if path.starts_with('/') {
        return Ok(clean(path));
    }
    let wd = working_dir().map_err(|e| Error::Io(format!("getwd: {e}")))?;
    Ok(clean(&format!("{wd}/{path}")))
}

/// Go's `os.Getwd`: `$PWD` when it is absolute and names the same directory
/// as `.`, otherwise the kernel's answer.
fn working_dir() -> std::io::Result<String> {
    let dot = std::fs::metadata(".")?;
    if let Some(pwd) = std::env::var("PWD").ok().filter(|p| p.starts_with('/')) {
        if let Ok(m) = std::fs::metadata(&pwd) {
            if m.dev() == dot.dev() && m.ino() == dot.ino() {
                return Ok(pwd);
            }
        }
    }
    Ok(std::env::current_dir()?.to_string_lossy().into_owned())
}

/// Go's `filepath.Clean` on Unix: the shortest equivalent path by purely
/// lexical processing.
pub fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// cnitool's container id for a network namespace path: `cnitool-` and the
/// hex of the first 10 bytes of the path's SHA-512.
pub fn container_id(abs_netns: &str) -> String {
    let digest = Sha512::digest(abs_netns.as_bytes());
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!("cnitool-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cni_args_as_cnitool_splits_them() {
        assert_eq!(cni_args("").unwrap(), vec![]);
        assert_eq!(
            cni_args("A=1;B=two").unwrap(),
            vec![("A".into(), "1".into()), ("B".into(), "two".into())]
        );
        for (input, msg) in [
            ("A=1;", r#"invalid CNI_ARGS pair """#),
            ("A", r#"invalid CNI_ARGS pair "A""#),
            ("A=", r#"invalid CNI_ARGS pair "A=""#),
            ("=1", r#"invalid CNI_ARGS pair "=1""#),
            ("A=1=2", r#"invalid CNI_ARGS pair "A=1=2""#),
            ("A=1;;B=2", r#"invalid CNI_ARGS pair """#),
            ("K=\"v\"=x", r#"invalid CNI_ARGS pair "K=\"v\"=x""#),
            ("A=\t=", r#"invalid CNI_ARGS pair "A=\t=""#),
        ] {
            assert_eq!(cni_args(input).unwrap_err().to_string(), msg, "{input:?}");
        }
        assert_eq!(
            cni_args("K=\"v\"x").unwrap(),
            vec![("K".into(), "\"v\"x".into())]
        );
    }

    #[test]
    fn clean_is_go_filepath_clean() {
        for (input, want) in [
            ("", "."),
            ("/", "/"),
            ("//a//b/", "/a/b"),
            ("/a/./b/../c", "/a/c"),
            ("/../a", "/a"),
            ("a/../..", ".."),
            ("../../a", "../../a"),
            ("a/b/../../..", ".."),
            ("./", "."),
            ("/var/run/netns/x", "/var/run/netns/x"),
        ] {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    #[test]
    fn container_id_is_cnitools() {
        // printf %s /var/run/netns/test | sha512sum | cut -c1-20
        assert_eq!(
            container_id("/var/run/netns/test"),
            "cnitool-7b8a61d5d8e94d07cbe4"
        );
    }

    #[test]
    fn absolute_joins_the_working_directory() {
        let wd = working_dir().unwrap();
        assert_eq!(absolute("x/../y").unwrap(), clean(&format!("{wd}/y")));
        assert_eq!(absolute("/a/../b").unwrap(), "/b");
    }
}
