package main

// resultInput is one result handed to the upstream library: create is the
// version passed to create.Create, or "auto" for create.CreateFromBytes.
type resultInput struct {
	name   string
	create string
	json   string
}

var resultInputs = []resultInput{
	{"v020_full", "auto", `{
  "cniVersion": "0.2.0",
  "ip4": {
    "ip": "10.1.2.3/24",
    "gateway": "10.1.2.1",
    "routes": [
      {"dst": "0.0.0.0/0"},
      {"dst": "192.168.0.0/16", "gw": "10.1.2.254", "mtu": 1400, "advmss": 1360, "priority": 5, "table": 100, "scope": 253},
      {"dst": "2001:db8::/32", "gw": "2001:db8::1"}
    ]
  },
  "ip6": {
    "ip": "2001:db8:0:0:0:0:0:42/64",
    "gateway": "2001:DB8::1",
    "routes": [{"dst": "::/0", "gw": "2001:db8::1"}, {"dst": "10.9.0.0/16", "gw": "10.1.2.1"}]
  },
  "dns": {"nameservers": ["10.1.2.1", "2001:db8::53"], "domain": "example.com", "search": ["a.example.com", "b.example.com"], "options": ["ndots:5", "rotate"]}
}`},
	{"v010_implicit", "auto", `{"ip4": {"ip": "192.0.2.7/28"}, "dns": {"domain": "x"}}`},
	{"v010_explicit", "0.1.0", `{"cniVersion": "0.1.0", "ip6": {"ip": "fe80::1/64", "routes": [{"dst": "fe80::/10"}]}}`},
	{"v020_ip6_only", "0.2.0", `{"cniVersion": "0.2.0", "ip6": {"ip": "2001:db8::5/128", "gateway": "2001:db8::1", "routes": [{"dst": "::/0"}, {"dst": "0.0.0.0/0", "gw": "192.0.2.1"}]}}`},
	{"v020_minimal", "0.2.0", `{"cniVersion": "0.2.0"}`},
	{"v030_basic", "auto", `{
  "cniVersion": "0.3.0",
  "interfaces": [{"name": "eth0", "mac": "0a:58:0a:01:02:03", "sandbox": "/var/run/netns/blue"}],
  "ips": [{"version": "4", "interface": 0, "address": "10.1.2.3/24", "gateway": "10.1.2.1"}],
  "routes": [{"dst": "0.0.0.0/0", "gw": "10.1.2.1"}]
}`},
	{"v031_multi", "auto", `{
  "cniVersion": "0.3.1",
  "interfaces": [{"name": "br0", "mac": "aa:bb:cc:dd:ee:ff"}, {"name": "veth1"}, {"name": "eth0", "sandbox": "/proc/42/ns/net"}],
  "ips": [
    {"version": "6", "interface": 2, "address": "2001:db8::10/64", "gateway": "2001:db8::1"},
    {"version": "4", "interface": 2, "address": "10.0.0.10/8"},
    {"version": "4", "interface": 1, "address": "172.16.0.10/12", "gateway": "172.16.0.1"},
    {"version": "6", "address": "fd00::10/8"}
  ],
  "routes": [
    {"dst": "0.0.0.0/0", "gw": "10.0.0.1"},
    {"dst": "::/0", "gw": "2001:db8::1", "mtu": 1280},
    {"dst": "172.16.0.0/12"},
    {"dst": "fd00::/8"}
  ],
  "dns": {"nameservers": ["10.0.0.2"]}
}`},
	{"v040_full", "0.4.0", `{
  "cniVersion": "0.4.0",
  "interfaces": [{"name": "eth0", "mac": "0a:58:0a:01:02:03", "sandbox": "/var/run/netns/<red & green>"}],
  "ips": [{"version": "4", "interface": 0, "address": "10.1.2.3/24", "gateway": "10.1.2.1"}, {"version": "6", "interface": 0, "address": "2001:db8::3/64"}],
  "routes": [{"dst": "0.0.0.0/0", "gw": "10.1.2.1", "priority": 10, "table": 0, "scope": 0}],
  "dns": {"domain": "a<b>&c", "search": ["\u2028line\u2029para"]}
}`},
	{"v040_no_ips", "0.4.0", `{"cniVersion": "0.4.0", "interfaces": [{"name": "eth0"}], "routes": [{"dst": "0.0.0.0/0"}]}`},
	{"v040_minimal", "0.4.0", `{"cniVersion": "0.4.0"}`},
	{"v100_full", "auto", `{
  "cniVersion": "1.0.0",
  "interfaces": [{"name": "eth0", "mac": "02:42:ac:11:00:02", "sandbox": "/var/run/netns/x"}, {"name": "lo", "sandbox": "/var/run/netns/x"}],
  "ips": [
    {"interface": 0, "address": "172.17.0.2/16", "gateway": "172.17.0.1"},
    {"interface": 0, "address": "2001:db8:1::2/64", "gateway": "2001:db8:1::1"},
    {"interface": 1, "address": "127.0.0.1/8"}
  ],
  "routes": [{"dst": "0.0.0.0/0", "gw": "172.17.0.1"}, {"dst": "::/0", "gw": "2001:db8:1::1"}],
  "dns": {"nameservers": ["8.8.8.8", "2001:4860:4860::8888"], "domain": "cluster.local", "search": ["svc.cluster.local"], "options": ["ndots:2"]}
}`},
	{"v110_full", "1.1.0", `{
  "cniVersion": "1.1.0",
  "interfaces": [
    {"name": "eth0", "mac": "02:42:ac:11:00:02", "mtu": 9000, "sandbox": "/var/run/netns/x", "socketPath": "/run/vhost/sock0", "pciID": "0000:00:1f.6"},
    {"name": "net1", "mtu": 1500, "pciID": "0000:3b:00.1"}
  ],
  "ips": [{"interface": 0, "address": "10.10.0.5/24", "gateway": "10.10.0.1"}, {"interface": 1, "address": "2001:db8:a::5/64"}],
  "routes": [
    {"dst": "0.0.0.0/0", "gw": "10.10.0.1", "mtu": 8950, "advmss": 8910, "priority": 100, "table": 254, "scope": 0},
    {"dst": "10.20.0.0/16", "table": 0, "scope": 253, "priority": -1},
    {"dst": "2001:db8:b::/48", "gw": "2001:db8:a::1", "mtu": 1280, "advmss": 1220}
  ],
  "dns": {"nameservers": ["10.10.0.1"], "search": ["example.org"]}
}`},
	{"v110_minimal", "1.1.0", `{"cniVersion": "1.1.0"}`},
	{"v100_empty_dns_and_lists", "1.0.0", `{"cniVersion": "1.0.0", "interfaces": [], "ips": [], "routes": [], "dns": {"nameservers": [], "search": null}}`},
	{"v100_mapped_and_odd_addresses", "1.0.0", `{
  "cniVersion": "1.0.0",
  "interfaces": [{"name": "eth0"}],
  "ips": [
    {"address": "::ffff:10.1.2.3/120", "gateway": "::ffff:10.1.2.1"},
    {"address": "::ffff:192.0.2.1/64"},
    {"address": "::ffff:192.0.2.9/100"},
    {"address": "2001:0DB8:0000:0000:0001:0000:0000:0001/64", "gateway": "2001:db8:0:0:1::1"},
    {"address": "::1.2.3.4/96"},
    {"address": "::/0", "gateway": "::"},
    {"address": "10.1.2.3/0", "gateway": "0.0.0.0"},
    {"address": "10.1.2.3/32"},
    {"address": "fe80::1:0:0:0/010"},
    {"address": "1:0:0:2:0:0:0:3/128", "gateway": "1:0:0:0:2:0:0:3"}
  ],
  "routes": [
    {"dst": "::ffff:0.0.0.0/96", "gw": "::ffff:10.1.2.1", "priority": 9007199254740993, "mtu": 2147483648, "advmss": -9223372036854775808, "table": 9223372036854775807},
    {"dst": "2001:db8::/32", "gw": "::ffff:10.1.2.1"}
  ]
}`},
	{"v110_escaping_and_case", "1.1.0", "{\"CNIVERSION\": \"1.1.0\", \"Interfaces\": [{\"NAME\": \"e\\u0000t\\th\\\\0\\\"x\\u001f\\b\\f\\r\\n\\u007f\\u00e9\\ud83d\\ude00\\ud800z\", \"Mac\": \"bad\xffutf8\xe2\x82\", \"SocketPath\": \"/s<>&\\u2028\\u2029\", \"unknown\": {\"deep\": [1, 2, {\"x\": null}]}}], \"ips\": [{\"Address\": \"10.0.0.1/8\", \"GateWay\": \"10.0.0.254\", \"interface\": 0}], \"dns\": {\"Domain\": \"\u017Fkip\", \"\u017Fearch\": [\"long-s-key\"], \"options\": [\"\\u003c\\u003e\"]}, \"cniVersion\": \"1.1.0\", \"extra\": true}"},
	{"v100_duplicates_and_nulls", "1.0.0", `{"cniVersion": "1.0.0", "interfaces": null, "ips": [{"address": "10.0.0.1/8", "gateway": null, "interface": null}], "routes": [{"dst": "10.0.0.0/8", "gw": null, "table": null}], "dns": null, "cniversion": "1.1.0", "cniVersion": "1.0.0"}`},
	{"v110_missing_dst_and_address", "1.1.0", `{"cniVersion": "1.1.0", "ips": [{"gateway": "10.0.0.1"}, {"address": "10.0.0.9/24"}], "routes": [{"gw": "10.0.0.1"}, {"dst": "10.0.0.0/8"}]}`},
	{"v020_null_members", "0.2.0", `{"cniVersion": "0.2.0", "ip4": {"ip": "10.0.0.1/8", "gateway": null, "routes": null}, "ip6": null, "dns": null}`},
	{"v020_route_without_dst", "0.2.0", `{"cniVersion": "0.2.0", "ip4": {"ip": "10.0.0.1/8", "routes": [{"gw": "10.0.0.2"}]}, "ip6": {"ip": "fd00::1/64"}}`},
	// Create with a version that differs from the result's own.
	{"create_030_body_040", "0.3.0", `{"cniVersion": "0.4.0", "ips": [{"version": "4", "address": "10.0.0.1/8"}]}`},
	{"create_110_body_100", "1.1.0", `{"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.1/8"}]}`},
	{"create_020_body_empty_version", "0.2.0", `{"ip4": {"ip": "10.0.0.1/8"}}`},
	{"create_empty_version", "", `{"ip4": {"ip": "10.0.0.1/8"}}`},
	{"create_100_body_110_upper", "1.0.0", `{"CNIVersion": "1.1.0", "ips": [{"address": "10.0.0.1/8"}]}`},
	// Failures.
	{"err_040_body_100", "0.4.0", `{"cniVersion": "1.0.0"}`},
	{"err_100_body_missing_version", "1.0.0", `{"ips": []}`},
	{"err_020_body_040", "0.2.0", `{"cniVersion": "0.4.0"}`},
	{"err_unsupported_create", "0.5.0", `{"cniVersion": "0.5.0"}`},
	{"err_auto_unsupported", "auto", `{"cniVersion": "9.9.9"}`},
	{"err_syntax", "1.0.0", `{"cniVersion": "1.0.0",}`},
	{"err_truncated", "1.0.0", `{"cniVersion": "1.0.0"`},
	{"err_empty", "1.0.0", ``},
	{"err_trailing", "1.0.0", `{"cniVersion": "1.0.0"} x`},
	{"err_bad_cidr", "1.0.0", `{"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.1"}]}`},
	{"err_bad_cidr_zero", "1.0.0", `{"cniVersion": "1.0.0", "ips": [{"address": "010.0.0.1/8"}]}`},
	{"err_bad_cidr_zone", "1.0.0", `{"cniVersion": "1.0.0", "routes": [{"dst": "fe80::1%eth0/64"}]}`},
	{"err_bad_cidr_prefix", "0.2.0", `{"cniVersion": "0.2.0", "ip4": {"ip": "10.0.0.1/33"}}`},
	{"err_null_cidr", "1.0.0", `{"cniVersion": "1.0.0", "ips": [{"address": null}]}`},
	{"err_bad_gateway", "1.0.0", `{"cniVersion": "1.0.0", "ips": [{"address": "10.0.0.1/8", "gateway": "10.0.0.256"}]}`},
	{"err_version_type", "1.0.0", `{"cniVersion": 1}`},
	{"err_top_level_array", "1.0.0", `[]`},
	{"err_bad_escape", "1.0.0", `{"cniVersion": "1.0.\x"}`},
	{"err_control_char", "1.0.0", "{\"cniVersion\": \"1.0.0\", \"dns\": {\"domain\": \"a\tb\"}}"},
	{"err_mtu_float", "1.1.0", `{"cniVersion": "1.1.0", "interfaces": [{"name": "x", "mtu": 1.5}]}`},
}

