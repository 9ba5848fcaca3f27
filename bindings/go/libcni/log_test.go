package libcni_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

// recorder is a slog handler that keeps every record it is given, as its
// message, level and attributes.
type recorder struct {
	mu      sync.Mutex
	min     slog.Level
	records []record
}

type record struct {
	msg   string
	level slog.Level
	attrs map[string]any
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= r.min }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	attrs := map[string]any{}
	rec.Attrs(func(a slog.Attr) bool {
		attrs[a.Key] = a.Value.Any()
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, record{rec.Message, rec.Level, attrs})
	return nil
}

func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

func (r *recorder) taken() []record {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.records
	r.records = nil
	return out
}

// logged runs f with a recorder of level min as the logger and returns what
// it recorded.
func logged(t *testing.T, min slog.Level, f func()) []record {
	t.Helper()
	rec := &recorder{min: min}
	libcni.SetLogger(slog.New(rec))
	defer libcni.SetLogger(nil)
	f()
	return rec.taken()
}

// One record per plugin run and one per list operation, with the event's
// fields; a failure at Warn with its error; nothing once the logger is
// removed, and nothing below the handler's level.
func TestListOperationsAndPluginRunsAreLogged(t *testing.T) {
	logDir, cache := t.TempDir(), t.TempDir()
	list := mustList(t, chain("1.0.0", "lognet", logDir, nil))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, cache, nil)
	ctx := context.Background()
	got := logged(t, slog.LevelDebug-4, func() {
		if _, err := cfg.AddNetworkList(ctx, list, newRT("c1")); err != nil {
			t.Fatal(err)
		}
	})
	if len(got) != 3 {
		t.Fatalf("records %+v", got)
	}
	for i, typ := range []string{"testplug", "testplug2"} {
		r := got[i]
		dur, _ := r.attrs["duration_us"].(int64)
		delete(r.attrs, "duration_us")
		want := map[string]any{
			"kind": "plugin", "verb": "ADD", "plugin_type": typ,
			"plugin_path": filepath.Join(pluginDir, typ), "network": "lognet",
			"container_id": "c1", "ifname": "eth0", "outcome": "ok", "result_version": "1.0.0",
		}
		if r.msg != "plugin ADD" || r.level != slog.LevelDebug || dur <= 0 || !reflect.DeepEqual(r.attrs, want) {
			t.Errorf("record %d: %q %v %dus %v", i, r.msg, r.level, dur, r.attrs)
		}
	}
	last := got[2]
	delete(last.attrs, "duration_us")
	wantList := map[string]any{
		"kind": "list", "verb": "ADD", "network": "lognet", "container_id": "c1",
		"ifname": "eth0", "outcome": "ok", "result_version": "1.0.0",
	}
	if last.msg != "list ADD" || last.level != slog.LevelInfo || !reflect.DeepEqual(last.attrs, wantList) {
		t.Errorf("list record: %q %v %v", last.msg, last.level, last.attrs)
	}

	failing := mustList(t, chain("1.0.0", "lognet", logDir, map[string]any{
		"failOn": []string{"DEL"}, "failCode": 7, "failMsg": "boom",
	}))
	got = logged(t, slog.LevelInfo, func() {
		if err := cfg.DelNetworkList(ctx, failing, newRT("c1")); err == nil {
			t.Fatal("DEL did not fail")
		}
	})
	if len(got) != 2 || got[0].msg != "plugin DEL" || got[1].msg != "list DEL" {
		t.Fatalf("records at Info %+v", got)
	}
	for _, r := range got {
		if r.level != slog.LevelWarn || r.attrs["outcome"] != "error" || r.attrs["error_code"] != int64(7) {
			t.Errorf("failure record %q %v %v", r.msg, r.level, r.attrs)
		}
	}
	if text := got[0].attrs["error_text"]; text != "boom" {
		t.Errorf("plugin error_text %q", text)
	}
	if text := got[1].attrs["error_text"]; text != `plugin type="testplug" failed (delete): boom` {
		t.Errorf("list error_text %q", text)
	}

	rec := &recorder{}
	libcni.SetLogger(slog.New(rec))
	libcni.SetLogger(nil)
	if _, err := cfg.AddNetworkList(ctx, list, newRT("c2")); err != nil {
		t.Fatal(err)
	}
	if r := rec.taken(); len(r) != 0 {
		t.Fatalf("records after SetLogger(nil): %+v", r)
	}
}

// Loggers may be set and removed while calls run on other goroutines; once
// SetLogger returns, the logger it replaced gets no more records, and every
// call made with a logger in place is recorded.
func TestSetLoggerWhileCallsRun(t *testing.T) {
	list := mustList(t, chain("1.0.0", "busynet", t.TempDir(), nil))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				rt := newRT(fmt.Sprintf("busy-%d-%d", g, i))
				if _, err := cfg.AddNetworkList(ctx, list, rt); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	var replaced []*recorder
	received := 0
	for i := 0; i < 20; i++ {
		old := &recorder{min: slog.LevelDebug}
		libcni.SetLogger(slog.New(old))
		time.Sleep(time.Millisecond)
		libcni.SetLogger(nil)
		received += len(old.taken())
		replaced = append(replaced, old)
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if received == 0 {
		t.Fatal("no logger got a record while calls ran")
	}
	for i, old := range replaced {
		if late := old.taken(); len(late) != 0 {
			t.Fatalf("logger %d got %d records after it was replaced", i, len(late))
		}
	}

	got := logged(t, slog.LevelInfo, func() {
		for i := 0; i < 3; i++ {
			if _, err := cfg.AddNetworkList(ctx, list, newRT(fmt.Sprintf("counted-%d", i))); err != nil {
				t.Fatal(err)
			}
		}
	})
	if len(got) != 3 {
		t.Fatalf("%d records for 3 list operations: %+v", len(got), got)
	}
}

// panicking is a handler that panics on every record.
type panicking struct{ recorder }

func (p *panicking) Handle(context.Context, slog.Record) error { panic("handler bug") }

// A handler that panics loses its records; the calls succeed.
func TestPanickingHandler(t *testing.T) {
	list := mustList(t, chain("1.0.0", "panicnet", t.TempDir(), nil))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	libcni.SetLogger(slog.New(&panicking{}))
	defer libcni.SetLogger(nil)
	if _, err := cfg.AddNetworkList(context.Background(), list, newRT("p1")); err != nil {
		t.Fatal(err)
	}
	if err := cfg.DelNetworkList(context.Background(), list, newRT("p1")); err != nil {
		t.Fatal(err)
	}
}
