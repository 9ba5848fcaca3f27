//! The C ABI exercised the way a C or C++ user does: the C programs in
//! tests/c are compiled with the system C compiler against the library
//! cargo built (target/<profile>/libcniinvoke.{so,a}) and run with the
//! test plugin (tests/plugin) named in `CNI_TEST_PLUGIN`.

mod common;

use common::plugin;
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

#[derive(Clone, Copy)]
enum Link {
    Shared,
    Static,
}

/// Which compiler builds a C test program.
#[derive(Clone, Copy, PartialEq)]
enum Toolchain {
    /// The system's `cc` / `c++`.
    System,
    /// clang / clang++ with AddressSanitizer (LeakSanitizer included) and
    /// UndefinedBehaviorSanitizer instrumenting the C code; the library is
    /// linked as cargo built it.
    Sanitized,
}

/// The compiler flags of [`Toolchain::Sanitized`].
const SANITIZE_FLAGS: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
    "-O1",
];

/// Compile tests/c/`source` (or `source` relative to the repository root
/// when it holds a `/`) into the scratch dir.
fn compile(scratch: &Scratch, source: &str, link: Link) -> PathBuf {
    compile_with(scratch, source, link, Toolchain::System)
}

fn compile_with(scratch: &Scratch, source: &str, link: Link, toolchain: Toolchain) -> PathBuf {
    let lib = lib_dir();
    let src = if source.contains('/') {
        Path::new(ROOT).join(source)
    } else {
        Path::new(ROOT).join("tests/c").join(source)
    };
    let cpp = source.ends_with(".cpp");
    let exe = scratch.0.join(source.replace(['.', '/'], "_"));
    let compiler = match (toolchain, cpp) {
        (Toolchain::System, false) => "cc",
        (Toolchain::System, true) => "c++",
        (Toolchain::Sanitized, false) => "clang",
        (Toolchain::Sanitized, true) => "clang++",
    };
    let mut cmd = Command::new(compiler);
    cmd.arg(if cpp { "-std=c++17" } else { "-std=c11" })
        .args(["-Wall", "-Wextra", "-Werror", "-g", "-pthread"])
        .arg(format!("-I{ROOT}/include"))
        .arg(format!("-I{ROOT}/tests/c"))
        .arg(&src)
        .arg("-o")
        .arg(&exe);
    if toolchain == Toolchain::Sanitized {
        cmd.args(SANITIZE_FLAGS);
    }
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
        "compiling {source} with {compiler} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

fn test_command(scratch: &Scratch, program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("CNI_TEST_PLUGIN", plugin())
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
    let kind = match link {
        Link::Shared => "shared",
        Link::Static => "static",
    };
    let scratch = Scratch::new(&format!("{source}-{kind}"));
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
fn c_real_plugins_bridge_and_error() {
    run_c("real_plugins.c", Link::Shared);
}

#[test]
fn c_exec_plugin_raw_stdout_and_explicit_environ() {
    run_c("exec_plugin.c", Link::Shared);
}

#[test]
fn c_real_plugins_network_list() {
    run_c("real_netlist.c", Link::Shared);
}

#[test]
fn c_network_lists() {
    run_c("netlist.c", Link::Shared);
}

#[test]
fn c_network_lists_as_parts() {
    run_c("parts.c", Link::Shared);
}

#[test]
fn c_log_callback() {
    run_c("log.c", Link::Shared);
}

#[test]
fn c_network_lists_from_many_threads() {
    run_c("netlist_threads.c", Link::Shared);
}

#[test]
fn c_custom_exec() {
    run_c("custom_exec.c", Link::Shared);
}

#[test]
fn c_setenv_churn_cannot_crash_calls_with_an_environment() {
    run_c("environ_churn.c", Link::Shared);
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

/// Every C and C++ test program (the example too), with how it is linked
/// and what it needs in its environment beyond [`test_command`]'s.
const PROGRAMS: &[(&str, Link)] = &[
    ("api.c", Link::Shared),
    ("concurrency.c", Link::Shared),
    ("custom_exec.c", Link::Shared),
    ("custom_exec.c", Link::Static),
    ("environ_churn.c", Link::Shared),
    ("exec_plugin.c", Link::Shared),
    ("log.c", Link::Shared),
    ("netlist.c", Link::Shared),
    ("netlist_threads.c", Link::Shared),
    ("parts.c", Link::Shared),
    ("real_netlist.c", Link::Shared),
    ("real_plugins.c", Link::Shared),
    ("sigpipe.c", Link::Shared),
    ("wrapper.cpp", Link::Shared),
    ("examples/c/demo.c", Link::Shared),
];

/// A program added to tests/c/ is run under valgrind and the sanitizers
/// too: it must be listed in [`PROGRAMS`].
#[test]
fn every_c_program_is_checked_under_valgrind_and_sanitizers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/c");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".c") || name.ends_with(".cpp") {
            assert!(
                PROGRAMS.iter().any(|(p, _)| *p == name),
                "tests/c/{name} is missing from PROGRAMS"
            );
        }
    }
}

