package invoke_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// waitPidFile reads a pid the test plugin wrote, waiting for the file.
func waitPidFile(t *testing.T, path string) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("the plugin never wrote %s", path)
		}
	}
}

// recordedPid is the pid in the test plugin's record.
func recordedPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ Pid int }
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	return rec.Pid
}

// ended reports whether pid is gone or a zombie, polling for up to two
// seconds: a killed process is dead well within that.
func ended(pid int) bool {
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		s := string(stat)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			state := strings.TrimSpace(s[i+1:])
			if strings.HasPrefix(state, "Z") || strings.HasPrefix(state, "X") {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// assertEnded fails the test for each pid still running, killing it.
func assertEnded(t *testing.T, pids map[string]int) {
	t.Helper()
	for name, pid := range pids {
		if !ended(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("%s %d still running", name, pid)
		}
	}
}
