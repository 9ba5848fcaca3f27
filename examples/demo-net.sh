#!/usr/bin/env bash
# The demo's network-list part: a chained configuration list (bridge +
# host-local, tuning setting the MAC, portmap) run through `cniinvoke net`,
# upstream cnitool's command line: ls, validate, ADD, CHECK, attachments,
# DEL. As root with Debian's plugins (/usr/lib/cni) and ip, the real
# plugins wire a throw-away namespace (their host side in a namespace of
# its own, so this machine's network is untouched); otherwise the same
# chain runs on the test plugin, installed under the plugins' names.
set -euo pipefail
cli=${1:?usage: demo-net.sh path/to/cniinvoke path/to/cni-test-plugin}
plugin=${2:?usage: demo-net.sh path/to/cniinvoke path/to/cni-test-plugin}
cli=$(realpath "$cli")
dir=$(mktemp -d)
host=cnii-demonet-host-$$
ctr=cnii-demonet-ctr-$$
real=0
if [ "$(id -u)" -eq 0 ] && [ -x /usr/lib/cni/portmap ] && command -v ip >/dev/null; then
  real=1
fi
cleanup() {
  if [ "$real" = 1 ]; then
    ip netns del "$ctr" 2>/dev/null || true
    ip netns del "$host" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir/net.d" "$dir/bin" "$dir/cache"
cat > "$dir/net.d/10-demonet.conflist" <<JSON
{"cniVersion":"1.0.0","name":"demonet","plugins":[
  {"type":"bridge","bridge":"cnii-demo1","isGateway":true,"ipMasq":false,
   "ipam":{"type":"host-local","dataDir":"$dir/ipam",
           "ranges":[[{"subnet":"10.89.0.0/24"}],[{"subnet":"fd89::/64"}]]}},
  {"type":"tuning","capabilities":{"mac":true}},
  {"type":"portmap","capabilities":{"portMappings":true},"snat":false}]}
JSON
export NETCONFPATH=$dir/net.d
export CAP_ARGS='{"mac":"c2:00:00:00:89:01","portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}'
if [ "$real" = 1 ]; then
  echo "== network list: real bridge + host-local, tuning, portmap into namespace $ctr"
  export CNI_PATH=/usr/lib/cni
  ip netns add "$host"
  ip netns add "$ctr"
  netns=/var/run/netns/$ctr
  inhost() { ip netns exec "$host" "$@"; }
else
  echo "== network list on the test plugin (run as root with containernetworking-plugins for real ones)"
  for p in bridge tuning portmap; do ln -s "$(realpath "$plugin")" "$dir/bin/$p"; done
  export CNI_PATH=$dir/bin
  netns=/var/run/netns/demo
  inhost() { "$@"; }
fi
net() { echo "\$ cniinvoke net $*"; inhost "$cli" net "$@" --cache-dir "$dir/cache"; }
echo "\$ cniinvoke net ls"
"$cli" net ls
echo "\$ cniinvoke net validate demonet"
"$cli" net validate demonet
net add demonet "$netns"
echo
if [ "$real" = 1 ]; then
  echo "-- eth0 inside $ctr (MAC set by tuning):"
  ip -n "$ctr" -br link show dev eth0
  ip -n "$ctr" -br addr show dev eth0
  echo "-- portmap's DNAT rule in the host namespace:"
  inhost iptables -t nat -S | grep -- "--dport 8080" || true
fi
if net check demonet "$netns"; then
  echo "CHECK ok"
else
  echo "(CHECK failed: Debian's portmap 1.1.1 cannot check its own IPv4 mapping while ip6tables exists)"
fi
echo "\$ cniinvoke net attachments  (from the cache; the container id is cnitool's, from the netns path)"
"$cli" net attachments --cache-dir "$dir/cache"
net del demonet "$netns" && echo "DEL ok"
if [ "$real" = 1 ]; then
  ip -n "$ctr" -br link show dev eth0 2>/dev/null || echo "-- eth0 is gone"
fi
echo "-- cached attachments now: $("$cli" net attachments --cache-dir "$dir/cache" | tr -d ' \n')"
