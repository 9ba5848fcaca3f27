package libcni_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/libcniinvoke/libcniinvoke/bindings/go/libcni"
)

// One goroutine adds and removes environment names with os.Setenv (which
// makes C's setenv move environ's array) while two run list ADDs and DELs:
// the library reads the call's copy of Go's environment, never C's
// environ, so nothing it reads can be freed under it.
func TestSetenvWhileListsRunCannotCrash(t *testing.T) {
	text := `{"cniVersion":"1.0.0","name":"churn","plugins":[{"type":"testplug"},{"type":"testplug2"}]}`
	list := mustList(t, []byte(text))
	cfg := libcni.NewCNIConfigWithCacheDir([]string{pluginDir}, t.TempDir(), nil)
	stop := time.Now().Add(2 * time.Second)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; time.Now().Before(stop); i++ {
			for k := 0; k < 64; k++ {
				os.Setenv(fmt.Sprintf("CNIINVOKE_CHURN_%d_%d", i, k), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
			}
			for k := 0; k < 64; k++ {
				os.Unsetenv(fmt.Sprintf("CNIINVOKE_CHURN_%d_%d", i, k))
			}
		}
	}()
	errs := make(chan error, 2)
	calls := make([]int, 2)
	for n := 0; n < 2; n++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			rt := &libcni.RuntimeConf{ContainerID: fmt.Sprintf("c%d", n), NetNS: "/var/run/netns/x", IfName: "eth0"}
			for time.Now().Before(stop) {
				if _, err := cfg.AddNetworkList(context.Background(), list, rt); err != nil {
					errs <- err
					return
				}
				if err := cfg.DelNetworkList(context.Background(), list, rt); err != nil {
					errs <- err
					return
				}
				calls[n]++
			}
		}(n)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if calls[0] == 0 || calls[1] == 0 {
		t.Errorf("calls made: %v", calls)
	}
}
