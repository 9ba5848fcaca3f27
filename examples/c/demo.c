/* libcniinvoke demo: find a plugin, ask its versions, then ADD, CHECK and
 * DEL with it, printing what comes back.
 *
 *   demo [PLUGIN]
 *
 * PLUGIN is a path (containing '/') or a name looked up on CNI_PATH;
 * default: $CNI_TEST_PLUGIN, else "cni-test-plugin" on CNI_PATH (the
 * repository's test plugin: cargo build -p cni-test-plugin).
 *
 * Build against an installed library:
 *   cc demo.c $(pkg-config --cflags --libs cniinvoke) -o demo
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cniinvoke.h>

static const char *NETCONF =
    "{\"cniVersion\":\"1.0.0\",\"name\":\"demo-net\",\"type\":\"demo\"}";

/* Print the error of a failed call and free it; returns 1. */
static int fail(const char *what, cni_status status, cni_error *err) {
  fprintf(stderr, "%s failed: status %d, code %u: %s", what, (int)status, cni_error_code(err),
          cni_error_msg(err));
  if (*cni_error_details(err)) fprintf(stderr, " (%s)", cni_error_details(err));
  fprintf(stderr, "\n");
  cni_error_free(err);
  return 1;
}

/* A JSON array of the CNI_PATH entries, malloc'd. */
static char *cni_path_json(void) {
  const char *p = getenv("CNI_PATH");
  if (p == NULL) p = "";
  char *out = malloc(strlen(p) * 2 + 8);
  char *o = out;
  *o++ = '[';
  int first = 1;
  const char *start = p;
  for (const char *c = p;; c++) {
    if (*c == ':' || *c == '\0') {
      if (c > start) {
        if (!first) *o++ = ',';
        *o++ = '"';
        memcpy(o, start, (size_t)(c - start));
        o += c - start;
        *o++ = '"';
        first = 0;
      }
      if (*c == '\0') break;
      start = c + 1;
    }
  }
  *o++ = ']';
  *o = '\0';
  return out;
}

int main(int argc, char **argv) {
  const char *plugin = argc > 1 ? argv[1] : getenv("CNI_TEST_PLUGIN");
  if (plugin == NULL || *plugin == '\0') plugin = "cni-test-plugin";
  printf("libcniinvoke %s (CNI spec %s)\n", cni_version(), cni_spec_version());

  cni_error *err = NULL;
  cni_status st;
  char *path = NULL;
  if (strchr(plugin, '/') != NULL) {
    path = strdup(plugin);
  } else {
    char *paths = cni_path_json();
    char *found = NULL;
    st = cni_find_in_path(plugin, paths, &found, &err);
    free(paths);
    if (st != CNI_STATUS_OK) return fail("find", st, err);
    path = strdup(found);
    cni_string_free(found);
  }
  printf("plugin: %s\n", path);

  /* One exec and one context (10 s deadline) for every call. */
  cni_exec *exec = cni_exec_new_default();
  cni_context *ctx = cni_context_with_timeout_ms(10000);
  int rc = 0;

  char *info = NULL;
  st = cni_get_version_info(exec, ctx, path, &info, &err);
  if (st != CNI_STATUS_OK) {
    rc = fail("VERSION", st, err);
    goto out;
  }
  printf("VERSION: %s\n", info);
  cni_string_free(info);

  const char *verbs[] = {"ADD", "CHECK", "DEL"};
  for (size_t i = 0; i < 3; i++) {
    char args[512];
    snprintf(args, sizeof args,
             "{\"command\":\"%s\",\"containerId\":\"demo-ctr\",\"netns\":\"/var/run/netns/demo\","
             "\"ifName\":\"eth0\",\"path\":\"/opt/cni/bin\"}",
             verbs[i]);
    if (strcmp(verbs[i], "ADD") == 0) {
      char *result = NULL;
      st = cni_exec_plugin_with_result(exec, ctx, path, NETCONF, args, &result, &err);
      if (st != CNI_STATUS_OK) {
        rc = fail(verbs[i], st, err);
        goto out;
      }
      printf("ADD: %s\n", result);
      cni_string_free(result);
    } else {
      st = cni_exec_plugin_without_result(exec, ctx, path, NETCONF, args, &err);
      if (st != CNI_STATUS_OK) {
        rc = fail(verbs[i], st, err);
        goto out;
      }
      printf("%s: ok\n", verbs[i]);
    }
  }

out:
  cni_context_free(ctx);
  cni_exec_free(exec);
  free(path);
  return rc;
}
