#!/usr/bin/env python3
"""The comparative benchmark (`make bench`).

Builds every contender, runs each workload in rounds, and within a round
runs every contender once, in an order rotated from round to round so that
drift of the machine hits all alike. Each run is a fresh process making N
calls in-process (protocol: bench/common.h) and printing one JSON line. A
run's value is the median of its calls (or its throughput, or its peak RSS
growth); the value reported is the median over rounds, and the ratio is
that value's cost over the floor's.

Workloads come in groups (model.py): one plugin call (pkg/invoke, against
the C floor), a 3-plugin list ADD + DEL with its cache entry (libcni,
against the C list floor; the cache on tmpfs and on the disk, fsync on and
off), and the same list as whole processes of `cniinvoke net` and upstream
`cnitool` (against cnitool). The parent's instructions per call under
callgrind are counted last (callgrind.py).

Writes docs/bench.md, docs/bench.csv and docs/bench.png (report.py, the
target rows in targets.py), prints the Markdown, and refreshes the
Benchmark block of README.md. Contenders that cannot be built (a binding
or the command line not in this tree yet) are skipped and the report says
why (build.py).

    python3 bench/run.py                      # the full run (make bench)
    python3 bench/run.py --scale 0.05 --rounds 1 --big-touch-mib 256 \\
        --out build/bench-dry                 # a quick dry run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from build import build, log, tail
from callgrind import instructions_per_call
from model import BRIDGE, BUILD, CONTENDERS, ROOT, VENV, Case, Cell
from report import cpu_ticks, machine, markdown, plot, update_readme, write_csv


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
        # A call is 20 ms of waiting for a latency of a few hundred µs that
        # swings with the machine: more calls and rounds than the few the
        # time would suggest.
        Case("cancel", "cancel-to-return", "cancel", "cancel", n(20), r(5), env={"BENCH_SLEEP_MS": "10000"})
    )
    return out + list_cases(n, r)


def list_cases(n, r) -> list[Case]:
    """The list workload (bench/list.h): the cache on tmpfs and on the disk,
    fsync on and off; from 8 threads; as whole processes."""
    out = []
    for medium in ("tmpfs", "disk"):
        for sync in (True, False):
            out.append(
                Case(
                    f"list-{medium}-{'sync' if sync else 'nosync'}",
                    f"list ADD + DEL, cache on {medium}, fsync {'on' if sync else 'off'}",
                    "list",
                    "time",
                    n(200),
                    # More rounds than the others: six plugin runs and the
                    # cache per call make a round's ratio swing by ±10 %.
                    r(9),
                    env={"BENCH_CACHE_SYNC": "1" if sync else "0"},
                    group="list",
                    cache=medium,
                )
            )
    # Locking against no locking: the list floor with and without the
    # core's lock protocol, next to the two that always lock; fsync off so
    # that the disk does not drown the difference.
    out.append(
        Case(
            "list-threads-8",
            "list ADD + DEL, 8 threads, distinct attachments (tmpfs, fsync off)",
            "list",
            "throughput",
            n(400),
            # A difference of 2 % is the question: as many rounds as the
            # sequential list rows.
            r(9),
            threads=8,
            env={"BENCH_CACHE_SYNC": "0"},
            group="list",
            only=("list-floor", "list-floor-locked", "capi", "rust"),
            cache="tmpfs",
        )
    )
    for medium in ("tmpfs", "disk"):
        out.append(
            Case(
                f"cli-{medium}",
                f"`add` + `del` as processes, cache on {medium}",
                "list",
                "time",
                n(60),
                r(5),
                group="cli",
                cache=medium,
            )
        )
    return out


def cache_dirs() -> dict[str, Path]:
    """The list cache's parent directory on each medium, made afresh."""
    dirs = {
        "tmpfs": Path("/dev/shm") / f"cniinvoke-bench-{os.getpid()}",
        "disk": BUILD / f"cache-{os.getpid()}",
    }
    for d in dirs.values():
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    return dirs


def write_netconf() -> Path:
    """The list as a .conflist in a directory of its own (NETCONFPATH of the
    command-line tools); the same text every contender builds."""
    d = BUILD / "net.d"
    d.mkdir(parents=True, exist_ok=True)
    plugins = ",".join('{"type":"plugin"}' for _ in range(3))
    (d / "benchlist.conflist").write_text(
        f'{{"cniVersion":"1.0.0","name":"benchlist","plugins":[{plugins}]}}'
    )
    return d


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


# A contender's exit status for a workload it cannot run (the Python binding
# without CNIConfig): reported as not run, not as a failure.
UNSUPPORTED = 4
UNSUPPORTED_PREFIX = "unsupported: "


