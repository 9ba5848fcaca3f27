"""Events in Python's ``logging``: one record per plugin run and per list
operation on the ``cniinvoke`` logger, the event's fields as attributes,
nothing when the logger keeps nothing."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

import cniinvoke
from cniinvoke import aio
from conftest import CONF

FIELDS = (
    "kind",
    "verb",
    "plugin_type",
    "plugin_path",
    "network",
    "container_id",
    "ifname",
    "duration",
    "outcome",
    "result_version",
    "error_status",
    "error_code",
    "error_text",
    "exit_status",
)

RESULT = {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0"}]}


def ours(caplog):
    return [r for r in caplog.records if r.name == "cniinvoke"]


def fields(record):
    return {k: getattr(record, k) for k in FIELDS}


def test_plugin_run_is_one_debug_record(plugin, script, caplog):
    caplog.set_level(logging.DEBUG, logger="cniinvoke")
    s = script(result=RESULT)
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), timeout=30)
    [rec] = ours(caplog)
    assert rec.levelno == logging.DEBUG
    f = fields(rec)
    assert 0 < f.pop("duration") < 30
    assert f == {
        "kind": "plugin",
        "verb": "ADD",
        "plugin_type": "cni-test-plugin",
        "plugin_path": plugin,
        "network": "testnet",
        "container_id": "ctr-1",
        "ifname": "eth0",
        "outcome": "ok",
        "result_version": "1.0.0",
        "error_status": None,
        "error_code": None,
        "error_text": None,
        "exit_status": None,
    }
    assert rec.getMessage().startswith(
        "plugin ADD type=cni-test-plugin network=testnet container=ctr-1: ok in "
    )
    # Delivered on the thread that made the call.
    assert rec.thread == threading.get_ident()


def test_failed_run_is_a_warning_with_the_error(plugin, script, caplog):
    caplog.set_level(logging.DEBUG, logger="cniinvoke")
    s = script(stderr="it broke", exitCode=1)
    with pytest.raises(cniinvoke.PluginError) as ei:
        cniinvoke.exec_plugin_without_result(plugin, CONF, s.args("DEL"))
    [rec] = ours(caplog)
    assert rec.levelno == logging.WARNING
    assert (rec.verb, rec.outcome, rec.result_version) == ("DEL", "error", None)
    assert rec.error_text == str(ei.value) == 'netplugin failed: "it broke"'
    assert (rec.error_status, rec.error_code) == ("PluginError", ei.value.code)
    assert rec.exit_status == "exit status 1"
    assert rec.getMessage().endswith(': failed in %.3fms: netplugin failed: "it broke"'
                                     % (rec.duration * 1000))


def test_list_operation_and_its_plugin_runs(net, caplog):
    caplog.set_level(logging.DEBUG, logger="cniinvoke")
    cfg = net.cfg()
    lst = net.list("net1", "1.0.0", ["alpha", "beta"])
    cfg.add_network_list(lst, net.rt("ctr1", if_name="eth3"), timeout=30)
    recs = ours(caplog)
    assert [(r.kind, r.verb, r.plugin_type) for r in recs] == [
        ("plugin", "ADD", "alpha"),
        ("plugin", "ADD", "beta"),
        ("list", "ADD", None),
    ]
    lst_rec = recs[-1]
    assert lst_rec.levelno == logging.INFO
    assert (lst_rec.network, lst_rec.container_id, lst_rec.ifname) == ("net1", "ctr1", "eth3")
    assert (lst_rec.outcome, lst_rec.result_version, lst_rec.plugin_path) == ("ok", "1.0.0", None)
    assert lst_rec.duration >= max(r.duration for r in recs[:2])


def test_level_filters_events_before_they_are_built(net, caplog):
    caplog.set_level(logging.INFO, logger="cniinvoke")
    cfg = net.cfg()
    lst = net.list("net1", "1.0.0", ["alpha", "beta"])
    cfg.add_network_list(lst, net.rt("ctr1"), timeout=30)
    assert [(r.kind, r.levelno) for r in ours(caplog)] == [("list", logging.INFO)]


def test_logger_changes_are_seen_by_the_next_call(plugin, script, caplog):
    s = script(result=RESULT)
    caplog.set_level(logging.ERROR, logger="cniinvoke")
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), timeout=30)
    assert ours(caplog) == []
    caplog.set_level(logging.DEBUG, logger="cniinvoke")
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), timeout=30)
    assert len(ours(caplog)) == 1
    caplog.set_level(logging.ERROR, logger="cniinvoke")
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), timeout=30)
    assert len(ours(caplog)) == 1


def test_nothing_without_a_handler(plugin, script):
    """No handler anywhere up the tree: no record, not even to stderr's
    last-resort handler, for a failure."""
    seen = []

    class Spy(logging.Filter):
        def filter(self, record):
            seen.append(record)
            return True

    log = logging.getLogger("cniinvoke")
    log.addFilter(Spy())
    old = log.propagate
    log.propagate = False
    try:
        s = script(exitCode=3)
        with pytest.raises(cniinvoke.PluginError):
            cniinvoke.exec_plugin_without_result(plugin, CONF, s.args("DEL"))
    finally:
        log.propagate = old
        log.filters.clear()
    assert seen == []


def test_handler_calling_the_library_does_not_recurse(plugin, script, caplog):
    caplog.set_level(logging.DEBUG, logger="cniinvoke")
    inner = script(result=RESULT)
    nested = []

    class Reenter(logging.Handler):
        def emit(self, record):
            if record.name == "cniinvoke" and not nested:
                nested.append(
                    cniinvoke.exec_plugin_with_result(plugin, CONF, inner.args(), timeout=30)
                )

    h = Reenter()
    logging.getLogger("cniinvoke").addHandler(h)
    try:
        cniinvoke.exec_plugin_with_result(plugin, CONF, script(result=RESULT).args(), timeout=30)
    finally:
        logging.getLogger("cniinvoke").removeHandler(h)
    assert len(nested) == 1
    # The outer run's record only: the handler's own run raises no event.
    assert len(ours(caplog)) == 1


def test_threads_each_log_their_own_run(plugin, script, caplog):
    caplog.set_level(logging.DEBUG, logger="cniinvoke")
    idents = {}

    def run(i):
        idents[f"ctr-{i}"] = threading.get_ident()
        s = script(result=RESULT)
        cniinvoke.exec_plugin_with_result(
            plugin, CONF, s.args(container_id=f"ctr-{i}"), timeout=30
        )

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    recs = ours(caplog)
    assert sorted(r.container_id for r in recs) == [f"ctr-{i}" for i in range(4)]
    for r in recs:
        assert r.thread == idents[r.container_id]


def test_aio_operations_log_too(net, caplog):
    caplog.set_level(logging.INFO, logger="cniinvoke")
    cfg = aio.CNIConfig.wrap(net.cfg())
    lst = net.list("net2", "1.0.0", ["alpha"])
    asyncio.run(cfg.add_network_list(lst, net.rt("ctr9"), timeout=30))
    [rec] = ours(caplog)
    assert (rec.kind, rec.verb, rec.network, rec.container_id) == ("list", "ADD", "net2", "ctr9")


# Run in a child process: a deadlock there is a timeout here, not a hung
# suite.
TOGGLER = r"""
import json, logging, sys, threading
import cniinvoke

