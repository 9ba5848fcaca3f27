"""What the Python contenders share: the contender protocol of bench/common.h.

    --plugin PATH --workload add|version|output|cancel|list --calls N
    [--threads T] [--touch-mib M] [--cancel-after-ms MS]

The list workload is described in bench/list.h (``list_*`` below are its
Python copy). A contender gives ``run`` a function making one call; for the cancel
workload that function returns the cancel-to-return time in nanoseconds.
One JSON line goes to stdout.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import threading
import time
from collections.abc import Callable

NETCONF = b'{"cniVersion":"1.0.0","name":"bench","type":"bench"}'
VERSION_STDIN = b'{"cniVersion":"1.1.0"}'
CONTAINER_ID = "bench-ctr"
NETNS = "/var/run/netns/bench"
IFNAME = "eth0"
CNI_PATH = "/usr/lib/cni"
LIST_NAME = "benchlist"
LIST_CONTAINER_PREFIX = "bench-list-"
LIST_DEFAULT_CACHE = "/tmp/cniinvoke-bench-cache"


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("--plugin", required=True)
    p.add_argument("--workload", default="add", choices=["add", "version", "output", "cancel", "list"])
    p.add_argument("--calls", type=int, default=10)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--touch-mib", type=int, default=0)
    p.add_argument("--cancel-after-ms", type=int, default=20)
    return p.parse_args()


def list_plugin(plugin: str) -> tuple[str, str]:
    """The list's search path (the plugin's directory) and plugin type."""
    d, _, t = plugin.rpartition("/")
    if not d:
        raise SystemExit("the list workload needs --plugin as DIR/NAME")
    return d, t


def list_text(plugin_type: str) -> bytes:
    """The list's text: three plugins of the same type."""
    plugins = ",".join(f'{{"type":"{plugin_type}"}}' for _ in range(3))
    return f'{{"cniVersion":"1.0.0","name":"{LIST_NAME}","plugins":[{plugins}]}}'.encode()


_attachments = itertools.count()


def list_container_id() -> str:
    """A fresh attachment's container id."""
    return f"{LIST_CONTAINER_PREFIX}{next(_attachments)}"


def cache_dir() -> str:
    return os.environ.get("BENCH_CACHE_DIR") or LIST_DEFAULT_CACHE


def cache_sync() -> bool:
    return os.environ.get("BENCH_CACHE_SYNC") != "0"


def status_kib(field: str) -> int:
    """A field of /proc/self/status in KiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def touch(mib: int) -> bytearray:
    """Allocate and write ``mib`` MiB (one byte per page is enough)."""
    buf = bytearray(mib << 20)
    if mib:
        buf[::4096] = b"\x01" * len(range(0, len(buf), 4096))
    return buf


def run_cancelled(call: Callable[[], object], cancel: Callable[[], None], after_ms: int) -> int:
    """Start ``call``, run ``cancel`` from another thread after ``after_ms``;
    the time from ``cancel`` to the return of ``call``, in nanoseconds.
    ``call`` must raise the cancellation error (anything else is a failure)."""
    fired: list[int] = []

    def canceller() -> None:
        time.sleep(after_ms / 1000)
        fired.append(time.perf_counter_ns())
        cancel()

    t = threading.Thread(target=canceller)
    t.start()
    try:
        call()
    except Exception:  # noqa: BLE001 - the caller's cancellation error
        done = time.perf_counter_ns()
        t.join()
        return done - fired[0]
    t.join()
    raise RuntimeError("the call was not cancelled")


def run(contender: str, opts: argparse.Namespace, call: Callable[[], int | None]) -> None:
    touched = touch(opts.touch_mib)
    # RSS is measured from before the first call, warm-up included.
    reset_peak()
    rss_base = status_kib("VmRSS")
    # Warm-up, the cancel workload too (two cancelled calls).
    for _ in range(2):
        call()
    errors = 0
    first_error: list[BaseException] = []
    per_call: list[int] = []
    lock = threading.Lock()

    def fail(e: BaseException) -> None:
        nonlocal errors
        with lock:
            errors += 1
            if not first_error:
                first_error.append(e)

    t0 = time.perf_counter_ns()
    if opts.threads == 0:
        for _ in range(opts.calls):
            s = time.perf_counter_ns()
            try:
                r = call()
            except Exception as e:  # noqa: BLE001 - counted and reported
                fail(e)
                r = None
            per_call.append(r if r is not None else time.perf_counter_ns() - s)
    else:
        tickets = itertools.count()

        def worker() -> None:
            while next(tickets) < opts.calls:
                try:
                    call()
                except Exception as e:  # noqa: BLE001 - counted and reported
                    fail(e)

        threads = [threading.Thread(target=worker) for _ in range(opts.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    total = time.perf_counter_ns() - t0
    rss_peak = status_kib("VmHWM")
    if first_error:
        print(f"{contender}: {first_error[0]!r}", file=sys.stderr)
    line = {
        "contender": contender,
        "workload": opts.workload,
        "threads": opts.threads,
        "touch_mib": opts.touch_mib,
        "calls": opts.calls,
        "errors": errors,
        "total_ns": total,
        "rss_base_kib": rss_base,
        "rss_peak_kib": rss_peak,
        "per_call_ns": per_call,
    }
    print(json.dumps(line, separators=(",", ":")), flush=True)
    del touched
    sys.exit(1 if errors else 0)
