"""The one way :mod:`cniinvoke.aio` awaits a blocking call: on the event
loop's default executor, under a child context that a cancelled task
cancels, the plugin reaped before the cancellation propagates."""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable, Optional, TypeVar

from ._native import Context

T = TypeVar("T")


async def _run(
    fn: Callable[..., T],
    *args: Any,
    ctx: Optional[Context],
    timeout: Optional[float],
) -> T:
    child = Context(parent=ctx)
    loop = asyncio.get_running_loop()
    fut = loop.run_in_executor(None, functools.partial(fn, *args, ctx=child, timeout=timeout))
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        child.cancel()
        # The call returns (PluginCancelledError) once the plugin is reaped.
        await asyncio.wait({fut})
        if not fut.cancelled():
            fut.exception()  # retrieved: no "exception never retrieved"
        raise
