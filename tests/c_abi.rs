//! The C ABI exercised the way a C or C++ user does: the C programs in
//! tests/c are compiled with the system C compiler against the library
//! cargo built (target/<profile>/libcniinvoke.{so,a}) and run with the
//! test plugin (tests/plugin) named in `CNI_TEST_PLUGIN`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `target/<profile>`: where cargo put this test binary's library.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    // target/<profile>/deps/c_abi-<hash>
    exe.parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// A directory holding `libcniinvoke.so`, `libcniinvoke.so.0` (the soname
/// the programs load) and `libcniinvoke.a`, as links to what cargo built.
fn lib_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // `cargo test` builds the cdylib and staticlib into deps/ (only
        // `cargo build` copies them up a level).
        let built = profile_dir().join("deps");
        let dir = profile_dir().join("c-abi-lib");
        std::fs::create_dir_all(&dir).expect("creating c-abi-lib");
        for (link, target) in [
            ("libcniinvoke.so", "libcniinvoke.so"),
            ("libcniinvoke.so.0", "libcniinvoke.so"),
            ("libcniinvoke.a", "libcniinvoke.a"),
        ] {
            let target = built.join(target);
            assert!(
                target.is_file(),
                "{} missing: cargo builds it with the crate's cdylib/staticlib types",
                target.display()
            );
            let link = dir.join(link);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&target, &link).expect("linking the library");
        }
        dir
    })
}

/// The test plugin: `CNI_TEST_PLUGIN` if set, else built with cargo into
/// this target directory.
fn plugin() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        if let Ok(p) = std::env::var("CNI_TEST_PLUGIN") {
            if !p.is_empty() {
                return p;
            }
        }
        let target = profile_dir().parent().expect("target dir").to_path_buf();
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "cni-test-plugin"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(ROOT)
            .status()
            .expect("running cargo to build the test plugin");
        assert!(status.success(), "building the test plugin failed");
        let bin = target.join("debug/cni-test-plugin");
        assert!(bin.is_file(), "test plugin missing at {}", bin.display());
        bin.to_string_lossy().into_owned()
    })
}

