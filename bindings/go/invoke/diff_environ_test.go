package invoke_test

// Differential tests for the raw ExecPlugin of RawExec/DefaultExec (called
// directly and through a Go Exec embedding it) and for CNIArgs types other
// than Args: the plugin must see the same environment and stdin, and the
// caller the same stdout and errors, as with upstream v1.3.0.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	upinvoke "github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/testenv"
	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
)

// seen is what the test plugin recorded ("record" key).
type seen struct {
	Command  *string  `json:"command"`
	Stdin    *string  `json:"stdin"`
	StdinLen *int     `json:"stdinLen"`
	EnvList  []string `json:"envList"`
}

func readSeen(t *testing.T, path string) seen {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("plugin record: %v", err)
	}
	var s seen
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("plugin record %s: %v", b, err)
	}
	os.Remove(path)
	return s
}

// withRecord is script plus a "record" into a fresh file.
func withRecord(t *testing.T, script map[string]any) (map[string]any, string) {
	rec := filepath.Join(t.TempDir(), "record.json")
	s := map[string]any{"record": rec}
	for k, v := range script {
		s[k] = v
	}
	return s, rec
}

func compareSeen(t *testing.T, name string, up, ours seen) {
	t.Helper()
	if mustJSON(t, up) != mustJSON(t, ours) {
		t.Errorf("%s: the plugin saw\nupstream %s\n    ours %s", name, mustJSON(t, up), mustJSON(t, ours))
	}
}

// environs are the environments ExecPlugin is given: exact, with
// duplicates (os/exec keeps the last), entries without "=" and empty
// entries, and an empty one.
func environs(debug string) map[string][]string {
	return map[string][]string{
		"minimal": {"CNI_COMMAND=ADD", "CNI_ARGS=DEBUG=" + debug},
		"duplicates": {"DUP=1", "CNI_COMMAND=DEL", "CNI_ARGS=DEBUG=" + debug, "NOEQUALS", "", "DUP=2",
			"CNI_COMMAND=ADD", "EMPTY="},
		"process env plus": append(os.Environ(), "CNI_COMMAND=CHECK", "CNI_ARGS=DEBUG="+debug, "EXTRA=x"),
	}
}

func TestDifferentialRawExecExecPlugin(t *testing.T) {
	ctx := context.Background()
	stdin := []byte("stdin \x00 bytes \xff")
	for _, sc := range resultScenarios() {
		script, rec := withRecord(t, sc.script)
		debug := debugFile(t, script)
		for envName, env := range environs(debug) {
			name := sc.name + " / " + envName
			var upErr, ourErr bytes.Buffer
			o1, e1 := (&upinvoke.RawExec{Stderr: &upErr}).ExecPlugin(ctx, pluginPath, stdin, env)
			s1 := readSeen(t, rec)
			o2, e2 := (&invoke.RawExec{Stderr: &ourErr}).ExecPlugin(ctx, pluginPath, stdin, env)
			s2 := readSeen(t, rec)
			compareSeen(t, name, s1, s2)
			compare(t, sc.name, outcomeOf(nil, e1, upErr.String()), outcomeOf(nil, e2, ourErr.String()))
			if !bytes.Equal(o1, o2) || (o1 == nil) != (o2 == nil) {
				t.Errorf("%s: stdout\nupstream %q\n    ours %q", name, o1, o2)
			}
		}
	}

	// nil environ inherits this process's environment; DefaultExec too.
	script, rec := withRecord(t, map[string]any{"stdout": "inherited"})
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, script))
	t.Setenv("CNI_COMMAND", "VERSION")
	o1, e1 := (&upinvoke.DefaultExec{RawExec: &upinvoke.RawExec{}}).ExecPlugin(ctx, pluginPath, nil, nil)
	s1 := readSeen(t, rec)
	o2, e2 := (&invoke.DefaultExec{RawExec: &invoke.RawExec{}}).ExecPlugin(ctx, pluginPath, nil, nil)
	s2 := readSeen(t, rec)
	compareSeen(t, "inherit", s1, s2)
	compare(t, "inherit", outcomeOf(nil, e1, ""), outcomeOf(nil, e2, ""))
	if string(o1) != "inherited" || string(o2) != "inherited" {
		t.Errorf("inherit: stdout %q / %q", o1, o2)
	}

	// A NUL in the environment fails the run as os/exec makes it fail.
	bad := []string{"A=1", "B=\x00"}
	_, e1 = (&upinvoke.RawExec{}).ExecPlugin(ctx, pluginPath, nil, bad)
	_, e2 = (&invoke.RawExec{}).ExecPlugin(ctx, pluginPath, nil, bad)
	compare(t, "NUL in environ", outcomeOf(nil, e1, ""), outcomeOf(nil, e2, ""))
}

