"""RawExec and DefaultExec: stderr sinks, direct exec_plugin, options."""

import io
import json

import pytest

import cniinvoke
from conftest import CONF

RESULT = {"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.5/24"}]}


def test_stderr_to_binary_file_like(plugin, script):
    s = script(result=RESULT, stderr="hello from plugin\n")
    buf = io.BytesIO()
    ex = cniinvoke.RawExec(stderr=buf)
    assert ex.stderr is buf
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), ex)
    assert buf.getvalue() == b"hello from plugin\n"


def test_stderr_to_text_file_like(plugin, script):
    s = script(result=RESULT, stderr="text é\n")
    buf = io.StringIO()
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), cniinvoke.RawExec(buf))
    assert buf.getvalue() == "text é\n"


def test_stderr_to_any_writer(plugin, script):
    s = script(result=RESULT, stderr="x")
    got = []

    class W:
        def write(self, data):
            got.append(data)

    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), cniinvoke.RawExec(W()))
    assert got == [b"x"]


@pytest.mark.parametrize("mode", [None, "discard"])
def test_stderr_discarded(plugin, script, capfd, mode):
    s = script(result=RESULT, stderr="should not show\n")
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), cniinvoke.RawExec(mode))
    assert "should not show" not in capfd.readouterr().err


@pytest.mark.parametrize("mode", ["forward", "inherit"])
def test_stderr_forwarded_or_inherited(plugin, script, capfd, mode):
    s = script(result=RESULT, stderr=f"via {mode}\n")
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), cniinvoke.RawExec(stderr=mode))
    assert f"via {mode}" in capfd.readouterr().err


def test_default_exec_forwards(plugin, script, capfd):
    s = script(result=RESULT, stderr="default forwards\n")
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), cniinvoke.DefaultExec())
    assert "default forwards" in capfd.readouterr().err
    s = script(result=RESULT, stderr="none means default\n")
    cniinvoke.exec_plugin_with_result(plugin, CONF, s.args())
    assert "none means default" in capfd.readouterr().err


def test_failed_plugin_stderr_quoted_not_written(plugin, script):
    s = script(stderr="oops", exitCode=2)
    buf = io.BytesIO()
    with pytest.raises(cniinvoke.PluginError) as ei:
        cniinvoke.exec_plugin_without_result(plugin, CONF, s.args("DEL"), cniinvoke.RawExec(buf))
    assert (ei.value.msg, ei.value.exit_status) == ('netplugin failed: "oops"', "exit status 2")


def test_exec_plugin_directly(plugin, script):
    s = script(echoStdin=True)
    for ex in (cniinvoke.RawExec(), cniinvoke.DefaultExec()):
        env = [f"CNI_ARGS=DEBUG={s.file}", "CNI_COMMAND=ADD", "ONLY=1"]
        out = ex.exec_plugin(plugin, b'{"a":1}', env)
        assert isinstance(out, bytes) and out == b'{"a":1}'
        assert s.seen()["envList"] == env
        out = ex.exec_plugin(plugin, {"b": 2}, env, timeout=5, ctx=cniinvoke.Context())
        assert json.loads(out) == {"b": 2}


def test_exec_plugin_directly_errors(plugin, script):
    s = script(error={"code": 5, "msg": "m"})
    with pytest.raises(cniinvoke.PluginError) as ei:
        cniinvoke.RawExec().exec_plugin(plugin, b"{}", [f"CNI_ARGS=DEBUG={s.file}"])
    assert ei.value.code == 5


def test_decode_methods():
    data = b'{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}'
    for ex in (cniinvoke.RawExec(), cniinvoke.DefaultExec()):
        info = ex.decode(data)
        assert info.supported_versions == ["0.4.0", "1.0.0"]
        with pytest.raises(cniinvoke.DecodeError):
            ex.decode(b"not json")


def test_options_and_repr():
    ex = cniinvoke.RawExec("forward", text_busy_retries=2, text_busy_delay=0.25, kill_grace=1)
    assert (ex.text_busy_retries, ex.text_busy_delay, ex.kill_grace) == (2, 0.25, 1.0)
    assert ex.stderr == "forward"
    d = cniinvoke.RawExec()
    assert (d.text_busy_retries, d.text_busy_delay, d.kill_grace) == (5, 1.0, 0.0)
    assert "RawExec" in repr(ex) and repr(cniinvoke.DefaultExec()) == "cniinvoke.DefaultExec()"


def test_bad_options():
    with pytest.raises(ValueError, match="stderr must be"):
        cniinvoke.RawExec("loud")
    with pytest.raises(TypeError, match="file-like object with write"):
        cniinvoke.RawExec(42)
    with pytest.raises(ValueError, match="kill_grace must be a number of seconds >= 0"):
        cniinvoke.RawExec(kill_grace=-1)
    with pytest.raises(TypeError, match="text_busy_delay must be a number"):
        cniinvoke.RawExec(text_busy_delay="1")
    with pytest.raises(ValueError, match="text_busy_retries must be between 0 and"):
        cniinvoke.RawExec(text_busy_retries=-1)
    with pytest.raises(TypeError, match="text_busy_retries must be an int"):
        cniinvoke.RawExec(text_busy_retries=1.5)
