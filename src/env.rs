//! The environment a plugin starts with: this process's own with the CNI
//! variables set (upstream `AsEnv`'s merge), built straight from `environ`.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A plugin's whole environment, as [`crate::CniArgs::plugin_env`]
/// describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginEnv {
    /// This process's environment, unchanged.
    Inherit,
    /// Exactly these `K=V` entries.
    Entries(Vec<String>),
    /// This process's environment with these variables set: an inherited
    /// variable of the same name takes the value in its place, the others
    /// are appended in this order. A name inherited twice appears once, at
    /// its first place, with its last value; an entry without `=` is kept
    /// as it is (as Go's `os.Environ` keeps it).
    Overlay(Vec<(&'static str, String)>),
}

impl PluginEnv {
    /// The environment as `K=V` strings (`None` = this process's,
    /// unchanged): what [`crate::CniArgs::as_env`] answers. An inherited
    /// entry that is not UTF-8 is shown lossily here; the plugin gets its
    /// bytes unchanged, as upstream passes them.
    pub fn to_entries(&self) -> Option<Vec<String>> {
        match self {
            PluginEnv::Inherit => None,
            PluginEnv::Entries(entries) => Some(entries.clone()),
            PluginEnv::Overlay(_) => {
                let mut out = Vec::new();
                let _ = self.for_each(|parts| {
                    out.push(String::from_utf8_lossy(&parts.concat()).into_owned());
                    Ok::<(), ()>(())
                });
                Some(out)
            }
        }
    }

    /// The value the plugin sees for `name` (the last entry of that name).
    pub fn value(&self, name: &str) -> Option<String> {
        let inherited = || std::env::var(name).ok();
        match self {
            PluginEnv::Inherit => inherited(),
            PluginEnv::Entries(entries) => entries.iter().rev().find_map(|kv| {
                kv.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('='))
                    .map(str::to_string)
            }),
            PluginEnv::Overlay(overrides) => match overrides.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => Some(v.clone()),
                None => inherited(),
            },
        }
    }

    /// Hand every entry to `push`, as the byte strings that joined make it
    /// (`[b"K=V"]` or `[b"K", b"=", b"V"]`), in the order the plugin gets
    /// them; the first error of `push` stops the walk.
    pub(crate) fn for_each<E>(
        &self,
        mut push: impl FnMut(&[&[u8]]) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            PluginEnv::Inherit => {
                crate::spawn::with_environ(|env| env.iter().try_for_each(|kv| push(&[kv])))
            }
            PluginEnv::Entries(entries) => entries.iter().try_for_each(|kv| push(&[kv.as_bytes()])),
            PluginEnv::Overlay(overrides) => {
                crate::spawn::with_environ(|env| overlay(env, overrides, &mut push))
            }
        }
    }
}

/// `inherited` with `overrides` set (see [`PluginEnv::Overlay`]).
fn overlay<E>(
    inherited: &[&[u8]],
    overrides: &[(&str, String)],
    push: &mut impl FnMut(&[&[u8]]) -> Result<(), E>,
) -> Result<(), E> {
    // Only an environment with a name twice (rare) pays for a map.
    let last = (!names_distinct(inherited)).then(|| last_of_each_name(inherited));
    let mut first = HashSet::<&[u8], BuildHasherDefault<Fnv1a>>::default();
    let mut used = vec![false; overrides.len()];
    for kv in inherited {
        let Some(name) = name_of(kv) else {
            push(&[kv])?;
            continue;
        };
        if let Some(i) = overrides.iter().position(|(o, _)| o.as_bytes() == name) {
            if !std::mem::replace(&mut used[i], true) {
                push(&[name, b"=", overrides[i].1.as_bytes()])?;
            }
            continue;
        }
        match &last {
            None => push(&[kv])?,
            Some(last) if first.insert(name) => push(&[last[name]])?,
            Some(_) => {}
        }
    }
    for ((k, v), _) in overrides.iter().zip(used).filter(|(_, u)| !u) {
        push(&[k.as_bytes(), b"=", v.as_bytes()])?;
    }
    Ok(())
}

/// The name of a `K=V` entry (`None` without `=`).
fn name_of(kv: &[u8]) -> Option<&[u8]> {
    kv.iter().position(|&b| b == b'=').map(|eq| &kv[..eq])
}

/// Whether no name appears twice: the names' hashes sorted, no two alike
/// (a collision only sends the walk the exact, slower way).
fn names_distinct(env: &[&[u8]]) -> bool {
    let mut hashes: Vec<u64> = env
        .iter()
        .filter_map(|kv| name_of(kv))
        .map(|name| {
            let mut h = Fnv1a::default();
            h.write(name);
            h.finish()
        })
        .collect();
    hashes.sort_unstable();
    hashes.windows(2).all(|w| w[0] != w[1])
}

/// Each name's last entry.
fn last_of_each_name<'a>(env: &[&'a [u8]]) -> HashMap<&'a [u8], &'a [u8]> {
    env.iter()
        .filter_map(|&kv| Some((name_of(kv)?, kv)))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(inherited: &[&str], overrides: &[(&str, String)]) -> Vec<String> {
        let env: Vec<&[u8]> = inherited.iter().map(|kv| kv.as_bytes()).collect();
        let mut out = Vec::new();
        overlay(&env, overrides, &mut |parts: &[&[u8]]| {
            out.push(String::from_utf8(parts.concat()).unwrap());
            Ok::<(), ()>(())
        })
        .unwrap();
        out
    }

    /// The duplicate-name check's hasher is FNV-1a 64 (the published test
    /// vectors).
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

    /// An overlay's value is the override's, else the inherited one.
    #[test]
    fn an_overlay_value_is_the_overrides_else_inherited() {
        let env = PluginEnv::Overlay(vec![
            ("CNI_COMMAND", "ADD".into()),
            ("CNI_IFNAME", "eth0".into()),
        ]);
        assert_eq!(env.value("CNI_IFNAME").as_deref(), Some("eth0"));
        assert_eq!(env.value("CNI_COMMAND").as_deref(), Some("ADD"));
        assert_eq!(env.value("PATH"), std::env::var("PATH").ok());
        assert_eq!(env.value("CNI_UNSET_IN_ANY_TEST_RUN"), None);
    }

    #[test]
    fn distinct_names_take_overrides_in_place() {
        let got = walk(
            &["A=1", "B=2", "NOEQ"],
            &[("B", "x".into()), ("C", "y".into())],
        );
        assert_eq!(got, ["A=1", "B=x", "NOEQ", "C=y"]);
        assert!(names_distinct(&[b"A=1", b"B=2", b"NOEQ", b"NOEQ"]));
        assert!(!names_distinct(&[b"A=1", b"B=2", b"A=3"]));
    }

    #[test]
    fn later_entry_wins_and_keeps_first_position() {
        let got = walk(
            &["A=1", "B=2", "NOEQ", "A=3", "B=4", "NOEQ"],
            &[("B", "x".into()), ("C", "y".into())],
        );
        assert_eq!(got, ["A=3", "B=x", "NOEQ", "NOEQ", "C=y"]);
    }
}