// embeddingExec is a user Exec built on the process exec, the way
// upstream users wrap it (e.g. to log or count calls).
type embeddingExec struct {
	*invoke.RawExec
	version.PluginDecoder
	calls int
}

type upEmbeddingExec struct {
	*upinvoke.RawExec
	version.PluginDecoder
	calls int
}

func TestDifferentialEmbeddedRawExec(t *testing.T) {
	ctx := context.Background()
	for _, sc := range resultScenarios() {
		script, rec := withRecord(t, sc.script)
		debug := debugFile(t, script)
		var upErr, ourErr bytes.Buffer
		ue := &upEmbeddingExec{RawExec: &upinvoke.RawExec{Stderr: &upErr}}
		oe := &embeddingExec{RawExec: &invoke.RawExec{Stderr: &ourErr}}
		a := addArgs(debug)
		upArgs := &upinvoke.Args{Command: a.Command, ContainerID: a.ContainerID, NetNS: a.NetNS,
			IfName: a.IfName, Path: a.Path, PluginArgs: a.PluginArgs}
		r1, e1 := upinvoke.ExecPluginWithResult(ctx, pluginPath, sc.conf, upArgs, ue)
		s1 := readSeen(t, rec)
		r2, e2 := invoke.ExecPluginWithResult(ctx, pluginPath, sc.conf, a, oe)
		s2 := readSeen(t, rec)
		compare(t, sc.name, outcomeOf(r1, e1, upErr.String()), outcomeOf(r2, e2, ourErr.String()))
		// Args.AsEnv order differs by design (README); compare as sets.
		s1.EnvList, s2.EnvList = sortedEnv(s1.EnvList), sortedEnv(s2.EnvList)
		compareSeen(t, sc.name+" (embedded)", s1, s2)
	}
	// GetVersionInfo through the embedding exec, with its own decoder.
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, map[string]any{"result": map[string]any{
		"cniVersion": "1.0.0", "supportedVersions": []string{"0.4.0", "1.0.0"}}}))
	i1, e1 := upinvoke.GetVersionInfo(ctx, pluginPath, &upEmbeddingExec{RawExec: &upinvoke.RawExec{}})
	i2, e2 := invoke.GetVersionInfo(ctx, pluginPath, &embeddingExec{RawExec: &invoke.RawExec{}})
	compare(t, "embedded VERSION", outcomeOf(i1, e1, ""), outcomeOf(i2, e2, ""))
}

func sortedEnv(env []string) []string {
	out := append([]string(nil), env...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// envArgs is a CNIArgs of the user's own: any environment at all.
type envArgs struct{ env []string }

func (a envArgs) AsEnv() []string { return a.env }

type upEnvArgs struct{ env []string }

func (a upEnvArgs) AsEnv() []string { return a.env }

func TestDifferentialCustomCNIArgs(t *testing.T) {
	ctx := context.Background()
	for _, sc := range []scenario{
		{name: "result", script: map[string]any{"result": result110}, conf: conf("1.1.0")},
		{name: "error", script: map[string]any{"error": map[string]any{"code": 7, "msg": "boom", "details": "d"}}, conf: conf("1.0.0")},
	} {
		script, rec := withRecord(t, sc.script)
		debug := debugFile(t, script)
		for envName, env := range environs(debug) {
			name := sc.name + " / " + envName
			var upErr, ourErr bytes.Buffer
			upExec := &upinvoke.DefaultExec{RawExec: &upinvoke.RawExec{Stderr: &upErr}}
			ourExec := &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: &ourErr}}
			r1, e1 := upinvoke.ExecPluginWithResult(ctx, pluginPath, sc.conf, upEnvArgs{env}, upExec)
			s1 := readSeen(t, rec)
			r2, e2 := invoke.ExecPluginWithResult(ctx, pluginPath, sc.conf, envArgs{env}, ourExec)
			s2 := readSeen(t, rec)
			compare(t, name, outcomeOf(r1, e1, upErr.String()), outcomeOf(r2, e2, ourErr.String()))
			compareSeen(t, name, s1, s2)

			// The default exec (nil) and ExecPluginWithoutResult too.
			e1 = upinvoke.ExecPluginWithoutResult(ctx, pluginPath, sc.conf, upEnvArgs{env}, nil)
			s1 = readSeen(t, rec)
			e2 = invoke.ExecPluginWithoutResult(ctx, pluginPath, sc.conf, envArgs{env}, nil)
			s2 = readSeen(t, rec)
			compare(t, name+" without result", outcomeOf(nil, e1, ""), outcomeOf(nil, e2, ""))
			compareSeen(t, name+" without result", s1, s2)

			// A Go Exec gets AsEnv() exactly as the CNIArgs returned it.
			fu, fo := newFake(), newFake()
			fu.ExecPluginCall.Returns.ResultBytes = []byte(`{"cniVersion":"1.0.0"}`)
			fo.ExecPluginCall.Returns.ResultBytes = []byte(`{"cniVersion":"1.0.0"}`)
			_, e1 = upinvoke.ExecPluginWithResult(ctx, "/p", conf("1.0.0"), upEnvArgs{env}, fu)
			_, e2 = invoke.ExecPluginWithResult(ctx, "/p", conf("1.0.0"), envArgs{env}, fo)
			compare(t, name+" fake", outcomeOf(nil, e1, ""), outcomeOf(nil, e2, ""))
			if mustJSON(t, fu.ExecPluginCall.Received.Environ) != mustJSON(t, fo.ExecPluginCall.Received.Environ) {
				t.Errorf("%s: fake received environ\nupstream %q\n    ours %q", name,
					fu.ExecPluginCall.Received.Environ, fo.ExecPluginCall.Received.Environ)
			}
		}
	}

	// nil AsEnv() inherits the environment; an empty one is empty.
	script, rec := withRecord(t, map[string]any{"result": result110})
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, script))
	t.Setenv("CNI_COMMAND", "ADD")
	for _, env := range [][]string{nil, {}} {
		r1, e1 := upinvoke.ExecPluginWithResult(ctx, pluginPath, conf("1.1.0"), upEnvArgs{env}, nil)
		var s1 seen
		if _, err := os.Stat(rec); err == nil {
			s1 = readSeen(t, rec)
		}
		r2, e2 := invoke.ExecPluginWithResult(ctx, pluginPath, conf("1.1.0"), envArgs{env}, nil)
		var s2 seen
		if _, err := os.Stat(rec); err == nil {
			s2 = readSeen(t, rec)
		}
		name := "nil AsEnv"
		if env != nil {
			name = "empty AsEnv"
		}
		compare(t, name, outcomeOf(r1, e1, ""), outcomeOf(r2, e2, ""))
		compareSeen(t, name, s1, s2)
	}
}

