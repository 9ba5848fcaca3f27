"""The wheel as a user gets it: a manylinux tag, installable with pip into a
fresh venv outside the repository, importable and working there."""

from __future__ import annotations

import glob
import json
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

from conftest import REPO

# The glibc floor of the extension (pyproject.toml's [tool.maturin]).
TAG = "manylinux_2_34"


@pytest.fixture(scope="module")
def wheel() -> pathlib.Path:
    """The wheel make-venv.sh built (CNI_PY_WHEEL names another one)."""
    named = os.environ.get("CNI_PY_WHEEL")
    if named:
        return pathlib.Path(named)
    found = glob.glob(str(REPO / "bindings/python/target/wheels/cniinvoke-*-manylinux_*.whl"))
    if len(found) != 1:
        pytest.fail(f"expected one wheel from make-venv.sh, found {found}")
    return pathlib.Path(found[0])


def test_wheel_has_the_manylinux_tag(wheel):
    assert wheel.name.startswith("cniinvoke-0.1.0-cp39-abi3-"), wheel.name
    with zipfile.ZipFile(wheel) as z:
        meta = z.read("cniinvoke-0.1.0.dist-info/WHEEL").decode()
    tags = [line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Tag: ")]
    assert tags and all(f"-{TAG}_" in t for t in tags), tags


def test_fresh_venv_outside_the_repo_installs_imports_and_runs(wheel, tmp_path, plugin):
    assert REPO not in tmp_path.resolve().parents
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    # pip itself decides whether the tag fits this interpreter and platform.
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(pip + ["--no-index", "--no-deps", str(wheel)], check=True, cwd=tmp_path)
    program = (
        "import json, sys, cniinvoke\n"
        "info = cniinvoke.get_version_info(sys.argv[1], timeout=30)\n"
        "print(json.dumps({'file': cniinvoke.__file__,"
        " 'versions': info.supported_versions}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out = subprocess.run(
        [python, "-c", program, plugin],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    got = json.loads(out.stdout)
    assert pathlib.Path(got["file"]).is_relative_to(venv), got["file"]
    assert "1.0.0" in got["versions"]
