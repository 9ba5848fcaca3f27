"""find_in_path and EXECUTABLE_FILE_EXTENSIONS."""

import os
import pathlib

import pytest

import cniinvoke


def test_extensions_on_unix():
    assert cniinvoke.EXECUTABLE_FILE_EXTENSIONS == ("",)


def test_finds_first_regular_file(tmp_path, plugin):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "myplug").mkdir()  # a directory is not a plugin
    (b / "myplug").write_text("#!/bin/sh\n")
    assert cniinvoke.find_in_path("myplug", [str(a), str(b)]) == str(b / "myplug")
    # os.PathLike entries work too.
    assert cniinvoke.find_in_path("myplug", [a, b]) == str(b / "myplug")


def test_real_plugin(plugin):
    d, name = os.path.split(plugin)
    assert cniinvoke.find_in_path(name, ["/nonexistent", d]) == plugin


def test_not_found_message(tmp_path):
    with pytest.raises(cniinvoke.PluginNotFoundError) as ei:
        cniinvoke.find_in_path("nope", ["/x", str(tmp_path)])
    e = ei.value
    assert e.msg == f'failed to find plugin "nope" in path [/x {tmp_path}]'
    assert str(e) == e.msg
    assert e.code == 0 and e.details == ""
    assert isinstance(e, cniinvoke.CNIError)


@pytest.mark.parametrize(
    "name,paths,msg",
    [
        ("", ["/x"], "no plugin name provided"),
        ("a/b", ["/x"], "invalid plugin name: a/b"),
        ("p", [], "no paths provided"),
    ],
)
def test_invalid_arguments(name, paths, msg):
    with pytest.raises(cniinvoke.InvalidArgumentError) as ei:
        cniinvoke.find_in_path(name, paths)
    assert str(ei.value) == msg
    assert isinstance(ei.value, ValueError)


def test_paths_must_be_a_sequence_of_str():
    with pytest.raises(TypeError, match="paths must be a sequence of str, not str"):
        cniinvoke.find_in_path("p", "/opt/cni/bin")
    with pytest.raises(TypeError, match="each item of paths"):
        cniinvoke.find_in_path("p", [1])
    with pytest.raises(TypeError):
        cniinvoke.find_in_path(None, ["/x"])


def test_rawexec_and_defaultexec_find(tmp_path):
    (tmp_path / "x").write_text("")
    for ex in (cniinvoke.RawExec(), cniinvoke.DefaultExec()):
        assert ex.find_in_path("x", [pathlib.Path(tmp_path)]) == str(tmp_path / "x")
        with pytest.raises(cniinvoke.PluginNotFoundError):
            ex.find_in_path("y", [str(tmp_path)])


def test_ctx_and_timeout_accepted(plugin):
    d, name = os.path.split(plugin)
    assert cniinvoke.find_in_path(name, [d], timeout=5, ctx=cniinvoke.Context()) == plugin
    ctx = cniinvoke.Context()
    ctx.cancel()
    with pytest.raises(cniinvoke.PluginCancelledError):
        cniinvoke.find_in_path(name, [d], ctx=ctx)
    with pytest.raises(cniinvoke.PluginTimeoutError):
        cniinvoke.find_in_path(name, [d], timeout=0)
    with pytest.raises(TypeError, match="timeout must be a number"):
        cniinvoke.find_in_path(name, [d], timeout="5")
