"""The GIL is released while a plugin runs; Ctrl-C kills the plugin."""

import os
import signal
import threading
import time

import pytest

import cniinvoke
from conftest import CONF, pid_gone


def test_python_thread_runs_while_plugin_sleeps(plugin, script):
    s = script(sleepMs=500)
    stop = threading.Event()
    count = [0]

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        before = count[0]
        cniinvoke.exec_plugin_without_result(plugin, CONF, s.args("DEL"))
        during = count[0] - before
    finally:
        stop.set()
        t.join()
    # Held GIL => the spinner would be frozen for the whole 0.5 s.
    assert during > 10_000, during


def test_threads_run_plugins_in_parallel(plugin, script):
    n, sleep_s = 6, 0.4
    scripts = [script(sleepMs=int(sleep_s * 1000)) for _ in range(n)]
    errors = []
    barrier = threading.Barrier(n)

    def work(s):
        try:
            barrier.wait()
            cniinvoke.exec_plugin_without_result(plugin, CONF, s.args("DEL"))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in scripts]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    assert not errors, errors
    # Serialised they would take n * sleep_s = 2.4 s.
    assert elapsed < 0.5 * n * sleep_s, elapsed


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signals are delivered to the main thread",
)
def test_ctrl_c_kills_plugin(plugin, script):
    s = script(sleepMs=10_000)
    timer = threading.Timer(0.4, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            cniinvoke.exec_plugin_with_result(plugin, CONF, s.args())
    finally:
        timer.cancel()
    elapsed = time.monotonic() - t0
    assert elapsed < 1.5, elapsed
    assert pid_gone(s.seen()["pid"])


@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signals are delivered to the main thread",
)
def test_signal_handler_exception_propagates(plugin, script):
    class Stop(Exception):
        pass

    def handler(signum, frame):
        raise Stop()

    old = signal.signal(signal.SIGUSR1, handler)
    s = script(sleepMs=10_000)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGUSR1))
    timer.start()
    try:
        t0 = time.monotonic()
        with pytest.raises(Stop):
            cniinvoke.exec_plugin_without_result(plugin, CONF, s.args("DEL"))
        assert time.monotonic() - t0 < 1.5
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, old)
    assert pid_gone(s.seen()["pid"])
