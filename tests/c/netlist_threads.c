/* The list functions from many threads on one cni_config: ADD, CHECK, DEL,
 * GC and cached reads of attachments shared by every thread and of
 * attachments of each thread's own, a third of them under a deadline or
 * cancelled from another thread. Every call ends OK, CANCELLED or
 * TIMEOUT with its out-string set exactly when OK; afterwards a DEL of
 * every attachment leaves the cache empty (no entry, no lock file), and
 * no descriptor or child is left behind. */
#include "cni_test.h"

#include <dirent.h>
#include <libgen.h>
#include <pthread.h>
#include <sys/wait.h>

#define SHARED 4

static char cache_dir[4096];
static char paths_json[8192];

static const char *LIST =
    "{\"cniVersion\":\"1.1.0\",\"name\":\"tnet\",\"plugins\":["
    "{\"type\":\"cni-test-plugin\"},{\"type\":\"cni-test-plugin\"}]}";

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(d);
  return n;
}

static int count_fds(void) { return count_entries("/proc/self/fd") - 1; }

struct canceller {
  cni_context *ctx;
  int delay_ms;
};

static void *cancel_later(void *p) {
  struct canceller *c = p;
  usleep(c->delay_ms * 1000);
  cni_context_cancel(c->ctx);
  return NULL;
}

struct worker {
  const cni_config *cfg;
  int id;
  int calls;
  int failures;
  int ok, ended;
};

static void rt_json(char *out, size_t len, const char *ctr) {
  snprintf(out, len, "{\"containerId\":\"%s\",\"netns\":\"/var/run/netns/%s\",\"ifName\":\"eth0\"}",
           ctr, ctr);
}

/* One call's outcome: OK with the out-string, or ended by its context
 * without one. Anything else counts as a failure. */
static void judge(struct worker *w, const char *what, cni_status s, cni_error *err, char *out,
                  int has_out) {
  if (s == CNI_STATUS_OK) {
    w->ok++;
    if (err != NULL || (has_out && (out == NULL || strstr(out, "cniVersion") == NULL))) {
      fprintf(stderr, "thread %d: %s OK but err=%p out=%s\n", w->id, what, (void *)err,
              out ? out : "(null)");
      w->failures++;
    }
  } else if (s == CNI_STATUS_CANCELLED || s == CNI_STATUS_TIMEOUT) {
    w->ended++;
    if (err == NULL || cni_error_msg(err)[0] == '\0' || (has_out && out != NULL)) {
      fprintf(stderr, "thread %d: %s status %d without a proper error\n", w->id, what, (int)s);
      w->failures++;
    }
  } else {
    fprintf(stderr, "thread %d: %s status %d: %s\n", w->id, what, (int)s,
            err ? cni_error_msg(err) : "(no error)");
    w->failures++;
  }
  cni_error_free(err);
  cni_string_free(out);
}

