//! Loading configurations from files and directories (upstream
//! `ConfFiles`, `NetworkConfFromFile`, `NetworkPluginConfsFromFiles`,
//! `LoadConf`, `LoadNetworkConf`): sorting rules, sub-plugin directories,
//! `loadOnlyInlinedPlugins`, and upstream's error texts and categories.

mod common;

use std::path::{Path, PathBuf};

use cniinvoke::libcni;
use cniinvoke::{Error, Status};

/// Write `files` under `root` (a trailing `/` makes a directory).
fn populate(root: &Path, files: &[(&str, &str)]) {
    for (rel, content) in files {
        if let Some(dir) = rel.strip_suffix('/') {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            continue;
        }
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
}

fn names(files: &[PathBuf], root: &Path) -> Vec<String> {
    files
        .iter()
        .map(|f| f.strip_prefix(root).unwrap().to_string_lossy().into_owned())
        .collect()
}

fn types(l: &libcni::NetworkConfigList) -> Vec<&str> {
    l.plugins.iter().map(|p| p.network.type_.as_str()).collect()
}

#[test]
fn conf_files_rules() {
    let tmp = common::tempdir();
    let root = tmp.path();
    populate(
        root,
        &[
            ("b.conf", ""),
            ("a.json", ""),
            ("c.conflist", ""),
            (".conf", ""),
            ("x.CONF", ""),
            ("noext", ""),
            ("dir.conf/", ""),
        ],
    );
    std::os::unix::fs::symlink("b.conf", root.join("0-link.conf")).unwrap();
    let files = libcni::conf_files(root, &[".conf", ".json"]).unwrap();
    // Name order, directories skipped, symlinks and `.conf` itself kept,
    // extensions matched exactly.
    assert_eq!(
        names(&files, root),
        [".conf", "0-link.conf", "a.json", "b.conf"]
    );
    // One entry per matching extension, as upstream.
    let twice = libcni::conf_files(root, &[".json", ".json"]).unwrap();
    assert_eq!(names(&twice, root), ["a.json", "a.json"]);
    assert_eq!(
        names(&libcni::conf_files(root, &[""]).unwrap(), root),
        ["noext"]
    );
    // Paths are joined and cleaned as Go's filepath.Join does.
    let messy = PathBuf::from(format!("{}//./", root.display()));
    assert_eq!(
        libcni::conf_files(&messy, &[".conflist"]).unwrap(),
        [root.join("c.conflist")]
    );
    // A missing directory has no files; a file is not a directory.
    assert!(libcni::conf_files(&root.join("missing"), &[".conf"])
        .unwrap()
        .is_empty());
    let file = root.join("b.conf");
    assert_eq!(
        libcni::conf_files(&file, &[".conf"]).unwrap_err(),
        Error::Io(format!("open {}: not a directory", file.display()))
    );
}

#[test]
fn list_file_with_sub_plugins() {
    let tmp = common::tempdir();
    let root = tmp.path();
    populate(
        root,
        &[
            (
                "net.conflist",
                r#"{"name":"net","plugins":[{"type":"inline"}]}"#,
            ),
            ("net/20-b.conf", r#"{"type":"second"}"#),
            ("net/10-a.conf", r#"{"type":"first"}"#),
            ("net/skip.json", r#"{"type":"not-a-conf"}"#),
            ("net/sub.conf/", ""),
            (
                "only.conflist",
                r#"{"name":"net","loadOnlyInlinedPlugins":"True","plugins":[{"type":"inline"}]}"#,
            ),
            ("dironly.conflist", r#"{"name":"net"}"#),
        ],
    );
    let l = libcni::network_conf_from_file(&root.join("net.conflist")).unwrap();
    assert_eq!(types(&l), ["inline", "first", "second"]);
    // The list's bytes are the file's; the sub-plugins keep their own.
    assert_eq!(l.bytes, std::fs::read(root.join("net.conflist")).unwrap());
    assert_eq!(l.plugins[1].bytes, br#"{"type":"first"}"#);
    let l = libcni::conf_list_from_file(&root.join("only.conflist")).unwrap();
    assert_eq!(types(&l), ["inline"]);
    let l = libcni::conf_list_from_file(&root.join("dironly.conflist")).unwrap();
    assert_eq!(types(&l), ["first", "second"]);
    let subs = libcni::network_plugin_confs_from_files(root, "net").unwrap();
    assert_eq!(subs.len(), 2);
    assert!(libcni::network_plugin_confs_from_files(root, "none")
        .unwrap()
        .is_empty());
}

#[test]
fn list_file_errors() {
    let tmp = common::tempdir();
    let root = tmp.path();
    populate(
        root,
        &[
            ("empty.conflist", r#"{"name":"empty"}"#),
            (
                "inlined.conflist",
                r#"{"name":"empty","loadOnlyInlinedPlugins":true}"#,
            ),
            ("filedir.conflist", r#"{"name":"filedir"}"#),
            ("filedir", ""),
            ("bad.conflist", r#"{"name":"bad"}"#),
            ("bad/1.conf", r#"{"type":1}"#),
            ("broken.conflist", "{"),
        ],
    );
    let d = root.display();
    let err = |f: &str| libcni::network_conf_from_file(&root.join(f)).unwrap_err();
    assert_eq!(
        err("empty.conflist"),
        Error::Decode("no plugin configs found".into())
    );
    assert_eq!(
        err("inlined.conflist"),
        Error::Decode(
            "error parsing configuration list: `loadOnlyInlinedPlugins` is true, and no 'plugins' key"
                .into()
        )
    );
    assert_eq!(
        err("filedir.conflist"),
        Error::Io(format!(
            "failed to read plugin config files in {d}/filedir: open {d}/filedir: not a directory"
        ))
    );
    assert_eq!(
        err("bad.conflist"),
        Error::Decode(
            "error parsing configuration: json: cannot unmarshal number into Go struct field PluginConf.type of type string"
                .into()
        )
    );
    assert_eq!(
        err("broken.conflist"),
        Error::Decode("error parsing configuration list: unexpected end of JSON input".into())
    );
    let missing = err("missing.conflist");
    assert_eq!(
        missing,
        Error::Io(format!(
            "error reading {d}/missing.conflist: open {d}/missing.conflist: no such file or directory"
        ))
    );
    assert_eq!(missing.status(), Status::Io);
    assert_eq!(
        libcni::conf_from_file(root).unwrap_err(),
        Error::Io(format!("error reading {d}: read {d}: is a directory"))
    );
    assert_eq!(
        libcni::conf_from_file(&root.join("bad/1.conf")).unwrap_err(),
        Error::Decode(
            "error parsing configuration: json: cannot unmarshal number into Go struct field PluginConf.type of type string"
                .into()
        )
    );
}

#[test]
fn load_conf_rules() {
    let tmp = common::tempdir();
    let root = tmp.path();
    populate(
        root,
        &[
            ("20-b.conf", r#"{"name":"dup","type":"from-conf"}"#),
            ("10-a.json", r#"{"name":"dup","type":"from-json"}"#),
            ("30-c.conf", r#"{"name":"late","type":"t"}"#),
            (
                "list.conflist",
                r#"{"name":"late","plugins":[{"type":"ignored"}]}"#,
            ),
        ],
    );
    // `.conf` and `.json` sorted together; the first of a name wins.
    let c = libcni::load_conf(root, "dup").unwrap();
    assert_eq!(c.network.type_, "from-json");
    assert_eq!(libcni::load_conf(root, "late").unwrap().network.type_, "t");
    let missing = libcni::load_conf(root, "missing").unwrap_err();
    assert_eq!(
        missing.to_string(),
        format!(
            r#"no net configuration with name "missing" in {}"#,
            root.display()
        )
    );
    assert_eq!(missing.status(), Status::NotFound);
    let empty = root.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let none = libcni::load_conf(&empty, "x").unwrap_err();
    assert_eq!(
        none,
        Error::ConfigNotFound {
            dir: empty.display().to_string(),
            name: None
        }
    );
    assert_eq!(
        none.to_string(),
        format!("no net configurations found in {}", empty.display())
    );
    // A file that fails stops the search, even before a match.
    std::fs::write(root.join("05-broken.conf"), "{").unwrap();
    assert_eq!(
        libcni::load_conf(root, "dup").unwrap_err(),
        Error::Decode("error parsing configuration: unexpected end of JSON input".into())
    );
}

#[test]
fn load_network_conf_rules() {
    let tmp = common::tempdir();
    let root = tmp.path();
    populate(
        root,
        &[
            // A .conf that sorts first loses to any .conflist of the name.
            (
                "00-net.conf",
                r#"{"name":"net","cniVersion":"0.4.0","type":"from-conf"}"#,
            ),
            (
                "20-net.conflist",
                r#"{"name":"net","plugins":[{"type":"second-list"}]}"#,
            ),
            (
                "10-net.conflist",
                r#"{"name":"net","plugins":[{"type":"first-list"}]}"#,
            ),
            (
                "30-solo.json",
                r#"{"name":"solo","cniVersion":"0.3.1","type":"single","z":1.0}"#,
            ),
        ],
    );
    let l = libcni::load_network_conf(root, "net").unwrap();
    assert_eq!(types(&l), ["first-list"]);
    // Not in a list: the single configuration, upconverted.
    let l = libcni::load_conf_list(root, "solo").unwrap();
    assert_eq!((l.name.as_str(), l.cni_version.as_str()), ("solo", "0.3.1"));
    assert_eq!(types(&l), ["single"]);
    assert_eq!(
        l.bytes,
        br#"{"cniVersion":"0.3.1","name":"solo","plugins":[{"cniVersion":"0.3.1","name":"solo","type":"single","z":1}]}"#
    );
    assert_eq!(
        libcni::load_network_conf(root, "missing").unwrap_err(),
        Error::ConfigNotFound {
            dir: root.display().to_string(),
            name: Some("missing".into())
        }
    );

    // Lists but no single configurations: "not found" with the name.
    let lists = root.join("lists");
    populate(
        &lists,
        &[("a.conflist", r#"{"name":"a","plugins":[{"type":"t"}]}"#)],
    );
    assert_eq!(
        libcni::load_network_conf(&lists, "b")
            .unwrap_err()
            .to_string(),
        format!(
            r#"no net configuration with name "b" in {}"#,
            lists.display()
        )
    );
    // Nothing at all, or no directory: "no configurations".
    std::fs::create_dir(root.join("nothing")).unwrap();
    for dir in [root.join("nothing"), root.join("absent")] {
        assert_eq!(
            libcni::load_network_conf(&dir, "x")
                .unwrap_err()
                .to_string(),
            format!("no net configurations found in {}", dir.display())
        );
    }
    // A list that fails to load stops the search.
    std::fs::write(root.join("05-bad.conflist"), r#"{"name":"bad"}"#).unwrap();
    assert_eq!(
        libcni::load_network_conf(root, "net").unwrap_err(),
        Error::Decode("no plugin configs found".into())
    );
}
