"""The configuration value types and functions: NetworkConfigList,
PluginConfig, RuntimeConf, load_network_conf, conf_files, inject_conf,
conf_list_from_conf; their errors and argument checks."""

from __future__ import annotations

import json
import pathlib

import pytest

import cniinvoke

LIST = {
    "cniVersion": "1.0.0",
    "name": "net1",
    "plugins": [
        {"type": "bridge", "name": "own", "capabilities": {"mac": True, "ips": False}},
        {"type": "tuning"},
    ],
}


def test_list_fields_bytes_and_plugins():
    text = json.dumps(LIST)
    for form in (text, text.encode(), bytearray(text.encode()), LIST):
        lst = cniinvoke.NetworkConfigList.from_bytes(form)
        assert (lst.name, lst.cni_version) == ("net1", "1.0.0")
        assert not (lst.disable_check or lst.disable_gc or lst.load_only_inlined_plugins)
    lst = cniinvoke.NetworkConfigList.from_bytes(text)
    assert lst.bytes == text.encode()
    assert lst.to_dict() == LIST
    p0, p1 = lst.plugins
    assert isinstance(p0, cniinvoke.PluginConfig)
    assert (p0.type, p0.name, p0.capabilities) == ("bridge", "own", {"mac": True, "ips": False})
    assert json.loads(p0.bytes) == LIST["plugins"][0]
    assert (p1.type, p1.name, p1.cni_version) == ("tuning", "", "")
    assert lst == cniinvoke.NetworkConfigList.from_bytes(text)
    assert hash(lst) == hash(cniinvoke.NetworkConfigList.from_bytes(text))
    assert "net1" in repr(lst) and "tuning" in repr(lst)
    with pytest.raises(AttributeError):
        lst.name = "x"  # type: ignore[misc]


def test_list_flags_and_versions():
    lst = cniinvoke.NetworkConfigList.from_bytes(
        dict(
            LIST,
            disableCheck="true",
            disableGC=True,
            loadOnlyInlinedPlugins=True,
            cniVersions=["0.4.0", "1.1.0", "9.9.9"],
        )
    )
    assert lst.disable_check and lst.disable_gc and lst.load_only_inlined_plugins
    assert lst.cni_version == "1.1.0"


def test_parse_errors_are_upstreams():
    with pytest.raises(cniinvoke.DecodeError) as ei:
        cniinvoke.NetworkConfigList.from_bytes({"plugins": []})
    assert str(ei.value) == "error parsing configuration list: no name"
    with pytest.raises(cniinvoke.DecodeError) as ei:
        cniinvoke.NetworkConfigList.from_bytes(dict(LIST, disableCheck="yes"))
    assert str(ei.value) == 'error parsing configuration list: invalid value "yes" for disableCheck'
    with pytest.raises(cniinvoke.DecodeError) as ei:
        cniinvoke.PluginConfig.from_bytes({"name": "n"})
    assert str(ei.value) == "error parsing configuration: missing 'type'"
    with pytest.raises(cniinvoke.DecodeError) as ei:
        cniinvoke.PluginConfig.from_bytes(b"")
    assert str(ei.value) == "error parsing configuration: unexpected end of JSON input"


def test_from_file_and_pathlike(tmp_path: pathlib.Path):
    f = tmp_path / "10-net1.conflist"
    f.write_text(json.dumps(LIST))
    assert cniinvoke.NetworkConfigList.from_file(f).name == "net1"
    assert cniinvoke.NetworkConfigList.from_file(str(f)).plugins[1].type == "tuning"
    c = tmp_path / "one.conf"
    c.write_text('{"cniVersion":"1.0.0","name":"one","type":"bridge"}')
    assert cniinvoke.PluginConfig.from_file(c).name == "one"
    missing = tmp_path / "missing.conflist"
    with pytest.raises(cniinvoke.CNIIOError) as ei:
        cniinvoke.NetworkConfigList.from_file(missing)
    assert str(ei.value) == f"error reading {missing}: open {missing}: no such file or directory"
    with pytest.raises(TypeError):
        cniinvoke.PluginConfig.from_file(3)  # type: ignore[arg-type]


def test_load_network_conf_and_conf_files(tmp_path: pathlib.Path):
    d = tmp_path
    (d / "20-b.conflist").write_text(json.dumps(dict(LIST, name="b")))
    (d / "10-a.conf").write_text('{"cniVersion":"1.0.0","name":"a","type":"bridge"}')
    (d / "sub.conf").mkdir()
    (d / "x.txt").write_text("{}")
    assert cniinvoke.conf_files(d, [".conf", ".conflist"]) == [
        str(d / "10-a.conf"),
        str(d / "20-b.conflist"),
    ]
    assert cniinvoke.conf_files(d) == [str(d / "10-a.conf"), str(d / "20-b.conflist")]
    assert cniinvoke.conf_files(d / "none", [".conf"]) == []
    b = cniinvoke.load_network_conf(d, "b")
    assert [p.type for p in b.plugins] == ["bridge", "tuning"]
    a = cniinvoke.load_network_conf(str(d), "a")
    assert (a.name, [p.type for p in a.plugins]) == ("a", ["bridge"])
    assert cniinvoke.load_conf(d, "a").type == "bridge"
    with pytest.raises(cniinvoke.ConfigNotFoundError) as ei:
        cniinvoke.load_network_conf(d, "missing")
    assert str(ei.value) == f'no net configuration with name "missing" in {d}'
    empty = d / "empty"
    empty.mkdir()
    with pytest.raises(cniinvoke.ConfigNotFoundError) as ei:
        cniinvoke.load_network_conf(empty, "x")
    assert str(ei.value) == f"no net configurations found in {empty}"
    assert isinstance(ei.value, cniinvoke.CNIError)
    assert type(ei.value).__module__ == "cniinvoke"


