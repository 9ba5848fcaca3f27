// The benchmark's Go contender (make bench; see bench/run.py and the
// protocol in bench/common.h): one program written against upstream's
// pkg/invoke API, built twice — against upstream v1.3.0 (the default) and,
// with -tags cnibinding, against libcniinvoke's Go binding. The list
// workload (list.go) is written against upstream's libcni API: the default
// build runs upstream v1.3.0's, -tags cnilibcni the Go libcni binding.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var netconf = []byte(`{"cniVersion":"1.0.0","name":"bench","type":"bench"}`)

type bench struct {
	plugin      string
	workload    string
	cancelAfter time.Duration
	args        *cniArgs
	discard     *rawExec
	lists       *lister
}

// call runs one call; for the cancel workload it returns the
// cancel-to-return time.
func (b *bench) call() (time.Duration, error) {
	bg := context.Background()
	switch b.workload {
	case "add":
		_, err := execPluginWithResult(bg, b.plugin, netconf, b.args, nil)
		return 0, err
	case "version":
		_, err := getVersionInfo(bg, b.plugin, nil)
		return 0, err
	case "output":
		_, err := b.discard.ExecPlugin(bg, b.plugin, netconf, b.args.AsEnv())
		return 0, err
	case "list":
		return 0, b.lists.call(bg)
	case "cancel":
		ctx, cancel := context.WithCancel(bg)
		fired := make(chan time.Time, 1)
		go func() {
			time.Sleep(b.cancelAfter)
			now := time.Now()
			cancel()
			fired <- now
		}()
		_, err := execPluginWithResult(ctx, b.plugin, netconf, b.args, nil)
		done := time.Now()
		at := <-fired
		if err == nil {
			return 0, errors.New("the call was not cancelled")
		}
		return done.Sub(at), nil
	}
	return 0, fmt.Errorf("unknown workload %q", b.workload)
}

// statusKiB reads a field of /proc/self/status in KiB.
func statusKiB(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return -1
}

func main() {
	plugin := flag.String("plugin", "", "plugin path")
	workload := flag.String("workload", "add", "add|version|output|cancel|list")
	calls := flag.Int64("calls", 10, "number of calls")
	threads := flag.Int("threads", 0, "0 = time each call sequentially, T = T concurrent callers")
	touchMiB := flag.Int("touch-mib", 0, "MiB to allocate and write first")
	cancelAfter := flag.Int("cancel-after-ms", 20, "cancel workload: cancel after this long")
	flag.Parse()
	name := contenderName
	if libcniBinding {
		name = "go-libcni"
	}
	if *plugin == "" || *calls < 1 {
		flag.Usage()
		os.Exit(2)
	}

	touched := make([]byte, *touchMiB<<20)
	for i := 0; i < len(touched); i += 4096 {
		touched[i] = 1
	}

	b := &bench{
		plugin:      *plugin,
		workload:    *workload,
		cancelAfter: time.Duration(*cancelAfter) * time.Millisecond,
		args: &cniArgs{
			Command:     "ADD",
			ContainerID: "bench-ctr",
			NetNS:       "/var/run/netns/bench",
			IfName:      "eth0",
			Path:        "/usr/lib/cni",
		},
		discard: &rawExec{Stderr: io.Discard},
	}
	if b.workload == "list" {
		l, err := newLister(b.plugin)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(2)
		}
		b.lists = l
	}
	// RSS is measured from before the first call, warm-up included.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	rssBase := statusKiB("VmRSS")
	// Warm-up, the cancel workload too (two cancelled calls).
	for i := 0; i < 2; i++ {
		if _, err := b.call(); err != nil {
			fmt.Fprintf(os.Stderr, "%s: warm-up call failed: %v\n", name, err)
			os.Exit(2)
		}
	}

	var errCount atomic.Int64
	fail := func(err error) {
		if errCount.Add(1) == 1 {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		}
	}
	var perCall []string
	t0 := time.Now()
	if *threads == 0 {
		for i := int64(0); i < *calls; i++ {
			s := time.Now()
			d, err := b.call()
			if err != nil {
				fail(err)
			}
			if b.workload != "cancel" || err != nil {
				d = time.Since(s)
			}
			perCall = append(perCall, strconv.FormatInt(d.Nanoseconds(), 10))
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for t := 0; t < *threads; t++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= *calls {
					if _, err := b.call(); err != nil {
						fail(err)
					}
				}
			}()
		}
		wg.Wait()
	}
	total := time.Since(t0)
	rssPeak := statusKiB("VmHWM")
	fmt.Printf(`{"contender":"%s","workload":"%s","threads":%d,"touch_mib":%d,`+
		`"calls":%d,"errors":%d,"total_ns":%d,"rss_base_kib":%d,"rss_peak_kib":%d,`+
		`"per_call_ns":[%s]}`+"\n",
		name, b.workload, *threads, *touchMiB, *calls, errCount.Load(),
		total.Nanoseconds(), rssBase, rssPeak, strings.Join(perCall, ","))
	runtime.KeepAlive(touched)
	if errCount.Load() > 0 {
		os.Exit(1)
	}
}
