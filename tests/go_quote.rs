//! A failed plugin's undecodable stdout is quoted in the error exactly as
//! Go's `%q` quotes it, and the JSON error after it is Go's too. The
//! expected texts were printed by Go 1.26 running upstream's format
//! (`netplugin failed but error parsing its diagnostic message %q: %v`
//! over `json.Unmarshal`'s error) on these very bytes; the code points
//! chosen have kept their printability across Unicode versions.

mod common;

use cniinvoke::{Context, Error};
use std::os::unix::fs::PermissionsExt;

/// (what the plugin prints on stdout before exiting 1, the error message).
const CASES: &[(&[u8], &str)] = &[
    (
        b"\x01\x1b[31mred\x1b[0m\xff\xfe",
        r#"netplugin failed but error parsing its diagnostic message "\x01\x1b[31mred\x1b[0m\xff\xfe": invalid character '\x01' looking for beginning of value"#,
    ),
    (
        b"\x00\x07\x08\x0c\x0b\x7f",
        r#"netplugin failed but error parsing its diagnostic message "\x00\a\b\f\v\x7f": invalid character '\x00' looking for beginning of value"#,
    ),
    (
        b"quote \x22 and backslash \x5c and tab\x09 and cr\x0d\x0a",
        r#"netplugin failed but error parsing its diagnostic message "quote \" and backslash \\ and tab\t and cr\r\n": invalid character 'q' looking for beginning of value"#,
    ),
    (
        b"unicode: h\xc3\xa9llo \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
        r#"netplugin failed but error parsing its diagnostic message "unicode: héllo ✓ 日本 😀": invalid character 'u' looking for beginning of value"#,
    ),
    (
        b"\xe2\x80\xa8 \xe2\x80\xa9 \xc2\xa0 \xe2\x80\x8b \xef\xbb\xbf \xc2\xad",
        r#"netplugin failed but error parsing its diagnostic message "\u2028 \u2029 \u00a0 \u200b \ufeff \u00ad": invalid character 'â' looking for beginning of value"#,
    ),
    (
        b"\xc2\x85 \xc2\x9f \xe3\x80\x80 \xe2\x81\x9f \xef\xbf\xbd \xef\xbf\xbe",
        r#"netplugin failed but error parsing its diagnostic message "\u0085 \u009f \u3000 \u205f � \ufffe": invalid character 'Â' looking for beginning of value"#,
    ),
    (
        b"\x80 \xc3 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf",
        r#"netplugin failed but error parsing its diagnostic message "\x80 \xc3 \xed\xa0\x80 \xf4\x90\x80\x80 \xc0\xaf": invalid character '\u0080' looking for beginning of value"#,
    ),
    (
        b"\xd8\x80\xd8\x9c\xdb\x9d\xe1\xa0\x8e",
        r#"netplugin failed but error parsing its diagnostic message "\u0600\u061c\u06dd\u180e": invalid character 'Ø' looking for beginning of value"#,
    ),
    (
        b"\xf3\xa0\x80\x81 \xf4\x8f\xbf\xbf \xf3\xb0\x80\x80 \xee\x80\x80",
        r#"netplugin failed but error parsing its diagnostic message "\U000e0001 \U0010ffff \U000f0000 \ue000": invalid character 'ó' looking for beginning of value"#,
    ),
    (
        b"\xcd\xb8 \xce\x80",
        r#"netplugin failed but error parsing its diagnostic message "\u0378 \u0380": invalid character 'Í' looking for beginning of value"#,
    ),
];

/// The message of the error a plugin printing `stdout` and exiting 1 gets.
fn message_for(stdout: &[u8]) -> String {
    let dir = common::tempdir();
    let out = dir.path().join("stdout.bin");
    std::fs::write(&out, stdout).unwrap();
    let script = dir.path().join("plugin");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncat '{}'\nexit 1\n", out.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, PermissionsExt::from_mode(0o755)).unwrap();
    let r =
        common::quiet().exec_plugin(&Context::background(), script.to_str().unwrap(), b"", None);
    match r {
        Err(Error::Plugin(e)) => {
            assert_eq!((e.code, e.details.as_str()), (0, ""), "{e:?}");
            e.msg
        }
        other => panic!("expected a plugin error, got {other:?}"),
    }
}

#[test]
fn undecodable_stdout_is_quoted_like_go() {
    let mut wrong = Vec::new();
    for (stdout, want) in CASES {
        let got = message_for(stdout);
        if got != *want {
            wrong.push(format!("  got:  {got}\n  want: {want}"));
        }
    }
    assert!(wrong.is_empty(), "differs from Go:\n{}", wrong.join("\n"));
}
