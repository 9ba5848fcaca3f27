package invoke_test

// Differential tests: the same scenarios through upstream v1.3.0's invoke
// and through ours, in one run, comparing result JSON, error texts and
// error types.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	upinvoke "github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/invoke/fakes"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
)

// outcome is what a call did, in comparable form.
type outcome struct {
	Result  string // result / plugin info JSON
	ErrType string
	Err     string
	Stderr  string
}

func outcomeOf(result any, err error, stderr string) outcome {
	o := outcome{Stderr: stderr}
	switch r := result.(type) {
	case types.Result:
		if r != nil {
			o.Result = mustJSONOrErr(r)
		}
	case version.PluginInfo:
		if r != nil {
			var b bytes.Buffer
			_ = r.Encode(&b)
			o.Result = b.String()
		}
	}
	if err != nil {
		o.Err = err.Error()
		var terr *types.Error
		if errors.As(err, &terr) {
			o.ErrType = fmt.Sprintf("*types.Error code=%d msg=%q details=%q", terr.Code, terr.Msg, terr.Details)
		} else {
			o.ErrType = "error"
		}
	}
	return o
}

func mustJSONOrErr(v any) string {
	b, err := jsonMarshal(v)
	if err != nil {
		return "marshal error: " + err.Error()
	}
	return string(b)
}

type scenario struct {
	name   string
	script map[string]any // nil: no debug file
	conf   []byte
}

func resultScenarios() []scenario {
	s := []scenario{}
	for _, v := range versions {
		s = append(s, scenario{name: "default ADD " + v, conf: conf(v)})
	}
	return append(s,
		scenario{"1.1.0 fields", map[string]any{"result": result110}, conf("1.1.0")},
		scenario{"1.1.0 result, 0.4.0 config", map[string]any{"result": result110}, conf("0.4.0")},
		scenario{"no cniVersion", map[string]any{"result": map[string]any{"ips": []any{map[string]any{"address": "10.0.0.2/24", "gateway": "10.0.0.1"}}}}, conf("0.3.1")},
		scenario{"empty cniVersion", map[string]any{"result": map[string]any{"cniVersion": "", "dns": map[string]any{"nameservers": []any{"1.1.1.1"}}}}, conf("1.0.0")},
		scenario{"0.2.0 result", map[string]any{"result": map[string]any{"cniVersion": "0.2.0", "ip4": map[string]any{"ip": "10.0.0.2/24", "gateway": "10.0.0.1"}}}, conf("0.2.0")},
		scenario{"0.4.0 result with interfaces", map[string]any{"result": map[string]any{"cniVersion": "0.4.0",
			"interfaces": []any{map[string]any{"name": "eth0", "sandbox": "/ns"}},
			"ips":        []any{map[string]any{"version": "4", "address": "10.0.0.2/24", "interface": 0}}}}, conf("0.4.0")},
		scenario{"unsupported result version", map[string]any{"result": map[string]any{"cniVersion": "9.9.9"}}, conf("1.0.0")},
		scenario{"stdout null", map[string]any{"stdout": "null"}, conf("1.0.0")},
		scenario{"stdout empty", map[string]any{"stdout": ""}, conf("1.0.0")},
		scenario{"stdout not json", map[string]any{"stdout": "hello"}, conf("1.0.0")},
		scenario{"stdout array", map[string]any{"stdout": "[1]"}, conf("1.0.0")},
		scenario{"malformed config", map[string]any{"result": result110}, []byte(`{"cniVersion":`)},
		scenario{"config without version", map[string]any{"result": map[string]any{"ips": []any{}}}, []byte(`{"name":"n"}`)},
		scenario{"plugin error", map[string]any{"error": map[string]any{"code": 7, "msg": "boom", "details": "it broke"}}, conf("1.0.0")},
		scenario{"plugin error, exit 0", map[string]any{"error": map[string]any{"code": 11, "msg": "again"}, "exitCode": 0}, conf("1.0.0")},
		scenario{"stderr and exit 1", map[string]any{"stderr": "it hurts", "exitCode": 1}, conf("1.0.0")},
		scenario{"exit 2, no output", map[string]any{"exitCode": 2}, conf("1.0.0")},
		scenario{"killed by signal", map[string]any{"signal": 9}, conf("1.0.0")},
		scenario{"garbage and exit 1", map[string]any{"stdout": "{nope", "exitCode": 1}, conf("1.0.0")},
		scenario{"stderr on success", map[string]any{"stderr": "note\n", "result": result110}, conf("1.1.0")},
	)
}

