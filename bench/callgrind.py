"""Instructions per call in the parent, counted by callgrind (bench/run.py).

Each contender runs the sequential ADD workload twice under
`valgrind --tool=callgrind` (children not traced: the plugin runs
natively), with N and N + M calls; the difference of the two totals over M
is the parent's instructions per call, start-up and warm-up cancelled out.
The list workload (a 3-plugin list ADD + DEL, the cache on tmpfs, fsync
off) is counted the same way, under "list:NAME".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from build import log
from model import BUILD

# Who is counted: the floor (the reference) and the in-process contenders
# written in compiled languages.
COUNTED = ("floor", "capi", "rust")
LIST_COUNTED = ("list-floor", "capi", "rust")
# The list workload's cache while it is counted (tmpfs, emptied per run).
LIST_CACHE = Path("/dev/shm/cniinvoke-bench-callgrind")


def totals(cmd: list[str], calls: int, out_dir: Path, workload: str = "add") -> tuple[int, int] | None:
    """The instructions callgrind counted in the contender's own process,
    and those of them executed in the event code (src/events.rs)."""
    out = out_dir / f"callgrind.{calls}.%p"
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd]
    argv += ["--plugin", str(BUILD / "plugin"), "--workload", workload, "--calls", str(calls)]
    env = None
    if workload == "list":
        shutil.rmtree(LIST_CACHE, ignore_errors=True)
        LIST_CACHE.mkdir(parents=True)
        env = dict(os.environ, BENCH_CACHE_DIR=str(LIST_CACHE), BENCH_CACHE_SYNC="0")
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    _, err = p.communicate(timeout=600)
    f = out_dir / f"callgrind.{calls}.{p.pid}"
    if p.returncode != 0 or not f.exists():
        log(f"  callgrind of {cmd[0]} failed: {' | '.join(err.strip().splitlines()[-3:])}")
        return None
    m = re.search(r"^(?:totals|summary):\s+(\d+)", f.read_text(errors="replace"), re.MULTILINE)
    return (int(m.group(1)), events_self(f)) if m else None


def events_self(profile: Path) -> int:
    """The instructions spent in lines of src/events.rs (inlined ones
    included: callgrind names the source file of each line's code)."""
    p = subprocess.run(
        ["callgrind_annotate", "--inclusive=no", "--threshold=100", str(profile)],
        capture_output=True,
        text=True,
        check=False,
    )
    total = 0
    for line in p.stdout.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+\([^)]*\)\s+(\S+?):", line)
        if m and m.group(2).endswith("src/events.rs"):
            total += int(m.group(1).replace(",", ""))
    return total


def instructions_per_call(cmds: dict[str, list[str]], scale: float) -> dict[str, float]:
    """Per-call instruction counts of the counted contenders that were built
    (and under "events-off:NAME", those in the event code, logging off);
    empty when valgrind is missing."""
    if not shutil.which("valgrind"):
        log("no valgrind: instruction counts skipped")
        return {}
    base, more = max(2, round(20 * scale)), max(4, round(200 * scale))
    counts = {}
    for name in COUNTED:
        if name not in cmds:
            continue
        out_dir = BUILD / "callgrind" / name
        shutil.rmtree(out_dir, ignore_errors=True)
        out_dir.mkdir(parents=True)
        a, b = totals(cmds[name], base, out_dir), totals(cmds[name], base + more, out_dir)
        if a is not None and b is not None:
            counts[name] = (b[0] - a[0]) / more
            log(f"callgrind: {name} {counts[name]:,.0f} instructions per ADD in the parent")
            if name != "floor":
                counts[f"events-off:{name}"] = (b[1] - a[1]) / more
                log(f"callgrind: {name} {counts[f'events-off:{name}']:,.1f} of them in src/events.rs")
    counts.update(list_instructions_per_call(cmds, scale))
    return counts


def list_instructions_per_call(cmds: dict[str, list[str]], scale: float) -> dict[str, float]:
    """Per-call instruction counts of the list workload, under "list:NAME"."""
    base, more = max(2, round(10 * scale)), max(4, round(50 * scale))
    counts = {}
    for name in LIST_COUNTED:
        if name not in cmds:
            continue
        out_dir = BUILD / "callgrind" / f"list-{name}"
        shutil.rmtree(out_dir, ignore_errors=True)
        out_dir.mkdir(parents=True)
        a, b = (totals(cmds[name], n, out_dir, "list") for n in (base, base + more))
        if a is not None and b is not None:
            counts[f"list:{name}"] = (b[0] - a[0]) / more
            log(f"callgrind: {name} {counts[f'list:{name}']:,.0f} instructions per list ADD + DEL")
    shutil.rmtree(LIST_CACHE, ignore_errors=True)
    return counts
