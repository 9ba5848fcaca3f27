"""Every public name documented in its own words, and docs/python-api.md
made from those docstrings and up to date."""

from __future__ import annotations

import inspect
import subprocess
import sys

import cniinvoke
from cniinvoke import aio
from conftest import REPO

GENERATOR = REPO / "bindings" / "python" / "gen_api_docs.py"
PAGE = REPO / "docs" / "python-api.md"


def own_doc(obj) -> str:
    """The docstring written for ``obj`` itself, not one it inherits."""
    if inspect.isclass(obj):
        return obj.__dict__.get("__doc__") or ""
    return getattr(obj, "__doc__", None) or ""


def public(module):
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isclass(obj) or callable(obj):
            yield f"{module.__name__}.{name}", obj


def members(cls):
    for name, value in vars(cls).items():
        if not name.startswith("_"):
            yield name, getattr(value, "__func__", value)


def test_every_public_name_has_its_own_docstring():
    missing = []
    for module in (cniinvoke, aio):
        assert own_doc(module).strip(), module.__name__
        for qual, obj in public(module):
            if not own_doc(obj).strip():
                missing.append(qual)
            if inspect.isclass(obj):
                for name, member in members(obj):
                    if not own_doc(member).strip():
                        missing.append(f"{qual}.{name}")
    assert missing == []


def test_an_undocumented_name_is_caught():
    """The walk above sees through inheritance: a subclass without its own
    docstring counts as undocumented."""

    class Quiet(cniinvoke.CNIError):
        pass

    assert inspect.getdoc(Quiet) and not own_doc(Quiet)


def test_cniconfig_reads_as_a_manual():
    text = own_doc(cniinvoke.CNIConfig)
    for part in ("Arguments:", "Raises", "Example::", "add_network_list("):
        assert part in text, part
    for name in ("add_network_list", "check_network_list", "del_network_list"):
        assert "Returns" in own_doc(getattr(cniinvoke.CNIConfig, name)), name


def test_api_page_is_up_to_date():
    out = subprocess.run(
        [sys.executable, str(GENERATOR), "--check", str(PAGE)],
        capture_output=True,
        text=True,
        cwd=REPO.parent,
    )
    assert out.returncode == 0, (
        f"{out.stderr}run: {sys.executable} {GENERATOR} > {PAGE}"
    )


def test_api_page_covers_every_public_name():
    page = PAGE.read_text()
    for module in (cniinvoke, aio):
        for name in module.__all__:
            assert f"`{module.__name__}.{name}" in page, name


def example(obj) -> str:
    """The code of the ``Example::`` block of ``obj``'s docstring."""
    text = inspect.cleandoc(own_doc(obj))
    block = text.split("Example::", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line and not line.startswith("    "):
            break
        lines.append(line[4:])
    return "\n".join(lines)


def test_self_contained_examples_run():
    """The examples that need no plugin or host state run as written."""
    for obj in (
        cniinvoke.Args,
        cniinvoke.PluginConfig,
        cniinvoke.NetworkConfigList,
        cniinvoke.RuntimeConf,
        cniinvoke.Result,
    ):
        code = example(obj)
        assert "cniinvoke." in code, obj
        exec(compile(code, f"<example of {obj.__name__}>", "exec"), {"cniinvoke": cniinvoke})
