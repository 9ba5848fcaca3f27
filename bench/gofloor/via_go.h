/*
 * Each call of a floor made through Go: the floor's timing loop (bench_run
 * in ../common.h) calls the exported Go function goFloorCall, which makes
 * one cgo call into the floor's own call. So every plugin call leaves Go
 * for C and comes back, as a call of the Go bindings does, and the Go
 * runtime does around it what it does around theirs.
 *
 * Included by floor.c and list_floor.c of this directory before the floor
 * itself: the floor's bench_run(…, call, …) is rewritten to
 * bench_run(…, via_go_wrap(call), …).
 */
#ifndef GOFLOOR_VIA_GO_H
#define GOFLOOR_VIA_GO_H

#include "../common.h"
#include "_cgo_export.h"

/* The floor's own call (one floor per program run). */
static bench_call_fn via_go_real;

static int via_go(void *state, const struct bench_opts *o, uint64_t *cancel_ns) {
  return goFloorCall((bench_call_fn)via_go_real, state, (struct bench_opts *)o, cancel_ns);
}

static inline bench_call_fn via_go_wrap(bench_call_fn real) {
  via_go_real = real;
  return via_go;
}

#define bench_run(name, o, fn, state) bench_run(name, o, via_go_wrap(fn), state)

#endif
