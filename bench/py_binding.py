"""libcniinvoke's Python binding (``import cniinvoke``), called as Python
tooling calls it. Exits 3 when the binding is not installed, and 4 when
the list workload is asked of a binding without ``CNIConfig``. Protocol:
bench/benchlib.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import benchlib

try:
    import cniinvoke
except ImportError as e:
    print(f"py-binding: cniinvoke is not importable: {e}", file=sys.stderr)
    sys.exit(3)


def main() -> None:
    opts = benchlib.parse()
    plugin = opts.plugin
    args = cniinvoke.Args(
        command="ADD",
        container_id=benchlib.CONTAINER_ID,
        netns=benchlib.NETNS,
        if_name=benchlib.IFNAME,
        path=benchlib.CNI_PATH,
    )
    discard = cniinvoke.RawExec(stderr="discard")

    def add() -> None:
        cniinvoke.exec_plugin_with_result(plugin, benchlib.NETCONF, args)

    def version() -> None:
        cniinvoke.get_version_info(plugin)

    def output() -> None:
        cniinvoke.exec_plugin_without_result(plugin, benchlib.NETCONF, args, exec=discard)

    def cancel() -> int:
        ctx = cniinvoke.Context()

        def call() -> None:
            try:
                cniinvoke.exec_plugin_with_result(plugin, benchlib.NETCONF, args, ctx=ctx)
            except cniinvoke.PluginCancelledError:
                raise
            except Exception as e:
                raise SystemExit(f"py-binding: expected PluginCancelledError, got {e!r}") from e

        return benchlib.run_cancelled(call, ctx.cancel, opts.cancel_after_ms)

    if opts.workload == "list":
        benchlib.run("py-binding", opts, list_call(plugin))
        return
    call = {"add": add, "version": version, "output": output, "cancel": cancel}[opts.workload]
    benchlib.run("py-binding", opts, call)


def list_call(plugin: str) -> Callable[[], None]:
    """The list workload (bench/list.h): one CNIConfig, the list parsed once."""
    if not hasattr(cniinvoke, "CNIConfig"):
        print("py-binding: this cniinvoke has no CNIConfig (no network lists)", file=sys.stderr)
        sys.exit(4)
    path, plugin_type = benchlib.list_plugin(plugin)
    cni = cniinvoke.CNIConfig(path=[path], cache_dir=benchlib.cache_dir(), cache_sync=benchlib.cache_sync())
    netlist = cniinvoke.NetworkConfigList.from_bytes(benchlib.list_text(plugin_type))

    def call() -> None:
        rt = cniinvoke.RuntimeConf(
            container_id=benchlib.list_container_id(),
            netns=benchlib.NETNS,
            if_name=benchlib.IFNAME,
        )
        cni.add_network_list(netlist, rt)
        cni.del_network_list(netlist, rt)

    return call


if __name__ == "__main__":
    main()
