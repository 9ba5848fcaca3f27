"""Awaitable :class:`cniinvoke.CNIConfig` (exported as
:class:`cniinvoke.aio.CNIConfig`)."""

from __future__ import annotations

import os
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._aio_run import _run
from ._native import (
    Context,
    NetworkAttachment,
    NetworkConfigList,
    PluginConfig,
    PluginInfo,
    Result,
    RuntimeConf,
)

_NetConf = Union[bytes, bytearray, memoryview, str, Mapping[str, Any]]
_StrPath = Union[str, "os.PathLike[str]"]
_ListLike = Union[NetworkConfigList, _NetConf]
_PluginLike = Union[PluginConfig, _NetConf]
_RtLike = Union[RuntimeConf, Mapping[str, Any]]
_GcAttachment = Union[Tuple[str, str], Mapping[str, str]]


class CNIConfig:
    """:class:`cniinvoke.CNIConfig` with awaitable operations.

    Takes the same arguments (or ``CNIConfig.wrap(cfg)`` an existing
    blocking one, shared with it). Each operation runs the blocking one on
    the loop's default executor; cancelling the awaiting task kills the
    plugin running in the chain and reaps it before
    :class:`asyncio.CancelledError` propagates, the cache left as that
    plugin found it.
    """

    def __init__(
        self,
        path: Optional[Sequence[_StrPath]] = None,
        cache_dir: Optional[_StrPath] = None,
        exec: Any = None,
        cleanup_on_failure: bool = False,
        *,
        cache_sync: bool = True,
    ) -> None:
        self._sync = _native.CNIConfig(
            path, cache_dir, exec, cleanup_on_failure, cache_sync=cache_sync
        )

    @classmethod
    def wrap(cls, sync: _native.CNIConfig) -> "CNIConfig":
        """An awaitable face of the blocking ``sync`` configuration."""
        obj = cls.__new__(cls)
        obj._sync = sync
        return obj

    @property
    def sync(self) -> _native.CNIConfig:
        """The blocking :class:`cniinvoke.CNIConfig` underneath."""
        return self._sync

    def __repr__(self) -> str:
        return f"cniinvoke.aio.CNIConfig.wrap({self._sync!r})"

    async def add_network_list(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> Result:
        """Awaitable :meth:`cniinvoke.CNIConfig.add_network_list`."""
        return await _run(self._sync.add_network_list, netlist, rt, ctx=ctx, timeout=timeout)

    async def check_network_list(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> None:
        """Awaitable :meth:`cniinvoke.CNIConfig.check_network_list`."""
        return await _run(self._sync.check_network_list, netlist, rt, ctx=ctx, timeout=timeout)

    async def del_network_list(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> None:
        """Awaitable :meth:`cniinvoke.CNIConfig.del_network_list`."""
        return await _run(self._sync.del_network_list, netlist, rt, ctx=ctx, timeout=timeout)

    async def get_network_list_cached_result(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> Optional[Result]:
        """Awaitable :meth:`cniinvoke.CNIConfig.get_network_list_cached_result`."""
        return await _run(
            self._sync.get_network_list_cached_result, netlist, rt, ctx=ctx, timeout=timeout
        )

    async def get_network_list_cached_config(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> Optional[Tuple[bytes, RuntimeConf]]:
        """Awaitable :meth:`cniinvoke.CNIConfig.get_network_list_cached_config`."""
        return await _run(
            self._sync.get_network_list_cached_config, netlist, rt, ctx=ctx, timeout=timeout
        )

    async def validate_network_list(
        self,
        netlist: _ListLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> List[str]:
        """Awaitable :meth:`cniinvoke.CNIConfig.validate_network_list`."""
        return await _run(self._sync.validate_network_list, netlist, ctx=ctx, timeout=timeout)

    async def gc_network_list(
        self,
        netlist: _ListLike,
        valid_attachments: Optional[Iterable[_GcAttachment]] = None,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> None:
        """Awaitable :meth:`cniinvoke.CNIConfig.gc_network_list`."""
        return await _run(
            self._sync.gc_network_list, netlist, valid_attachments, ctx=ctx, timeout=timeout
        )

    async def get_status_network_list(
        self,
        netlist: _ListLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> None:
        """Awaitable :meth:`cniinvoke.CNIConfig.get_status_network_list`."""
        return await _run(self._sync.get_status_network_list, netlist, ctx=ctx, timeout=timeout)

    async def get_cached_attachments(
        self,
        container_id: str = "",
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> List[NetworkAttachment]:
        """Awaitable :meth:`cniinvoke.CNIConfig.get_cached_attachments`."""
        return await _run(self._sync.get_cached_attachments, container_id, ctx=ctx, timeout=timeout)

    async def get_version_info(
        self,
        plugin_type: str,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> PluginInfo:
        """Awaitable :meth:`cniinvoke.CNIConfig.get_version_info`."""
        return await _run(self._sync.get_version_info, plugin_type, ctx=ctx, timeout=timeout)

    async def add_network(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> Result:
        """Awaitable :meth:`cniinvoke.CNIConfig.add_network`."""
        return await _run(self._sync.add_network, net, rt, ctx=ctx, timeout=timeout)

    async def check_network(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> None:
        """Awaitable :meth:`cniinvoke.CNIConfig.check_network`."""
        return await _run(self._sync.check_network, net, rt, ctx=ctx, timeout=timeout)

    async def del_network(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> None:
        """Awaitable :meth:`cniinvoke.CNIConfig.del_network`."""
        return await _run(self._sync.del_network, net, rt, ctx=ctx, timeout=timeout)

    async def get_network_cached_result(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> Optional[Result]:
        """Awaitable :meth:`cniinvoke.CNIConfig.get_network_cached_result`."""
        return await _run(self._sync.get_network_cached_result, net, rt, ctx=ctx, timeout=timeout)

    async def get_network_cached_config(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> Optional[Tuple[bytes, RuntimeConf]]:
        """Awaitable :meth:`cniinvoke.CNIConfig.get_network_cached_config`."""
        return await _run(self._sync.get_network_cached_config, net, rt, ctx=ctx, timeout=timeout)

    async def validate_network(
        self,
        net: _PluginLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[float] = None,
    ) -> List[str]:
        """Awaitable :meth:`cniinvoke.CNIConfig.validate_network`."""
        return await _run(self._sync.validate_network, net, ctx=ctx, timeout=timeout)
