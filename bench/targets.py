"""The target rows of the report: a line per target of issue 16's table
(`targets`) and of the first round's (`earlier_targets`), each
(target, measured, verdict) with verdict pass, miss or n/a."""

from __future__ import annotations

from model import Case, Cell, cost, fmt_time, ratio

Row = tuple[str, str, str]


class Results:
    """The run's results as the target rows read them."""

    def __init__(
        self, all_cases: list[Case], res: dict[str, dict[str, Cell]], skipped: dict[str, str]
    ) -> None:
        self.cases = {c.key: c for c in all_cases}
        self.res = res
        self.skipped = skipped

    def missing(self, key: str, *names: str) -> str | None:
        """Why the row cannot be judged: the case or a contender absent."""
        if key not in self.cases:
            return f"workload {key} not run"
        gone = [n for n in names if self.cell(key, n) is None or self.cell(key, n).median() is None]
        if not gone:
            return None
        return "; ".join(
            f"{n} not run (see above)"
            if n in self.skipped
            else f"{n} no data"
            if n in self.res[key]
            else f"{n} not selected"
            for n in gone
        )

    def cell(self, key: str, name: str) -> Cell | None:
        return self.res.get(key, {}).get(name)

    def ratio(self, key: str, name: str) -> float | None:
        return ratio(self.cases[key], self.res[key], name)

    def over(self, key: str, a: str, b: str) -> float:
        """a's per-call cost over b's."""
        case = self.cases[key]
        return cost(case, self.cell(key, a).median()) / cost(case, self.cell(key, b).median())

    def spread(self, key: str, a: str, b: str) -> str:
        """The range of a's cost over b's, round by round (the two ran next
        to each other in each round): how firm a verdict is."""
        case, ca, cb = self.cases[key], self.cell(key, a), self.cell(key, b)
        rs = [
            cost(case, ca.by_round[i]) / cost(case, cb.by_round[i]) for i in ca.by_round if i in cb.by_round
        ]
        return f" (per round {min(rs):.2f}–{max(rs):.2f}×)" if len(rs) > 1 else ""


def verdict(ok: bool) -> str:
    return "pass" if ok else "miss"


def add_ratio(r: Results, name: str, limit: float, title: str, within: str = "") -> Row:
    """`within`: the floor run inside the binding's language runtime, whose
    ratio tells what the runtime alone costs (shown, not judged)."""
    label = f"ADD, sequential, {title} ≤ {limit:.2f}× the floor"
    why = r.missing("add", name, "floor")
    if why:
        return label, why, "n/a"
    v = r.ratio("add", name)
    measured = f"{v:.2f}×{r.spread('add', name, 'floor')}"
    if within and not r.missing("add", within):
        measured += (
            f"; the floor itself in that process {r.ratio('add', within):.2f}×,"
            f" the binding {r.over('add', name, within):.2f}× it"
        )
    return label, measured, verdict(v <= limit)


def instructions(counts: dict[str, float]) -> Row:
    label = "instructions per call in the parent (callgrind), C ABI ≤ 1.3× the floor's"
    if "capi" not in counts or "floor" not in counts:
        return label, "not counted (no valgrind, --no-callgrind, or a contender missing)", "n/a"
    v = counts["capi"] / counts["floor"]
    measured = f"{v:.2f}× ({counts['capi'] / 1e3:,.0f} k against {counts['floor'] / 1e3:,.0f} k per ADD)"
    return label, measured, verdict(v <= 1.3)


def events_off(counts: dict[str, float]) -> Row:
    label = "logging off costs nothing measurable (issue 17): instructions in src/events.rs ≤ 0.1% of the parent's per ADD"
    names = [n for n in ("capi", "rust") if f"events-off:{n}" in counts and counts.get(n)]
    if not names:
        return label, "not counted (no valgrind, --no-callgrind, or a contender missing)", "n/a"
    shares = {n: counts[f"events-off:{n}"] / counts[n] for n in names}
    measured = "; ".join(
        f"{n}: {counts[f'events-off:{n}']:,.0f} of {counts[n] / 1e3:,.0f} k ({shares[n] * 100:.3f}%)"
        for n in names
    )
    return label, measured, verdict(max(shares.values()) <= 0.001)


