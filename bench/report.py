"""The report of bench/run.py: docs/bench.md (Markdown tables), bench.csv,
bench.png, and the Benchmark block of the top-level README."""

from __future__ import annotations

import csv
import os
import platform
import subprocess
import time
from pathlib import Path

from model import CONTENDERS, ROOT, TITLES, Case, Cell, cost, fmt_value, ratio
from targets import earlier_targets, noise, targets


def dirty() -> bool:
    """Whether the tree differs from its commit (the reports it writes aside)."""
    p = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", ".", ":!docs", ":!README.md"],
        check=False,
        capture_output=True,
        text=True,
    )
    return bool(p.stdout.strip())


def cpu_ticks() -> tuple[int, int]:
    """The CPUs' time since boot in clock ticks, (stolen, all): what a
    hypervisor gave to other guests while this one wanted to run, and the
    whole (/proc/stat, Linux only; (0, 0) elsewhere)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def machine(start_load: tuple[float, float, float], start_ticks: tuple[int, int]) -> dict[str, str]:
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
        "CPU time stolen by the hypervisor during the run": stolen(start_ticks),
    }


def stolen(start: tuple[int, int]) -> str:
    """The steal since `start` (cpu_ticks), in seconds and as a share of
    the CPUs' time: a busy host shows here before it shows in the A/A."""
    steal, total = (now - then for now, then in zip(cpu_ticks(), start))
    if total <= 0:
        return "?"
    return f"{steal / os.sysconf('SC_CLK_TCK'):.1f} s ({100 * steal / total:.1f}%)"


def columns(rows: list[Case], res: dict[str, dict[str, Cell]]) -> list[str]:
    """The contenders with a cell in any of the rows, in table order."""
    present = {n for c in rows for n in res[c.key]}
    return [n for n in CONTENDERS if n in present]


