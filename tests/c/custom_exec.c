/* A caller-implemented exec (cni_exec_vtable): success, errors of each
 * kind, NULL entries falling back to the library, environ handling,
 * free_userdata exactly once, cni_buffer_append. */
#include "cni_test.h"

#include <libgen.h>

static const char *NETCONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"fake\"}";

struct fake {
  int frees;
  int exec_calls;
  int find_calls;
  int decode_calls;
  char last_path[4096];
  char last_stdin[4096];
  int environ_was_null;
  int saw_cni_command_add;
  int ctx_was_null;
  /* what exec_plugin answers */
  cni_status status;
  const char *stdout_text;
  uint32_t err_code;
  const char *err_msg;
  const char *err_details;
  void *err_userdata;     /* non-NULL: made with cni_error_new_with_userdata */
  cni_error *last_err;    /* the error object exec_plugin handed over */
  cni_error *last_find_err;
};

static int userdata_frees;
static void free_err_userdata(void *p) {
  (void)p;
  userdata_frees++;
}

static void fake_free(void *ud) { ((struct fake *)ud)->frees++; }

static cni_status fake_exec(void *ud, const cni_context *ctx, const char *plugin_path,
                            const uint8_t *stdin_data, size_t stdin_len,
                            const char *const *environ, cni_buffer *stdout_out, cni_error **err) {
  struct fake *f = ud;
  f->exec_calls++;
  f->ctx_was_null = ctx == NULL;
  snprintf(f->last_path, sizeof f->last_path, "%s", plugin_path);
  size_t n = stdin_len < sizeof f->last_stdin - 1 ? stdin_len : sizeof f->last_stdin - 1;
  memcpy(f->last_stdin, stdin_data, n);
  f->last_stdin[n] = '\0';
  f->environ_was_null = environ == NULL;
  f->saw_cni_command_add = 0;
  for (const char *const *e = environ; e && *e; e++)
    if (strcmp(*e, "CNI_COMMAND=ADD") == 0) f->saw_cni_command_add = 1;
  if (f->status != CNI_STATUS_OK) {
    if (f->err_userdata)
      *err = cni_error_new_with_userdata(f->err_code, f->err_msg, f->err_details, f->err_userdata,
                                         free_err_userdata);
    else if (f->err_msg)
      *err = cni_error_new(f->err_code, f->err_msg, f->err_details);
    f->last_err = *err;
    return f->status;
  }
  /* Appended in two pieces, plus the ignored NULL cases. */
  size_t len = strlen(f->stdout_text);
  cni_buffer_append(stdout_out, (const uint8_t *)f->stdout_text, len / 2);
  cni_buffer_append(stdout_out, NULL, 5);
  cni_buffer_append(stdout_out, NULL, 0);
  cni_buffer_append(NULL, (const uint8_t *)"x", 1);
  cni_buffer_append(stdout_out, (const uint8_t *)f->stdout_text + len / 2, len - len / 2);
  return CNI_STATUS_OK;
}

static cni_status fake_find(void *ud, const char *plugin, const char *const *paths, size_t n_paths,
                            cni_buffer *path_out, cni_error **err) {
  struct fake *f = ud;
  (void)paths;
  f->find_calls++;
  if (strcmp(plugin, "missing") == 0) {
    *err = cni_error_new(0, "fake finder: not here", NULL);
    f->last_find_err = *err;
    return CNI_STATUS_NOT_FOUND;
  }
  char out[4096];
  snprintf(out, sizeof out, "/fake/%zu/%s", n_paths, plugin);
  cni_buffer_append(path_out, (const uint8_t *)out, strlen(out));
  return CNI_STATUS_OK;
}

static cni_status fake_decode(void *ud, const uint8_t *json, size_t len, cni_buffer *out,
                              cni_error **err) {
  struct fake *f = ud;
  (void)json;
  (void)len;
  (void)err;
  f->decode_calls++;
  const char *info = "{\"cniVersion\":\"0.4.0\",\"supportedVersions\":[\"0.3.1\",\"0.4.0\"]}";
  cni_buffer_append(out, (const uint8_t *)info, strlen(info));
  return CNI_STATUS_OK;
}

