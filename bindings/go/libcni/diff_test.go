package libcni_test

// Differential tests: upstream's own libcni (v1.3.0) and this package on
// the same inputs, plugins and cache directories.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	uplibcni "github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

// confTexts are configuration texts, valid and not, for both parsers.
var confTexts = []string{
	`{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a"},{"type":"b","name":"x","capabilities":{"portMappings":true}}]}`,
	`{"cniVersion":"0.4.0","name":"n","disableCheck":true,"disableGC":"false","plugins":[{"type":"a","ipam":{"type":"host-local"},"dns":{"nameservers":["1.1.1.1"]}}]}`,
	`{"name":"n","plugins":[{"type":"a"}]}`,
	`{"cniVersion":"1.0.0","name":"n","cniVersions":["0.4.0","1.0.0","1.1.0"],"plugins":[{"type":"a"}]}`,
	`{"cniVersion":"1.0.0","name":"n","disableCheck":"maybe","plugins":[{"type":"a"}]}`,
	`{"cniVersion":"1.0.0","name":"n","loadOnlyInlinedPlugins":true,"plugins":[{"type":"a"}]}`,
	`{"cniVersion":"1.0.0","name":"n"}`,
	`{"cniVersion":"1.0.0","plugins":[{"type":"a"}]}`,
	`{"cniVersion":"1.0.0","name":"n","plugins":[{"name":"no type"}]}`,
	`{"cniVersion":"1.0.0","name":"n","plugins":"no"}`,
	`{"cniVersion":1,"name":"n","plugins":[{"type":"a"}]}`,
	`{"cniVersion":"1.0.0","name":"n","type":"single"}`,
	`{"type":"only"}`,
	`{}`,
	`[]`,
	`{`,
	``,
	`{"type":"a","capabilities":{"x":"notbool"}}`,
	`{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a"}]} trailing`,
}

func sameErr(t *testing.T, what string, ours, theirs error) bool {
	t.Helper()
	if (ours == nil) != (theirs == nil) || (ours != nil && ours.Error() != theirs.Error()) {
		t.Errorf("%s: error %v, upstream %v", what, ours, theirs)
		return false
	}
	return ours == nil
}

func samePlugin(t *testing.T, what string, ours *libcni.PluginConfig, theirs *uplibcni.PluginConfig) {
	t.Helper()
	if string(ours.Bytes) != string(theirs.Bytes) {
		t.Errorf("%s: bytes %q, upstream %q", what, ours.Bytes, theirs.Bytes)
	}
	if !reflect.DeepEqual(ours.Network, theirs.Network) {
		t.Errorf("%s: network %#v, upstream %#v", what, ours.Network, theirs.Network)
	}
}

func sameList(t *testing.T, what string, ours *libcni.NetworkConfigList, theirs *uplibcni.NetworkConfigList) {
	t.Helper()
	if ours.Name != theirs.Name || ours.CNIVersion != theirs.CNIVersion || ours.DisableCheck != theirs.DisableCheck ||
		ours.DisableGC != theirs.DisableGC || ours.LoadOnlyInlinedPlugins != theirs.LoadOnlyInlinedPlugins ||
		string(ours.Bytes) != string(theirs.Bytes) || len(ours.Plugins) != len(theirs.Plugins) {
		t.Errorf("%s: list %+v, upstream %+v", what, ours, theirs)
		return
	}
	for i := range ours.Plugins {
		samePlugin(t, fmt.Sprintf("%s plugin %d", what, i), ours.Plugins[i], theirs.Plugins[i])
	}
}

