/*
 * What the C contenders share: the contender protocol (flags in, one JSON
 * line out), the memory touch, RSS readings, the CNI environment, and the
 * sequential / threaded / cancel loops. Each contender supplies one call.
 *
 *   --plugin PATH --workload add|version|output|cancel|list --calls N
 *   [--threads T] [--touch-mib M] [--cancel-after-ms MS]
 *
 * --threads 0 (the default) times each call on the main thread; T >= 1 runs
 * the calls on T threads and reports the total time. The output and cancel
 * workloads expect BENCH_OUT_BYTES / BENCH_SLEEP_MS in the environment, set
 * by the driver; the plugin inherits them. The list workload (a 3-plugin
 * list ADD + DEL on a fresh attachment per call) is described in list.h.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NETCONF "{\"cniVersion\":\"1.0.0\",\"name\":\"bench\",\"type\":\"bench\"}"
#define BENCH_VERSION_STDIN "{\"cniVersion\":\"1.1.0\"}"
#define BENCH_CONTAINER_ID "bench-ctr"
#define BENCH_NETNS "/var/run/netns/bench"
#define BENCH_IFNAME "eth0"
#define BENCH_CNI_PATH "/usr/lib/cni"

enum bench_workload { W_ADD, W_VERSION, W_OUTPUT, W_CANCEL, W_LIST };

struct bench_opts {
  const char *plugin;
  enum bench_workload workload;
  const char *workload_name;
  long calls;
  long threads;
  long touch_mib;
  long cancel_after_ms;
};

/* One call of the workload; 0 on success. For W_CANCEL: cancel after
 * opts->cancel_after_ms and store the cancel-to-return time in *cancel_ns. */
typedef int (*bench_call_fn)(void *state, const struct bench_opts *o, uint64_t *cancel_ns);

static inline uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline void bench_die(const char *what) {
  fprintf(stderr, "bench: %s\n", what);
  exit(2);
}

static inline void bench_parse(int argc, char **argv, struct bench_opts *o) {
  static const struct option longopts[] = {
      {"plugin", required_argument, NULL, 'p'},
      {"workload", required_argument, NULL, 'w'},
      {"calls", required_argument, NULL, 'n'},
      {"threads", required_argument, NULL, 't'},
      {"touch-mib", required_argument, NULL, 'm'},
      {"cancel-after-ms", required_argument, NULL, 'c'},
      {NULL, 0, NULL, 0},
  };
  memset(o, 0, sizeof *o);
  o->calls = 10;
  o->cancel_after_ms = 20;
  o->workload_name = "add";
  int c;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    switch (c) {
    case 'p': o->plugin = optarg; break;
    case 'w': o->workload_name = optarg; break;
    case 'n': o->calls = strtol(optarg, NULL, 10); break;
    case 't': o->threads = strtol(optarg, NULL, 10); break;
    case 'm': o->touch_mib = strtol(optarg, NULL, 10); break;
    case 'c': o->cancel_after_ms = strtol(optarg, NULL, 10); break;
    default: bench_die("usage: --plugin PATH --workload add|version|output|cancel|list --calls N "
                       "[--threads T] [--touch-mib M] [--cancel-after-ms MS]");
    }
  }
  if (!o->plugin || o->calls < 1 || o->threads < 0)
    bench_die("--plugin and --calls >= 1 are required");
  if (strcmp(o->workload_name, "add") == 0) o->workload = W_ADD;
  else if (strcmp(o->workload_name, "version") == 0) o->workload = W_VERSION;
  else if (strcmp(o->workload_name, "output") == 0) o->workload = W_OUTPUT;
  else if (strcmp(o->workload_name, "cancel") == 0) o->workload = W_CANCEL;
  else if (strcmp(o->workload_name, "list") == 0) o->workload = W_LIST;
  else bench_die("unknown workload");
}

/* Allocate and write M MiB, kept until exit: a host with a large resident
 * set, which is what makes fork() slow and posix_spawn() not. */
static inline void bench_touch(long mib) {
  if (mib <= 0)
    return;
  size_t len = (size_t)mib << 20;
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    bench_die("cannot map the memory to touch");
  memset(p, 1, len);
}

/* A field of /proc/self/status in KiB (VmRSS, VmHWM). */
static inline long bench_status_kib(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return -1;
  char line[256];
  long v = -1;
  size_t n = strlen(field);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, field, n) == 0 && line[n] == ':') {
      v = strtol(line + n + 1, NULL, 10);
      break;
    }
  }
  fclose(f);
  return v;
}

/* Reset the peak-RSS mark (VmHWM) to the current RSS. */
static inline void bench_reset_peak(void) {
  FILE *f = fopen("/proc/self/clear_refs", "w");
  if (f) {
    fputs("5", f);
    fclose(f);
  }
}

/* The CNI environment for one call: this process's environment with the
 * CNI variables set (a CNI value replaces an inherited one). As little as a
 * C runtime must do: the inherited entries are pointed at, not copied, and
 * the array and the six CNI entries are one allocation. Free with
 * bench_env_free. */
