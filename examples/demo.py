#!/usr/bin/env python3
"""The main job from Python on the bundled test plugin: VERSION, ADD, CHECK,
DEL, the ADD result converted to 0.4.0, a call that times out, and a
network configuration list (two chained plugins) loaded from a directory
and run with ``cniinvoke.CNIConfig``: ADD, the cache, CHECK, DEL and a
failing plugin's error.

    python examples/demo.py target/debug/cni-test-plugin

(`make demo-python` makes the venv .venv-py with the package and runs this.)
"""

import json
import os
import sys
import tempfile
import time

import cniinvoke


def main() -> int:
    plugin = sys.argv[1] if len(sys.argv) > 1 else "target/debug/cni-test-plugin"
    netconf = {"cniVersion": "1.1.0", "name": "demo-net", "type": "cni-test-plugin"}

    def args(command: str, **kw: object) -> cniinvoke.Args:
        return cniinvoke.Args(
            command=command,
            container_id="demo-container",
            netns="/var/run/netns/demo",
            if_name="eth0",
            path="/opt/cni/bin",
            **kw,  # type: ignore[arg-type]
        )

    print(f"plugin: {plugin} (cniinvoke {cniinvoke.__version__})")
    info = cniinvoke.get_version_info(plugin, timeout=10)
    print(f"VERSION -> cniVersion {info.cni_version} supports {', '.join(info.supported_versions)}")

    result = cniinvoke.exec_plugin_with_result(plugin, netconf, args("ADD"), timeout=10)
    print(f"ADD     -> {result.to_json()}")
    cniinvoke.exec_plugin_without_result(plugin, netconf, args("CHECK"), timeout=10)
    print("CHECK   -> ok")
    cniinvoke.exec_plugin_without_result(plugin, netconf, args("DEL"), timeout=10)
    print("DEL     -> ok")
    print(f"ADD result as 0.4.0 -> {result.as_version('0.4.0').to_json()}")

    # A plugin that takes 5 s (the test plugin's debug file, named by
    # DEBUG= in CNI_ARGS) against a 0.2 s timeout: killed, PluginTimeoutError.
    with tempfile.TemporaryDirectory(prefix="cniinvoke-demo-") as tmp:
        debug = os.path.join(tmp, "sleep.json")
        with open(debug, "w") as f:
            json.dump({"sleepMs": 5000}, f)
        start = time.monotonic()
        try:
            cniinvoke.exec_plugin_with_result(
                plugin, netconf, args("ADD", plugin_args={"DEBUG": debug}), timeout=0.2
            )
        except cniinvoke.PluginTimeoutError as e:
            took = time.monotonic() - start
            print(f"ADD, timeout=0.2, 5 s plugin -> {type(e).__name__} after {took:.2f}s: {e}")
        else:
            print("ADD, timeout=0.2, 5 s plugin -> no timeout?!")
            return 1
    return network_list(plugin)


def network_list(plugin: str) -> int:
    """A .conflist of two test plugins, loaded from a configuration
    directory as a runtime would, through ADD, the cache, CHECK and DEL."""
    with tempfile.TemporaryDirectory(prefix="cniinvoke-demo-") as tmp:
        conf_dir = os.path.join(tmp, "net.d")
        os.mkdir(conf_dir)
        plugins: list = [
            {"type": "cni-test-plugin"},
            {"type": "cni-test-plugin", "name": "second", "capabilities": {"mac": True}},
        ]
        conflist = {"cniVersion": "1.1.0", "name": "demo-list", "plugins": plugins}
        with open(os.path.join(conf_dir, "10-demo.conflist"), "w") as f:
            json.dump(conflist, f)
        netlist = cniinvoke.load_network_conf(conf_dir, "demo-list")
        print(f"list    -> {netlist.name}: {[p.type for p in netlist.plugins]}")
        cfg = cniinvoke.CNIConfig(
            [os.path.dirname(os.path.abspath(plugin))], os.path.join(tmp, "cache")
        )
        rt = cniinvoke.RuntimeConf(
            container_id="demo-container",
            netns="/var/run/netns/demo",
            if_name="eth0",
            capability_args={"mac": "02:00:00:00:00:01"},
        )
        print(f"validate -> capabilities {cfg.validate_network_list(netlist)}")
        result = cfg.add_network_list(netlist, rt, timeout=10)
        interfaces = [i["name"] for i in result.to_dict()["interfaces"]]
        print(f"list ADD -> interfaces {interfaces} (the second plugin got the first's result)")
        entry = os.path.join(tmp, "cache", "results", "demo-list-demo-container-eth0")
        with open(entry) as f:
            print(f"cache    -> {os.path.relpath(entry, tmp)}: kind {json.load(f)['kind']}")
        attachments = cfg.get_cached_attachments("demo-container")
        print(f"cached   -> {[(a.network, a.if_name) for a in attachments]}")
        cfg.check_network_list(netlist, rt, timeout=10)
        print("list CHECK -> ok")
        cfg.del_network_list(netlist, rt, timeout=10)
        print(f"list DEL -> ok, cached result now {cfg.get_network_list_cached_result(netlist, rt)}")

        plugins[1]["failOn"] = ["ADD"]
        try:
            cfg.add_network_list(conflist, rt, timeout=10)
        except cniinvoke.PluginError as e:
            print(f"failing list ADD -> {type(e).__name__}: {e}")
            print(f"  caused by {type(e.__cause__).__name__}: {e.__cause__}")
        else:
            print("failing list ADD -> no error?!")
            return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except cniinvoke.CNIError as e:
        print(f"demo failed: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
