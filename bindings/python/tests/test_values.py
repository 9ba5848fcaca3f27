"""Result, PluginInfo, convert_result and the exception hierarchy."""

import json
import pickle

import pytest

import cniinvoke

R100 = {
    "cniVersion": "1.0.0",
    "interfaces": [{"name": "eth0", "mac": "00:11:22:33:44:55", "sandbox": "/ns"}],
    "ips": [{"address": "10.1.2.3/24", "gateway": "10.1.2.1", "interface": 0}],
    "dns": {},
}


def test_result_from_json_forms():
    for data in (json.dumps(R100), json.dumps(R100).encode(), R100):
        r = cniinvoke.Result.from_json(data)
        assert r.cni_version == "1.0.0"
        assert r.to_dict()["ips"][0]["address"] == "10.1.2.3/24"
        assert json.loads(r.to_json()) == r.to_dict()
        assert json.loads(r.to_json(pretty=True)) == r.to_dict()
        assert str(r) == r.to_json()


def test_result_is_frozen_and_comparable():
    a = cniinvoke.Result.from_json(R100)
    b = cniinvoke.Result.from_json(json.dumps(R100))
    assert a == b and hash(a) == hash(b)
    assert a != "x"
    with pytest.raises(AttributeError):
        a.cni_version = "0.4.0"
    assert "cniinvoke.Result" in repr(a)
    d = a.to_dict()
    d["ips"] = []
    assert a.to_dict()["ips"]  # to_dict hands out a copy


def test_result_decode_error():
    with pytest.raises(cniinvoke.DecodeError):
        cniinvoke.Result.from_json(b"{oops")


def test_as_version_returns_result():
    r = cniinvoke.Result.from_json(R100).as_version("1.1.0")
    assert isinstance(r, cniinvoke.Result)
    assert r.cni_version == "1.1.0"


def test_convert_result_accepts_result_and_json():
    r = cniinvoke.Result.from_json(R100)
    for src in (r, R100, json.dumps(R100), json.dumps(R100).encode()):
        out = cniinvoke.convert_result(src, "1.1.0")
        assert out.cni_version == "1.1.0"


def test_as_version_converts_to_040():
    r = cniinvoke.Result.from_json(R100).as_version("0.4.0")
    d = r.to_dict()
    assert r.cni_version == "0.4.0" and d["cniVersion"] == "0.4.0"
    assert d["ips"][0]["version"] == "4"
    assert d["ips"][0]["address"] == "10.1.2.3/24"


def test_convert_result_to_020_and_back():
    old = cniinvoke.convert_result(R100, "0.2.0").to_dict()
    assert old["cniVersion"] == "0.2.0"
    assert old["ip4"]["ip"] == "10.1.2.3/24"
    back = cniinvoke.convert_result(old, "1.0.0").to_dict()
    assert back["ips"][0]["address"] == "10.1.2.3/24"


def test_unsupported_conversion():
    with pytest.raises(cniinvoke.UnsupportedVersionError):
        cniinvoke.Result.from_json(R100).as_version("7.0.0")
    with pytest.raises(cniinvoke.UnsupportedVersionError):
        cniinvoke.Result.from_json(dict(R100, cniVersion="9.9.9"))


def test_plugin_info():
    p = cniinvoke.PluginInfo("1.0.0", ["0.4.0", "1.0.0"])
    assert p.cni_version == "1.0.0"
    assert p.supported_versions == ["0.4.0", "1.0.0"]
    p.supported_versions.append("x")  # a copy
    assert p.supported_versions == ["0.4.0", "1.0.0"]
    assert p.to_dict() == {"cniVersion": "1.0.0", "supportedVersions": ["0.4.0", "1.0.0"]}
    assert json.loads(p.to_json()) == p.to_dict()
    assert p == cniinvoke.PluginInfo("1.0.0", ("0.4.0", "1.0.0"))
    assert hash(p) == hash(cniinvoke.PluginInfo("1.0.0", ["0.4.0", "1.0.0"]))
    assert "PluginInfo" in repr(p)
    with pytest.raises(AttributeError):
        p.cni_version = "x"
    with pytest.raises(TypeError):
        cniinvoke.PluginInfo("1.0.0", "1.0.0")
    q = cniinvoke.PluginInfo.decode(p.to_json())
    assert q == p


def test_constants():
    assert cniinvoke.ALL_VERSIONS == ("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")
    assert cniinvoke.CURRENT_VERSION == "1.1.0"


HIERARCHY = [
    (cniinvoke.PluginNotFoundError, ()),
    (cniinvoke.PluginError, ()),
    (cniinvoke.PluginExecError, ()),
    (cniinvoke.DecodeError, ()),
    (cniinvoke.UnsupportedVersionError, ()),
    (cniinvoke.PluginTimeoutError, (TimeoutError,)),
    (cniinvoke.PluginCancelledError, ()),
    (cniinvoke.InvalidArgumentError, (ValueError,)),
]


@pytest.mark.parametrize("cls,extra", HIERARCHY, ids=[c.__name__ for c, _ in HIERARCHY])
def test_exception_hierarchy(cls, extra):
    e = cls("message", 3, "details")
    assert isinstance(e, cniinvoke.CNIError) and isinstance(e, Exception)
    for base in extra:
        assert isinstance(e, base)
    assert (e.code, e.msg, e.details) == (3, "message", "details")
    assert str(e) == "message; details"
    assert cls.__module__ == "cniinvoke"
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is cls and (again.code, again.msg, again.details) == (
        3,
        "message",
        "details",
    )
    assert cls.__doc__


def test_exception_defaults_and_json():
    e = cniinvoke.CNIError("m")
    assert (e.code, e.msg, e.details) == (0, "m", "")
    assert str(e) == "m"
    assert e.to_json() == '{"code":0,"msg":"m"}'
    assert cniinvoke.PluginError(msg="x", code=2).code == 2
    assert cniinvoke.PluginError("x").exit_status is None
    p = cniinvoke.PluginError("x", 1, "d", exit_status="signal: killed")
    assert pickle.loads(pickle.dumps(p)).exit_status == "signal: killed"
    assert repr(e) == "CNIError(msg='m', code=0, details='')"