extern char **environ;
static inline char **bench_env(const char *command, const char *container_id, const char *netns,
                               const char *ifname, const char *path) {
  enum { CNI_VARS = 6 };
  static const char *const names[CNI_VARS] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS",
                                              "CNI_ARGS",    "CNI_IFNAME",      "CNI_PATH"};
  const char *values[CNI_VARS] = {command, container_id, netns, "", ifname, path};
  size_t n = 0, text = 0;
  while (environ[n])
    n++;
  size_t name_len[CNI_VARS], value_len[CNI_VARS];
  for (size_t j = 0; j < CNI_VARS; j++) {
    name_len[j] = strlen(names[j]);
    value_len[j] = strlen(values[j]);
    text += name_len[j] + value_len[j] + 2;
  }
  size_t slots = n + CNI_VARS + 1;
  char **env = malloc(slots * sizeof *env + text);
  if (!env)
    bench_die("out of memory");
  char *at = (char *)(env + slots);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int skip = 0;
    if (strncmp(environ[i], "CNI_", 4) == 0)
      for (size_t j = 0; j < CNI_VARS && !skip; j++)
        skip = strncmp(environ[i], names[j], name_len[j]) == 0 && environ[i][name_len[j]] == '=';
    if (!skip)
      env[k++] = environ[i];
  }
  for (size_t j = 0; j < CNI_VARS; j++) {
    env[k++] = at;
    memcpy(at, names[j], name_len[j]);
    at += name_len[j];
    *at++ = '=';
    memcpy(at, values[j], value_len[j] + 1);
    at += value_len[j] + 1;
  }
  env[k] = NULL;
  return env;
}

static inline void bench_env_free(char **env) { free(env); }

/* Cancel-from-another-thread helper: fire(arg) after ms milliseconds. */
struct bench_canceller {
  pthread_t thread;
  long ms;
  void (*fire)(void *arg);
  void *arg;
  uint64_t fired_ns;
};

static void *bench_canceller_main(void *p) {
  struct bench_canceller *c = p;
  struct timespec ts = {c->ms / 1000, (c->ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
  c->fired_ns = bench_now_ns();
  c->fire(c->arg);
  return NULL;
}

static inline void bench_canceller_start(struct bench_canceller *c, long ms, void (*fire)(void *),
                                         void *arg) {
  c->ms = ms;
  c->fire = fire;
  c->arg = arg;
  c->fired_ns = 0;
  if (pthread_create(&c->thread, NULL, bench_canceller_main, c) != 0)
    bench_die("pthread_create");
}

static inline uint64_t bench_canceller_join(struct bench_canceller *c) {
  pthread_join(c->thread, NULL);
  return c->fired_ns;
}

struct bench_worker {
  bench_call_fn call;
  void *state;
  const struct bench_opts *o;
  atomic_long *next;
  atomic_long *errors;
};

static void *bench_worker_main(void *p) {
  struct bench_worker *w = p;
  while (atomic_fetch_add(w->next, 1) < w->o->calls) {
    if (w->call(w->state, w->o, NULL) != 0)
      atomic_fetch_add(w->errors, 1);
  }
  return NULL;
}

/* Run the workload and print the result line. */
static inline int bench_run(const char *contender, const struct bench_opts *o, bench_call_fn call,
                            void *state) {
  bench_touch(o->touch_mib);
  /* RSS is measured from before the first call (warm-up included): a
   * runtime that keeps the heap it grew in the warm-up still counts it. */
  bench_reset_peak();
  long rss_base = bench_status_kib("VmRSS");
  uint64_t dummy;
  /* Warm up: page in the library, the plugin binary, the allocator (the
   * cancel workload too: two cancelled calls). */
  for (int i = 0; i < 2; i++)
    if (call(state, o, &dummy) != 0)
      bench_die("warm-up call failed");
  uint64_t *per_call = calloc((size_t)o->calls, sizeof *per_call);
  if (!per_call)
    bench_die("out of memory");
  long errors = 0;
  uint64_t t0 = bench_now_ns();
  if (o->threads == 0) {
    for (long i = 0; i < o->calls; i++) {
      uint64_t s = bench_now_ns(), cancel_ns = 0;
      if (call(state, o, &cancel_ns) != 0)
        errors++;
      per_call[i] = o->workload == W_CANCEL ? cancel_ns : bench_now_ns() - s;
    }
  } else {
    atomic_long next = 0, errs = 0;
    pthread_t *tids = calloc((size_t)o->threads, sizeof *tids);
    struct bench_worker w = {call, state, o, &next, &errs};
    for (long i = 0; i < o->threads; i++)
      if (pthread_create(&tids[i], NULL, bench_worker_main, &w) != 0)
        bench_die("pthread_create");
    for (long i = 0; i < o->threads; i++)
      pthread_join(tids[i], NULL);
    free(tids);
    errors = atomic_load(&errs);
  }
  uint64_t total = bench_now_ns() - t0;
  long rss_peak = bench_status_kib("VmHWM");

  printf("{\"contender\":\"%s\",\"workload\":\"%s\",\"threads\":%ld,\"touch_mib\":%ld,"
         "\"calls\":%ld,\"errors\":%ld,\"total_ns\":%llu,\"rss_base_kib\":%ld,"
         "\"rss_peak_kib\":%ld,\"per_call_ns\":[",
         contender, o->workload_name, o->threads, o->touch_mib, o->calls, errors,
         (unsigned long long)total, rss_base, rss_peak);
  if (o->threads == 0)
    for (long i = 0; i < o->calls; i++)
      printf("%s%llu", i ? "," : "", (unsigned long long)per_call[i]);
  printf("]}\n");
  fflush(stdout);
  free(per_call);
  return errors ? 1 : 0;
}

#endif
