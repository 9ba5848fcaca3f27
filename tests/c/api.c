/* Every function of the C ABI, every status value, NULL in each pointer
 * parameter, invalid UTF-8, malformed and wrong-typed JSON, plugin results
 * and errors through cni_error_*, the VERSION fallback, delegation,
 * args_as_env and result conversion. Runs the real test plugin. */
#include "cni_test.h"

#include <fcntl.h>
#include <libgen.h>

static const char *BAD_UTF8 = "\xff\xfe";
static const char *NETCONF_100 = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"cni-test-plugin\"}";
static const char *RESULT_100 =
    "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/var/run/netns/x\"}],"
    "\"ips\":[{\"interface\":0,\"address\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\"}],\"dns\":{}}";

static char *plugin_dir(void) {
  char *copy = strdup(test_plugin());
  char *dir = strdup(dirname(copy));
  free(copy);
  return dir;
}

static char *read_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return NULL;
  char *buf = calloc(1, 1 << 20);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Expect `status` INVALID_ARGUMENT naming `arg` in the message. */
#define CHECK_INVALID(call, arg)                                              \
  do {                                                                        \
    cni_error *e_ = NULL;                                                     \
    cni_status st_ = call;                                                    \
    (void)st_;                                                                \
    CHECK_STATUS(st_, CNI_STATUS_INVALID_ARGUMENT, e_);                       \
    CHECK(e_ != NULL);                                                        \
    CHECK(cni_error_code(e_) == 0);                                           \
    CHECK_CONTAINS(cni_error_msg(e_), arg);                                   \
    cni_error_free(e_);                                                       \
  } while (0)

/* Expect INVALID_ARGUMENT with exactly `msg`. */
#define CHECK_INVALID_MSG(call, msg)                                          \
  do {                                                                        \
    cni_error *e_ = NULL;                                                     \
    CHECK_STATUS(call, CNI_STATUS_INVALID_ARGUMENT, e_);                      \
    CHECK(e_ != NULL);                                                        \
    CHECK_STR(cni_error_msg(e_), msg);                                        \
    cni_error_free(e_);                                                       \
  } while (0)

static void test_static_strings(void) {
  const char *v = cni_version();
  CHECK(v != NULL && strchr(v, '.') != NULL);
  const char *want = getenv("CNI_EXPECT_VERSION");
  if (want) CHECK_STR(v, want);
  CHECK_STR(cni_spec_version(), "1.1.0");
  CHECK_STR(cni_executable_file_extensions(), "[\"\"]");
  /* Static: same pointer each time. */
  CHECK(cni_version() == v);
}

static void test_status_values(void) {
  CHECK(CNI_STATUS_OK == 0);
  CHECK(CNI_STATUS_INVALID_ARGUMENT == 1);
  CHECK(CNI_STATUS_NOT_FOUND == 2);
  CHECK(CNI_STATUS_PLUGIN_ERROR == 3);
  CHECK(CNI_STATUS_EXEC_FAILED == 4);
  CHECK(CNI_STATUS_DECODE_ERROR == 5);
  CHECK(CNI_STATUS_UNSUPPORTED_VERSION == 6);
  CHECK(CNI_STATUS_TIMEOUT == 7);
  CHECK(CNI_STATUS_CANCELLED == 8);
  /* Produced only by a library bug; the mechanism is unit-tested in
   * src/ffi/panic.rs. */
  CHECK(CNI_STATUS_PANIC == 99);
}

static void test_errors(void) {
  cni_error *e = cni_error_new(7, "boom", "the details");
  CHECK(e != NULL);
  CHECK(cni_error_code(e) == 7);
  CHECK_STR(cni_error_msg(e), "boom");
  CHECK_STR(cni_error_details(e), "the details");
  CHECK(cni_error_exit_status(e) == NULL); /* not from a plugin process */
  CHECK(cni_error_exit_status(NULL) == NULL);
  char *json = NULL;
  cni_error *err = (cni_error *)0x1; /* set to NULL on success */
  CHECK_STATUS(cni_error_to_json(e, &json, &err), CNI_STATUS_OK, err);
  CHECK(err == NULL);
  CHECK_CONTAINS(json, "\"code\":7");
  CHECK_CONTAINS(json, "\"msg\":\"boom\"");
  CHECK_CONTAINS(json, "\"details\":\"the details\"");
  cni_string_free(json);
  /* err may be NULL */
  CHECK(cni_error_to_json(e, &json, NULL) == CNI_STATUS_OK);
  cni_string_free(json);
  CHECK_INVALID(cni_error_to_json(NULL, &json, &e_), "`e`");
  CHECK_INVALID(cni_error_to_json(e, NULL, &e_), "`json_out`");
  CHECK(cni_error_to_json(NULL, &json, NULL) == CNI_STATUS_INVALID_ARGUMENT);
  CHECK(json == NULL);
  cni_error_free(e);

  /* NULL and invalid UTF-8 in cni_error_new. */
  e = cni_error_new(0, NULL, NULL);
  CHECK_STR(cni_error_msg(e), "");
  CHECK_STR(cni_error_details(e), "");
  cni_error_free(e);
  e = cni_error_new(1, BAD_UTF8, "x");
  CHECK_STR(cni_error_msg(e), "\xef\xbf\xbd\xef\xbf\xbd");
  cni_error_free(e);

  /* NULL accessors and destructors. */
  CHECK(cni_error_code(NULL) == 0);
  CHECK_STR(cni_error_msg(NULL), "");
  CHECK_STR(cni_error_details(NULL), "");
  cni_error_free(NULL);
  cni_string_free(NULL);
}

