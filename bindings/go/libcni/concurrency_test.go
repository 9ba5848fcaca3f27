package libcni_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	upinvoke "github.com/containernetworking/cni/pkg/invoke"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

// One CNIConfig shared by many goroutines, with the library's process exec
// and with a Go Exec: every container's ADD, CHECK and DEL succeed and its
// cache entry is gone at the end. Run with -race.
func TestConcurrentAttachments(t *testing.T) {
	up := &upinvoke.DefaultExec{RawExec: &upinvoke.RawExec{}}
	for _, exec := range []upinvoke.Exec{nil, &goExec{DefaultExec: up}} {
		cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), exec)
		list := mustList(t, chain("1.0.0", "cnet", t.TempDir(), nil))
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func(id string) {
				defer wg.Done()
				ctx, rt := context.Background(), newRT(id)
				if _, err := cfg.AddNetworkList(ctx, list, rt); err != nil {
					errs <- fmt.Errorf("%s ADD: %w", id, err)
					return
				}
				if err := cfg.CheckNetworkList(ctx, list, rt); err != nil {
					errs <- fmt.Errorf("%s CHECK: %w", id, err)
				}
				if err := cfg.DelNetworkList(ctx, list, rt); err != nil {
					errs <- fmt.Errorf("%s DEL: %w", id, err)
				}
			}(fmt.Sprintf("c%d", i))
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("exec %T: %v", exec, err)
		}
		if atts, err := cfg.GetCachedAttachments(""); err != nil || len(atts) != 0 {
			t.Fatalf("exec %T: left in the cache: %+v (%v)", exec, atts, err)
		}
	}
}

// ADDs and DELs of one attachment at once take turns (the attachment's
// lock is held across the whole chain): the plugins' log shows each chain
// whole, never two interleaved, and every call succeeds.
func TestConcurrentSameAttachment(t *testing.T) {
	logDir := t.TempDir()
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	list := mustList(t, chain("1.0.0", "snet", logDir, map[string]any{"debug": map[string]any{"sleepMs": 20, "chainResult": true}}))
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func(add bool) {
			defer wg.Done()
			var err error
			if add {
				_, err = cfg.AddNetworkList(context.Background(), list, newRT("same"))
			} else {
				err = cfg.DelNetworkList(context.Background(), list, newRT("same"))
			}
			if err != nil {
				t.Error(err)
			}
		}(i%2 == 0)
	}
	wg.Wait()
	got := commands(readLog(t, logDir, "same-eth0.log"))
	if len(got) != 24 {
		t.Fatalf("%d plugin runs, want 24: %v", len(got), got)
	}
	for i := 0; i < len(got); i += 2 {
		pair := got[i] + " " + got[i+1]
		if pair != "ADD:testplug ADD:testplug2" && pair != "DEL:testplug2 DEL:testplug" {
			t.Fatalf("chains interleaved at %d: %v", i, got)
		}
	}
}
