//! The environment a plugin starts with: this process's own with the CNI
//! variables set (upstream `AsEnv`'s merge), built straight from `environ`
//! (or from the context's snapshot standing in for it).

use crate::environ_snapshot::EnvironSnapshot;
use crate::spawn::{EnvBlock, EnvironEntry};
use std::borrow::Cow;

/// A plugin's whole environment, as [`crate::CniArgs::plugin_env`]
/// describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginEnv<'v> {
    /// This process's environment, unchanged.
    Inherit,
    /// Exactly these `K=V` entries.
    Entries(Vec<String>),
    /// This process's environment with these variables set: an inherited
    /// variable of the same name takes the value in its place, the others
    /// are appended in this order. A name inherited twice appears once, at
    /// its first place, with its last value; an entry without `=` is kept
    /// as it is (as Go's `os.Environ` keeps it). The values may borrow from
    /// the arguments they describe.
    Overlay(Vec<(&'static str, Cow<'v, str>)>),
}

/// Which inherited names to leave out of an exec block (`None`: none).
pub(crate) type Skip<'s> = Option<&'s dyn Fn(&[u8]) -> bool>;

impl PluginEnv<'_> {
    /// The environment as `K=V` strings (`None` = this process's,
    /// unchanged): what [`crate::CniArgs::as_env`]
    /// answers. An inherited entry that is not UTF-8 is shown lossily
    /// here; the plugin gets its bytes unchanged, as upstream passes them.
    pub fn to_entries(&self) -> Option<Vec<String>> {
        self.to_entries_in(None)
    }

    /// [`PluginEnv::to_entries`] with `base` inherited in place of this
    /// process's environment (`None`: this process's).
    pub(crate) fn to_entries_in(&self, base: Option<&EnvironSnapshot>) -> Option<Vec<String>> {
        match self {
            PluginEnv::Inherit => None,
            PluginEnv::Entries(entries) => Some(entries.clone()),
            PluginEnv::Overlay(_) => {
                let mut out = Vec::new();
                let _ = self.for_each(base, |parts| {
                    let kv = parts.concat();
                    out.push(
                        String::from_utf8(kv)
                            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                    );
                    Ok::<(), ()>(())
                });
                Some(out)
            }
        }
    }

    /// The value the plugin sees for `name` (the last entry of that name).
    pub fn value(&self, name: &str) -> Option<String> {
        self.value_in(name, None)
    }

    /// [`PluginEnv::value`] with `base` inherited in place of this
    /// process's environment (`None`: this process's).
    pub(crate) fn value_in(&self, name: &str, base: Option<&EnvironSnapshot>) -> Option<String> {
        let inherited = || match base {
            Some(env) => env
                .get(name)
                .and_then(|v| std::str::from_utf8(v).ok())
                .map(str::to_string),
            None => std::env::var(name).ok(),
        };
        match self {
            PluginEnv::Inherit => inherited(),
            PluginEnv::Entries(entries) => entries.iter().rev().find_map(|kv| {
                kv.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('='))
                    .map(str::to_string)
            }),
            PluginEnv::Overlay(overrides) => match overrides.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => Some(v.to_string()),
                None => inherited(),
            },
        }
    }

    /// Hand every entry to `push`, as the byte strings that joined make it
    /// (`[b"K=V"]` or `[b"K", b"=", b"V"]`), in the order the plugin gets
    /// them; the first error of `push` stops the walk.
    pub(crate) fn for_each<E>(
        &self,
        base: Option<&EnvironSnapshot>,
        mut push: impl FnMut(&[&[u8]]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.walk(base, |entry| match entry {
            Entry::Inherited(e) => push(&[e.bytes()]),
            Entry::Listed(kv) => push(&[kv]),
            Entry::Set(k, v) => push(&[k.as_bytes(), b"=", v.as_bytes()]),
        })
    }

    /// Add every entry to `block`, but those whose name `skip` picks, the
    /// inherited ones (this process's, or `base`'s in their place) not
    /// copied; `Err` holds an entry with a NUL byte.
    pub(crate) fn write_block<'a>(
        &'a self,
        block: &mut EnvBlock<'a>,
        skip: Skip<'_>,
        base: Option<&'a EnvironSnapshot>,
    ) -> Result<(), Vec<u8>> {
        match self {
            PluginEnv::Overlay(overrides) => write_overlay(overrides, block, skip, base),
            _ => self.walk(base, |entry| write_entry(block, entry, skip)),
        }
    }

    /// Hand every entry to `visit`, in the order the plugin gets them,
    /// `base` inherited in place of this process's environment when given.
    fn walk<E>(
        &self,
        base: Option<&EnvironSnapshot>,
        mut visit: impl FnMut(Entry<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        match self {
            PluginEnv::Inherit => with_inherited(base, |env| {
                env.iter().try_for_each(|e| visit(Entry::Inherited(*e)))
            }),
            PluginEnv::Entries(entries) => entries
                .iter()
                .try_for_each(|kv| visit(Entry::Listed(kv.as_bytes()))),
            PluginEnv::Overlay(overrides) => with_inherited(base, |env| {
                let names = env.iter().map(|e| e.name());
                overlay(names, overrides)
                    .into_iter()
                    .try_for_each(|pick| match pick {
                        Pick::Inherited(i) => visit(Entry::Inherited(env[i])),
                        Pick::Override(j) => visit(Entry::Set(overrides[j].0, &overrides[j].1)),
                    })
            }),
        }
    }
}

