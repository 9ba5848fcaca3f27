"""Awaitable versions of the :mod:`cniinvoke` calls.

Each coroutine runs the blocking call in the event loop's default executor
(a thread; the GIL is released while the plugin runs) under a child of
``ctx``. Cancelling the awaiting task cancels that child context: the plugin
is killed and reaped before :class:`asyncio.CancelledError` propagates, so
``asyncio.wait_for`` and ``asyncio.timeout`` leave no plugin behind.
Executors given as ``exec=`` are called on that worker thread.
:class:`CNIConfig` here is :class:`cniinvoke.CNIConfig` with awaitable
operations: cancelling one kills the plugin running in its chain and leaves
the cache as the blocking call would.

Example::

    import asyncio
    from cniinvoke import Args, aio

    async def main():
        info = await aio.get_version_info("/opt/cni/bin/bridge", timeout=5)
        print(info.supported_versions)

    asyncio.run(main())
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Sequence, Union

from . import _native
from ._aio_config import CNIConfig
from ._aio_run import _run
from ._native import Context, PluginInfo, Result

__all__ = [
    "CNIConfig",
    "find_in_path",
    "exec_plugin_with_result",
    "exec_plugin_without_result",
    "get_version_info",
    "delegate",
    "delegate_add",
    "delegate_check",
    "delegate_del",
    "delegate_status",
    "delegate_gc",
]

NetConf = Union[bytes, bytearray, memoryview, str, Mapping[str, Any]]
StrPath = Union[str, "os.PathLike[str]"]


async def find_in_path(
    plugin: str,
    paths: Sequence[StrPath],
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> str:
    """Awaitable :func:`cniinvoke.find_in_path`."""
    return await _run(_native.find_in_path, plugin, paths, ctx=ctx, timeout=timeout)


async def exec_plugin_with_result(
    plugin_path: StrPath,
    netconf: NetConf,
    args: Any,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> Result:
    """Awaitable :func:`cniinvoke.exec_plugin_with_result`."""
    return await _run(
        _native.exec_plugin_with_result,
        plugin_path,
        netconf,
        args,
        exec,
        ctx=ctx,
        timeout=timeout,
    )


async def exec_plugin_without_result(
    plugin_path: StrPath,
    netconf: NetConf,
    args: Any,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> None:
    """Awaitable :func:`cniinvoke.exec_plugin_without_result`."""
    await _run(
        _native.exec_plugin_without_result,
        plugin_path,
        netconf,
        args,
        exec,
        ctx=ctx,
        timeout=timeout,
    )


async def get_version_info(
    plugin_path: StrPath,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> PluginInfo:
    """Awaitable :func:`cniinvoke.get_version_info`."""
    return await _run(_native.get_version_info, plugin_path, exec, ctx=ctx, timeout=timeout)


async def delegate(
    verb: str,
    plugin: str,
    netconf: NetConf,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> Optional[Result]:
    """Awaitable :func:`cniinvoke.delegate`."""
    return await _run(_native.delegate, verb, plugin, netconf, exec, ctx=ctx, timeout=timeout)


async def delegate_add(
    plugin: str,
    netconf: NetConf,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> Result:
    """Awaitable :func:`cniinvoke.delegate_add`."""
    return await _run(_native.delegate_add, plugin, netconf, exec, ctx=ctx, timeout=timeout)


async def delegate_check(
    plugin: str,
    netconf: NetConf,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> None:
    """Awaitable :func:`cniinvoke.delegate_check`."""
    await _run(_native.delegate_check, plugin, netconf, exec, ctx=ctx, timeout=timeout)


async def delegate_del(
    plugin: str,
    netconf: NetConf,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> None:
    """Awaitable :func:`cniinvoke.delegate_del`."""
    await _run(_native.delegate_del, plugin, netconf, exec, ctx=ctx, timeout=timeout)


async def delegate_status(
    plugin: str,
    netconf: NetConf,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> None:
    """Awaitable :func:`cniinvoke.delegate_status`."""
    await _run(_native.delegate_status, plugin, netconf, exec, ctx=ctx, timeout=timeout)


async def delegate_gc(
    plugin: str,
    netconf: NetConf,
    exec: Any = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[float] = None,
) -> None:
    """Awaitable :func:`cniinvoke.delegate_gc`."""
    await _run(_native.delegate_gc, plugin, netconf, exec, ctx=ctx, timeout=timeout)
