package invoke_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/cni/pkg/invoke/fakes"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
)

func addArgs(debug string) *invoke.Args {
	a := &invoke.Args{Command: "ADD", ContainerID: "c1", NetNS: "/var/run/netns/x", IfName: "eth0", Path: pluginDir}
	if debug != "" {
		a.PluginArgs = [][2]string{{"DEBUG", debug}}
	}
	return a
}

func TestExecutableFileExtensions(t *testing.T) {
	if !reflect.DeepEqual(invoke.ExecutableFileExtensions, []string{""}) {
		t.Fatalf("ExecutableFileExtensions = %q", invoke.ExecutableFileExtensions)
	}
}

func TestFindInPath(t *testing.T) {
	empty := t.TempDir()
	got, err := invoke.FindInPath("testplug", []string{empty, pluginDir})
	if err != nil || got != filepath.Join(pluginDir, "testplug") {
		t.Fatalf("FindInPath = %q, %v", got, err)
	}
	got, err = (&invoke.RawExec{}).FindInPath("testplug", []string{pluginDir})
	if err != nil || got != filepath.Join(pluginDir, "testplug") {
		t.Fatalf("RawExec.FindInPath = %q, %v", got, err)
	}
	for _, c := range []struct {
		plugin string
		paths  []string
		want   string
	}{
		{"", []string{pluginDir}, "no plugin name provided"},
		{"a/b", []string{pluginDir}, "invalid plugin name: a/b"},
		{"testplug", nil, "no paths provided"},
		{"nope", []string{empty, "/x y"}, `failed to find plugin "nope" in path [` + empty + ` /x y]`},
		{"a\x00b", []string{empty}, `failed to find plugin "a\x00b" in path [` + empty + `]`},
	} {
		if _, err := invoke.FindInPath(c.plugin, c.paths); err == nil || err.Error() != c.want {
			t.Errorf("FindInPath(%q, %q) error = %v, want %q", c.plugin, c.paths, err, c.want)
		}
	}
}

func TestExecPluginWithResultEveryVersion(t *testing.T) {
	for _, v := range versions {
		r, err := invoke.ExecPluginWithResult(context.Background(), pluginPath, conf(v), addArgs(""), nil)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if r.Version() != v {
			t.Errorf("result version %q, want %q", r.Version(), v)
		}
	}
}