/// The inherited entries handed to `f`: `base`'s, else this process's
/// (read from `environ`, under [`crate::spawn::with_environ`]'s contract).
fn with_inherited<R>(
    base: Option<&EnvironSnapshot>,
    f: impl for<'e> FnOnce(&[EnvironEntry<'e>]) -> R,
) -> R {
    match base {
        Some(snapshot) => f(&snapshot.inherited()),
        None => crate::spawn::with_environ(f),
    }
}

/// One entry of a plugin's environment as a walk finds it.
#[derive(Clone, Copy)]
enum Entry<'a> {
    /// This process's own, as `environ` (or the snapshot in its place)
    /// holds it.
    Inherited(EnvironEntry<'a>),
    /// A whole `K=V` (or bare) entry of a list.
    Listed(&'a [u8]),
    /// A variable set: name and value.
    Set(&'a str, &'a str),
}

impl Entry<'_> {
    fn name(&self) -> Option<&[u8]> {
        match self {
            Entry::Inherited(e) => e.name(),
            Entry::Listed(kv) => name_of(kv),
            Entry::Set(k, _) => Some(k.as_bytes()),
        }
    }
}

/// Add `entry` to `block` unless `skip` picks its name; `Err` holds an
/// entry with a NUL byte (only entries of our own can have one).
fn write_entry(block: &mut EnvBlock<'_>, entry: Entry<'_>, skip: Skip<'_>) -> Result<(), Vec<u8>> {
    if skipped(skip, entry.name()) {
        return Ok(());
    }
    match entry {
        Entry::Inherited(e) => {
            block.push_environ(e);
            Ok(())
        }
        Entry::Listed(kv) => push_own(block, &[kv]),
        Entry::Set(k, v) => push_own(block, &[k.as_bytes(), b"=", v.as_bytes()]),
    }
}

/// `skip` picks `name` (an entry without a name is never skipped).
fn skipped(skip: Skip<'_>, name: Option<&[u8]>) -> bool {
    skip.is_some_and(|skip| name.is_some_and(skip))
}

/// Copy the entry `parts` make into `block`; `Err` holds it when it has a
/// NUL byte.
fn push_own(block: &mut EnvBlock<'_>, parts: &[&[u8]]) -> Result<(), Vec<u8>> {
    block.push(parts).map_err(|_| parts.concat())
}

/// [`PluginEnv::write_block`] of this process's environment (or `base`)
/// overlaid with `overrides`: the inherited entries borrowed, the
/// overrides copied into the block. Over this process's own environment
/// the picks are the ones remembered while it is unchanged
/// ([`crate::overlay_memo`]).
fn write_overlay<'a>(
    overrides: &'a [(&'static str, Cow<'_, str>)],
    block: &mut EnvBlock<'a>,
    skip: Skip<'_>,
    base: Option<&'a EnvironSnapshot>,
) -> Result<(), Vec<u8>> {
    match base {
        None => crate::overlay_memo::with_picks(overrides, |picks, environ| {
            write_picks(picks, |i| environ.entry(i), overrides, block, skip)
        }),
        Some(snapshot) => {
            let env = snapshot.inherited();
            let picks = overlay(env.iter().map(|e| e.name()), overrides);
            write_picks(&picks, |i| env[i], overrides, block, skip)
        }
    }
}

