#!/usr/bin/env python3
"""Records a cargo-mutants run and writes the standing of every file.

Usage: mutants-report.py OUTPUT_DIR FILE...

OUTPUT_DIR is cargo-mutants' `mutants.out`; FILE... the source files it
mutated. Each mutant's outcome goes into docs/mutants-results.json, which
keeps, per file, the outcomes of its latest run: a run over a whole file
replaces that file's record; a run narrowed with MUTANTS_ARGS (`-F`, `-E`,
`--re`: the environment says so with MUTANTS_NARROWED=1; MUTANTS_COMMIT
names the commit when the run was made in another checkout) updates only the
mutants it ran. From that record the "cargo-mutants" section of
docs/mutants.md (between its markers) gets a row per file and every
surviving mutant, and the README's mutation block the caught/total figure.
Survivors judged equivalent are listed, with the reason, in the sections of
docs/mutants.md after the block, which this script leaves alone.
"""

import datetime
import json
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "mutants-results.json"
OUTCOMES = ("caught", "missed", "timeout", "unviable")


def lines(out: pathlib.Path, name: str) -> list[str]:
    p = out / f"{name}.txt"
    return (
        [l.strip() for l in p.read_text().splitlines() if l.strip()]
        if p.exists()
        else []
    )


def replace_block(path: pathlib.Path, tag: str, body: str) -> None:
    text = path.read_text()
    begin, end = f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text:
        text = re.sub(
            re.escape(begin) + ".*?" + re.escape(end),
            lambda _: block,
            text,
            flags=re.DOTALL,
        )
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def file_of(mutant: str) -> str:
    return mutant.split(":", 1)[0]


