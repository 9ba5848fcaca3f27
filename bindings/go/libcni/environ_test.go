package libcni_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	uplibcni "github.com/containernetworking/cni/libcni"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/testenv"
	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

// Every plugin of a list inherits Go's environment, as upstream's os/exec
// passes it: a variable set with os.Setenv reaches each plugin, and one
// that only C's environment holds (set by C code behind Go's back) reaches
// none, with this package as with upstream.
func TestEveryPluginInheritsGosEnvironmentNotCs(t *testing.T) {
	unset := testenv.SetenvCOnly("CNIINVOKE_C_ONLY", "1")
	defer unset()
	t.Setenv("CNIINVOKE_GO_SET", "2")
	dir := t.TempDir()
	records := []string{filepath.Join(dir, "first.json"), filepath.Join(dir, "second.json")}
	text := fmt.Sprintf(`{"cniVersion":"1.0.0","name":"enet","plugins":[`+
		`{"type":"testplug","debug":{"record":%q,"chainResult":true}},`+
		`{"type":"testplug2","debug":{"record":%q,"chainResult":true}}]}`, records[0], records[1])
	list, ulist := mustList(t, []byte(text)), mustUpList(t, []byte(text))
	ours := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	theirs := uplibcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	rt := &libcni.RuntimeConf{ContainerID: "e1", NetNS: "/var/run/netns/e", IfName: "eth0"}
	seen := func(who string) {
		t.Helper()
		for _, rec := range records {
			b, err := os.ReadFile(rec)
			if err != nil {
				t.Fatal(err)
			}
			var r struct {
				Env map[string]string `json:"env"`
			}
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			if _, ok := r.Env["CNIINVOKE_C_ONLY"]; ok {
				t.Errorf("%s: %s got the variable set in C alone", who, rec)
			}
			if r.Env["CNIINVOKE_GO_SET"] != "2" || r.Env["CNI_COMMAND"] != "ADD" {
				t.Errorf("%s: %s got %v", who, rec, r.Env)
			}
			os.Remove(rec)
		}
	}
	if _, err := theirs.AddNetworkList(context.Background(), ulist, upRT(rt)); err != nil {
		t.Fatal(err)
	}
	seen("upstream")
	if _, err := ours.AddNetworkList(context.Background(), list, rt); err != nil {
		t.Fatal(err)
	}
	seen("ours")
}
