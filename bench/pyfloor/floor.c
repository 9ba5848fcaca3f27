/* The floor (../floor.c) as a shared library for a Python program
 * (../py_floor.py): the same C code, each call one ctypes call from
 * Python, timed by Python's loop (benchlib.run) as the Python binding's
 * calls are. ctypes releases the GIL around the call, as the binding does
 * around its plugin runs. What it measures is the least a Python program
 * pays per plugin call when C starts the plugin. */
#define main floor_main
#include "../floor.c"
#undef main

static struct bench_opts pyfloor_opts;

/* Parse the contender protocol's flags (bench/common.h), once. */
int pyfloor_setup(int argc, char **argv) {
  bench_parse(argc, argv, &pyfloor_opts);
  signal(SIGPIPE, SIG_IGN);
  return 0;
}

/* One call of the floor: 0 on success; for the cancel workload,
 * *cancel_ns is the time from the cancel to the return. */
int pyfloor_call(uint64_t *cancel_ns) { return call(NULL, &pyfloor_opts, cancel_ns); }
