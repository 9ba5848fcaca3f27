"""What the benchmark driver's parts share: where things are, the
contenders and their groups, a workload (Case), a result cell (Cell), and
the ratio to a group's reference."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BUILD = ROOT / "build" / "bench"
VENV = ROOT / ".venv-bench"
BRIDGE = Path("/usr/lib/cni/bridge")

# Every contender, in the order the tables show them.
CONTENDERS = [
    "floor",
    "floor-again",
    "list-floor",
    "list-floor-locked",
    "capi",
    "rust",
    "py-floor",
    "py-binding",
    "go-floor",
    "go-binding",
    "go-list-floor",
    "go-libcni",
    "go-upstream",
    "py-subprocess",
    "cniinvoke-net",
    "cnitool",
]
TITLES = {
    "floor": "floor (C posix_spawn)",
    "floor-again": "the floor again (A/A)",
    "list-floor": "list floor (C)",
    "list-floor-locked": "list floor + lock (C)",
    "capi": "C ABI",
    "rust": "Rust API",
    "py-floor": "floor in a Python process (C)",
    "py-binding": "Python binding",
    "go-floor": "floor in a Go process (C)",
    "go-binding": "Go binding",
    "go-list-floor": "list floor in a Go process (C)",
    "go-libcni": "Go libcni binding",
    "go-upstream": "upstream Go v1.3.0",
    "py-subprocess": "Python subprocess.run",
    "cniinvoke-net": "cniinvoke net",
    "cnitool": "upstream cnitool v1.3.0",
}
OURS = ["capi", "rust", "py-binding", "go-binding", "go-libcni", "cniinvoke-net"]


@dataclass(frozen=True)
class Group:
    """Workloads run by the same contenders, with the same reference."""

    contenders: tuple[str, ...]
    reference: str  # the ratios' denominator


GROUPS = {
    # pkg/invoke: one plugin call.
    "invoke": Group(
        (
            "floor",
            "floor-again",
            "capi",
            "rust",
            "py-floor",
            "py-binding",
            "go-floor",
            "go-binding",
            "go-upstream",
            "py-subprocess",
        ),
        "floor",
    ),
    # libcni: a 3-plugin list ADD + DEL with its cache entry (bench/list.h).
    "list": Group(
        (
            "list-floor",
            "list-floor-locked",
            "capi",
            "rust",
            "py-binding",
            "go-list-floor",
            "go-libcni",
            "go-upstream",
        ),
        "list-floor",
    ),
    # The same as whole processes of a command-line tool.
    "cli": Group(("cniinvoke-net", "cnitool"), "cnitool"),
}


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
    group: str = "invoke"
    only: tuple[str, ...] = ()  # a subset of the group's contenders (empty: all)
    cache: str = ""  # the list cache's medium: "tmpfs" or "disk"

    def contenders(self, built: list[str]) -> list[str]:
        """The built contenders this workload runs, in table order."""
        return [
            n
            for n in CONTENDERS
            if n in built and n in GROUPS[self.group].contenders and (not self.only or n in self.only)
        ]

    @property
    def reference(self) -> str:
        return GROUPS[self.group].reference


@dataclass
class Cell:
    values: list[float] = field(default_factory=list)  # one per successful round
    by_round: dict[int, float] = field(default_factory=dict)
    rss_mib: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unsupported: str = ""  # why the contender cannot run this workload

    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    def rss(self) -> float | None:
        return statistics.median(self.rss_mib) if self.rss_mib else None


def cost(case: Case, v: float) -> float:
    """The value as a per-call cost in ns (throughput turned around)."""
    return 1e9 / v if case.kind == "throughput" else v


def ratio(case: Case, cells: dict[str, Cell], name: str) -> float | None:
    """`name`'s per-call cost over the case's reference's (> 1 = slower)."""
    if name not in cells:
        return None
    v, f = cells[name].median(), cells.get(case.reference, Cell()).median()
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
