"""The Python baseline: ``subprocess.run`` with the CNI environment, the
config on stdin, stdout and stderr captured, the result decoded with
``json``. Cancellation is ``subprocess.run``'s ``timeout=``: the time
reported is from the deadline to the return. Protocol: bench/benchlib.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

import benchlib


def cni_env(command: str, container_id: str, netns: str, ifname: str, path: str) -> dict:
    env = dict(os.environ)
    env.update(
        CNI_COMMAND=command,
        CNI_CONTAINERID=container_id,
        CNI_NETNS=netns,
        CNI_ARGS="",
        CNI_IFNAME=ifname,
        CNI_PATH=path,
    )
    return env


def main() -> None:
    opts = benchlib.parse()
    plugin = opts.plugin

    def add_env() -> dict:
        return cni_env("ADD", benchlib.CONTAINER_ID, benchlib.NETNS, benchlib.IFNAME, benchlib.CNI_PATH)

    def run_ok(stdin: bytes, env: dict, timeout: float | None = None) -> bytes:
        r = subprocess.run([plugin], check=False, input=stdin, env=env, capture_output=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError(f"plugin failed: {r.returncode}: {r.stderr[:200]!r}")
        return r.stdout

    def add() -> None:
        json.loads(run_ok(benchlib.NETCONF, add_env()))

    def version() -> None:
        json.loads(run_ok(benchlib.VERSION_STDIN, cni_env("VERSION", "", "dummy", "dummy", "dummy")))

    def output() -> None:
        run_ok(benchlib.NETCONF, add_env())

    def cancel() -> int:
        timeout = opts.cancel_after_ms / 1000
        start = time.perf_counter_ns()
        try:
            run_ok(benchlib.NETCONF, add_env(), timeout=timeout)
        except subprocess.TimeoutExpired:
            return time.perf_counter_ns() - (start + opts.cancel_after_ms * 1_000_000)
        raise RuntimeError("the call did not time out")

    call = {"add": add, "version": version, "output": output, "cancel": cancel}[opts.workload]
    benchlib.run("py-subprocess", opts, call)


if __name__ == "__main__":
    main()
