//go:build linux

package invoke_test

// Debian's real CNI plugins (bridge + host-local) through the Go binding:
// ADD, CHECK with the ADD result spliced in as prevResult, DEL, DEL again,
// and a plugin's own error as *types.Error; then the same ADD/DEL through
// upstream's invoke, to compare the shape of the result.
//
// Everything runs in two network namespaces made here and always removed:
// the calls run on an OS thread that joined the "host" namespace (and is
// never given back to the Go scheduler), so the plugins' host side (the
// bridge, the host end of the veth) is that namespace and this machine's
// network is untouched.
//
// Needs root, /usr/lib/cni/bridge and ip; otherwise the test is skipped,
// unless CNI_REQUIRE_REAL_PLUGINS=1 (make test sets it as root), which makes
// that a failure.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	upinvoke "github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/testenv"
)

// ctrIPv4 is the IPv4 address (CIDR) on eth0 in namespace ns, or "".
func ctrIPv4(t *testing.T, ns string) string {
	t.Helper()
	out, err := testenv.IP("-n", ns, "-4", "-o", "addr", "show", "dev", "eth0")
	if err != nil {
		return ""
	}
	f := strings.Fields(out)
	for i, w := range f {
		if w == "inet" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

func eth0Exists(ns string) bool {
	_, err := testenv.IP("-n", ns, "link", "show", "dev", "eth0")
	return err == nil
}

// withPrevResult is netconf with "prevResult" set to result.
func withPrevResult(t *testing.T, netconf []byte, result types.Result) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(netconf, &m); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	m["prevResult"] = json.RawMessage(b)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ipShape is what the comparison with upstream looks at: the interfaces
// (name, whether in the sandbox) and the IPs (subnet, gateway, which
// interface), not the addresses and MACs, which differ per run.
func ipShape(t *testing.T, r types.Result) string {
	t.Helper()
	res, err := current.NewResultFromResult(r)
	if err != nil {
		t.Fatalf("converting the result: %v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version %s;", r.Version())
	for _, i := range res.Interfaces {
		fmt.Fprintf(&b, " if %s sandbox=%v;", strings.TrimRight(i.Name, "0123456789abcdef"), i.Sandbox != "")
	}
	for _, ip := range res.IPs {
		idx := -1
		if ip.Interface != nil {
			idx = *ip.Interface
		}
		_, subnet, _ := net.ParseCIDR(ip.Address.String())
		fmt.Fprintf(&b, " ip in %v gw %v if %d;", subnet, ip.Gateway, idx)
	}
	return b.String()
}

func TestRealPluginsBridge(t *testing.T) {
	testenv.RequireRealPlugins(t, []string{"bridge"}, []string{"ip"})
	hostNS := fmt.Sprintf("cnii-go-%d-host", os.Getpid())
	ctrNS := fmt.Sprintf("cnii-go-%d-ctr", os.Getpid())
	testenv.AddNetns(t, hostNS)
	testenv.AddNetns(t, ctrNS)
	th := testenv.NewNSThread(t, "/var/run/netns/"+hostNS)

	bridge := testenv.RealPluginDir + "/bridge"
	netconf := []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"cnii-go","type":"bridge",`+
		`"bridge":"cnii-gobr0","isGateway":true,"ipMasq":false,`+
		`"ipam":{"type":"host-local","subnet":"10.94.0.0/24","dataDir":%q}}`, t.TempDir()))
	args := func(command, containerID string) *invoke.Args {
		return &invoke.Args{Command: command, ContainerID: containerID, NetNS: "/var/run/netns/" + ctrNS,
			IfName: "eth0", Path: testenv.RealPluginDir}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var ours types.Result
	var err error
	th.Do(func() { ours, err = invoke.ExecPluginWithResult(ctx, bridge, netconf, args("ADD", "c-go"), nil) })
	if err != nil {
		t.Fatalf("ADD: %v", err)
	}
	addr := ctrIPv4(t, ctrNS)
	if !strings.HasPrefix(addr, "10.94.0.") {
		t.Fatalf("eth0 in %s has IPv4 %q, want one in 10.94.0.0/24", ctrNS, addr)
	}
	// The bridge is in the host namespace made here, not this machine's.
	if out, err := testenv.IP("-n", hostNS, "link", "show", "dev", "cnii-gobr0"); err != nil {
		t.Errorf("bridge cnii-gobr0 not in %s: %v\n%s", hostNS, err, out)
	}
	if _, err := testenv.IP("link", "show", "dev", "cnii-gobr0"); err == nil {
		t.Errorf("bridge cnii-gobr0 appeared in this machine's namespace")
	}
	res, err := current.NewResultFromResult(ours)
	if err != nil || len(res.IPs) != 1 || res.IPs[0].Address.String() != addr {
		t.Errorf("ADD result %+v (err %v) does not name eth0's address %s", ours, err, addr)
	}

	checkConf := withPrevResult(t, netconf, ours)
	th.Do(func() { err = invoke.ExecPluginWithoutResult(ctx, bridge, checkConf, args("CHECK", "c-go"), nil) })
	if err != nil {
		t.Errorf("CHECK: %v", err)
	}

	th.Do(func() { err = invoke.ExecPluginWithoutResult(ctx, bridge, netconf, args("DEL", "c-go"), nil) })
	if err != nil {
		t.Errorf("DEL: %v", err)
	}
	if eth0Exists(ctrNS) {
		t.Errorf("eth0 still in %s after DEL", ctrNS)
	}
	th.Do(func() { err = invoke.ExecPluginWithoutResult(ctx, bridge, netconf, args("DEL", "c-go"), nil) })
	if err != nil {
		t.Errorf("second DEL: %v", err)
	}

	// The plugin's own error, typed as upstream's.
	bad := []byte(`{"cniVersion":"1.0.0","name":"cnii-go-bad","type":"bridge","bridge":"cnii-gobr1",` +
		`"ipam":{"type":"host-local","subnet":"not-a-subnet"}}`)
	var badResult types.Result
	th.Do(func() { badResult, err = invoke.ExecPluginWithResult(ctx, bridge, bad, args("ADD", "c-go-bad"), nil) })
	var terr *types.Error
	if !errors.As(err, &terr) || terr.Code == 0 || badResult != nil {
		t.Errorf("bad subnet: result %v, error %T %v; want *types.Error with a non-zero code", badResult, err, err)
	} else if !strings.Contains(terr.Msg+terr.Details, "not-a-subnet") {
		t.Errorf("bad subnet: error %+v does not mention the subnet", terr)
	}
	// Whatever the plugin set up before failing goes.
	th.Do(func() { _ = invoke.ExecPluginWithoutResult(ctx, bridge, bad, args("DEL", "c-go-bad"), nil) })

	// Upstream's invoke, same ADD/DEL: the result has the same shape.
	upArgs := func(command string) *upinvoke.Args {
		a := args(command, "c-go-up")
		return &upinvoke.Args{Command: a.Command, ContainerID: a.ContainerID, NetNS: a.NetNS,
			IfName: a.IfName, Path: a.Path}
	}
	var up types.Result
	th.Do(func() { up, err = upinvoke.ExecPluginWithResult(ctx, bridge, netconf, upArgs("ADD"), nil) })
	if err != nil {
		t.Fatalf("upstream ADD: %v", err)
	}
	if s1, s2 := ipShape(t, up), ipShape(t, ours); s1 != s2 {
		t.Errorf("result shape\nupstream %s\n    ours %s", s1, s2)
	} else {
		t.Logf("result shape (both): %s", s2)
	}
	th.Do(func() { err = upinvoke.ExecPluginWithoutResult(ctx, bridge, netconf, upArgs("DEL"), nil) })
	if err != nil {
		t.Errorf("upstream DEL: %v", err)
	}
	if eth0Exists(ctrNS) {
		t.Errorf("eth0 still in %s after upstream's DEL", ctrNS)
	}
}
