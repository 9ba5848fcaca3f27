//! Replays every fuzz target's committed corpus (`fuzz/corpus/<target>/`)
//! and regression inputs (`fuzz/artifacts/<target>/`) through the very
//! check functions the fuzzer runs, so `cargo test` needs no nightly
//! toolchain to hold every past finding fixed.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// The files of `dir`, sorted; none if it does not exist.
fn inputs(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

/// Inputs that once found a bug, kept in `fuzz/artifacts/<target>/`: a
/// replay fails if one goes missing.
const PAST_FINDINGS: &[(&str, &str)] = &[
    // 10,000 levels overflowed the stack of the recursive JSON reader, and
    // 100,000 '[' aborted the process.
    ("result", "deep-nesting-100k-arrays"),
    ("result", "deep-nesting-10k-objects"),
    ("cni_error", "deep-nesting-100k-arrays"),
    ("cni_error", "deep-nesting-10k-objects"),
    ("plugin_info", "deep-nesting-100k-arrays"),
    ("plugin_info", "deep-nesting-10k-objects"),
    ("decode_version", "deep-nesting-100k-arrays"),
    ("decode_version", "deep-nesting-10k-objects"),
    // The two Go quoters disagreed on format characters (U+0600, U+061C,
    // U+06DD, U+180E).
    ("go_quote", "format-characters"),
];

fn replay(target: &str) {
    let (_, check) = checks::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .expect("a known target");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = inputs(&root.join("corpus").join(target));
    assert!(!corpus.is_empty(), "no seed corpus for {target}");
    let artifacts = inputs(&root.join("artifacts").join(target));
    for (_, name) in PAST_FINDINGS.iter().filter(|(t, _)| *t == target) {
        assert!(
            artifacts
                .iter()
                .any(|p| p.file_name() == Some(name.as_ref())),
            "{target}: regression input {name} is not replayed"
        );
    }
    for file in corpus.iter().chain(&artifacts) {
        let data = std::fs::read(file).unwrap();
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", file.display());
    }
}

#[test]
fn every_target_has_a_replay_test() {
    let names: Vec<&str> = checks::TARGETS.iter().map(|(n, _)| *n).collect();
    let mut expected = vec![
        "decode_version",
        "result",
        "plugin_info",
        "args",
        "cni_error",
        "go_quote",
    ];
    // The C ABI's target needs the C ABI.
    if cfg!(feature = "capi") {
        expected.push("c_entry_points");
    }
    expected.extend(["conf_list", "cache_entry", "inject_conf"]);
    if cfg!(feature = "capi") {
        expected.push("c_netlist");
    }
    assert_eq!(names, expected);
    for name in names {
        let bin = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/fuzz_targets")
            .join(format!("{name}.rs"));
        assert!(bin.is_file(), "missing fuzz target {}", bin.display());
    }
}

#[test]
fn decode_version_corpus() {
    replay("decode_version");
}

#[test]
fn result_corpus() {
    replay("result");
}

#[test]
fn plugin_info_corpus() {
    replay("plugin_info");
}

#[test]
fn args_corpus() {
    replay("args");
}

#[test]
fn cni_error_corpus() {
    replay("cni_error");
}

#[test]
fn go_quote_corpus() {
    replay("go_quote");
}

#[cfg(feature = "capi")]
#[test]
fn c_entry_points_corpus() {
    replay("c_entry_points");
}

#[test]
fn conf_list_corpus() {
    replay("conf_list");
}

#[test]
fn cache_entry_corpus() {
    replay("cache_entry");
}

#[test]
fn inject_conf_corpus() {
    replay("inject_conf");
}

#[cfg(feature = "capi")]
#[test]
fn c_netlist_corpus() {
    replay("c_netlist");
}
