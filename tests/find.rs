//! Finding plugins on a search path, with upstream's error texts.

mod common;

use cniinvoke::{find_in_path, Error, EXECUTABLE_FILE_EXTENSIONS};
use std::os::unix::fs::PermissionsExt;

#[test]
fn extensions_on_unix() {
    assert_eq!(EXECUTABLE_FILE_EXTENSIONS, [""]);
}

#[test]
fn errors_word_for_word() {
    let none: [&str; 0] = [];
    assert_eq!(
        find_in_path("", &["/a"]).unwrap_err(),
        Error::InvalidArgument("no plugin name provided".into())
    );
    assert_eq!(
        find_in_path("sub/plugin", &["/a"]).unwrap_err(),
        Error::InvalidArgument("invalid plugin name: sub/plugin".into())
    );
    assert_eq!(
        find_in_path("bridge", &none).unwrap_err(),
        Error::InvalidArgument("no paths provided".into())
    );
    assert_eq!(
        find_in_path("bridge", &["/nope/a", "/nope/b"]).unwrap_err(),
        Error::NotFound(r#"failed to find plugin "bridge" in path [/nope/a /nope/b]"#.into())
    );
}

#[test]
fn first_regular_file_in_path_order() {
    let a = common::tempdir();
    let b = common::tempdir();
    let c = common::tempdir();
    // In a: a directory of that name, which does not count.
    std::fs::create_dir(a.path().join("plug")).unwrap();
    for d in [&b, &c] {
        let p = d.path().join("plug");
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let dirs = [
        a.path().to_str().unwrap().to_string() + "/",
        b.path().to_str().unwrap().to_string() + "//",
        c.path().to_str().unwrap().to_string(),
    ];
    let found = find_in_path("plug", &dirs).unwrap();
    // Joined and cleaned like Go's filepath.Join.
    assert_eq!(found, format!("{}/plug", b.path().display()));
}

#[test]
fn non_executable_regular_files_are_found_too() {
    // Upstream only checks for a regular file; running it then fails.
    let a = common::tempdir();
    std::fs::write(a.path().join("plain"), "x").unwrap();
    assert!(find_in_path("plain", &[a.path().to_str().unwrap()]).is_ok());
}
