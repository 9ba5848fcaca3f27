#!/usr/bin/env python3
"""Writes a cargo-mutants run into docs/mutants.md and the README.

Usage: mutants-report.py OUTPUT_DIR FILE...

OUTPUT_DIR is cargo-mutants' `mutants.out`; FILE... the source files it
mutated. The "cargo-mutants" section of docs/mutants.md (between its
markers) gets the counts and every surviving mutant; the README's
mutation block gets the caught/total figure. Survivors judged equivalent
are listed, with the reason, in the "Equivalent survivors" section of
docs/mutants.md, which this script leaves alone.
"""

import datetime
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def lines(out: pathlib.Path, name: str) -> list[str]:
    p = out / name
    return [l for l in p.read_text().splitlines() if l.strip()] if p.exists() else []


def replace_block(path: pathlib.Path, tag: str, body: str) -> None:
    text = path.read_text()
    begin, end = f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"
    block = f"{begin}\n{body.rstrip()}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def default_files() -> list[str]:
    """What a full run covers: the Makefile's MUTANTS_ALL, which `make
    mutants` passes in the environment (expanded by make)."""
    return os.environ.get("MUTANTS_ALL", "").split()


def main() -> None:
    out, files = pathlib.Path(sys.argv[1]), sys.argv[2:]
    left = [f for f in default_files() if f not in files]
    not_run = (
        " Not in this run: " + ", ".join(f"`{f}`" for f in left) + "."
        if left
        else ""
    )
    caught, missed = lines(out, "caught.txt"), lines(out, "missed.txt")
    timeout, unviable = lines(out, "timeout.txt"), lines(out, "unviable.txt")
    viable = len(caught) + len(missed) + len(timeout)
    # A mutant that makes the tests hang is caught: the run fails.
    killed = len(caught) + len(timeout)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = [
        "## cargo-mutants",
        "",
        f"Last run: `make mutants` ({when}, commit {commit}) over "
        + ", ".join(f"`{f}`" for f in files)
        + "." + not_run,
        "",
        f"- caught {killed} of {viable} viable mutants"
        f" ({len(caught)} by a failing test, {len(timeout)} by a time-out);"
        f" {len(unviable)} more did not build",
        f"- survivors: {len(missed)}",
        "",
    ]
    body += [f"    {m}" for m in missed] or ["None."]
    replace_block(ROOT / "docs/mutants.md", "cargo-mutants", "\n".join(body))
    replace_block(
        ROOT / "README.md",
        "mutants",
        f"Mutation testing (`make mutants`, {when}): the tests catch {killed} of"
        f" {viable} mutants of " + ", ".join(f"`{f}`" for f in files)
        + "; the survivors, and why each is equivalent or how it was killed,"
        " are in [docs/mutants.md](docs/mutants.md)." + not_run,
    )


if __name__ == "__main__":
    main()
