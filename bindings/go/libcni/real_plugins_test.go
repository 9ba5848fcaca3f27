//go:build linux

package libcni_test

// Debian's real plugins as a chained list through this package: bridge
// (host-local IPAM), tuning taking the mac capability, portmap taking
// portMappings — ADD, CHECK, GC and DEL, and upstream's libcni on the same
// cache: what it adds this package checks and deletes.
//
// Everything runs in two network namespaces made here and always removed:
// the calls run on an OS thread that joined the "host" namespace (and is
// never given back to the Go scheduler), so the plugins' host side (the
// bridge, the veth's host end, portmap's iptables rules) is that namespace
// and this machine's network is untouched.
//
// Debian's portmap wrongly demands IPv6 rules in CHECK whenever ip6tables
// works (containernetworking/plugins#819), so the plugins run with an
// ip6tables on PATH that fails, as tests/libcni_real.rs does.
//
// Needs root, the plugins, ip and iptables; otherwise the test is skipped,
// unless CNI_REQUIRE_REAL_PLUGINS=1, which makes that a failure.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	uplibcni "github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/testenv"
)

// hideIP6tables puts a failing ip6tables first on PATH for the plugins.
func hideIP6tables(t *testing.T) {
	shim := t.TempDir()
	if err := os.WriteFile(filepath.Join(shim, "ip6tables"), []byte("#!/bin/sh\necho 'ip6tables hidden by the test' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", shim+":"+os.Getenv("PATH"))
}

func realRT(netns, id, mac string, hostPort int) *libcni.RuntimeConf {
	return &libcni.RuntimeConf{
		ContainerID: id, NetNS: netns, IfName: "eth0",
		CapabilityArgs: map[string]interface{}{
			"mac":          mac,
			"portMappings": []interface{}{map[string]interface{}{"hostPort": hostPort, "containerPort": 80, "protocol": "tcp"}},
		},
	}
}

func natRules(t *testing.T, hostNS string, port int) int {
	out, err := exec.Command("ip", "netns", "exec", hostNS, "iptables", "-t", "nat", "-S").CombinedOutput()
	if err != nil {
		t.Fatalf("iptables: %v\n%s", err, out)
	}
	return strings.Count(string(out), fmt.Sprintf("--dport %d ", port))
}

func linkMAC(t *testing.T, ns string) string {
	out, _ := testenv.IP("-n", ns, "-o", "link", "show", "dev", "eth0")
	f := strings.Fields(out)
	for i, w := range f {
		if w == "link/ether" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}

func TestRealChainedList(t *testing.T) {
	testenv.RequireRealPlugins(t, []string{"bridge", "host-local", "tuning", "portmap"}, []string{"ip", "iptables"})
	hideIP6tables(t)
	hostNS := fmt.Sprintf("cnii-gol-%d-host", os.Getpid())
	ctrNS := fmt.Sprintf("cnii-gol-%d-ctr", os.Getpid())
	upNS := fmt.Sprintf("cnii-gol-%d-up", os.Getpid())
	testenv.AddNetns(t, hostNS)
	ctrPath, upPath := testenv.AddNetns(t, ctrNS), testenv.AddNetns(t, upNS)
	th := testenv.NewNSThread(t, "/var/run/netns/"+hostNS)

	text := fmt.Sprintf(`{"cniVersion":"1.0.0","name":"cnii-gochain","plugins":[`+
		`{"type":"bridge","bridge":"cnii-gobr7","isGateway":true,"ipMasq":false,"ipam":{"type":"host-local","subnet":"10.92.0.0/24","dataDir":%q}},`+
		`{"type":"tuning","capabilities":{"mac":true}},`+
		`{"type":"portmap","capabilities":{"portMappings":true}}]}`, t.TempDir())
	list, ulist := mustList(t, []byte(text)), mustUpList(t, []byte(text))
	cache := t.TempDir()
	cfg := libcni.NewCNIConfigWithCacheDir([]string{testenv.RealPluginDir}, cache, nil)
	ucfg := uplibcni.NewCNIConfigWithCacheDir([]string{testenv.RealPluginDir}, cache, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	rt := realRT(ctrPath, "c-ours", "0a:58:0a:5c:00:11", 18080)

	var res types.Result
	var err error
	th.Do(func() { res, err = cfg.AddNetworkList(ctx, list, rt) })
	if err != nil {
		t.Fatalf("ADD: %v", err)
	}
	r, err := current.NewResultFromResult(res)
	if err != nil || len(r.IPs) != 1 || !strings.HasPrefix(r.IPs[0].Address.String(), "10.92.0.") {
		t.Fatalf("ADD result %v (%v)", res, err)
	}
	if mac := linkMAC(t, ctrNS); mac != "0a:58:0a:5c:00:11" {
		t.Errorf("eth0's MAC %q: tuning did not get the mac capability", mac)
	}
	if n := natRules(t, hostNS, 18080); n == 0 {
		t.Errorf("no NAT rule for port 18080: portmap did not get portMappings")
	}
	th.Do(func() { err = cfg.CheckNetworkList(ctx, list, rt) })
	if err != nil {
		t.Errorf("CHECK: %v", err)
	}

	// Upstream's libcni adds another container on the same cache; this
	// package checks it, keeps it through a GC, and deletes it.
	urt := realRT(upPath, "c-up", "0a:58:0a:5c:00:22", 18081)
	th.Do(func() { _, err = ucfg.AddNetworkList(ctx, ulist, upRT(urt)) })
	if err != nil {
		t.Fatalf("upstream ADD: %v", err)
	}
	th.Do(func() { err = cfg.CheckNetworkList(ctx, list, urt) })
	if err != nil {
		t.Errorf("CHECK of upstream's attachment: %v", err)
	}
	th.Do(func() {
		err = cfg.GCNetworkList(ctx, list, &libcni.GCArgs{ValidAttachments: []types.GCAttachment{{ContainerID: "c-up", IfName: "eth0"}}})
	})
	if err != nil {
		t.Errorf("GC: %v", err)
	}
	if _, e := testenv.IP("-n", ctrNS, "link", "show", "dev", "eth0"); e == nil {
		t.Errorf("GC left eth0 of c-ours")
	}
	if natRules(t, hostNS, 18080) != 0 {
		t.Errorf("GC left the NAT rule of c-ours")
	}
	if _, e := testenv.IP("-n", upNS, "link", "show", "dev", "eth0"); e != nil {
		t.Errorf("GC removed eth0 of the valid c-up")
	}
	th.Do(func() { err = cfg.DelNetworkList(ctx, list, urt) })
	if err != nil {
		t.Errorf("DEL of upstream's attachment: %v", err)
	}
	if _, e := testenv.IP("-n", upNS, "link", "show", "dev", "eth0"); e == nil {
		t.Errorf("eth0 of c-up left after DEL")
	}
	if natRules(t, hostNS, 18081) != 0 {
		t.Errorf("NAT rule of c-up left after DEL")
	}
	if atts, err := cfg.GetCachedAttachments(""); err != nil || len(atts) != 0 {
		t.Errorf("cache after DEL: %+v (%v)", atts, err)
	}
}
