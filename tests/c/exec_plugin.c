/* cni_exec_plugin (the Exec interface's ExecPlugin: raw stdout for an
 * explicit environment), cni_bytes_free, and args_json's
 * {"environ":[...]} form. Runs the real test plugin; its "record" key shows
 * the exact environment the plugin got. */
#include "cni_test.h"

static const char *NETCONF_100 = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"cni-test-plugin\"}";
static const char *RESULT_100 =
    "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/var/run/netns/x\"}],"
    "\"ips\":[{\"interface\":0,\"address\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\"}],\"dns\":{}}";

static char *read_file(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return NULL;
  char *buf = calloc(1, 1 << 20);
  size_t n = fread(buf, 1, (1 << 20) - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Expect INVALID_ARGUMENT with `needle` in the message. */
#define CHECK_INVALID(call, needle)                                           \
  do {                                                                        \
    cni_error *e_ = NULL;                                                     \
    cni_status st_ = call;                                                    \
    CHECK_STATUS(st_, CNI_STATUS_INVALID_ARGUMENT, e_);                       \
    CHECK(e_ != NULL);                                                        \
    CHECK_CONTAINS(cni_error_msg(e_), needle);                                \
    cni_error_free(e_);                                                       \
  } while (0)

/* Success: raw stdout (not decoded), stdin bytes (NUL included) reach the
 * plugin, and the plugin's environment is exactly `environ`, in order,
 * duplicates kept, nothing added. */
static void test_success_and_exact_environment(void) {
  char rec[4096], dbg_json[8192], cni_args[4200];
  snprintf(rec, sizeof rec, "%s/exact-env.json", scratch_dir());
  snprintf(dbg_json, sizeof dbg_json, "{\"record\":\"%s\",\"stdout\":\"not json \\u0001 raw\"}", rec);
  const char *dbg = debug_file("exact.json", dbg_json);
  snprintf(cni_args, sizeof cni_args, "CNI_ARGS=DEBUG=%s", dbg);
  const char *environ_[] = {"DUP=1", cni_args, "CNI_COMMAND=ADD", "NOEQUALS", "DUP=2", "EMPTY=", NULL};
  static const uint8_t stdin_data[] = {'a', 0, 'b', 0xff};

  uint8_t *out = (uint8_t *)0x1;
  size_t len = 99;
  cni_error *err = (cni_error *)0x1;
  CHECK_STATUS(cni_exec_plugin(NULL, NULL, test_plugin(), stdin_data, sizeof stdin_data, environ_, &out,
                               &len, &err),
               CNI_STATUS_OK, err);
  CHECK(err == NULL);
  const char *want = "not json \x01 raw";
  CHECK(len == strlen(want));
  CHECK(out != NULL && memcmp(out, want, len) == 0);
  cni_bytes_free(out, len);

  char *r = read_file(rec);
  CHECK(r != NULL);
  char want_env[8192];
  snprintf(want_env, sizeof want_env,
           "\"envList\":[\"DUP=1\",\"%s\",\"CNI_COMMAND=ADD\",\"NOEQUALS\",\"DUP=2\",\"EMPTY=\"]", cni_args);
  CHECK_CONTAINS(r, want_env);
  CHECK_CONTAINS(r, "\"stdinLen\":4");
  CHECK_CONTAINS(r, "\"command\":\"ADD\"");
  free(r);

  /* An empty environment is an empty environment (not "inherit"). The
   * plugin then has no CNI_ARGS and no debug file: with no CNI_COMMAND it
   * answers error 4 (unknown CNI_COMMAND). */
  const char *empty[] = {NULL};
  err = NULL;
  out = (uint8_t *)0x1;
  len = 99;
  CHECK_STATUS(cni_exec_plugin(NULL, NULL, test_plugin(), NULL, 0, empty, &out, &len, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(out == NULL && len == 0);
  CHECK(err != NULL && cni_error_code(err) == 4);
  CHECK_CONTAINS(cni_error_msg(err), "unknown CNI_COMMAND");
  cni_error_free(err);

  /* NULL environ: inherit this process's environment (set CNI_COMMAND here
   * so the plugin, without a debug file, answers DEL with nothing). */
  setenv("CNI_COMMAND", "DEL", 1);
  setenv("CNI_EXEC_PLUGIN_MARK", "inherited", 1);
  err = (cni_error *)0x1;
  out = (uint8_t *)0x1;
  len = 99;
  CHECK_STATUS(cni_exec_plugin(NULL, NULL, test_plugin(), (const uint8_t *)NETCONF_100, strlen(NETCONF_100),
                               NULL, &out, &len, &err),
               CNI_STATUS_OK, err);
  CHECK(err == NULL);
  CHECK(out == NULL && len == 0); /* empty stdout: NULL, 0 */
  cni_bytes_free(out, len);       /* NULL is fine */

  /* Inherited, with a record: the mark is there. */
  char rec2[4096];
  snprintf(rec2, sizeof rec2, "%s/inherit-env.json", scratch_dir());
  snprintf(dbg_json, sizeof dbg_json, "{\"record\":\"%s\",\"echoStdin\":true}", rec2);
  setenv("CNI_TEST_PLUGIN_DEBUG", debug_file("inherit.json", dbg_json), 1);
  CHECK_STATUS(cni_exec_plugin(NULL, NULL, test_plugin(), stdin_data, sizeof stdin_data, NULL, &out, &len, &err),
               CNI_STATUS_OK, err);
  CHECK(len == sizeof stdin_data && out != NULL && memcmp(out, stdin_data, len) == 0);
  cni_bytes_free(out, len);
  unsetenv("CNI_TEST_PLUGIN_DEBUG");
  unsetenv("CNI_COMMAND");
  unsetenv("CNI_EXEC_PLUGIN_MARK");
  r = read_file(rec2);
  CHECK_CONTAINS(r, "\"CNI_EXEC_PLUGIN_MARK\":\"inherited\"");
  free(r);
}

/* A failing plugin: its CNI error with code, msg and details; no output. */
static void test_plugin_error(void) {
  const char *dbg = debug_file("error.json",
                               "{\"error\":{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"boom\","
                               "\"details\":\"the details\"}}");
  char cni_args[4200];
  snprintf(cni_args, sizeof cni_args, "CNI_ARGS=DEBUG=%s", dbg);
  const char *environ_[] = {"CNI_COMMAND=ADD", cni_args, NULL};
  uint8_t *out = (uint8_t *)0x1;
  size_t len = 99;
  cni_error *err = NULL;
  CHECK_STATUS(cni_exec_plugin(NULL, NULL, test_plugin(), NULL, 0, environ_, &out, &len, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(out == NULL && len == 0);
  CHECK(err != NULL);
  CHECK(cni_error_code(err) == 7);
  CHECK_STR(cni_error_msg(err), "boom");
  CHECK_STR(cni_error_details(err), "the details");
  cni_error_free(err);

  /* Exit status without an error on stdout. */
  dbg = debug_file("exit3.json", "{\"exitCode\":3,\"stderr\":\"bad\"}");
  snprintf(cni_args, sizeof cni_args, "CNI_ARGS=DEBUG=%s", dbg);
  err = NULL;
  CHECK_STATUS(cni_exec_plugin(NULL, NULL, test_plugin(), NULL, 0, environ_, &out, &len, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK_STR(cni_error_msg(err), "netplugin failed: \"bad\"");
  CHECK_STR(cni_error_exit_status(err), "exit status 3");
  cni_error_free(err);

  /* A missing plugin. */
  err = NULL;
  cni_status st = cni_exec_plugin(NULL, NULL, "/nonexistent/plugin", NULL, 0, environ_, &out, &len, &err);
  if (!under_valgrind()) {
    CHECK_STATUS(st, CNI_STATUS_EXEC_FAILED, err);
    CHECK_CONTAINS(cni_error_msg(err), "/nonexistent/plugin");
    CHECK(cni_error_exit_status(err) == NULL); /* never started: no status */
  } else { /* valgrind turns posix_spawn into fork: exit status 127 */
    CHECK(st == CNI_STATUS_EXEC_FAILED || st == CNI_STATUS_PLUGIN_ERROR);
  }
  CHECK(out == NULL && len == 0);
  cni_error_free(err);

  /* A context already past its deadline. */
  cni_context *ctx = cni_context_with_timeout_ms(0);
  err = NULL;
  CHECK_STATUS(cni_exec_plugin(NULL, ctx, test_plugin(), NULL, 0, environ_, &out, &len, &err), CNI_STATUS_TIMEOUT,
               err);
  cni_error_free(err);
  cni_context_free(ctx);
}

/* NULL in each required pointer, NULL stdin with a length, invalid UTF-8. */
static void test_invalid_arguments(void) {
  const char *p = test_plugin();
  const char *environ_[] = {"A=1", NULL};
  uint8_t *out = NULL;
  size_t len = 0;
  CHECK_INVALID(cni_exec_plugin(NULL, NULL, NULL, NULL, 0, environ_, &out, &len, &e_), "`plugin_path`");
  CHECK_INVALID(cni_exec_plugin(NULL, NULL, p, NULL, 0, environ_, NULL, &len, &e_), "`stdout_out`");
  CHECK_INVALID(cni_exec_plugin(NULL, NULL, p, NULL, 0, environ_, &out, NULL, &e_), "`stdout_len`");
  CHECK_INVALID(cni_exec_plugin(NULL, NULL, p, NULL, 5, environ_, &out, &len, &e_), "`stdin_data`");
  CHECK_INVALID(cni_exec_plugin(NULL, NULL, "\xff", NULL, 0, environ_, &out, &len, &e_), "`plugin_path`");
  const char *bad_env[] = {"A=1", "B=\xff\xfe", NULL};
  CHECK_INVALID(cni_exec_plugin(NULL, NULL, p, NULL, 0, bad_env, &out, &len, &e_), "`environ` entry 1");
  const char *bad_key[] = {"\xc3=1", NULL};
  CHECK_INVALID(cni_exec_plugin(NULL, NULL, p, NULL, 0, bad_key, &out, &len, &e_), "`environ` entry 0");
  CHECK(out == NULL && len == 0);
  /* err may be NULL. */
  CHECK(cni_exec_plugin(NULL, NULL, NULL, NULL, 0, NULL, &out, &len, NULL) == CNI_STATUS_INVALID_ARGUMENT);
  cni_bytes_free(NULL, 0);
  cni_bytes_free(NULL, 10);
}

/* Through a custom exec: its exec_plugin gets the very environ and stdin. */
static cni_status fake_exec_plugin(void *userdata, const cni_context *ctx, const char *plugin_path,
                                   const uint8_t *stdin_data, size_t stdin_len, const char *const *environ_,
                                   cni_buffer *stdout_out, cni_error **err) {
  (void)ctx;
  (void)err;
  int *calls = userdata;
  (*calls)++;
  char line[1024];
  int n = snprintf(line, sizeof line, "%s|%zu|", plugin_path, stdin_len);
  cni_buffer_append(stdout_out, (const uint8_t *)line, (size_t)n);
  cni_buffer_append(stdout_out, stdin_data, stdin_len);
  if (environ_ == NULL) {
    cni_buffer_append(stdout_out, (const uint8_t *)"|inherit", 8);
  } else {
    for (const char *const *e = environ_; *e != NULL; e++) {
      cni_buffer_append(stdout_out, (const uint8_t *)"|", 1);
      cni_buffer_append(stdout_out, (const uint8_t *)*e, strlen(*e));
    }
  }
  return CNI_STATUS_OK;
}

static cni_status fake_exec_fail(void *userdata, const cni_context *ctx, const char *plugin_path,
                                 const uint8_t *stdin_data, size_t stdin_len, const char *const *environ_,
                                 cni_buffer *stdout_out, cni_error **err) {
  (void)userdata, (void)ctx, (void)plugin_path, (void)stdin_data, (void)stdin_len, (void)environ_,
      (void)stdout_out;
  *err = cni_error_new(11, "try again", "later");
  return CNI_STATUS_PLUGIN_ERROR;
}

static void test_custom_exec(void) {
  int calls = 0;
  cni_exec_vtable vt = {fake_exec_plugin, NULL, NULL, NULL};
  cni_exec *ex = cni_exec_new_custom(&vt, &calls);
  const char *environ_[] = {"X=1", "Y=2", NULL};
  uint8_t *out = NULL;
  size_t len = 0;
  cni_error *err = NULL;
  CHECK_STATUS(cni_exec_plugin(ex, NULL, "/fake/plugin", (const uint8_t *)"in", 2, environ_, &out, &len, &err),
               CNI_STATUS_OK, err);
  const char *want = "/fake/plugin|2|in|X=1|Y=2";
  CHECK(calls == 1 && len == strlen(want) && memcmp(out, want, len) == 0);
  cni_bytes_free(out, len);
  CHECK_STATUS(cni_exec_plugin(ex, NULL, "/fake/plugin", NULL, 0, NULL, &out, &len, &err), CNI_STATUS_OK, err);
  want = "/fake/plugin|0||inherit";
  CHECK(calls == 2 && len == strlen(want) && memcmp(out, want, len) == 0);
  cni_bytes_free(out, len);
  cni_exec_free(ex);

  cni_exec_vtable vt_fail = {fake_exec_fail, NULL, NULL, NULL};
  ex = cni_exec_new_custom(&vt_fail, NULL);
  CHECK_STATUS(cni_exec_plugin(ex, NULL, "/fake/plugin", NULL, 0, NULL, &out, &len, &err), CNI_STATUS_PLUGIN_ERROR,
               err);
  CHECK(err != NULL && cni_error_code(err) == 11);
  CHECK_STR(cni_error_msg(err), "try again");
  CHECK_STR(cni_error_details(err), "later");
  CHECK(out == NULL && len == 0);
  cni_error_free(err);
  cni_exec_free(ex);

  /* A raw exec made by the library works too. */
  cni_exec *raw = NULL;
  CHECK_STATUS(cni_exec_new_raw("{\"stderr\":\"discard\"}", &raw, &err), CNI_STATUS_OK, err);
  const char *dbg = debug_file("raw.json", "{\"stdout\":\"hello\",\"stderr\":\"quiet\"}");
  char cni_args[4200];
  snprintf(cni_args, sizeof cni_args, "CNI_ARGS=DEBUG=%s", dbg);
  const char *env2[] = {cni_args, NULL};
  CHECK_STATUS(cni_exec_plugin(raw, NULL, test_plugin(), NULL, 0, env2, &out, &len, &err), CNI_STATUS_OK, err);
  CHECK(len == 5 && memcmp(out, "hello", 5) == 0);
  cni_bytes_free(out, len);
  cni_exec_free(raw);
}

/* args_json {"environ":[...]}: exactly that environment. */
static void test_args_json_environ(void) {
  char rec[4096], dbg_json[8192], args[16384];
  snprintf(rec, sizeof rec, "%s/args-environ.json", scratch_dir());
  snprintf(dbg_json, sizeof dbg_json, "{\"record\":\"%s\",\"result\":%s}", rec, RESULT_100);
  const char *dbg = debug_file("args-environ.json", dbg_json);
  setenv("CNI_SHOULD_NOT_LEAK", "1", 1);
  snprintf(args, sizeof args,
           "{\"environ\":[\"CNI_COMMAND=ADD\",\"CNI_ARGS=DEBUG=%s\",\"ONLY=this\",\"ONLY=twice\"]}", dbg);
  char *res = NULL;
  cni_error *err = NULL;
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, test_plugin(), NETCONF_100, args, &res, &err), CNI_STATUS_OK,
               err);
  CHECK_CONTAINS(res, "10.1.2.3/24");
  cni_string_free(res);
  char *r = read_file(rec);
  char want[8192];
  snprintf(want, sizeof want, "\"envList\":[\"CNI_COMMAND=ADD\",\"CNI_ARGS=DEBUG=%s\",\"ONLY=this\",\"ONLY=twice\"]",
           dbg);
  CHECK_CONTAINS(r, want);
  CHECK(r != NULL && strstr(r, "CNI_SHOULD_NOT_LEAK") == NULL);
  free(r);

  /* without_result too, and a plugin error through it. */
  const char *edbg = debug_file("args-environ-err.json", "{\"error\":{\"code\":5,\"msg\":\"nope\",\"details\":\"d\"}}");
  snprintf(args, sizeof args, "{\"environ\":[\"CNI_COMMAND=DEL\",\"CNI_ARGS=DEBUG=%s\"]}", edbg);
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, NULL, test_plugin(), NETCONF_100, args, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(err != NULL && cni_error_code(err) == 5);
  CHECK_STR(cni_error_details(err), "d");
  cni_error_free(err);
  unsetenv("CNI_SHOULD_NOT_LEAK");

  /* cni_args_as_env gives the array back unchanged. */
  char *env = NULL;
  CHECK_STATUS(cni_args_as_env("{\"environ\":[\"B=2\",\"A=1\",\"B=3\"]}", &env, &err), CNI_STATUS_OK, err);
  CHECK_STR(env, "[\"B=2\",\"A=1\",\"B=3\"]");
  cni_string_free(env);
  CHECK_STATUS(cni_args_as_env("{\"environ\":[]}", &env, &err), CNI_STATUS_OK, err);
  CHECK_STR(env, "[]");
  cni_string_free(env);

  /* Mixed with other keys, or not an array of strings. */
  const char *p = test_plugin();
  CHECK_INVALID(cni_args_as_env("{\"environ\":[\"A=1\"],\"command\":\"ADD\"}", &env, &e_), "`args_json`");
  CHECK_INVALID(cni_args_as_env("{\"command\":\"ADD\",\"environ\":[]}", &env, &e_), "environ");
  CHECK_INVALID(cni_args_as_env("{\"environ\":[\"A=1\"],\"bogus\":1}", &env, &e_), "environ");
  CHECK_INVALID(cni_args_as_env("{\"environ\":null}", &env, &e_), "`args_json`");
  CHECK_INVALID(cni_args_as_env("{\"environ\":\"A=1\"}", &env, &e_), "`args_json`");
  CHECK_INVALID(cni_args_as_env("{\"environ\":[1]}", &env, &e_), "`args_json`");
  CHECK_INVALID(cni_exec_plugin_with_result(NULL, NULL, p, NETCONF_100,
                                            "{\"environ\":[\"CNI_COMMAND=ADD\"],\"ifName\":\"eth0\"}", &res, &e_),
                "`args_json`");
  CHECK_INVALID(cni_exec_plugin_without_result(NULL, NULL, p, NETCONF_100, "{\"environ\":{}}", &e_),
                "`args_json`");
  /* A NUL inside an entry cannot reach a process. */
  CHECK_INVALID(cni_exec_plugin_without_result(NULL, NULL, p, NETCONF_100, "{\"environ\":[\"A=\\u0000\"]}", &e_),
                "NUL");
  CHECK(env == NULL && res == NULL);
}

int main(void) {
  test_success_and_exact_environment();
  test_plugin_error();
  test_invalid_arguments();
  test_custom_exec();
  test_args_json_environ();
  TEST_DONE();
}
