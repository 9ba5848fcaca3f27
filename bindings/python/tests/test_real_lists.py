"""A real chained network list from Python: bridge (host-local IPAM), then
tuning taking the ``mac`` capability, then portmap taking ``portMappings``
— ADD, CHECK, GC and DEL through ``cniinvoke.CNIConfig``, as root, in
network namespaces made and removed here (see test_real_plugins.py; the
plugins' host side is a namespace too).

Debian's portmap CHECK wrongly demands IPv6 rules whenever ``ip6tables``
works (containernetworking/plugins#819), so the plugins run through a
Python executor that puts a failing ``ip6tables`` first on their PATH, as
the core's tests/libcni_real.rs does.

Needs root, ``ip``, ``iptables`` and /usr/lib/cni/{bridge,host-local,
tuning,portmap}; without them the tests skip, unless
CNI_REQUIRE_REAL_PLUGINS=1.
"""

from __future__ import annotations

import ipaddress
import os
import pathlib
import shutil
import subprocess
from typing import List, Optional

import pytest
import test_real_plugins
from test_real_plugins import CALL_TIMEOUT, CNI_DIR, Namespaces, ip

import cniinvoke

# The namespaces fixture, shared with the single-plugin tests.
netns = test_real_plugins.netns

NET = "cnii-py-chain"
SUBNET = "10.92.0.0/24"


def _missing() -> Optional[str]:
    why = []
    if os.geteuid() != 0:
        why.append("not root")
    for tool in ("ip", "iptables"):
        if shutil.which(tool) is None:
            why.append(f"no `{tool}` command")
    for p in ("bridge", "host-local", "tuning", "portmap"):
        if not os.access(f"{CNI_DIR}/{p}", os.X_OK):
            why.append(f"{CNI_DIR}/{p} missing")
    return "; ".join(why) or None


@pytest.fixture(autouse=True)
def _real_plugins_available() -> None:
    why = _missing()
    if why is None:
        return
    msg = f"real-plugin list tests need root, ip, iptables and {CNI_DIR}: {why}"
    if os.environ.get("CNI_REQUIRE_REAL_PLUGINS") == "1":
        pytest.fail(msg + " (CNI_REQUIRE_REAL_PLUGINS=1)", pytrace=False)
    pytest.skip(msg)


class ShimmedPath:
    """Runs plugins with RawExec, ``shim`` first on their PATH."""

    def __init__(self, shim: pathlib.Path) -> None:
        shim.mkdir()
        tool = shim / "ip6tables"
        tool.write_text("#!/bin/sh\necho 'ip6tables hidden by the test' >&2\nexit 1\n")
        tool.chmod(0o755)
        self.shim = str(shim)
        self.raw = cniinvoke.RawExec()

    def exec_plugin(self, plugin_path, stdin_data, environ):
        env = list(environ) if environ is not None else [f"{k}={v}" for k, v in os.environ.items()]
        old = [e[5:] for e in env if e.startswith("PATH=")] or ["/usr/sbin:/usr/bin:/sbin:/bin"]
        env = [e for e in env if not e.startswith("PATH=")] + [f"PATH={self.shim}:{old[0]}"]
        return self.raw.exec_plugin(plugin_path, stdin_data, env)

    def find_in_path(self, plugin, paths):
        return self.raw.find_in_path(plugin, paths)

    def decode(self, data):
        return self.raw.decode(data)


