"""Wrong argument types and values raise TypeError / ValueError with a clear
message, before any plugin runs."""

import pytest

import cniinvoke
from conftest import CONF

ARGS = cniinvoke.Args(command="ADD")


@pytest.mark.parametrize("netconf", [42, None, 1.5, ["a"], object()])
def test_bad_netconf(plugin, netconf):
    with pytest.raises(TypeError, match="netconf must be bytes, str or a mapping, not"):
        cniinvoke.exec_plugin_with_result(plugin, netconf, ARGS)
    with pytest.raises(TypeError, match="netconf must be bytes, str or a mapping"):
        cniinvoke.delegate_add("x", netconf)


def test_unserialisable_mapping(plugin):
    with pytest.raises(TypeError, match="not JSON serializable"):
        cniinvoke.exec_plugin_with_result(plugin, {"x": object()}, ARGS)


@pytest.mark.parametrize("timeout", ["1", [1], True])
def test_bad_timeout_type(plugin, timeout):
    with pytest.raises(TypeError, match="timeout must be a number of seconds"):
        cniinvoke.exec_plugin_with_result(plugin, CONF, ARGS, timeout=timeout)


@pytest.mark.parametrize("timeout", [-1, float("nan")])
def test_bad_timeout_value(plugin, timeout):
    with pytest.raises(ValueError, match="timeout must be a number of seconds >= 0"):
        cniinvoke.get_version_info(plugin, timeout=timeout)
    with pytest.raises(ValueError):
        cniinvoke.Context(timeout=timeout)


def test_bad_args(plugin):
    with pytest.raises(
        TypeError, match="args must be a cniinvoke.Args, DelegateArgs, args_from_env"
    ):
        cniinvoke.exec_plugin_with_result(plugin, CONF, {"command": "ADD"})

    class BadEnv:
        def as_env(self):
            return "CNI_COMMAND=ADD"

    with pytest.raises(TypeError, match="as_env\\(\\) must be a sequence of str"):
        cniinvoke.exec_plugin_with_result(plugin, CONF, BadEnv())
    with pytest.raises(TypeError, match="plugin_args must be a mapping or a sequence"):
        cniinvoke.Args(plugin_args="K=V")
    with pytest.raises(TypeError, match="plugin_args must be a mapping or a sequence"):
        cniinvoke.Args(plugin_args=[("K", 1)])
    with pytest.raises(TypeError):
        cniinvoke.Args(command=1)


def test_bad_exec_ctx_path(plugin):
    with pytest.raises(TypeError, match="exec must be"):
        cniinvoke.exec_plugin_without_result(plugin, CONF, ARGS, exec=42)
    with pytest.raises(TypeError):
        cniinvoke.exec_plugin_without_result(plugin, CONF, ARGS, ctx="soon")
    with pytest.raises(TypeError, match="plugin_path must be str or os.PathLike"):
        cniinvoke.exec_plugin_without_result(None, CONF, ARGS)
    with pytest.raises(TypeError, match="parent must be a cniinvoke.Context"):
        cniinvoke.Context(parent=object())
    with pytest.raises(TypeError, match="deadline must be a number"):
        cniinvoke.Context(deadline="tomorrow")


def test_unknown_keyword(plugin):
    with pytest.raises(TypeError):
        cniinvoke.exec_plugin_with_result(plugin, CONF, ARGS, timout=1)


def test_nul_in_plugin_path():
    with pytest.raises(cniinvoke.InvalidArgumentError, match="NUL"):
        cniinvoke.exec_plugin_without_result("/bin/x\0y", CONF, ARGS)


def test_environ_must_be_list_of_str(plugin):
    with pytest.raises(TypeError, match="environ must be a sequence of str"):
        cniinvoke.RawExec().exec_plugin(plugin, b"{}", "A=B")
