"""Building the contenders (bench/run.py): each step builds what the
selected contenders need and returns their commands, or the reason one
cannot run (the report lists it; the run goes on without it)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from model import BENCH, BUILD, ROOT, VENV

CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror"]
# The C ABI is the root crate's `capi` feature.
CAPI_FEATURES = ["--features", "capi"]


def log(msg: str) -> None:
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def sh(
    cmd: list, cwd: Path = ROOT, env: dict | None = None, timeout: int = 900
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in cmd], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def tail(text: str, lines: int = 6) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def why(text: str) -> str:
    """The gist of a failed build's output: its first error line and the
    line after (a compiler's location), else its last lines."""
    out = [line.strip() for line in text.splitlines()]
    for i, line in enumerate(out):
        if (
            re.match(r"(error(\[E\d+\])?:|.*: error:|.*\.go:\d+:\d+: )", line)
            and "subprocess-exited" not in line
        ):
            return " | ".join(x for x in out[i : i + 2] if x)
    return tail(text)


def tree_hash(paths: list[Path]) -> str:
    """A hash of the files under `paths` (names, sizes, mtimes), build
    outputs excluded: whether the Python binding needs reinstalling."""
    h = hashlib.sha256()
    for base in paths:
        files = [base] if base.is_file() else sorted(base.rglob("*"))
        for p in files:
            if not p.is_file() or "target" in p.parts or "__pycache__" in p.parts:
                continue
            st = p.stat()
            h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


class Built:
    """Commands of the contenders that can run, reasons of those that cannot."""

    def __init__(self, selected: list[str]) -> None:
        self.selected = selected
        self.cmds: dict[str, list[str]] = {}
        self.skipped: dict[str, str] = {}

    def wants(self, *names: str) -> bool:
        return any(n in self.selected and n not in self.skipped for n in names)

    def ok(self, name: str, cmd: list) -> None:
        self.cmds[name] = [str(c) for c in cmd]

    def skip(self, reason: str, *names: str) -> None:
        for n in names:
            self.skipped.setdefault(n, reason)


def build(selected: list[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Build what the selected contenders need; their commands, and the
    reasons for those that cannot run."""
    BUILD.mkdir(parents=True, exist_ok=True)
    b = Built(selected)
    build_c(b)
    build_rust(b)
    build_capi(b)
    build_cli(b)
    build_go(b)
    py = sys.executable
    b.ok("py-subprocess", [py, BENCH / "py_subprocess.py"])
    if b.wants("py-floor"):
        build_py_floor(b, py)
    if b.wants("py-binding"):
        reason = install_py_binding(py)
        if reason:
            b.skip(reason, "py-binding")
        else:
            b.ok("py-binding", [py, BENCH / "py_binding.py"])
    return (
        {c: b.cmds[c] for c in selected if c in b.cmds and c not in b.skipped},
        {c: b.skipped[c] for c in selected if c in b.skipped},
    )


def build_c(b: Built) -> None:
    """The plugin and the floors (a failure here ends the run), and proc."""
    log("building the plugin and the floors (gcc)")
    for args in (
        ["gcc", *CFLAGS, "-static", BENCH / "plugin.c", "-o", BUILD / "plugin"],
        ["gcc", *CFLAGS, "-pthread", BENCH / "floor.c", "-o", BUILD / "floor"],
        ["gcc", *CFLAGS, "-pthread", BENCH / "list_floor.c", "-o", BUILD / "list_floor"],
    ):
        p = sh(args)
        if p.returncode != 0:
            sys.exit(f"bench: {' '.join(map(str, args))} failed:\n{p.stderr}")
    b.ok("floor", [BUILD / "floor"])
    # The same program once more in each round: what its ratio to the floor
    # spreads by is this run's noise, the yardstick for every other ratio.
    b.ok("floor-again", [BUILD / "floor"])
    b.ok("list-floor", [BUILD / "list_floor"])
    b.ok("list-floor-locked", [BUILD / "list_floor", "--lock"])
    if b.wants("cniinvoke-net", "cnitool"):
        if os.geteuid() != 0:
            b.skip(
                "needs root: the tools' /var/lib/cni is replaced in a private mount namespace",
                "cniinvoke-net",
                "cnitool",
            )
            return
        p = sh(["gcc", *CFLAGS, "-pthread", BENCH / "proc.c", "-o", BUILD / "proc"])
        if p.returncode != 0:
            b.skip(f"proc.c did not build: {why(p.stderr)}", "cniinvoke-net", "cnitool")


def build_rust(b: Built) -> None:
    """The library first (the C ABI needs it, and the Go bindings link it),
    then the Rust contender: one failing does not take the other along."""
    if not b.wants("rust", "capi", "go-binding", "go-libcni", "py-binding"):
        return
    log("building libcniinvoke (cargo build --release --lib --features capi)")
    p = sh(["cargo", "build", "--release", "--lib", *CAPI_FEATURES])
    if p.returncode != 0:
        b.skip(f"cargo build --release --lib failed: {why(p.stderr)}", "rust", "capi")
        return
    if b.wants("rust"):
        log("building the Rust contender (cargo build --release --example bench_contender)")
        p = sh(["cargo", "build", "--release", "--example", "bench_contender"])
        if p.returncode != 0:
            b.skip(f"examples/bench_contender.rs did not build: {why(p.stderr)}", "rust")
        else:
            b.ok("rust", [ROOT / "target" / "release" / "examples" / "bench_contender"])


def build_capi(b: Built) -> None:
    if not b.wants("capi"):
        return
    header = ROOT / "include" / "cniinvoke.h"
    lib_a = ROOT / "target" / "release" / "libcniinvoke.a"
    lib_so = ROOT / "target" / "release" / "libcniinvoke.so"
    if not header.exists():
        return b.skip("the C ABI is not in this tree (no include/cniinvoke.h)", "capi")
    if not lib_a.exists() and not lib_so.exists():
        return b.skip("cargo built no libcniinvoke.a or .so (crate-type has no staticlib/cdylib)", "capi")
    log("building the C ABI contender")
    link = [lib_a] if lib_a.exists() else ["-L", lib_so.parent, "-lcniinvoke", f"-Wl,-rpath,{lib_so.parent}"]
    p = sh(
        [
            "gcc",
            *CFLAGS,
            "-pthread",
            "-I",
            header.parent,
            BENCH / "capi.c",
            *link,
            "-ldl",
            "-lm",
            "-o",
            BUILD / "capi",
        ]
    )
    if p.returncode != 0:
        return b.skip(f"capi.c did not build against include/cniinvoke.h: {why(p.stderr)}", "capi")
    b.ok("capi", [BUILD / "capi"])


def build_cli(b: Built) -> None:
    """`cniinvoke net`, skipped when the binary has no `net`."""
    if not b.wants("cniinvoke-net"):
        return
    log("building the command line (cargo build --release --bin cniinvoke)")
    p = sh(["cargo", "build", "--release", "--bin", "cniinvoke"])
    exe = ROOT / "target" / "release" / "cniinvoke"
    if p.returncode != 0:
        return b.skip(f"cargo build --release --bin cniinvoke failed: {why(p.stderr)}", "cniinvoke-net")
    if sh([exe, "net", "--help"]).returncode != 0:
        return b.skip("this cniinvoke has no `net` subcommand", "cniinvoke-net")
    b.ok("cniinvoke-net", [BUILD / "proc", "--name", "cniinvoke-net", "--tool", exe, "--arg", "net"])


def build_py_floor(b: Built, py: str) -> None:
    """floor.c as a shared library, called from Python (bench/pyfloor)."""
    lib = BUILD / "libpyfloor.so"
    p = sh(["gcc", *CFLAGS, "-pthread", "-shared", "-fPIC", BENCH / "pyfloor" / "floor.c", "-o", lib])
    if p.returncode != 0:
        return b.skip(f"bench/pyfloor/floor.c did not build: {why(p.stderr)}", "py-floor")
    b.ok("py-floor", [py, BENCH / "py_floor.py", lib])


def build_go(b: Built) -> None:
    go = shutil.which("go")
    if not go:
        return b.skip(
            "no go toolchain",
            "go-upstream",
            "go-floor",
            "go-list-floor",
            "go-binding",
            "go-libcni",
            "cnitool",
        )
    env = dict(os.environ, GOFLAGS="-buildvcs=false")
    if b.wants("go-upstream"):
        log("building the Go contender against upstream pkg/invoke and libcni v1.3.0")
        p = sh([go, "build", "-o", BUILD / "go-upstream", "."], cwd=BENCH / "go", env=env)
        if p.returncode != 0:
            b.skip(f"go build failed: {why(p.stderr)}", "go-upstream")
        else:
            b.ok("go-upstream", [BUILD / "go-upstream"])
    if b.wants("go-floor", "go-list-floor"):
        log("building the floors in a Go process (bench/gofloor)")
        p = sh([go, "build", "-o", BUILD / "gofloor", "."], cwd=BENCH / "gofloor", env=env)
        if p.returncode != 0:
            b.skip(f"go build failed: {why(p.stderr)}", "go-floor", "go-list-floor")
        else:
            b.ok("go-floor", [BUILD / "gofloor", "floor"])
            b.ok("go-list-floor", [BUILD / "gofloor", "list-floor"])
    if b.wants("cnitool"):
        # cnitool at the version bench/go/go.mod requires (v1.3.0), from the
        # module cache.
        log("building upstream cnitool v1.3.0")
        p = sh(
            [go, "build", "-o", BUILD / "cnitool", "github.com/containernetworking/cni/cnitool"],
            cwd=BENCH / "go",
            env=env,
        )
        if p.returncode != 0:
            b.skip(f"go build cnitool failed: {why(p.stderr)}", "cnitool")
        else:
            b.ok("cnitool", [BUILD / "proc", "--name", "cnitool", "--tool", BUILD / "cnitool"])
    for name, binding in GO_BINDINGS.items():
        if b.wants(name):
            reason = build_go_binding(go, name, binding)
            if reason:
                b.skip(reason, name)
            else:
                b.ok(name, [BUILD / name])


class GoBinding:
    """How bench/go is built against one package of bindings/go."""

    def __init__(self, tag: str, alias: str, placeholder: str, marker: str, what: str) -> None:
        self.tag = tag  # the build tag selecting the alias file
        self.alias = alias  # the file importing the package
        self.placeholder = placeholder  # its import path there
        self.marker = marker  # what the package's sources define
        self.what = what


GO_BINDINGS = {
    "go-binding": GoBinding(
        "cnibinding", "invoke_binding.go", "cniinvoke/bindings/go", "func ExecPluginWithResult(", "pkg/invoke"
    ),
    "go-libcni": GoBinding(
        "cnilibcni",
        "libcni_binding.go",
        "cniinvoke/bindings/go/libcni",
        "func NewCNIConfigWithCacheDir(",
        "libcni",
    ),
}


def go_package(root: Path, module: str, marker: str) -> str | None:
    """The import path of the directory under bindings/go whose non-test
    sources contain `marker`."""
    for d in [root] + sorted(p for p in root.rglob("*") if p.is_dir()):
        srcs = [f for f in d.glob("*.go") if not f.name.endswith("_test.go")]
        if any(marker in f.read_text(errors="replace") for f in srcs):
            rel = d.relative_to(root).as_posix()
            return module if rel == "." else f"{module}/{rel}"
    return None


def build_go_binding(go: str, name: str, binding: GoBinding) -> str | None:
    """Build bench/go against a package of bindings/go: in a copy whose
    go.mod requires and replaces the binding's module, with the alias
    file's import rewritten to the package."""
    gomod = ROOT / "bindings" / "go" / "go.mod"
    if not gomod.exists():
        return "the Go binding is not in this tree (no bindings/go/go.mod)"
    m = re.search(r"^module\s+(\S+)", gomod.read_text(), re.MULTILINE)
    if not m:
        return "bindings/go/go.mod names no module"
    module = m.group(1)
    pkg_path = go_package(gomod.parent, module, binding.marker)
    if pkg_path is None:
        return f"bindings/go has no {binding.what} package (nothing defines {binding.marker.rstrip('(')})"
    src = BUILD / f"{name}-src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(BENCH / "go", src)
    alias = src / binding.alias
    alias.write_text(alias.read_text().replace(f'"{binding.placeholder}"', f'"{pkg_path}"'))
    env = dict(os.environ, GOFLAGS="-mod=mod -buildvcs=false", CGO_ENABLED="1")
    for args in (
        [
            go,
            "mod",
            "edit",
            f"-require={module}@v0.0.0-00010101000000-000000000000",
            f"-replace={module}={gomod.parent}",
        ],
        [go, "build", "-tags", binding.tag, "-o", BUILD / name, "."],
    ):
        log(
            f"building the Go contender against bindings/go ({binding.what})"
            if "build" in args
            else "go mod edit"
        )
        p = sh(args, cwd=src, env=env)
        if p.returncode != 0:
            return f"{' '.join(map(str, args[:3]))} failed: {why(p.stderr)}"
    return None


def install_py_binding(py: str) -> str | None:
    """pip install ./bindings/python into the venv when its sources changed."""
    pkg = ROOT / "bindings" / "python"
    if not (pkg / "pyproject.toml").exists():
        return "the Python binding is not in this tree (no bindings/python/pyproject.toml)"
    stamp = VENV / "cniinvoke-build.hash"
    digest = tree_hash([pkg, ROOT / "src", ROOT / "Cargo.toml", ROOT / "Cargo.lock"])
    importable = sh([py, "-c", "import cniinvoke"]).returncode == 0
    if not (importable and stamp.exists() and stamp.read_text() == digest):
        log("installing the Python binding (pip install ./bindings/python)")
        p = sh(
            [
                py,
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "--force-reinstall",
                "--no-deps",
                str(pkg),
            ],
            timeout=1200,
        )
        if p.returncode != 0:
            return f"pip install ./bindings/python failed: {why(p.stdout + p.stderr)}"
        stamp.write_text(digest)
    p = sh([py, "-c", "import cniinvoke"])
    if p.returncode != 0:
        return f"cniinvoke is not importable: {tail(p.stderr)}"
    return None


# --------------------------------------------------------------------------
# Running
