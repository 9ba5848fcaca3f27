package invoke_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/testenv"
)

// pluginPath is the project's test plugin (tests/plugin); pluginDir holds
// it under the name "testplug" for the delegation tests.
var (
	pluginPath string
	pluginDir  string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if pluginPath, err = testenv.FindPlugin(); err != nil {
		fmt.Fprintln(os.Stderr, "test plugin:", err)
		return 1
	}
	if pluginDir, err = os.MkdirTemp("", "cniinvoke-go-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(pluginDir)
	if err := os.Symlink(pluginPath, filepath.Join(pluginDir, "testplug")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// A debug file or CNI variables inherited from the caller would change
	// what the plugin does.
	for _, k := range []string{"CNI_TEST_PLUGIN_DEBUG", "CNI_COMMAND", "CNI_ARGS", "CNI_PATH"} {
		os.Unsetenv(k)
	}
	return m.Run()
}

// debugFile writes the test plugin's script and returns its path.
func debugFile(t testing.TB, script any) string {
	t.Helper()
	b, err := json.Marshal(script)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "debug.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func conf(version string) []byte {
	return []byte(fmt.Sprintf(`{"cniVersion":%q,"name":"net","type":"testplug"}`, version))
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lockedBuffer is an io.Writer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var versions = []string{"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"}

// result110 is a CNI 1.1.0 result using the fields 1.1.0 added.
var result110 = map[string]any{
	"cniVersion": "1.1.0",
	"interfaces": []any{map[string]any{"name": "eth0", "mac": "00:11:22:33:44:55", "mtu": 1500,
		"sandbox": "/var/run/netns/x", "socketPath": "/tmp/s", "pciID": "0000:00:1f.0"}},
	"ips": []any{map[string]any{"address": "10.1.2.3/24", "gateway": "10.1.2.1", "interface": 0}},
	"routes": []any{map[string]any{"dst": "0.0.0.0/0", "gw": "10.1.2.1", "mtu": 1400, "advmss": 1360,
		"priority": 10, "table": 100, "scope": 0}},
	"dns": map[string]any{"nameservers": []any{"10.1.2.1"}, "domain": "example.org"},
}

func jsonEqual(t testing.TB, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, x) == mustJSON(t, y)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
