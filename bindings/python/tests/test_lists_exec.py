"""A Python executor (upstream's duck-typed fake pattern) driving the list
operations: what each plugin is sent, and its exceptions coming back as a
list failure's __cause__, unchanged."""

from __future__ import annotations

import json
import pathlib
from typing import Any, List, Optional

import pytest

import cniinvoke

LIST = {
    "cniVersion": "1.0.0",
    "name": "fnet",
    "plugins": [{"type": "a"}, {"type": "b", "capabilities": {"mac": True}}],
}


class ListFake:
    """Answers ADD with the previous result plus one address; records every
    call as (command, plugin_path, configuration)."""

    def __init__(self, fail_on: Optional[str] = None, exc: Optional[BaseException] = None):
        self.calls: List[Any] = []
        self.fail_on = fail_on
        self.exc = exc

    def exec_plugin(self, plugin_path, stdin_data, environ):
        env = dict(e.split("=", 1) for e in environ)
        conf = json.loads(stdin_data)
        command = env["CNI_COMMAND"]
        self.calls.append((command, plugin_path, conf))
        if self.fail_on == plugin_path and self.exc is not None:
            raise self.exc
        if command == "VERSION":
            return b'{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}'
        if command != "ADD":
            return b""
        prev = conf.get("prevResult") or {"ips": []}
        ips = prev["ips"] + [{"address": f"10.0.0.{len(prev['ips']) + 2}/24"}]
        return json.dumps({"cniVersion": conf["cniVersion"], "ips": ips}).encode()

    def find_in_path(self, plugin, paths):
        return f"/fake/{plugin}"

    def decode(self, data):
        return cniinvoke.PluginInfo.decode(data)


def cfg_of(tmp_path: pathlib.Path, fake: Any, **kw: Any) -> cniinvoke.CNIConfig:
    return cniinvoke.CNIConfig(["/fake"], tmp_path / "cache", fake, cache_sync=False, **kw)


RT = cniinvoke.RuntimeConf(
    container_id="c1", netns="/n", if_name="eth0", capability_args={"mac": "m", "x": 1}
)


def test_fake_drives_the_chain_and_the_cache(tmp_path):
    fake = ListFake()
    cfg = cfg_of(tmp_path, fake)
    assert cfg.exec is fake
    r = cfg.add_network_list(LIST, RT)
    assert [ip["address"] for ip in r.to_dict()["ips"]] == ["10.0.0.2/24", "10.0.0.3/24"]
    (a, b) = fake.calls
    assert (a[0], a[1], b[0], b[1]) == ("ADD", "/fake/a", "ADD", "/fake/b")
    assert a[2] == {"cniVersion": "1.0.0", "name": "fnet", "type": "a"}
    assert b[2]["prevResult"] == json.loads(
        json.dumps({"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.2/24"}]})
    )
    assert b[2]["runtimeConfig"] == {"mac": "m"}
    assert cfg.get_network_list_cached_result(LIST, RT) == r
    assert (tmp_path / "cache" / "results" / "fnet-c1-eth0").exists()

    fake.calls.clear()
    cfg.check_network_list(LIST, RT)
    cfg.del_network_list(LIST, RT)
    assert [(c[0], c[1]) for c in fake.calls] == [
        ("CHECK", "/fake/a"),
        ("CHECK", "/fake/b"),
        ("DEL", "/fake/b"),
        ("DEL", "/fake/a"),
    ]
    assert cfg.validate_network_list(LIST) == ["mac"]
    assert cfg.get_version_info("a").supported_versions == ["0.4.0", "1.0.0"]


def test_fakes_exception_is_the_cause_unchanged(tmp_path):
    boom = RuntimeError("boom")
    cfg = cfg_of(tmp_path, ListFake(fail_on="/fake/b", exc=boom))
    with pytest.raises(cniinvoke.PluginExecError) as ei:
        cfg.add_network_list(LIST, RT)
    assert str(ei.value) == 'plugin type="b" failed (add): boom'
    assert ei.value.__cause__ is boom
    assert not (tmp_path / "cache" / "results" / "fnet-c1-eth0").exists()

    own = cniinvoke.PluginError("no way", 11, "because")
    cfg = cfg_of(tmp_path, ListFake(fail_on="/fake/a", exc=own))
    with pytest.raises(cniinvoke.PluginError) as ei:
        cfg.add_network_list(LIST, RT)
    assert ei.value.code == 11
    assert str(ei.value) == 'plugin type="a" failed (add): no way; because'
    assert ei.value.__cause__ is own

    # A single plugin's operation raises the exception itself.
    cfg = cfg_of(tmp_path, ListFake(fail_on="/fake/a", exc=own))
    with pytest.raises(cniinvoke.PluginError) as ei:
        cfg.add_network({"cniVersion": "1.0.0", "name": "n", "type": "a"}, RT)
    assert ei.value is own


def test_fake_decode_object_returned_as_is(tmp_path):
    sentinel = cniinvoke.PluginInfo("1.0.0", ["1.0.0"])

    class F(ListFake):
        def decode(self, data):
            return sentinel

    assert cfg_of(tmp_path, F()).get_version_info("a") is sentinel


def test_raw_and_default_exec_serve_a_config(net):
    for exec in (cniinvoke.RawExec(), cniinvoke.DefaultExec()):
        cfg = net.cfg(exec=exec)
        assert cfg.exec is exec
        lst = net.list("net1", "1.0.0", ["alpha"])
        cfg.add_network_list(lst, net.rt("ctr1"))
        cfg.del_network_list(lst, net.rt("ctr1"))
    assert net.steps("ctr1") == ["ADD alpha", "DEL alpha"] * 2


def test_keyboard_interrupt_inside_fake_leaves_unwrapped(tmp_path):
    exc = KeyboardInterrupt()
    cfg = cfg_of(tmp_path, ListFake(fail_on="/fake/b", exc=exc))
    with pytest.raises(KeyboardInterrupt) as ei:
        cfg.add_network_list(LIST, RT)
    assert ei.value is exc


def test_nested_raw_exec_obeys_the_lists_context(net):
    """A fake delegating to RawExec (no ctx= of its own): cancelling the
    list's context kills the plugin that the fake started."""
    import threading
    import time

    from conftest import pid_gone

    record = net.root / "record.json"

    class Delegating:
        def __init__(self):
            self.raw = cniinvoke.RawExec()

        def exec_plugin(self, plugin_path, stdin_data, environ):
            return self.raw.exec_plugin(plugin_path, stdin_data, environ)

    slow = {"type": "beta", "debug": {"sleepMs": 10_000, "record": str(record)}}
    lst = net.list("net1", "1.0.0", ["alpha", slow])
    ctx = cniinvoke.Context()

    def cancel_when_started():
        while not record.exists():
            time.sleep(0.01)
        ctx.cancel()

    t = threading.Thread(target=cancel_when_started)
    t.start()
    with pytest.raises(cniinvoke.PluginCancelledError):
        net.cfg(exec=Delegating()).add_network_list(lst, net.rt("ctr1"), ctx=ctx, timeout=20)
    t.join()
    assert pid_gone(json.loads(record.read_text())["pid"])
    assert not net.entry("net1", "ctr1").exists()
