/* Helpers shared by the C tests of the C ABI (tests/c_abi.rs builds and
 * runs them). Header-only: each test is one .c file.
 *
 * Environment set by the harness:
 *   CNI_TEST_PLUGIN   path of the built test plugin (tests/plugin)
 */
#ifndef CNI_TEST_H
#define CNI_TEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cniinvoke.h"

static int cni_test_failures = 0;

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      cni_test_failures++;                                                    \
    }                                                                         \
  } while (0)

#define CHECK_STR(a, b)                                                       \
  do {                                                                        \
    const char *a_ = (a), *b_ = (b);                                          \
    if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                    \
      fprintf(stderr, "%s:%d: CHECK_STR failed: %s == %s\n  got:  %s\n  want: %s\n", \
              __FILE__, __LINE__, #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
      cni_test_failures++;                                                    \
    }                                                                         \
  } while (0)

#define CHECK_CONTAINS(hay, needle)                                           \
  do {                                                                        \
    const char *h_ = (hay), *n_ = (needle);                                   \
    if (h_ == NULL || strstr(h_, n_) == NULL) {                               \
      fprintf(stderr, "%s:%d: CHECK_CONTAINS failed: %s in %s\n  got: %s\n",  \
              __FILE__, __LINE__, n_, #hay, h_ ? h_ : "(null)");              \
      cni_test_failures++;                                                    \
    }                                                                         \
  } while (0)

/* Check a status; on mismatch print the error's message. */
#define CHECK_STATUS(call_status, want, err)                                  \
  do {                                                                        \
    cni_status s_ = (call_status);                                            \
    if (s_ != (want)) {                                                       \
      fprintf(stderr, "%s:%d: status %d, want %d (%s); error: %s\n", __FILE__, \
              __LINE__, (int)s_, (int)(want), #want, cni_error_msg(err));     \
      cni_test_failures++;                                                    \
    }                                                                         \
  } while (0)

#define TEST_DONE()                                                           \
  do {                                                                        \
    if (cni_test_failures) {                                                  \
      fprintf(stderr, "%d check(s) failed\n", cni_test_failures);             \
      return 1;                                                               \
    }                                                                         \
    printf("all checks passed\n");                                            \
    return 0;                                                                 \
  } while (0)

static inline const char *test_plugin(void) {
  const char *p = getenv("CNI_TEST_PLUGIN");
  if (p == NULL || *p == '\0') {
    fprintf(stderr, "CNI_TEST_PLUGIN is not set\n");
    exit(2);
  }
  return p;
}

/* A fresh scratch directory (not removed: it lives under the harness's
 * scratch tree, which the harness removes). */
static inline const char *scratch_dir(void) {
  static char dir[4096];
  if (dir[0] == '\0') {
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/cni-c-test-XXXXXX", base && *base ? base : "/tmp");
    if (mkdtemp(dir) == NULL) {
      perror("mkdtemp");
      exit(2);
    }
  }
  return dir;
}

/* Write `json` as debug file `name` in the scratch directory; returns its
 * path, in static storage valid until exit. */
static inline const char *debug_file(const char *name, const char *json) {
  static char paths[128][1024];
  static int next = 0;
  char *path = paths[next++ % 128];
  snprintf(path, sizeof paths[0], "%s/%s", scratch_dir(), name);
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    perror("fopen");
    exit(2);
  }
  fputs(json, f);
  fclose(f);
  return path;
}

/* Whether the harness runs this program under valgrind (which turns
 * posix_spawn into fork, so exec failures look like exit status 127). */
static inline int under_valgrind(void) { return getenv("CNI_UNDER_VALGRIND") != NULL; }

/* Line-buffered stdout, so nothing buffered is duplicated into a child. */
__attribute__((constructor)) static void cni_test_init(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

/* args_json for `command` pointing the plugin at `debug` (may be NULL).
 * Returned string is malloc'd. */
static inline char *args_json(const char *command, const char *debug) {
  char *out = malloc(8192);
  if (debug != NULL) {
    snprintf(out, 8192,
             "{\"command\":\"%s\",\"containerId\":\"ctr-1\",\"netns\":\"/var/run/netns/x\","
             "\"ifName\":\"eth0\",\"path\":\"/opt/cni/bin\",\"pluginArgs\":[[\"DEBUG\",\"%s\"]]}",
             command, debug);
  } else {
    snprintf(out, 8192,
             "{\"command\":\"%s\",\"containerId\":\"ctr-1\",\"netns\":\"/var/run/netns/x\","
             "\"ifName\":\"eth0\",\"path\":\"/opt/cni/bin\"}",
             command);
  }
  return out;
}

/* Monotonic milliseconds. */
#include <time.h>
static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#endif