/// Add the entries `picks` name to `block` (the inherited ones as `entry`
/// gives them, borrowed), but those whose name `skip` picks.
fn write_picks<'e>(
    picks: &[Pick],
    entry: impl Fn(usize) -> EnvironEntry<'e>,
    overrides: &[(&'static str, Cow<'_, str>)],
    block: &mut EnvBlock<'_>,
    skip: Skip<'_>,
) -> Result<(), Vec<u8>> {
    let own_bytes = overrides.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    block.reserve(picks.len(), own_bytes);
    for &pick in picks {
        match pick {
            Pick::Inherited(i) => {
                let e = entry(i);
                if !skipped(skip, e.name()) {
                    block.push_environ(e);
                }
            }
            Pick::Override(j) => {
                let (k, v) = &overrides[j];
                if !skipped(skip, Some(k.as_bytes())) {
                    push_own(block, &[k.as_bytes(), b"=", v.as_bytes()])?;
                }
            }
        }
    }
    Ok(())
}

/// [`PluginEnv::write_block`] of exactly `entries` (the block's room
/// reserved for them).
pub(crate) fn write_entries(
    entries: &[String],
    block: &mut EnvBlock<'_>,
    skip: Skip<'_>,
) -> Result<(), Vec<u8>> {
    block.reserve(entries.len(), entries.iter().map(|kv| kv.len() + 1).sum());
    let listed = entries.iter().map(|kv| Entry::Listed(kv.as_bytes()));
    listed
        .into_iter()
        .try_for_each(|e| write_entry(block, e, skip))
}

/// One entry of an overlaid environment: the inherited entry at this
/// index, or the override at this index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    Inherited(usize),
    Override(usize),
}

/// The entries of the inherited environment (given by its entries' names,
/// `None` for an entry without `=`) with `overrides` appended, one entry
/// per name (see [`PluginEnv::Overlay`]): upstream's `dedupEnv`, where a
/// later entry takes the place of the first of its name.
pub(crate) fn overlay<'a>(
    inherited: impl ExactSizeIterator<Item = Option<&'a [u8]>>,
    overrides: &'a [(&str, Cow<'_, str>)],
) -> Vec<Pick> {
    let mut picks = Vec::with_capacity(inherited.len() + overrides.len());
    let mut places = Places::new(inherited.len() + overrides.len());
    let named = overrides.iter().map(|(k, _)| Some(k.as_bytes()));
    let all = inherited
        .enumerate()
        .map(|(i, n)| (Pick::Inherited(i), n))
        .chain(named.enumerate().map(|(j, n)| (Pick::Override(j), n)));
    for (pick, name) in all {
        match name.and_then(|n| places.first(n, picks.len())) {
            Some(at) => picks[at] = pick,
            None => picks.push(pick),
        }
    }
    picks
}

/// The names seen so far and the place of each: an open-addressing table
/// of names with their hashes, a name compared whole only when its hash
/// matches.
struct Places<'a> {
    /// `None` for a free slot.
    slots: Vec<Option<Seen<'a>>>,
}

/// A name in [`Places`].
#[derive(Clone, Copy)]
struct Seen<'a> {
    hash: u64,
    name: &'a [u8],
    place: usize,
}

impl<'a> Places<'a> {
    /// Room for `names` names at under half load.
    fn new(names: usize) -> Places<'a> {
        Places {
            slots: vec![None; (2 * names).next_power_of_two().max(8)],
        }
    }

    /// The place of `name` when it was seen before; else `None`, and
    /// `name` is now at `place`.
    #[inline]
    fn first(&mut self, name: &'a [u8], place: usize) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let hash = name_hash(name);
        let mut i = hash as usize & mask;
        loop {
            match &mut self.slots[i] {
                Some(seen) if seen.hash == hash && seen.name == name => return Some(seen.place),
                Some(_) => i = (i + 1) & mask,
                free => {
                    *free = Some(Seen { hash, name, place });
                    return None;
                }
            }
        }
    }
}

/// The name of a `K=V` entry (`None` without `=`).
fn name_of(kv: &[u8]) -> Option<&[u8]> {
    kv.iter().position(|&b| b == b'=').map(|eq| &kv[..eq])
}

