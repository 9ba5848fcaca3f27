"""Type stubs for the compiled part of :mod:`cniinvoke`."""

import os
from typing import (
    IO,
    Any,
    Dict,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Union,
    final,
)

from ._protocols import CNIArgs, Exec

_StrPath = Union[str, "os.PathLike[str]"]
#: A network configuration or other JSON document.
_NetConf = Union[bytes, bytearray, memoryview, str, Mapping[str, Any]]
_Seconds = Union[int, float]

__all__ = [
    "Context",
    "Args",
    "DelegateArgs",
    "InheritedArgs",
    "RawExec",
    "DefaultExec",
    "Result",
    "PluginInfo",
    "args_from_env",
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
    "convert_result",
    "EXECUTABLE_FILE_EXTENSIONS",
    "ALL_VERSIONS",
    "CURRENT_VERSION",
]

EXECUTABLE_FILE_EXTENSIONS: Tuple[str, ...]
ALL_VERSIONS: Tuple[str, ...]
CURRENT_VERSION: str

_ExecLike = Union["RawExec", "DefaultExec", Exec]

@final
class Context:
    """Cancellation, deadline and trace context for one or more calls."""

    def __new__(
        cls,
        timeout: Optional[_Seconds] = None,
        *,
        deadline: Optional[_Seconds] = None,
        parent: Optional["Context"] = None,
        traceparent: Optional[str] = None,
        tracestate: Optional[str] = None,
        baggage: Optional[str] = None,
    ) -> "Context": ...
    def cancel(self) -> None:
        """Cancel this context and the contexts derived from it."""
    @property
    def cancelled(self) -> bool: ...
    @property
    def expired(self) -> bool: ...
    @property
    def done(self) -> bool: ...
    @property
    def deadline(self) -> Optional[float]:
        """The effective deadline as a ``time.monotonic()`` value."""
    def time_remaining(self) -> Optional[float]: ...
    def set_trace(
        self,
        traceparent: Optional[str] = None,
        tracestate: Optional[str] = None,
        baggage: Optional[str] = None,
    ) -> None: ...
    @property
    def traceparent(self) -> Optional[str]: ...
    @property
    def tracestate(self) -> Optional[str]: ...
    @property
    def baggage(self) -> Optional[str]: ...

@final
class Args:
    """The arguments of one CNI operation (upstream ``invoke.Args``)."""

    def __new__(
        cls,
        command: str = "",
        container_id: str = "",
        netns: str = "",
        plugin_args: Union[None, Mapping[str, str], Sequence[Tuple[str, str]]] = None,
        plugin_args_str: str = "",
        if_name: str = "",
        path: str = "",
    ) -> "Args": ...
    @property
    def command(self) -> str: ...
    @property
    def container_id(self) -> str: ...
    @property
    def netns(self) -> str: ...
    @property
    def plugin_args(self) -> List[Tuple[str, str]]: ...
    @property
    def plugin_args_str(self) -> str: ...
    @property
    def if_name(self) -> str: ...
    @property
    def path(self) -> str: ...
    def as_env(self) -> List[str]: ...

@final
class DelegateArgs:
    """This process's environment with ``CNI_COMMAND`` overridden."""

    def __new__(cls, command: str) -> "DelegateArgs": ...
    @property
    def command(self) -> str: ...
    def as_env(self) -> List[str]: ...

@final
class InheritedArgs:
    """Arguments that inherit this process's environment unchanged."""

    def __new__(cls) -> "InheritedArgs": ...
    def as_env(self) -> None: ...

def args_from_env() -> InheritedArgs:
    """Upstream ``ArgsFromEnv()``: the plugin inherits this environment."""

