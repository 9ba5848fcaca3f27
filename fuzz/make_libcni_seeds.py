#!/usr/bin/env python3
"""Write the seed corpus of the network-list fuzz targets (conf_list,
cache_entry, inject_conf, c_netlist) into fuzz/corpus/. Called by make_seeds.py;
runnable alone. Idempotent."""
import base64
import json
import os
import shutil

from make_seeds import HERE, HOSTILE, write

TARGETS = ["conf_list", "cache_entry", "inject_conf", "c_netlist"]

LIST = {"cniVersion": "1.0.0", "name": "net1",
        "plugins": [{"type": "bridge", "bridge": "cni0",
                     "ipam": {"type": "host-local", "subnet": "10.1.2.0/24"}},
                    {"type": "portmap", "capabilities": {"portMappings": True}}]}
CONF = {"cniVersion": "0.4.0", "name": "one", "type": "bridge", "ipAddress": "10.0.0.1/24"}


def j(v):
    return json.dumps(v, separators=(",", ":"))


def conf_list_seeds():
    seeds = {
        "list": j(LIST),
        "conf": j(CONF),
        "list_versions": j({**LIST, "cniVersions": ["0.3.1", "1.0.0", "1.1.0", "9.0.0"]}),
        "list_versions_bad": j({**LIST, "cniVersions": ["x"]}),
        "list_versions_types": j({**LIST, "cniVersions": [1]}),
        "list_flags_strings": j({**LIST, "disableCheck": "TRUE", "disableGC": "false",
                                 "loadOnlyInlinedPlugins": "True"}),
        "list_flag_bad": j({**LIST, "disableGC": "yes"}),
        "list_only_inlined_no_plugins": j({"name": "n", "loadOnlyInlinedPlugins": True}),
        "list_no_plugins_key": j({"cniVersion": "1.0.0", "name": "n"}),
        "list_empty_plugins": j({"name": "n", "plugins": []}),
        "list_plugin_no_type": j({"name": "n", "plugins": [{"name": "x"}]}),
        "list_plugin_not_object": j({"name": "n", "plugins": [1]}),
        "list_name_number": j({"name": 1, "plugins": [{"type": "x"}]}),
        "list_name_traversal": j({"name": "../..", "plugins": [{"type": "x"}]}),
        "list_name_empty": j({"name": "", "plugins": [{"type": "x"}]}),
        "conf_capabilities": j({**CONF, "capabilities": {"a": True, "b": False}}),
        "conf_capabilities_bad": j({**CONF, "capabilities": {"a": 1}}),
        "conf_dns_bad": j({**CONF, "dns": {"nameservers": "x"}}),
        "conf_ipam_bad": j({**CONF, "ipam": []}),
        "conf_attachments": j({**CONF, "cni.dev/valid-attachments": [{"containerID": "c", "ifname": "e"}]}),
        "conf_numbers": j({**CONF, "mtu": 1500, "f": 1.5e300, "n": -0.0}),
        "conf_big_number": b'{"type":"x","n":1e400}',
        "conf_null_type": b'{"type":null}',
    }
    for name, data in seeds.items():
        write("conf_list", name, data)
    for name, data in HOSTILE.items():
        write("conf_list", "hostile_" + name, data)


def entry(result=None, **over):
    e = {"kind": "cniCacheV1", "containerId": "ctr",
         "config": base64.b64encode(j(LIST).encode()).decode(),
         "ifName": "eth0", "networkName": "fuzz", "netns": "/var/run/netns/ctr",
         "cniArgs": [["K", "V"]], "capabilityArgs": {"portMappings": [{"hostPort": 80}]}}
    if result is not None:
        e["result"] = result
    e.update(over)
    return j(e)


R100 = {"cniVersion": "1.0.0", "interfaces": [{"name": "eth0", "sandbox": "/n"}],
        "ips": [{"address": "10.1.2.3/24", "interface": 0, "gateway": "10.1.2.1"}],
        "routes": [{"dst": "0.0.0.0/0"}], "dns": {"nameservers": ["1.1.1.1"]}}
R020 = {"cniVersion": "0.2.0", "ip4": {"ip": "10.1.2.3/24", "gateway": "10.1.2.1"}}


