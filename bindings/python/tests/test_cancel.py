"""Deadlines and cancellation: timeout=, Context deadlines, cancel() from
another thread, parents; the plugin is killed and the call returns fast."""

import threading
import time

import pytest

import cniinvoke
from conftest import CONF, pid_gone


def test_timeout_kills_plugin(plugin, script):
    s = script(sleepMs=10_000)
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginTimeoutError) as ei:
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), timeout=0.3)
    elapsed = time.monotonic() - t0
    assert 0.25 <= elapsed < 1.5
    assert isinstance(ei.value, TimeoutError)
    assert isinstance(ei.value, cniinvoke.CNIError)
    assert ei.value.code == 0 and ei.value.msg
    assert pid_gone(s.seen()["pid"])


@pytest.mark.parametrize(
    "call",
    ["without", "version", "add", "check", "del", "status", "gc"],
)
def test_timeout_on_every_call(plugin, script, monkeypatch, call):
    import os

    s = script(sleepMs=10_000)
    monkeypatch.setenv("CNI_TEST_PLUGIN_DEBUG", str(s.file))
    monkeypatch.setenv("CNI_PATH", os.path.dirname(plugin))
    name = os.path.basename(plugin)
    fn = {
        "without": lambda **kw: cniinvoke.exec_plugin_without_result(
            plugin, CONF, cniinvoke.Args(command="DEL"), **kw
        ),
        "version": lambda **kw: cniinvoke.get_version_info(plugin, **kw),
        "add": lambda **kw: cniinvoke.delegate_add(name, CONF, **kw),
        "check": lambda **kw: cniinvoke.delegate_check(name, CONF, **kw),
        "del": lambda **kw: cniinvoke.delegate_del(name, CONF, **kw),
        "status": lambda **kw: cniinvoke.delegate_status(name, CONF, **kw),
        "gc": lambda **kw: cniinvoke.delegate_gc(name, CONF, **kw),
    }[call]
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginTimeoutError):
        fn(timeout=0.2)
    ctx = cniinvoke.Context(timeout=0.2)
    with pytest.raises(cniinvoke.PluginTimeoutError):
        fn(ctx=ctx)
    assert time.monotonic() - t0 < 3


def test_context_deadline_and_attributes():
    ctx = cniinvoke.Context(timeout=5)
    left = ctx.time_remaining()
    assert 4.5 < left <= 5
    assert abs(ctx.deadline - (time.monotonic() + left)) < 0.05
    assert not ctx.done and not ctx.cancelled and not ctx.expired
    by_deadline = cniinvoke.Context(deadline=time.monotonic() + 2)
    assert 1.5 < by_deadline.time_remaining() <= 2
    assert cniinvoke.Context().deadline is None
    assert cniinvoke.Context().time_remaining() is None
    past = cniinvoke.Context(timeout=0)
    assert past.expired and past.done and not past.cancelled
    assert "expired" in repr(past)


def test_expired_context_fails_at_once(plugin, script):
    s = script(sleepMs=10_000)
    ctx = cniinvoke.Context(timeout=0)
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginTimeoutError):
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), ctx=ctx)
    assert time.monotonic() - t0 < 0.5


def test_timeout_and_ctx_nearest_wins(plugin, script):
    s = script(sleepMs=10_000)
    ctx = cniinvoke.Context(timeout=30)
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginTimeoutError):
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), ctx=ctx, timeout=0.2)
    assert time.monotonic() - t0 < 1.5
    assert not ctx.done  # the caller's context is untouched


def test_cancel_from_another_thread(plugin, script):
    s = script(sleepMs=10_000)
    ctx = cniinvoke.Context()
    threading.Timer(0.3, ctx.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginCancelledError) as ei:
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), ctx=ctx)
    assert time.monotonic() - t0 < 1.5
    assert not isinstance(ei.value, TimeoutError)
    assert ctx.cancelled and ctx.done
    assert pid_gone(s.seen()["pid"])
    ctx.cancel()  # idempotent
    # Later calls under it fail at once.
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginCancelledError):
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), ctx=ctx)
    assert time.monotonic() - t0 < 0.5


def test_cancel_parent_cancels_child(plugin, script):
    s = script(sleepMs=10_000)
    parent = cniinvoke.Context()
    child = cniinvoke.Context(parent=parent)
    threading.Timer(0.3, parent.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginCancelledError):
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), ctx=child)
    assert time.monotonic() - t0 < 1.5
    assert child.cancelled


@pytest.mark.parametrize("where", ["main thread", "worker thread"])
def test_cancel_is_seen_at_once_through_descendants(plugin, script, where):
    """cancel() from another thread wakes the call (no polling of the
    parent): it returns promptly and the plugin is dead. On a worker thread
    the call has no signal check at all, so only the wake-up can end it."""
    s = script(sleepMs=10_000)
    root = cniinvoke.Context()
    ctx = cniinvoke.Context(parent=cniinvoke.Context(parent=root))
    outcome = {}

    def call():
        try:
            cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), ctx=ctx)
        except cniinvoke.PluginCancelledError as e:
            outcome["error"] = e
        outcome["returned"] = time.monotonic()

    def cancel():
        time.sleep(0.3)  # the plugin is running by then
        outcome["cancelled"] = time.monotonic()
        root.cancel()

    if where == "main thread":
        canceller = threading.Thread(target=cancel)
        canceller.start()
        call()
        canceller.join()
    else:
        worker = threading.Thread(target=call)
        worker.start()
        cancel()
        worker.join(5)
    assert outcome["error"].msg == "netplugin cancelled: context canceled"
    assert outcome["returned"] - outcome["cancelled"] < 1.0
    assert pid_gone(s.seen()["pid"])
    assert ctx.cancelled


def test_find_in_path_under_a_done_context_reads_as_every_call():
    ctx = cniinvoke.Context()
    ctx.cancel()
    with pytest.raises(cniinvoke.PluginCancelledError) as ei:
        cniinvoke.find_in_path("x", ["/nonexistent"], ctx=ctx)
    assert ei.value.msg == "netplugin cancelled: context canceled"
    with pytest.raises(cniinvoke.PluginTimeoutError) as ei:
        cniinvoke.find_in_path("x", ["/nonexistent"], timeout=0)
    assert ei.value.msg == "netplugin timed out: context deadline exceeded"


def test_cancel_child_leaves_parent(plugin, script):
    parent = cniinvoke.Context()
    child = cniinvoke.Context(parent=parent)
    child.cancel()
    assert child.cancelled and not parent.cancelled


def test_parent_deadline_applies_to_child():
    parent = cniinvoke.Context(timeout=1)
    child = cniinvoke.Context(timeout=100, parent=parent)
    assert child.time_remaining() <= 1


def test_kill_grace_sigterm_first(plugin, script):
    s = script(sleepMs=10_000)
    ex = cniinvoke.RawExec(kill_grace=2.0)
    assert ex.kill_grace == 2.0
    t0 = time.monotonic()
    with pytest.raises(cniinvoke.PluginTimeoutError):
        cniinvoke.exec_plugin_with_result(plugin, CONF, s.args(), ex, timeout=0.2)
    # The plugin does not catch SIGTERM: it dies well before the grace ends.
    assert time.monotonic() - t0 < 1.5


def test_cancelled_error_attributes():
    e = cniinvoke.PluginCancelledError("context cancelled")
    assert (e.code, e.msg, e.details) == (0, "context cancelled", "")
