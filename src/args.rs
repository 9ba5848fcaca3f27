//! The CNI environment a plugin runs with (upstream `args.go`).

use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Something that knows the environment a plugin should run with.
pub trait CniArgs {
    /// The plugin's whole environment as `K=V` entries, or `None` to let the
    /// plugin inherit this process's environment unchanged.
    fn as_env(&self) -> Option<Vec<String>>;

    /// Refuse values that cannot be passed faithfully (checked before every
    /// run; the default accepts everything).
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// Arguments that inherit this process's environment unchanged
/// (upstream `ArgsFromEnv()`, whose `AsEnv()` returns nil).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InheritedArgs;

/// Upstream's `ArgsFromEnv()`.
pub fn args_from_env() -> InheritedArgs {
    InheritedArgs
}

impl CniArgs for InheritedArgs {
    fn as_env(&self) -> Option<Vec<String>> {
        None
    }
}

/// The arguments of one CNI operation (upstream `invoke.Args`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    /// `CNI_COMMAND`: ADD, CHECK, DEL, STATUS, GC, VERSION.
    pub command: String,
    /// `CNI_CONTAINERID`.
    pub container_id: String,
    /// `CNI_NETNS`: path of the network namespace.
    pub netns: String,
    /// Key/value pairs joined into `CNI_ARGS` when `plugin_args_str` is empty.
    pub plugin_args: Vec<(String, String)>,
    /// `CNI_ARGS` verbatim; wins over `plugin_args` when non-empty.
    pub plugin_args_str: String,
    /// `CNI_IFNAME`.
    pub if_name: String,
    /// `CNI_PATH`: where the plugin looks for its own delegates.
    pub path: String,
}

impl Args {
    /// The value `CNI_ARGS` gets: the explicit string, else `K=V;K=V`.
    pub fn cni_args_value(&self) -> String {
        if !self.plugin_args_str.is_empty() {
            return self.plugin_args_str.clone();
        }
        let pairs: Vec<String> = self
            .plugin_args
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.join(";")
    }
}

impl CniArgs for Args {
    /// No NUL anywhere (it cannot reach a process), and plugin-argument pairs
    /// that cannot smuggle extra pairs into `CNI_ARGS`: keys non-empty and
    /// free of `=` and `;`, values free of `;`.
    fn validate(&self) -> Result<()> {
        let fields = [
            ("command", &self.command),
            ("container id", &self.container_id),
            ("netns", &self.netns),
            ("plugin args string", &self.plugin_args_str),
            ("ifname", &self.if_name),
            ("path", &self.path),
        ];
        for (name, value) in fields {
            if value.contains('\0') {
                return Err(Error::InvalidArgument(format!(
                    "{name} {value:?} contains a NUL byte"
                )));
            }
        }
        for (k, v) in &self.plugin_args {
            if k.is_empty() || k.contains(['=', ';', '\0']) {
                return Err(Error::InvalidArgument(format!(
                    "plugin argument key {k:?} must be non-empty and hold no '=', ';' or NUL"
                )));
            }
            if v.contains([';', '\0']) {
                return Err(Error::InvalidArgument(format!(
                    "plugin argument {k}={v:?}: a value may hold no ';' or NUL"
                )));
            }
        }
        Ok(())
    }

    fn as_env(&self) -> Option<Vec<String>> {
        let cni = [
            ("CNI_COMMAND", self.command.clone()),
            ("CNI_CONTAINERID", self.container_id.clone()),
            ("CNI_NETNS", self.netns.clone()),
            ("CNI_ARGS", self.cni_args_value()),
            ("CNI_IFNAME", self.if_name.clone()),
            ("CNI_PATH", self.path.clone()),
        ];
        Some(merge_env(process_env(), &cni))
    }
}

/// This process's environment with `CNI_COMMAND` overridden (upstream
/// `DelegateArgs`), used when a plugin delegates to another plugin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DelegateArgs {
    /// The verb the delegate runs.
    pub command: String,
}

impl DelegateArgs {
    /// Delegate arguments for `command`.
    pub fn new(command: impl Into<String>) -> Self {
        DelegateArgs {
            command: command.into(),
        }
    }
}

impl CniArgs for DelegateArgs {
    fn validate(&self) -> Result<()> {
        if self.command.contains('\0') {
            return Err(Error::InvalidArgument(format!(
                "command {:?} contains a NUL byte",
                self.command
            )));
        }
        Ok(())
    }

    fn as_env(&self) -> Option<Vec<String>> {
        Some(merge_env(
            process_env(),
            &[("CNI_COMMAND", self.command.clone())],
        ))
    }
}

/// Exactly this environment, nothing inherited: a caller that has already
/// computed the plugin's whole environment (an arbitrary `CNIArgs.AsEnv()`
/// of a binding, or the C ABI's `{"environ":[...]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExplicitEnv(pub Vec<String>);

impl CniArgs for ExplicitEnv {
    /// No NUL in any entry (it cannot reach a process).
    fn validate(&self) -> Result<()> {
        match self.0.iter().find(|kv| kv.contains('\0')) {
            Some(kv) => Err(Error::InvalidArgument(format!(
                "environment entry {kv:?} contains a NUL byte"
            ))),
            None => Ok(()),
        }
    }

    fn as_env(&self) -> Option<Vec<String>> {
        Some(self.0.clone())
    }
}

