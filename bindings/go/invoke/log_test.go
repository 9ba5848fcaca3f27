package invoke_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/containernetworking/cni/pkg/version"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
)

// jsonRecords are the records slog's JSON handler wrote, time and
// duration dropped.
func jsonRecords(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("record %q: %v", line, err)
		}
		if d, _ := m["duration_us"].(float64); d < 0 {
			t.Errorf("duration_us %v", d)
		}
		delete(m, "time")
		delete(m, "duration_us")
		recs = append(recs, m)
	}
	return recs
}

// Each plugin run is one record, through a process exec and through a Go
// Exec alike, at Debug when it succeeds and Warn when it fails.
func TestPluginRunsAreLogged(t *testing.T) {
	var out lockedBuffer
	invoke.SetLogger(slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer invoke.SetLogger(nil)
	ctx := context.Background()
	if _, err := invoke.ExecPluginWithResult(ctx, pluginPath, conf("1.1.0"), addArgs(""), nil); err != nil {
		t.Fatal(err)
	}
	fake := failingExec{&invokeError{"nope"}}
	if _, err := invoke.ExecPluginWithResult(ctx, "/fake/plugin", conf("1.1.0"), addArgs(""), fake); err == nil {
		t.Fatal("fake exec did not fail")
	}
	got := jsonRecords(t, out.String())
	want := []map[string]any{
		{"level": "DEBUG", "msg": "plugin ADD", "kind": "plugin", "verb": "ADD", "plugin_type": "testplug",
			"plugin_path": pluginPath, "network": "net", "container_id": "c1", "ifname": "eth0",
			"outcome": "ok", "result_version": "1.1.0"},
		{"level": "WARN", "msg": "plugin ADD", "kind": "plugin", "verb": "ADD", "plugin_type": "testplug",
			"plugin_path": "/fake/plugin", "network": "net", "container_id": "c1", "ifname": "eth0",
			"outcome": "error", "error_status": "ExecFailed", "error_code": float64(0), "error_text": "nope"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("records\n got %v\nwant %v", got, want)
	}
}

// failingExec is a Go Exec whose plugins all fail with err.
type failingExec struct{ err error }

func (e failingExec) ExecPlugin(context.Context, string, []byte, []string) ([]byte, error) {
	return nil, e.err
}

func (e failingExec) FindInPath(string, []string) (string, error) { return "", e.err }

func (e failingExec) Decode([]byte) (version.PluginInfo, error) { return nil, e.err }

// invokeError is a Go Exec's own error.
type invokeError struct{ msg string }

func (e *invokeError) Error() string { return e.msg }
