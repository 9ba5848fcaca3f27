/* The network-list layer through the C ABI: cni_config, list ADD / CHECK /
 * DEL / GC / STATUS with the cache, single-plugin calls, the configuration
 * functions, cni_error_cause, NULLs and malformed JSON. Real processes (the
 * test plugin) for the cache round trip; a C exec (the upstream fake
 * pattern) to see exactly what each plugin of a chain is sent. */
#include "cni_test.h"

#include <libgen.h>
#include <sys/stat.h>

static char plugin_dir[4096];
static char cache_dir[4096];
static char paths_json[8192];

/* A chain of two test plugins found by name in plugin_dir. */
static const char *LIST =
    "{\"cniVersion\":\"1.0.0\",\"name\":\"cnet\",\"plugins\":["
    "{\"type\":\"cni-test-plugin\"},"
    "{\"type\":\"cni-test-plugin\",\"capabilities\":{\"portMappings\":true}}]}";

static const char *RT =
    "{\"containerId\":\"ctr-c\",\"netns\":\"/var/run/netns/c\",\"ifName\":\"eth0\","
    "\"args\":[[\"K\",\"V\"]],\"capabilityArgs\":{\"portMappings\":[{\"hostPort\":8080}],"
    "\"other\":1}}";

static void setup(void) {
  const char *p = test_plugin();
  char copy[4096];
  snprintf(copy, sizeof copy, "%s", p);
  snprintf(plugin_dir, sizeof plugin_dir, "%s", dirname(copy));
  snprintf(cache_dir, sizeof cache_dir, "%s/cache", scratch_dir());
  snprintf(paths_json, sizeof paths_json, "[\"/nonexistent\",\"%s\"]", plugin_dir);
}

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static void test_list_round_trip(void) {
  cni_config *cfg = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_config_new(paths_json, cache_dir, NULL, &cfg, &err), CNI_STATUS_OK, err);
  CHECK(cfg != NULL);

  char *result = NULL;
  CHECK_STATUS(cni_network_list_add(cfg, NULL, LIST, RT, &result, &err), CNI_STATUS_OK, err);
  CHECK(err == NULL);
  CHECK_CONTAINS(result, "\"cniVersion\":\"1.0.0\"");

  char entry[8192];
  snprintf(entry, sizeof entry, "%s/results/cnet-ctr-c-eth0", cache_dir);
  CHECK(file_exists(entry));
  struct stat st;
  CHECK(stat(entry, &st) == 0 && (st.st_mode & 0777) == 0600);

  char *cached = NULL;
  CHECK_STATUS(cni_network_list_cached_result(cfg, LIST, RT, &cached, &err), CNI_STATUS_OK, err);
  CHECK_STR(cached, result);
  cni_string_free(cached);

  char *conf = NULL;
  CHECK_STATUS(cni_network_list_cached_config(cfg, LIST, RT, &conf, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(conf, "\"config\":\"{\\\"cniVersion\\\":\\\"1.0.0\\\"");
  CHECK_CONTAINS(conf, "\"containerId\":\"ctr-c\"");
  CHECK_CONTAINS(conf, "\"args\":[[\"K\",\"V\"]]");
  cni_string_free(conf);

  char *atts = NULL;
  CHECK_STATUS(cni_cached_attachments(cfg, "ctr-c", &atts, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(atts, "\"network\":\"cnet\"");
  CHECK_CONTAINS(atts, "\"ifName\":\"eth0\"");
  cni_string_free(atts);
  CHECK_STATUS(cni_cached_attachments(cfg, "nobody", &atts, &err), CNI_STATUS_OK, err);
  CHECK_STR(atts, "[]");
  cni_string_free(atts);

  CHECK_STATUS(cni_network_list_check(cfg, NULL, LIST, RT, &err), CNI_STATUS_OK, err);
  CHECK_STATUS(cni_network_list_status(cfg, NULL, LIST, &err), CNI_STATUS_OK, err);

  char *caps = NULL;
  CHECK_STATUS(cni_network_list_validate(cfg, NULL, LIST, &caps, &err), CNI_STATUS_OK, err);
  CHECK_STR(caps, "[\"portMappings\"]");
  cni_string_free(caps);

  char *info = NULL;
  CHECK_STATUS(cni_config_version_info(cfg, NULL, "cni-test-plugin", &info, &err), CNI_STATUS_OK,
               err);
  CHECK_CONTAINS(info, "\"supportedVersions\"");
  cni_string_free(info);

  CHECK_STATUS(cni_network_list_del(cfg, NULL, LIST, RT, &err), CNI_STATUS_OK, err);
  CHECK(!file_exists(entry));
  cached = (char *)1;
  CHECK_STATUS(cni_network_list_cached_result(cfg, LIST, RT, &cached, &err), CNI_STATUS_OK, err);
  CHECK(cached == NULL);
  conf = (char *)1;
  CHECK_STATUS(cni_network_list_cached_config(cfg, LIST, RT, &conf, &err), CNI_STATUS_OK, err);
  CHECK(conf == NULL);
  /* A second DEL of nothing succeeds. */
  CHECK_STATUS(cni_network_list_del(cfg, NULL, LIST, RT, &err), CNI_STATUS_OK, err);
  cni_string_free(result);

  /* GC with nothing valid removes a fresh attachment again. */
  CHECK_STATUS(cni_network_list_add(cfg, NULL, LIST, RT, &result, &err), CNI_STATUS_OK, err);
  cni_string_free(result);
  CHECK(file_exists(entry));
  CHECK_STATUS(cni_network_list_gc(cfg, NULL, LIST,
                                   "{\"validAttachments\":[{\"containerID\":\"other\","
                                   "\"ifname\":\"eth0\"}]}",
                                   &err),
               CNI_STATUS_OK, err);
  CHECK(!file_exists(entry));
  CHECK_STATUS(cni_network_list_gc(cfg, NULL, LIST, NULL, &err), CNI_STATUS_OK, err);

  cni_config_free(cfg);
}

static void test_single_plugin(void) {
  const char *net = "{\"cniVersion\":\"0.4.0\",\"name\":\"single\",\"type\":\"cni-test-plugin\"}";
  const char *rt = "{\"containerId\":\"ctr-s\",\"ifName\":\"net1\"}";
  cni_config *cfg = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_config_new(paths_json, cache_dir, NULL, &cfg, &err), CNI_STATUS_OK, err);
  char *result = NULL;
  CHECK_STATUS(cni_network_add(cfg, NULL, net, rt, &result, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(result, "\"cniVersion\":\"0.4.0\"");
  char *cached = NULL;
  CHECK_STATUS(cni_network_cached_result(cfg, net, rt, &cached, &err), CNI_STATUS_OK, err);
  CHECK_STR(cached, result);
  cni_string_free(cached);
  cni_string_free(result);
  char *conf = NULL;
  CHECK_STATUS(cni_network_cached_config(cfg, net, rt, &conf, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(conf, "\"ifName\":\"net1\"");
  cni_string_free(conf);
  CHECK_STATUS(cni_network_check(cfg, NULL, net, rt, &err), CNI_STATUS_OK, err);
  char *caps = NULL;
  CHECK_STATUS(cni_network_validate(cfg, NULL, net, &caps, &err), CNI_STATUS_OK, err);
  CHECK_STR(caps, "[]");
  cni_string_free(caps);
  CHECK_STATUS(cni_network_del(cfg, NULL, net, rt, &err), CNI_STATUS_OK, err);
  cached = (char *)1;
  CHECK_STATUS(cni_network_cached_result(cfg, net, rt, &cached, &err), CNI_STATUS_OK, err);
  CHECK(cached == NULL);
  cni_config_free(cfg);
}

/* --- a C exec that answers as each plugin of a chain, recording stdin --- */

struct chain {
  int calls;
  char stdin_seen[4][4096];
  int fail_at; /* 1-based call that fails, 0 = none */
};

static cni_status chain_exec(void *ud, const cni_context *ctx, const char *plugin_path,
                             const uint8_t *stdin_data, size_t stdin_len,
                             const char *const *environ, cni_buffer *stdout_out, cni_error **err) {
  struct chain *c = ud;
  (void)ctx;
  (void)plugin_path;
  int is_add = 0;
  for (const char *const *e = environ; e && *e; e++)
    if (strcmp(*e, "CNI_COMMAND=ADD") == 0) is_add = 1;
  int n = c->calls++;
  if (n < 4) {
    size_t len = stdin_len < 4095 ? stdin_len : 4095;
    memcpy(c->stdin_seen[n], stdin_data, len);
    c->stdin_seen[n][len] = '\0';
  }
  if (c->fail_at == n + 1) {
    *err = cni_error_new(7, "chain: refused", "second plugin");
    return CNI_STATUS_PLUGIN_ERROR;
  }
  if (is_add) {
    char out[256];
    snprintf(out, sizeof out,
             "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"if%d\"}]}", n);
    cni_buffer_append(stdout_out, (const uint8_t *)out, strlen(out));
  }
  return CNI_STATUS_OK;
}

static cni_status chain_find(void *ud, const char *plugin, const char *const *paths,
                             size_t n_paths, cni_buffer *path_out, cni_error **err) {
  (void)ud;
  (void)paths;
  (void)n_paths;
  if (strcmp(plugin, "missing") == 0) {
    *err = cni_error_new(0, "chain: no such plugin", NULL);
    return CNI_STATUS_NOT_FOUND;
  }
  char out[512];
  snprintf(out, sizeof out, "/fake/%s", plugin);
  cni_buffer_append(path_out, (const uint8_t *)out, strlen(out));
  return CNI_STATUS_OK;
}

static const char *CHAIN =
    "{\"cniVersion\":\"1.0.0\",\"name\":\"chain\",\"plugins\":["
    "{\"type\":\"first\"},"
    "{\"type\":\"second\",\"name\":\"two\",\"capabilities\":{\"portMappings\":true}}]}";

static void test_chain_with_c_exec(void) {
  struct chain c = {0};
  cni_exec_vtable vt = {0};
  vt.exec_plugin = chain_exec;
  vt.find_in_path = chain_find;
  cni_exec *exec = cni_exec_new_custom(&vt, &c);
  cni_config *cfg = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_config_new("[\"/x\"]", cache_dir, exec, &cfg, &err), CNI_STATUS_OK, err);
  cni_exec_free(exec); /* the config keeps its own reference */

  char *result = NULL;
  CHECK_STATUS(cni_network_list_add(cfg, NULL, CHAIN, RT, &result, &err), CNI_STATUS_OK, err);
  CHECK(c.calls == 2);
  /* The first plugin: name and version injected, no prevResult, no
   * runtimeConfig (it declares no capability). */
  CHECK_CONTAINS(c.stdin_seen[0], "\"name\":\"chain\"");
  CHECK(strstr(c.stdin_seen[0], "prevResult") == NULL);
  CHECK(strstr(c.stdin_seen[0], "runtimeConfig") == NULL);
  /* The second: the first's result as prevResult, and only the capability
   * it declares. */
  CHECK_CONTAINS(c.stdin_seen[1], "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"if0\"}]}");
  CHECK_CONTAINS(c.stdin_seen[1], "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080}]}");
  CHECK(strstr(c.stdin_seen[1], "other") == NULL);
  CHECK_CONTAINS(result, "if1");
  cni_string_free(result);

  /* DEL runs the plugins in reverse, with the cached result. */
  c.calls = 0;
  CHECK_STATUS(cni_network_list_del(cfg, NULL, CHAIN, RT, &err), CNI_STATUS_OK, err);
  CHECK(c.calls == 2);
  CHECK_CONTAINS(c.stdin_seen[0], "\"type\":\"second\"");
  CHECK_CONTAINS(c.stdin_seen[0], "\"prevResult\":{");
  CHECK_CONTAINS(c.stdin_seen[1], "\"type\":\"first\"");

  /* A failure in the second plugin: the list's text, its cause the
   * plugin's own error. */
  c.calls = 0;
  c.fail_at = 2;
  result = NULL;
  CHECK_STATUS(cni_network_list_add(cfg, NULL, CHAIN, RT, &result, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(result == NULL);
  /* Go's %w of a *types.Error prints "msg; details". */
  CHECK_STR(cni_error_msg(err),
            "plugin type=\"second\" name=\"two\" failed (add): chain: refused; second plugin");
  const cni_error *cause = cni_error_cause(err);
  CHECK(cause != NULL);
  CHECK(cni_error_code(cause) == 7);
  CHECK_STR(cni_error_msg(cause), "chain: refused");
  CHECK_STR(cni_error_details(cause), "second plugin");
  CHECK(cni_error_cause(cause) == NULL);
  cni_error_free(err);
  err = NULL;

  /* Cleanup on failure: the failed ADD is followed by the list's DEL. */
  CHECK_STATUS(cni_config_set_options(cfg, "{\"cleanupOnFailure\":true}", &err), CNI_STATUS_OK,
               err);
  c.calls = 0;
  c.fail_at = 2;
  CHECK_STATUS(cni_network_list_add(cfg, NULL, CHAIN, RT, &result, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(c.calls == 4); /* 2 ADD, then DEL of both */
  cni_error_free(err);
  err = NULL;
  c.fail_at = 0;

  /* A plugin that is not found: wrapped, status of the cause. */
  const char *missing =
      "{\"cniVersion\":\"1.0.0\",\"name\":\"m\",\"plugins\":[{\"type\":\"missing\"}]}";
  CHECK_STATUS(cni_network_list_add(cfg, NULL, missing, RT, &result, &err), CNI_STATUS_NOT_FOUND,
               err);
  CHECK_STR(cni_error_msg(err), "plugin type=\"missing\" failed (add): chain: no such plugin");
  cni_error_free(err);
  err = NULL;

  /* CHECK below 0.4.0. */
  const char *old =
      "{\"cniVersion\":\"0.3.1\",\"name\":\"old\",\"plugins\":[{\"type\":\"first\"}]}";
  CHECK(cni_network_list_check(cfg, NULL, old, RT, &err) != CNI_STATUS_OK);
  CHECK_STR(cni_error_msg(err), "configuration version \"0.3.1\" does not support the CHECK command");
  cni_error_free(err);
  err = NULL;

  /* A cancelled context stops the chain before the first plugin. */
  cni_context *ctx = cni_context_new();
  cni_context_cancel(ctx);
  c.calls = 0;
  CHECK_STATUS(cni_network_list_add(cfg, ctx, CHAIN, RT, &result, &err), CNI_STATUS_CANCELLED,
               err);
  CHECK(c.calls == 0);
  cni_error_free(err);
  err = NULL;
  cni_context_free(ctx);

  cni_config_free(cfg);
}

static void test_conf_functions(void) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/netd", scratch_dir());
  mkdir(dir, 0700);
  char path[8192];
  snprintf(path, sizeof path, "%s/10-a.conflist", dir);
  FILE *f = fopen(path, "w");
  fputs("{\"cniVersion\":\"1.0.0\",\"name\":\"alpha\",\"plugins\":[{\"type\":\"bridge\"}]}", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/20-b.conf", dir);
  f = fopen(path, "w");
  fputs("{\"cniVersion\":\"0.4.0\",\"name\":\"beta\",\"type\":\"ptp\"}", f);
  fclose(f);

  cni_error *err = NULL;
  char *files = NULL;
  CHECK_STATUS(cni_conf_files(dir, "[\".conf\",\".conflist\"]", &files, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(files, "10-a.conflist");
  CHECK_CONTAINS(files, "20-b.conf");
  cni_string_free(files);

  char *list = NULL;
  CHECK_STATUS(cni_load_network_conf(dir, "alpha", &list, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(list, "\"name\":\"alpha\"");
  cni_string_free(list);
  CHECK_STATUS(cni_load_network_conf(dir, "beta", &list, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(list, "\"plugins\":[");
  CHECK_CONTAINS(list, "\"type\":\"ptp\"");
  cni_string_free(list);

  list = (char *)1;
  CHECK_STATUS(cni_load_network_conf(dir, "gamma", &list, &err), CNI_STATUS_NOT_FOUND, err);
  CHECK(list == NULL);
  char want[8192];
  snprintf(want, sizeof want, "no net configuration with name \"gamma\" in %s", dir);
  CHECK_STR(cni_error_msg(err), want);
  cni_error_free(err);
  err = NULL;

  char *converted = NULL;
  CHECK_STATUS(cni_netlist_from_conf("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"t\"}",
                                     &converted, &err),
               CNI_STATUS_OK, err);
  CHECK_CONTAINS(converted, "\"plugins\":[");
  cni_string_free(converted);

  char *injected = NULL;
  CHECK_STATUS(cni_inject_conf("{\"type\":\"t\",\"name\":\"n\"}", "{\"b\":\"<&>\",\"a\":1}",
                               &injected, &err),
               CNI_STATUS_OK, err);
  CHECK_STR(injected, "{\"a\":1,\"b\":\"\\u003c\\u0026\\u003e\",\"name\":\"n\",\"type\":\"t\"}");
  cni_string_free(injected);
}

static void test_bad_arguments(void) {
  cni_error *err = NULL;
  cni_config *cfg = NULL;
  CHECK_STATUS(cni_config_new(NULL, NULL, NULL, &cfg, &err), CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_config_new("not json", NULL, NULL, &cfg, &err), CNI_STATUS_INVALID_ARGUMENT,
               err);
  cni_error_free(err);
  CHECK_STATUS(cni_config_new("[]", NULL, NULL, NULL, &err), CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_config_new(paths_json, cache_dir, NULL, &cfg, &err), CNI_STATUS_OK, err);

  char *out = NULL;
  CHECK_STATUS(cni_network_list_add(NULL, NULL, LIST, RT, &out, &err), CNI_STATUS_INVALID_ARGUMENT,
               err);
  CHECK_CONTAINS(cni_error_msg(err), "`cfg` is NULL");
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_add(cfg, NULL, NULL, RT, &out, &err), CNI_STATUS_INVALID_ARGUMENT,
               err);
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_add(cfg, NULL, LIST, NULL, &out, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_add(cfg, NULL, LIST, RT, NULL, &err), CNI_STATUS_INVALID_ARGUMENT,
               err);
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_add(cfg, NULL, "{not json", RT, &out, &err),
               CNI_STATUS_DECODE_ERROR, err);
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_add(cfg, NULL, LIST, "{\"bogus\":1}", &out, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_add(cfg, NULL, LIST, "[]", &out, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  /* Invalid UTF-8 in the list. */
  CHECK_STATUS(cni_network_list_add(cfg, NULL, "{\"name\":\"\xff\"}", RT, &out, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  /* A container id that would escape the cache directory. */
  CHECK(cni_network_list_add(cfg, NULL, LIST, "{\"containerId\":\"../../etc\",\"ifName\":\"eth0\"}",
                             &out, &err) != CNI_STATUS_OK);
  CHECK(out == NULL);
  cni_error_free(err);
  CHECK_STATUS(cni_config_set_options(cfg, "{\"nope\":true}", &err), CNI_STATUS_INVALID_ARGUMENT,
               err);
  cni_error_free(err);
  CHECK_STATUS(cni_config_set_options(NULL, "{}", &err), CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_network_list_gc(cfg, NULL, LIST, "{\"validAttachments\":3}", &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_cached_attachments(cfg, NULL, &out, &err), CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_conf_files(NULL, "[]", &out, &err), CNI_STATUS_INVALID_ARGUMENT, err);
  cni_error_free(err);
  CHECK_STATUS(cni_inject_conf("{\"type\":\"t\"}", "[1]", &out, &err), CNI_STATUS_INVALID_ARGUMENT,
               err);
  cni_error_free(err);
  CHECK(cni_error_cause(NULL) == NULL);
  /* err may be NULL. */
  CHECK(cni_network_list_add(cfg, NULL, NULL, RT, &out, NULL) == CNI_STATUS_INVALID_ARGUMENT);
  cni_config_free(cfg);
  cni_config_free(NULL);
}

int main(void) {
  setup();
  test_list_round_trip();
  test_single_plugin();
  test_chain_with_c_exec();
  test_conf_functions();
  test_bad_arguments();
  TEST_DONE();
}