def table(title: str, rows: list[Case], res: dict[str, dict[str, Cell]], rss: bool = False) -> list[str]:
    """A Markdown table: a row per case, a column per contender; a cell is
    the median and, in parentheses, the ratio to the case's reference."""
    if not rows:
        return []
    names = columns(rows, res)
    lines = [
        f"## {title}",
        "",
        "| workload | " + " | ".join(TITLES[n] for n in names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for case in rows:
        cells = []
        for n in names:
            cell = res[case.key].get(n)
            if cell is None:
                cells.append("")
                continue
            if rss:
                r = cell.rss()
                cells.append("—" if r is None else f"{r:.1f} MiB")
                continue
            v = cell.median()
            if v is None:
                cells.append("failed" if cell.errors else "—")
                continue
            rt = ratio(case, res[case.key], n)
            cells.append(fmt_value(case, v) + ("" if rt is None or n == case.reference else f" ({rt:.2f}×)"))
        lines.append(f"| {case.label} | " + " | ".join(cells) + " |")
    return lines + [""]


def counts_table(counts: dict[str, float]) -> list[str]:
    if not counts:
        return []
    return counts_rows(
        "## Instructions per ADD in the parent (callgrind, children not traced)", counts, "floor", ""
    ) + counts_rows(
        "## Instructions per list ADD + DEL in the parent (callgrind; cache on tmpfs, fsync off)",
        counts,
        "list-floor",
        "list:",
    )


def counts_rows(title: str, counts: dict[str, float], reference: str, prefix: str) -> list[str]:
    """A table of the counts kept under `prefix` + a contender's name, with
    ratios to `reference`'s."""
    of = {n: counts[prefix + n] for n in CONTENDERS if prefix + n in counts}
    if not of:
        return []
    ref = of.get(reference)
    lines = [
        title,
        "",
        "| | " + " | ".join(TITLES[n] for n in of) + " |",
        "|---|" + "---:|" * len(of),
    ]
    cells = [
        f"{v / 1e3:,.0f} k" + (f" ({v / ref:.2f}×)" if ref and n != reference else "")
        for n, v in of.items()
    ]
    return lines + ["| instructions per call | " + " | ".join(cells) + " |", ""]


INTRO = (
    "Each workload runs in rounds; each round runs every contender once, as a fresh "
    "process making the calls in-process, in an order rotated from round to round, "
    "after two warm-up calls that are not counted (for cancel, two cancelled calls). "
    "A cell is the median over rounds of each run's median per call (throughput: "
    "calls per second over the whole run); the ratio is the contender's per-call cost "
    "over its reference's (> 1 = slower): the floor's for one plugin call, the list "
    "floor's for lists, cnitool's for the command line. The plugin is bench/plugin.c, "
    "a static C binary."
)

NOTES = (
    "Notes: the output workload runs the plugin without decoding a result (the C ABI, Rust and "
    "Python through exec_plugin_without_result with a raw exec discarding stderr, Go through "
    "`RawExec{Stderr: io.Discard}.ExecPlugin`, the floor and subprocess.run capturing both "
    "streams). RSS growth is VmHWM at the end over VmRSS before the first call. Cancel is "
    "measured from the cancel call (made by another thread 20 ms into the call) to the "
    "call's return; for subprocess.run from its `timeout=` deadline to the return. The floor "
    "in a Go process (bench/gofloor) is floor.c's own code and timing in a Go program, each "
    "call made from Go as one cgo call, as the Go binding makes its calls: what the Go runtime "
    "alone adds to a plugin call started from C (the list floor in a Go process likewise). "
    "The floor in a Python process (bench/pyfloor) is the same for Python: floor.c's call in "
    "a shared library, each call one ctypes call timed by the Python loop that times the "
    "binding."
)

LIST_NOTES = (
    "Lists (bench/list.h): a call is a list ADD and its DEL of three plugins, on an attachment "
    "of its own, with the cache entry written and removed; each contender has a cache directory "
    "of its own on the medium (tmpfs: /dev/shm; disk: build/bench). The list floor "
    "(bench/list_floor.c) spawns the three plugins with the chained stdin and writes the entry "
    "as the core does (temp file, fsync, rename, directory fsync; DEL: read, three spawns, "
    "unlink, directory fsync), fsyncs skipped when fsync is off; `+ lock` also takes the "
    "attachment's flock as the core does. The core always locks. Upstream Go (libcni v1.3.0) "
    "and the Go libcni binding have no fsync switch: upstream never fsyncs; the binding keeps "
    "the core's default (on). The command-line rows run `TOOL add` and `TOOL del` as two fresh "
    "processes each, /var/lib/cni bind-mounted from the medium in a private mount namespace "
    "(bench/proc.c), each tool with its own defaults (cnitool never fsyncs; cniinvoke net "
    "keeps the core's default, on)."
)


def unsupported(all_cases: list[Case], res: dict[str, dict[str, Cell]]) -> dict[tuple[str, str], str]:
    """(contender, reason) → the workloads it could not run."""
    found: dict[tuple[str, str], list[str]] = {}
    for case in all_cases:
        for n, cell in res[case.key].items():
            if cell.unsupported:
                found.setdefault((n, cell.unsupported), []).append(case.key)
    return {k: ", ".join(v) for k, v in found.items()}


def markdown(
    all_cases: list[Case],
    res: dict[str, dict[str, Cell]],
    names: list[str],
    skipped: dict[str, str],
    counts: dict[str, float],
    mach: dict[str, str],
    command: str,
    elapsed: float,
) -> str:
    lines = ["# Benchmark: invoking a CNI plugin and a network list", ""]
    lines += [
        f"Reproduce with `{command}` ({elapsed / 60:.1f} minutes for this run, builds included). " + INTRO,
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in mach.items()) + ".",
        "",
    ]
    cannot = unsupported(all_cases, res)
    if skipped or cannot:
        lines += ["Not run:", ""]
        lines += [f"- {TITLES[n]} (`{n}`): {why}" for n, why in skipped.items()]
        lines += [f"- {TITLES[n]} (`{n}`), {what}: {why}" for (n, why), what in cannot.items()]
        lines.append("")

    for title, rows in (
        ("Targets", targets(all_cases, res, names, skipped, counts)),
        ("Earlier targets (first round)", earlier_targets(all_cases, res, names, skipped)),
    ):
        lines += [f"## {title}", "", "| target | measured | verdict |", "|---|---|---|"]
        lines += [f"| {t} | {m} | {v} |" for t, m, v in rows]
        lines.append("")
        aa = noise(all_cases, res, skipped) if title == "Targets" else None
        if aa:
            lines += [aa, ""]

    def group(g: str, kind: str | None = None) -> list[Case]:
        return [c for c in all_cases if c.group == g and (kind is None or c.kind == kind)]

    lines += table("Time per call (median)", group("invoke", "time"), res)
    lines += table(
        "Concurrent callers (calls per second; in parentheses the per-call cost ratio to the floor)",
        group("invoke", "throughput"),
        res,
    )
    lines += table(
        "Host's peak RSS growth during the output workload", [c for c in all_cases if c.rss], res, rss=True
    )
    lines += table("Cancel-to-return latency", group("invoke", "cancel"), res)
    lines += counts_table(counts)
    lines += table(
        "Network lists: time per list ADD + DEL (median; ratio to the list floor)", group("list", "time"), res
    )
    lines += table(
        "Network lists from 8 threads (calls per second; ratio of per-call cost to the list floor)",
        group("list", "throughput"),
        res,
    )
    lines += table("The command line as whole processes (median; ratio to cnitool)", group("cli"), res)
    lines += [NOTES, "", LIST_NOTES, "", "![per-call cost by contender and workload](bench.png)", ""]
    return "\n".join(lines)


def metric(case: Case) -> tuple[str, str]:
    if case.kind == "throughput":
        return "throughput", "calls/s"
    return ("cancel_to_return", "ns") if case.kind == "cancel" else ("time_per_call", "ns")


def write_csv(
    path: Path, all_cases: list[Case], res: dict[str, dict[str, Cell]], counts: dict[str, float]
) -> None:
    header = [
        "case",
        "label",
        "contender",
        "metric",
        "unit",
        "median",
        "reference",
        "ratio",
        "rounds",
        "per_round",
        "errors",
    ]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for case in all_cases:
            for n, cell in res[case.key].items():
                med, rt = cell.median(), ratio(case, res[case.key], n)
                w.writerow(
                    [
                        case.key,
                        case.label,
                        n,
                        *metric(case),
                        "" if med is None else f"{med:.0f}",
                        case.reference,
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
                            "",
                            len(cell.rss_mib),
                            ";".join(f"{v:.2f}" for v in cell.rss_mib),
                            len(cell.errors),
                        ]
                    )
        floor = counts.get("floor")
        list_floor = counts.get("list:list-floor")
        for n, v in counts.items():
            rt = "" if not floor else f"{v / floor:.4f}"
            key, label, ref = "callgrind-add", "ADD, instructions per call in the parent (callgrind)", "floor"
            if n.startswith("events-off:"):
                n, label = n.split(":", 1)[1], "ADD, of them in src/events.rs, logging off (callgrind)"
                rt = f"{v / v:.6f}" if counts.get(n) else ""
            elif n.startswith("list:"):
                n, key, ref = n.split(":", 1)[1], "callgrind-list", "list-floor"
                label = "list ADD + DEL, instructions per call in the parent (callgrind)"
                rt = "" if not list_floor else f"{v / list_floor:.4f}"
            w.writerow(
                [
                    key,
                    label,
                    n,
                    "instructions_per_call",
                    "instructions",
                    f"{v:.0f}",
                    ref,
                    rt,
                    1,
                    f"{v:.0f}",
                    0,
                ]
            )


def plot(path: Path, all_cases: list[Case], res: dict[str, dict[str, Cell]], mach: dict[str, str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        (
            "time per call (µs, log scale)",
            [c for c in all_cases if c.group == "invoke" and c.kind in ("time", "cancel")],
            lambda c, cell: None if cell.median() is None else cost(c, cell.median()) / 1e3,
        ),
        (
            "wall time per call with concurrent callers (µs, log scale)",
            [c for c in all_cases if c.kind == "throughput"],
            lambda c, cell: None if cell.median() is None else cost(c, cell.median()) / 1e3,
        ),
        (
            "network lists: time per list ADD + DEL (µs, log scale)",
            [c for c in all_cases if c.group in ("list", "cli") and c.kind == "time"],
            lambda c, cell: None if cell.median() is None else cell.median() / 1e3,
        ),
        (
            "host's peak RSS growth (MiB, log scale)",
            [c for c in all_cases if c.rss],
            lambda c, cell: cell.rss(),
        ),
    ]
    panels = [p for p in panels if p[1]]
    fig, axes = plt.subplots(len(panels), 1, figsize=(13, 4.2 * len(panels)), squeeze=False)
    colors = plt.get_cmap("tab20")
    legend: dict[str, object] = {}
    for ax, (title, rows, get) in zip(axes[:, 0], panels):
        # Each case's bars side by side, centred on its tick: the cases of
        # a panel need not share their contenders.
        for j, case in enumerate(rows):
            vals = [(n, get(case, c)) for n, c in res[case.key].items()]
            vals = [(n, v) for n, v in vals if v is not None and v > 0]
            width = 0.8 / max(1, len(vals))
            for i, (n, v) in enumerate(vals):
                x = j - 0.4 + width * (i + 0.5)
                legend[n] = ax.bar([x], [v], width, label=TITLES[n], color=colors(CONTENDERS.index(n)))
        ax.set_yscale("log")
        ax.set_xticks(range(len(rows)))
        ax.set_xticklabels(
            [c.label.replace(" (stdout + stderr)", "").replace(", ", ",\n") for c in rows], fontsize=8
        )
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", which="both", alpha=0.3)
    order = [n for n in CONTENDERS if n in legend]
    fig.legend(
        [legend[n] for n in order],
        [TITLES[n] for n in order],
        fontsize=8,
        ncol=min(6, max(1, len(order))),
        loc="upper center",
        bbox_to_anchor=(0.5, 0.975),
    )
    fig.suptitle(
        f"Invoking a CNI plugin and a list: libcniinvoke vs the floors and upstream — {mach['cpus']} × "
        f"{mach['cpu']}, {mach['kernel']}",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93))
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