// A variable that only C's environment holds (set by C code behind Go's
// back) does not reach the plugin, and one set with os.Setenv does: the
// plugin inherits Go's environment, as upstream's os/exec passes it, read
// under Go's lock instead of from C's environ.
func TestDifferentialInheritsGosEnvironmentNotCs(t *testing.T) {
	ctx := context.Background()
	unset := testenv.SetenvCOnly("CNIINVOKE_C_ONLY", "1")
	defer unset()
	if _, ok := os.LookupEnv("CNIINVOKE_C_ONLY"); ok {
		t.Fatal("Go sees the variable set in C alone")
	}
	t.Setenv("CNIINVOKE_GO_SET", "2")
	script, rec := withRecord(t, map[string]any{"stdout": "inherited"})
	debug := debugFile(t, script)
	a := addArgs(debug)
	upArgs := &upinvoke.Args{Command: a.Command, ContainerID: a.ContainerID, NetNS: a.NetNS,
		IfName: a.IfName, Path: a.Path, PluginArgs: a.PluginArgs}
	conf := []byte(`{"cniVersion":"1.0.0","name":"n","type":"t"}`)
	e1 := upinvoke.ExecPluginWithoutResult(ctx, pluginPath, conf, upArgs, nil)
	s1 := readSeen(t, rec)
	e2 := invoke.ExecPluginWithoutResult(ctx, pluginPath, conf, a, nil)
	s2 := readSeen(t, rec)
	// Upstream's AsEnv dedups through a map: its order is random.
	sort.Strings(s1.EnvList)
	sort.Strings(s2.EnvList)
	compareSeen(t, "Args", s1, s2)
	compare(t, "Args", outcomeOf(nil, e1, ""), outcomeOf(nil, e2, ""))
	for _, kv := range s2.EnvList {
		if kv == "CNIINVOKE_C_ONLY=1" {
			t.Errorf("the plugin got C's variable: %q", s2.EnvList)
		}
	}
	if !contains(s2.EnvList, "CNIINVOKE_GO_SET=2") {
		t.Errorf("the plugin lacks os.Setenv's variable: %q", s2.EnvList)
	}

	// Inherited unchanged (nil environ), through RawExec.
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debug)
	_, e1 = (&upinvoke.RawExec{}).ExecPlugin(ctx, pluginPath, nil, nil)
	s1 = readSeen(t, rec)
	_, e2 = (&invoke.RawExec{}).ExecPlugin(ctx, pluginPath, nil, nil)
	s2 = readSeen(t, rec)
	compareSeen(t, "inherit", s1, s2)
	compare(t, "inherit", outcomeOf(nil, e1, ""), outcomeOf(nil, e2, ""))
}

func contains(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}
