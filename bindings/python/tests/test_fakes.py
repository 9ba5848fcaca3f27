"""Duck-typed executors (upstream's fake pattern)."""

import json
import os
import time

import pytest

import cniinvoke
from conftest import CONF

RESULT = b'{"cniVersion":"1.0.0","ips":[{"address":"10.9.9.9/24"}]}'


class FakeExec:
    def __init__(self, stdout=RESULT, raise_exc=None):
        self.stdout = stdout
        self.raise_exc = raise_exc
        self.calls = []
        self.find_calls = []
        self.decode_calls = []

    def exec_plugin(self, plugin_path, stdin_data, environ):
        self.calls.append((plugin_path, stdin_data, environ))
        if self.raise_exc is not None:
            raise self.raise_exc
        return self.stdout

    def find_in_path(self, plugin, paths):
        self.find_calls.append((plugin, paths))
        return "/fake/bin/" + plugin

    def decode(self, data):
        self.decode_calls.append(data)
        doc = json.loads(data)
        return cniinvoke.PluginInfo(doc["cniVersion"], doc["supportedVersions"])


def test_fake_receives_path_stdin_env():
    fake = FakeExec()
    args = cniinvoke.Args(command="ADD", container_id="c1", netns="/ns", if_name="eth0", path="/p")
    r = cniinvoke.exec_plugin_with_result("/some/plugin", CONF, args, fake)
    assert r.to_dict()["ips"][0]["address"] == "10.9.9.9/24"
    ((path, stdin, environ),) = fake.calls
    assert path == "/some/plugin"
    assert isinstance(stdin, bytes) and json.loads(stdin) == CONF
    assert isinstance(environ, list)
    assert "CNI_COMMAND=ADD" in environ and "CNI_CONTAINERID=c1" in environ


def test_fake_with_inherited_args_gets_none():
    fake = FakeExec()
    cniinvoke.exec_plugin_without_result("/p", CONF, cniinvoke.args_from_env(), exec=fake)
    assert fake.calls[0][2] is None


def test_fake_may_return_str_or_bytearray():
    for out in (RESULT.decode(), bytearray(RESULT)):
        r = cniinvoke.exec_plugin_with_result("/p", CONF, cniinvoke.Args(), FakeExec(out))
        assert r.cni_version == "1.0.0"


def test_exception_reaches_caller_unchanged():
    class Boom(Exception):
        pass

    exc = Boom("from the fake")
    with pytest.raises(Boom) as ei:
        cniinvoke.exec_plugin_with_result("/p", CONF, cniinvoke.Args(), FakeExec(raise_exc=exc))
    assert ei.value is exc
    with pytest.raises(Boom) as ei:
        cniinvoke.get_version_info("/p", FakeExec(raise_exc=exc))
    assert ei.value is exc


class Refused(cniinvoke.PluginError):
    """A caller's own error type with fields of its own."""

    def __init__(self, reason, retry_after):
        super().__init__("refused: " + reason, 11, "busy")
        self.reason = reason
        self.retry_after = retry_after


def test_custom_error_type_with_extra_fields_comes_back_identical(monkeypatch, plugin):
    exc = Refused("quota", retry_after=2.5)
    calls = [
        lambda fake: cniinvoke.exec_plugin_with_result("/p", CONF, cniinvoke.Args(), fake),
        lambda fake: cniinvoke.exec_plugin_without_result("/p", CONF, cniinvoke.Args(), fake),
        lambda fake: cniinvoke.get_version_info("/p", fake),
        lambda fake: cniinvoke.delegate_del("bridge", CONF, fake),
    ]
    monkeypatch.setenv("CNI_PATH", "/nonexistent")
    for call in calls:
        with pytest.raises(Refused) as ei:
            call(FakeExec(raise_exc=exc))
        assert ei.value is exc
        assert (ei.value.reason, ei.value.retry_after) == ("quota", 2.5)
        assert (ei.value.code, ei.value.msg, ei.value.details) == (11, "refused: quota", "busy")


def test_error_of_a_nested_call_reraised_by_the_fake_is_identical(plugin, script):
    """A fake that runs the real plugin through RawExec and lets its
    PluginError escape: the caller gets that very exception object."""
    s = script(exitCode=1, stdout='{"code":7,"msg":"inner failure"}')
    raw = cniinvoke.RawExec()
    seen = []

    class Wrapping:
        def exec_plugin(self, plugin_path, stdin_data, environ):
            try:
                return raw.exec_plugin(plugin_path, stdin_data, environ)
            except cniinvoke.PluginError as e:
                seen.append(e)
                raise

    with pytest.raises(cniinvoke.PluginError) as ei:
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), Wrapping())
    assert seen and ei.value is seen[0]
    assert (ei.value.code, ei.value.msg) == (7, "inner failure")


def test_cni_errors_from_fake_unchanged():
    exc = cniinvoke.PluginError("nope", 11, "try later")
    with pytest.raises(cniinvoke.PluginError) as ei:
        cniinvoke.exec_plugin_without_result("/p", CONF, cniinvoke.Args(), FakeExec(raise_exc=exc))
    assert ei.value is exc
    assert (ei.value.code, ei.value.details, ei.value.exit_status) == (11, "try later", None)


