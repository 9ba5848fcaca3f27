package libcni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

func newRT(id string) *libcni.RuntimeConf {
	return &libcni.RuntimeConf{
		ContainerID: id,
		NetNS:       "/var/run/netns/" + id,
		IfName:      "eth0",
		Args:        [][2]string{{"K", "V"}},
		CapabilityArgs: map[string]interface{}{
			"portMappings": []interface{}{map[string]interface{}{"hostPort": float64(8080)}},
			"other":        float64(1),
		},
	}
}

func mustList(t testing.TB, b []byte) *libcni.NetworkConfigList {
	t.Helper()
	list, err := libcni.ConfListFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestChainAddCheckDel(t *testing.T) {
	logDir, cache := t.TempDir(), t.TempDir()
	list := mustList(t, chain("1.0.0", "tnet", logDir, nil))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{"/nonexistent", pluginDir}, cache, nil)
	rt := newRT("c1")
	ctx := context.Background()

	res, err := cfg.AddNetworkList(ctx, list, rt)
	if err != nil {
		t.Fatal(err)
	}
	r100, err := types100.NewResultFromResult(res)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version() != "1.0.0" || len(r100.Interfaces) != 2 || r100.Interfaces[0].Name != "eth0" || r100.Interfaces[1].Name != "eth0-1" {
		t.Fatalf("result %s", mustJSON(t, res))
	}
	lines := readLog(t, logDir, "c1-eth0.log")
	if got := commands(lines); !reflect.DeepEqual(got, []string{"ADD:testplug", "ADD:testplug2"}) {
		t.Fatalf("commands %v", got)
	}
	for _, l := range lines {
		if deref(l.Name) != "tnet" || deref(l.CNIVersion) != "1.0.0" || deref(l.ContainerID) != "c1" {
			t.Fatalf("injected fields: %+v", l)
		}
	}
	if string(lines[0].PrevResult) != "null" || string(lines[0].RuntimeConfig) != "null" {
		t.Fatalf("first plugin got prevResult %s runtimeConfig %s", lines[0].PrevResult, lines[0].RuntimeConfig)
	}
	if string(lines[1].RuntimeConfig) != `{"portMappings":[{"hostPort":8080}]}` {
		t.Fatalf("second plugin's runtimeConfig %s", lines[1].RuntimeConfig)
	}
	var prev types100.Result
	if err := json.Unmarshal(lines[1].PrevResult, &prev); err != nil || len(prev.Interfaces) != 1 {
		t.Fatalf("second plugin's prevResult %s (%v)", lines[1].PrevResult, err)
	}

	cached, err := cfg.GetNetworkListCachedResult(list, rt)
	if err != nil || mustJSON(t, cached) != mustJSON(t, res) {
		t.Fatalf("cached result %v (%v), want %v", cached, err, res)
	}
	conf, crt, err := cfg.GetNetworkListCachedConfig(list, &libcni.RuntimeConf{ContainerID: "c1", IfName: "eth0"})
	if err != nil || !bytes.Equal(conf, list.Bytes) {
		t.Fatalf("cached config %q (%v)", conf, err)
	}
	if !reflect.DeepEqual(crt.Args, rt.Args) || !reflect.DeepEqual(crt.CapabilityArgs, rt.CapabilityArgs) || crt.ContainerID != "c1" {
		t.Fatalf("cached runtime conf %+v", crt)
	}
	atts, err := cfg.GetCachedAttachments("c1")
	if err != nil || len(atts) != 1 || atts[0].Network != "tnet" || atts[0].IfName != "eth0" ||
		atts[0].NetNS != rt.NetNS || !bytes.Equal(atts[0].Config, list.Bytes) || !reflect.DeepEqual(atts[0].CniArgs, rt.Args) {
		t.Fatalf("attachments %+v (%v)", atts, err)
	}
	if atts, err := cfg.GetCachedAttachments("nobody"); err != nil || len(atts) != 0 || atts == nil {
		t.Fatalf("attachments of nobody: %#v (%v)", atts, err)
	}

	if err := cfg.CheckNetworkList(ctx, list, rt); err != nil {
		t.Fatal(err)
	}
	if err := cfg.DelNetworkList(ctx, list, rt); err != nil {
		t.Fatal(err)
	}
	want := []string{"ADD:testplug", "ADD:testplug2", "CHECK:testplug", "CHECK:testplug2", "DEL:testplug2", "DEL:testplug"}
	if got := commands(readLog(t, logDir, "c1-eth0.log")); !reflect.DeepEqual(got, want) {
		t.Fatalf("commands %v, want %v", got, want)
	}
	if cached, err := cfg.GetNetworkListCachedResult(list, rt); err != nil || cached != nil {
		t.Fatalf("after DEL: cached %v (%v)", cached, err)
	}
}

