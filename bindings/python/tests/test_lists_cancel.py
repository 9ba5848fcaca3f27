"""A list cancelled mid-chain (another thread's cancel(), Ctrl-C, asyncio
cancellation, timeouts): the running plugin is killed and reaped, the cache
left consistent, the attachment's lock released. Concurrent threads on one
attachment run one after the other, on different ones in parallel."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import threading
import time

import pytest

import cniinvoke
from cniinvoke import aio
from conftest import pid_gone


def slow(net, plugin: str = "beta", commands=None, **script):
    """A plugin that records itself (pid) and sleeps 10 s in ADD (or in
    ``commands``), carrying the chain otherwise."""
    record = net.root / f"{plugin}-record.json"
    script = dict({"record": str(record), "chainResult": True}, **script)
    if commands is None:
        script["sleepMs"] = 10_000
    else:
        script["commands"] = {c: {"sleepMs": 10_000} for c in commands}
    return {"type": plugin, "debug": script}, record


def wait_for(path, limit: float = 5.0) -> None:
    until = time.monotonic() + limit
    while not path.exists():
        assert time.monotonic() < until, f"{path} never appeared"
        time.sleep(0.01)


def pid_in(record) -> int:
    import json

    return json.loads(record.read_text())["pid"]


def no_temp_files(net) -> bool:
    results = net.cache / "results"
    return not results.exists() or all(
        not name.startswith(".") and "tmp" not in name for name in os.listdir(results)
    )


def test_cancel_from_another_thread_mid_chain(net):
    conf, record = slow(net)
    lst = net.list("net1", "1.0.0", ["alpha", conf, "gamma"])
    cfg = net.cfg()
    ctx = cniinvoke.Context()

    def cancel_when_started():
        wait_for(record)
        ctx.cancel()

    t = threading.Thread(target=cancel_when_started)
    t.start()
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginCancelledError) as ei:
        cfg.add_network_list(lst, net.rt("ctr1"), ctx=ctx)
    t.join()
    assert time.monotonic() - t0 < 5
    assert str(ei.value).startswith('plugin type="beta" failed (add): ')
    assert pid_gone(pid_in(record))
    assert net.steps("ctr1") == ["ADD alpha", "ADD beta"]
    assert not net.entry("net1", "ctr1").exists() and no_temp_files(net)
    # The lock was released: the next operation on it runs at once.
    fast = net.list("net1", "1.0.0", ["alpha", "beta", "gamma"])
    cfg.del_network_list(fast, net.rt("ctr1"), timeout=5)
    assert net.steps("ctr1")[2:] == ["DEL gamma", "DEL beta", "DEL alpha"]


def test_cancelled_del_keeps_the_entry(net):
    conf, record = slow(net, commands=["DEL"])
    lst = net.list("net1", "1.0.0", ["alpha", conf])
    cfg = net.cfg()
    added = cfg.add_network_list(lst, net.rt("ctr1"))
    with pytest.raises(cniinvoke.PluginTimeoutError):
        cfg.del_network_list(lst, net.rt("ctr1"), timeout=0.5)
    assert pid_gone(pid_in(record))
    assert cfg.get_network_list_cached_result(lst, net.rt("ctr1")) == added
    assert no_temp_files(net)


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signals are delivered to the main thread",
)
def test_ctrl_c_mid_chain(net):
    conf, record = slow(net)
    lst = net.list("net1", "1.0.0", ["alpha", conf])

    def interrupt_when_started():
        wait_for(record)
        os.kill(os.getpid(), signal.SIGINT)

    t = threading.Thread(target=interrupt_when_started)
    t.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            net.cfg().add_network_list(lst, net.rt("ctr1"))
    finally:
        t.join()
    assert time.monotonic() - t0 < 5
    assert pid_gone(pid_in(record))
    assert not net.entry("net1", "ctr1").exists() and no_temp_files(net)


def test_aio_operations_and_cancellation(net):
    conf, record = slow(net)
    lst = net.list("net1", "1.0.0", ["alpha", conf])
    fast = net.list("net2", "1.0.0", ["alpha", "beta"])
    acfg = aio.CNIConfig([str(net.bin)], str(net.cache), cache_sync=False)
    assert isinstance(acfg.sync, cniinvoke.CNIConfig)

    async def main():
        r = await acfg.add_network_list(fast, net.rt("ctr2"), timeout=10)
        assert await acfg.get_network_list_cached_result(fast, net.rt("ctr2")) == r
        await acfg.check_network_list(fast, net.rt("ctr2"))
        assert [a.network for a in await acfg.get_cached_attachments("ctr2")] == ["net2"]
        await acfg.del_network_list(fast, net.rt("ctr2"))

        task = asyncio.ensure_future(acfg.add_network_list(lst, net.rt("ctr1")))
        while not record.exists():
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # Reaped before the cancellation propagated.
        assert pid_gone(pid_in(record), wait=0)

        record.unlink()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(acfg.add_network_list(lst, net.rt("ctr3")), 0.5)
        assert pid_gone(pid_in(record), wait=0)

    asyncio.run(main())
    assert net.steps("ctr2") == [
        "ADD alpha",
        "ADD beta",
        "CHECK alpha",
        "CHECK beta",
        "DEL beta",
        "DEL alpha",
    ]
    for ctr in ("ctr1", "ctr3"):
        assert not net.entry("net1", ctr).exists()
    assert no_temp_files(net)


def sleepy(plugin: str, ms: int):
    return {"type": plugin, "debug": {"sleepMs": ms, "chainResult": True}}


def test_threads_on_one_attachment_take_turns(net):
    lst = net.list("net1", "1.0.0", [sleepy("alpha", 100), sleepy("beta", 100)])
    cfg = net.cfg()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: cfg.add_network_list(lst, net.rt("ctr1")), range(4)))
    assert len({r.to_json() for r in results}) == 1
    # Each ADD ran its whole chain before the next one started.
    assert net.steps("ctr1") == ["ADD alpha", "ADD beta"] * 4
    assert cfg.get_network_list_cached_result(lst, net.rt("ctr1")) == results[0]


def test_threads_on_different_attachments_run_in_parallel(net):
    lst = net.list("net1", "1.0.0", [sleepy("alpha", 400), sleepy("beta", 400)])
    cfg = net.cfg()
    ctrs = [f"ctr{i}" for i in range(4)]
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda c: cfg.add_network_list(lst, net.rt(c)), ctrs))
    elapsed = time.monotonic() - t0
    # One after the other would take 3.2 s.
    assert elapsed < 2.4, elapsed
    assert sorted(a.container_id for a in cfg.get_cached_attachments()) == ctrs
    for c in ctrs:
        assert net.steps(c) == ["ADD alpha", "ADD beta"]


@pytest.mark.parametrize(
    "op",
    [
        "add_network_list",
        "check_network_list",
        "del_network_list",
        "gc_network_list",
        "get_status_network_list",
        "validate_network_list",
        "get_version_info",
        "add_network",
        "check_network",
        "del_network",
        "validate_network",
    ],
)
def test_timeout_and_ctx_on_every_operation(net, monkeypatch, op):
    lst = net.list("net1", "1.1.0", ["alpha", "beta"])
    one = {"cniVersion": "1.1.0", "name": "one", "type": "alpha", "logDir": str(net.logs)}
    cfg = net.cfg()
    cfg.add_network_list(lst, net.rt("ctr1"))
    cfg.add_network(one, net.rt("ctr1"))
    debug = net.root / "sleep.json"
    debug.write_text('{"sleepMs": 10000}')
    monkeypatch.setenv("CNI_TEST_PLUGIN_DEBUG", str(debug))
    call = {
        "add_network_list": lambda **kw: cfg.add_network_list(lst, net.rt("ctr2"), **kw),
        "check_network_list": lambda **kw: cfg.check_network_list(lst, net.rt("ctr1"), **kw),
        "del_network_list": lambda **kw: cfg.del_network_list(lst, net.rt("ctr1"), **kw),
        "gc_network_list": lambda **kw: cfg.gc_network_list(lst, [("ctr1", "eth0")], **kw),
        "get_status_network_list": lambda **kw: cfg.get_status_network_list(lst, **kw),
        "validate_network_list": lambda **kw: cfg.validate_network_list(lst, **kw),
        "get_version_info": lambda **kw: cfg.get_version_info("alpha", **kw),
        "add_network": lambda **kw: cfg.add_network(one, net.rt("ctr2"), **kw),
        "check_network": lambda **kw: cfg.check_network(one, net.rt("ctr1"), **kw),
        "del_network": lambda **kw: cfg.del_network(one, net.rt("ctr1"), **kw),
        "validate_network": lambda **kw: cfg.validate_network(one, **kw),
    }[op]
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginTimeoutError):
        call(timeout=0.2)
    with pytest.raises(cniinvoke.PluginTimeoutError):
        call(ctx=cniinvoke.Context(timeout=0.2))
    assert time.monotonic() - t0 < 4
    # What was cached stays.
    assert net.entry("net1", "ctr1").exists() and net.entry("one", "ctr1").exists()
    assert not net.entry("net1", "ctr2").exists() and not net.entry("one", "ctr2").exists()


def test_gil_released_for_the_whole_chain(net):
    lst = net.list("net1", "1.0.0", [sleepy("alpha", 300), sleepy("beta", 300)])
    cfg = net.cfg()
    t = threading.Thread(target=cfg.add_network_list, args=(lst, net.rt("ctr1")))
    t.start()
    spins = 0
    while t.is_alive():
        spins += 1
    t.join()
    assert spins > 10_000
    assert net.entry("net1", "ctr1").exists()
