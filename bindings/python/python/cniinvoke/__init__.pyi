"""Type stubs for :mod:`cniinvoke` (the names are defined in ``_native.pyi``
and ``_errors.py``)."""

from ._errors import CNIError as CNIError
from ._errors import CNIIOError as CNIIOError
from ._errors import ConfigNotFoundError as ConfigNotFoundError
from ._errors import DecodeError as DecodeError
from ._errors import InvalidArgumentError as InvalidArgumentError
from ._errors import PluginCancelledError as PluginCancelledError
from ._errors import PluginError as PluginError
from ._errors import PluginExecError as PluginExecError
from ._errors import PluginNotFoundError as PluginNotFoundError
from ._errors import PluginTimeoutError as PluginTimeoutError
from ._errors import UnsupportedVersionError as UnsupportedVersionError
from ._native import ALL_VERSIONS as ALL_VERSIONS
from ._native import CURRENT_VERSION as CURRENT_VERSION
from ._native import EXECUTABLE_FILE_EXTENSIONS as EXECUTABLE_FILE_EXTENSIONS
from ._native import Args as Args
from ._native import CNIConfig as CNIConfig
from ._native import Context as Context
from ._native import DefaultExec as DefaultExec
from ._native import DelegateArgs as DelegateArgs
from ._native import InheritedArgs as InheritedArgs
from ._native import NetworkAttachment as NetworkAttachment
from ._native import NetworkConfigList as NetworkConfigList
from ._native import PluginConfig as PluginConfig
from ._native import PluginInfo as PluginInfo
from ._native import RawExec as RawExec
from ._native import Result as Result
from ._native import RuntimeConf as RuntimeConf
from ._native import args_from_env as args_from_env
from ._native import conf_files as conf_files
from ._native import conf_list_from_conf as conf_list_from_conf
from ._native import convert_result as convert_result
from ._native import delegate as delegate
from ._native import delegate_add as delegate_add
from ._native import delegate_check as delegate_check
from ._native import delegate_del as delegate_del
from ._native import delegate_gc as delegate_gc
from ._native import delegate_status as delegate_status
from ._native import exec_plugin_with_result as exec_plugin_with_result
from ._native import exec_plugin_without_result as exec_plugin_without_result
from ._native import find_in_path as find_in_path
from ._native import get_version_info as get_version_info
from ._native import inject_conf as inject_conf
from ._native import load_conf as load_conf
from ._native import load_network_conf as load_network_conf
from ._protocols import CNIArgs as CNIArgs
from ._protocols import Exec as Exec

__version__: str
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
