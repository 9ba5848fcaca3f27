"""CNIConfig's list and single-plugin operations against the test plugin:
chaining, injection, the cache (its file layout, as the core writes it),
CHECK / DEL / GC / STATUS / validate, and a list failure's exception."""

from __future__ import annotations

import base64
import json

import pytest
from netsupport import failing

import cniinvoke

CAPS = {"portMappings": [{"hostPort": 8080, "containerPort": 80}], "unused": 1}


def names(result: cniinvoke.Result):
    return [i["name"] for i in result.to_dict()["interfaces"]]


def test_add_chains_injects_and_caches(net):
    cfg = net.cfg()
    lst = net.list(
        "net1",
        "1.0.0",
        ["alpha", {"type": "beta", "capabilities": {"portMappings": True}}, "gamma"],
    )
    rt = net.rt("ctr1", args=[("K", "V")], capability_args=CAPS)
    r = cfg.add_network_list(lst, rt, timeout=30)
    assert isinstance(r, cniinvoke.Result) and r.cni_version == "1.0.0"
    assert names(r) == ["eth0", "eth0-1", "eth0-2"]

    log = net.log_of("ctr1")
    assert net.steps("ctr1") == ["ADD alpha", "ADD beta", "ADD gamma"]
    for line in log:
        assert (line["name"], line["cniVersion"], line["cniArgs"]) == ("net1", "1.0.0", "K=V")
        assert line["netns"] == "/var/run/netns/test"
    assert log[0]["prevResult"] is None
    assert log[1]["runtimeConfig"] == {"portMappings": CAPS["portMappings"]}
    assert log[0]["runtimeConfig"] is None and log[2]["runtimeConfig"] is None
    assert [i["name"] for i in log[2]["prevResult"]["interfaces"]] == ["eth0", "eth0-1"]

    # The entry as the core writes it: <cache>/results/<net>-<cid>-<ifname>.
    entry = net.cached("net1", "ctr1")
    assert entry["kind"] == "cniCacheV1"
    assert (entry["containerId"], entry["ifName"], entry["networkName"]) == (
        "ctr1",
        "eth0",
        "net1",
    )
    assert base64.b64decode(entry["config"]) == lst.bytes
    assert entry["result"] == r.to_dict()

    assert cfg.get_network_list_cached_result(lst, rt) == r
    config, cached_rt = cfg.get_network_list_cached_config(lst, net.rt("ctr1"))
    assert config == lst.bytes
    assert cached_rt.args == [("K", "V")] and cached_rt.capability_args == CAPS
    (att,) = cfg.get_cached_attachments("ctr1")
    assert isinstance(att, cniinvoke.NetworkAttachment)
    assert (att.container_id, att.network, att.if_name, att.netns) == (
        "ctr1",
        "net1",
        "eth0",
        "/var/run/netns/test",
    )
    assert att.config == lst.bytes and att.cni_args == [("K", "V")]
    assert att.capability_args == CAPS
    assert cfg.get_cached_attachments("ctr") == []
    assert len(cfg.get_cached_attachments()) == 1


def test_cache_entry_from_another_config_and_plain_forms(net):
    """An entry written by one CNIConfig is read by another (as by another
    process); lists and runtime configurations may be given as plain data."""
    d = net.list_dict("net1", "1.0.0", ["alpha"])
    rt = {"container_id": "ctr1", "if_name": "eth0", "netns": "/x"}
    r = net.cfg().add_network_list(json.dumps(d).encode(), rt)
    assert net.cfg().get_network_list_cached_result(json.dumps(d), rt) == r
    assert net.cfg().get_network_list_cached_result(d, dict(rt, if_name="eth1")) is None


