"""Run CNI (Container Network Interface) plugins from Python.

The Python face of libcniinvoke, a Rust port of upstream Go's
``github.com/containernetworking/cni/pkg/invoke``: find a plugin on a search
path, run it with the CNI environment and the network configuration on
stdin, and get back a typed :class:`Result` or a :class:`CNIError`.

Every call that runs a plugin takes ``ctx=`` (a :class:`Context`) and
``timeout=`` (seconds), releases the GIL while the plugin runs, and kills the
plugin on Ctrl-C, cancellation or timeout. Awaitable versions are in
:mod:`cniinvoke.aio`.

Example::

    import cniinvoke

    plugin = cniinvoke.find_in_path("bridge", ["/opt/cni/bin"])
    args = cniinvoke.Args(command="ADD", container_id="ctr-1",
                          netns="/var/run/netns/ctr-1", if_name="eth0",
                          path="/opt/cni/bin")
    conf = {"cniVersion": "1.0.0", "name": "net", "type": "bridge"}
    result = cniinvoke.exec_plugin_with_result(plugin, conf, args, timeout=30)
    print(result.to_dict()["ips"])
"""

from ._errors import (
    CNIError,
    CNIIOError,
    ConfigNotFoundError,
    DecodeError,
    InvalidArgumentError,
    PluginCancelledError,
    PluginError,
    PluginExecError,
    PluginNotFoundError,
    PluginTimeoutError,
    UnsupportedVersionError,
)
from ._native import (
    ALL_VERSIONS,
    CURRENT_VERSION,
    EXECUTABLE_FILE_EXTENSIONS,
    Args,
    Context,
    DefaultExec,
    DelegateArgs,
    InheritedArgs,
    PluginInfo,
    RawExec,
    Result,
    args_from_env,
    convert_result,
    delegate,
    delegate_add,
    delegate_check,
    delegate_del,
    delegate_gc,
    delegate_status,
    exec_plugin_with_result,
    exec_plugin_without_result,
    find_in_path,
    get_version_info,
)
from ._protocols import CNIArgs, Exec

__version__ = "0.1.0"

__all__ = [
    "ALL_VERSIONS",
    "CURRENT_VERSION",
    "EXECUTABLE_FILE_EXTENSIONS",
    "Args",
    "CNIArgs",
    "CNIError",
    "Context",
    "DecodeError",
    "DefaultExec",
    "Exec",
    "DelegateArgs",
    "InheritedArgs",
    "InvalidArgumentError",
    "ConfigNotFoundError",
    "CNIIOError",
    "PluginCancelledError",
    "PluginError",
    "PluginExecError",
    "PluginInfo",
    "PluginNotFoundError",
    "PluginTimeoutError",
    "RawExec",
    "Result",
    "UnsupportedVersionError",
    "args_from_env",
    "convert_result",
    "delegate",
    "delegate_add",
    "delegate_check",
    "delegate_del",
    "delegate_gc",
    "delegate_status",
    "exec_plugin_with_result",
    "exec_plugin_without_result",
    "find_in_path",
    "get_version_info",
]
