#!/usr/bin/env bash
# The demo's real-network part: wire Debian's bridge + host-local plugins
# into a throw-away network namespace with the cniinvoke command line, show
# the interface inside it, then tear everything down. The plugins' host side
# runs in a namespace of its own, so this machine's network is untouched.
# Needs root, ip and /usr/lib/cni; otherwise says why and skips.
set -euo pipefail
cli=${1:?usage: demo-real.sh path/to/cniinvoke}
if [ "$(id -u)" -ne 0 ] || [ ! -x /usr/lib/cni/bridge ] || ! command -v ip >/dev/null; then
  echo "(skipping the real-plugin demo: it needs root, ip and containernetworking-plugins)"
  exit 0
fi
host=cnii-demo-host-$$
ctr=cnii-demo-ctr-$$
dir=$(mktemp -d)
cleanup() {
  ip netns del "$ctr" 2>/dev/null || true
  ip netns del "$host" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$host"
ip netns add "$ctr"
cat > "$dir/net.json" <<JSON
{"cniVersion":"1.0.0","name":"demo","type":"bridge","bridge":"cnii-demo0","isGateway":true,
 "ipMasq":false,"ipam":{"type":"host-local","subnet":"10.88.0.0/24","dataDir":"$dir/ipam"}}
JSON
run() { ip netns exec "$host" "$cli" "$@" --netconf "$dir/net.json" --netns "/var/run/netns/$ctr" --containerid demo --path /usr/lib/cni; }
echo "== real plugins: bridge + host-local into namespace $ctr"
run add bridge
echo "-- eth0 inside $ctr:"
ip -n "$ctr" -br addr show dev eth0
run del bridge
echo "-- after DEL:"
ip -n "$ctr" -br link show dev eth0 2>/dev/null || echo "eth0 is gone"
