// Command gofloor runs the C floors of bench/ inside a Go process: the
// same C code and its own timing, but each call made from Go through one
// cgo call (via_go.h), with the Go runtime around it (its threads, its
// signal handlers, sysmon). What it measures is the least a Go program
// pays per plugin call when C starts the plugin, which is how the Go
// bindings call libcniinvoke. The first argument picks the floor ("floor"
// or "list-floor"); the rest are the contender protocol's flags
// (bench/common.h).
package main

/*
#cgo CFLAGS: -O2 -Wno-unused-function
#include <stdint.h>
#include <stdlib.h>
struct bench_opts;
typedef int (*bench_call_fn)(void *state, const struct bench_opts *o, uint64_t *cancel_ns);
int floor_main(int argc, char **argv);
int list_floor_main(int argc, char **argv);
static int call_floor(bench_call_fn f, void *state, struct bench_opts *o, uint64_t *cancel_ns) {
	return f(state, o, cancel_ns);
}
*/
import "C"

import (
	"fmt"
	"os"
	"unsafe"
)

// goFloorCall makes one call of the floor: a cgo call of its C function.
//
//export goFloorCall
func goFloorCall(f C.bench_call_fn, state unsafe.Pointer, o *C.struct_bench_opts, cancelNs *C.uint64_t) C.int {
	return C.call_floor(f, state, o, cancelNs)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gofloor floor|list-floor FLAGS...")
		os.Exit(2)
	}
	which, rest := os.Args[1], os.Args[2:]
	argv := make([]*C.char, 0, len(rest)+2)
	argv = append(argv, C.CString(os.Args[0]))
	for _, a := range rest {
		argv = append(argv, C.CString(a))
	}
	argv = append(argv, nil)
	argc, cargv := C.int(len(argv)-1), (**C.char)(unsafe.Pointer(&argv[0]))
	var rc C.int
	switch which {
	case "floor":
		rc = C.floor_main(argc, cargv)
	case "list-floor":
		rc = C.list_floor_main(argc, cargv)
	default:
		fmt.Fprintf(os.Stderr, "gofloor: no floor %q\n", which)
		os.Exit(2)
	}
	os.Exit(int(rc))
}