def test_add_failure_is_the_plugins_error_class_with_it_as_cause(net):
    cfg = net.cfg()
    lst = net.list("net1", "1.0.0", ["alpha", failing("beta", ["ADD"], 107), "gamma"])
    with pytest.raises(cniinvoke.PluginError) as ei:
        cfg.add_network_list(lst, net.rt("ctr1"))
    e = ei.value
    assert str(e) == 'plugin type="beta" failed (add): ADD failed on request'
    assert e.code == 107
    cause = e.__cause__
    assert type(cause) is cniinvoke.PluginError
    assert (cause.msg, cause.code) == ("ADD failed on request", 107)
    assert cause.exit_status == "exit status 1"
    assert net.steps("ctr1") == ["ADD alpha", "ADD beta"]
    assert not net.entry("net1", "ctr1").exists()

    named = net.list("net1", "1.0.0", [failing("beta", ["ADD"], 107, name="b-own")])
    with pytest.raises(cniinvoke.PluginError, match='^plugin type="beta" name="b-own" failed'):
        cfg.add_network_list(named, net.rt("ctr1"))

    missing = net.list("net1", "1.0.0", ["alpha", "nope"])
    with pytest.raises(cniinvoke.PluginNotFoundError) as ei:
        cfg.add_network_list(missing, net.rt("ctr2"))
    assert str(ei.value) == (
        f'plugin type="nope" failed (add): failed to find plugin "nope" in path [{net.bin}]'
    )
    assert type(ei.value.__cause__) is cniinvoke.PluginNotFoundError


def test_cleanup_on_failure_runs_the_lists_del(net):
    lst = net.list("net1", "1.0.0", ["alpha", failing("beta", ["ADD"])])
    with pytest.raises(cniinvoke.PluginError):
        net.cfg(cleanup_on_failure=True).add_network_list(lst, net.rt("ctr1"))
    assert net.steps("ctr1") == ["ADD alpha", "ADD beta", "DEL beta", "DEL alpha"]
    assert net.cfg(cleanup_on_failure=True).cleanup_on_failure


def test_invalid_names_keep_upstreams_texts(net):
    cfg = net.cfg()
    lst = net.list("net1", "1.0.0", ["alpha"])
    with pytest.raises(cniinvoke.PluginError) as ei:
        cfg.add_network_list(lst, net.rt(""))
    assert str(ei.value) == 'plugin type="alpha" failed (add): missing containerID'
    assert ei.value.code == 3
    with pytest.raises(cniinvoke.PluginError) as ei:
        cfg.del_network_list(lst, net.rt("ctr1", if_name="../x"))
    assert str(ei.value) == "interface name contains / or : or whitespace characters"
    assert ei.value.__cause__ is None


def test_check_and_del(net):
    cfg = net.cfg()
    lst = net.list("net1", "1.0.0", ["alpha", "beta"])
    rt = net.rt("ctr1")
    added = cfg.add_network_list(lst, rt).to_dict()
    cfg.check_network_list(lst, rt)
    cfg.del_network_list(lst, rt)
    log = net.log_of("ctr1")
    assert net.steps("ctr1") == [
        "ADD alpha",
        "ADD beta",
        "CHECK alpha",
        "CHECK beta",
        "DEL beta",
        "DEL alpha",
    ]
    assert all(line["prevResult"] == added for line in log[2:])
    assert not net.entry("net1", "ctr1").exists()
    assert cfg.get_network_list_cached_result(lst, rt) is None
    assert cfg.get_network_list_cached_config(lst, rt) is None


def test_check_rules(net):
    cfg = net.cfg()
    old = net.list("net1", "0.3.1", ["alpha"])
    with pytest.raises(cniinvoke.CNIError) as ei:
        cfg.check_network_list(old, net.rt("ctr1"))
    assert str(ei.value) == 'configuration version "0.3.1" does not support the CHECK command'
    off = net.list("net1", "1.0.0", [failing("alpha", ["CHECK"])], disableCheck=True)
    assert off.disable_check
    cfg.check_network_list(off, net.rt("ctr1"))
    assert net.steps("ctr1") == []


def test_gc_deletes_stale_attachments_and_runs_gc(net):
    cfg = net.cfg()
    lst = net.list("net1", "1.1.0", ["alpha", "beta"])
    for ctr in ("keep", "stale"):
        cfg.add_network_list(lst, net.rt(ctr))
    cfg.gc_network_list(lst, valid_attachments=[("keep", "eth0")])
    assert net.steps("stale")[-2:] == ["DEL beta", "DEL alpha"]
    assert net.steps("keep") == ["ADD alpha", "ADD beta"]
    assert net.entry("net1", "keep").exists() and not net.entry("net1", "stale").exists()
    gcs = net.log("GC.log")
    assert [g["type"] for g in gcs] == ["alpha", "beta"]
    assert all(g["validAttachments"] == [{"containerID": "keep", "ifname": "eth0"}] for g in gcs)

    # The JSON form, and no arguments: everything goes.
    cfg.gc_network_list(lst, [{"containerID": "keep", "ifname": "eth0"}])
    assert net.entry("net1", "keep").exists()
    cfg.gc_network_list(lst)
    assert not net.entry("net1", "keep").exists()

    off = net.list("net1", "1.1.0", ["alpha"], disableGC=True)
    assert off.disable_gc
    cfg.gc_network_list(off)
    assert len(net.log("GC.log")) == 6