def record(
    out: pathlib.Path, files: list[str], narrowed: bool, commit: str, when: str
) -> dict:
    """docs/mutants-results.json with this run's outcomes merged in."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    ran: dict[str, dict[str, str]] = {f: {} for f in files}
    for outcome in OUTCOMES:
        for m in lines(out, outcome):
            ran.setdefault(file_of(m), {})[m] = outcome
    # What the run set out to test: a file it did not finish (stopped
    # early) is recorded as partial, its untested mutants unknown.
    planned: dict[str, int] = {}
    listing = out / "mutants.json"
    if listing.exists():
        for m in json.loads(listing.read_text()):
            planned[m["file"]] = planned.get(m["file"], 0) + 1
    for f, outcomes in ran.items():
        if not outcomes:
            continue
        entry = results.get(f) if narrowed else None
        merged = dict(entry["outcomes"]) if entry else {}
        if merged:
            merged = relocate(merged, f)
        merged.update(outcomes)
        results[f] = {
            "commit": commit,
            "when": when,
            "narrowed": narrowed,
            "outcomes": merged,
        }
        if not narrowed and len(outcomes) < planned.get(f, 0):
            results[f]["partial"] = f"{len(outcomes)} of {planned[f]} mutants"
    RESULTS.write_text(json.dumps(dict(sorted(results.items())), indent=1) + "\n")
    return results


def relocate(old: dict[str, str], path: str) -> dict[str, str]:
    """A narrowed run's older outcomes of `path`, moved onto the mutants
    cargo-mutants makes of it now (`--list`): when code above them changed
    their lines moved, and the k-th mutant of a description (`replace <
    with <= in F`) today takes the k-th older outcome of it, the order
    within a file being what code elsewhere does not change. Mutants gone
    from the code are dropped. Without the listing, the older outcomes are
    kept as they are (the run's own outcomes still replace the same names)."""
    now = current_mutants(path)
    if now is None:
        return dict(old)
    earlier: dict[str, list[str]] = {}
    for m in sorted(old, key=by_line):
        earlier.setdefault(description(m), []).append(m)
    moved, seen = {}, {}
    for m in sorted(now, key=by_line):
        d = description(m)
        k = seen[d] = seen.get(d, -1) + 1
        if k < len(earlier.get(d, [])):
            moved[m] = old[earlier[d][k]]
    return moved


def current_mutants(path: str) -> list[str] | None:
    """Every mutant cargo-mutants makes of `path` today, or None when it
    cannot say."""
    try:
        p = subprocess.run(
            ["cargo", "mutants", "--list", "--file", path],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if p.returncode != 0:
        return None
    return [
        line.strip()
        for line in p.stdout.splitlines()
        if line.strip().startswith(path + ":")
    ]


def description(mutant: str) -> str:
    """The mutation without its place: `replace && with || in F`."""
    return mutant.split(": ", 1)[-1]


def by_line(mutant: str) -> tuple[str, int, int, str]:
    """Sort key: file, line, column, then the text."""
    f, line, col, rest = (mutant.split(":", 3) + ["0", "0", ""])[:4]
    num = lambda s: int(s) if s.isdigit() else 0
    return f, num(line), num(col), rest


def counts(outcomes: dict[str, str]) -> dict[str, int]:
    return {o: sum(1 for v in outcomes.values() if v == o) for o in OUTCOMES}


def main() -> None:
    out, files = pathlib.Path(sys.argv[1]), sys.argv[2:]
    narrowed = os.environ.get("MUTANTS_NARROWED") == "1"
    # MUTANTS_COMMIT: the run was made on another checkout of that commit.
    commit = (
        os.environ.get("MUTANTS_COMMIT")
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    )
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results = record(out, files, narrowed, commit, when)

    wanted = os.environ.get("MUTANTS_ALL", "").split() or sorted(results)
    rows, survivors = [], []
    total = {o: 0 for o in OUTCOMES}
    for f in wanted:
        entry = results.get(f)
        if not entry:
            rows.append(f"| `{f}` | not run yet | | | | |")
            continue
        c = counts(entry["outcomes"])
        for o in OUTCOMES:
            total[o] += c[o]
        viable = c["caught"] + c["missed"] + c["timeout"]
        how = entry["commit"] + (" (narrowed)" if entry["narrowed"] else "")
        if entry.get("partial"):
            how += f" (stopped early: {entry['partial']})"
        rows.append(
            f"| `{f}` | {how} | {c['caught'] + c['timeout']} of {viable}"
            f" | {c['missed']} | {c['timeout']} | {c['unviable']} |"
        )
        survivors += sorted(
            (m for m, o in entry["outcomes"].items() if o == "missed"), key=by_line
        )
    viable = total["caught"] + total["missed"] + total["timeout"]
    # A mutant that makes the tests hang is caught: the run fails.
    killed = total["caught"] + total["timeout"]
    not_run = [f for f in wanted if f not in results]
    body = [
        "## cargo-mutants",
        "",
        (
            f"Standing after the last run ({when}): each file's latest `make mutants` run,"
            " recorded in [mutants-results.json](mutants-results.json)."
        ),
        "",
        (
            f"- caught {killed} of {viable} viable mutants ({total['timeout']} of them by a"
            f" time-out); {total['unviable']} more did not build"
        ),
        f"- survivors: {len(survivors)}",
        "",
        "| file | commit | caught | survived | time-outs | unviable |",
        "|---|---|---:|---:|---:|---:|",
        *rows,
        "",
    ]
    body += [f"    {m}" for m in survivors] or ["No survivors."]
    replace_block(ROOT / "docs/mutants.md", "cargo-mutants", "\n".join(body))
    left = (
        " Not run yet: " + ", ".join(f"`{f}`" for f in not_run) + "." if not_run else ""
    )
    stopped = [
        f"`{f}` ({results[f]['partial']} counted)"
        for f in wanted
        if results.get(f, {}).get("partial")
    ]
    if stopped:
        left += " Runs stopped early: " + ", ".join(stopped) + "."
    replace_block(
        ROOT / "README.md",
        "mutants",
        f"Mutation testing (`make mutants`, standing on {when}): the tests catch {killed} of"
        f" {viable} viable mutants of the core's process, argument, lookup, exec and"
        " network-list files; each survivor, and why it is equivalent or how it was"
        " killed, is in [docs/mutants.md](docs/mutants.md)." + left,
    )


if __name__ == "__main__":
    main()