func TestNoCacheYet(t *testing.T) {
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, filepath.Join(t.TempDir(), "none"), nil)
	if atts, err := cfg.GetCachedAttachments(""); err != nil || atts != nil {
		t.Fatalf("%#v (%v), want nil", atts, err)
	}
	conf, rt, err := cfg.GetNetworkListCachedConfig(mustList(t, chain("1.0.0", "n", t.TempDir(), nil)), newRT("c"))
	if conf != nil || rt != nil || err != nil {
		t.Fatalf("%q %v %v", conf, rt, err)
	}
}

func TestFailedPluginUnwrapsToItsError(t *testing.T) {
	logDir := t.TempDir()
	list := mustList(t, chain("1.0.0", "fnet", logDir, map[string]any{
		"failOn": []string{"ADD"}, "failCode": 7, "failMsg": "boom", "failDetails": "more",
	}))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	_, err := cfg.AddNetworkList(context.Background(), list, newRT("c1"))
	if err == nil || err.Error() != `plugin type="testplug" failed (add): boom; more` {
		t.Fatalf("error %v", err)
	}
	cause, ok := errors.Unwrap(err).(*types.Error)
	if !ok || *cause != (types.Error{Code: 7, Msg: "boom", Details: "more"}) {
		t.Fatalf("unwrapped %#v", errors.Unwrap(err))
	}
	// The plugin's own name, when its configuration has one, is named.
	named := mustList(t, []byte(`{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"testplug","name":"own","failOn":["DEL"]}]}`))
	err = cfg.DelNetworkList(context.Background(), named, newRT("c1"))
	if err == nil || err.Error() != `plugin type="testplug" name="own" failed (delete): DEL failed on request` {
		t.Fatalf("error %v", err)
	}
}

func TestEditedAndHandBuiltLists(t *testing.T) {
	logDir, cache := t.TempDir(), t.TempDir()
	text := fmt.Sprintf(`{"cniVersion":"1.0.0","name":"enet","plugins":[{"type":"nothere","logDir":%q}]}`, logDir)
	list := mustList(t, []byte(text))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	if _, err := cfg.AddNetworkList(context.Background(), list, newRT("c1")); err == nil ||
		err.Error() != fmt.Sprintf(`plugin type="nothere" failed (add): failed to find plugin "nothere" in path [%s]`, pluginDir) {
		t.Fatalf("unedited: %v", err)
	}
	list.Plugins[0].Network.Type = "testplug"
	if _, err := cfg.AddNetworkList(context.Background(), list, newRT("c1")); err != nil {
		t.Fatal(err)
	}
	// Found by the edited type, sent its bytes as they are.
	if l := readLog(t, logDir, "c1-eth0.log"); len(l) != 1 || deref(l[0].Type) != "nothere" {
		t.Fatalf("log %+v", l)
	}
	if conf, _, err := cfg.GetNetworkListCachedConfig(list, newRT("c1")); err != nil || string(conf) != text {
		t.Fatalf("cached %q (%v)", conf, err)
	}

	hand := &libcni.NetworkConfigList{
		Name:       "hand",
		CNIVersion: "0.4.0",
		Plugins: []*libcni.PluginConfig{{
			Network: &types.PluginConf{Type: "testplug2"},
			Bytes:   []byte(fmt.Sprintf(`{"type":"testplug2","logDir":%q}`, logDir)),
		}},
	}
	res, err := cfg.AddNetworkList(context.Background(), hand, newRT("c2"))
	if err != nil || res.Version() != "0.4.0" {
		t.Fatalf("%v (%v)", res, err)
	}
	if err := cfg.CheckNetworkList(context.Background(), hand, newRT("c2")); err != nil {
		t.Fatal(err)
	}
	if l := readLog(t, logDir, "c2-eth0.log"); len(l) != 2 || deref(l[0].Name) != "hand" || deref(l[1].CNIVersion) != "0.4.0" {
		t.Fatalf("log %+v", l)
	}
}

