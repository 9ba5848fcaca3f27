/*
 * The list workload, as every contender runs it: one call is a list ADD
 * followed by a list DEL of a 3-plugin configuration list, on an
 * attachment of its own (container id `bench-list-<n>`, a fresh n per call,
 * so that concurrent callers never share one).
 *
 *   the list     {"cniVersion":"1.0.0","name":"benchlist","plugins":
 *                [{"type":T},{"type":T},{"type":T}]} where T is the
 *                basename of --plugin, found on the path dirname(--plugin)
 *   the cache    BENCH_CACHE_DIR (the driver sets it: tmpfs or disk);
 *                BENCH_CACHE_SYNC=0 turns fsync off (`cacheSync`)
 *
 * Python's copy is benchlib.py, Rust's and Go's are in their contenders.
 */
#ifndef BENCH_LIST_H
#define BENCH_LIST_H

#include "common.h"

#define BENCH_LIST_NAME "benchlist"
#define BENCH_LIST_CONTAINER_PREFIX "bench-list-"
#define BENCH_LIST_DEFAULT_CACHE "/tmp/cniinvoke-bench-cache"

/* Where the list's plugin is: its directory (the search path) and name. */
struct bench_list_plugin {
  char dir[4096];
  const char *type;
};

static inline void bench_list_plugin(const char *plugin, struct bench_list_plugin *p) {
  const char *slash = strrchr(plugin, '/');
  if (!slash || (size_t)(slash - plugin) >= sizeof p->dir)
    bench_die("the list workload needs --plugin as DIR/NAME");
  memcpy(p->dir, plugin, (size_t)(slash - plugin));
  p->dir[slash - plugin] = '\0';
  p->type = slash + 1;
}

/* The list's text (malloc'd). */
static inline char *bench_list_text(const char *type) {
  char *s = NULL;
  if (asprintf(&s,
               "{\"cniVersion\":\"1.0.0\",\"name\":\"" BENCH_LIST_NAME "\",\"plugins\":["
               "{\"type\":\"%s\"},{\"type\":\"%s\"},{\"type\":\"%s\"}]}",
               type, type, type) < 0)
    bench_die("out of memory");
  return s;
}

/* A fresh attachment's container id, into buf. */
static inline void bench_list_container_id(char *buf, size_t len) {
  static atomic_long next;
  snprintf(buf, len, BENCH_LIST_CONTAINER_PREFIX "%ld", atomic_fetch_add(&next, 1));
}

static inline const char *bench_cache_dir(void) {
  const char *d = getenv("BENCH_CACHE_DIR");
  return d && *d ? d : BENCH_LIST_DEFAULT_CACHE;
}

static inline int bench_cache_sync(void) {
  const char *s = getenv("BENCH_CACHE_SYNC");
  return !(s && strcmp(s, "0") == 0);
}

#endif
