/*
 * libcniinvoke through its C ABI (include/cniinvoke.h), as a C runtime
 * calls it: cni_exec_plugin_with_result for ADD, cni_get_version_info for
 * VERSION, a raw exec discarding stderr with cni_exec_plugin_without_result
 * for the output workload, a cni_context cancelled from another thread, and
 * cni_network_list_add + cni_network_list_del on one cni_config for the
 * list workload (list.h).
 */
#include "list.h"

#include <cniinvoke.h>

static const char *ARGS_JSON =
    "{\"command\":\"ADD\",\"containerId\":\"" BENCH_CONTAINER_ID "\",\"netns\":\"" BENCH_NETNS
    "\",\"ifName\":\"" BENCH_IFNAME "\",\"path\":\"" BENCH_CNI_PATH "\"}";

struct state {
  cni_exec *discard; /* RawExec{Stderr: io.Discard} */
  cni_config *cfg;   /* the list workload's */
  char *list;
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

static int list_call(const struct state *s) {
  char cid[64], rt[256];
  bench_list_container_id(cid, sizeof cid);
  snprintf(rt, sizeof rt,
           "{\"containerId\":\"%s\",\"netns\":\"" BENCH_NETNS "\",\"ifName\":\"" BENCH_IFNAME
           "\"}",
           cid);
  cni_error *err = NULL;
  char *out = NULL;
  cni_status st = cni_network_list_add(s->cfg, NULL, s->list, rt, &out, &err);
  cni_string_free(out);
  if (check(st, err, CNI_STATUS_OK))
    return -1;
  err = NULL;
  st = cni_network_list_del(s->cfg, NULL, s->list, rt, &err);
  return check(st, err, CNI_STATUS_OK);
}

/* The list workload's config: the plugin's directory, BENCH_CACHE_DIR,
 * BENCH_CACHE_SYNC. */
static int list_setup(struct state *s, const struct bench_opts *o) {
  struct bench_list_plugin p;
  bench_list_plugin(o->plugin, &p);
  s->list = bench_list_text(p.type);
  char paths[4200];
  snprintf(paths, sizeof paths, "[\"%s\"]", p.dir);
  cni_error *err = NULL;
  if (check(cni_config_new(paths, bench_cache_dir(), NULL, &s->cfg, &err), err, CNI_STATUS_OK))
    return -1;
  err = NULL;
  const char *opts = bench_cache_sync() ? "{\"cacheSync\":true}" : "{\"cacheSync\":false}";
  return check(cni_config_set_options(s->cfg, opts, &err), err, CNI_STATUS_OK);
}

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
  case W_LIST:
    return list_call(s);
  }
  return -1;
}

int main(int argc, char **argv) {
  struct bench_opts o;
  bench_parse(argc, argv, &o);
  struct state s = {NULL, NULL, NULL};
  cni_error *err = NULL;
  if (check(cni_exec_new_raw("{\"stderr\":\"discard\"}", &s.discard, &err), err, CNI_STATUS_OK))
    return 2;
  if (o.workload == W_LIST && list_setup(&s, &o))
    return 2;
  int rc = bench_run("capi", &o, call, &s);
  cni_config_free(s.cfg);
  free(s.list);
  cni_exec_free(s.discard);
  return rc;
}