/// A hash of a variable's name, eight bytes at a time (every byte and the
/// length count): names are short and not chosen by an attacker, so a
/// multiply-rotate mix beats SipHash, or a byte-at-a-time hash, on the
/// per-call path.
fn name_hash(name: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, word: u64| (h ^ word).wrapping_mul(K).rotate_left(31);
    let n = name.len();
    let mut h = mix(0, n as u64);
    if n < 8 {
        let word = name
            .iter()
            .enumerate()
            .fold(0, |w, (i, &b)| w | u64::from(b) << (8 * i));
        h = mix(h, word);
    } else {
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&name[at..at + 8]);
            u64::from_le_bytes(w)
        };
        let mut at = 0;
        while at + 8 < n {
            h = mix(h, word(at));
            at += 8;
        }
        // The last eight bytes, overlapping the word before when the
        // length is no multiple of eight.
        h = mix(h, word(n - 8));
    }
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The overlay of `overrides` on `inherited`, as the picks of
    /// [`overlay`] give it; the exec block ([`PluginEnv::write_block`]
    /// over a snapshot of `inherited`) held to the same entries, with no
    /// skip and with one that drops the names starting with `V`.
    fn walk(inherited: &[&str], overrides: &[(&'static str, Cow<'_, str>)]) -> Vec<String> {
        let names = inherited.iter().map(|kv| name_of(kv.as_bytes()));
        let picked: Vec<String> = overlay(names, overrides)
            .into_iter()
            .map(|pick| match pick {
                Pick::Inherited(i) => inherited[i].to_string(),
                Pick::Override(j) => format!("{}={}", overrides[j].0, overrides[j].1),
            })
            .collect();
        let snap = EnvironSnapshot::from_entries(inherited).unwrap();
        let env = PluginEnv::Overlay(overrides.to_vec());
        let block = |skip: Skip<'_>| {
            let mut block = EnvBlock::default();
            env.write_block(&mut block, skip, Some(&snap)).unwrap();
            let entries = block.entries().into_iter();
            entries
                .map(|kv| String::from_utf8(kv).unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(block(None), picked, "the exec block");
        let skip = |name: &[u8]| name.starts_with(b"V");
        let kept: Vec<&String> = picked
            .iter()
            .filter(|kv| name_of(kv.as_bytes()).is_none_or(|n| !skip(n)))
            .collect();
        assert_eq!(
            block(Some(&skip)).iter().collect::<Vec<_>>(),
            kept,
            "skipped"
        );
        picked
    }

    /// The duplicate-name check's hash takes every byte and the length:
    /// names that differ in one byte anywhere (the middle of a long name
    /// too), or only by a zero byte at the end, hash apart.
    #[test]
    fn the_name_hash_takes_every_byte() {
        let mut hashes = std::collections::HashSet::new();
        let base = b"SOME_RATHER_LONG_VARIABLE_NAME_X".to_vec();
        for at in 0..base.len() {
            for b in [b'a', b'B', b'_', b'0'] {
                let mut name = base.clone();
                name[at] = b;
                hashes.insert((name_hash(&name), name));
            }
        }
        for len in 0..=base.len() {
            hashes.insert((name_hash(&base[..len]), base[..len].to_vec()));
            let mut padded = base[..len].to_vec();
            padded.push(0);
            hashes.insert((name_hash(&padded), padded));
        }
        let names: std::collections::HashSet<_> = hashes.iter().map(|(_, n)| n).collect();
        let distinct: std::collections::HashSet<_> = hashes.iter().map(|(h, _)| h).collect();
        assert_eq!(distinct.len(), names.len(), "two names share a hash");
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

    /// Over a snapshot of this process's environment, every kind writes
    /// the block it writes over `environ`; over another snapshot, its
    /// entries take the inherited ones' places, bytes unchanged, the
    /// overrides and the skip applied as ever.
    #[test]
    fn a_snapshot_stands_in_for_the_inherited_entries() {
        let kinds = [
            PluginEnv::Inherit,
            PluginEnv::Overlay(vec![
                ("CNI_COMMAND", "DEL".into()),
                ("PATH", "/overridden".into()),
            ]),
            PluginEnv::Entries(vec!["A=1".into()]),
        ];
        let now = EnvironSnapshot::capture();
        for env in &kinds {
            let (mut direct, mut via) = (EnvBlock::default(), EnvBlock::default());
            env.write_block(&mut direct, None, None).unwrap();
            env.write_block(&mut via, None, Some(&now)).unwrap();
            assert_eq!(via.entries(), direct.entries(), "{env:?}");
            assert_eq!(env.to_entries_in(Some(&now)), env.to_entries(), "{env:?}");
        }

        let snap = EnvironSnapshot::from_block(b"A=\xff\xfe\0PATH=/s\0LONELY\0B=2\0").unwrap();
        let write = |env: &PluginEnv, skip: Skip<'_>| {
            let mut block = EnvBlock::default();
            env.write_block(&mut block, skip, Some(&snap)).unwrap();
            block.entries()
        };
        let all = [&b"A=\xff\xfe"[..], b"PATH=/s", b"LONELY", b"B=2"];
        assert_eq!(write(&kinds[0], None), all);
        let overlaid = [
            &b"A=\xff\xfe"[..],
            b"PATH=/overridden",
            b"LONELY",
            b"B=2",
            b"CNI_COMMAND=DEL",
        ];
        assert_eq!(write(&kinds[1], None), overlaid);
        let skip = |name: &[u8]| name == b"B" || name == b"LONELY";
        assert_eq!(
            write(&kinds[0], Some(&skip)),
            [&b"A=\xff\xfe"[..], b"PATH=/s", b"LONELY"]
        );
        assert_eq!(write(&kinds[2], None), [b"A=1"]);
        let listed = kinds[1].to_entries_in(Some(&snap)).unwrap();
        assert_eq!(listed[..2], ["A=\u{fffd}\u{fffd}", "PATH=/overridden"]);
        // A NUL in a value set is refused over a snapshot too, naming it.
        let bad = PluginEnv::Overlay(vec![("CNI_ARGS", "a\0b".into())]);
        let mut block = EnvBlock::default();
        let err = bad.write_block(&mut block, None, Some(&snap)).unwrap_err();
        assert_eq!(err, b"CNI_ARGS=a\0b");
    }

    /// Over this process's own environment the picks remembered between
    /// spawns give the entries that working them out afresh (over a
    /// snapshot of it) gives: call after call, as the names set change
    /// and change back, with and without a skip.
    #[test]
    fn remembered_picks_are_the_ones_worked_out_afresh() {
        let now = EnvironSnapshot::capture();
        let set = |names: &[&'static str]| {
            let vars = names.iter().map(|k| (*k, Cow::Owned(format!("{k} set"))));
            PluginEnv::Overlay(vars.collect())
        };
        // Each next to sets of the same number of names, and of others.
        let sets = [
            set(&["CNI_COMMAND", "PATH"]),
            set(&["PATH", "CNI_COMMAND"]),
            set(&["HOME", "CNI_COMMAND"]),
            set(&["CNI_COMMAND"]),
            set(&["PATH"]),
            set(&[]),
        ];
        let skip = |name: &[u8]| name == b"HOME" || name == b"CNI_COMMAND";
        for _ in 0..3 {
            for env in &sets {
                for skip in [None, Some(&skip as &dyn Fn(&[u8]) -> bool)] {
                    let (mut live, mut afresh) = (EnvBlock::default(), EnvBlock::default());
                    env.write_block(&mut live, skip, None).unwrap();
                    env.write_block(&mut afresh, skip, Some(&now)).unwrap();
                    assert_eq!(live.entries(), afresh.entries(), "{env:?}");
                }
            }
        }
    }

    #[test]
    fn distinct_names_take_overrides_in_place() {
        let got = walk(
            &["A=1", "B=2", "NOEQ"],
            &[("B", "x".into()), ("C", "y".into())],
        );
        assert_eq!(got, ["A=1", "B=x", "NOEQ", "C=y"]);
    }

    /// Upstream's `dedupEnv`, written the plain way: the reference for
    /// the table the overlay uses.
    fn dedup_env(env: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut saw = std::collections::HashMap::new();
        for kv in env {
            let Some(eq) = kv.find('=') else {
                out.push(kv.clone());
                continue;
            };
            match saw.get(&kv[..eq]) {
                Some(&at) => out[at] = kv.clone(),
                None => {
                    saw.insert(kv[..eq].to_string(), out.len());
                    out.push(kv.clone());
                }
            }
        }
        out
    }

    /// Hundreds of names, many twice, some alike but for a byte, empty
    /// names and values: the same entries as `dedupEnv` over the inherited
    /// entries followed by the overrides.
    #[test]
    fn many_names_match_upstreams_dedup() {
        let mut inherited = Vec::new();
        for i in 0..700u32 {
            inherited.push(match i % 7 {
                0 => format!("V{}={i}", i % 50),
                1 => format!("NAME_{i}=x"),
                2 => format!("=empty name {i}"),
                3 => format!("BARE{}", i % 3),
                4 => format!("AB{}C=", i % 11),
                _ => format!("W{}={}", i * 7919 % 997, i),
            });
        }
        let overrides: Vec<(&str, Cow<str>)> = vec![
            ("V3", "o1".into()),
            ("CNI_COMMAND", "ADD".into()),
            ("AB4C", "o2".into()),
            ("", "o3".into()),
        ];
        let refs: Vec<&str> = inherited.iter().map(String::as_str).collect();
        let mut both = inherited.clone();
        both.extend(overrides.iter().map(|(k, v)| format!("{k}={v}")));
        assert_eq!(walk(&refs, &overrides), dedup_env(&both));
        // No overrides: the inherited entries alone, deduplicated.
        assert_eq!(walk(&refs, &[]), dedup_env(&inherited));
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