func TestExecPluginWithResultFields(t *testing.T) {
	debug := debugFile(t, map[string]any{"result": result110})
	r, err := invoke.ExecPluginWithResult(context.Background(), pluginPath, conf("1.1.0"), addArgs(debug), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mustJSON(t, r), mustJSON(t, result110); !jsonEqual(t, got, want) {
		t.Errorf("result\n got %s\nwant %s", got, want)
	}
}

func TestResultWithoutVersionTakesTheConfigs(t *testing.T) {
	debug := debugFile(t, map[string]any{"result": map[string]any{"ips": []any{map[string]any{"address": "10.0.0.2/24"}}}})
	r, err := invoke.ExecPluginWithResult(context.Background(), pluginPath, conf("0.4.0"), addArgs(debug), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version() != "0.4.0" {
		t.Errorf("version %q", r.Version())
	}
}

func TestPluginError(t *testing.T) {
	debug := debugFile(t, map[string]any{"error": map[string]any{"code": 7, "msg": "boom", "details": "it broke"}})
	for name, call := range map[string]func() error{
		"with result": func() error {
			_, err := invoke.ExecPluginWithResult(context.Background(), pluginPath, conf("1.0.0"), addArgs(debug), nil)
			return err
		},
		"without result": func() error {
			return invoke.ExecPluginWithoutResult(context.Background(), pluginPath, conf("1.0.0"), addArgs(debug), nil)
		},
	} {
		err := call()
		var terr *types.Error
		if !errors.As(err, &terr) {
			t.Fatalf("%s: error %T %v, want *types.Error", name, err, err)
		}
		if terr.Code != 7 || terr.Msg != "boom" || terr.Details != "it broke" || err.Error() != "boom; it broke" {
			t.Errorf("%s: error %+v", name, terr)
		}
	}
}

func TestPluginFailureTexts(t *testing.T) {
	for _, c := range []struct {
		script map[string]any
		want   string
	}{
		// Upstream v1.3.0's text: the exit status is not in the message.
		{map[string]any{"stderr": "oops", "exitCode": 3}, `netplugin failed: "oops"`},
		{map[string]any{"exitCode": 3}, "netplugin failed with no error message: exit status 3"},
		{map[string]any{"signal": 9}, "netplugin failed with no error message: signal: killed"},
		{map[string]any{"stdout": "garbage", "exitCode": 1},
			`netplugin failed but error parsing its diagnostic message "garbage": invalid character 'g' looking for beginning of value`},
	} {
		err := invoke.ExecPluginWithoutResult(context.Background(), pluginPath, conf("1.0.0"), addArgs(debugFile(t, c.script)), nil)
		var terr *types.Error
		if !errors.As(err, &terr) || err.Error() != c.want {
			t.Errorf("%v: error %T %q, want *types.Error %q", c.script, err, err, c.want)
		}
	}
}

func TestStderrReachesTheWriter(t *testing.T) {
	var buf bytes.Buffer
	exec := &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: &buf}}
	ok := debugFile(t, map[string]any{"stderr": "hello from the plugin\n"})
	if err := invoke.ExecPluginWithoutResult(context.Background(), pluginPath, conf("1.0.0"), addArgs(ok), exec); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "hello from the plugin\n" {
		t.Errorf("stderr writer got %q", buf.String())
	}
	buf.Reset()
	failed := debugFile(t, map[string]any{"stderr": "bad", "exitCode": 1})
	if err := invoke.ExecPluginWithoutResult(context.Background(), pluginPath, conf("1.0.0"), addArgs(failed), exec); err == nil {
		t.Fatal("no error")
	}
	if buf.Len() != 0 {
		t.Errorf("a failed plugin's stderr reached the writer: %q", buf.String())
	}
	// RawExec{} (no writer) drops it.
	quiet := &invoke.DefaultExec{RawExec: &invoke.RawExec{}}
	if err := invoke.ExecPluginWithoutResult(context.Background(), pluginPath, conf("1.0.0"), addArgs(ok), quiet); err != nil {
		t.Fatal(err)
	}
}

func TestGetVersionInfo(t *testing.T) {
	info, err := invoke.GetVersionInfo(context.Background(), pluginPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(info.SupportedVersions(), versions) {
		t.Errorf("supported %q", info.SupportedVersions())
	}
	// A plugin that does not know VERSION supports 0.1.0.
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, map[string]any{
		"commands": map[string]any{"VERSION": map[string]any{"error": map[string]any{"code": 4, "msg": "unknown CNI_COMMAND: VERSION"}}}}))
	info, err = invoke.GetVersionInfo(context.Background(), pluginPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(info.SupportedVersions(), []string{"0.1.0"}) {
		t.Errorf("fallback supported %q", info.SupportedVersions())
	}
	// A 0.2.0 report without supportedVersions means 0.1.0 and 0.2.0.
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, map[string]any{"result": map[string]any{"cniVersion": "0.2.0"}}))
	info, err = invoke.GetVersionInfo(context.Background(), pluginPath, nil)
	if err != nil || !reflect.DeepEqual(info.SupportedVersions(), []string{"0.1.0", "0.2.0"}) {
		t.Errorf("0.2.0 report: %v, %v", info, err)
	}
}

func TestDelegation(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	t.Setenv("CNI_PATH", t.TempDir()+string(os.PathListSeparator)+pluginDir)
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, map[string]any{"recordAppend": log, "result": result110}))
	t.Setenv("CNI_COMMAND", "DEL") // overridden by each verb
	ctx := context.Background()
	r, err := invoke.DelegateAdd(ctx, "testplug", conf("1.1.0"), nil)
	if err != nil || r.Version() != "1.1.0" {
		t.Fatalf("DelegateAdd = %v, %v", r, err)
	}
	for _, f := range []func(context.Context, string, []byte, invoke.Exec) error{
		invoke.DelegateCheck, invoke.DelegateDel, invoke.DelegateStatus, invoke.DelegateGC,
	} {
		if err := f(ctx, "testplug", conf("1.1.0"), nil); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(log)
	if string(got) != "ADD\nCHECK\nDEL\nSTATUS\nGC\n" {
		t.Errorf("commands seen: %q", got)
	}
	_, err = invoke.DelegateAdd(ctx, "nope", conf("1.1.0"), nil)
	want := `failed to find plugin "nope" in path [` + strings.Join(filepath.SplitList(os.Getenv("CNI_PATH")), " ") + `]`
	if err == nil || err.Error() != want {
		t.Errorf("DelegateAdd(nope) error %v, want %q", err, want)
	}
}

