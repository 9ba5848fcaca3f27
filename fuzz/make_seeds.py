#!/usr/bin/env python3
"""Write the committed seed corpus of every fuzz target into fuzz/corpus/.

Run from anywhere: python3 fuzz/make_seeds.py. Seeds are small and each one
means something: Go-generated results of every version (from
tests/fixtures/results/manifest.json), edge cases, malformed JSON, deep
nesting, huge numbers, invalid UTF-8. Regenerating is idempotent; files the
fuzzer adds elsewhere (fuzz/work/) are not touched.
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "..", "tests", "fixtures", "results", "manifest.json")


def b(s):
    return s if isinstance(s, bytes) else s.encode()


# Malformed and hostile JSON shared by every JSON-reading target.
HOSTILE = {
    "empty": b"",
    "spaces": b" \t\r\n",
    "null": b"null",
    "array": b"[]",
    "object": b"{}",
    "string": b'"1.0.0"',
    "number": b"1",
    "truncated": b'{"cniVersion":',
    "trailing_comma": b'{"cniVersion":"1.0.0",}',
    "trailing_garbage": b'{"cniVersion":"1.0.0"} x',
    "bad_literal": b'{"cniVersion":nul}',
    "bad_escape": b'{"cniVersion":"\\q"}',
    "control_in_string": b'{"cniVersion":"1.0\x01.0"}',
    "single_quotes": b"{'cniVersion':'1.0.0'}",
    "bom": b'\xef\xbb\xbf{"cniVersion":"1.0.0"}',
    "invalid_utf8_value": b'{"cniVersion":"1.0.0\xff\xfe"}',
    "invalid_utf8_key": b'{"cni\xc3Version":"1.0.0"}',
    "lone_surrogate": b'{"cniVersion":"\\ud800"}',
    "surrogate_pair": b'{"cniVersion":"\\ud83d\\ude00"}',
    "nul_escape": b'{"cniVersion":"\\u0000"}',
    "huge_int": b'{"cniVersion":"1.0.0","code":99999999999999999999999999999}',
    "huge_exp": b'{"cniVersion":"1.0.0","code":1e999}',
    "neg_zero": b'{"cniVersion":"1.0.0","code":-0}',
    "version_number": b'{"cniVersion":1.0}',
    "version_null": b'{"cniVersion":null}',
    "version_array": b'{"cniVersion":["1.0.0"]}',
    "case_folded_key": b'{"CNIVERSION":"0.4.0"}',
    "long_s_key": '{"cniVerſion":"0.3.1"}'.encode(),
    "duplicate_keys": b'{"cniVersion":"0.4.0","cniVersion":"1.0.0"}',
    "deep_10000_ok": b"[" * 10000 + b"]" * 10000,
    "deep_10001": b"[" * 10001 + b"]" * 10001,
    "deep_unclosed_20000": b"[" * 20000,
    "deep_objects_in_field": b'{"cniVersion":"1.0.0","x":' + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"}",
    "deep_mixed": b'{"cniVersion":"1.0.0","x":' + b'[{"a":' * 6000,
    "long_string": b'{"cniVersion":"1.0.0","x":"' + b"a" * 20000 + b'"}',
}


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(b(data))


def main():
    for t in ["decode_version", "result", "plugin_info", "args", "cni_error", "go_quote",
              "c_entry_points"]:
        shutil.rmtree(os.path.join(HERE, "corpus", t), ignore_errors=True)
    with open(MANIFEST) as f:
        m = json.load(f)

    # decode_version: Go-checked configs plus the hostile set.
    for i, case in enumerate(m["decode_version"]):
        if "input" in case:
            write("decode_version", f"go_{i:02d}", case["input"])
    for name, data in HOSTILE.items():
        write("decode_version", name, data)

    # result: every Go-generated fixture (all versions, conversions, errors).
    for case in m["results"]:
        if "input_hex" in case:
            write("result", case["name"], bytes.fromhex(case["input_hex"]))
        else:
            write("result", case["name"], case.get("input", ""))
    extra = {
        "v110_all_fields": {
            "cniVersion": "1.1.0",
            "interfaces": [{"name": "eth0", "mac": "00:11:22:33:44:55", "mtu": 1500,
                            "sandbox": "/var/run/netns/x", "socketPath": "/s", "pciID": "0000:00:01.0"}],
            "ips": [{"interface": 0, "address": "10.0.0.2/24", "gateway": "10.0.0.1"},
                    {"address": "2001:db8::2/64"}],
            "routes": [{"dst": "0.0.0.0/0", "gw": "10.0.0.1", "mtu": 1400, "advmss": 1360,
                        "priority": 5, "table": 0, "scope": 0}],
            "dns": {"nameservers": ["10.0.0.1"], "domain": "d", "search": ["s"], "options": ["o"]},
        },
        "v110_huge_route_ints": {
            "cniVersion": "1.1.0", "ips": [{"address": "10.0.0.2/24"}],
            "routes": [{"dst": "0.0.0.0/0", "mtu": 9007199254740993, "table": -9223372036854775808}],
        },
        "v040_huge_route_ints": {
            "cniVersion": "0.4.0", "ips": [{"version": "4", "address": "10.0.0.2/24"}],
            "routes": [{"dst": "0.0.0.0/0", "mtu": 9223372036854775807}],
        },
        "v100_interface_out_of_range": {
            "cniVersion": "1.0.0", "interfaces": [{"name": "eth0"}],
            "ips": [{"interface": 5, "address": "10.0.0.2/24"}, {"interface": -1, "address": "::1/128"}],
        },
        "v040_null_entries": {"cniVersion": "0.4.0", "ips": [None], "routes": [None]},
        "v040_version_mismatch": {"cniVersion": "0.4.0",
                                  "ips": [{"version": "6", "address": "10.0.0.2/24"}]},
        "v100_mapped_v6": {"cniVersion": "1.0.0", "ips": [{"address": "::ffff:10.0.0.2/120"}]},
        "v020_no_ips": {"cniVersion": "0.2.0", "dns": {}},
    }
    for name, v in extra.items():
        write("result", name, json.dumps(v))
    for name in ["empty", "null", "truncated", "invalid_utf8_value", "lone_surrogate",
                 "deep_10001", "deep_objects_in_field", "huge_int", "duplicate_keys"]:
        write("result", "hostile_" + name, HOSTILE[name])

    # plugin_info: Go-checked VERSION answers plus the hostile set.
    for i, case in enumerate(m["plugin_info"]):
        if "input" in case:
            write("plugin_info", f"go_{i:02d}", case["input"])
    write("plugin_info", "all", m["all"])
    write("plugin_info", "versions_not_strings", b'{"cniVersion":"1.0.0","supportedVersions":[1,null,"1.0.0"]}')
    write("plugin_info", "empty_strings", b'{"cniVersion":"1.0.0","supportedVersions":["",""]}')
    for name in ["empty", "null", "truncated", "invalid_utf8_value", "deep_10001",
                 "case_folded_key", "duplicate_keys", "version_number"]:
        write("plugin_info", "hostile_" + name, HOSTILE[name])

    # args: fields split at 0xFF: command, container id, netns, args string,
    # ifname, path, then key, value, key, value...
    def args(*fields):
        return b"\xff".join(b(f) for f in fields)
    write("args", "add_with_pairs", args("ADD", "ctr-1", "/var/run/netns/x", "", "eth0",
                                         "/opt/cni/bin", "IgnoreUnknown", "1", "K8S_POD_NAME", "web-0"))
    write("args", "args_string_wins", args("DEL", "c", "/n", "A=B;C=D", "eth0", "/p", "K", "V"))
    write("args", "value_with_equals", args("ADD", "c", "/n", "", "eth0", "/p", "K", "a=b=c"))
    write("args", "empty_value", args("ADD", "c", "/n", "", "eth0", "/p", "K", ""))
    write("args", "smuggle_in_value", args("ADD", "c", "/n", "", "eth0", "/p", "K", "v;DEBUG=/evil"))
    write("args", "smuggle_in_key", args("ADD", "c", "/n", "", "eth0", "/p", "K;X", "v"))
    write("args", "equals_in_key", args("ADD", "c", "/n", "", "eth0", "/p", "K=X", "v"))
    write("args", "empty_key", args("ADD", "c", "/n", "", "eth0", "/p", "", "v"))
    write("args", "nul_in_netns", args("ADD", "c", "/n\x00x", "", "eth0", "/p"))
    write("args", "nul_in_value", args("ADD", "c", "/n", "", "eth0", "/p", "K", "v\x00"))
    write("args", "newline_and_unicode", args("ADD", "c\n", "/n", "", "ethé", "/p:/q", "Ключ", "значение\n"))
    write("args", "invalid_utf8", args(b"AD\xfeD", b"c", b"/n", b"", b"eth0", b"/p", b"K\xc3", b"v"))
    write("args", "odd_fields", args("ADD", "c", "/n", "", "eth0", "/p", "K"))
    write("args", "nothing", b"")

    # cni_error: stdout up to the first NUL, stderr after it.
    errs = {
        "full": b'{"code":7,"msg":"invalid config","details":"missing name"}',
        "no_details": b'{"code":11,"msg":"try again"}',
        "case_keys": b'{"CODE":3,"Msg":"x","DETAILS":"y"}',
        "code_huge": b'{"code":4294967296,"msg":"x"}',
        "code_negative": b'{"code":-1,"msg":"x"}',
        "code_float": b'{"code":1.0,"msg":"x"}',
        "code_string": b'{"code":"7","msg":"x"}',
        "nulls": b'{"code":null,"msg":null,"details":null}',
        "duplicate": b'{"code":1,"code":2,"msg":"a","msg":"b"}',
        "unknown_fields": b'{"code":1,"msg":"x","extra":{"deep":[1,2,3]}}',
        "control_chars_msg": b'{"code":1,"msg":"line1\\nline2\\u001b[31m"}',
        "not_json_stdout": b"panic: runtime error\ngoroutine 1 [running]:",
        "not_json_with_stderr": b"oops\x00some stderr\n",
        "stderr_only": b"\x00fatal: cannot open /dev/net/tun\n",
        "stderr_invalid_utf8": b"\x00\xff\xfe\x1b[0m\r\n",
        "exit_silently": b"\x00",
        "invalid_utf8_stdout": b'{"code":1,"msg":"\xff"}',
        "escaped_html": b'{"code":1,"msg":"<a href=\\"x\\">&amp;</a>"}',
    }
    for name, data in errs.items():
        write("cni_error", name, data)
    for name in ["empty", "null", "truncated", "deep_10001", "deep_unclosed_20000",
                 "lone_surrogate", "huge_exp", "array"]:
        write("cni_error", "hostile_" + name, HOSTILE[name])

    # go_quote: bytes Go escapes in every way it can.
    quotes = {
        "plain": b"plain text",
        "quotes_backslash": b'a"b\\c',
        "c_escapes": b"\x07\x08\x0c\n\r\t\x0b",
        "controls": bytes(range(32)) + b"\x7f",
        "all_bytes": bytes(range(256)),
        "invalid_utf8": b"\xff\xfe\xc3\x28\xe2\x82",
        "latin1_edges": "\u0080\u009f\u00a0\u00a1\u00ad\u00ff".encode(),
        "format_chars": "\u0600\u061c\u06dd\u180e\u200b\u200e\u2028\u2029\u2060\ufeff".encode(),
        "private_and_nonchars": "\ue000\uf8ff\ufdd0\ufffe\uffff\U0001fffe".encode(),
        "tags_and_selectors": "\U000e0001\U000e0020\U000e0100\U000e01ef\U000f0000\U0010fffd".encode(),
        "emoji_and_cjk": "héllo ✓ 日本 😀".encode(),
        "unassigned": "\u0378\u0380\U0002fffd".encode(),
        "surrogate_bytes": b"\xed\xa0\x80",
    }
    for name, data in quotes.items():
        write("go_quote", name, data)

    # c_entry_points: C strings separated by NUL: plugin, paths_json,
    # args_json, result_json, to_version, error msg, error details,
    # options_json, traceparent, tracestate, baggage, netconf, then the
    # fake plugin's stdout (the rest, NULs and all).
    def c_args(plugin="cni-test-plugin", paths='["/nonexistent","/tmp"]',
               args='{"command":"ADD","containerId":"c","netns":"/n","ifName":"eth0","path":"/p"}',
               result='{"cniVersion":"0.4.0","ips":[{"version":"4","address":"10.0.0.2/24"}]}',
               to_version="1.0.0", msg="boom", details="more", options='{"stderr":"discard"}',
               traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
               tracestate="k=v", baggage="a=b", netconf='{"cniVersion":"1.0.0","name":"n","type":"t"}',
               stdout='{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.3/24"}]}'):
        return b"\x00".join(b(x) for x in [plugin, paths, args, result, to_version, msg, details,
                                            options, traceparent, tracestate, baggage, netconf,
                                            stdout])
    seeds = {
        "typical": c_args(),
        "version_answer": c_args(stdout='{"cniVersion":"1.1.0","supportedVersions":["0.4.0","1.0.0","1.1.0"]}'),
        "unknown_command_version": c_args(stdout='{"code":4,"msg":"unknown CNI_COMMAND: VERSION"}'),
        "result_no_version": c_args(stdout='{"ips":[{"address":"10.1.2.3/24"}]}'),
        "result_v020": c_args(stdout='{"cniVersion":"0.2.0","ip4":{"ip":"10.1.2.3/24"}}',
                              netconf='{"cniVersion":"0.2.0","name":"n"}', to_version="0.2.0",
                              result='{"cniVersion":"1.1.0","ips":[{"address":"10.0.0.2/24"}]}'),
        "convert_down_impossible": c_args(result='{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.2/24"},{"address":"10.0.0.3/24"}]}',
                                          to_version="0.2.0"),
        "to_version_empty": c_args(to_version=""),
        "unknown_versions": c_args(to_version="9.9.9", netconf='{"cniVersion":"9.9.9"}',
                                   stdout='{"cniVersion":"9.9.9"}'),
        "plugin_args": c_args(args='{"command":"ADD","pluginArgs":[["K","V"],["IgnoreUnknown","1"]],"pluginArgsStr":""}'),
        "args_nul_escape": c_args(args='{"command":"ADD","netns":"/n\\u0000x"}'),
        "args_wrong_types": c_args(args='{"command":1,"pluginArgs":"x"}', paths='"/p"',
                                   options='{"stderr":"loud","killGraceMs":-1}'),
        "options_all": c_args(options='{"stderr":"forward","textBusyRetries":0,"textBusyDelayMs":0,"killGraceMs":10,"maxOutputBytes":1}'),
        "options_unknown_key": c_args(options='{"nope":1}'),
        "plugin_with_slash": c_args(plugin="../etc/passwd", paths="[]"),
        "empty_strings": b"\x00" * 12,
        "invalid_utf8_everywhere": b"\x00".join([b"\xff\xfe"] * 13),
        "error_invalid_utf8": c_args(msg=b"\xc3(", details=b"\xed\xa0\x80"),
        "few_pieces_nulls": b"cni-test-plugin\x00[]",
        "nothing": b"",
        "stdout_with_nul": c_args(stdout=b'{"cniVersion":"1.0.0"}\x00trailing'),
        "stdout_deep": c_args(stdout=HOSTILE["deep_10001"]),
        "stdout_huge_int": c_args(stdout=HOSTILE["huge_int"]),
        "stdout_invalid_utf8": c_args(stdout=HOSTILE["invalid_utf8_value"]),
        "netconf_hostile": c_args(netconf=HOSTILE["case_folded_key"], stdout=b""),
        "trace_controls": c_args(traceparent="\n\r", tracestate="=", baggage="a=b;c"),
    }
    for name, data in seeds.items():
        write("c_entry_points", name, data)


if __name__ == "__main__":
    main()
    import make_libcni_seeds
    make_libcni_seeds.main()