def test_status(net):
    cfg = net.cfg()
    cfg.get_status_network_list(net.list("net1", "1.1.0", ["alpha", "beta"]))
    assert [s["type"] for s in net.log("STATUS.log")] == ["alpha", "beta"]
    # Below 1.1.0 nothing runs.
    cfg.get_status_network_list(net.list("net1", "1.0.0", [failing("alpha", ["STATUS"])]))
    bad = net.list("net1", "1.1.0", ["alpha", failing("beta", ["STATUS"], 50, failMsg="down")])
    with pytest.raises(cniinvoke.PluginError) as ei:
        cfg.get_status_network_list(bad)
    assert (ei.value.code, ei.value.msg) == (50, "down")


def test_validate_and_version_info(net):
    cfg = net.cfg()
    lst = net.list(
        "net1",
        "1.0.0",
        [
            {"type": "alpha", "capabilities": {"portMappings": True, "mac": False}},
            {"type": "beta", "capabilities": {"bandwidth": True}},
        ],
    )
    assert cfg.validate_network_list(lst) == ["bandwidth", "portMappings"]
    missing = net.list("net1", "1.0.0", ["nope", "alpha"])
    with pytest.raises(cniinvoke.PluginNotFoundError) as ei:
        cfg.validate_network_list(missing)
    assert str(ei.value) == f'[failed to find plugin "nope" in path [{net.bin}]]'
    assert type(ei.value.__cause__) is cniinvoke.PluginNotFoundError
    info = cfg.get_version_info("alpha")
    assert isinstance(info, cniinvoke.PluginInfo)
    assert "1.1.0" in info.supported_versions
    assert cfg.validate_network(lst.plugins[0]) == ["portMappings"]


def test_single_plugin_operations(net):
    cfg = net.cfg()
    conf = {"cniVersion": "1.0.0", "name": "one", "type": "alpha", "logDir": str(net.logs)}
    rt = net.rt("ctr1")
    r = cfg.add_network(conf, rt)
    assert names(r) == ["eth0"]
    pc = cniinvoke.PluginConfig.from_bytes(conf)
    assert cfg.get_network_cached_result(pc, rt) == r
    config, _ = cfg.get_network_cached_config(pc, rt)
    assert json.loads(config) == conf
    assert net.cached("one", "ctr1")["kind"] == "cniCacheV1"
    cfg.check_network(pc, rt)
    cfg.del_network(json.dumps(conf), rt)
    assert net.steps("ctr1") == ["ADD alpha", "CHECK alpha", "DEL alpha"]
    assert cfg.get_network_cached_result(pc, rt) is None
    assert cfg.validate_network(pc) == []
    # A single plugin's failure is its own error, unwrapped.
    with pytest.raises(cniinvoke.PluginError) as ei:
        cfg.add_network(dict(conf, failOn=["ADD"]), rt)
    assert str(ei.value) == "ADD failed on request" and ei.value.__cause__ is None


def test_timeout_bounds_the_whole_chain(net):
    slow = {"type": "beta", "debug": {"sleepMs": 10000, "chainResult": True}}
    lst = net.list("net1", "1.0.0", ["alpha", slow])
    with pytest.raises(cniinvoke.PluginTimeoutError) as ei:
        net.cfg().add_network_list(lst, net.rt("ctr1"), timeout=0.5)
    assert isinstance(ei.value, TimeoutError)
    assert not net.entry("net1", "ctr1").exists()
    ctx = cniinvoke.Context()
    ctx.cancel()
    with pytest.raises(cniinvoke.PluginCancelledError):
        net.cfg().get_network_list_cached_result(lst, net.rt("ctr1"), ctx=ctx)