@final
class RawExec:
    """Runs plugin binaries as child processes (upstream ``RawExec``).

    ``stderr`` None or ``"discard"`` (the default, as upstream's
    ``RawExec{}``) keeps a successful plugin's stderr only for error
    messages; ``"forward"`` writes it to fd 2 (as :class:`DefaultExec`);
    ``"inherit"`` lets the plugin write to fd 2; a file-like object gets it
    through ``write()``. Defaults: ``text_busy_retries=5``,
    ``text_busy_delay=1.0`` s, ``kill_grace=0.0`` s,
    ``max_output_bytes=64 MiB``. Bad values raise
    :class:`InvalidArgumentError` with the library core's text (the same as
    the C ABI's), naming the option by its options-document key and unit.
    """

    def __new__(
        cls,
        stderr: Union[
            None, Literal["discard", "forward", "inherit"], IO[str], IO[bytes], Any
        ] = None,
        *,
        text_busy_retries: Optional[int] = None,
        text_busy_delay: Optional[_Seconds] = None,
        kill_grace: Optional[_Seconds] = None,
        max_output_bytes: Optional[int] = None,
    ) -> "RawExec": ...
    @property
    def stderr(self) -> Any: ...
    @property
    def text_busy_retries(self) -> int: ...
    @property
    def text_busy_delay(self) -> float: ...
    @property
    def kill_grace(self) -> float: ...
    @property
    def max_output_bytes(self) -> int: ...
    def exec_plugin(
        self,
        plugin_path: _StrPath,
        stdin_data: _NetConf,
        environ: Optional[Sequence[str]] = None,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> bytes: ...
    def find_in_path(self, plugin: str, paths: Sequence[_StrPath]) -> str: ...
    def decode(self, data: _NetConf) -> "PluginInfo": ...

@final
class DefaultExec:
    """Upstream ``DefaultExec``: stderr forwarded to this process's."""

    def __new__(cls) -> "DefaultExec": ...
    def exec_plugin(
        self,
        plugin_path: _StrPath,
        stdin_data: _NetConf,
        environ: Optional[Sequence[str]] = None,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> bytes: ...
    def find_in_path(self, plugin: str, paths: Sequence[_StrPath]) -> str: ...
    def decode(self, data: _NetConf) -> "PluginInfo": ...

@final
class Result:
    """A plugin's result, typed by its CNI version."""

    @staticmethod
    def from_json(data: _NetConf) -> "Result": ...
    @property
    def cni_version(self) -> str: ...
    def to_json(self, pretty: bool = False) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def as_version(self, version: str) -> "Result": ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class PluginInfo:
    """Which CNI spec versions a plugin supports."""

    def __new__(cls, cni_version: str, supported_versions: Sequence[str]) -> "PluginInfo": ...
    @staticmethod
    def decode(data: _NetConf) -> "PluginInfo": ...
    @property
    def cni_version(self) -> str: ...
    @property
    def supported_versions(self) -> List[str]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

def find_in_path(
    plugin: str,
    paths: Sequence[_StrPath],
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> str: ...
def exec_plugin_with_result(
    plugin_path: _StrPath,
    netconf: _NetConf,
    args: CNIArgs,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> Result: ...
def exec_plugin_without_result(
    plugin_path: _StrPath,
    netconf: _NetConf,
    args: CNIArgs,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> None: ...
def get_version_info(
    plugin_path: _StrPath,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> PluginInfo: ...
def delegate(
    verb: Literal["ADD", "CHECK", "DEL", "STATUS", "GC"],
    plugin: str,
    netconf: _NetConf,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> Optional[Result]:
    """Run the delegate ``plugin`` (found on ``CNI_PATH``) with ``verb``; the
    ``Result`` for ``"ADD"``, None for the other verbs."""

def delegate_add(
    plugin: str,
    netconf: _NetConf,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> Result: ...
def delegate_check(
    plugin: str,
    netconf: _NetConf,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> None: ...
def delegate_del(
    plugin: str,
    netconf: _NetConf,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> None: ...
def delegate_status(
    plugin: str,
    netconf: _NetConf,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> None: ...
def delegate_gc(
    plugin: str,
    netconf: _NetConf,
    exec: Optional[_ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[_Seconds] = None,
) -> None: ...
def convert_result(result: Union[Result, _NetConf], to_version: str) -> Result: ...