def test_keyboard_interrupt_inside_fake_unchanged():
    exc = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt) as ei:
        cniinvoke.exec_plugin_without_result("/p", CONF, cniinvoke.Args(), FakeExec(raise_exc=exc))
    assert ei.value is exc


def test_old_plugin_fallback_through_fake():
    fake = FakeExec(raise_exc=cniinvoke.PluginError("unknown CNI_COMMAND: VERSION", 4))
    info = cniinvoke.get_version_info("/p", fake)
    assert info.supported_versions == ["0.1.0"]


def test_get_version_info_uses_fake_decode():
    fake = FakeExec(stdout=b'{"cniVersion":"0.4.0","supportedVersions":["0.3.1","0.4.0"]}')
    info = cniinvoke.get_version_info("/p", fake)
    assert fake.decode_calls == [b'{"cniVersion":"0.4.0","supportedVersions":["0.3.1","0.4.0"]}']
    assert (info.cni_version, info.supported_versions) == ("0.4.0", ["0.3.1", "0.4.0"])
    stdin = json.loads(fake.calls[0][1])
    assert stdin == {"cniVersion": "1.1.0"}
    assert "CNI_COMMAND=VERSION" in fake.calls[0][2]


def test_decode_object_returned_as_is():
    sentinel = cniinvoke.PluginInfo("1.0.0", ["1.0.0"])

    class F(FakeExec):
        def decode(self, data):
            return sentinel

    assert cniinvoke.get_version_info("/p", F(stdout=b"{}")) is sentinel


def test_decode_must_return_plugininfo():
    class F(FakeExec):
        def decode(self, data):
            return {"cniVersion": "1.0.0"}

    with pytest.raises(TypeError, match="decode\\(\\) must return a cniinvoke.PluginInfo"):
        cniinvoke.get_version_info("/p", F(stdout=b"{}"))


def test_exec_plugin_must_return_bytes():
    with pytest.raises(TypeError, match="exec_plugin\\(\\) must return bytes, not int"):
        cniinvoke.exec_plugin_with_result("/p", CONF, cniinvoke.Args(), FakeExec(stdout=42))


def test_delegate_uses_fake_find(monkeypatch):
    monkeypatch.setenv("CNI_PATH", "/a:/b")
    fake = FakeExec()
    r = cniinvoke.delegate_add("bridge", CONF, fake)
    assert r.cni_version == "1.0.0"
    assert fake.find_calls == [("bridge", ["/a", "/b"])]
    assert fake.calls[0][0] == "/fake/bin/bridge"
    assert "CNI_COMMAND=ADD" in fake.calls[0][2]
    for verb, fn in [
        ("CHECK", cniinvoke.delegate_check),
        ("DEL", cniinvoke.delegate_del),
        ("STATUS", cniinvoke.delegate_status),
        ("GC", cniinvoke.delegate_gc),
    ]:
        fake = FakeExec()
        assert fn("bridge", CONF, exec=fake) is None
        assert f"CNI_COMMAND={verb}" in fake.calls[0][2]


def test_exception_in_find_unchanged(monkeypatch):
    monkeypatch.setenv("CNI_PATH", "/a")
    exc = LookupError("no such plugin here")

    class F(FakeExec):
        def find_in_path(self, plugin, paths):
            raise exc

    with pytest.raises(LookupError) as ei:
        cniinvoke.delegate_del("x", CONF, F())
    assert ei.value is exc


def test_fake_without_find_and_decode_uses_library(monkeypatch, plugin):
    class Minimal:
        def exec_plugin(self, plugin_path, stdin_data, environ):
            return b'{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}'

    info = cniinvoke.get_version_info("/p", Minimal())
    assert info.supported_versions == ["1.0.0"]
    monkeypatch.setenv("CNI_PATH", os.path.dirname(plugin))
    cniinvoke.delegate_check(os.path.basename(plugin), CONF, Minimal())
    monkeypatch.setenv("CNI_PATH", "/nonexistent")
    with pytest.raises(cniinvoke.PluginNotFoundError):
        cniinvoke.delegate_check("nope", CONF, Minimal())


def test_fake_wrapping_rawexec_runs_under_call_context(plugin, script):
    """A fake that delegates to RawExec: the inner run obeys the outer
    call's timeout without being handed a context."""
    s = script(sleepMs=10_000)
    raw = cniinvoke.RawExec()

    class Wrapping:
        def exec_plugin(self, plugin_path, stdin_data, environ):
            return raw.exec_plugin(plugin_path, stdin_data, environ)

    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginTimeoutError):
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), Wrapping(), timeout=0.3)
    assert time.monotonic() - t0 < 1.5


def test_not_an_exec():
    with pytest.raises(
        TypeError,
        match="exec must be a cniinvoke.RawExec, DefaultExec or an object with exec_plugin",
    ):
        cniinvoke.exec_plugin_with_result("/p", CONF, cniinvoke.Args(), object())