func compare(t *testing.T, name string, up, ours outcome) {
	t.Helper()
	if strings.HasPrefix(up.Result, "{") && strings.HasPrefix(ours.Result, "{") && jsonEqual(t, up.Result, ours.Result) {
		ours.Result = up.Result
	}
	if up != ours {
		t.Errorf("%s:\nupstream %+v\n    ours %+v", name, up, ours)
	}
}

func TestDifferentialExecPlugin(t *testing.T) {
	ctx := context.Background()
	for _, sc := range resultScenarios() {
		debug := ""
		if sc.script != nil {
			debug = debugFile(t, sc.script)
		}
		var upErr, ourErr bytes.Buffer
		upExec := &upinvoke.DefaultExec{RawExec: &upinvoke.RawExec{Stderr: &upErr}}
		ourExec := &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: &ourErr}}
		a := addArgs(debug)
		upArgs := &upinvoke.Args{Command: a.Command, ContainerID: a.ContainerID, NetNS: a.NetNS,
			IfName: a.IfName, Path: a.Path, PluginArgs: a.PluginArgs}

		r1, e1 := upinvoke.ExecPluginWithResult(ctx, pluginPath, sc.conf, upArgs, upExec)
		r2, e2 := invoke.ExecPluginWithResult(ctx, pluginPath, sc.conf, a, ourExec)
		compare(t, sc.name, outcomeOf(r1, e1, upErr.String()), outcomeOf(r2, e2, ourErr.String()))

		upErr.Reset()
		ourErr.Reset()
		e1 = upinvoke.ExecPluginWithoutResult(ctx, pluginPath, sc.conf, upArgs, upExec)
		e2 = invoke.ExecPluginWithoutResult(ctx, pluginPath, sc.conf, a, ourExec)
		compare(t, sc.name, outcomeOf(nil, e1, upErr.String()), outcomeOf(nil, e2, ourErr.String()))
	}
}

func TestDifferentialGetVersionInfo(t *testing.T) {
	ctx := context.Background()
	for _, sc := range []scenario{
		{name: "default VERSION"},
		{name: "unknown VERSION", script: map[string]any{"error": map[string]any{"code": 4, "msg": "unknown CNI_COMMAND: VERSION"}}},
		{name: "0.2.0 report", script: map[string]any{"result": map[string]any{"cniVersion": "0.2.0"}}},
		{name: "no supportedVersions", script: map[string]any{"result": map[string]any{"cniVersion": "0.4.0"}}},
		{name: "no cniVersion", script: map[string]any{"result": map[string]any{"supportedVersions": []string{"1.0.0"}}}},
		{name: "report", script: map[string]any{"result": map[string]any{"cniVersion": "0.3.1", "supportedVersions": []string{"0.3.0", "0.3.1"}}}},
		{name: "garbage", script: map[string]any{"stdout": "nope"}},
		{name: "other error", script: map[string]any{"error": map[string]any{"code": 4, "msg": "unknown CNI_COMMAND: VERSIONS"}}},
	} {
		if sc.script != nil {
			t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, sc.script))
		} else {
			os.Unsetenv("CNI_TEST_PLUGIN_DEBUG")
		}
		i1, e1 := upinvoke.GetVersionInfo(ctx, pluginPath, nil)
		i2, e2 := invoke.GetVersionInfo(ctx, pluginPath, nil)
		compare(t, sc.name, outcomeOf(i1, e1, ""), outcomeOf(i2, e2, ""))
	}
}