def chain(ipam_dir: pathlib.Path) -> dict:
    return {
        "cniVersion": "1.0.0",
        "name": NET,
        "plugins": [
            {
                "type": "bridge",
                "bridge": "cnii-pybr7",
                "isGateway": True,
                "ipMasq": False,
                "ipam": {"type": "host-local", "subnet": SUBNET, "dataDir": str(ipam_dir)},
            },
            {"type": "tuning", "capabilities": {"mac": True}},
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }


def rt(netns_path: str, cid: str, mac: str, port: int) -> cniinvoke.RuntimeConf:
    return cniinvoke.RuntimeConf(
        container_id=cid,
        netns=netns_path,
        if_name="eth0",
        capability_args={
            "mac": mac,
            "portMappings": [{"hostPort": port, "containerPort": 80, "protocol": "tcp"}],
        },
    )


def nat_rules(host: str, port: int) -> List[str]:
    out = subprocess.run(
        ["ip", "netns", "exec", host, "iptables", "-t", "nat", "-S"],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout
    return [line for line in out.splitlines() if f"--dport {port} " in line]


def link(ns: str) -> Optional[str]:
    out = ip("-n", ns, "link", "show", "dev", "eth0", check=False)
    return out.stdout if out.returncode == 0 else None


def leases(ipam_dir: pathlib.Path) -> List[str]:
    d = ipam_dir / NET
    return sorted(n for n in os.listdir(d) if n.startswith("10.")) if d.exists() else []


def test_chained_list_add_check_gc_del(netns: Namespaces, tmp_path: pathlib.Path) -> None:
    ipam = tmp_path / "ipam"
    cache = tmp_path / "cache"
    cfg = cniinvoke.CNIConfig([CNI_DIR], cache, ShimmedPath(tmp_path / "shim"))
    lst = cniinvoke.NetworkConfigList.from_bytes(chain(ipam))
    call = netns.worker.call
    ctr2 = netns.ctr + "-2"
    ip("netns", "add", ctr2)
    try:
        rt1 = rt(netns.ctr_path, "c1", "0a:58:0a:5c:00:11", 8091)
        rt2 = rt(f"/var/run/netns/{ctr2}", "c2", "0a:58:0a:5c:00:22", 8092)

        r = call(cfg.add_network_list, lst, rt1, timeout=CALL_TIMEOUT).to_dict()
        addr = r["ips"][0]["address"]
        assert ipaddress.ip_interface(addr) in ipaddress.ip_network(SUBNET)
        assert "link/ether 0a:58:0a:5c:00:11 " in (link(netns.ctr) or "")
        host_ip = str(ipaddress.ip_interface(addr).ip)
        assert any(f"--to-destination {host_ip}:80" in rule for rule in nat_rules(netns.host, 8091))
        assert (cache / "results" / f"{NET}-c1-eth0").is_file()
        assert cfg.get_network_list_cached_result(lst, rt1).to_dict() == r

        call(cfg.check_network_list, lst, rt1, timeout=CALL_TIMEOUT)

        call(cfg.add_network_list, lst, rt2, timeout=CALL_TIMEOUT)
        assert len(leases(ipam)) == 2
        call(cfg.gc_network_list, lst, [("c1", "eth0")], timeout=CALL_TIMEOUT)
        assert not (cache / "results" / f"{NET}-c2-eth0").exists()
        assert link(ctr2) is None and nat_rules(netns.host, 8092) == []
        assert leases(ipam) == [host_ip]
        assert [a.container_id for a in cfg.get_cached_attachments()] == ["c1"]

        call(cfg.del_network_list, lst, rt1, timeout=CALL_TIMEOUT)
        assert link(netns.ctr) is None and nat_rules(netns.host, 8091) == []
        assert leases(ipam) == [] and cfg.get_cached_attachments() == []
        call(cfg.del_network_list, lst, rt1, timeout=CALL_TIMEOUT)
    finally:
        ip("netns", "del", ctr2, check=False)


def test_real_failure_names_the_plugin(netns: Namespaces, tmp_path: pathlib.Path) -> None:
    bad = chain(tmp_path / "ipam")
    bad["plugins"][0]["ipam"]["subnet"] = "not-a-subnet"
    cfg = cniinvoke.CNIConfig([CNI_DIR], tmp_path / "cache")
    with pytest.raises(cniinvoke.PluginError) as ei:
        netns.worker.call(
            cfg.add_network_list,
            bad,
            rt(netns.ctr_path, "c1", "0a:58:0a:5c:00:11", 8093),
            timeout=CALL_TIMEOUT,
        )
    assert str(ei.value).startswith('plugin type="bridge" failed (add): ')
    assert isinstance(ei.value.__cause__, cniinvoke.PluginError)
    assert "not-a-subnet" in str(ei.value.__cause__)
    assert not (tmp_path / "cache" / "results" / f"{NET}-c1-eth0").exists()