def go_output(r: Results) -> Row:
    label = "16 MiB + 16 MiB output, Go binding ≤ 1.10× the floor's time, peak RSS growth ≤ 80 MiB"
    why = r.missing("output-16mib", "go-binding", "floor")
    if why:
        return label, why, "n/a"
    v, rss = r.ratio("output-16mib", "go-binding"), r.cell("output-16mib", "go-binding").rss()
    ok = v <= 1.10 and rss is not None and rss <= 80
    rss_text = "no RSS reading" if rss is None else f"{rss:.0f} MiB"
    return label, f"{v:.2f}×{r.spread('output-16mib', 'go-binding', 'floor')}, {rss_text}", verdict(ok)


def py_cancel(r: Results) -> Row:
    label = "cancel-to-return, Python binding ≤ 0.5 ms"
    why = r.missing("cancel", "py-binding")
    if why:
        return label, why, "n/a"
    v = r.cell("cancel", "py-binding").median()
    return label, fmt_time(v), verdict(v <= 0.5e6)


def concurrency(r: Results) -> Row:
    label = "8 and 32 concurrent callers, C ABI and Rust API ≥ 0.97× the floor's calls per second"
    parts, ok, judged = [], True, False
    for t in (8, 32):
        key = f"threads-{t}"
        if key not in r.cases:
            parts.append(f"{t}: workload {key} not run")
            continue
        for n in ("capi", "rust"):
            why = r.missing(key, n, "floor")
            if why:
                parts.append(f"{t}: {why}")
                continue
            v = r.cell(key, n).median() / r.cell(key, "floor").median()
            parts.append(f"{n} at {t}: {v:.2f}×")
            ok, judged = ok and v >= 0.97, True
    complete = judged and len([p for p in parts if " at " in p]) == 4
    return label, ", ".join(parts), verdict(ok) if complete else ("miss" if judged and not ok else "n/a")


LIST_KEYS = ("list-tmpfs-sync", "list-tmpfs-nosync", "list-disk-sync", "list-disk-nosync")


def list_capi(r: Results) -> Row:
    label = "3-plugin list ADD + DEL with its cache entry, C ABI ≤ 1.05× the list floor"
    parts, ok, judged = [], True, 0
    for key in LIST_KEYS:
        where = key.removeprefix("list-").replace("-nosync", ", fsync off").replace("-sync", ", fsync on")
        why = r.missing(key, "capi", "list-floor")
        if why:
            parts.append(f"{where}: {why}")
            continue
        v = r.ratio(key, "capi")
        parts.append(f"{where} {v:.2f}×{r.spread(key, 'capi', 'list-floor')}")
        ok, judged = ok and v <= 1.05, judged + 1
    return label, "; ".join(parts), verdict(ok) if judged == len(LIST_KEYS) or not ok else "n/a"


def versus_upstream(r: Results, key: str, ours: str, upstream: str, label: str, within: str = "") -> Row:
    """`within`: as for `add_ratio`, the floor in our contender's runtime."""
    why = r.missing(key, ours, upstream)
    if why:
        return label, why, "n/a"
    v = r.over(key, ours, upstream)
    measured = f"{v:.2f}× on {r.cases[key].label}{r.spread(key, ours, upstream)}"
    if within and not r.missing(key, within):
        measured += f"; the list floor itself in a Go process {r.over(key, within, upstream):.2f}×"
    return label, measured, verdict(v <= 0.8)


def list_locking(r: Results) -> Row:
    label = "lists on distinct attachments from 8 threads: locking costs nothing measurable (≤ 1.02×)"
    key = "list-threads-8"
    why = r.missing(key, "list-floor-locked", "list-floor")
    if why:
        return label, why, "n/a"
    v = r.over(key, "list-floor-locked", "list-floor")
    parts = [f"list floor + lock {v:.2f}× the list floor{r.spread(key, 'list-floor-locked', 'list-floor')}"]
    for n in ("capi", "rust"):
        if not r.missing(key, n, "list-floor"):
            seq = (
                ""
                if r.missing("list-tmpfs-nosync", n, "list-floor")
                else f" (sequential {r.ratio('list-tmpfs-nosync', n):.2f}×)"
            )
            parts.append(f"{n} {r.ratio(key, n):.2f}×{seq}")
    return label, "; ".join(parts), verdict(v <= 1.02)


