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

StrPath = Union[str, "os.PathLike[str]"]
#: A network configuration or other JSON document.
NetConf = Union[bytes, bytearray, memoryview, str, Mapping[str, Any]]
Seconds = Union[int, float]

EXECUTABLE_FILE_EXTENSIONS: Tuple[str, ...]
ALL_VERSIONS: Tuple[str, ...]
CURRENT_VERSION: str

from ._protocols import CNIArgs, Exec

ExecLike = Union["RawExec", "DefaultExec", Exec]

@final
class Context:
    """Cancellation, deadline and trace context for one or more calls."""

    def __init__(
        self,
        timeout: Optional[Seconds] = None,
        *,
        deadline: Optional[Seconds] = None,
        parent: Optional["Context"] = None,
        traceparent: Optional[str] = None,
        tracestate: Optional[str] = None,
        baggage: Optional[str] = None,
    ) -> None: ...
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

    def __init__(
        self,
        command: str = "",
        container_id: str = "",
        netns: str = "",
        plugin_args: Union[None, Mapping[str, str], Sequence[Tuple[str, str]]] = None,
        plugin_args_str: str = "",
        if_name: str = "",
        path: str = "",
    ) -> None: ...
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

    def __init__(self, command: str) -> None: ...
    @property
    def command(self) -> str: ...
    def as_env(self) -> List[str]: ...

@final
class InheritedArgs:
    """Arguments that inherit this process's environment unchanged."""

    def __init__(self) -> None: ...
    def as_env(self) -> None: ...

def args_from_env() -> InheritedArgs:
    """Upstream ``ArgsFromEnv()``: the plugin inherits this environment."""

@final
class RawExec:
    """Runs plugin binaries as child processes (upstream ``RawExec``)."""

    def __init__(
        self,
        stderr: Union[None, Literal["discard", "forward", "inherit"], IO[str], IO[bytes], Any] = None,
        *,
        text_busy_retries: int = 5,
        text_busy_delay: Optional[Seconds] = None,
        kill_grace: Optional[Seconds] = None,
    ) -> None: ...
    @property
    def stderr(self) -> Any: ...
    @property
    def text_busy_retries(self) -> int: ...
    @property
    def text_busy_delay(self) -> float: ...
    @property
    def kill_grace(self) -> float: ...
    def exec_plugin(
        self,
        plugin_path: StrPath,
        stdin_data: NetConf,
        environ: Optional[Sequence[str]] = None,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[Seconds] = None,
    ) -> bytes: ...
    def find_in_path(self, plugin: str, paths: Sequence[StrPath]) -> str: ...
    def decode(self, data: NetConf) -> "PluginInfo": ...

@final
class DefaultExec:
    """Upstream ``DefaultExec``: stderr forwarded to this process's."""

    def __init__(self) -> None: ...
    def exec_plugin(
        self,
        plugin_path: StrPath,
        stdin_data: NetConf,
        environ: Optional[Sequence[str]] = None,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[Seconds] = None,
    ) -> bytes: ...
    def find_in_path(self, plugin: str, paths: Sequence[StrPath]) -> str: ...
    def decode(self, data: NetConf) -> "PluginInfo": ...

@final
class Result:
    """A plugin's result, typed by its CNI version."""

    @staticmethod
    def from_json(data: NetConf) -> "Result": ...
    @property
    def cni_version(self) -> str: ...
    def to_json(self, pretty: bool = False) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def as_version(self, version: str) -> "Result": ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class PluginInfo:
    """Which CNI spec versions a plugin supports."""

    def __init__(self, cni_version: str, supported_versions: Sequence[str]) -> None: ...
    @staticmethod
    def decode(data: NetConf) -> "PluginInfo": ...
    @property
    def cni_version(self) -> str: ...
    @property
    def supported_versions(self) -> List[str]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def find_in_path(plugin: str, paths: Sequence[StrPath]) -> str: ...
def exec_plugin_with_result(
    plugin_path: StrPath,
    netconf: NetConf,
    args: CNIArgs,
    exec: Optional[ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[Seconds] = None,
) -> Result: ...
def exec_plugin_without_result(
    plugin_path: StrPath,
    netconf: NetConf,
    args: CNIArgs,
    exec: Optional[ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[Seconds] = None,
) -> None: ...
def get_version_info(
    plugin_path: StrPath,
    exec: Optional[ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[Seconds] = None,
) -> PluginInfo: ...
def delegate_add(
    plugin: str,
    netconf: NetConf,
    exec: Optional[ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[Seconds] = None,
) -> Result: ...
def delegate_check(
    plugin: str,
    netconf: NetConf,
    exec: Optional[ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[Seconds] = None,
) -> None: ...
def delegate_del(
    plugin: str,
    netconf: NetConf,
    exec: Optional[ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[Seconds] = None,
) -> None: ...
def delegate_status(
    plugin: str,
    netconf: NetConf,
    exec: Optional[ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[Seconds] = None,
) -> None: ...
def delegate_gc(
    plugin: str,
    netconf: NetConf,
    exec: Optional[ExecLike] = None,
    *,
    ctx: Optional[Context] = None,
    timeout: Optional[Seconds] = None,
) -> None: ...
def convert_result(result: Union[Result, NetConf], to_version: str) -> Result: ...