def run_one(cmd: list[str], case: Case, plugin: str, extra_env: dict) -> tuple[dict | None, str]:
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
    for k in ("BENCH_OUT_BYTES", "BENCH_SLEEP_MS", "BENCH_CACHE_DIR", "BENCH_CACHE_SYNC", "NETCONFPATH"):
        env.pop(k, None)
    env.update(case.env)
    env.update(extra_env)
    try:
        p = subprocess.run(argv, check=False, env=env, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None, "timed out after 300 s"
    if p.returncode == UNSUPPORTED:
        return None, UNSUPPORTED_PREFIX + (tail(p.stderr, 1) or "workload not supported")
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
    """Every case's cells, one per contender that runs it."""
    results: dict[str, dict[str, Cell]] = {
        c.key: {n: Cell() for n in c.contenders(list(cmds))} for c in all_cases
    }
    plugin = str(BUILD / "plugin")
    lists = any(c.cache for c in all_cases)
    dirs = cache_dirs() if lists else {}
    netconf = write_netconf() if lists else None
    try:
        for case in all_cases:
            run_case(cmds, case, results[case.key], plugin, dirs, netconf)
    finally:
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)
    return results


def run_case(
    cmds: dict[str, list[str]],
    case: Case,
    cells: dict[str, Cell],
    plugin: str,
    dirs: dict[str, Path],
    netconf: Path | None,
) -> None:
    """The case's rounds, each running every contender once in an order
    rotated from round to round. A list case's contenders each get a cache
    directory of their own on the case's medium."""
    names = list(cells)
    t0 = time.monotonic()
    for rnd in range(case.rounds):
        order = names[rnd % len(names) :] + names[: rnd % len(names)]
        for name in order:
            extra = {}
            if case.cache:
                cache = dirs[case.cache] / case.key / name
                cache.mkdir(parents=True, exist_ok=True)
                extra = {"BENCH_CACHE_DIR": str(cache), "NETCONFPATH": str(netconf)}
            data, err = run_one(cmds[name], case, plugin, extra)
            cell = cells[name]
            if data is None and err.startswith(UNSUPPORTED_PREFIX):
                cell.unsupported = err.removeprefix(UNSUPPORTED_PREFIX)
                continue
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
        if cells[name].unsupported:
            log(f"  {name} cannot run it: {cells[name].unsupported}")
        for e in dict.fromkeys(cells[name].errors):
            log(f"  {name} failed: {e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every call count (dry runs: 0.05)")
    ap.add_argument("--rounds", type=int, default=0, help="rounds per workload (default: per workload)")
    ap.add_argument("--big-touch-mib", type=int, default=4096, help="the large host's touched memory")
    ap.add_argument("--contenders", default=",".join(CONTENDERS), help="comma-separated subset")
    ap.add_argument("--only", default="", help="comma-separated case keys to run (default: all)")
    ap.add_argument("--out", default=str(ROOT / "docs"), help="where bench.md/.csv/.png go")
    ap.add_argument("--no-callgrind", action="store_true", help="skip the instruction counts")
    args = ap.parse_args()
    ensure_venv(sys.argv[1:])

    started = time.monotonic()
    start_load, start_ticks = os.getloadavg(), cpu_ticks()
    if start_load[0] > 0.5 * len(os.sched_getaffinity(0)):
        log(
            f"warning: load average {start_load[0]:.2f} at the start: the figures will not be worth committing"
        )
    wanted = set(args.contenders.split(","))
    # The references are always run: the floors (the floor twice, for the
    # run's noise), and cnitool with cniinvoke net.
    wanted |= {"floor", "floor-again", "list-floor"} | ({"cnitool"} if "cniinvoke-net" in wanted else set())
    selected = [c for c in CONTENDERS if c in wanted]
    cmds, skipped = build(selected)
    for n, why in skipped.items():
        log(f"skipping {n}: {why}")
    all_cases = cases(args)
    if args.only:
        all_cases = [c for c in all_cases if c.key in args.only.split(",")]
    names = list(cmds)
    log(f"contenders: {', '.join(names)}; workloads: {', '.join(c.key for c in all_cases)}")
    res = run_all(cmds, all_cases)
    counts = {} if args.no_callgrind else instructions_per_call(cmds, args.scale)

    mach = machine(start_load, start_ticks)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    full = (
        args.scale == 1.0
        and not args.rounds
        and args.big_touch_mib == 4096
        and not args.only
        and not args.no_callgrind
        and wanted >= set(CONTENDERS)
    )
    command = "make bench" if full else "python3 bench/run.py " + " ".join(sys.argv[1:])
    md = markdown(all_cases, res, names, skipped, counts, mach, command, time.monotonic() - started)
    (out / "bench.md").write_text(md)
    write_csv(out / "bench.csv", all_cases, res, counts)
    plot(out / "bench.png", all_cases, res, mach)
    if out.resolve() == (ROOT / "docs").resolve() and full:
        section = md.split("## Targets", 1)[1].split("\n## ", 1)[0].strip()
        update_readme(section, mach, command)
    print(md)
    log(f"wrote {out}/bench.md, bench.csv, bench.png in {(time.monotonic() - started) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