static const char *RESULT =
    "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"192.0.2.7/24\"}],\"dns\":{}}";

static void test_success_and_arguments(void) {
  struct fake f = {0};
  f.stdout_text = RESULT;
  cni_exec_vtable vt = {fake_exec, fake_find, fake_decode, fake_free};
  cni_exec *ex = cni_exec_new_custom(&vt, &f);
  CHECK(ex != NULL);
  cni_error *err = NULL;
  char *res = NULL;
  char *args = args_json("ADD", NULL);
  CHECK_STATUS(cni_exec_plugin_with_result(ex, NULL, "/some/plugin", NETCONF, args, &res, &err),
               CNI_STATUS_OK, err);
  CHECK_CONTAINS(res, "192.0.2.7/24");
  CHECK_CONTAINS(res, "\"cniVersion\":\"1.0.0\"");
  cni_string_free(res);
  CHECK(f.exec_calls == 1);
  CHECK_STR(f.last_path, "/some/plugin");
  CHECK_STR(f.last_stdin, NETCONF);
  CHECK(!f.environ_was_null);
  CHECK(f.saw_cni_command_add);
  CHECK(!f.ctx_was_null);

  /* NULL args_json: environ NULL (inherit). */
  CHECK_STATUS(cni_exec_plugin_without_result(ex, NULL, "/p", NETCONF, NULL, &err), CNI_STATUS_OK, err);
  CHECK(f.environ_was_null);

  /* Delegation goes through the custom finder, then exec_plugin. */
  setenv("CNI_PATH", "/a:/b:/c", 1);
  CHECK_STATUS(cni_delegate_add(ex, NULL, "bridge", NETCONF, &res, &err), CNI_STATUS_OK, err);
  cni_string_free(res);
  CHECK(f.find_calls == 1);
  CHECK_STR(f.last_path, "/fake/3/bridge");
  CHECK(f.saw_cni_command_add);
  CHECK_STATUS(cni_delegate_del(ex, NULL, "missing", NETCONF, &err), CNI_STATUS_NOT_FOUND, err);
  CHECK_STR(cni_error_msg(err), "fake finder: not here");
  cni_error_free(err);
  unsetenv("CNI_PATH");

  /* VERSION goes through exec_plugin then the custom decoder. */
  char *info = NULL;
  f.stdout_text = "{\"whatever\":true}";
  CHECK_STATUS(cni_get_version_info(ex, NULL, "/p", &info, &err), CNI_STATUS_OK, err);
  CHECK(f.decode_calls == 1);
  CHECK_CONTAINS(info, "\"0.3.1\"");
  CHECK_CONTAINS(info, "\"cniVersion\":\"0.4.0\"");
  CHECK_CONTAINS(f.last_stdin, "\"cniVersion\":\"1.1.0\"");
  cni_string_free(info);
  free(args);

  CHECK(f.frees == 0);
  cni_exec_free(ex);
  CHECK(f.frees == 1);
}

