#!/usr/bin/env python3
"""Write the API page of the ``cniinvoke`` package (docs/python-api.md).

The page is made from the installed package's own docstrings and
signatures, walking ``cniinvoke.__all__`` and ``cniinvoke.aio.__all__``, so
it says what ``help()`` says. Usage, with the venv that has the package::

    python bindings/python/gen_api_docs.py > docs/python-api.md

or ``--check FILE`` to exit 1 when FILE differs from what would be written.
"""

from __future__ import annotations

import inspect
import sys
from types import ModuleType
from typing import Any, Iterator

HEADER = """\
# Python API reference: `cniinvoke`

Generated from the package's docstrings by `bindings/python/gen_api_docs.py`
(do not edit by hand; a test fails when this page is stale). The same text
is what `help(cniinvoke.NAME)` shows.
"""


def public_members(cls: type) -> Iterator[tuple[str, Any]]:
    """The class's own public methods and attributes, by name (a compiled
    class's attribute order is not stable from one import to the next)."""
    for name, value in sorted(vars(cls).items()):
        if name.startswith("_"):
            continue
        yield name, value


def signature(obj: Any) -> str:
    """``(args)`` of a callable, or "" when it has none to show."""
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ""


def doc(obj: Any) -> str:
    """The object's own docstring, dedented (never a base class's)."""
    text = obj.__dict__.get("__doc__") if isinstance(obj, type) else obj.__doc__
    return inspect.cleandoc(text or "")


def member_kind(value: Any) -> str:
    if isinstance(value, (staticmethod, classmethod)):
        return "method"
    if inspect.isroutine(value):
        return "method"
    return "attribute"


def class_section(qual: str, cls: type) -> list[str]:
    bases = [b.__name__ for b in cls.__bases__ if b is not object]
    head = f"### class `{qual}{signature(cls)}`"
    out = [head, ""]
    if bases:
        out += [f"Bases: {', '.join(f'`{b}`' for b in bases)}", ""]
    out += [doc(cls), ""]
    for name, value in public_members(cls):
        raw = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        if member_kind(value) == "method":
            bound = getattr(cls, name)
            out += [f"#### `{qual}.{name}{signature(bound)}`", ""]
        else:
            out += [f"#### `{qual}.{name}`", ""]
        out += [inspect.cleandoc(getattr(raw, "__doc__", None) or ""), ""]
    return out


def value_section(qual: str, value: Any) -> list[str]:
    return [f"### `{qual}`", "", f"`{value!r}`", ""]


def module_section(mod: ModuleType) -> list[str]:
    out = [f"## Module `{mod.__name__}`", "", inspect.cleandoc(mod.__doc__ or ""), ""]
    for name in mod.__all__:
        obj = getattr(mod, name)
        qual = f"{mod.__name__}.{name}"
        if inspect.isclass(obj):
            out += class_section(qual, obj)
        elif callable(obj):
            out += [f"### `{qual}{signature(obj)}`", "", doc(obj), ""]
        else:
            out += value_section(qual, obj)
    return out


def page() -> str:
    import cniinvoke
    import cniinvoke.aio

    lines = [HEADER]
    for mod in (cniinvoke, cniinvoke.aio):
        lines += module_section(mod)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    text = page()
    if len(argv) == 2 and argv[0] == "--check":
        with open(argv[1], encoding="utf-8") as f:
            if f.read() == text:
                return 0
        print(f"{argv[1]} is stale: rerun {__file__}", file=sys.stderr)
        return 1
    if argv:
        print(__doc__, file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
