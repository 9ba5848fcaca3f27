package main

// The list workload (bench/list.h): a 3-plugin list ADD + DEL on a fresh
// attachment per call, on one CNIConfig, the list parsed once. Neither
// upstream's libcni nor its drop-in has a cacheSync switch, so
// BENCH_CACHE_SYNC is not read here (upstream never fsyncs its cache).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
)

type lister struct {
	cfg  *cniConfig
	list *networkConfigList
	next atomic.Int64
}

func newLister(plugin string) (*lister, error) {
	dir, typ := filepath.Split(plugin)
	if dir == "" || typ == "" {
		return nil, fmt.Errorf("the list workload needs --plugin as DIR/NAME, not %q", plugin)
	}
	text := fmt.Sprintf(`{"cniVersion":"1.0.0","name":"benchlist","plugins":`+
		`[{"type":"%s"},{"type":"%s"},{"type":"%s"}]}`, typ, typ, typ)
	list, err := confListFromBytes([]byte(text))
	if err != nil {
		return nil, err
	}
	cache := os.Getenv("BENCH_CACHE_DIR")
	if cache == "" {
		cache = "/tmp/cniinvoke-bench-cache"
	}
	cfg := newCNIConfigWithCacheDir([]string{filepath.Clean(dir)}, cache, nil)
	return &lister{cfg: cfg, list: list}, nil
}

// call runs one list ADD + DEL on a fresh attachment.
func (l *lister) call(ctx context.Context) error {
	rt := &runtimeConf{
		ContainerID: fmt.Sprintf("bench-list-%d", l.next.Add(1)-1),
		NetNS:       "/var/run/netns/bench",
		IfName:      "eth0",
	}
	if _, err := l.cfg.AddNetworkList(ctx, l.list, rt); err != nil {
		return err
	}
	return l.cfg.DelNetworkList(ctx, l.list, rt)
}