/* cni_context_set_environ: the plugin inherits the block, not environ; a
 * child context inherits its parent's; NULL clears it; malformed blocks are
 * refused and leave the environment as it was. */
static void test_context_environ(cni_context *c) {
  cni_error *err = NULL;
  char rec[4096];
  snprintf(rec, sizeof rec, "%s/environ-record.json", scratch_dir());
  char dbg_json[8192];
  snprintf(dbg_json, sizeof dbg_json, "{\"record\":\"%s\"}", rec);
  const char *dbg = debug_file("environ.json", dbg_json);
  char *args = args_json("ADD", dbg);

  static const char block[] = "SNAP_ONE=1\0CNI_IFNAME=old\0SNAP_BYTES=\xff\0";
  CHECK_STATUS(cni_context_set_environ(c, (const uint8_t *)block, sizeof block - 1, &err),
               CNI_STATUS_OK, err);
  CHECK_INVALID(cni_context_set_environ(NULL, (const uint8_t *)block, 4, &e_), "`ctx`");
  CHECK_INVALID(cni_context_set_environ(c, NULL, 4, &e_), "`block`");
  CHECK_INVALID(cni_context_set_environ(c, (const uint8_t *)"A=1", 3, &e_), "NUL");
  CHECK_INVALID(cni_context_set_environ(c, (const uint8_t *)"A=1\0\0", 5, &e_), "entry 1 is empty");

  cni_context *child = cni_context_new_child(c);
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, child, test_plugin(), NETCONF_100, args, &err),
               CNI_STATUS_OK, err);
  char *seen = read_file(rec);
  CHECK_CONTAINS(seen, "\"envList\":[\"SNAP_ONE=1\",\"CNI_IFNAME=eth0\",\"SNAP_BYTES=");
  CHECK(seen == NULL || strstr(seen, "\"PATH\"") == NULL);
  CHECK_CONTAINS(seen, "\"CNI_COMMAND\":\"ADD\"");
  free(seen);

  /* Cleared: this process's environment again. */
  CHECK_STATUS(cni_context_set_environ(c, NULL, 0, &err), CNI_STATUS_OK, err);
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, child, test_plugin(), NETCONF_100, args, &err),
               CNI_STATUS_OK, err);
  seen = read_file(rec);
  CHECK(seen == NULL || strstr(seen, "SNAP_ONE") == NULL);
  CHECK_CONTAINS(seen, "\"PATH\"");
  free(seen);

  /* An empty block: nothing inherited at all. */
  CHECK_STATUS(cni_context_set_environ(child, (const uint8_t *)"", 0, &err), CNI_STATUS_OK, err);
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, child, test_plugin(), NETCONF_100, args, &err),
               CNI_STATUS_OK, err);
  seen = read_file(rec);
  CHECK_CONTAINS(seen, "\"envList\":[\"CNI_COMMAND=ADD\",");
  CHECK(seen == NULL || strstr(seen, "\"PATH\"") == NULL);
  free(seen);

  cni_context_free(child);
  free(args);
}

static void test_context(void) {
  cni_context *c = cni_context_new();
  CHECK(c != NULL);
  cni_error *err = NULL;
  CHECK_STATUS(cni_context_set_trace(c, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                                     "k=v", NULL, &err),
               CNI_STATUS_OK, err);
  CHECK_INVALID(cni_context_set_trace(NULL, "x", NULL, NULL, &e_), "`ctx`");
  CHECK_INVALID(cni_context_set_trace(c, BAD_UTF8, NULL, NULL, &e_), "`traceparent`");
  CHECK_INVALID(cni_context_set_trace(c, NULL, BAD_UTF8, NULL, &e_), "`tracestate`");
  CHECK_INVALID(cni_context_set_trace(c, NULL, NULL, BAD_UTF8, &e_), "`baggage`");

  /* The trace context reaches the plugin. */
  char *rec = malloc(4096);
  snprintf(rec, 4096, "%s/trace-record.json", scratch_dir());
  char dbg_json[8192];
  snprintf(dbg_json, sizeof dbg_json, "{\"record\":\"%s\"}", rec);
  const char *dbg = debug_file("trace.json", dbg_json);
  char *args = args_json("DEL", dbg);
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, c, test_plugin(), NETCONF_100, args, &err),
               CNI_STATUS_OK, err);
  char *seen = read_file(rec);
  CHECK_CONTAINS(seen, "\"TRACEPARENT\":\"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"");
  CHECK_CONTAINS(seen, "\"TRACESTATE\":\"k=v\"");
  CHECK(seen == NULL || strstr(seen, "\"BAGGAGE\"") == NULL);
  CHECK_CONTAINS(seen, "\"CNI_COMMAND\":\"DEL\"");
  CHECK_CONTAINS(seen, "\"CNI_CONTAINERID\":\"ctr-1\"");
  CHECK_CONTAINS(seen, "\"CNI_IFNAME\":\"eth0\"");
  CHECK_CONTAINS(seen, "\"CNI_NETNS\":\"/var/run/netns/x\"");
  CHECK_CONTAINS(seen, "\"CNI_PATH\":\"/opt/cni/bin\"");
  free(seen);
  free(args);
  free(rec);

  test_context_environ(c);

  cni_context_cancel(c);
  cni_context_cancel(c); /* idempotent */
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, c, test_plugin(), NETCONF_100, NULL, &err),
               CNI_STATUS_CANCELLED, err);
  CHECK(cni_error_code(err) == 0);
  cni_error_free(err);
  cni_context_free(c);

  c = cni_context_with_timeout_ms(0);
  CHECK(c != NULL);
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, c, test_plugin(), NETCONF_100, NULL, &err),
               CNI_STATUS_TIMEOUT, err);
  cni_error_free(err);
  cni_context_free(c);

  cni_context_cancel(NULL);
  cni_context_free(NULL);
}