def test_inject_conf_and_conf_list_from_conf():
    orig = cniinvoke.PluginConfig.from_bytes({"type": "bridge", "z": 1})
    got = cniinvoke.inject_conf(orig, {"name": "net", "cniVersion": "1.1.0", "s": "<&>"})
    assert got.bytes == (
        b'{"cniVersion":"1.1.0","name":"net","s":"\\u003c\\u0026\\u003e","type":"bridge","z":1}'
    )
    assert (got.name, got.cni_version, got.type) == ("net", "1.1.0", "bridge")
    assert cniinvoke.inject_conf({"type": "t"}, {}).bytes == b'{"type":"t"}'
    with pytest.raises(cniinvoke.InvalidArgumentError) as ei:
        cniinvoke.inject_conf(orig, {"": 1})
    assert str(ei.value) == "keys cannot be empty"
    with pytest.raises(ValueError, match="^key 'k' value must not be nil$"):
        cniinvoke.inject_conf(orig, {"k": None})
    with pytest.raises(TypeError):
        cniinvoke.inject_conf(orig, [("k", 1)])  # type: ignore[arg-type]

    one = {"cniVersion": "1.0.0", "name": "one", "type": "bridge"}
    lst = cniinvoke.conf_list_from_conf(one)
    assert (lst.name, lst.cni_version, [p.type for p in lst.plugins]) == (
        "one",
        "1.0.0",
        ["bridge"],
    )
    assert cniinvoke.NetworkConfigList.from_conf(cniinvoke.PluginConfig.from_bytes(one)) == lst


def test_runtime_conf():
    rt = cniinvoke.RuntimeConf(
        container_id="c",
        netns=pathlib.Path("/run/netns/x"),
        if_name="eth0",
        args={"K": "V"},
        capability_args={"mac": "02:00:00:00:00:01"},
        cache_dir="/tmp/c",
    )
    assert (rt.container_id, rt.netns, rt.if_name, rt.cache_dir) == (
        "c",
        "/run/netns/x",
        "eth0",
        "/tmp/c",
    )
    assert rt.args == [("K", "V")]
    assert rt.capability_args == {"mac": "02:00:00:00:00:01"}
    assert cniinvoke.RuntimeConf(args=[["A", "1"], ("B", "2")]).args == [("A", "1"), ("B", "2")]
    assert rt == cniinvoke.RuntimeConf(
        container_id="c",
        netns="/run/netns/x",
        if_name="eth0",
        args=[("K", "V")],
        capability_args={"mac": "02:00:00:00:00:01"},
        cache_dir="/tmp/c",
    )
    assert eval(repr(rt), {"cniinvoke": cniinvoke}) == rt
    with pytest.raises(TypeError):
        cniinvoke.RuntimeConf(args="K=V")
    with pytest.raises(TypeError):
        cniinvoke.RuntimeConf(args=[("K",)])
    with pytest.raises(TypeError):
        cniinvoke.RuntimeConf(capability_args=[1])


def test_bad_arguments(tmp_path: pathlib.Path):
    cfg = cniinvoke.CNIConfig([str(tmp_path)], tmp_path / "cache")
    assert cfg.path == [str(tmp_path)] and cfg.cache_dir == str(tmp_path / "cache")
    rt = cniinvoke.RuntimeConf(container_id="c", if_name="eth0")
    with pytest.raises(TypeError, match="netlist must be a cniinvoke.NetworkConfigList"):
        cfg.add_network_list(5, rt)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rt must be a cniinvoke.RuntimeConf"):
        cfg.add_network_list(LIST, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="net must be a cniinvoke.PluginConfig"):
        cfg.add_network(5, rt)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cfg.add_network_list(LIST, {"container_idd": "c"})
    with pytest.raises(TypeError, match="not JSON serializable"):
        cfg.add_network_list(dict(LIST, extra={1, 2}), rt)
    with pytest.raises(cniinvoke.DecodeError):
        cfg.add_network_list(b"{", rt)
    with pytest.raises(ValueError):
        cfg.add_network_list(LIST, rt, timeout=-1)
    with pytest.raises(TypeError):
        cfg.gc_network_list(LIST, valid_attachments="c")
    with pytest.raises(TypeError):
        cfg.gc_network_list(LIST, valid_attachments=[5])
    with pytest.raises(TypeError, match="exec must be"):
        cniinvoke.CNIConfig([], exec=object())
    with pytest.raises(TypeError, match="path must be a sequence of str"):
        cniinvoke.CNIConfig("/opt/cni/bin")  # type: ignore[arg-type]
    assert cniinvoke.CNIConfig().path == [] and cniinvoke.CNIConfig().cache_dir is None
    assert repr(cniinvoke.CNIConfig(["/b"])) == (
        "cniinvoke.CNIConfig(path=['/b'], cache_dir=None, exec=None, cleanup_on_failure=False)"
    )


def test_cache_io_error_class(tmp_path: pathlib.Path, net):
    blocker = tmp_path / "file"
    blocker.write_text("")
    cfg = cniinvoke.CNIConfig([str(net.bin)], blocker, cache_sync=False)
    lst = net.list("net1", "1.0.0", ["alpha"])
    with pytest.raises(cniinvoke.CNIIOError):
        cfg.add_network_list(lst, net.rt("ctr1"))
    assert cniinvoke.CNIIOError.__module__ == "cniinvoke"
