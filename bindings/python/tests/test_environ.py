"""A call's plugins inherit this process's environment as it was when the
call began (read with the GIL held), even while another thread changes
``os.environ`` during the call: every plugin of a list alike, and the
core never reads ``environ`` with the GIL released."""

from __future__ import annotations

import errno
import os
import select
import subprocess
import sys
import threading
import time

import cniinvoke

RESULT = '{"cniVersion":"1.0.0"}'


def shell_plugin(path, body: str) -> None:
    path.write_text("#!/bin/sh\ncat >/dev/null\n" + body + f"\necho '{RESULT}'\n")
    path.chmod(0o755)


def wait_readable(fd: int, what: str) -> bytes:
    ready, _, _ = select.select([fd], [], [], 30)
    assert ready, f"{what}: nothing within 30 s"
    return os.read(fd, 64)


def open_writer(path, what: str) -> int:
    deadline = time.monotonic() + 30
    while True:
        try:
            return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:  # no reader yet
            assert e.errno == errno.ENXIO and time.monotonic() < deadline, what
            time.sleep(0.01)


def test_a_lists_plugins_inherit_the_environment_of_the_calls_start(net, tmp_path, monkeypatch):
    started, go, dump = tmp_path / "started", tmp_path / "go", tmp_path / "environ"
    os.mkfifo(started)
    os.mkfifo(go)
    # On ADD the first plugin says it runs, then waits; the second records
    # what it inherited.
    wait = f'echo started > "{started}"; read line < "{go}"'
    shell_plugin(net.bin / "waiter", f'if [ "$CNI_COMMAND" = ADD ]; then {wait}; fi')
    shell_plugin(net.bin / "dumper", f'cat /proc/$$/environ > "{dump}"')
    monkeypatch.setenv("CNIINVOKE_TEST_PHASE", "before")
    monkeypatch.delenv("CNIINVOKE_TEST_ADDED", raising=False)
    lst = net.list("net1", "1.0.0", ["waiter", "dumper"])
    cfg, rt = net.cfg(), net.rt("ctr1")
    outcome: dict = {}

    def add() -> None:
        try:
            outcome["result"] = cfg.add_network_list(lst, rt, timeout=30)
        except BaseException as e:  # reported below
            outcome["error"] = e

    reader = os.open(started, os.O_RDONLY | os.O_NONBLOCK)
    call = threading.Thread(target=add)
    call.start()
    try:
        assert wait_readable(reader, "the first plugin") == b"started\n"
        # The call has begun. A changed value and a new name (the change
        # that makes glibc move environ's array).
        os.environ["CNIINVOKE_TEST_PHASE"] = "during"
        os.environ["CNIINVOKE_TEST_ADDED"] = "1"
        writer = open_writer(go, "the first plugin's wait")
        os.write(writer, b"go\n")
        os.close(writer)
    finally:
        call.join(30)
        os.close(reader)
    assert "error" not in outcome, outcome
    entries = dump.read_bytes().split(b"\0")
    assert b"CNIINVOKE_TEST_PHASE=before" in entries
    assert not any(e.startswith(b"CNIINVOKE_TEST_ADDED=") for e in entries)
    assert b"CNI_COMMAND=ADD" in entries

    # The next call starts with the environment as it is now.
    cfg.del_network_list(lst, rt, timeout=30)
    entries = dump.read_bytes().split(b"\0")
    assert b"CNIINVOKE_TEST_PHASE=during" in entries
    assert b"CNIINVOKE_TEST_ADDED=1" in entries


def test_single_calls_inherit_the_environment_of_their_start(tmp_path, monkeypatch):
    """RawExec.exec_plugin with environ=None and delegation inherit the
    environment the call read with the GIL held, bytes unchanged."""
    dump = tmp_path / "environ"
    plugin = tmp_path / "dump-env"
    shell_plugin(plugin, f'cat /proc/$$/environ > "{dump}"')
    os.environb[b"CNIINVOKE_TEST_RAW"] = b"\xff-raw"
    try:
        out = cniinvoke.RawExec().exec_plugin(str(plugin), b"{}", None, timeout=30)
        assert out.strip() == RESULT.encode()
        assert b"CNIINVOKE_TEST_RAW=\xff-raw" in dump.read_bytes().split(b"\0")
        monkeypatch.setenv("CNI_PATH", str(tmp_path))
        monkeypatch.setenv("CNI_COMMAND", "ADD")
        conf = b'{"cniVersion":"1.0.0","name":"n","type":"dump-env"}'
        cniinvoke.delegate("DEL", "dump-env", conf, timeout=30)
        entries = dump.read_bytes().split(b"\0")
        assert b"CNI_COMMAND=DEL" in entries and b"CNIINVOKE_TEST_RAW=\xff-raw" in entries
    finally:
        del os.environb[b"CNIINVOKE_TEST_RAW"]


CHURN = """
import json, os, sys, threading, time
import cniinvoke
bin_dir, cache, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
stop = time.monotonic() + seconds
lst = cniinvoke.NetworkConfigList.from_bytes(json.dumps({"cniVersion": "1.0.0", "name": "s",
    "plugins": [{"type": "alpha"}, {"type": "beta"}]}))
cfg = cniinvoke.CNIConfig([bin_dir], cache, cache_sync=False)
calls = []
def churn():
    i = 0
    while time.monotonic() < stop:
        names = [f"CNIINVOKE_CHURN_{i}_{k}" for k in range(64)]
        for name in names:
            os.environ[name] = "x" * 64
        for name in names:
            del os.environ[name]
        i += 1
def lists(n):
    rt = cniinvoke.RuntimeConf(container_id=f"c{n}", if_name="eth0", netns="/var/run/netns/x")
    while time.monotonic() < stop:
        cfg.add_network_list(lst, rt, timeout=30)
        cfg.del_network_list(lst, rt, timeout=30)
        calls.append(n)
threads = [threading.Thread(target=churn)]
threads += [threading.Thread(target=lists, args=(n,)) for n in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(calls))
"""


def test_changing_os_environ_while_list_calls_run_cannot_crash(net, tmp_path):
    """One thread adds and removes names in ``os.environ`` (glibc then
    moves environ's array) while two run list ADDs and DELs with the GIL
    released. Reading environ there crashed the process within a second;
    with the call's snapshot it runs clean."""
    proc = subprocess.run(
        [sys.executable, "-c", CHURN, str(net.bin), str(tmp_path / "cache"), "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert int(proc.stdout.split()[-1]) > 0