func TestCheckNotSupported(t *testing.T) {
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	list := mustList(t, chain("0.3.1", "old", t.TempDir(), nil))
	err := cfg.CheckNetworkList(context.Background(), list, newRT("c1"))
	if !errors.Is(err, libcni.ErrorCheckNotSupp) || err.Error() != `configuration version "0.3.1" does not support the CHECK command` {
		t.Fatalf("%v", err)
	}
	net, err := libcni.ConfFromBytes([]byte(`{"cniVersion":"0.3.0","name":"old","type":"testplug"}`))
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.CheckNetwork(context.Background(), net, newRT("c1"))
	if !errors.Is(err, libcni.ErrorCheckNotSupp) || err.Error() != `configuration version "0.3.0" does not support the CHECK command` {
		t.Fatalf("%v", err)
	}
}

func TestDisableCheck(t *testing.T) {
	logDir := t.TempDir()
	list := mustList(t, []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"d","disableCheck":"true","plugins":[{"type":"testplug","logDir":%q}]}`, logDir)))
	if !list.DisableCheck {
		t.Fatal("disableCheck not parsed")
	}
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	if err := cfg.CheckNetworkList(context.Background(), list, newRT("c1")); err != nil {
		t.Fatal(err)
	}
	if l := readLog(t, logDir, "c1-eth0.log"); len(l) != 0 {
		t.Fatalf("plugin ran: %+v", l)
	}
}

func TestSinglePlugin(t *testing.T) {
	logDir := t.TempDir()
	net, err := libcni.ConfFromBytes([]byte(fmt.Sprintf(`{"cniVersion":"1.1.0","name":"one","type":"testplug","logDir":%q,"capabilities":{"mac":true}}`, logDir)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	ctx, rt := context.Background(), newRT("c1")
	rt.CapabilityArgs["mac"] = "00:11:22:33:44:55"
	res, err := cfg.AddNetwork(ctx, net, rt)
	if err != nil {
		t.Fatal(err)
	}
	if cached, err := cfg.GetNetworkCachedResult(net, rt); err != nil || mustJSON(t, cached) != mustJSON(t, res) {
		t.Fatalf("cached %v (%v)", cached, err)
	}
	if conf, _, err := cfg.GetNetworkCachedConfig(net, rt); err != nil || !bytes.Equal(conf, net.Bytes) {
		t.Fatalf("cached config %q (%v)", conf, err)
	}
	if err := cfg.CheckNetwork(ctx, net, rt); err != nil {
		t.Fatal(err)
	}
	if err := cfg.DelNetwork(ctx, net, rt); err != nil {
		t.Fatal(err)
	}
	lines := readLog(t, logDir, "c1-eth0.log")
	if got := commands(lines); !reflect.DeepEqual(got, []string{"ADD:testplug", "CHECK:testplug", "DEL:testplug"}) {
		t.Fatalf("commands %v", got)
	}
	if string(lines[0].RuntimeConfig) != `{"mac":"00:11:22:33:44:55"}` {
		t.Fatalf("runtimeConfig %s", lines[0].RuntimeConfig)
	}
	caps, err := cfg.ValidateNetwork(ctx, net)
	if err != nil || !reflect.DeepEqual(caps, []string{"mac"}) {
		t.Fatalf("caps %v (%v)", caps, err)
	}
}

func TestValidateAndVersionInfo(t *testing.T) {
	cfg := libcni.NewCNIConfig([]string{pluginDir}, nil)
	ctx := context.Background()
	caps, err := cfg.ValidateNetworkList(ctx, mustList(t, chain("1.0.0", "v", t.TempDir(), nil)))
	if err != nil || !reflect.DeepEqual(caps, []string{"portMappings"}) {
		t.Fatalf("caps %v (%v)", caps, err)
	}
	info, err := cfg.GetVersionInfo(ctx, "testplug")
	if err != nil || !reflect.DeepEqual(info.SupportedVersions(), version.All.SupportedVersions()) {
		t.Fatalf("%v (%v)", info, err)
	}
	_, err = cfg.GetVersionInfo(ctx, "nope")
	if err == nil || err.Error() != fmt.Sprintf(`failed to find plugin "nope" in path [%s]`, pluginDir) {
		t.Fatalf("%v", err)
	}
	bad := mustList(t, []byte(`{"cniVersion":"9.9.9","name":"v","plugins":[{"type":"testplug"}]}`))
	if _, err := cfg.ValidateNetworkList(ctx, bad); err == nil {
		t.Fatal("a version no plugin supports validated")
	}
	// Path is plain data: changing it changes where plugins are found.
	cfg.Path = []string{t.TempDir()}
	if _, err := cfg.GetVersionInfo(ctx, "testplug"); err == nil {
		t.Fatal("found on the old path")
	}
}

func TestGCAndStatus(t *testing.T) {
	logDir, cache := t.TempDir(), t.TempDir()
	list := mustList(t, chain("1.1.0", "gnet", logDir, nil))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	ctx := context.Background()
	for _, id := range []string{"keep", "drop"} {
		if _, err := cfg.AddNetworkList(ctx, list, newRT(id)); err != nil {
			t.Fatal(err)
		}
	}
	err := cfg.GCNetworkList(ctx, list, &libcni.GCArgs{ValidAttachments: []types.GCAttachment{{ContainerID: "keep", IfName: "eth0"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := commands(readLog(t, logDir, "drop-eth0.log")); !reflect.DeepEqual(got, []string{"ADD:testplug", "ADD:testplug2", "DEL:testplug2", "DEL:testplug"}) {
		t.Fatalf("drop: %v", got)
	}
	if got := commands(readLog(t, logDir, "keep-eth0.log")); len(got) != 2 {
		t.Fatalf("keep: %v", got)
	}
	if got := commands(readLog(t, logDir, "GC.log")); !reflect.DeepEqual(got, []string{"GC:testplug", "GC:testplug2"}) {
		t.Fatalf("GC: %v", got)
	}
	atts, err := cfg.GetCachedAttachments("")
	if err != nil || len(atts) != 1 || atts[0].ContainerID != "keep" {
		t.Fatalf("after GC: %+v (%v)", atts, err)
	}
	if err := cfg.GetStatusNetworkList(ctx, list); err != nil {
		t.Fatal(err)
	}
	failing := mustList(t, chain("1.1.0", "gnet", logDir, map[string]any{"failOn": []string{"STATUS"}, "failCode": 50, "failMsg": "not ready"}))
	err = cfg.GetStatusNetworkList(ctx, failing)
	var te *types.Error
	if !errors.As(err, &te) || te.Code != 50 || te.Msg != "not ready" {
		t.Fatalf("status error %#v", err)
	}
	if err := cfg.GCNetworkList(ctx, list, nil); err != nil {
		t.Fatal(err)
	}
	if atts, err := cfg.GetCachedAttachments(""); err != nil || len(atts) != 0 {
		t.Fatalf("after GC of all: %+v (%v)", atts, err)
	}
}

func TestCacheDirPrecedence(t *testing.T) {
	dir := t.TempDir()
	old := libcni.CacheDir
	libcni.CacheDir = dir
	defer func() { libcni.CacheDir = old }()
	cfg := libcni.NewCNIConfig([]string{pluginDir}, nil)
	list := mustList(t, chain("1.0.0", "dnet", t.TempDir(), nil))
	if _, err := cfg.AddNetworkList(context.Background(), list, newRT("c1")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "results", "dnet-c1-eth0")); err != nil {
		t.Fatal(err)
	}
	rtDir := t.TempDir()
	rt := newRT("c2")
	rt.CacheDir = rtDir
	if _, err := cfg.AddNetworkList(context.Background(), list, rt); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(rtDir, "results", "dnet-c2-eth0")); err != nil {
		t.Fatal(err)
	}
}

func TestDisableGC(t *testing.T) {
	logDir, cache := t.TempDir(), t.TempDir()
	text := fmt.Sprintf(`{"cniVersion":"1.1.0","name":"nogc","disableGC":true,"plugins":[{"type":"testplug","logDir":%q}]}`, logDir)
	list := mustList(t, []byte(text))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	if _, err := cfg.AddNetworkList(context.Background(), list, newRT("c1")); err != nil {
		t.Fatal(err)
	}
	if err := cfg.GCNetworkList(context.Background(), list, nil); err != nil {
		t.Fatal(err)
	}
	if atts, err := cfg.GetCachedAttachments("c1"); err != nil || len(atts) != 1 {
		t.Fatalf("disableGC list collected: %v (%v)", atts, err)
	}
	if l := readLog(t, logDir, "GC.log"); len(l) != 0 {
		t.Fatalf("GC ran: %v", commands(l))
	}
}