func TestDifferentialFindInPath(t *testing.T) {
	empty := t.TempDir()
	for _, c := range []struct {
		plugin string
		paths  []string
	}{
		{"testplug", []string{empty, pluginDir}},
		{"", []string{pluginDir}},
		{"a/b", nil},
		{"testplug", nil},
		{"testplug", []string{}},
		{"nope", []string{empty, pluginDir, "rel/dir"}},
		{"testplug", []string{pluginDir + "/"}},
	} {
		p1, e1 := upinvoke.FindInPath(c.plugin, c.paths)
		p2, e2 := invoke.FindInPath(c.plugin, c.paths)
		compare(t, fmt.Sprintf("FindInPath(%q, %q)", c.plugin, c.paths),
			outcome{Result: p1, Err: errText(e1)}, outcome{Result: p2, Err: errText(e2)})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestDifferentialDelegate(t *testing.T) {
	ctx := context.Background()
	t.Setenv("CNI_PATH", pluginDir)
	for _, sc := range []scenario{
		{name: "delegate default", conf: conf("1.0.0")},
		{name: "delegate result", script: map[string]any{"result": result110}, conf: conf("1.1.0")},
		{name: "delegate error", script: map[string]any{"error": map[string]any{"code": 3, "msg": "no", "details": "d"}}, conf: conf("1.1.0")},
	} {
		if sc.script != nil {
			t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, sc.script))
		} else {
			os.Unsetenv("CNI_TEST_PLUGIN_DEBUG")
		}
		for _, plugin := range []string{"testplug", "missing"} {
			r1, e1 := upinvoke.DelegateAdd(ctx, plugin, sc.conf, nil)
			r2, e2 := invoke.DelegateAdd(ctx, plugin, sc.conf, nil)
			compare(t, sc.name+" ADD "+plugin, outcomeOf(r1, e1, ""), outcomeOf(r2, e2, ""))
			for _, v := range []struct {
				verb     string
				up, ours func(context.Context, string, []byte, upinvoke.Exec) error
			}{
				{"CHECK", upinvoke.DelegateCheck, nil},
				{"DEL", upinvoke.DelegateDel, nil},
				{"STATUS", upinvoke.DelegateStatus, nil},
				{"GC", upinvoke.DelegateGC, nil},
			} {
				e1 := v.up(ctx, plugin, sc.conf, nil)
				e2 := map[string]func(context.Context, string, []byte, invoke.Exec) error{
					"CHECK": invoke.DelegateCheck, "DEL": invoke.DelegateDel,
					"STATUS": invoke.DelegateStatus, "GC": invoke.DelegateGC,
				}[v.verb](ctx, plugin, sc.conf, nil)
				compare(t, sc.name+" "+v.verb+" "+plugin, outcomeOf(nil, e1, ""), outcomeOf(nil, e2, ""))
			}
		}
	}
}

// TestDifferentialFakes runs upstream's fakes through both packages.
func TestDifferentialFakes(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		stdout string
		err    error
	}{
		{"fake result", `{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.9/24"}]}`, nil},
		{"fake result without version", `{"dns":{"domain":"x"}}`, nil},
		{"fake null", `null`, nil},
		{"fake garbage", `{`, nil},
		{"fake error", "", errors.New("fake failure")},
		{"fake CNI error", "", &types.Error{Code: 5, Msg: "m", Details: "d"}},
	} {
		mk := func() *fakeExec {
			f := newFake()
			f.ExecPluginCall.Returns.ResultBytes = []byte(c.stdout)
			f.ExecPluginCall.Returns.Error = c.err
			f.FindInPathCall.Returns.Path = "/x/fake"
			f.DecodeCall.Returns.PluginInfo = version.PluginSupports("0.4.0")
			return f
		}
		fu, fo := mk(), mk()
		fargs := &fakes.CNIArgs{}
		fargs.AsEnvCall.Returns.Env = []string{"A=1"}
		r1, e1 := upinvoke.ExecPluginWithResult(ctx, "/p", conf("0.4.0"), fargs, fu)
		r2, e2 := invoke.ExecPluginWithResult(ctx, "/p", conf("0.4.0"), fargs, fo)
		compare(t, c.name, outcomeOf(r1, e1, ""), outcomeOf(r2, e2, ""))
		if fmt.Sprint(fu.ExecPluginCall.Received) != fmt.Sprint(fo.ExecPluginCall.Received) {
			t.Errorf("%s: fake received\nupstream %+v\n    ours %+v", c.name, fu.ExecPluginCall.Received, fo.ExecPluginCall.Received)
		}
		i1, e1 := upinvoke.GetVersionInfo(ctx, "/p", fu)
		i2, e2 := invoke.GetVersionInfo(ctx, "/p", fo)
		compare(t, c.name+" version", outcomeOf(i1, e1, ""), outcomeOf(i2, e2, ""))
		t.Setenv("CNI_PATH", "/x:/y")
		e1 = upinvoke.DelegateDel(ctx, "fake", conf("1.0.0"), fu)
		e2 = invoke.DelegateDel(ctx, "fake", conf("1.0.0"), fo)
		compare(t, c.name+" delegate", outcomeOf(nil, e1, ""), outcomeOf(nil, e2, ""))
		if fmt.Sprint(fu.FindInPathCall.Received) != fmt.Sprint(fo.FindInPathCall.Received) {
			t.Errorf("%s: find received\nupstream %+v\n    ours %+v", c.name, fu.FindInPathCall.Received, fo.FindInPathCall.Received)
		}
	}
}