/// The command that runs `exe` (built from `source`) as its test does:
/// the demo finds the plugin on CNI_PATH, the rest through CNI_TEST_PLUGIN.
fn program_command(scratch: &Scratch, source: &str, runner: Option<&str>, exe: &Path) -> Command {
    let mut cmd = match runner {
        Some(r) => test_command(scratch, r),
        None => test_command(scratch, exe),
    };
    if source.ends_with("demo.c") {
        let dir = Path::new(plugin()).parent().unwrap().to_path_buf();
        cmd.env_remove("CNI_TEST_PLUGIN")
            .env("CNI_PATH", format!("/nonexistent:{}", dir.display()));
    }
    cmd
}

/// Every C test program under valgrind memcheck: no invalid access, no
/// leak. Skipped without valgrind unless `CNI_REQUIRE_VALGRIND=1` (which
/// `make test` sets as root). real_plugins.c runs its bridge tests only as
/// root (it says SKIPPED otherwise, or fails under
/// `CNI_REQUIRE_REAL_PLUGINS=1`).
#[test]
fn c_tests_are_clean_under_valgrind() {
    if !have("valgrind") {
        common::skip_unless_required(
            "CNI_REQUIRE_VALGRIND",
            "valgrind is not installed (apt-get install valgrind)",
        );
        return;
    }
    // One at a time: valgrind runs a program's threads one by one, and the
    // machine is small.
    for &(source, link) in PROGRAMS.iter().filter(|(_, l)| matches!(l, Link::Shared)) {
        let scratch = Scratch::new(&format!("valgrind-{}", source.replace('/', "_")));
        let exe = compile(&scratch, source, link);
        let out = program_command(&scratch, source, Some("valgrind"), &exe)
            .env("CNI_UNDER_VALGRIND", "1")
            // Deadlines are checked against the clock: valgrind is slow.
            .env("CNI_TEST_SLACK_MS", "1000")
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

/// Why the sanitizer build cannot run here, if it cannot: clang missing,
/// its ASan/UBSan runtime (Debian's libclang-rt-N-dev) missing, or
/// LeakSanitizer unable to run (e.g. under ptrace).
fn sanitizers_unavailable(scratch: &Scratch) -> Option<String> {
    const INSTALL: &str = "apt-get install clang libclang-rt-14-dev";
    for tool in ["clang", "clang++"] {
        if !have(tool) {
            return Some(format!("{tool} is not installed ({INSTALL})"));
        }
    }
    let src = scratch.0.join("probe.c");
    let exe = scratch.0.join("probe");
    std::fs::write(&src, "int main(void) { return 0; }\n").expect("writing the probe");
    let out = Command::new("clang")
        .args(SANITIZE_FLAGS)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("running clang");
    if !out.status.success() {
        return Some(format!(
            "clang cannot link the sanitizer runtime ({INSTALL}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let out = Command::new(&exe)
        .env("ASAN_OPTIONS", ASAN_OPTIONS)
        .output()
        .expect("running the probe");
    if !out.status.success() {
        return Some(format!(
            "a sanitized program cannot run here ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    None
}

/// LeakSanitizer on (it is part of ASan on Linux x86_64), every report
/// fatal.
const ASAN_OPTIONS: &str = "detect_leaks=1:abort_on_error=1:strict_string_checks=1:\
                            detect_stack_use_after_return=1:check_initialization_order=1";
const UBSAN_OPTIONS: &str = "halt_on_error=1:print_stacktrace=1";

/// The C and C++ tests built with clang's AddressSanitizer, LeakSanitizer
/// and UndefinedBehaviorSanitizer: no report. Skipped when clang or its
/// sanitizer runtime is missing, unless `CNI_REQUIRE_SANITIZERS=1`.
#[test]
fn c_tests_are_clean_under_sanitizers() {
    let probe = Scratch::new("sanitizer-probe");
    if let Some(why) = sanitizers_unavailable(&probe) {
        common::skip_unless_required("CNI_REQUIRE_SANITIZERS", &why);
        return;
    }
    // Built and run side by side: each is single-threaded in the compiler.
    let failures: Vec<String> = std::thread::scope(|s| {
        let runs: Vec<_> = PROGRAMS
            .iter()
            .map(|&(source, link)| {
                s.spawn(move || {
                    let kind = match link {
                        Link::Shared => "shared",
                        Link::Static => "static",
                    };
                    let name = source.replace('/', "_");
                    let scratch = Scratch::new(&format!("sanitized-{name}-{kind}"));
                    let exe = compile_with(&scratch, source, link, Toolchain::Sanitized);
                    let out = program_command(&scratch, source, None, &exe)
                        .env("ASAN_OPTIONS", ASAN_OPTIONS)
                        .env("UBSAN_OPTIONS", UBSAN_OPTIONS)
                        // Nine programs at once on a small machine.
                        .env("CNI_TEST_SLACK_MS", "150")
                        .output()
                        .expect("running the sanitized C test");
                    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                    let reported = ["Sanitizer", "runtime error:"]
                        .iter()
                        .any(|w| stderr.contains(w));
                    if out.status.success() && !reported {
                        return None;
                    }
                    Some(format!(
                        "{source} ({kind}) under ASan/LSan/UBSan: {}\n--- stdout\n{}\n--- stderr\n{stderr}",
                        out.status,
                        String::from_utf8_lossy(&out.stdout)
                    ))
                })
            })
            .collect();
        runs.into_iter()
            .filter_map(|r| r.join().expect("sanitizer run panicked"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn cpp_wrapper() {
    run_c("wrapper.cpp", Link::Shared);
}

/// examples/c/demo.c finds the plugin on CNI_PATH and runs VERSION, ADD,
/// CHECK and DEL.
#[test]
fn c_demo_runs() {
    let scratch = Scratch::new("demo");
    let exe = compile(&scratch, "examples/c/demo.c", Link::Shared);
    let dir = Path::new(plugin()).parent().unwrap().to_path_buf();
    let out = test_command(&scratch, &exe)
        .env_remove("CNI_TEST_PLUGIN")
        .env("CNI_PATH", format!("/nonexistent:{}", dir.display()))
        .output()
        .expect("running the demo");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    check("demo", out);
    for want in [
        "plugin: ",
        "VERSION: {",
        "ADD: {",
        "10.1.2.3/24",
        "CHECK: ok",
        "DEL: ok",
    ] {
        assert!(text.contains(want), "demo output lacks {want:?}:\n{text}");
    }
}

/// `make install PREFIX=...`, then C and C++ programs outside the
/// repository built with `pkg-config --cflags --libs cniinvoke`, both
/// against the installed copy and against the build tree `make lib` leaves
/// (`cniinvoke-uninstalled.pc`), each run with no LD_LIBRARY_PATH: the
/// rpath both .pc files give finds the library.
#[test]
fn make_install_then_build_with_pkg_config() {
    for tool in ["make", "pkg-config", "cc", "c++", "readelf"] {
        if !have(tool) {
            common::skip_unless_required(
                "CNI_REQUIRE_PKGCONFIG",
                &format!("{tool} is not installed"),
            );
            return;
        }
    }
    let scratch = Scratch::new("install");
    let prefix = scratch.0.join("prefix");
    let target = profile_dir().parent().unwrap().to_path_buf();
    let out = Command::new("make")
        .arg("install")
        .arg(format!("PREFIX={}", prefix.display()))
        .arg(format!("CARGO={}", env!("CARGO")))
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(ROOT)
        .output()
        .expect("running make");
    check("make install", out);

    let lib = prefix.join("lib");
    let version = env!("CARGO_PKG_VERSION");
    for f in [
        format!("libcniinvoke.so.{version}"),
        "libcniinvoke.a".into(),
        "pkgconfig/cniinvoke.pc".into(),
    ] {
        assert!(lib.join(&f).is_file(), "{f} not installed");
    }
    let link = |dir: &Path, name: &str| std::fs::read_link(dir.join(name)).unwrap();
    assert_eq!(
        link(&lib, "libcniinvoke.so"),
        Path::new("libcniinvoke.so.0")
    );
    assert_eq!(
        link(&lib, "libcniinvoke.so.0"),
        PathBuf::from(format!("libcniinvoke.so.{version}"))
    );
    for h in ["cniinvoke.h", "cniinvoke.hpp"] {
        assert!(
            prefix.join("include").join(h).is_file(),
            "{h} not installed"
        );
    }
    pkg_config_build_and_run(&lib.join("pkgconfig"), &lib, "installed");

    // `make install` ran `make lib`: the build tree is usable as it is.
    let release = target.join("release");
    assert_eq!(
        link(&release, "libcniinvoke.so.0"),
        Path::new("libcniinvoke.so")
    );
    let uninstalled = release.join("pkgconfig");
    assert!(uninstalled.join("cniinvoke-uninstalled.pc").is_file());
    pkg_config_build_and_run(&uninstalled, &release, "uninstalled");
}

/// Build examples/c/demo.c and tests/c/wrapper.cpp, copied to a directory
/// outside the repository, with the flags pkg-config gives for
/// `cniinvoke` on `pc_path`; check they load libcniinvoke.so.0 from
/// `libdir` and run.
fn pkg_config_build_and_run(pc_path: &Path, libdir: &Path, what: &str) {
    let pkg_config = |arg: &str| {
        let out = Command::new("pkg-config")
            .args([arg, "cniinvoke"])
            .env("PKG_CONFIG_PATH", pc_path)
            .env_remove("PKG_CONFIG_LIBDIR")
            .env_remove("PKG_CONFIG_DISABLE_UNINSTALLED")
            .output()
            .expect("running pkg-config");
        assert!(out.status.success(), "pkg-config {arg} failed: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let libdir = libdir.canonicalize().unwrap();
    let found = Path::new(&pkg_config("--variable=libdir"))
        .canonicalize()
        .unwrap();
    assert_eq!(found, libdir, "pkg-config ({what}) names another libdir");
    let flags: Vec<String> = pkg_config("--cflags")
        .split_whitespace()
        .chain(pkg_config("--libs").split_whitespace())
        .map(str::to_string)
        .collect();
    assert!(flags.iter().any(|f| f == "-lcniinvoke"), "{flags:?}");

    let outside = tempfile::Builder::new()
        .prefix("cniinvoke-pkg-config")
        .tempdir_in(std::env::temp_dir())
        .unwrap();
    let scratch = Scratch::new(&format!("pkg-config-{what}"));
    for (compiler, std, source) in [
        ("cc", "-std=c11", "examples/c/demo.c"),
        ("c++", "-std=c++17", "tests/c/wrapper.cpp"),
    ] {
        let name = Path::new(source).file_name().unwrap();
        let copy = outside.path().join(name);
        std::fs::copy(Path::new(ROOT).join(source), &copy).unwrap();
        let exe = outside
            .path()
            .join(format!("{}.bin", name.to_string_lossy()));
        let out = Command::new(compiler)
            .args([std, "-Wall", "-Wextra", "-Werror", "-pthread"])
            .arg(&copy)
            .args(&flags)
            .arg("-o")
            .arg(&exe)
            .current_dir(outside.path())
            .output()
            .expect("running the compiler");
        check(&format!("compiling {source} with pkg-config ({what})"), out);
        let dynamic = Command::new("readelf")
            .arg("-d")
            .arg(&exe)
            .output()
            .unwrap();
        let dynamic = String::from_utf8_lossy(&dynamic.stdout).into_owned();
        assert!(
            dynamic.contains("[libcniinvoke.so.0]"),
            "{source} ({what}): NEEDED libcniinvoke.so.0 missing:\n{dynamic}"
        );
        let out = test_command(&scratch, &exe)
            .env_remove("LD_LIBRARY_PATH")
            .output()
            .expect("running the program");
        check(&format!("{source} against the {what} library"), out);
        let ldd = Command::new("ldd").arg(&exe).output().unwrap();
        let ldd = String::from_utf8_lossy(&ldd.stdout).into_owned();
        let loaded = format!(
            "libcniinvoke.so.0 => {}/libcniinvoke.so.0",
            libdir.display()
        );
        let real = |l: &str| {
            let p = l.split_whitespace().nth(2).unwrap_or_default();
            Path::new(p).canonicalize().ok()
        };
        let line = ldd
            .lines()
            .find(|l| l.contains("libcniinvoke.so.0"))
            .unwrap_or("");
        assert_eq!(
            real(line),
            libdir.join("libcniinvoke.so.0").canonicalize().ok(),
            "{source} ({what}) loads another library than {loaded}:\n{ldd}"
        );
    }
}
