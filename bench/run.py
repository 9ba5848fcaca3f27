#!/usr/bin/env python3
"""The comparative benchmark (`make bench`).

Builds every contender, runs each workload in rounds, and within a round
runs every contender once, in an order rotated from round to round so that
drift of the machine hits all alike. Each run is a fresh process making N
calls in-process (protocol: bench/common.h) and printing one JSON line. A
run's value is the median of its calls (or its throughput, or its peak RSS
growth); the value reported is the median over rounds, and the ratio is
that value's cost over the floor's.

Writes docs/bench.md, docs/bench.csv and docs/bench.png, prints the
Markdown, and refreshes the Benchmark block of README.md. Contenders that
cannot be built (the C ABI, the Python or Go binding not in this tree yet)
are skipped and the report says why.

    python3 bench/run.py                      # the full run (make bench)
    python3 bench/run.py --scale 0.05 --rounds 1 --big-touch-mib 256 \\
        --out build/bench-dry                 # a quick dry run
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BUILD = ROOT / "build" / "bench"
VENV = ROOT / ".venv-bench"
BRIDGE = Path("/usr/lib/cni/bridge")

# The contenders, in the order the tables show them.
CONTENDERS = ["floor", "capi", "rust", "py-binding", "go-binding", "go-upstream", "py-subprocess"]
TITLES = {
    "floor": "floor (C posix_spawn)",
    "capi": "C ABI",
    "rust": "Rust API",
    "py-binding": "Python binding",
    "go-binding": "Go binding",
    "go-upstream": "upstream Go v1.3.0",
    "py-subprocess": "Python subprocess.run",
}
OURS = ["capi", "rust", "py-binding", "go-binding"]


# --------------------------------------------------------------------------
# Workloads


@dataclass
class Case:
    key: str
    label: str
    workload: str  # the contender protocol's --workload
    kind: str  # "time" (median per-call ns), "throughput", "cancel"
    calls: int
    rounds: int
    threads: int = 0
    touch_mib: int = 0
    env: dict = field(default_factory=dict)
    plugin: str | None = None  # None = the bench plugin
    rss: bool = False  # report the peak RSS growth too


def cases(args: argparse.Namespace) -> list[Case]:
    def n(calls: int) -> int:
        return max(2, round(calls * args.scale))

    def r(rounds: int) -> int:
        return args.rounds or rounds

    out = [Case("add", "ADD, sequential", "add", "time", n(400), r(11))]
    for t in (1, 2, 8, 32):
        out.append(
            Case(
                f"threads-{t}",
                f"ADD, {t} concurrent caller{'s' if t > 1 else ''}",
                "add",
                "throughput",
                n(400),
                r(5),
                threads=t,
            )
        )
    big = args.big_touch_mib
    big_label = f"{big // 1024} GiB" if big % 1024 == 0 else f"{big} MiB"
    out += [
        Case("touch-64", "ADD, host touched 64 MiB", "add", "time", n(300), r(5), touch_mib=64),
        # Touching 4 GiB takes a second or more per process (a million page
        # faults): the same five rounds, which keeps the comparison fair.
        Case(f"touch-{big}", f"ADD, host touched {big_label}", "add", "time", n(300), r(5), touch_mib=big),
    ]
    for size, label, calls in ((1 << 10, "1 KiB", 200), (1 << 20, "1 MiB", 40), (16 << 20, "16 MiB", 8)):
        out.append(
            Case(
                f"output-{label.replace(' ', '').lower()}",
                f"output {label} + {label} (stdout + stderr)",
                "output",
                "time",
                n(calls),
                r(3),
                env={"BENCH_OUT_BYTES": str(size)},
                rss=True,
            )
        )
    if BRIDGE.exists():
        out.append(
            Case(
                "version-bridge",
                "VERSION, Debian's bridge plugin",
                "version",
                "time",
                n(60),
                r(5),
                plugin=str(BRIDGE),
            )
        )
    out.append(
        Case("cancel", "cancel-to-return", "cancel", "cancel", n(12), r(3), env={"BENCH_SLEEP_MS": "10000"})
    )
    return out


# --------------------------------------------------------------------------
# Building


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


def ensure_venv(argv: list[str]) -> None:
    """Re-run this script in .venv-bench, creating it (with matplotlib) first."""
    vpy = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not vpy.exists():
        log("creating .venv-bench")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    have = (
        subprocess.run([str(vpy), "-c", "import matplotlib"], check=False, capture_output=True).returncode
        == 0
    )
    if not have:
        log("installing matplotlib into .venv-bench")
        subprocess.run(
            [str(vpy), "-m", "pip", "install", "-q", "--disable-pip-version-check", "matplotlib"], check=True
        )
    os.execv(str(vpy), [str(vpy), str(Path(__file__).resolve())] + argv)


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


def build(selected: list[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Build what the selected contenders need; their commands, and the
    reasons for those that cannot run."""
    BUILD.mkdir(parents=True, exist_ok=True)
    cmds: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    cflags = ["-O2", "-Wall", "-Wextra", "-Werror"]

    log("building the plugin and the floor (gcc)")
    for args in (
        ["gcc", *cflags, "-static", BENCH / "plugin.c", "-o", BUILD / "plugin"],
        ["gcc", *cflags, "-pthread", BENCH / "floor.c", "-o", BUILD / "floor"],
    ):
        p = sh(args)
        if p.returncode != 0:
            sys.exit(f"bench: {' '.join(map(str, args))} failed:\n{p.stderr}")
    cmds["floor"] = [str(BUILD / "floor")]

    # The library first (the C ABI needs it, and the Go binding links it),
    # then the Rust contender: one failing does not take the other along.
    log("building libcniinvoke (cargo build --release --lib)")
    p = sh(["cargo", "build", "--release", "--lib"])
    if p.returncode != 0:
        skipped["rust"] = skipped["capi"] = f"cargo build --release --lib failed: {why(p.stderr)}"
    elif "rust" in selected:
        log("building the Rust contender (cargo build --release --example bench_contender)")
        p = sh(["cargo", "build", "--release", "--example", "bench_contender"])
        if p.returncode != 0:
            skipped["rust"] = f"examples/bench_contender.rs did not build: {why(p.stderr)}"
        else:
            cmds["rust"] = [str(ROOT / "target" / "release" / "examples" / "bench_contender")]

    if "capi" in selected and "capi" not in skipped:
        header = ROOT / "include" / "cniinvoke.h"
        lib_a = ROOT / "target" / "release" / "libcniinvoke.a"
        lib_so = ROOT / "target" / "release" / "libcniinvoke.so"
        if not header.exists():
            skipped["capi"] = "the C ABI is not in this tree (no include/cniinvoke.h)"
        elif not lib_a.exists() and not lib_so.exists():
            skipped["capi"] = "cargo built no libcniinvoke.a or .so (crate-type has no staticlib/cdylib)"
        else:
            log("building the C ABI contender")
            link = (
                [lib_a]
                if lib_a.exists()
                else ["-L", lib_so.parent, "-lcniinvoke", f"-Wl,-rpath,{lib_so.parent}"]
            )
            p = sh(
                [
                    "gcc",
                    *cflags,
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
                skipped["capi"] = f"capi.c did not build against include/cniinvoke.h: {why(p.stderr)}"
            else:
                cmds["capi"] = [str(BUILD / "capi")]

    go = shutil.which("go")
    if "go-upstream" in selected:
        if not go:
            skipped["go-upstream"] = "no go toolchain"
        else:
            log("building the Go contender against upstream pkg/invoke v1.3.0")
            env = dict(os.environ, GOFLAGS="-buildvcs=false")
            p = sh([go, "build", "-o", BUILD / "go-upstream", "."], cwd=BENCH / "go", env=env)
            if p.returncode != 0:
                skipped["go-upstream"] = f"go build failed: {why(p.stderr)}"
            else:
                cmds["go-upstream"] = [str(BUILD / "go-upstream")]
    if "go-binding" in selected:
        reason = build_go_binding(go)
        if reason:
            skipped["go-binding"] = reason
        else:
            cmds["go-binding"] = [str(BUILD / "go-binding")]

    py = sys.executable
    cmds["py-subprocess"] = [py, str(BENCH / "py_subprocess.py")]
    if "py-binding" in selected:
        reason = install_py_binding(py)
        if reason:
            skipped["py-binding"] = reason
        else:
            cmds["py-binding"] = [py, str(BENCH / "py_binding.py")]

    return {c: cmds[c] for c in selected if c in cmds}, {c: skipped[c] for c in selected if c in skipped}


def build_go_binding(go: str | None) -> str | None:
    """Build bench/go against bindings/go: in a copy whose go.mod requires
    and replaces the binding's module, with the import rewritten to it."""
    gomod = ROOT / "bindings" / "go" / "go.mod"
    if not go:
        return "no go toolchain"
    if not gomod.exists():
        return "the Go binding is not in this tree (no bindings/go/go.mod)"
    m = re.search(r"^module\s+(\S+)", gomod.read_text(), re.MULTILINE)
    if not m:
        return "bindings/go/go.mod names no module"
    module = m.group(1)
    # The package to import: the module root, or the one directory under it
    # whose package exports ExecPluginWithResult.
    pkg_path = module
    root = gomod.parent
    for d in [root] + sorted(p for p in root.rglob("*") if p.is_dir()):
        srcs = [f for f in d.glob("*.go") if not f.name.endswith("_test.go")]
        if any("func ExecPluginWithResult(" in f.read_text(errors="replace") for f in srcs):
            rel = d.relative_to(root).as_posix()
            pkg_path = module if rel == "." else f"{module}/{rel}"
            break
    src = BUILD / "go-binding-src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(BENCH / "go", src)
    alias = src / "invoke_binding.go"
    alias.write_text(alias.read_text().replace('"cniinvoke/bindings/go"', f'"{pkg_path}"'))
    env = dict(os.environ, GOFLAGS="-mod=mod -buildvcs=false", CGO_ENABLED="1")
    for args in (
        [
            go,
            "mod",
            "edit",
            f"-require={module}@v0.0.0-00010101000000-000000000000",
            f"-replace={module}={root}",
        ],
        [go, "build", "-tags", "cnibinding", "-o", BUILD / "go-binding", "."],
    ):
        log("building the Go contender against bindings/go" if "build" in args else "go mod edit")
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


@dataclass
class Cell:
    values: list[float] = field(default_factory=list)  # one per successful round
    by_round: dict[int, float] = field(default_factory=dict)
    rss_mib: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def rss(self) -> float | None:
        return statistics.median(self.rss_mib) if self.rss_mib else None


def run_one(cmd: list[str], case: Case, plugin: str) -> tuple[dict | None, str]:
    argv = cmd + [
        "--plugin",
        case.plugin or plugin,
        "--workload",
        case.workload,
        "--calls",
        str(case.calls),
        "--threads",
        str(case.threads),
        "--touch-mib",
        str(case.touch_mib),
    ]
    env = dict(os.environ)
    for k in ("BENCH_OUT_BYTES", "BENCH_SLEEP_MS"):
        env.pop(k, None)
    env.update(case.env)
    try:
        p = subprocess.run(argv, check=False, env=env, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None, "timed out after 300 s"
    line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else ""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None, f"exit {p.returncode}: {tail(p.stderr, 3) or 'no output'}"
    if p.returncode != 0 or data.get("errors"):
        return None, f"exit {p.returncode}, {data.get('errors')} failed calls: {tail(p.stderr, 3)}"
    return data, ""


def value_of(case: Case, data: dict) -> float:
    if case.kind == "throughput":
        return data["calls"] * 1e9 / data["total_ns"]  # calls per second
    return float(statistics.median(data["per_call_ns"]))  # ns


def run_all(cmds: dict[str, list[str]], all_cases: list[Case]) -> dict[str, dict[str, Cell]]:
    names = list(cmds)
    results: dict[str, dict[str, Cell]] = {c.key: {n: Cell() for n in names} for c in all_cases}
    plugin = str(BUILD / "plugin")
    for case in all_cases:
        t0 = time.monotonic()
        for rnd in range(case.rounds):
            order = names[rnd % len(names) :] + names[: rnd % len(names)]
            for name in order:
                data, err = run_one(cmds[name], case, plugin)
                cell = results[case.key][name]
                if data is None:
                    cell.errors.append(err)
                    continue
                cell.values.append(value_of(case, data))
                cell.by_round[rnd] = cell.values[-1]
                if case.rss:
                    cell.rss_mib.append((data["rss_peak_kib"] - data["rss_base_kib"]) / 1024)
        log(
            f"{case.label}: {case.rounds} rounds x {len(names)} contenders x {case.calls} calls "
            f"in {time.monotonic() - t0:.1f} s"
        )
        for name in names:
            for e in dict.fromkeys(results[case.key][name].errors):
                log(f"  {name} failed: {e}")
    return results


# --------------------------------------------------------------------------
# Reporting


def cost(case: Case, v: float) -> float:
    """The value as a per-call cost in ns (throughput turned around)."""
    return 1e9 / v if case.kind == "throughput" else v


def ratio(case: Case, cells: dict[str, Cell], name: str) -> float | None:
    v, f = cells[name].median(), cells.get("floor", Cell()).median()
    if v is None or f is None:
        return None
    return cost(case, v) / cost(case, f)


def fmt_time(ns: float) -> str:
    if ns >= 1e8:
        return f"{ns / 1e6:.0f} ms"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e3:.0f} µs"


def fmt_value(case: Case, v: float) -> str:
    return f"{v:,.0f}/s" if case.kind == "throughput" else fmt_time(v)


def dirty() -> bool:
    """Whether the tree differs from its commit (the reports it writes aside)."""
    p = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", ".", ":!docs", ":!README.md"],
        check=False,
        capture_output=True,
        text=True,
    )
    return bool(p.stdout.strip())


def machine(start_load: tuple[float, float, float]) -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=30).stdout
            return out.strip().splitlines()[0] if out.strip() else "?"
        except (OSError, subprocess.TimeoutExpired):
            return "not found"

    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION") or "?"
    except (ValueError, OSError):
        glibc = "?"
    return {
        "cpus": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "memory": f"{mem_kib / (1 << 20):.0f} GiB",
        "kernel": f"{platform.system()} {platform.release()}",
        "glibc": glibc.replace("glibc ", ""),
        "gcc": first_line(["gcc", "-dumpfullversion"]),
        "rustc": first_line(["rustc", "--version"]).replace("rustc ", ""),
        "go": first_line(["go", "env", "GOVERSION"]),
        "python": platform.python_version(),
        "commit": first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
        + (" with uncommitted changes" if dirty() else ""),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load average at the start": " ".join(f"{x:.2f}" for x in start_load),
        "at the end": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def targets(
    all_cases: list[Case], res: dict[str, dict[str, Cell]], names: list[str], skipped: dict[str, str]
) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows."""
    by_key = {c.key: c for c in all_cases}
    rows = []

    def absent(name: str) -> str:
        return "not run (see above)" if name in skipped else "not selected"

    def spread(a: str, b: str) -> str:
        """The range of a's time over b's, round by round (the two ran
        next to each other in each round): how firm a verdict is."""
        ca, cb = res["add"][a], res["add"][b]
        rs = [ca.by_round[i] / cb.by_round[i] for i in ca.by_round if i in cb.by_round]
        return f" (per round {min(rs):.2f}–{max(rs):.2f}×)" if len(rs) > 1 else ""

    def check_ratio(name: str, limit: float, label: str) -> None:
        if name not in names:
            rows.append((label, absent(name), "n/a"))
            return
        r = ratio(by_key["add"], res["add"], name)
        rows.append(
            (
                label,
                "no data" if r is None else f"{r:.2f}× on ADD, sequential{spread(name, 'floor')}",
                "n/a" if r is None else ("pass" if r <= limit else "miss"),
            )
        )

    check_ratio("capi", 1.05, "C ABI ≤ 1.05× the floor")
    check_ratio("py-binding", 1.10, "Python binding ≤ 1.10× the floor")

    label = "Go binding faster than upstream Go"
    if "go-binding" not in names or "go-upstream" not in names:
        missing = [n for n in ("go-binding", "go-upstream") if n not in names]
        rows.append((label, "; ".join(f"{n} {absent(n)}" for n in missing), "n/a"))
    else:
        b, u = res["add"]["go-binding"].median(), res["add"]["go-upstream"].median()
        if b is None or u is None:
            rows.append((label, "no data", "n/a"))
        else:
            rows.append(
                (
                    label,
                    f"{b / u:.2f}× upstream's time on ADD, sequential{spread('go-binding', 'go-upstream')}",
                    "pass" if b < u else "miss",
                )
            )

    big = [c for c in all_cases if c.key.startswith("touch-") and c.key != "touch-64"]
    if big:
        big_case = big[0]
        ours = [n for n in OURS if n in names]
        parts, ok = [], True
        for n in names:
            a, b = res["touch-64"][n].median(), res[big_case.key][n].median()
            if a is None or b is None:
                continue
            parts.append(f"{n} {b / a:.2f}×")
            if n in ours:
                ok = ok and b / a <= 1.1
        size = big_case.label.rsplit(" ", 2)[-2:]
        rows.append(
            (
                f"{' '.join(size)} host ≤ 1.1× the 64 MiB host (ours)",
                ", ".join(parts) or "no data",
                ("pass" if ok else "miss") if ours and parts else "n/a",
            )
        )

    out16 = next((c for c in all_cases if c.key == "output-16mib"), None)
    if out16:
        limit = 2 * 32 + 16
        parts, ok, any_ours = [], True, False
        for n in names:
            r = res[out16.key][n].rss()
            if r is None:
                continue
            parts.append(f"{n} {r:.0f} MiB")
            if n in OURS:
                any_ours = True
                ok = ok and r <= limit
        rows.append(
            (
                f"peak RSS growth at 16 MiB + 16 MiB ≤ 2 × 32 MiB + 16 MiB = {limit} MiB (ours)",
                ", ".join(parts) or "no data",
                ("pass" if ok else "miss") if any_ours else "n/a",
            )
        )

    if "cancel" in by_key:
        parts, ok, any_ours = [], True, False
        for n in names:
            v = res["cancel"][n].median()
            if v is None:
                continue
            parts.append(f"{n} {fmt_time(v)}")
            if n in OURS:
                any_ours = True
                ok = ok and v <= 50e6
        rows.append(
            (
                "cancel-to-return ≤ 50 ms (ours)",
                ", ".join(parts) or "no data",
                ("pass" if ok else "miss") if any_ours else "n/a",
            )
        )
    return rows


def markdown(
    all_cases: list[Case],
    res: dict[str, dict[str, Cell]],
    names: list[str],
    skipped: dict[str, str],
    mach: dict[str, str],
    command: str,
    elapsed: float,
) -> str:
    lines = ["# Benchmark: invoking a CNI plugin", ""]
    lines += [
        (
            f"Reproduce with `{command}` ({elapsed / 60:.1f} minutes for this run, builds included). "
            "Each workload runs in rounds; each round runs every contender once, as a fresh "
            "process making the calls in-process, in an order rotated from round to round. "
            "A cell is the median over rounds of each run's median per call (throughput: "
            "calls per second over the whole run); the ratio is the contender's per-call cost "
            "over the floor's (> 1 = slower). The plugin is bench/plugin.c, a static C binary."
        ),
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in mach.items()) + ".",
        "",
    ]
    if skipped:
        lines += ["Not run:", ""]
        lines += [f"- {TITLES[n]} (`{n}`): {why}" for n, why in skipped.items()]
        lines.append("")

    lines += ["## Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in targets(all_cases, res, names, skipped)]
    lines.append("")

    def table(title: str, rows: list[Case], rss: bool = False) -> None:
        if not rows:
            return
        lines.extend(
            [
                f"## {title}",
                "",
                "| workload | " + " | ".join(TITLES[n] for n in names) + " |",
                "|---|" + "---:|" * len(names),
            ]
        )
        for case in rows:
            cells = []
            for n in names:
                cell = res[case.key][n]
                if rss:
                    r = cell.rss()
                    cells.append("—" if r is None else f"{r:.1f} MiB")
                    continue
                v = cell.median()
                if v is None:
                    cells.append("failed" if cell.errors else "—")
                    continue
                rt = ratio(case, res[case.key], n)
                cells.append(fmt_value(case, v) + ("" if rt is None or n == "floor" else f" ({rt:.2f}×)"))
            lines.append(f"| {case.label} | " + " | ".join(cells) + " |")
        lines.append("")

    table("Time per call (median)", [c for c in all_cases if c.kind == "time"])
    table(
        "Concurrent callers (calls per second; in parentheses the per-call cost ratio to the floor)",
        [c for c in all_cases if c.kind == "throughput"],
    )
    table("Host's peak RSS growth during the output workload", [c for c in all_cases if c.rss], rss=True)
    table("Cancel-to-return latency", [c for c in all_cases if c.kind == "cancel"])
    lines += [
        (
            "Notes: the output workload runs the plugin without decoding a result (the C ABI, Rust and "
            "Python through exec_plugin_without_result with a raw exec discarding stderr, Go through "
            "`RawExec{Stderr: io.Discard}.ExecPlugin`, the floor and subprocess.run capturing both "
            "streams). RSS growth is VmHWM at the end over VmRSS before the first call. Cancel is "
            "measured from the cancel call (made by another thread 20 ms into the call) to the "
            "call's return; for subprocess.run from its `timeout=` deadline to the return."
        ),
        "",
        "![per-call cost by contender and workload](bench.png)",
        "",
    ]
    return "\n".join(lines)


def write_csv(path: Path, all_cases: list[Case], res: dict[str, dict[str, Cell]], names: list[str]) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "case",
                "label",
                "contender",
                "metric",
                "unit",
                "median",
                "ratio_to_floor",
                "rounds",
                "per_round",
                "errors",
            ]
        )
        for case in all_cases:
            for n in names:
                cell = res[case.key][n]
                metric, unit = (
                    ("throughput", "calls/s")
                    if case.kind == "throughput"
                    else (("cancel_to_return", "ns") if case.kind == "cancel" else ("time_per_call", "ns"))
                )
                med, rt = cell.median(), ratio(case, res[case.key], n)
                w.writerow(
                    [
                        case.key,
                        case.label,
                        n,
                        metric,
                        unit,
                        "" if med is None else f"{med:.0f}",
                        "" if rt is None else f"{rt:.4f}",
                        len(cell.values),
                        ";".join(f"{v:.0f}" for v in cell.values),
                        len(cell.errors),
                    ]
                )
                if case.rss:
                    r = cell.rss()
                    w.writerow(
                        [
                            case.key,
                            case.label,
                            n,
                            "peak_rss_growth",
                            "MiB",
                            "" if r is None else f"{r:.2f}",
                            "",
                            len(cell.rss_mib),
                            ";".join(f"{v:.2f}" for v in cell.rss_mib),
                            len(cell.errors),
                        ]
                    )


def plot(
    path: Path, all_cases: list[Case], res: dict[str, dict[str, Cell]], names: list[str], mach: dict[str, str]
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        (
            "time per call (µs, log scale)",
            [c for c in all_cases if c.kind in ("time", "cancel")],
            lambda c, cell: None if cell.median() is None else cost(c, cell.median()) / 1e3,
        ),
        (
            "wall time per call with concurrent callers (µs, log scale)",
            [c for c in all_cases if c.kind == "throughput"],
            lambda c, cell: None if cell.median() is None else cost(c, cell.median()) / 1e3,
        ),
        (
            "host's peak RSS growth (MiB, log scale)",
            [c for c in all_cases if c.rss],
            lambda c, cell: cell.rss(),
        ),
    ]
    panels = [p for p in panels if p[1]]
    fig, axes = plt.subplots(len(panels), 1, figsize=(13, 4.2 * len(panels)), squeeze=False)
    colors = plt.get_cmap("tab10")
    width = 0.8 / max(1, len(names))
    for ax, (title, rows, get) in zip(axes[:, 0], panels):
        for i, n in enumerate(names):
            xs, ys = [], []
            for j, case in enumerate(rows):
                v = get(case, res[case.key][n])
                if v is not None and v > 0:
                    xs.append(j - 0.4 + width * (i + 0.5))
                    ys.append(v)
            ax.bar(xs, ys, width, label=TITLES[n], color=colors(CONTENDERS.index(n)))
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(
            [c.label.replace(" (stdout + stderr)", "").replace(", ", ",\n") for c in rows], fontsize=8
        )
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", which="both", alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, ncol=len(names), loc="upper center", bbox_to_anchor=(0.5, 0.965))
    fig.suptitle(
        f"Invoking a CNI plugin: libcniinvoke vs the floor and upstream — {mach['cpus']} × "
        f"{mach['cpu']}, {mach['kernel']}",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def update_readme(targets_md: str, mach: dict[str, str], command: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    if begin not in text or end not in text:
        return
    block = "\n".join(
        [
            begin,
            (
                f"Last run: `{command}` on {mach['cpus']} × {mach['cpu']}, {mach['memory']}, {mach['kernel']}, "
                f"glibc {mach['glibc']} ({mach['date']}, commit {mach['commit']})."
            ),
            "",
            targets_md,
            "",
            "![per-call cost by contender and workload](docs/bench.png)",
            end,
        ]
    )
    head, rest = text.split(begin, 1)
    readme.write_text(head + block + rest.split(end, 1)[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every call count (dry runs: 0.05)")
    ap.add_argument("--rounds", type=int, default=0, help="rounds per workload (default: per workload)")
    ap.add_argument("--big-touch-mib", type=int, default=4096, help="the large host's touched memory")
    ap.add_argument("--contenders", default=",".join(CONTENDERS), help="comma-separated subset")
    ap.add_argument("--only", default="", help="comma-separated case keys to run (default: all)")
    ap.add_argument("--out", default=str(ROOT / "docs"), help="where bench.md/.csv/.png go")
    args = ap.parse_args()
    ensure_venv(sys.argv[1:])

    started = time.monotonic()
    start_load = os.getloadavg()
    selected = [c for c in CONTENDERS if c in args.contenders.split(",")]
    if "floor" not in selected:
        selected.insert(0, "floor")
    cmds, skipped = build(selected)
    for n, why in skipped.items():
        log(f"skipping {n}: {why}")
    all_cases = cases(args)
    if args.only:
        all_cases = [c for c in all_cases if c.key in args.only.split(",")]
    names = list(cmds)
    log(f"contenders: {', '.join(names)}; workloads: {', '.join(c.key for c in all_cases)}")
    res = run_all(cmds, all_cases)

    mach = machine(start_load)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    full = args.scale == 1.0 and not args.rounds and args.big_touch_mib == 4096 and not args.only
    command = "make bench" if full else "python3 bench/run.py " + " ".join(sys.argv[1:])
    md = markdown(all_cases, res, names, skipped, mach, command, time.monotonic() - started)
    (out / "bench.md").write_text(md)
    write_csv(out / "bench.csv", all_cases, res, names)
    plot(out / "bench.png", all_cases, res, names, mach)
    if out.resolve() == (ROOT / "docs").resolve() and full:
        section = md.split("## Targets", 1)[1].split("\n## ", 1)[0].strip()
        update_readme(section, mach, command)
    print(md)
    log(f"wrote {out}/bench.md, bench.csv, bench.png in {(time.monotonic() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