def noise(all_cases: list[Case], res: dict[str, dict[str, Cell]], skipped: dict[str, str]) -> str | None:
    """The run's own noise, read off the floor run twice in every round of
    sequential ADD (A/A): the yardstick for how far from 1 a ratio must be
    to say something about a contender."""
    r = Results(all_cases, res, skipped)
    if r.missing("add", "floor-again", "floor"):
        return None
    v = r.ratio("add", "floor-again")
    return (
        f"This run's noise (A/A): the floor, run a second time in every round of ADD, sequential, "
        f"measured {v:.2f}× itself{r.spread('add', 'floor-again', 'floor')}; a verdict decided by "
        "less than that is the machine's, not the code's."
    )


def targets(
    all_cases: list[Case],
    res: dict[str, dict[str, Cell]],
    names: list[str],
    skipped: dict[str, str],
    counts: dict[str, float],
) -> list[Row]:
    """Issue 16's table, a row per target."""
    r = Results(all_cases, res, skipped)
    return [
        add_ratio(r, "capi", 1.03, "C ABI"),
        add_ratio(r, "rust", 1.02, "Rust API"),
        add_ratio(r, "py-binding", 1.05, "Python binding", within="py-floor"),
        add_ratio(r, "go-binding", 1.08, "Go binding", within="go-floor"),
        instructions(counts),
        events_off(counts),
        go_output(r),
        py_cancel(r),
        concurrency(r),
        list_capi(r),
        versus_upstream(
            r,
            "list-tmpfs-nosync",
            "go-libcni",
            "go-upstream",
            "the same list, Go libcni binding ≤ 0.8× upstream Go libcni's time",
            within="go-list-floor",
        ),
        versus_upstream(
            r,
            "cli-tmpfs",
            "cniinvoke-net",
            "cnitool",
            "the same list, `cniinvoke net` ≤ 0.8× `cnitool`'s time",
        ),
        list_locking(r),
    ]


OURS_INVOKE = ("capi", "rust", "py-binding", "go-binding")


def earlier_targets(
    all_cases: list[Case], res: dict[str, dict[str, Cell]], names: list[str], skipped: dict[str, str]
) -> list[Row]:
    """The first round's targets, kept to show they still hold."""
    r = Results(all_cases, res, skipped)
    rows = [add_ratio(r, "capi", 1.05, "C ABI"), add_ratio(r, "py-binding", 1.10, "Python binding")]

    label = "Go binding faster than upstream Go (ADD, sequential)"
    why = r.missing("add", "go-binding", "go-upstream")
    if why:
        rows.append((label, why, "n/a"))
    else:
        v = r.over("add", "go-binding", "go-upstream")
        rows.append(
            (label, f"{v:.2f}× upstream's time{r.spread('add', 'go-binding', 'go-upstream')}", verdict(v < 1))
        )

    big = next((c for c in all_cases if c.key.startswith("touch-") and c.key != "touch-64"), None)
    if big and "touch-64" in r.cases:
        parts, ok, judged = [], True, False
        for n in res[big.key]:
            a, b = r.cell("touch-64", n), r.cell(big.key, n)
            if a is None or b is None or a.median() is None or b.median() is None:
                continue
            parts.append(f"{n} {b.median() / a.median():.2f}×")
            if n in OURS_INVOKE:
                ok, judged = ok and b.median() / a.median() <= 1.1, True
        size = " ".join(big.label.rsplit(" ", 2)[-2:])
        rows.append(
            (
                f"{size} host ≤ 1.1× the 64 MiB host (ours)",
                ", ".join(parts) or "no data",
                verdict(ok) if judged else "n/a",
            )
        )

    if "output-16mib" in r.cases:
        limit = 2 * 32 + 16
        parts, ok, judged = [], True, False
        for n, cell in res["output-16mib"].items():
            if cell.rss() is None:
                continue
            parts.append(f"{n} {cell.rss():.0f} MiB")
            if n in OURS_INVOKE:
                ok, judged = ok and cell.rss() <= limit, True
        label = f"peak RSS growth at 16 MiB + 16 MiB ≤ 2 × 32 MiB + 16 MiB = {limit} MiB (ours)"
        rows.append((label, ", ".join(parts) or "no data", verdict(ok) if judged else "n/a"))

    if "cancel" in r.cases:
        parts, ok, judged = [], True, False
        for n, cell in res["cancel"].items():
            if cell.median() is None:
                continue
            parts.append(f"{n} {fmt_time(cell.median())}")
            if n in OURS_INVOKE:
                ok, judged = ok and cell.median() <= 50e6, True
        rows.append(
            (
                "cancel-to-return ≤ 50 ms (ours)",
                ", ".join(parts) or "no data",
                verdict(ok) if judged else "n/a",
            )
        )
    return rows