static void test_find(void) {
  char *dir = plugin_dir();
  char paths[8192];
  snprintf(paths, sizeof paths, "[\"/nonexistent\",\"%s\"]", dir);
  char *found = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_find_in_path("cni-test-plugin", paths, &found, &err), CNI_STATUS_OK, err);
  CHECK(err == NULL);
  CHECK_STR(found, test_plugin());
  cni_string_free(found);

  CHECK_STATUS(cni_find_in_path("nope", "[\"/a\",\"/b\"]", &found, &err), CNI_STATUS_NOT_FOUND, err);
  CHECK_STR(cni_error_msg(err), "failed to find plugin \"nope\" in path [/a /b]");
  CHECK(cni_error_code(err) == 0);
  CHECK(found == NULL);
  cni_error_free(err);

  CHECK_STATUS(cni_find_in_path("", "[\"/a\"]", &found, &err), CNI_STATUS_INVALID_ARGUMENT, err);
  CHECK_STR(cni_error_msg(err), "no plugin name provided");
  cni_error_free(err);
  CHECK_STATUS(cni_find_in_path("a/b", "[\"/a\"]", &found, &err), CNI_STATUS_INVALID_ARGUMENT, err);
  CHECK_STR(cni_error_msg(err), "invalid plugin name: a/b");
  cni_error_free(err);
  CHECK_STATUS(cni_find_in_path("x", "[]", &found, &err), CNI_STATUS_INVALID_ARGUMENT, err);
  CHECK_STR(cni_error_msg(err), "no paths provided");
  cni_error_free(err);

  CHECK_INVALID(cni_find_in_path(NULL, "[\"/a\"]", &found, &e_), "`plugin`");
  CHECK_INVALID(cni_find_in_path("x", NULL, &found, &e_), "`paths_json`");
  CHECK_INVALID(cni_find_in_path("x", "[\"/a\"]", NULL, &e_), "`path_out`");
  CHECK_INVALID(cni_find_in_path(BAD_UTF8, "[\"/a\"]", &found, &e_), "`plugin`");
  CHECK_INVALID(cni_find_in_path("x", BAD_UTF8, &found, &e_), "`paths_json`");
  CHECK_INVALID(cni_find_in_path("x", "[\"/a\"", &found, &e_), "`paths_json`");
  CHECK_INVALID(cni_find_in_path("x", "{\"a\":1}", &found, &e_), "`paths_json`");
  CHECK_INVALID(cni_find_in_path("x", "[1]", &found, &e_), "`paths_json`");
  CHECK(cni_find_in_path(NULL, NULL, NULL, NULL) == CNI_STATUS_INVALID_ARGUMENT);
  free(dir);
}

