//! The command line's man pages and shell completions, used as a person
//! would: pages rendered by `man -l` and found by `man` after `make
//! install`, the bash completion sourced into a real bash and asked to
//! complete, the zsh and fish scripts checked by their shells where those
//! are installed.

mod common;

use std::path::Path;
use std::process::Command;

fn cniinvoke() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cniinvoke"))
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().expect("running the command");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool} >/dev/null")])
        .status()
        .is_ok_and(|s| s.success())
}

/// `man` is required where `make deps` installs it (root); elsewhere a
/// missing `man` skips, saying so.
fn man_available() -> bool {
    if have("man") {
        return true;
    }
    assert!(
        std::env::var("CNI_REQUIRE_REAL_PLUGINS").as_deref() != Ok("1"),
        "man is missing (make deps installs man-db)"
    );
    eprintln!("SKIPPED: no man on this machine");
    false
}

/// The page of `cniinvoke net add`, rendered by man as plain text.
fn render(page: &Path) -> String {
    stdout_of(
        Command::new("man")
            .arg("-l")
            .arg(page)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .env("LC_ALL", "C.UTF-8"),
    )
}

#[test]
fn man_pages_for_every_command_render() {
    if !man_available() {
        return;
    }
    let dir = common::tempdir();
    stdout_of(cniinvoke().arg("man").arg("--out-dir").arg(dir.path()));
    for page in [
        "cniinvoke.1",
        "cniinvoke-add.1",
        "cniinvoke-net.1",
        "cniinvoke-net-add.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page} not written");
    }
    let top = render(&dir.path().join("cniinvoke.1"));
    assert!(top.contains("cniinvoke-net(1)"), "{top}");
    assert!(top.contains("interrupted by Ctrl-C"), "{top}");
    let add = render(&dir.path().join("cniinvoke-net-add.1"));
    assert!(add.contains("NETNS"), "{add}");
    assert!(
        add.contains("cniinvoke net add mynet"),
        "the example is missing: {add}"
    );
    // Without --out-dir the top page goes to stdout.
    let printed = stdout_of(cniinvoke().arg("man"));
    assert!(printed.contains(".TH cniinvoke 1"), "{printed}");
    assert!(printed.contains("cniinvoke\\-net(1)"), "{printed}");
}

/// What bash's programmable completion offers for `words` (the last one
/// being completed).
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let probe = format!(
        "source {script}\n\
         COMP_WORDS=({line})\n\
         COMP_CWORD={cword}\n\
         COMP_LINE='{line}'\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         _cniinvoke cniinvoke '{last}' '{prev}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script = script.display(),
        cword = words.len() - 1,
        last = words[words.len() - 1],
        prev = words[words.len() - 2],
    );
    stdout_of(Command::new("bash").arg("--norc").arg("-c").arg(probe))
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completion_completes_commands_and_subcommands() {
    let dir = common::tempdir();
    let script = dir.path().join("cniinvoke.bash");
    std::fs::write(
        &script,
        stdout_of(cniinvoke().args(["completions", "bash"])),
    )
    .unwrap();
    let top = bash_complete(&script, &["cniinvoke", "ne"]);
    assert_eq!(top, ["net"], "{top:?}");
    let net = bash_complete(&script, &["cniinvoke", "net", "a"]);
    assert!(net.contains(&"add".to_string()), "{net:?}");
    assert!(net.contains(&"attachments".to_string()), "{net:?}");
    let opts = bash_complete(&script, &["cniinvoke", "net", "add", "--cache"]);
    assert_eq!(opts, ["--cache-dir"], "{opts:?}");
}

#[test]
fn zsh_and_fish_completions_are_valid_scripts() {
    for (shell, check) in [("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])] {
        let script = stdout_of(cniinvoke().args(["completions", shell]));
        assert!(script.contains("attachments"), "{shell}: {script}");
        if !have(check[0]) {
            eprintln!("{shell} is not installed: its script's syntax is not checked");
            continue;
        }
        let dir = common::tempdir();
        let file = dir.path().join(format!("cniinvoke.{shell}"));
        std::fs::write(&file, script).unwrap();
        stdout_of(Command::new(check[0]).arg(check[1]).arg(&file));
    }
}

#[test]
fn make_install_puts_pages_and_completions_where_man_and_shells_look() {
    if !man_available() {
        return;
    }
    let prefix = common::tempdir();
    let root = env!("CARGO_MANIFEST_DIR");
    let target = Path::new(env!("CARGO_BIN_EXE_cniinvoke"))
        .ancestors()
        .nth(2)
        .unwrap()
        .to_path_buf();
    let out = Command::new("make")
        .arg("-C")
        .arg(root)
        .arg("--no-print-directory")
        .arg("install-cli")
        .arg(format!("PREFIX={}", prefix.path().display()))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make install-cli: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let p = prefix.path();
    assert!(p.join("bin/cniinvoke").is_file());
    for f in [
        "share/bash-completion/completions/cniinvoke",
        "share/zsh/site-functions/_cniinvoke",
        "share/fish/vendor_completions.d/cniinvoke.fish",
    ] {
        assert!(p.join(f).is_file(), "{f} not installed");
    }
    let page = stdout_of(
        Command::new("man")
            .arg("-M")
            .arg(p.join("share/man"))
            .arg("cniinvoke-net-gc")
            .env("MANPAGER", "cat")
            .env("LC_ALL", "C.UTF-8"),
    );
    assert!(page.contains("--keep"), "{page}");
}
