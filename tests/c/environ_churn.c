/* A host thread adds and removes environment names with setenv (glibc then
 * moves environ's array) while two others run plugins. With the
 * environment set on the calls' context (cni_context_set_environ) the
 * library never reads environ, so nothing it reads is freed under it. */
#include "cni_test.h"

#include <pthread.h>

extern char **environ;

static const char *NETCONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"x\"}";
static int stop = 0;

static void *churn(void *unused) {
  (void)unused;
  char name[64];
  for (int i = 0; !__atomic_load_n(&stop, __ATOMIC_RELAXED); i++) {
    for (int k = 0; k < 64; k++) {
      snprintf(name, sizeof name, "CNIINVOKE_CHURN_%d_%d", i, k);
      setenv(name, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1);
    }
    for (int k = 0; k < 64; k++) {
      snprintf(name, sizeof name, "CNIINVOKE_CHURN_%d_%d", i, k);
      unsetenv(name);
    }
  }
  return NULL;
}

struct caller {
  const cni_context *ctx;
  const char *plugin, *args;
  int calls, failures;
};

static void *calls(void *arg) {
  struct caller *c = arg;
  while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
    cni_error *err = NULL;
    cni_status st =
        cni_exec_plugin_without_result(NULL, c->ctx, c->plugin, NETCONF, c->args, &err);
    if (st == CNI_STATUS_OK) {
      c->calls++;
    } else {
      fprintf(stderr, "call failed: %s\n", cni_error_msg(err));
      c->failures++;
    }
    cni_error_free(err);
  }
  return NULL;
}

/* This process's environment as one block, read before the churn starts. */
static uint8_t *environ_block(size_t *len) {
  size_t n = 0;
  for (char **e = environ; *e != NULL; e++) n += strlen(*e) + 1;
  uint8_t *block = malloc(n + 1);
  size_t at = 0;
  for (char **e = environ; *e != NULL; e++) {
    size_t l = strlen(*e) + 1;
    memcpy(block + at, *e, l);
    at += l;
  }
  *len = n;
  return block;
}

int main(void) {
  size_t len;
  uint8_t *block = environ_block(&len);
  cni_context *ctx = cni_context_new();
  cni_error *err = NULL;
  CHECK_STATUS(cni_context_set_environ(ctx, block, len, &err), CNI_STATUS_OK, err);
  free(block); /* copied */
  char *args = args_json("DEL", NULL);
  /* Read before the churn: this thread's getenv would race with it too. */
  char *plugin = strdup(test_plugin());

  struct caller callers[2] = {{ctx, plugin, args, 0, 0}, {ctx, plugin, args, 0, 0}};
  pthread_t churner, threads[2];
  pthread_create(&churner, NULL, churn, NULL);
  for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, calls, &callers[i]);
  double until = now_ms() + 1000;
  while (now_ms() < until) usleep(10000);
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  pthread_join(churner, NULL);
  for (int i = 0; i < 2; i++) {
    pthread_join(threads[i], NULL);
    CHECK(callers[i].calls > 0);
    CHECK(callers[i].failures == 0);
  }
  free(args);
  free(plugin);
  cni_context_free(ctx);
  TEST_DONE();
}