func TestDifferentialParsing(t *testing.T) {
	for _, text := range confTexts {
		b := []byte(text)
		l, err := libcni.ConfListFromBytes(b)
		ul, uerr := uplibcni.ConfListFromBytes(b)
		if sameErr(t, "ConfListFromBytes "+text, err, uerr) {
			sameList(t, "ConfListFromBytes "+text, l, ul)
		}
		l, err = libcni.NetworkConfFromBytes(b)
		ul, uerr = uplibcni.NetworkConfFromBytes(b)
		if sameErr(t, "NetworkConfFromBytes "+text, err, uerr) {
			sameList(t, "NetworkConfFromBytes "+text, l, ul)
		}
		p, err := libcni.ConfFromBytes(b)
		up, uerr := uplibcni.ConfFromBytes(b)
		if sameErr(t, "ConfFromBytes "+text, err, uerr) {
			samePlugin(t, "ConfFromBytes "+text, p, up)
			l, err := libcni.ConfListFromConf(p)
			ul, uerr := uplibcni.ConfListFromConf(up)
			if sameErr(t, "ConfListFromConf "+text, err, uerr) {
				sameList(t, "ConfListFromConf "+text, l, ul)
			}
			values := map[string]interface{}{"b": "<&>", "a": 1.5, "name": "renamed", "nested": map[string]interface{}{"z": []interface{}{1, "x"}}}
			ip, err := libcni.InjectConf(p, values)
			uip, uerr := uplibcni.InjectConf(up, values)
			if sameErr(t, "InjectConf "+text, err, uerr) {
				samePlugin(t, "InjectConf "+text, ip, uip)
			}
		}
		p, err = libcni.NetworkPluginConfFromBytes(b)
		up, uerr = uplibcni.NetworkPluginConfFromBytes(b)
		if sameErr(t, "NetworkPluginConfFromBytes "+text, err, uerr) {
			samePlugin(t, "NetworkPluginConfFromBytes "+text, p, up)
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDifferentialLoading(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "10-b.conflist"), `{"cniVersion":"1.0.0","name":"beta","plugins":[{"type":"a"}]}`)
	writeFile(t, filepath.Join(dir, "20-a.conflist"), `{"cniVersion":"1.0.0","name":"alpha","plugins":[{"type":"a"}]}`)
	writeFile(t, filepath.Join(dir, "alpha", "10-sub.conf"), `{"type":"sub"}`)
	writeFile(t, filepath.Join(dir, "alpha", "ignored.json"), `{"type":"json"}`)
	writeFile(t, filepath.Join(dir, "30-single.conf"), `{"cniVersion":"0.4.0","name":"single","type":"s"}`)
	writeFile(t, filepath.Join(dir, "40-other.json"), `{"cniVersion":"0.4.0","name":"other","type":"o"}`)
	if err := os.Mkdir(filepath.Join(dir, "dir.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	empty, missing := t.TempDir(), filepath.Join(dir, "missing")
	onlyLists := t.TempDir()
	writeFile(t, filepath.Join(onlyLists, "a.conflist"), `{"cniVersion":"1.0.0","name":"x","plugins":[{"type":"a"}]}`)
	broken := t.TempDir()
	writeFile(t, filepath.Join(broken, "a.conf"), `{nope`)

	for _, d := range []string{dir, empty, missing, onlyLists, broken} {
		for _, exts := range [][]string{{".conf"}, {".conflist", ".conf", ".json"}, nil} {
			files, err := libcni.ConfFiles(d, exts)
			ufiles, uerr := uplibcni.ConfFiles(d, exts)
			if sameErr(t, "ConfFiles "+d, err, uerr) && !reflect.DeepEqual(files, ufiles) {
				t.Errorf("ConfFiles %s %v: %#v, upstream %#v", d, exts, files, ufiles)
			}
		}
		for _, name := range []string{"alpha", "beta", "single", "other", "x", "nope"} {
			what := fmt.Sprintf("%s %s", d, name)
			l, err := libcni.LoadNetworkConf(d, name)
			ul, uerr := uplibcni.LoadNetworkConf(d, name)
			if sameErr(t, "LoadNetworkConf "+what, err, uerr) {
				sameList(t, "LoadNetworkConf "+what, l, ul)
			}
			sameErrValue(t, "LoadNetworkConf "+what, err, uerr)
			l, err = libcni.LoadConfList(d, name)
			ul, uerr = uplibcni.LoadConfList(d, name)
			if sameErr(t, "LoadConfList "+what, err, uerr) {
				sameList(t, "LoadConfList "+what, l, ul)
			}
			p, err := libcni.LoadConf(d, name)
			up, uerr := uplibcni.LoadConf(d, name)
			if sameErr(t, "LoadConf "+what, err, uerr) {
				samePlugin(t, "LoadConf "+what, p, up)
			}
			sameErrValue(t, "LoadConf "+what, err, uerr)
			ps, err := libcni.NetworkPluginConfsFromFiles(d, name)
			ups, uerr := uplibcni.NetworkPluginConfsFromFiles(d, name)
			if sameErr(t, "NetworkPluginConfsFromFiles "+what, err, uerr) {
				if len(ps) != len(ups) {
					t.Errorf("NetworkPluginConfsFromFiles %s: %d plugins, upstream %d", what, len(ps), len(ups))
				}
				for i := range ps {
					samePlugin(t, "NetworkPluginConfsFromFiles "+what, ps[i], ups[i])
				}
			}
		}
	}
	for _, f := range []string{"10-b.conflist", "20-a.conflist", "30-single.conf", "nope.conflist"} {
		path := filepath.Join(dir, f)
		l, err := libcni.NetworkConfFromFile(path)
		ul, uerr := uplibcni.NetworkConfFromFile(path)
		if sameErr(t, "NetworkConfFromFile "+f, err, uerr) {
			sameList(t, "NetworkConfFromFile "+f, l, ul)
		}
		l, err = libcni.ConfListFromFile(path)
		ul, uerr = uplibcni.ConfListFromFile(path)
		if sameErr(t, "ConfListFromFile "+f, err, uerr) {
			sameList(t, "ConfListFromFile "+f, l, ul)
		}
		p, err := libcni.ConfFromFile(path)
		up, uerr := uplibcni.ConfFromFile(path)
		if sameErr(t, "ConfFromFile "+f, err, uerr) {
			samePlugin(t, "ConfFromFile "+f, p, up)
		}
	}
}

// sameErrValue: a not-found error is the same value as upstream's, of this
// package's type.
func sameErrValue(t *testing.T, what string, ours, theirs error) {
	t.Helper()
	switch u := theirs.(type) {
	case uplibcni.NotFoundError:
		if ours != (libcni.NotFoundError{Dir: u.Dir, Name: u.Name}) {
			t.Errorf("%s: %#v, upstream %#v", what, ours, theirs)
		}
	case uplibcni.NoConfigsFoundError:
		if ours != (libcni.NoConfigsFoundError{Dir: u.Dir}) {
			t.Errorf("%s: %#v, upstream %#v", what, ours, theirs)
		}
	}
}

// Upstream and this package on one cache directory: what one adds the
// other reads, checks, deletes and collects.
func TestDifferentialCacheBothWays(t *testing.T) {
	logDir, cache := t.TempDir(), t.TempDir()
	text := chain("1.1.0", "xnet", logDir, nil)
	list, ulist := mustList(t, text), mustUpList(t, text)
	ours := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	theirs := uplibcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	ctx := context.Background()
	rt, urt := newRT("byup"), upRT(newRT("byup"))
	rt2, urt2 := newRT("byus"), upRT(newRT("byus"))

	ures, err := theirs.AddNetworkList(ctx, ulist, urt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ours.AddNetworkList(ctx, list, rt2)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustJSON(t, res), mustJSON(t, ures); a != fixSandbox(b, "byup", "byus") {
		t.Fatalf("results differ:\n ours %s\n upstream %s", a, b)
	}
	// Each reads the other's entry.
	got, err := ours.GetNetworkListCachedResult(list, rt)
	if err != nil || mustJSON(t, got) != mustJSON(t, ures) {
		t.Fatalf("ours reading upstream's: %v (%v)", got, err)
	}
	ugot, err := theirs.GetNetworkListCachedResult(ulist, urt2)
	if err != nil || mustJSON(t, ugot) != mustJSON(t, res) {
		t.Fatalf("upstream reading ours: %v (%v)", ugot, err)
	}
	for _, id := range []string{"byup", "byus"} {
		c, crt, err := ours.GetNetworkListCachedConfig(list, newRT(id))
		uc, ucrt, uerr := theirs.GetNetworkListCachedConfig(ulist, upRT(newRT(id)))
		if err != nil || uerr != nil || string(c) != string(uc) || !reflect.DeepEqual(crt.Args, ucrt.Args) ||
			!reflect.DeepEqual(crt.CapabilityArgs, ucrt.CapabilityArgs) {
			t.Fatalf("cached config of %s: %q %+v (%v), upstream %q %+v (%v)", id, c, crt, err, uc, ucrt, uerr)
		}
	}
	atts, err := ours.GetCachedAttachments("")
	uatts, uerr := theirs.GetCachedAttachments("")
	if err != nil || uerr != nil || len(atts) != 2 || len(uatts) != 2 {
		t.Fatalf("attachments %v (%v), upstream %v (%v)", atts, err, uatts, uerr)
	}
	for i := range atts {
		if mustJSON(t, atts[i]) != mustJSON(t, uatts[i]) {
			t.Errorf("attachment %d: %s, upstream %s", i, mustJSON(t, atts[i]), mustJSON(t, uatts[i]))
		}
	}
	if err := ours.CheckNetworkList(ctx, list, rt); err != nil {
		t.Fatal(err)
	}
	if err := theirs.CheckNetworkList(ctx, ulist, urt2); err != nil {
		t.Fatal(err)
	}
	// GC by ours keeps upstream's attachment, deletes our own.
	if err := ours.GCNetworkList(ctx, list, &libcni.GCArgs{ValidAttachments: []types.GCAttachment{{ContainerID: "byup", IfName: "eth0"}}}); err != nil {
		t.Fatal(err)
	}
	if ugot, err := theirs.GetNetworkListCachedResult(ulist, urt2); err != nil || ugot != nil {
		t.Fatalf("after our GC: %v (%v)", ugot, err)
	}
	// Upstream deletes what upstream added, after we checked it.
	if err := theirs.DelNetworkList(ctx, ulist, urt); err != nil {
		t.Fatal(err)
	}
	if got, err := ours.GetNetworkListCachedResult(list, rt); err != nil || got != nil {
		t.Fatalf("after upstream's DEL: %v (%v)", got, err)
	}
	want := []string{"ADD:testplug", "ADD:testplug2", "CHECK:testplug", "CHECK:testplug2", "DEL:testplug2", "DEL:testplug"}
	for _, id := range []string{"byup", "byus"} {
		if got := commands(readLog(t, logDir, id+"-eth0.log")); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", id, got, want)
		}
	}
	if err, uerr := ours.GetStatusNetworkList(ctx, list), theirs.GetStatusNetworkList(ctx, ulist); err != nil || uerr != nil {
		t.Fatalf("status %v, upstream %v", err, uerr)
	}
}

func TestDifferentialErrors(t *testing.T) {
	cache := t.TempDir()
	ours := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	theirs := uplibcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	ctx := context.Background()
	texts := []string{
		string(chain("1.0.0", "e", t.TempDir(), map[string]any{"failOn": []string{"ADD", "DEL", "CHECK"}, "failCode": 11, "failMsg": "m", "failDetails": "d"})),
		string(chain("1.1.0", "e", t.TempDir(), map[string]any{"failOn": []string{"STATUS", "GC"}, "failCode": 51})),
		`{"cniVersion":"1.0.0","name":"e","plugins":[{"type":"absent"}]}`,
		`{"cniVersion":"0.3.1","name":"e","plugins":[{"type":"testplug"}]}`,
	}
	// Valid attachments only: this package validates them on every verb
	// and before anything runs (TestValidatesEveryVerb).
	rts := []*libcni.RuntimeConf{newRT("ok"), {ContainerID: "c", IfName: "net1"}}
	for _, text := range texts {
		list, ulist := mustList(t, []byte(text)), mustUpList(t, []byte(text))
		for _, rt := range rts {
			what := fmt.Sprintf("%s %+v", text, rt)
			_, err := ours.AddNetworkList(ctx, list, rt)
			_, uerr := theirs.AddNetworkList(ctx, ulist, upRT(rt))
			sameErr(t, "ADD "+what, err, uerr)
			sameUnwrap(t, "ADD "+what, err, uerr)
			err, uerr = ours.CheckNetworkList(ctx, list, rt), theirs.CheckNetworkList(ctx, ulist, upRT(rt))
			sameErr(t, "CHECK "+what, err, uerr)
			err, uerr = ours.DelNetworkList(ctx, list, rt), theirs.DelNetworkList(ctx, ulist, upRT(rt))
			sameErr(t, "DEL "+what, err, uerr)
			sameUnwrap(t, "DEL "+what, err, uerr)
		}
		err, uerr := ours.GetStatusNetworkList(ctx, list), theirs.GetStatusNetworkList(ctx, ulist)
		sameErr(t, "STATUS "+text, err, uerr)
		err, uerr = ours.GCNetworkList(ctx, list, nil), theirs.GCNetworkList(ctx, ulist, nil)
		sameErr(t, "GC "+text, err, uerr)
		_, err = ours.ValidateNetworkList(ctx, list)
		_, uerr = theirs.ValidateNetworkList(ctx, ulist)
		sameErr(t, "validate "+text, err, uerr)
	}
}

// sameUnwrap: a wrapped plugin error unwraps to an equal *types.Error.
func sameUnwrap(t *testing.T, what string, ours, theirs error) {
	t.Helper()
	a, aok := errors.Unwrap(ours).(*types.Error)
	b, bok := errors.Unwrap(theirs).(*types.Error)
	if aok != bok || (aok && *a != *b) {
		t.Errorf("%s: unwrapped %#v, upstream %#v", what, errors.Unwrap(ours), errors.Unwrap(theirs))
	}
}

func mustUpList(t testing.TB, b []byte) *uplibcni.NetworkConfigList {
	t.Helper()
	l, err := uplibcni.ConfListFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func upRT(rt *libcni.RuntimeConf) *uplibcni.RuntimeConf {
	return &uplibcni.RuntimeConf{ContainerID: rt.ContainerID, NetNS: rt.NetNS, IfName: rt.IfName, Args: rt.Args,
		CapabilityArgs: rt.CapabilityArgs, CacheDir: rt.CacheDir}
}

// fixSandbox is a result JSON with the netns of container from replaced
// by container to's.
func fixSandbox(s, from, to string) string {
	return strings.ReplaceAll(s, "/var/run/netns/"+from, "/var/run/netns/"+to)
}

// Where this package goes further: container id, network name and ifname
// are validated on every verb (not only ADD) before any plugin is found or
// run, with upstream's texts, so no value can escape the cache directory.
func TestValidatesEveryVerb(t *testing.T) {
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	ctx := context.Background()
	good := mustList(t, []byte(`{"cniVersion":"1.0.0","name":"e","plugins":[{"type":"absent"}]}`))
	bad := mustList(t, []byte(`{"cniVersion":"1.0.0","name":"bad name!","plugins":[{"type":"testplug"}]}`))
	cases := []struct {
		list *libcni.NetworkConfigList
		rt   *libcni.RuntimeConf
		want types.Error
	}{
		{good, &libcni.RuntimeConf{IfName: "eth0"}, types.Error{Code: types.ErrUnknownContainer, Msg: "missing containerID"}},
		{good, &libcni.RuntimeConf{ContainerID: "c"}, types.Error{Code: types.ErrInvalidEnvironmentVariables, Msg: "interface name is empty"}},
		{good, &libcni.RuntimeConf{ContainerID: "c", IfName: "a/b"}, types.Error{Code: types.ErrInvalidEnvironmentVariables, Msg: "interface name contains / or : or whitespace characters"}},
		{bad, newRT("c"), types.Error{Code: types.ErrInvalidNetworkConfig, Msg: "invalid characters found in network name", Details: "bad name!"}},
	}
	for _, c := range cases {
		_, add := cfg.AddNetworkList(ctx, c.list, c.rt)
		for verb, err := range map[string]error{"ADD": add, "CHECK": cfg.CheckNetworkList(ctx, c.list, c.rt), "DEL": cfg.DelNetworkList(ctx, c.list, c.rt)} {
			var te *types.Error
			if !errors.As(err, &te) || *te != c.want {
				t.Errorf("%s %+v: %#v, want %#v", verb, c.rt, err, c.want)
			}
		}
	}
}

// portMapping is a capability value as runtimes pass it: a Go struct,
// whose field order upstream keeps in what plugins are sent.
type portMapping struct {
	HostPort      int    `json:"hostPort"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
	HostIP        string `json:"hostIP,omitempty"`
}

// What each plugin of a chain is sent, byte for byte, by this package and
// by upstream: prevResult, runtimeConfig (a struct value included), name
// and cniVersion injected into its own bytes.
func TestDifferentialPluginStdin(t *testing.T) {
	record := filepath.Join(t.TempDir(), "record.json")
	text := fmt.Sprintf(`{"cniVersion":"1.1.0","name":"snet","plugins":[`+
		`{"type":"testplug","z":1.50,"a":"<&>"},`+
		`{"type":"testplug2","capabilities":{"portMappings":true,"mac":true},"debug":{"record":%q,"chainResult":true}}]}`, record)
	list, ulist := mustList(t, []byte(text)), mustUpList(t, []byte(text))
	cache := t.TempDir()
	ours := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	theirs := uplibcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	rt := &libcni.RuntimeConf{ContainerID: "s1", NetNS: "/var/run/netns/s", IfName: "eth0", CapabilityArgs: map[string]interface{}{
		"portMappings": []portMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}},
		"mac":          "00:11:22:33:44:55",
		"unused":       map[string]int{"x": 1},
	}}
	stdinOf := func() string {
		t.Helper()
		b, err := os.ReadFile(record)
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Stdin string `json:"stdin"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r.Stdin
	}
	for _, verb := range []string{"ADD", "CHECK", "DEL"} {
		var err, uerr error
		switch verb {
		case "ADD":
			_, err = ours.AddNetworkList(context.Background(), list, rt)
		case "CHECK":
			err = ours.CheckNetworkList(context.Background(), list, rt)
		case "DEL":
			err = ours.DelNetworkList(context.Background(), list, rt)
		}
		if err != nil {
			t.Fatalf("%s: %v", verb, err)
		}
		got := stdinOf()
		urt := upRT(rt)
		urt.ContainerID = "s2"
		switch verb {
		case "ADD":
			_, uerr = theirs.AddNetworkList(context.Background(), ulist, urt)
		case "CHECK":
			uerr = theirs.CheckNetworkList(context.Background(), ulist, urt)
		case "DEL":
			uerr = theirs.DelNetworkList(context.Background(), ulist, urt)
		}
		if uerr != nil {
			t.Fatalf("upstream %s: %v", verb, uerr)
		}
		if want := stdinOf(); got != want {
			t.Errorf("%s: the second plugin was sent\n %s\nupstream sends\n %s", verb, got, want)
		}
	}
}
