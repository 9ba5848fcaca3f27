"""delegate_add / check / del / status / gc with the real test plugin."""

import os

import pytest

import cniinvoke
from conftest import CONF


@pytest.fixture
def on_cni_path(plugin, monkeypatch):
    monkeypatch.setenv("CNI_PATH", "/nonexistent:" + os.path.dirname(plugin))
    monkeypatch.setenv("CNI_ARGS", "")
    return os.path.basename(plugin)


def test_delegate_add(on_cni_path, script, monkeypatch):
    s = script(result={"cniVersion": "1.0.0", "ips": [{"address": "10.3.3.3/24"}]})
    monkeypatch.setenv("CNI_TEST_PLUGIN_DEBUG", str(s.file))
    monkeypatch.setenv("CNI_IFNAME", "eth7")
    r = cniinvoke.delegate_add(on_cni_path, CONF)
    assert r.to_dict()["ips"][0]["address"] == "10.3.3.3/24"
    env = s.seen()["env"]
    assert env["CNI_COMMAND"] == "ADD"
    assert env["CNI_IFNAME"] == "eth7"  # the rest of the environment is inherited


@pytest.mark.parametrize(
    "fn,verb",
    [
        (cniinvoke.delegate_check, "CHECK"),
        (cniinvoke.delegate_del, "DEL"),
        (cniinvoke.delegate_status, "STATUS"),
        (cniinvoke.delegate_gc, "GC"),
    ],
)
def test_delegate_verbs(on_cni_path, script, monkeypatch, fn, verb):
    s = script()
    monkeypatch.setenv("CNI_TEST_PLUGIN_DEBUG", str(s.file))
    monkeypatch.setenv("CNI_COMMAND", "ADD")
    assert fn(on_cni_path, CONF, timeout=10) is None
    assert s.seen()["env"]["CNI_COMMAND"] == verb


@pytest.mark.parametrize("verb", ["ADD", "CHECK", "DEL", "STATUS", "GC"])
def test_delegate_by_verb(on_cni_path, script, monkeypatch, verb):
    s = script(result={"cniVersion": "1.0.0", "ips": [{"address": "10.3.3.4/24"}]})
    monkeypatch.setenv("CNI_TEST_PLUGIN_DEBUG", str(s.file))
    r = cniinvoke.delegate(verb, on_cni_path, CONF)
    assert s.seen()["env"]["CNI_COMMAND"] == verb
    if verb == "ADD":
        assert r.to_dict()["ips"][0]["address"] == "10.3.3.4/24"
    else:
        assert r is None


def test_delegate_unknown_verb(on_cni_path):
    with pytest.raises(cniinvoke.InvalidArgumentError) as ei:
        cniinvoke.delegate("add", on_cni_path, CONF)
    assert ei.value.msg == 'unknown delegate verb "add": expected ADD, CHECK, DEL, STATUS or GC'


def test_delegate_real_plugin_mode(on_cni_path):
    r = cniinvoke.delegate_add(on_cni_path, dict(CONF, cniVersion="0.4.0"), cniinvoke.RawExec())
    assert r.cni_version == "0.4.0"
    cniinvoke.delegate_del(on_cni_path, CONF, exec=cniinvoke.DefaultExec())


def test_delegate_not_found(monkeypatch, tmp_path):
    monkeypatch.setenv("CNI_PATH", str(tmp_path))
    with pytest.raises(cniinvoke.PluginNotFoundError) as ei:
        cniinvoke.delegate_add("missing", CONF)
    assert ei.value.msg == f'failed to find plugin "missing" in path [{tmp_path}]'


def test_delegate_without_cni_path(monkeypatch):
    monkeypatch.delenv("CNI_PATH", raising=False)
    with pytest.raises(cniinvoke.InvalidArgumentError, match="no paths provided"):
        cniinvoke.delegate_check("x", CONF)


def test_delegate_plugin_error(on_cni_path, script, monkeypatch):
    s = script(error={"code": 11, "msg": "try again", "details": "busy"})
    monkeypatch.setenv("CNI_TEST_PLUGIN_DEBUG", str(s.file))
    with pytest.raises(cniinvoke.PluginError) as ei:
        cniinvoke.delegate_gc(on_cni_path, CONF)
    assert (ei.value.code, ei.value.msg, ei.value.details) == (11, "try again", "busy")
