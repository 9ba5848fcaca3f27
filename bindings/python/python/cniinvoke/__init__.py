"""Run CNI (Container Network Interface) plugins from Python.

The Python face of libcniinvoke, a Rust port of upstream Go's
``github.com/containernetworking/cni/pkg/invoke``: find a plugin on a search
path, run it with the CNI environment and the network configuration on
stdin, and get back a typed :class:`Result` or a :class:`CNIError`.

Every call that runs a plugin takes ``ctx=`` (a :class:`Context`) and
``timeout=`` (seconds), releases the GIL while the plugin runs, and kills the
plugin on Ctrl-C, cancellation or timeout. Awaitable versions are in
:mod:`cniinvoke.aio`.

One level up, as upstream's ``libcni``: :class:`CNIConfig` runs network
configuration lists (:class:`NetworkConfigList`, e.g. from
:func:`load_network_conf`) plugin by plugin for a :class:`RuntimeConf`,
chaining results and caching the final one for CHECK, DEL and GC.

Each plugin run and each list operation is one record of the ``cniinvoke``
:mod:`logging` logger (a successful plugin run at DEBUG, a successful list
operation at INFO, a failure at WARNING), its fields as record attributes:
``kind``, ``verb``, ``plugin_type``, ``plugin_path``, ``network``,
``container_id``, ``ifname``, ``duration`` (seconds), ``outcome`` (``"ok"``
or ``"error"``), ``result_version``, ``error_status``, ``error_code``,
``error_text`` and ``exit_status`` (None where they do not apply). While
the logger has no handler or is not enabled for a level, no event of that
level is built; each call looks at the logger when it starts.

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
    CNIConfig,
    Context,
    DefaultExec,
    DelegateArgs,
    InheritedArgs,
    NetworkAttachment,
    NetworkConfigList,
    PluginConfig,
    PluginInfo,
    RawExec,
    Result,
    RuntimeConf,
    args_from_env,
    conf_files,
    conf_list_from_conf,
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
    inject_conf,
    load_conf,
    load_network_conf,
)
from ._protocols import CNIArgs, Exec

__version__ = "0.1.0"

__all__ = [
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
