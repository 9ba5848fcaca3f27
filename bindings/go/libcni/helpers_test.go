package libcni_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/internal/testenv"
)

// pluginDir holds the project's test plugin (tests/plugin) as "testplug"
// and "testplug2", so lists can chain two plugin types.
var pluginDir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	plugin, err := testenv.FindPlugin()
	if err != nil {
		fmt.Fprintln(os.Stderr, "test plugin:", err)
		return 1
	}
	if pluginDir, err = os.MkdirTemp("", "cniinvoke-go-libcni-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(pluginDir)
	for _, name := range []string{"testplug", "testplug2"} {
		if err := os.Symlink(plugin, filepath.Join(pluginDir, name)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	for _, k := range []string{"CNI_TEST_PLUGIN_DEBUG", "CNI_COMMAND", "CNI_ARGS", "CNI_PATH"} {
		os.Unsetenv(k)
	}
	return m.Run()
}

// chain is a two-plugin list of version v whose plugins log to logDir;
// extra keys go into the first plugin's configuration.
func chain(v, name, logDir string, extra map[string]any) []byte {
	first := map[string]any{"type": "testplug", "logDir": logDir}
	for k, x := range extra {
		first[k] = x
	}
	list := map[string]any{
		"cniVersion": v,
		"name":       name,
		"plugins": []any{
			first,
			map[string]any{"type": "testplug2", "logDir": logDir, "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	b, err := json.Marshal(list)
	if err != nil {
		panic(err)
	}
	return b
}

// logLine is one line the test plugin appends to its logDir.
type logLine struct {
	Command       string          `json:"command"`
	ContainerID   *string         `json:"containerId"`
	IfName        *string         `json:"ifName"`
	Name          *string         `json:"name"`
	Type          *string         `json:"type"`
	CNIVersion    *string         `json:"cniVersion"`
	PrevResult    json.RawMessage `json:"prevResult"`
	RuntimeConfig json.RawMessage `json:"runtimeConfig"`
}

// readLog is every line of logDir/file.
func readLog(t testing.TB, logDir, file string) []logLine {
	t.Helper()
	f, err := os.Open(filepath.Join(logDir, file))
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []logLine
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<24)
	for s.Scan() {
		var l logLine
		if err := json.Unmarshal(s.Bytes(), &l); err != nil {
			t.Fatalf("log line %q: %v", s.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

func commands(lines []logLine) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, l.Command+":"+deref(l.Type))
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
