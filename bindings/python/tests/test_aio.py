"""cniinvoke.aio: awaitable calls; cancelling the task kills the plugin."""

import asyncio
import os
import time

import pytest

import cniinvoke
from cniinvoke import aio
from conftest import CONF, pid_gone

RESULT = {"cniVersion": "1.0.0", "ips": [{"address": "10.4.4.4/24"}]}


def run(coro):
    return asyncio.run(coro)


def test_aio_calls(plugin, script, monkeypatch):
    s = script(result=RESULT)

    async def main():
        info = await aio.get_version_info(plugin)
        r = await aio.exec_plugin_with_result(plugin, CONF, s.args(), timeout=10)
        none = await aio.exec_plugin_without_result(plugin, CONF, s.args("DEL"))
        found = await aio.find_in_path(os.path.basename(plugin), [os.path.dirname(plugin)])
        return info, r, none, found

    info, r, none, found = run(main())
    assert info.cni_version == "1.1.0"
    assert r.to_dict()["ips"][0]["address"] == "10.4.4.4/24"
    assert none is None and found == plugin


def test_aio_delegates(plugin, script, monkeypatch):
    s = script(result=RESULT)
    monkeypatch.setenv("CNI_PATH", os.path.dirname(plugin))
    monkeypatch.setenv("CNI_ARGS", "")
    monkeypatch.setenv("CNI_TEST_PLUGIN_DEBUG", str(s.file))
    name = os.path.basename(plugin)

    async def main():
        r = await aio.delegate_add(name, CONF)
        seen = []
        for fn in (aio.delegate_check, aio.delegate_del, aio.delegate_status, aio.delegate_gc):
            assert await fn(name, CONF) is None
            seen.append(s.seen()["env"]["CNI_COMMAND"])
        assert (await aio.delegate("ADD", name, CONF)).cni_version == "1.0.0"
        assert await aio.delegate("GC", name, CONF) is None
        seen.append(s.seen()["env"]["CNI_COMMAND"])
        return r, seen

    r, seen = run(main())
    assert r.cni_version == "1.0.0"
    assert seen == ["CHECK", "DEL", "STATUS", "GC", "GC"]


def test_aio_runs_concurrently(plugin, script):
    scripts = [script(sleepMs=400) for _ in range(4)]

    async def main():
        t0 = time.monotonic()
        await asyncio.gather(
            *(aio.exec_plugin_without_result(plugin, CONF, s.args("DEL")) for s in scripts)
        )
        return time.monotonic() - t0

    assert run(main()) < 1.2


def test_cancelling_task_kills_plugin(plugin, script):
    s = script(sleepMs=10_000)

    async def main():
        task = asyncio.ensure_future(aio.exec_plugin_with_result(plugin, CONF, s.args()))
        await asyncio.sleep(0.3)
        t0 = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - t0

    assert run(main()) < 1.0
    # The plugin was killed and reaped before CancelledError came out.
    assert pid_gone(s.seen()["pid"], wait=0)


def test_wait_for_timeout_kills_plugin(plugin, script):
    s = script(sleepMs=10_000)

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(aio.exec_plugin_without_result(plugin, CONF, s.args("DEL")), 0.3)

    t0 = time.monotonic()
    run(main())
    assert time.monotonic() - t0 < 1.5
    assert pid_gone(s.seen()["pid"], wait=0)


def test_aio_timeout_and_ctx(plugin, script):
    s = script(sleepMs=10_000)

    async def main():
        with pytest.raises(cniinvoke.PluginTimeoutError):
            await aio.exec_plugin_with_result(plugin, CONF, s.args(), timeout=0.2)
        ctx = cniinvoke.Context()
        asyncio.get_running_loop().call_later(0.2, ctx.cancel)
        with pytest.raises(cniinvoke.PluginCancelledError):
            await aio.exec_plugin_with_result(plugin, CONF, s.args(), ctx=ctx)

    t0 = time.monotonic()
    run(main())
    assert time.monotonic() - t0 < 2


def test_aio_exception_from_fake_unchanged():
    exc = RuntimeError("fake failure")

    class Fake:
        def exec_plugin(self, plugin_path, stdin_data, environ):
            raise exc

    async def main():
        with pytest.raises(RuntimeError) as ei:
            await aio.exec_plugin_with_result("/p", CONF, cniinvoke.Args(), Fake())
        assert ei.value is exc

    run(main())