static void one_call(struct worker *w, unsigned *seed) {
  char ctr[64], rt[256];
  int shared = rand_r(seed) % 2;
  if (shared)
    snprintf(ctr, sizeof ctr, "shared%d", rand_r(seed) % SHARED);
  else
    snprintf(ctr, sizeof ctr, "own%d", w->id);
  rt_json(rt, sizeof rt, ctr);

  cni_context *ctx = NULL;
  pthread_t t;
  struct canceller c = {NULL, 0};
  switch (rand_r(seed) % 6) {
  case 0:
    ctx = cni_context_with_timeout_ms(rand_r(seed) % 20);
    break;
  case 1:
    ctx = cni_context_new();
    c.ctx = ctx;
    c.delay_ms = rand_r(seed) % 20;
    pthread_create(&t, NULL, cancel_later, &c);
    break;
  default:
    break; /* NULL: no limit */
  }
  cni_error *err = NULL;
  char *out = NULL;
  cni_status s;
  switch (rand_r(seed) % 8) {
  case 0: case 1: case 2:
    s = cni_network_list_add(w->cfg, ctx, LIST, rt, &out, &err);
    judge(w, "add", s, err, out, 1);
    break;
  case 3: case 4:
    s = cni_network_list_del(w->cfg, ctx, LIST, rt, &err);
    judge(w, "del", s, err, NULL, 0);
    break;
  case 5:
    s = cni_network_list_check(w->cfg, ctx, LIST, rt, &err);
    judge(w, "check", s, err, NULL, 0);
    break;
  case 6:
    s = cni_network_list_cached_result(w->cfg, LIST, rt, &out, &err);
    /* NULL when nothing is cached. */
    if (s == CNI_STATUS_OK && out == NULL) out = strdup("{\"cniVersion\":\"none\"}");
    judge(w, "cached_result", s, err, out, 1);
    break;
  default: {
    char gc[256];
    snprintf(gc, sizeof gc, "{\"validAttachments\":[{\"containerID\":\"%s\",\"ifname\":\"eth0\"}]}",
             ctr);
    s = cni_network_list_gc(w->cfg, ctx, LIST, gc, &err);
    judge(w, "gc", s, err, NULL, 0);
    break;
  }
  }
  if (c.ctx != NULL) pthread_join(t, NULL);
  cni_context_free(ctx);
}

static void *work(void *p) {
  struct worker *w = p;
  unsigned seed = 7919u * (unsigned)w->id + 17u;
  for (int i = 0; i < w->calls; i++) one_call(w, &seed);
  return NULL;
}

int main(void) {
  const char *plugin = test_plugin();
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", plugin);
  snprintf(paths_json, sizeof paths_json, "[\"%s\"]", dirname(copy));
  snprintf(cache_dir, sizeof cache_dir, "%s/cache", scratch_dir());
  int threads = under_valgrind() ? 6 : 24;
  int calls = under_valgrind() ? 8 : 30;

  int fds_before = count_fds();
  cni_config *cfg = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_config_new(paths_json, cache_dir, NULL, &cfg, &err), CNI_STATUS_OK, err);
  CHECK_STATUS(cni_config_set_options(cfg, "{\"cleanupOnFailure\":true}", &err), CNI_STATUS_OK,
               err);

  struct worker ws[24];
  pthread_t ts[24];
  for (int i = 0; i < threads; i++) {
    ws[i] = (struct worker){cfg, i, calls, 0, 0, 0};
    pthread_create(&ts[i], NULL, work, &ws[i]);
  }
  int ok = 0, ended = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(ts[i], NULL);
    cni_test_failures += ws[i].failures;
    ok += ws[i].ok;
    ended += ws[i].ended;
  }
  printf("%d threads x %d calls: %d OK, %d ended by their context\n", threads, calls, ok, ended);
  CHECK(ok > 0);
  CHECK(ok + ended == threads * calls);

  /* A DEL of every attachment empties the cache. */
  char rt[256], ctr[64];
  for (int i = 0; i < SHARED + threads; i++) {
    if (i < SHARED)
      snprintf(ctr, sizeof ctr, "shared%d", i);
    else
      snprintf(ctr, sizeof ctr, "own%d", i - SHARED);
    rt_json(rt, sizeof rt, ctr);
    CHECK_STATUS(cni_network_list_del(cfg, NULL, LIST, rt, &err), CNI_STATUS_OK, err);
  }
  char *atts = NULL;
  CHECK_STATUS(cni_cached_attachments(cfg, "", &atts, &err), CNI_STATUS_OK, err);
  CHECK_STR(atts, "[]");
  cni_string_free(atts);
  char dir[8192];
  snprintf(dir, sizeof dir, "%s/results", cache_dir);
  CHECK(count_entries(dir) == 0);
  snprintf(dir, sizeof dir, "%s/locks", cache_dir);
  CHECK(count_entries(dir) == 0);
  cni_config_free(cfg);

  CHECK(count_fds() == fds_before);
  int status;
  CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
  TEST_DONE();
}
