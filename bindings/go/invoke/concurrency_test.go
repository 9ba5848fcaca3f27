package invoke_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/invoke"
)

// TestConcurrentUse shares one DefaultExec (with a stderr writer) and the
// package default between goroutines, mixed with Go Execs and cancelled
// calls. Run it with -race.
func TestConcurrentUse(t *testing.T) {
	var stderr lockedBuffer
	shared := &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: &stderr}}
	ok := debugFile(t, map[string]any{"stderr": "x", "result": result110})
	slow := debugFile(t, map[string]any{"sleepMs": 10000})
	const workers, rounds = 8, 6
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*4)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			f := newFake()
			f.ExecPluginCall.Returns.ResultBytes = []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","dns":{"domain":"w%d"}}`, w))
			for i := 0; i < rounds; i++ {
				ctx := context.Background()
				if r, err := invoke.ExecPluginWithResult(ctx, pluginPath, conf("1.1.0"), addArgs(ok), shared); err != nil || r.Version() != "1.1.0" {
					errs <- fmt.Errorf("shared exec: %v", err)
				}
				if _, err := invoke.GetVersionInfo(ctx, pluginPath, nil); err != nil {
					errs <- fmt.Errorf("default exec: %v", err)
				}
				r, err := invoke.ExecPluginWithResult(ctx, "/p", conf("1.0.0"), addArgs(""), f)
				if err != nil || !strings.Contains(mustJSON(t, r), fmt.Sprintf(`"w%d"`, w)) {
					errs <- fmt.Errorf("fake: %v", err)
				}
				cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
				if err := invoke.ExecPluginWithoutResult(cctx, pluginPath, conf("1.0.0"), addArgs(slow), shared); !errors.Is(err, context.DeadlineExceeded) {
					errs <- fmt.Errorf("deadline: %v", err)
				}
				cancel()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := stderr.String(); got != strings.Repeat("x", workers*rounds) {
		t.Errorf("stderr writer got %d bytes, want %d", len(got), workers*rounds)
	}
}
