"""Shared fixtures: the project's test plugin and its debug files.

The plugin comes from ``CNI_TEST_PLUGIN``, else ``<repo>/target/debug/
cni-test-plugin`` (``cargo build -p cni-test-plugin``). Its behaviour is
scripted by a JSON debug file named by ``DEBUG=`` in ``CNI_ARGS`` (see the
doc comment of tests/plugin/src/main.rs).
"""

from __future__ import annotations

import json
import os
import pathlib
import time
from typing import Any, Dict, Optional

import pytest

import cniinvoke

REPO = pathlib.Path(__file__).resolve().parents[3]


def _plugin_path() -> str:
    path = os.environ.get("CNI_TEST_PLUGIN") or str(REPO / "target" / "debug" / "cni-test-plugin")
    if not os.path.isfile(path):
        pytest.exit(
            f"test plugin not found at {path}: run `cargo build -p cni-test-plugin` "
            "or set CNI_TEST_PLUGIN",
            returncode=3,
        )
    return path


@pytest.fixture(scope="session")
def plugin() -> str:
    """Absolute path of the test plugin."""
    return _plugin_path()


CONF = {"cniVersion": "1.0.0", "name": "testnet", "type": "cni-test-plugin"}


class Script:
    """A debug file for one test: ``args(command)`` points the plugin at it,
    ``record`` is where the plugin writes what it saw."""

    def __init__(self, dir: pathlib.Path, **keys: Any) -> None:
        self.dir = dir
        self.file = dir / "debug.json"
        self.record = dir / "record.json"
        self.set(**keys)

    def set(self, **keys: Any) -> "Script":
        keys.setdefault("record", str(self.record))
        self.file.write_text(json.dumps(keys))
        return self

    def args(self, command: str = "ADD", **kw: Any) -> cniinvoke.Args:
        kw.setdefault("container_id", "ctr-1")
        kw.setdefault("netns", "/var/run/netns/test")
        kw.setdefault("if_name", "eth0")
        kw.setdefault("path", "/opt/cni/bin")
        return cniinvoke.Args(command=command, plugin_args=[("DEBUG", str(self.file))], **kw)

    def seen(self, wait: float = 0.0) -> Dict[str, Any]:
        """What the plugin recorded (waiting up to ``wait`` s for it)."""
        until = time.monotonic() + wait
        while not self.record.exists() and time.monotonic() < until:
            time.sleep(0.01)
        return json.loads(self.record.read_text())


@pytest.fixture
def script(tmp_path: pathlib.Path):
    """Factory: ``script(result=..., sleepMs=...)`` -> :class:`Script`."""
    counter = [0]

    def make(**keys: Any) -> Script:
        counter[0] += 1
        d = tmp_path / f"s{counter[0]}"
        d.mkdir()
        return Script(d, **keys)

    return make


def pid_gone(pid: int, wait: float = 1.0) -> bool:
    """True once ``pid`` no longer exists (killed and reaped)."""
    until = time.monotonic() + wait
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= until:
            return False
        time.sleep(0.01)


def pytest_report_header(config: Any) -> Optional[str]:
    return (
        f"cniinvoke from {os.path.dirname(cniinvoke.__file__)}; "
        f"test plugin {os.environ.get('CNI_TEST_PLUGIN', '(default)')}"
    )


@pytest.fixture
def net(tmp_path: pathlib.Path, plugin: str):
    """A scratch network for the list tests (see netsupport.py)."""
    from netsupport import Net

    return Net(tmp_path, plugin)
