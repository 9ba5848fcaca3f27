"""The installed wheel: abi3 extension, stubs, py.typed (docstrings:
test_docs.py)."""

import inspect
import os

import cniinvoke
from cniinvoke import _native


def test_installed_not_source_tree():
    assert "site-packages" in cniinvoke.__file__


def test_abi3_extension_stubs_and_marker():
    files = os.listdir(os.path.dirname(cniinvoke.__file__))
    assert any(f.startswith("_native") and f.endswith(".abi3.so") for f in files), files
    for f in ("py.typed", "__init__.pyi", "_native.pyi"):
        assert f in files


def test_stub_covers_every_name():
    stub = open(os.path.join(os.path.dirname(cniinvoke.__file__), "__init__.pyi")).read()
    for name in cniinvoke.__all__:
        assert f" as {name}\n" in stub, name
    native_stub = open(os.path.join(os.path.dirname(_native.__file__), "_native.pyi")).read()
    for name in dir(_native):
        if not name.startswith("_"):
            assert name in native_stub, name


def test_signatures_visible():
    sig = inspect.signature(cniinvoke.exec_plugin_with_result)
    assert list(sig.parameters) == ["plugin_path", "netconf", "args", "exec", "ctx", "timeout"]
    assert sig.parameters["timeout"].kind is inspect.Parameter.KEYWORD_ONLY


def test_stubs_match_runtime(tmp_path):
    """mypy's stubtest: the .pyi stubs describe the module as it is."""
    import subprocess
    import sys

    import pytest

    pytest.importorskip("mypy.stubtest")
    out = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "--mypy-config-file", os.devnull, "cniinvoke"],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
    )
    assert out.returncode == 0, out.stdout + out.stderr
