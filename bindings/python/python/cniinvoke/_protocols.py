"""The duck types the calls accept (for type checkers and documentation)."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

try:
    from typing import Protocol
except ImportError:  # pragma: no cover - Python < 3.8
    from typing_extensions import Protocol  # type: ignore

if TYPE_CHECKING:
    from ._native import PluginInfo

__all__ = ["CNIArgs", "Exec"]


class CNIArgs(Protocol):
    """Anything usable as ``args=``: ``as_env()`` returns the plugin's whole
    environment as ``"K=V"`` strings, or None to let it inherit this
    process's environment (upstream's ``CNIArgs`` interface)."""

    def as_env(self) -> Optional[List[str]]:
        """The plugin's whole environment, or None to inherit."""
        ...


class Exec(Protocol):
    """Anything usable as ``exec=`` (upstream's ``Exec`` interface, the seam
    for fakes). ``find_in_path`` and ``decode`` may be left out: the
    library's own are used then. An exception raised in any of them reaches
    the caller of the call unchanged."""

    def exec_plugin(
        self, plugin_path: str, stdin_data: bytes, environ: Optional[List[str]]
    ) -> bytes:
        """Run the plugin; return its stdout. ``environ`` is the plugin's
        whole environment as ``"K=V"`` strings, or None to inherit."""
        ...

    def find_in_path(self, plugin: str, paths: List[str]) -> str:
        """The full path of ``plugin`` on ``paths``."""
        ...

    def decode(self, data: bytes) -> "PluginInfo":
        """Decode a ``VERSION`` report."""
        ...