func TestCancellation(t *testing.T) {
	dir := t.TempDir()
	record, gcPid := filepath.Join(dir, "record.json"), filepath.Join(dir, "gc.pid")
	debug := debugFile(t, map[string]any{
		"record":            record,
		"grandchild":        map[string]any{"sleepMs": 20000},
		"grandchildPidFile": gcPid,
		"sleepMs":           20000,
		"result":            result110,
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once the plugin runs, its grandchild started.
	go func() {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if _, err := os.Stat(gcPid); err == nil {
				break
			}
		}
		cancel()
	}()
	start := time.Now()
	_, err := invoke.ExecPluginWithResult(ctx, pluginPath, conf("1.1.0"), addArgs(debug), nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ctx.Err()) {
		t.Fatalf("error %T %v, want context.Canceled", err, err)
	}
	if err.Error() != "netplugin cancelled: context canceled" {
		t.Errorf("text %q", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	assertEnded(t, map[string]int{"plugin": recordedPid(t, record), "grandchild": waitPidFile(t, gcPid)})
}

func TestDeadline(t *testing.T) {
	debug := debugFile(t, map[string]any{"sleepMs": 20000})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := invoke.ExecPluginWithoutResult(ctx, pluginPath, conf("1.1.0"), addArgs(debug), nil)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ctx.Err()) {
		t.Fatalf("error %T %v, want context.DeadlineExceeded", err, err)
	}
	if err.Error() != "netplugin timed out: context deadline exceeded" {
		t.Errorf("text %q", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	// Delegation and GetVersionInfo honour the context too.
	t.Setenv("CNI_PATH", pluginDir)
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debug)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	if err := invoke.DelegateDel(ctx2, "testplug", conf("1.1.0"), nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("DelegateDel: %v", err)
	}
	if _, err := invoke.GetVersionInfo(ctx2, pluginPath, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("GetVersionInfo: %v", err)
	}
}

func TestDoneContextStartsNoPlugin(t *testing.T) {
	record := filepath.Join(t.TempDir(), "record.json")
	debug := debugFile(t, map[string]any{"record": record})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := invoke.ExecPluginWithoutResult(ctx, pluginPath, conf("1.0.0"), addArgs(debug), nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(record); !os.IsNotExist(err) {
		t.Errorf("the plugin ran (%v)", err)
	}
}

// fakeExec is upstream's fakes combined into an Exec.
type fakeExec struct {
	*fakes.RawExec
	*fakes.VersionDecoder
}

func newFake() *fakeExec {
	return &fakeExec{&fakes.RawExec{}, &fakes.VersionDecoder{}}
}

func TestFakesAsExec(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.ExecPluginCall.Returns.ResultBytes = []byte(`{"ips":[{"address":"10.0.0.5/24"}]}`)
	args := addArgs("")
	r, err := invoke.ExecPluginWithResult(ctx, "/some/plugin", conf("1.0.0"), args, f)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version() != "1.0.0" || !strings.Contains(mustJSON(t, r), "10.0.0.5/24") {
		t.Errorf("result %s", mustJSON(t, r))
	}
	got := f.ExecPluginCall.Received
	if got.PluginPath != "/some/plugin" || string(got.StdinData) != string(conf("1.0.0")) {
		t.Errorf("received %q %q", got.PluginPath, got.StdinData)
	}
	want := args.AsEnv()
	slices.Sort(want)
	env := slices.Clone(got.Environ)
	slices.Sort(env)
	if !reflect.DeepEqual(env, want) {
		t.Errorf("environ\n got %q\nwant %q", env, want)
	}

	// A fake's errors come back as the very values.
	plain := errors.New("fake exec failed")
	f.ExecPluginCall.Returns.Error = plain
	if _, err := invoke.ExecPluginWithResult(ctx, "/p", conf("1.0.0"), args, f); err != plain {
		t.Errorf("error %v, want the fake's", err)
	}
	cni := &types.Error{Code: 11, Msg: "try again", Details: "later"}
	f.ExecPluginCall.Returns.Error = cni
	if err := invoke.ExecPluginWithoutResult(ctx, "/p", conf("1.0.0"), args, f); err != cni {
		t.Errorf("error %v, want the fake's", err)
	}
	f.ExecPluginCall.Returns.Error = nil

	// Any CNIArgs: the fake gets exactly its AsEnv().
	fargs := &fakes.CNIArgs{}
	fargs.AsEnvCall.Returns.Env = []string{"ONLY=this", "CNI_COMMAND=DEL"}
	if err := invoke.ExecPluginWithoutResult(ctx, "/p", conf("1.0.0"), fargs, f); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.ExecPluginCall.Received.Environ, fargs.AsEnvCall.Returns.Env) {
		t.Errorf("environ %q", f.ExecPluginCall.Received.Environ)
	}
	if err := invoke.ExecPluginWithoutResult(ctx, "/p", conf("1.0.0"), invoke.ArgsFromEnv(), f); err != nil ||
		f.ExecPluginCall.Received.Environ != nil {
		t.Errorf("ArgsFromEnv: %v, environ %q", err, f.ExecPluginCall.Received.Environ)
	}

	// Delegation asks the fake to find the plugin on CNI_PATH.
	t.Setenv("CNI_PATH", "/a:/b")
	f.FindInPathCall.Returns.Path = "/b/thing"
	f.ExecPluginCall.Returns.ResultBytes = []byte(`{"cniVersion":"0.4.0"}`)
	r, err = invoke.DelegateAdd(ctx, "thing", conf("0.4.0"), f)
	if err != nil || r.Version() != "0.4.0" {
		t.Fatalf("DelegateAdd: %v, %v", r, err)
	}
	if f.FindInPathCall.Received.Plugin != "thing" || !reflect.DeepEqual(f.FindInPathCall.Received.Paths, []string{"/a", "/b"}) ||
		f.ExecPluginCall.Received.PluginPath != "/b/thing" || !slices.Contains(f.ExecPluginCall.Received.Environ, "CNI_COMMAND=ADD") {
		t.Errorf("find %+v exec %q", f.FindInPathCall.Received, f.ExecPluginCall.Received.PluginPath)
	}
	notFound := errors.New("not here")
	f.FindInPathCall.Returns.Error = notFound
	if err := invoke.DelegateGC(ctx, "thing", conf("1.1.0"), f); err != notFound {
		t.Errorf("DelegateGC error %v", err)
	}
	f.FindInPathCall.Returns.Error = nil

	// GetVersionInfo uses the fake's Decode and returns its value.
	f.ExecPluginCall.Returns.ResultBytes = []byte(`{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}`)
	f.DecodeCall.Returns.PluginInfo = version.PluginSupports("0.3.1", "0.4.0")
	info, err := invoke.GetVersionInfo(ctx, "/p", f)
	if err != nil || info != f.DecodeCall.Returns.PluginInfo {
		t.Errorf("GetVersionInfo = %v, %v", info, err)
	}
	if string(f.DecodeCall.Received.JSONBytes) != string(f.ExecPluginCall.Returns.ResultBytes) ||
		!slices.Contains(f.ExecPluginCall.Received.Environ, "CNI_COMMAND=VERSION") {
		t.Errorf("decode got %q", f.DecodeCall.Received.JSONBytes)
	}
	f.DecodeCall.Returns.PluginInfo = nil
	if info, err := invoke.GetVersionInfo(ctx, "/p", f); info != nil || err != nil {
		t.Errorf("nil info: %v, %v", info, err)
	}
	decodeErr := errors.New("cannot decode")
	f.DecodeCall.Returns.Error = decodeErr
	if _, err := invoke.GetVersionInfo(ctx, "/p", f); err != decodeErr {
		t.Errorf("decode error %v", err)
	}
	f.ExecPluginCall.Returns.Error = errors.New("unknown CNI_COMMAND: VERSION")
	info, err = invoke.GetVersionInfo(ctx, "/p", f)
	if err != nil || !reflect.DeepEqual(info.SupportedVersions(), []string{"0.1.0"}) {
		t.Errorf("fallback: %v, %v", info, err)
	}
}

// ctxExec hands back the context it was given.
type ctxExec struct {
	fakeExec
	got context.Context
}

func (e *ctxExec) ExecPlugin(ctx context.Context, _ string, _ []byte, _ []string) ([]byte, error) {
	e.got = ctx
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestGoExecGetsTheCallersContext(t *testing.T) {
	e := &ctxExec{fakeExec: *newFake()}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := invoke.ExecPluginWithoutResult(ctx, "/p", conf("1.0.0"), addArgs(""), e)
	if e.got != ctx || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ctx %v, error %v", e.got, err)
	}
}

type panicExec struct{ fakeExec }

func (panicExec) ExecPlugin(context.Context, string, []byte, []string) ([]byte, error) {
	panic("fake exploded")
}

func TestGoExecPanicIsReraised(t *testing.T) {
	defer func() {
		if r := recover(); r != "fake exploded" {
			t.Errorf("recovered %v", r)
		}
	}()
	_ = invoke.ExecPluginWithoutResult(context.Background(), "/p", conf("1.0.0"), addArgs(""), &panicExec{*newFake()})
	t.Error("no panic")
}

func TestArgs(t *testing.T) {
	t.Setenv("CNI_NETNS", "inherited")
	t.Setenv("KEEP_ME", "1")
	env := (&invoke.Args{Command: "ADD", ContainerID: "id", NetNS: "/ns", IfName: "eth0", Path: "/bin",
		PluginArgs: [][2]string{{"A", "1"}, {"B", "2"}}}).AsEnv()
	for _, kv := range []string{"CNI_COMMAND=ADD", "CNI_CONTAINERID=id", "CNI_NETNS=/ns", "CNI_ARGS=A=1;B=2",
		"CNI_IFNAME=eth0", "CNI_PATH=/bin", "KEEP_ME=1"} {
		if !slices.Contains(env, kv) {
			t.Errorf("AsEnv lacks %q", kv)
		}
	}
	if slices.Contains(env, "CNI_NETNS=inherited") {
		t.Error("inherited CNI_NETNS kept")
	}
	env = (&invoke.Args{PluginArgsStr: "X=y", PluginArgs: [][2]string{{"A", "1"}}}).AsEnv()
	if !slices.Contains(env, "CNI_ARGS=X=y") {
		t.Errorf("PluginArgsStr does not win: %q", env)
	}
	if invoke.ArgsFromEnv().AsEnv() != nil {
		t.Error("ArgsFromEnv().AsEnv() is not nil")
	}
	env = (&invoke.DelegateArgs{Command: "CHECK"}).AsEnv()
	if !slices.Contains(env, "CNI_COMMAND=CHECK") || !slices.Contains(env, "CNI_NETNS=inherited") {
		t.Errorf("DelegateArgs env %q", env)
	}
}

func TestOtherCNIArgsWithTheProcessExec(t *testing.T) {
	record := filepath.Join(t.TempDir(), "record.json")
	t.Setenv("CNI_TEST_PLUGIN_DEBUG", debugFile(t, map[string]any{"record": record}))
	// DelegateArgs only changes CNI variables: it can be run.
	if err := invoke.ExecPluginWithoutResult(context.Background(), pluginPath, conf("1.0.0"),
		&invoke.DelegateArgs{Command: "CHECK"}, nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(record)
	if !strings.Contains(string(b), `"command":"CHECK"`) {
		t.Errorf("record %s", b)
	}
	// Any other environment is passed exactly (os/exec's cleaning applied:
	// the last CNI_COMMAND wins).
	fargs := &fakes.CNIArgs{}
	fargs.AsEnvCall.Returns.Env = []string{"CNI_COMMAND=ADD", "ONLY=me", "CNI_COMMAND=DEL",
		"CNI_TEST_PLUGIN_DEBUG=" + os.Getenv("CNI_TEST_PLUGIN_DEBUG")}
	if err := invoke.ExecPluginWithoutResult(context.Background(), pluginPath, conf("1.0.0"), fargs, nil); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(record)
	var got struct{ EnvList []string }
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []string{"ONLY=me", "CNI_COMMAND=DEL", fargs.AsEnvCall.Returns.Env[3]}
	if !reflect.DeepEqual(got.EnvList, want) {
		t.Errorf("plugin environment %q, want %q", got.EnvList, want)
	}
	// Not valid UTF-8: refused rather than altered.
	fargs.AsEnvCall.Returns.Env = []string{"CNI_COMMAND=ADD", "X=\xff"}
	err := invoke.ExecPluginWithoutResult(context.Background(), pluginPath, conf("1.0.0"), fargs, nil)
	if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("error %v", err)
	}
}

func TestRawExecExecPluginAlone(t *testing.T) {
	debug := debugFile(t, map[string]any{"echoStdin": true, "stderr": "note"})
	var stderr bytes.Buffer
	out, err := (&invoke.RawExec{Stderr: &stderr}).ExecPlugin(context.Background(), pluginPath, []byte("in"),
		[]string{"CNI_ARGS=DEBUG=" + debug})
	if err != nil || string(out) != "in" || stderr.String() != "note" {
		t.Errorf("ExecPlugin = %q, %v; stderr %q", out, err, stderr.String())
	}
	// Invalid UTF-8 cannot cross the C ABI.
	_, err = (&invoke.RawExec{}).ExecPlugin(context.Background(), pluginPath, nil, []string{"X=\xff"})
	if err == nil || !strings.Contains(err.Error(), "`environ` entry 0 is not valid UTF-8") {
		t.Errorf("error %v", err)
	}
	// Cancellation reaches the plugin.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	slow := debugFile(t, map[string]any{"sleepMs": 5000})
	start := time.Now()
	_, err = (&invoke.RawExec{}).ExecPlugin(ctx, pluginPath, nil, []string{"CNI_ARGS=DEBUG=" + slow})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("error %v after %v", err, time.Since(start))
	}
}

// quotaError is a caller's own error type with fields of its own; its text
// changes on every call, so only its identity can bring it back.
type quotaError struct {
	Resource string
	calls    *int
}

func (e *quotaError) Error() string {
	*e.calls++
	return fmt.Sprintf("out of %s (asked %d times)", e.Resource, *e.calls)
}

func TestGoExecErrorsComeBackAsTheSameValue(t *testing.T) {
	ctx := context.Background()
	t.Setenv("CNI_PATH", "/a")
	calls := 0
	mine := &quotaError{Resource: "addresses", calls: &calls}
	wrapped := fmt.Errorf("allocating: %w", mine)
	cni := &types.Error{Code: 11, Msg: "try again", Details: "later"}
	canceled := fmt.Errorf("gave up: %w", context.Canceled)
	for _, want := range []error{mine, wrapped, cni, canceled} {
		f := newFake()
		f.ExecPluginCall.Returns.Error = want
		runs := map[string]func() error{
			"with result": func() error {
				_, err := invoke.ExecPluginWithResult(ctx, "/p", conf("1.0.0"), addArgs(""), f)
				return err
			},
			"without result": func() error {
				return invoke.ExecPluginWithoutResult(ctx, "/p", conf("1.0.0"), addArgs(""), f)
			},
			"version":  func() error { _, err := invoke.GetVersionInfo(ctx, "/p", f); return err },
			"delegate": func() error { return invoke.DelegateDel(ctx, "thing", conf("1.0.0"), f) },
		}
		for name, run := range runs {
			err := run()
			if err != want {
				t.Errorf("%s: error %v (%T), want the fake's %v", name, err, err, want)
			}
			var q *quotaError
			if errors.As(want, &q) && (!errors.As(err, &q) || q != mine || q.Resource != "addresses") {
				t.Errorf("%s: errors.As lost the fields: %v", name, err)
			}
			if !errors.Is(err, want) {
				t.Errorf("%s: errors.Is(%v, %v) is false", name, err, want)
			}
		}
	}
	// From FindInPath, and with the same text as a different error.
	f := newFake()
	first, second := errors.New("not here"), errors.New("not here")
	f.FindInPathCall.Returns.Error = second
	if err := invoke.DelegateCheck(ctx, "thing", conf("1.0.0"), f); err != second || err == first {
		t.Errorf("DelegateCheck error %v", err)
	}
}