/// This process's environment as `K=V` strings. Entries that are not valid
/// UTF-8 are carried over lossily: they cannot be CNI variables and a plugin
/// should still see that they exist.
fn process_env() -> Vec<String> {
    std::env::vars_os()
        .map(|(k, v)| match (k.into_string(), v.into_string()) {
            // The usual case: reuse the key's buffer, no re-validation.
            (Ok(mut kv), Ok(v)) => {
                kv.reserve_exact(1 + v.len());
                kv.push('=');
                kv.push_str(&v);
                kv
            }
            (k, v) => {
                let lossy = |r: Result<String, std::ffi::OsString>| match r {
                    Ok(s) => s,
                    Err(os) => os.to_string_lossy().into_owned(),
                };
                format!("{}={}", lossy(k), lossy(v))
            }
        })
        .collect()
}

/// Append `overrides` to `base` so that the later entry of a name wins and
/// each name appears once. The order is stable: a name keeps the position of
/// its first appearance (unlike upstream, which iterates a Go map), and
/// entries without `=` are kept as they are.
pub(crate) fn merge_env(mut base: Vec<String>, overrides: &[(&str, String)]) -> Vec<String> {
    fn key(kv: &str) -> Option<&str> {
        kv.split_once('=').map(|(k, _)| k)
    }
    // Inherited entries named by an override take its value in place.
    let mut used = vec![false; overrides.len()];
    for kv in base.iter_mut() {
        let Some(k) = key(kv) else { continue };
        if let Some(i) = overrides.iter().position(|(o, _)| *o == k) {
            *kv = format!("{k}={}", overrides[i].1);
            used[i] = true;
        }
    }
    // An environment with a name twice is rare; only then pay for merging.
    let mut seen: HashSet<&str, BuildHasherDefault<Fnv1a>> =
        HashSet::with_capacity_and_hasher(base.len(), Default::default());
    if !base.iter().filter_map(|kv| key(kv)).all(|k| seen.insert(k)) {
        base = dedup_keep_first_position(base);
    }
    let unused = overrides.iter().zip(used).filter(|(_, u)| !u);
    base.extend(unused.map(|((k, v), _)| format!("{k}={v}")));
    base
}

/// FNV-1a: names are short and not attacker-chosen, so a simple hash beats
/// SipHash on the per-call path.
#[derive(Default)]
struct Fnv1a(u64);

impl Hasher for Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// One entry per name: the last value, at the first position.
fn dedup_keep_first_position(entries: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(entries.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(entries.len());
    for kv in entries {
        let Some(eq) = kv.find('=') else {
            out.push(kv);
            continue;
        };
        match index.get(&kv[..eq]) {
            Some(&i) => out[i] = kv,
            None => {
                index.insert(kv[..eq].to_string(), out.len());
                out.push(kv);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The duplicate-name check's hasher is FNV-1a 64 (the published test
    /// vectors), so a wrong or constant hash cannot hide behind HashSet's
    /// equality check.
    #[test]
    fn the_name_hasher_is_fnv1a() {
        let fnv = |bytes: &[u8]| {
            let mut h = Fnv1a::default();
            h.write(bytes);
            h.finish()
        };
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv(b"foobar"), 0x8594_4171_f739_67e8);
        // Written in two pieces, the same as in one.
        let mut h = Fnv1a::default();
        h.write(b"foo");
        h.write(b"bar");
        assert_eq!(h.finish(), fnv(b"foobar"));
    }

    #[test]
    fn later_entry_wins_and_keeps_first_position() {
        let base = vec!["A=1".into(), "B=2".into(), "NOEQ".into(), "A=3".into()];
        let got = merge_env(base, &[("B", "x".into()), ("C", "y".into())]);
        assert_eq!(got, vec!["A=3", "B=x", "NOEQ", "C=y"]);
    }

    #[test]
    fn smuggling_and_nul_are_refused() {
        let pair = |k: &str, v: &str| Args {
            plugin_args: vec![(k.into(), v.into())],
            ..Default::default()
        };
        assert!(pair("K", "V").validate().is_ok());
        assert!(
            pair("K", "a=b").validate().is_ok(),
            "'=' in a value is fine"
        );
        for (k, v) in [
            ("", "v"),
            ("K=X", "v"),
            ("K;X", "v"),
            ("K\0", "v"),
            ("K", "v;X=evil"),
            ("K", "v\0"),
        ] {
            let e = pair(k, v).validate().unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{k:?}={v:?}");
        }
        let a = Args {
            netns: "/x\0y".into(),
            ..Default::default()
        };
        assert_eq!(
            a.validate().unwrap_err().to_string(),
            r#"netns "/x\0y" contains a NUL byte"#
        );
        assert!(DelegateArgs::new("A\0").validate().is_err());
        assert!(ExplicitEnv(vec!["K=V".into(), "X=\0".into()])
            .validate()
            .is_err());
    }

    #[test]
    fn explicit_env_is_passed_as_given() {
        let env = vec!["B=2".to_string(), "A=1".into(), "B=3".into(), "NOEQ".into()];
        let a = ExplicitEnv(env.clone());
        assert!(a.validate().is_ok());
        assert_eq!(a.as_env(), Some(env));
        assert_eq!(ExplicitEnv::default().as_env(), Some(vec![]));
    }

    #[test]
    fn cni_args_prefers_the_string() {
        let mut a = Args {
            plugin_args: vec![("K".into(), "V".into()), ("X".into(), "Y".into())],
            ..Default::default()
        };
        assert_eq!(a.cni_args_value(), "K=V;X=Y");
        a.plugin_args_str = "S=T".into();
        assert_eq!(a.cni_args_value(), "S=T");
    }
}