plugin, debug, conf = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
records = []

class Keep(logging.Handler):
    def emit(self, record):
        records.append(record)

log = logging.getLogger("cniinvoke")
log.addHandler(Keep())
stop = threading.Event()

def worker(i):
    args = cniinvoke.Args(command="ADD", container_id=f"w{i}", netns="/x",
                          if_name="eth0", path="/x", plugin_args=[("DEBUG", debug)])
    while not stop.is_set():
        cniinvoke.exec_plugin_with_result(plugin, conf, args, timeout=30)

class Fake:
    def exec_plugin(self, plugin_path, stdin_data, environ):
        return b'{"cniVersion": "1.0.0"}'

threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
for t in threads:
    t.start()
# Toggled from calls that start no process (a fake executor), so the sink
# changes often while this thread holds the GIL and the workers' records
# wait for it.
fake = Fake()
for n in range(2000):
    log.setLevel(logging.DEBUG if n % 2 else logging.ERROR)
    cniinvoke.exec_plugin_with_result("/fake/p", conf, cniinvoke.Args(command="ADD"), fake)
stop.set()
for t in threads:
    t.join()
log.setLevel(logging.ERROR)
before = len(records)
cniinvoke.exec_plugin_with_result("/fake/p", conf, cniinvoke.Args(command="ADD"), fake)
print(json.dumps({"workers": sum(r.container_id != None for r in records),
                  "fakes": sum(r.plugin_path == "/fake/p" for r in records),
                  "after": len(records) - before}))
"""


def test_level_changes_while_other_threads_log(plugin, script, tmp_path):
    """Installing and removing the core sink while other threads' runs are
    delivering records (and waiting for the GIL) does not deadlock, and the
    logger's last state holds."""
    import json
    import subprocess
    import sys

    s = script(result=RESULT, sleepMs=2)
    out = subprocess.run(
        [sys.executable, "-c", TOGGLER, plugin, str(s.file), json.dumps(CONF)],
        capture_output=True,
        text=True,
        timeout=50,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["workers"] > 0 and got["fakes"] > 0 and got["after"] == 0, got
