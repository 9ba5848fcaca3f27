"""The real CNI plugins (Debian's containernetworking-plugins: bridge and
host-local) run from Python: ADD / CHECK / DEL, a plugin error, delegation.

Each test gets two fresh network namespaces, ``cnii-py-<pid>-<n>-host`` and
``-ctr``, removed again by the fixture's finalizer. The calls run on a
worker thread that first joined the host namespace with setns(2); the
library spawns plugins from the calling thread, so they inherit that
namespace: the bridge lands there and this machine's network is untouched.

Needs root, ``ip`` (iproute2) and /usr/lib/cni/{bridge,host-local}; without
them the tests skip, unless CNI_REQUIRE_REAL_PLUGINS=1 (``make test`` as
root), which makes a missing prerequisite a failure.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import ipaddress
import itertools
import os
import pathlib
import queue
import shutil
import subprocess
import threading
from typing import Any, Callable, Iterator, Optional, Tuple, TypeVar

import pytest

import cniinvoke

CNI_DIR = "/usr/lib/cni"
BRIDGE = f"{CNI_DIR}/bridge"
HOST_LOCAL = f"{CNI_DIR}/host-local"
BRIDGE_NAME = "cnii-pybr0"
SUBNET = "10.93.0.0/24"
DELEGATE_SUBNET = "10.93.1.0/24"
CLONE_NEWNET = 0x40000000
CALL_TIMEOUT = 30  # seconds, per plugin call

T = TypeVar("T")


def _missing() -> Optional[str]:
    why = []
    if os.geteuid() != 0:
        why.append("not root")
    if shutil.which("ip") is None:
        why.append("no `ip` command (iproute2)")
    for p in (BRIDGE, HOST_LOCAL):
        if not os.access(p, os.X_OK):
            why.append(f"{p} missing (containernetworking-plugins)")
    return "; ".join(why) or None


@pytest.fixture(autouse=True)
def _real_plugins_available() -> None:
    why = _missing()
    if why is None:
        return
    msg = f"real-plugin tests need root, ip and {CNI_DIR}: {why}"
    if os.environ.get("CNI_REQUIRE_REAL_PLUGINS") == "1":
        pytest.fail(msg + " (CNI_REQUIRE_REAL_PLUGINS=1)", pytrace=False)
    pytest.skip(msg)


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True, timeout=30)


class NetnsThread:
    """A worker thread living in network namespace ``name``: ``call(fn, ...)``
    runs ``fn`` there and returns its value or raises its exception in the
    calling (test) thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        # (thunk, future) pairs; None stops the thread.
        self._jobs: "queue.Queue[Optional[Tuple[Callable[[], Any], concurrent.futures.Future]]]" = (
            queue.Queue()
        )
        self._ready: concurrent.futures.Future = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, name=f"netns-{name}", daemon=True)
        self._thread.start()
        self._ready.result(timeout=10)  # re-raises a failed setns here

    def _join_netns(self) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        path = f"/var/run/netns/{self.name}"
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"setns({path}): {os.strerror(err)}")
        finally:
            os.close(fd)
        # This thread, and only this thread, is now in the namespace.
        assert os.stat("/proc/thread-self/ns/net").st_ino == os.stat(path).st_ino

    def _run(self) -> None:
        try:
            self._join_netns()
        except BaseException as e:
            self._ready.set_exception(e)
            return
        self._ready.set_result(None)
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, fut = job
            try:
                fut.set_result(fn())
            except BaseException as e:
                fut.set_exception(e)

    def call(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        fut: concurrent.futures.Future = concurrent.futures.Future()
        self._jobs.put((lambda: fn(*args, **kw), fut))
        return fut.result(timeout=4 * CALL_TIMEOUT)

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=10)


class Namespaces:
    def __init__(self, host: str, ctr: str, worker: NetnsThread) -> None:
        self.host = host
        self.ctr = ctr
        self.ctr_path = f"/var/run/netns/{ctr}"
        self.worker = worker


_seq = itertools.count(1)


@pytest.fixture
def netns() -> Iterator[Namespaces]:
    base = f"cnii-py-{os.getpid()}-{next(_seq)}"
    host, ctr = f"{base}-host", f"{base}-ctr"
    made = []
    worker: Optional[NetnsThread] = None
    try:
        for name in (host, ctr):
            ip("netns", "add", name)
            made.append(name)
        worker = NetnsThread(host)
        yield Namespaces(host, ctr, worker)
    finally:
        if worker is not None:
            worker.close()
        for name in reversed(made):
            ip("netns", "del", name, check=False)


def bridge_conf(ipam_dir: pathlib.Path, subnet: str = SUBNET) -> dict:
    return {
        "cniVersion": "1.0.0",
        "name": "cnii-py",
        "type": "bridge",
        "bridge": BRIDGE_NAME,
        "isGateway": True,
        "ipMasq": False,
        "ipam": {"type": "host-local", "subnet": subnet, "dataDir": str(ipam_dir)},
    }