def cache_entry_seeds():
    seeds = {
        "v1_result": entry(R100),
        "v1_no_result": entry(),
        "v1_result_020": entry(R020),
        "v1_result_no_version": entry({"ips": [{"address": "10.1.2.3/24"}]}),
        "v1_result_unknown_version": entry({**R100, "cniVersion": "7.0.0"}),
        "v1_result_two_ips_v4": entry({**R100, "ips": R100["ips"] * 2}),
        "v1_result_not_object": entry([1]),
        "v1_config_not_base64": entry(R100, config="%%%"),
        "v1_config_null": entry(R100, config=None),
        "v1_wrong_kind": entry(R100, kind="cniCacheV2"),
        "v1_names_other_attachment": entry(R100, containerId="other"),
        "v1_names_invalid": entry(R100, containerId="../x", ifName="a/b"),
        "v1_names_empty": entry(R100, ifName=""),
        "v1_args_bad": entry(R100, cniArgs=[["K"]]),
        "v1_capability_args_bad": entry(R100, capabilityArgs=[]),
        "v1_duplicate_kind": b'{"kind":"x","kind":"cniCacheV1","containerId":"ctr","ifName":"eth0","networkName":"fuzz"}',
        "v1_case_folded": b'{"KIND":"cniCacheV1","ContainerID":"ctr","IFNAME":"eth0","networkname":"fuzz"}',
        "legacy_100": j(R100),
        "legacy_020": j(R020),
        "legacy_040": j({"cniVersion": "0.4.0", "ips": [{"version": "4", "address": "10.1.2.3/24"}]}),
        "legacy_garbage_version": j({"cniVersion": 4}),
    }
    for name, data in seeds.items():
        write("cache_entry", name, data)
    for name, data in HOSTILE.items():
        write("cache_entry", "hostile_" + name, data)


def inject_conf_seeds():
    def s(original, values):
        return b(original) + b"\x00" + b(values)

    def b(x):
        return x if isinstance(x, bytes) else x.encode()

    seeds = {
        "name_version": s(j(CONF), j({"name": "n2", "cniVersion": "1.0.0"})),
        "prev_result": s(j(CONF), j({"prevResult": R100})),
        "runtime_config": s(j(CONF), j({"runtimeConfig": {"portMappings": [{"hostPort": 8080.5}]}})),
        "replace_type": s(j(CONF), j({"type": "other"})),
        "remove_type": s(j(CONF), j({"type": ""})),
        "empty_key": s(j(CONF), j({"": 1})),
        "nil_value": s(j(CONF), j({"x": None})),
        "null_original": s("null", j({"x": 1})),
        "null_original_nothing": s("null", "{}"),
        "array_original": s("[]", j({"x": 1})),
        "numbers": s(b'{"type":"x","a":1.0,"b":1e21,"c":1e-7,"d":123456789012345678}', j({"e": 0.1})),
        "html": s(j(CONF), j({"x": "<&>\u2028"})),
        "invalid_utf8_original": s(b'{"type":"x","k":"\xff"}', j({"y": "z"})),
        "big_number_original": s(b'{"type":"x","n":1e400}', j({"y": 1})),
        "duplicate_keys": s(b'{"type":"x","a":1,"a":2}', j({"b": 1})),
        "no_values": j(CONF),
    }
    for name, data in seeds.items():
        write("inject_conf", name, data)


def c_netlist_seeds():
    def c(list_=None, rt=None, options="{}", gc="{}", conf=None, values='{"x":1}', stdout=None):
        parts = [list_ if list_ is not None else j({**LIST, "cniVersion": "1.1.0"}),
                 rt if rt is not None else j({"containerId": "ctr", "netns": "/n", "ifName": "eth0",
                                              "args": [["K", "V"]],
                                              "capabilityArgs": {"portMappings": [{"hostPort": 80}]}}),
                 options, gc, conf if conf is not None else j(CONF), values,
                 stdout if stdout is not None else j(R100)]
        return b"\x00".join(x if isinstance(x, bytes) else x.encode() for x in parts)

    seeds = {
        "typical": c(),
        "cleanup": c(options=j({"cleanupOnFailure": True, "cacheSync": False})),
        "options_bad": c(options=j({"cleanupOnFailure": 1})),
        "gc_valid": c(gc=j({"validAttachments": [{"containerID": "ctr", "ifname": "eth0"}]})),
        "gc_bad": c(gc="[1]"),
        "plugin_error": c(stdout=j({"code": 7, "msg": "no", "details": "d"})),
        "plugin_nothing": c(stdout=b""),
        "plugin_garbage": c(stdout=b"\xff\xfe garbage"),
        "plugin_020": c(stdout=j(R020)),
        "plugin_big_int": c(stdout=j({**R100, "ips": [{"address": "10.1.2.3/24", "interface": 9007199254740993}]})),
        "list_020": c(list_=j({**LIST, "cniVersion": "0.2.0"}), stdout=j(R020)),
        "list_disable_check": c(list_=j({**LIST, "disableCheck": True, "disableGC": "true"})),
        "list_bad": c(list_="{not json"),
        "rt_traversal": c(rt=j({"containerId": "../../etc", "ifName": "eth0"})),
        "rt_empty": c(rt="{}"),
        "rt_wrong_types": c(rt=j({"containerId": 1, "args": "x"})),
        "inject_bad": c(values="[]", conf="null"),
        "few_pieces": b'{"name":"n","plugins":[{"type":"x"}]}',
        "nothing": b"",
    }
    for name, data in seeds.items():
        write("c_netlist", name, data)


def main():
    for t in TARGETS:
        shutil.rmtree(os.path.join(HERE, "corpus", t), ignore_errors=True)
    c_netlist_seeds()
    conf_list_seeds()
    cache_entry_seeds()
    inject_conf_seeds()


if __name__ == "__main__":
    main()