static void test_errors(void) {
  struct fake f = {0};
  cni_exec_vtable vt = {fake_exec, NULL, NULL, fake_free};
  cni_exec *ex = cni_exec_new_custom(&vt, &f);
  cni_error *err = NULL;
  char *res = NULL;

  /* PLUGIN_ERROR keeps code, msg and details. */
  f.status = CNI_STATUS_PLUGIN_ERROR;
  f.err_code = 11;
  f.err_msg = "try again later";
  f.err_details = "busy";
  CHECK_STATUS(cni_exec_plugin_with_result(ex, NULL, "/p", NETCONF, NULL, &res, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(res == NULL);
  CHECK(cni_error_code(err) == 11);
  CHECK_STR(cni_error_msg(err), "try again later");
  CHECK_STR(cni_error_details(err), "busy");
  cni_error_free(err);

  /* Other statuses keep their category and message. */
  cni_status kinds[] = {CNI_STATUS_NOT_FOUND, CNI_STATUS_EXEC_FAILED, CNI_STATUS_DECODE_ERROR,
                        CNI_STATUS_UNSUPPORTED_VERSION, CNI_STATUS_TIMEOUT, CNI_STATUS_CANCELLED,
                        CNI_STATUS_INVALID_ARGUMENT};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    f.status = kinds[i];
    f.err_code = 0;
    f.err_msg = "custom failure";
    f.err_details = NULL;
    CHECK_STATUS(cni_exec_plugin_without_result(ex, NULL, "/p", NETCONF, NULL, &err), kinds[i], err);
    CHECK_STR(cni_error_msg(err), "custom failure");
    CHECK(cni_error_code(err) == 0);
    cni_error_free(err);
  }
  /* A failure without an error object still reports something. */
  f.status = CNI_STATUS_EXEC_FAILED;
  f.err_msg = NULL;
  CHECK_STATUS(cni_exec_plugin_without_result(ex, NULL, "/p", NETCONF, NULL, &err),
               CNI_STATUS_EXEC_FAILED, err);
  CHECK_CONTAINS(cni_error_msg(err), "exec_plugin");
  cni_error_free(err);

  /* The VERSION fallback also applies to custom execs. */
  f.status = CNI_STATUS_PLUGIN_ERROR;
  f.err_code = 4;
  f.err_msg = "unknown CNI_COMMAND: VERSION";
  char *info = NULL;
  CHECK_STATUS(cni_get_version_info(ex, NULL, "/p", &info, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(info, "\"supportedVersions\":[\"0.1.0\"]");
  cni_string_free(info);

  /* NULL decode entry: the library's decoder sees the garbage. */
  f.status = CNI_STATUS_OK;
  f.stdout_text = "not json";
  CHECK_STATUS(cni_get_version_info(ex, NULL, "/p", &info, &err), CNI_STATUS_DECODE_ERROR, err);
  cni_error_free(err);

  cni_exec_free(ex);
  CHECK(f.frees == 1);
}

/* The cni_error a callback returns is the very object the caller gets,
 * user data included; freeing it frees the user data, once. */
static void test_callback_errors_come_back_unchanged(void) {
  struct fake f = {0};
  cni_exec_vtable vt = {fake_exec, fake_find, NULL, NULL};
  cni_exec *ex = cni_exec_new_custom(&vt, &f);
  cni_error *err = NULL;
  char *res = NULL;
  static int marker;

  cni_status kinds[] = {CNI_STATUS_PLUGIN_ERROR, CNI_STATUS_TIMEOUT, CNI_STATUS_EXEC_FAILED};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    userdata_frees = 0;
    f.status = kinds[i];
    f.err_code = kinds[i] == CNI_STATUS_PLUGIN_ERROR ? 11 : 0;
    f.err_msg = "mine";
    f.err_details = "extra";
    f.err_userdata = &marker;
    CHECK_STATUS(cni_exec_plugin_with_result(ex, NULL, "/p", NETCONF, NULL, &res, &err), kinds[i],
                 err);
    CHECK(err != NULL && err == f.last_err);
    CHECK(cni_error_userdata(err) == &marker);
    CHECK_STR(cni_error_msg(err), "mine");
    CHECK_STR(cni_error_details(err), "extra");
    CHECK(userdata_frees == 0);
    cni_error_free(err);
    CHECK(userdata_frees == 1);
  }
  f.err_userdata = NULL;

  /* Without user data, and from another callback, through a delegate. */
  CHECK_STATUS(cni_delegate_del(ex, NULL, "missing", NETCONF, &err), CNI_STATUS_NOT_FOUND, err);
  CHECK(err != NULL && err == f.last_find_err);
  CHECK(cni_error_userdata(err) == NULL);
  CHECK_STR(cni_error_msg(err), "fake finder: not here");
  cni_error_free(err);

  /* The library's own errors carry none. */
  CHECK(cni_error_userdata(NULL) == NULL);
  CHECK_STATUS(cni_exec_plugin_with_result(ex, NULL, NULL, NETCONF, NULL, &res, &err),
               CNI_STATUS_INVALID_ARGUMENT, err);
  CHECK(cni_error_userdata(err) == NULL);
  cni_error_free(err);

  /* An error made with user data and freed unused frees it too. */
  userdata_frees = 0;
  cni_error_free(cni_error_new_with_userdata(1, "x", NULL, &marker, free_err_userdata));
  CHECK(userdata_frees == 1);
  cni_error_free(cni_error_new_with_userdata(1, "x", NULL, &marker, NULL));
  CHECK(userdata_frees == 1);

  cni_exec_free(ex);
}

static void test_null_entries(void) {
  /* All NULL: the library's own exec, finder and decoder run the real
   * test plugin. free_userdata NULL is fine too. */
  cni_exec_vtable vt = {NULL, NULL, NULL, NULL};
  cni_exec *ex = cni_exec_new_custom(&vt, NULL);
  CHECK(ex != NULL);
  cni_error *err = NULL;
  char *res = NULL;
  char *args = args_json("ADD", NULL);
  CHECK_STATUS(cni_exec_plugin_with_result(ex, NULL, test_plugin(), NETCONF, args, &res, &err),
               CNI_STATUS_OK, err);
  CHECK_CONTAINS(res, "10.1.2.3/24");
  cni_string_free(res);
  char *info = NULL;
  CHECK_STATUS(cni_get_version_info(ex, NULL, test_plugin(), &info, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(info, "\"1.1.0\"");
  cni_string_free(info);
  char *copy = strdup(test_plugin());
  setenv("CNI_PATH", dirname(copy), 1);
  free(copy);
  CHECK_STATUS(cni_delegate_check(ex, NULL, "cni-test-plugin", NETCONF, &err), CNI_STATUS_OK, err);
  unsetenv("CNI_PATH");
  free(args);
  cni_exec_free(ex);

  /* Only free_userdata: still called once, also when freed at once. */
  struct fake f = {0};
  cni_exec_vtable only_free = {NULL, NULL, NULL, fake_free};
  ex = cni_exec_new_custom(&only_free, &f);
  cni_exec_free(ex);
  CHECK(f.frees == 1);

  /* NULL vtable. */
  CHECK(cni_exec_new_custom(NULL, &f) == NULL);
  CHECK(f.frees == 1);
}

/* A callback calling back into the library with the context it was given. */
static cni_status nested_exec(void *ud, const cni_context *ctx, const char *plugin_path,
                              const uint8_t *stdin_data, size_t stdin_len,
                              const char *const *environ, cni_buffer *stdout_out, cni_error **err) {
  (void)ud;
  (void)stdin_data;
  (void)stdin_len;
  (void)environ;
  char *res = NULL;
  char *args = args_json("ADD", NULL);
  cni_status s = cni_exec_plugin_with_result(NULL, ctx, plugin_path, NETCONF, args, &res, err);
  free(args);
  if (s == CNI_STATUS_OK) cni_buffer_append(stdout_out, (const uint8_t *)res, strlen(res));
  cni_string_free(res);
  return s;
}

static void test_nested_calls(void) {
  cni_exec_vtable vt = {nested_exec, NULL, NULL, NULL};
  cni_exec *ex = cni_exec_new_custom(&vt, NULL);
  cni_context *ctx = cni_context_new();
  cni_error *err = NULL;
  char *res = NULL;
  CHECK_STATUS(cni_exec_plugin_with_result(ex, ctx, test_plugin(), NETCONF, NULL, &res, &err),
               CNI_STATUS_OK, err);
  CHECK_CONTAINS(res, "10.1.2.3/24");
  cni_string_free(res);
  /* The context handed to the callback is the caller's: once cancelled,
   * the nested call fails with CANCELLED. */
  cni_context_cancel(ctx);
  CHECK_STATUS(cni_exec_plugin_with_result(ex, ctx, test_plugin(), NETCONF, NULL, &res, &err),
               CNI_STATUS_CANCELLED, err);
  cni_error_free(err);
  cni_context_free(ctx);
  cni_exec_free(ex);
}

int main(void) {
  test_success_and_arguments();
  test_errors();
  test_callback_errors_come_back_unchanged();
  test_null_entries();
  test_nested_calls();
  TEST_DONE();
}