var decodeVersionInputs = []string{
	``,
	`{}`,
	`{"cniVersion": ""}`,
	`{"cniVersion": "0.4.0"}`,
	`{"CNIVERSION": "1.0.0", "name": "x"}`,
	`{"cniVersion": null}`,
	`{"cniVersion": 5}`,
	`[1]`,
	`"str"`,
	`nope`,
	`{"cniVersion": "1.0.0"`,
	`{"cniVersion": "1.0.0"} {}`,
	`  {"cniVersion" "1.0.0"}`,
	"{\"cniVersion\": \"\xff\"}",
	`{"a": tru}`,
	`{"a": -}`,
	`{"a": 1.}`,
	`{"a": 1e}`,
	`{"a": 01}`,
	`{"a": "\u12x4"}`,
	`{"a": [1 2]}`,
	`{1: 2}`,
	`{"plugins": [{"type": "x"}], "cniVersion": "1.1.0"}`,
}

var pluginInfoInputs = []string{
	`{"cniVersion": "1.0.0", "supportedVersions": ["0.4.0", "1.0.0"]}`,
	`{"cniVersion": "0.2.0"}`,
	`{"cniVersion": "0.2.0", "supportedVersions": []}`,
	`{"cniVersion": "0.3.0"}`,
	`{"cniVersion": "1.1.0", "supportedVersions": []}`,
	`{"cniVersion": "1.1.0", "supportedVersions": null}`,
	`{}`,
	`{"supportedVersions": ["1.0.0"]}`,
	`{"cniVersion": "", "supportedVersions": ["1.0.0"]}`,
	`nope`,
	``,
	`{"cniVersion": "1.0.0", "supportedVersions": "1.0.0"}`,
	`{"cniVersion": 1, "supportedVersions": ["1.0.0"]}`,
	`{"CniVersion": "1.0.0", "SUPPORTEDVERSIONS": ["<&>"], "extra": 1}`,
}

var versionPairs = [][2]string{
	{"1.1.0", "1.0.0"},
	{"1.0.0", "1.1.0"},
	{"0.4.0", "0.4.0"},
	{"", "0.1.0"},
	{"0.1.0", ""},
	{"1", "0.9.9"},
	{"1.2", "1.2.0"},
	{"2.0.1", "2.0"},
	{"0.3.1", "0.3.0"},
	{"1.2.3.4", "1.0.0"},
	{"1.0.0", "1.2.3.4"},
	{"a.1.0", "1.0.0"},
	{"1.b.0", "1.0.0"},
	{"1.0.c", "1.0.0"},
	{"1.0.0", "x"},
	{"+1.-2.3", "1.0.0"},
	{"99999999999999999999.0.0", "1.0.0"},
	{"1..0", "1.0.0"},
	{" 1.0.0", "1.0.0"},
	{"1.0.", "1.0.0"},
}