static void test_exec_with_result(void) {
  cni_error *err = NULL;
  char *res = NULL;
  const char *p = test_plugin();

  /* The plugin as a small real plugin: ADD answers in the config's version. */
  char *args = args_json("ADD", NULL);
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, args, &res, &err),
               CNI_STATUS_OK, err);
  CHECK(err == NULL);
  CHECK_CONTAINS(res, "\"cniVersion\":\"1.0.0\"");
  CHECK_CONTAINS(res, "10.1.2.3/24");
  CHECK_CONTAINS(res, "\"name\":\"eth0\"");
  cni_string_free(res);

  /* err may be NULL; exec given explicitly. */
  cni_exec *ex = cni_exec_new_default();
  CHECK(ex != NULL);
  cni_context *ctx = cni_context_new();
  CHECK(cni_exec_plugin_with_result(ex, ctx, p, NETCONF_100, args, &res, NULL) == CNI_STATUS_OK);
  cni_string_free(res);
  cni_context_free(ctx);
  cni_exec_free(ex);

  /* A result without cniVersion takes the config's. */
  const char *dbg = debug_file("noversion.json",
                         "{\"result\":{\"ips\":[{\"address\":\"10.9.9.9/24\"}]}}");
  char *a2 = args_json("ADD", dbg);
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, a2, &res, &err),
               CNI_STATUS_OK, err);
  CHECK_CONTAINS(res, "\"cniVersion\":\"1.0.0\"");
  CHECK_CONTAINS(res, "10.9.9.9/24");
  cni_string_free(res);
  free(a2);

  /* Plugin errors round-trip through cni_error_*. */
  dbg = debug_file("err.json",
                   "{\"error\":{\"code\":7,\"msg\":\"invalid network config\",\"details\":\"bad ipam\"}}");
  a2 = args_json("ADD", dbg);
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, a2, &res, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(res == NULL);
  CHECK(cni_error_code(err) == 7);
  CHECK_STR(cni_error_msg(err), "invalid network config");
  CHECK_STR(cni_error_details(err), "bad ipam");
  char *ej = NULL;
  CHECK(cni_error_to_json(err, &ej, NULL) == CNI_STATUS_OK);
  CHECK_CONTAINS(ej, "\"code\":7");
  CHECK_CONTAINS(ej, "\"msg\":\"invalid network config\"");
  CHECK_CONTAINS(ej, "\"details\":\"bad ipam\"");
  cni_string_free(ej);
  cni_error_free(err);
  /* without_result sees the same error. */
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, NULL, p, NETCONF_100, a2, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(cni_error_code(err) == 7);
  cni_error_free(err);
  free(a2);

  /* A failing plugin without an error message. */
  dbg = debug_file("exit3.json", "{\"exitCode\":3}");
  a2 = args_json("ADD", dbg);
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, a2, &res, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK_STR(cni_error_msg(err), "netplugin failed with no error message: exit status 3");
  cni_error_free(err);
  free(a2);

  /* Undecodable result and undecodable config: DECODE_ERROR. */
  dbg = debug_file("garbage.json", "{\"stdout\":\"not json\"}");
  a2 = args_json("ADD", dbg);
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, a2, &res, &err),
               CNI_STATUS_DECODE_ERROR, err);
  CHECK(cni_error_code(err) == 0);
  cni_error_free(err);
  free(a2);
  dbg = debug_file("goodresult.json", "{\"result\":{\"cniVersion\":\"\"}}");
  a2 = args_json("ADD", dbg);
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, p, "{not json", a2, &res, &err),
               CNI_STATUS_DECODE_ERROR, err);
  CHECK_CONTAINS(cni_error_msg(err), "decoding version from network config");
  cni_error_free(err);
  free(a2);

  /* A result version the library does not know. */
  dbg = debug_file("badver.json", "{\"result\":{\"cniVersion\":\"9.9.9\"}}");
  a2 = args_json("ADD", dbg);
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, a2, &res, &err),
               CNI_STATUS_UNSUPPORTED_VERSION, err);
  CHECK_STR(cni_error_msg(err), "unsupported CNI result version \"9.9.9\"");
  cni_error_free(err);
  free(a2);

  /* A plugin that cannot be started. */
  cni_status st = cni_exec_plugin_with_result(NULL, NULL, "/nonexistent/plugin", NETCONF_100, args,
                                              &res, &err);
  if (!under_valgrind()) {
    CHECK_STATUS(st, CNI_STATUS_EXEC_FAILED, err);
    CHECK_CONTAINS(cni_error_msg(err), "/nonexistent/plugin");
  } else {
    CHECK(st == CNI_STATUS_EXEC_FAILED || st == CNI_STATUS_PLUGIN_ERROR);
  }
  cni_error_free(err);

  /* NULL args_json: the plugin inherits this process's environment. */
  setenv("CNI_COMMAND", "ADD", 1);
  setenv("CNI_IFNAME", "inherited0", 1);
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, NULL, &res, &err),
               CNI_STATUS_OK, err);
  CHECK_CONTAINS(res, "inherited0");
  cni_string_free(res);
  unsetenv("CNI_COMMAND");
  unsetenv("CNI_IFNAME");

  /* NULL in each required pointer, invalid UTF-8, bad args_json. */
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, NULL, NETCONF_100, args, &res, &e_), "`plugin_path`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NULL, args, &res, &e_), "`netconf`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, args, NULL, &e_), "`result_json_out`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, BAD_UTF8, NETCONF_100, args, &res, &e_), "`plugin_path`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, BAD_UTF8, args, &res, &e_), "`netconf`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, BAD_UTF8, &res, &e_), "`args_json`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, "{", &res, &e_), "`args_json`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, "[]", &res, &e_), "`args_json`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, "{\"command\":1}", &res, &e_), "`args_json`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, "{\"bogus\":\"x\"}", &res, &e_), "bogus");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, "{\"pluginArgs\":[[\"K\"]]}", &res, &e_), "`args_json`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100, "{\"pluginArgs\":{\"K\":\"V\"}}", &res, &e_), "`args_json`");
  CHECK(cni_exec_plugin_with_result(NULL, NULL, NULL, NULL, NULL, NULL, NULL) == CNI_STATUS_INVALID_ARGUMENT);

  CHECK_STATUS(cni_exec_plugin_without_result(NULL, NULL, p, NETCONF_100, args, &err), CNI_STATUS_OK, err);
  CHECK(cni_exec_plugin_without_result(NULL, NULL, p, NETCONF_100, args, NULL) == CNI_STATUS_OK);
  CHECK_INVALID(cni_exec_plugin_without_result(NULL, NULL, NULL, NETCONF_100, args, &e_), "`plugin_path`");
  CHECK_INVALID(cni_exec_plugin_without_result(NULL, NULL, p, NULL, args, &e_), "`netconf`");
  CHECK_INVALID(cni_exec_plugin_without_result(NULL, NULL, p, NETCONF_100, "{\"ifName\":[]}", &e_), "`args_json`");
  CHECK_INVALID(cni_exec_plugin_without_result(NULL, NULL, BAD_UTF8, NETCONF_100, args, &e_), "`plugin_path`");
  free(args);
}

