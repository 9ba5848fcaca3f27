/*
 * libcniinvoke through its C ABI (include/cniinvoke.h), as a C runtime
 * calls it: cni_exec_plugin_with_result for ADD, cni_get_version_info for
 * VERSION, a raw exec discarding stderr with cni_exec_plugin_without_result
 * for the output workload, and a cni_context cancelled from another thread.
 */
#include "common.h"

#include <cniinvoke.h>

static const char *ARGS_JSON =
    "{\"command\":\"ADD\",\"containerId\":\"" BENCH_CONTAINER_ID "\",\"netns\":\"" BENCH_NETNS
    "\",\"ifName\":\"" BENCH_IFNAME "\",\"path\":\"" BENCH_CNI_PATH "\"}";

struct state {
  cni_exec *discard; /* RawExec{Stderr: io.Discard} */
};

static int check(cni_status st, cni_error *err, cni_status want) {
  if (st == want) {
    if (err)
      cni_error_free(err);
    return 0;
  }
  fprintf(stderr, "capi: status %d: %s\n", (int)st, err ? cni_error_msg(err) : "(no error)");
  if (err)
    cni_error_free(err);
  return -1;
}

static void fire(void *ctx) { cni_context_cancel(ctx); }

static int call(void *state, const struct bench_opts *o, uint64_t *cancel_ns) {
  struct state *s = state;
  cni_error *err = NULL;
  char *out = NULL;
  cni_status st;
  switch (o->workload) {
  case W_ADD:
    st = cni_exec_plugin_with_result(NULL, NULL, o->plugin, BENCH_NETCONF, ARGS_JSON, &out, &err);
    cni_string_free(out);
    return check(st, err, CNI_STATUS_OK);
  case W_VERSION:
    st = cni_get_version_info(NULL, NULL, o->plugin, &out, &err);
    cni_string_free(out);
    return check(st, err, CNI_STATUS_OK);
  case W_OUTPUT:
    st = cni_exec_plugin_without_result(s->discard, NULL, o->plugin, BENCH_NETCONF, ARGS_JSON,
                                        &err);
    return check(st, err, CNI_STATUS_OK);
  case W_CANCEL: {
    cni_context *ctx = cni_context_new();
    struct bench_canceller c;
    bench_canceller_start(&c, o->cancel_after_ms, fire, ctx);
    st = cni_exec_plugin_with_result(NULL, ctx, o->plugin, BENCH_NETCONF, ARGS_JSON, &out, &err);
    uint64_t done = bench_now_ns();
    *cancel_ns = done - bench_canceller_join(&c);
    cni_string_free(out);
    cni_context_free(ctx);
    return check(st, err, CNI_STATUS_CANCELLED);
  }
  }
  return -1;
}

int main(int argc, char **argv) {
  struct bench_opts o;
  bench_parse(argc, argv, &o);
  struct state s = {NULL};
  cni_error *err = NULL;
  if (check(cni_exec_new_raw("{\"stderr\":\"discard\"}", &s.discard, &err), err, CNI_STATUS_OK))
    return 2;
  int rc = bench_run("capi", &o, call, &s);
  cni_exec_free(s.discard);
  return rc;
}
