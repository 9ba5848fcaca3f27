"""The cache as a file format shared with other processes and with
upstream: an entry in upstream's own layout (as Go libcni writes it) is
read, CHECKed, DELeted and GCed from Python; an entry added by another
process is found by this one."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import cniinvoke

RESULT = {
    "cniVersion": "1.1.0",
    "interfaces": [{"name": "eth0", "sandbox": "/var/run/netns/up"}],
    "ips": [{"address": "10.9.8.7/24", "interface": 0}],
}


def upstream_entry(net, lst, ctr: str) -> None:
    """What Go's libcni v1.3.0 writes: its field order, base64 config."""
    entry = {
        "kind": "cniCacheV1",
        "containerId": ctr,
        "config": base64.b64encode(lst.bytes).decode(),
        "ifName": "eth0",
        "networkName": lst.name,
        "netns": "/var/run/netns/up",
        "cniArgs": [["K", "V"]],
        "capabilityArgs": {"mac": "02:00:00:00:00:09"},
        "result": RESULT,
    }
    path = net.entry(lst.name, ctr)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(entry, separators=(",", ":")))


def test_upstream_entry_is_read_checked_deleted_and_gced(net):
    cfg = net.cfg()
    lst = net.list("net1", "1.1.0", ["alpha", "beta"])
    upstream_entry(net, lst, "up1")
    upstream_entry(net, lst, "up2")
    rt = net.rt("up1")
    assert cfg.get_network_list_cached_result(lst, rt).to_dict() == RESULT
    config, cached_rt = cfg.get_network_list_cached_config(lst, rt)
    assert config == lst.bytes and cached_rt.args == [("K", "V")]
    atts = cfg.get_cached_attachments()
    assert [(a.container_id, a.netns) for a in atts] == [
        ("up1", "/var/run/netns/up"),
        ("up2", "/var/run/netns/up"),
    ]

    cfg.check_network_list(lst, rt)
    assert [line["prevResult"] for line in net.log_of("up1")] == [RESULT, RESULT]
    cfg.del_network_list(lst, rt)
    assert net.steps("up1") == ["CHECK alpha", "CHECK beta", "DEL beta", "DEL alpha"]
    assert not net.entry("net1", "up1").exists()

    # GC deletes the other one with what upstream cached for it.
    cfg.gc_network_list(lst, [])
    dels = net.log_of("up2")
    assert [line["command"] for line in dels] == ["DEL", "DEL"]
    assert all(line["prevResult"] == RESULT for line in dels)
    assert dels[0]["cniArgs"] == "K=V" and dels[0]["netns"] == "/var/run/netns/up"
    assert not net.entry("net1", "up2").exists()


def test_entry_added_by_another_process(net):
    lst = net.list("net1", "1.0.0", ["alpha", "beta"])
    code = (
        "import sys, cniinvoke\n"
        "cfg = cniinvoke.CNIConfig([sys.argv[1]], sys.argv[2], cache_sync=False)\n"
        "lst = cniinvoke.NetworkConfigList.from_bytes(sys.argv[3])\n"
        "rt = cniinvoke.RuntimeConf(container_id='ctr1', netns='/n', if_name='eth0')\n"
        "print(cfg.add_network_list(lst, rt).to_json())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(net.bin), str(net.cache), lst.bytes.decode()],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    added = cniinvoke.Result.from_json(out.strip())
    cfg = net.cfg()
    assert cfg.get_network_list_cached_result(lst, net.rt("ctr1")) == added
    cfg.del_network_list(lst, net.rt("ctr1"))
    assert [line["prevResult"] for line in net.log_of("ctr1")[2:]] == [added.to_dict()] * 2