/// Scratch space under the target directory, one per test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = profile_dir()
            .join("c-abi-tests")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creating scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Whether src/types is still the temporary stub (REAL-TYPES assertions in
/// the C tests are skipped then).
fn types_stub() -> bool {
    std::fs::read_to_string(Path::new(ROOT).join("src/types/mod.rs"))
        .map(|s| s.contains("TEMP until the types branch lands"))
        .unwrap_or(false)
}

enum Link {
    Shared,
    Static,
}

/// Compile tests/c/`source` into the scratch dir.
fn compile(scratch: &Scratch, source: &str, link: Link) -> PathBuf {
    let lib = lib_dir();
    let src = Path::new(ROOT).join("tests/c").join(source);
    let cpp = source.ends_with(".cpp");
    let exe = scratch.0.join(source.replace('.', "_"));
    let mut cmd = Command::new(if cpp { "c++" } else { "cc" });
    cmd.arg(if cpp { "-std=c++17" } else { "-std=c11" })
        .args(["-Wall", "-Wextra", "-Werror", "-g", "-pthread"])
        .arg(format!("-I{ROOT}/include"))
        .arg(format!("-I{ROOT}/tests/c"))
        .arg(&src)
        .arg("-o")
        .arg(&exe);
    match link {
        Link::Shared => {
            cmd.arg(format!("-L{}", lib.display()))
                .arg(format!("-Wl,-rpath,{}", lib.display()))
                .arg("-lcniinvoke");
        }
        Link::Static => {
            cmd.arg(lib.join("libcniinvoke.a"))
                .args(["-ldl", "-lm", "-lrt"]);
        }
    }
    let out = cmd.output().expect("running the C compiler");
    assert!(
        out.status.success(),
        "compiling {source} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

fn test_command(scratch: &Scratch, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("CNI_TEST_PLUGIN", plugin())
        .env("CNI_TYPES_STUB", if types_stub() { "1" } else { "0" })
        .env("CNI_EXPECT_VERSION", env!("CARGO_PKG_VERSION"))
        .env("TMPDIR", &scratch.0)
        .env_remove("CNI_PATH")
        .env_remove("CNI_ARGS")
        .env_remove("CNI_COMMAND")
        .env_remove("CNI_TEST_PLUGIN_DEBUG");
    cmd
}

fn check(what: &str, out: Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}");
    eprint!("{stderr}");
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
}

/// Compile and run one C test program.
fn run_c(source: &str, link: Link) {
    let scratch = Scratch::new(source);
    let exe = compile(&scratch, source, link);
    let out = test_command(&scratch, &exe)
        .output()
        .expect("running the C test");
    check(source, out);
}

#[test]
fn c_api_every_function() {
    run_c("api.c", Link::Shared);
}

#[test]
fn c_custom_exec() {
    run_c("custom_exec.c", Link::Shared);
}

#[test]
fn c_cancel_deadline_threads_no_leaks() {
    run_c("concurrency.c", Link::Shared);
}

#[test]
fn c_host_with_default_sigpipe_survives_plugin_not_reading_stdin() {
    run_c("sigpipe.c", Link::Shared);
}

#[test]
fn c_static_library_links_and_runs() {
    run_c("custom_exec.c", Link::Static);
}

/// The committed include/cniinvoke.h is what build.rs generates.
#[test]
fn committed_header_is_current() {
    let fresh_path = Path::new(env!("OUT_DIR")).join("cniinvoke.h");
    let fresh = std::fs::read_to_string(&fresh_path)
        .unwrap_or_else(|e| panic!("{} (written by build.rs): {e}", fresh_path.display()));
    let work_tree = std::fs::read_to_string(Path::new(ROOT).join("include/cniinvoke.h"))
        .expect("reading include/cniinvoke.h");
    assert_eq!(
        work_tree, fresh,
        "include/cniinvoke.h differs from the generated header"
    );
    // build.rs refreshes the work-tree copy, so compare with what git has
    // (the index: committed or about to be).
    let git = Command::new("git")
        .args(["show", ":include/cniinvoke.h"])
        .current_dir(ROOT)
        .output();
    match git {
        Ok(out) if out.status.success() => assert!(
            String::from_utf8_lossy(&out.stdout) == fresh,
            "include/cniinvoke.h in git is stale: build.rs regenerated it; \
             review and commit the new include/cniinvoke.h"
        ),
        _ => eprintln!("not a git checkout: compared the work-tree header only"),
    }
}

/// Exported functions declared in the header, in order.
fn header_functions() -> Vec<String> {
    let header = std::fs::read_to_string(Path::new(ROOT).join("include/cniinvoke.h")).unwrap();
    let mut names = Vec::new();
    for line in header.lines() {
        if line.starts_with(' ') || line.starts_with('*') || line.starts_with('/') {
            continue;
        }
        if let Some(open) = line.find('(') {
            let head = &line[..open];
            if let Some(name) = head.rsplit([' ', '*']).next() {
                if name.starts_with("cni_") {
                    names.push(name.to_string());
                }
            }
        }
    }
    names
}

/// libcniinvoke.so exports the header's functions and nothing else, and
/// carries the soname libcniinvoke.so.0.
#[test]
fn shared_library_exports_only_the_c_abi() {
    let so = lib_dir().join("libcniinvoke.so");
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&so)
        .output()
        .expect("running nm");
    assert!(out.status.success(), "nm failed");
    let mut exported: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect();
    exported.sort();
    let bad: Vec<&String> = exported.iter().filter(|s| !s.starts_with("cni_")).collect();
    assert!(bad.is_empty(), "symbols outside cni_*: {bad:?}");
    let mut declared = header_functions();
    declared.sort();
    assert!(declared.len() >= 30, "header functions: {declared:?}");
    assert_eq!(exported, declared, "exports vs header declarations");

    let out = Command::new("objdump")
        .arg("-p")
        .arg(&so)
        .output()
        .expect("running objdump");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["SONAME", "libcniinvoke.so.0"]),
        "soname libcniinvoke.so.0 missing:\n{text}"
    );
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The C tests under valgrind memcheck: no invalid access, no leak.
#[test]
fn c_tests_are_clean_under_valgrind() {
    if !have("valgrind") {
        eprintln!("SKIPPED: valgrind is not installed (apt-get install valgrind)");
        return;
    }
    for source in ["api.c", "custom_exec.c"] {
        let scratch = Scratch::new(&format!("valgrind-{source}"));
        let exe = compile(&scratch, source, Link::Shared);
        let out = test_command(&scratch, "valgrind")
            .env("CNI_UNDER_VALGRIND", "1")
            .args([
                "--error-exitcode=1",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect,possible",
                "--quiet",
            ])
            .arg(&exe)
            .output()
            .expect("running valgrind");
        check(&format!("{source} under valgrind"), out);
    }
}

#[test]
fn cpp_wrapper() {
    run_c("wrapper.cpp", Link::Shared);
}