def args(ns: Namespaces, command: str) -> cniinvoke.Args:
    return cniinvoke.Args(
        command=command,
        container_id="cnii-py-ctr",
        netns=ns.ctr_path,
        if_name="eth0",
        path=CNI_DIR,
    )


def eth0_addrs(ns: Namespaces) -> list:
    out = ip("-n", ns.ctr, "-4", "-o", "addr", "show", "dev", "eth0").stdout
    return [f.split()[3] for f in out.splitlines() if " inet " in f]


def eth0_exists(ns: Namespaces) -> bool:
    return ip("-n", ns.ctr, "link", "show", "dev", "eth0", check=False).returncode == 0


def test_bridge_add_check_del(netns: Namespaces, tmp_path: pathlib.Path) -> None:
    conf = bridge_conf(tmp_path / "ipam")
    call = netns.worker.call

    r = call(
        cniinvoke.exec_plugin_with_result, BRIDGE, conf, args(netns, "ADD"), timeout=CALL_TIMEOUT
    )
    assert isinstance(r, cniinvoke.Result)
    assert r.cni_version == "1.0.0"
    res = r.to_dict()
    addr = res["ips"][0]["address"]
    assert ipaddress.ip_interface(addr) in ipaddress.ip_network(SUBNET)
    assert eth0_addrs(netns) == [addr]
    assert any(i.get("sandbox") == netns.ctr_path for i in res["interfaces"])
    # The bridge is in the host namespace, not in this machine's.
    assert ip("-n", netns.host, "link", "show", "dev", BRIDGE_NAME, check=False).returncode == 0
    assert ip("link", "show", "dev", BRIDGE_NAME, check=False).returncode != 0

    # CHECK: the ADD result goes back in as prevResult.
    check_conf = dict(conf, prevResult=res)
    assert (
        call(
            cniinvoke.exec_plugin_without_result,
            BRIDGE,
            check_conf,
            args(netns, "CHECK"),
            timeout=CALL_TIMEOUT,
        )
        is None
    )

    call(
        cniinvoke.exec_plugin_without_result,
        BRIDGE,
        check_conf,
        args(netns, "DEL"),
        timeout=CALL_TIMEOUT,
    )
    assert not eth0_exists(netns)
    # DEL is idempotent: a second one succeeds too.
    call(
        cniinvoke.exec_plugin_without_result,
        BRIDGE,
        conf,
        args(netns, "DEL"),
        timeout=CALL_TIMEOUT,
    )


def test_plugin_error(netns: Namespaces, tmp_path: pathlib.Path) -> None:
    conf = bridge_conf(tmp_path / "ipam", subnet="not-a-subnet")
    with pytest.raises(cniinvoke.PluginError) as ei:
        netns.worker.call(
            cniinvoke.exec_plugin_with_result,
            BRIDGE,
            conf,
            args(netns, "ADD"),
            timeout=CALL_TIMEOUT,
        )
    assert ei.value.code != 0
    assert "not-a-subnet" in str(ei.value)


def test_delegate_host_local(
    netns: Namespaces, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "delegate-ipam"
    ipam_conf = {
        "cniVersion": "1.0.0",
        "name": "cnii-py-delegate",
        "ipam": {"type": "host-local", "subnet": DELEGATE_SUBNET, "dataDir": str(data_dir)},
    }
    # What a plugin delegating to IPAM sees; monkeypatch restores it all.
    monkeypatch.setenv("CNI_PATH", CNI_DIR)
    monkeypatch.setenv("CNI_COMMAND", "ADD")
    monkeypatch.setenv("CNI_CONTAINERID", "cnii-py-delegate")
    monkeypatch.setenv("CNI_NETNS", netns.ctr_path)
    monkeypatch.setenv("CNI_IFNAME", "eth0")
    monkeypatch.delenv("CNI_ARGS", raising=False)

    r = netns.worker.call(cniinvoke.delegate_add, "host-local", ipam_conf, timeout=CALL_TIMEOUT)
    addr = r.to_dict()["ips"][0]["address"]
    assert ipaddress.ip_interface(addr) in ipaddress.ip_network(DELEGATE_SUBNET)
    ip_only = str(ipaddress.ip_interface(addr).ip)
    lease = data_dir / "cnii-py-delegate" / ip_only
    assert lease.exists()

    netns.worker.call(cniinvoke.delegate_del, "host-local", ipam_conf, timeout=CALL_TIMEOUT)
    assert not lease.exists()  # released
    assert os.environ["CNI_COMMAND"] == "ADD"  # DelegateArgs overrides only the child's