static void test_version_info(void) {
  cni_error *err = NULL;
  char *info = NULL;
  const char *p = test_plugin();
  CHECK_STATUS(cni_get_version_info(NULL, NULL, p, &info, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(info, "\"cniVersion\":\"1.1.0\"");
  CHECK_CONTAINS(info, "\"0.1.0\"");
  CHECK_CONTAINS(info, "\"1.1.0\"]");
  cni_string_free(info);

  /* A plugin too old to know VERSION supports 0.1.0 only. */
  const char *dbg = debug_file("oldplugin.json",
                         "{\"commands\":{\"VERSION\":{\"error\":{\"code\":4,"
                         "\"msg\":\"unknown CNI_COMMAND: VERSION\"}}}}");
  setenv("CNI_TEST_PLUGIN_DEBUG", dbg, 1);
  CHECK_STATUS(cni_get_version_info(NULL, NULL, p, &info, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(info, "\"supportedVersions\":[\"0.1.0\"]");
  cni_string_free(info);
  /* Any other VERSION failure is an error. */
  dbg = debug_file("versionfails.json",
                   "{\"commands\":{\"VERSION\":{\"error\":{\"code\":11,\"msg\":\"try again\"}}}}");
  setenv("CNI_TEST_PLUGIN_DEBUG", dbg, 1);
  CHECK_STATUS(cni_get_version_info(NULL, NULL, p, &info, &err), CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(cni_error_code(err) == 11);
  CHECK_STR(cni_error_msg(err), "try again");
  cni_error_free(err);
  unsetenv("CNI_TEST_PLUGIN_DEBUG");

  CHECK_INVALID(cni_get_version_info(NULL, NULL, NULL, &info, &e_), "`plugin_path`");
  CHECK_INVALID(cni_get_version_info(NULL, NULL, p, NULL, &e_), "`plugin_info_json_out`");
  CHECK_INVALID(cni_get_version_info(NULL, NULL, BAD_UTF8, &info, &e_), "`plugin_path`");
}

static void test_delegate(void) {
  cni_error *err = NULL;
  char *res = NULL;
  char *dir = plugin_dir();
  char *log = malloc(4096);
  snprintf(log, 4096, "%s/delegate.log", scratch_dir());
  char dbg_json[8192];
  snprintf(dbg_json, sizeof dbg_json,
           "{\"recordAppend\":\"%s\",\"commands\":{\"ADD\":{\"result\":%s}}}", log, RESULT_100);
  const char *dbg = debug_file("delegate.json", dbg_json);

  setenv("CNI_PATH", dir, 1);
  setenv("CNI_TEST_PLUGIN_DEBUG", dbg, 1);
  CHECK_STATUS(cni_delegate_add(NULL, NULL, "cni-test-plugin", NETCONF_100, &res, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(res, "10.1.2.3/24");
  CHECK_CONTAINS(res, "\"cniVersion\":\"1.0.0\"");
  cni_string_free(res);
  CHECK_STATUS(cni_delegate_check(NULL, NULL, "cni-test-plugin", NETCONF_100, &err), CNI_STATUS_OK, err);
  CHECK_STATUS(cni_delegate_del(NULL, NULL, "cni-test-plugin", NETCONF_100, &err), CNI_STATUS_OK, err);
  CHECK_STATUS(cni_delegate_status(NULL, NULL, "cni-test-plugin", NETCONF_100, &err), CNI_STATUS_OK, err);
  CHECK_STATUS(cni_delegate_gc(NULL, NULL, "cni-test-plugin", NETCONF_100, &err), CNI_STATUS_OK, err);
  char *seen = read_file(log);
  CHECK_STR(seen, "ADD\nCHECK\nDEL\nSTATUS\nGC\n");
  free(seen);
  /* The one function behind them: a result for ADD only. */
  const char *verbs[] = {"ADD", "CHECK", "DEL", "STATUS", "GC"};
  for (size_t i = 0; i < 5; i++) {
    res = (char *)0x1;
    CHECK_STATUS(cni_delegate(NULL, NULL, verbs[i], "cni-test-plugin", NETCONF_100, &res, &err), CNI_STATUS_OK,
                 err);
    if (i == 0) {
      CHECK_CONTAINS(res, "10.1.2.3/24");
    } else {
      CHECK(res == NULL);
    }
    cni_string_free(res);
    CHECK_STATUS(cni_delegate(NULL, NULL, verbs[i], "cni-test-plugin", NETCONF_100, NULL, &err), CNI_STATUS_OK,
                 err);
  }
  seen = read_file(log);
  CHECK_STR(seen, "ADD\nCHECK\nDEL\nSTATUS\nGC\nADD\nADD\nCHECK\nCHECK\nDEL\nDEL\nSTATUS\nSTATUS\nGC\nGC\n");
  free(seen);
  CHECK_INVALID_MSG(cni_delegate(NULL, NULL, "add", "cni-test-plugin", NETCONF_100, &res, &e_),
                    "unknown delegate verb \"add\": expected ADD, CHECK, DEL, STATUS or GC");
  CHECK_INVALID(cni_delegate(NULL, NULL, NULL, "cni-test-plugin", NETCONF_100, &res, &e_), "`verb`");
  CHECK_INVALID(cni_delegate(NULL, NULL, "DEL", NULL, NETCONF_100, NULL, &e_), "`plugin`");
  unsetenv("CNI_TEST_PLUGIN_DEBUG");

  /* Not on CNI_PATH. */
  CHECK_STATUS(cni_delegate_del(NULL, NULL, "no-such-plugin", NETCONF_100, &err), CNI_STATUS_NOT_FOUND, err);
  CHECK_CONTAINS(cni_error_msg(err), "failed to find plugin \"no-such-plugin\" in path [");
  cni_error_free(err);
  CHECK_STATUS(cni_delegate_add(NULL, NULL, "no-such-plugin", NETCONF_100, &res, &err), CNI_STATUS_NOT_FOUND, err);
  cni_error_free(err);
  /* No CNI_PATH. */
  unsetenv("CNI_PATH");
  CHECK_STATUS(cni_delegate_check(NULL, NULL, "cni-test-plugin", NETCONF_100, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  CHECK_STR(cni_error_msg(err), "no paths provided");
  cni_error_free(err);

  CHECK_INVALID(cni_delegate_add(NULL, NULL, NULL, NETCONF_100, &res, &e_), "`plugin`");
  CHECK_INVALID(cni_delegate_add(NULL, NULL, "x", NULL, &res, &e_), "`netconf`");
  CHECK_INVALID(cni_delegate_add(NULL, NULL, "x", NETCONF_100, NULL, &e_), "`result_json_out`");
  CHECK_INVALID(cni_delegate_add(NULL, NULL, BAD_UTF8, NETCONF_100, &res, &e_), "`plugin`");
  CHECK_INVALID(cni_delegate_check(NULL, NULL, NULL, NETCONF_100, &e_), "`plugin`");
  CHECK_INVALID(cni_delegate_check(NULL, NULL, "x", NULL, &e_), "`netconf`");
  CHECK_INVALID(cni_delegate_del(NULL, NULL, NULL, NETCONF_100, &e_), "`plugin`");
  CHECK_INVALID(cni_delegate_del(NULL, NULL, "x", BAD_UTF8, &e_), "`netconf`");
  CHECK_INVALID(cni_delegate_status(NULL, NULL, NULL, NETCONF_100, &e_), "`plugin`");
  CHECK_INVALID(cni_delegate_status(NULL, NULL, "x", NULL, &e_), "`netconf`");
  CHECK_INVALID(cni_delegate_gc(NULL, NULL, NULL, NETCONF_100, &e_), "`plugin`");
  CHECK_INVALID(cni_delegate_gc(NULL, NULL, "x", NULL, &e_), "`netconf`");
  free(log);
  free(dir);
}

static void test_args_as_env(void) {
  cni_error *err = NULL;
  char *env = NULL;
  setenv("CNI_C_TEST_MARK", "kept", 1);
  setenv("CNI_COMMAND", "OLD", 1);
  CHECK_STATUS(cni_args_as_env("{\"command\":\"ADD\",\"containerId\":\"c1\",\"netns\":\"/n\","
                               "\"ifName\":\"eth0\",\"path\":\"/opt/cni/bin\","
                               "\"pluginArgs\":[[\"K\",\"V\"],[\"X\",\"Y\"]]}",
                               &env, &err),
               CNI_STATUS_OK, err);
  CHECK(env != NULL && env[0] == '[');
  CHECK_CONTAINS(env, "\"CNI_COMMAND=ADD\"");
  CHECK(env == NULL || strstr(env, "CNI_COMMAND=OLD") == NULL);
  CHECK_CONTAINS(env, "\"CNI_CONTAINERID=c1\"");
  CHECK_CONTAINS(env, "\"CNI_NETNS=/n\"");
  CHECK_CONTAINS(env, "\"CNI_IFNAME=eth0\"");
  CHECK_CONTAINS(env, "\"CNI_PATH=/opt/cni/bin\"");
  CHECK_CONTAINS(env, "\"CNI_ARGS=K=V;X=Y\"");
  CHECK_CONTAINS(env, "\"CNI_C_TEST_MARK=kept\"");
  cni_string_free(env);
  /* pluginArgsStr wins; an empty object is allowed. */
  CHECK_STATUS(cni_args_as_env("{\"pluginArgs\":[[\"K\",\"V\"]],\"pluginArgsStr\":\"S=T\"}", &env, &err),
               CNI_STATUS_OK, err);
  CHECK_CONTAINS(env, "\"CNI_ARGS=S=T\"");
  cni_string_free(env);
  CHECK_STATUS(cni_args_as_env("{}", &env, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(env, "\"CNI_COMMAND=\"");
  cni_string_free(env);
  /* NULL = inherit: upstream's nil environment. */
  CHECK_STATUS(cni_args_as_env(NULL, &env, &err), CNI_STATUS_OK, err);
  CHECK_STR(env, "null");
  cni_string_free(env);
  unsetenv("CNI_COMMAND");
  unsetenv("CNI_C_TEST_MARK");

  CHECK_INVALID(cni_args_as_env("{}", NULL, &e_), "`env_json_out`");
  CHECK_INVALID(cni_args_as_env(BAD_UTF8, &env, &e_), "`args_json`");
  CHECK_INVALID(cni_args_as_env("{\"command\":", &env, &e_), "`args_json`");
  CHECK_INVALID(cni_args_as_env("{\"netns\":null}", &env, &e_), "`args_json`");
  CHECK_INVALID(cni_args_as_env("{\"containerID\":\"x\"}", &env, &e_), "containerID");
  CHECK_INVALID(cni_args_as_env("\"ADD\"", &env, &e_), "`args_json`");
}

static void test_result_convert(void) {
  cni_error *err = NULL;
  char *out = NULL;
  /* Same version. */
  CHECK_STATUS(cni_result_convert(RESULT_100, "1.0.0", &out, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(out, "\"cniVersion\":\"1.0.0\"");
  CHECK_CONTAINS(out, "10.1.2.3/24");
  cni_string_free(out);

  /* 1.0.0 with one IPv4 → 0.4.0 adds "version":"4". */
  CHECK_STATUS(cni_result_convert(RESULT_100, "0.4.0", &out, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(out, "\"cniVersion\":\"0.4.0\"");
  CHECK_CONTAINS(out, "\"version\":\"4\"");
  CHECK_CONTAINS(out, "10.1.2.3/24");
  cni_string_free(out);
  /* → 0.2.0 uses the ip4 form. */
  CHECK_STATUS(cni_result_convert(RESULT_100, "0.2.0", &out, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(out, "\"cniVersion\":\"0.2.0\"");
  CHECK_CONTAINS(out, "\"ip4\"");
  cni_string_free(out);
  /* Unknown target version. */
  CHECK_STATUS(cni_result_convert(RESULT_100, "9.9.9", &out, &err), CNI_STATUS_UNSUPPORTED_VERSION, err);
  CHECK(out == NULL);
  cni_error_free(err);

  /* A well-formed result that does not decode. */
  CHECK_STATUS(cni_result_convert("{\"cniVersion\":1}", "1.0.0", &out, &err), CNI_STATUS_DECODE_ERROR, err);
  cni_error_free(err);

  CHECK_INVALID(cni_result_convert(NULL, "1.0.0", &out, &e_), "`result_json`");
  CHECK_INVALID(cni_result_convert(RESULT_100, NULL, &out, &e_), "`to_version`");
  CHECK_INVALID(cni_result_convert(RESULT_100, "1.0.0", NULL, &e_), "`result_json_out`");
  CHECK_INVALID(cni_result_convert(BAD_UTF8, "1.0.0", &out, &e_), "`result_json`");
  CHECK_INVALID(cni_result_convert(RESULT_100, BAD_UTF8, &out, &e_), "`to_version`");
  CHECK_INVALID(cni_result_convert("{\"cniVersion\":", "1.0.0", &out, &e_), "`result_json`");
}

/* Capture what the library writes to fd 2 while `fn` runs. */
static char *capture_stderr(void (*fn)(void *), void *arg) {
  char path[4096];
  snprintf(path, sizeof path, "%s/stderr-capture-XXXXXX", scratch_dir());
  int fd = mkstemp(path);
  fflush(stderr);
  int saved = dup(2);
  dup2(fd, 2);
  fn(arg);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  return read_file(path);
}

struct stderr_run {
  cni_exec *exec;
  const char *args;
  cni_status status;
};

static void run_with_exec(void *p) {
  struct stderr_run *r = p;
  r->status = cni_exec_plugin_without_result(r->exec, NULL, test_plugin(), NETCONF_100, r->args, NULL);
}

struct sink {
  char buf[4096];
  size_t len;
  int calls;
};

static void sink_write(void *userdata, const uint8_t *data, size_t len) {
  struct sink *s = userdata;
  s->calls++;
  if (s->len + len < sizeof s->buf) {
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    s->buf[s->len] = '\0';
  }
}

static void test_raw_exec(void) {
  cni_error *err = NULL;
  cni_exec *ex = NULL;
  const char *dbg = debug_file("stderr.json", "{\"stderr\":\"hello from stderr\"}");
  char *args = args_json("DEL", dbg);

  /* forward vs discard (the default, as upstream's RawExec{}). */
  CHECK_STATUS(cni_exec_new_raw("{\"stderr\":\"forward\"}", &ex, &err), CNI_STATUS_OK, err);
  struct stderr_run r = {ex, args, CNI_STATUS_PANIC};
  char *got = capture_stderr(run_with_exec, &r);
  CHECK(r.status == CNI_STATUS_OK);
  CHECK_CONTAINS(got, "hello from stderr");
  free(got);
  cni_exec_free(ex);

  const char *quiet[] = {NULL, "{}", "{\"stderr\":null}",
                         "{\"stderr\":\"discard\",\"textBusyRetries\":1,\"textBusyDelayMs\":10.5,"
                         "\"killGraceMs\":0,\"maxOutputBytes\":4096}"};
  for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
    CHECK_STATUS(cni_exec_new_raw(quiet[i], &ex, &err), CNI_STATUS_OK, err);
    r.exec = ex;
    got = capture_stderr(run_with_exec, &r);
    CHECK(r.status == CNI_STATUS_OK);
    CHECK(got != NULL && strstr(got, "hello from stderr") == NULL);
    free(got);
    cni_exec_free(ex);
  }

  CHECK_STATUS(cni_exec_new_raw("{\"stderr\":\"inherit\"}", &ex, &err), CNI_STATUS_OK, err);
  r.exec = ex;
  got = capture_stderr(run_with_exec, &r);
  CHECK(r.status == CNI_STATUS_OK);
  CHECK_CONTAINS(got, "hello from stderr");
  free(got);
  cni_exec_free(ex);

  /* The core's texts, shared with the Python and Go bindings. */
  CHECK_INVALID_MSG(cni_exec_new_raw("{\"stderr\":\"forward\",\"bogus\":1}", &ex, &e_),
                    "unknown raw exec option \"bogus\"; the options are stderr, textBusyRetries, "
                    "textBusyDelayMs, killGraceMs, maxOutputBytes");
  CHECK_INVALID_MSG(cni_exec_new_raw("{\"stderr\":\"loud\"}", &ex, &e_),
                    "raw exec option \"stderr\" must be \"forward\", \"inherit\" or \"discard\", not \"loud\"");
  CHECK_INVALID_MSG(cni_exec_new_raw("{\"stderr\":1}", &ex, &e_),
                    "raw exec option \"stderr\" must be \"forward\", \"inherit\" or \"discard\", not 1");
  CHECK_INVALID_MSG(cni_exec_new_raw("{\"textBusyRetries\":-1}", &ex, &e_),
                    "raw exec option \"textBusyRetries\" must be an integer from 0 to 4294967295, not -1");
  CHECK_INVALID_MSG(cni_exec_new_raw("{\"textBusyRetries\":4294967296}", &ex, &e_),
                    "raw exec option \"textBusyRetries\" must be an integer from 0 to 4294967295, not 4294967296");
  CHECK_INVALID_MSG(cni_exec_new_raw("{\"killGraceMs\":\"5\"}", &ex, &e_),
                    "raw exec option \"killGraceMs\" must be a number of milliseconds from 0 to 18446744073709551615, not \"5\"");
  CHECK_INVALID_MSG(cni_exec_new_raw("{\"textBusyDelayMs\":-0.5}", &ex, &e_),
                    "raw exec option \"textBusyDelayMs\" must be a number of milliseconds from 0 to 18446744073709551615, not -0.5");
  CHECK_INVALID_MSG(cni_exec_new_raw("{\"maxOutputBytes\":1.5}", &ex, &e_),
                    "raw exec option \"maxOutputBytes\" must be an integer from 0 to 18446744073709551615, not 1.5");
  CHECK_INVALID_MSG(cni_exec_new_raw("{", &ex, &e_),
                    "raw exec options are not valid JSON: EOF while parsing an object at line 1 column 1");
  CHECK_INVALID_MSG(cni_exec_new_raw("[]", &ex, &e_), "raw exec options must be a JSON object, not an array");
  CHECK_INVALID(cni_exec_new_raw(BAD_UTF8, &ex, &e_), "`options_json`");
  CHECK_INVALID(cni_exec_new_raw("{}", NULL, &e_), "`out`");

  /* The stderr callback (RawExec{Stderr: w}). */
  struct sink s = {{0}, 0, 0};
  CHECK_STATUS(cni_exec_new_raw_with_stderr("{\"killGraceMs\":100}", sink_write, &s, &ex, &err),
               CNI_STATUS_OK, err);
  CHECK_STATUS(cni_exec_plugin_without_result(ex, NULL, test_plugin(), NETCONF_100, args, &err),
               CNI_STATUS_OK, err);
  CHECK(s.calls == 1);
  CHECK_STR(s.buf, "hello from stderr");
  /* A failing plugin's stderr goes into the error, not the callback. */
  const char *dbg2 = debug_file("stderr-fail.json", "{\"stderr\":\"oops\",\"exitCode\":1}");
  char *args2 = args_json("DEL", dbg2);
  CHECK_STATUS(cni_exec_plugin_without_result(ex, NULL, test_plugin(), NETCONF_100, args2, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK_STR(cni_error_msg(err), "netplugin failed: \"oops\"");
  CHECK_STR(cni_error_exit_status(err), "exit status 1");
  cni_error_free(err);
  CHECK(s.calls == 1);
  cni_exec_free(ex);
  free(args2);
  CHECK_STATUS(cni_exec_new_raw_with_stderr(NULL, sink_write, NULL, &ex, &err), CNI_STATUS_OK, err);
  cni_exec_free(ex);

  CHECK_INVALID(cni_exec_new_raw_with_stderr("{}", NULL, &s, &ex, &e_), "`write`");
  CHECK_INVALID(cni_exec_new_raw_with_stderr("{}", sink_write, &s, NULL, &e_), "`out`");
  CHECK_INVALID_MSG(cni_exec_new_raw_with_stderr("{\"stderr\":\"discard\"}", sink_write, &s, &ex, &e_),
                    "raw exec option \"stderr\" cannot be given with a stderr writer");
  CHECK_INVALID(cni_exec_new_raw_with_stderr("{\"x\":1}", sink_write, &s, &ex, &e_), "unknown raw exec option \"x\"");
  CHECK_INVALID(cni_exec_new_raw_with_stderr(BAD_UTF8, sink_write, &s, &ex, &e_), "`options_json`");
  cni_exec_free(NULL);
  free(args);
}

int main(void) {
  test_static_strings();
  test_status_values();
  test_errors();
  test_context();
  test_find();
  test_exec_with_result();
  test_version_info();
  test_delegate();
  test_args_as_env();
  test_result_convert();
  test_raw_exec();
  TEST_DONE();
}
