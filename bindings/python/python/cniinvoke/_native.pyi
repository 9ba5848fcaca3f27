"""Type stubs for the compiled part of :mod:`cniinvoke`."""

import os
from typing import (
    IO,
    Any,
    ClassVar,
    Dict,
    Iterable,
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
    "PluginConfig",
    "NetworkConfigList",
    "RuntimeConf",
    "NetworkAttachment",
    "CNIConfig",
    "load_network_conf",
    "load_conf",
    "conf_files",
    "inject_conf",
    "conf_list_from_conf",
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

_PluginLike = Union["PluginConfig", _NetConf]
_ListLike = Union["NetworkConfigList", _NetConf]
_RtLike = Union["RuntimeConf", Mapping[str, Any]]
_GcAttachment = Union[Tuple[str, str], Mapping[str, str]]

@final
class PluginConfig:
    """One plugin's configuration (upstream ``PluginConfig``)."""

    @staticmethod
    def from_bytes(data: _NetConf) -> "PluginConfig": ...
    @staticmethod
    def from_file(path: _StrPath) -> "PluginConfig": ...
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def cni_version(self) -> str: ...
    @property
    def capabilities(self) -> Dict[str, bool]: ...
    @property
    def bytes(self) -> bytes: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class NetworkConfigList:
    """A network configuration list (upstream ``NetworkConfigList``)."""

    @staticmethod
    def from_bytes(data: _NetConf) -> "NetworkConfigList": ...
    @staticmethod
    def from_file(path: _StrPath) -> "NetworkConfigList": ...
    @staticmethod
    def from_conf(conf: _PluginLike) -> "NetworkConfigList": ...
    @property
    def name(self) -> str: ...
    @property
    def cni_version(self) -> str: ...
    @property
    def disable_check(self) -> bool: ...
    @property
    def disable_gc(self) -> bool: ...
    @property
    def load_only_inlined_plugins(self) -> bool: ...
    @property
    def plugins(self) -> List[PluginConfig]: ...
    @property
    def bytes(self) -> bytes: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class RuntimeConf:
    """The arguments of one attachment (upstream ``RuntimeConf``)."""

    def __new__(
        cls,
        container_id: str = "",
        netns: Optional[_StrPath] = None,
        if_name: str = "",
        args: Union[None, Mapping[str, str], Sequence[Tuple[str, str]]] = None,
        capability_args: Optional[Mapping[str, Any]] = None,
        cache_dir: Optional[_StrPath] = None,
    ) -> "RuntimeConf": ...
    @property
    def container_id(self) -> str: ...
    @property
    def netns(self) -> str: ...
    @property
    def if_name(self) -> str: ...
    @property
    def args(self) -> List[Tuple[str, str]]: ...
    @property
    def capability_args(self) -> Dict[str, Any]: ...
    @property
    def cache_dir(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class NetworkAttachment:
    """An attachment found in the cache (upstream ``NetworkAttachment``)."""

    @property
    def container_id(self) -> str: ...
    @property
    def network(self) -> str: ...
    @property
    def if_name(self) -> str: ...
    @property
    def config(self) -> bytes: ...
    @property
    def netns(self) -> str: ...
    @property
    def cni_args(self) -> List[Tuple[str, str]]: ...
    @property
    def capability_args(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class CNIConfig:
    """Runs network configuration lists and plugin configurations
    (upstream ``libcni.CNIConfig``)."""

    def __new__(
        cls,
        path: Optional[Sequence[_StrPath]] = None,
        cache_dir: Optional[_StrPath] = None,
        exec: Optional[_ExecLike] = None,
        cleanup_on_failure: bool = False,
        *,
        cache_sync: bool = True,
    ) -> "CNIConfig": ...
    @property
    def path(self) -> List[str]: ...
    @property
    def cache_dir(self) -> Optional[str]: ...
    @property
    def exec(self) -> Optional[_ExecLike]: ...
    @property
    def cleanup_on_failure(self) -> bool: ...
    @property
    def cache_sync(self) -> bool: ...
    def add_network_list(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> Result: ...
    def check_network_list(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> None: ...
    def del_network_list(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> None: ...
    def get_network_list_cached_result(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> Optional[Result]: ...
    def get_network_list_cached_config(
        self,
        netlist: _ListLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> Optional[Tuple[bytes, RuntimeConf]]: ...
    def validate_network_list(
        self,
        netlist: _ListLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> List[str]: ...
    def gc_network_list(
        self,
        netlist: _ListLike,
        valid_attachments: Optional[Iterable[_GcAttachment]] = None,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> None: ...
    def get_status_network_list(
        self,
        netlist: _ListLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> None: ...
    def get_cached_attachments(
        self,
        container_id: str = "",
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> List[NetworkAttachment]: ...
    def get_version_info(
        self,
        plugin_type: str,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> PluginInfo: ...
    def add_network(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> Result: ...
    def check_network(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> None: ...
    def del_network(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> None: ...
    def get_network_cached_result(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> Optional[Result]: ...
    def get_network_cached_config(
        self,
        net: _PluginLike,
        rt: _RtLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> Optional[Tuple[bytes, RuntimeConf]]: ...
    def validate_network(
        self,
        net: _PluginLike,
        *,
        ctx: Optional[Context] = None,
        timeout: Optional[_Seconds] = None,
    ) -> List[str]: ...

def load_network_conf(dir: _StrPath, name: str) -> NetworkConfigList: ...
def load_conf(dir: _StrPath, name: str) -> PluginConfig: ...
def conf_files(dir: _StrPath, extensions: Optional[Sequence[str]] = None) -> List[str]: ...
def inject_conf(conf: _PluginLike, new_values: Mapping[str, Any]) -> PluginConfig: ...
def conf_list_from_conf(conf: _PluginLike) -> NetworkConfigList: ...
