/* Debian's real CNI plugins through the C ABI: bridge + host-local ADD,
 * CHECK (prevResult spliced in), DEL twice, and a plugin's own error — in
 * network namespaces made here and always removed. The plugins' host side is
 * a namespace too: the calling thread joins it, so the machine's network is
 * not touched.
 *
 * Skips (exit 0, "SKIPPED") without root, /usr/lib/cni/bridge or ip, unless
 * CNI_REQUIRE_REAL_PLUGINS=1, which makes that a failure.
 */
#include "cni_test.h"

#include <fcntl.h>
#include <sched.h>

static char host_ns[64], ctr_ns[64], data_dir[256];

static int sh(const char *fmt, const char *a) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, fmt, a);
  return system(cmd);
}

static void cleanup(void) {
  if (*host_ns) sh("ip netns del %s 2>/dev/null", host_ns);
  if (*ctr_ns) sh("ip netns del %s 2>/dev/null", ctr_ns);
  if (*data_dir) sh("rm -rf %s", data_dir);
}

static char *real_args(const char *command) {
  char *out = malloc(512);
  snprintf(out, 512,
           "{\"command\":\"%s\",\"containerId\":\"c-capi\",\"netns\":\"/var/run/netns/%s\","
           "\"ifName\":\"eth0\",\"path\":\"/usr/lib/cni\"}",
           command, ctr_ns);
  return out;
}

int main(void) {
  int have = geteuid() == 0 && access("/usr/lib/cni/bridge", X_OK) == 0 &&
             system("ip -V >/dev/null 2>&1") == 0;
  if (!have) {
    const char *req = getenv("CNI_REQUIRE_REAL_PLUGINS");
    if (req && strcmp(req, "1") == 0) {
      fprintf(stderr, "real-plugin tests required but cannot run (root, /usr/lib/cni, ip)\n");
      return 1;
    }
    printf("SKIPPED: real-plugin tests need root, /usr/lib/cni/bridge and ip\n");
    return 0;
  }
  atexit(cleanup);
  snprintf(host_ns, sizeof host_ns, "cnii-c-%d-host", (int)getpid());
  snprintf(ctr_ns, sizeof ctr_ns, "cnii-c-%d-ctr", (int)getpid());
  const char *tmp = getenv("TMPDIR");
  snprintf(data_dir, sizeof data_dir, "%s/cnii-c-ipam-%d", tmp ? tmp : "/tmp", (int)getpid());
  CHECK(sh("ip netns add %s", host_ns) == 0);
  CHECK(sh("ip netns add %s", ctr_ns) == 0);

  char path[128];
  snprintf(path, sizeof path, "/var/run/netns/%s", host_ns);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  CHECK(fd >= 0 && setns(fd, CLONE_NEWNET) == 0);
  close(fd);

  char netconf[1024];
  snprintf(netconf, sizeof netconf,
           "{\"cniVersion\":\"1.0.0\",\"name\":\"cnii-c\",\"type\":\"bridge\","
           "\"bridge\":\"cnii-cbr0\",\"isGateway\":true,\"ipMasq\":false,"
           "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.96.0.0/24\",\"dataDir\":\"%s\"}}",
           data_dir);
  const char *bridge = "/usr/lib/cni/bridge";
  cni_error *err = NULL;
  char *result = NULL;
  cni_context *ctx = cni_context_with_timeout_ms(30000);

  char *a = real_args("ADD");
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, ctx, bridge, netconf, a, &result, &err),
               CNI_STATUS_OK, err);
  free(a);
  CHECK_CONTAINS(result, "\"address\":\"10.96.0.");
  char *show = malloc(256);
  snprintf(show, 256, "ip -n %s -4 addr show dev eth0 | grep -q 'inet 10.96.0.'", ctr_ns);
  CHECK(system(show) == 0);

  /* CHECK with the ADD result as prevResult. */
  char *check_conf = malloc(strlen(netconf) + strlen(result ? result : "") + 32);
  strcpy(check_conf, netconf);
  check_conf[strlen(check_conf) - 1] = '\0'; /* drop the closing brace */
  strcat(check_conf, ",\"prevResult\":");
  strcat(check_conf, result ? result : "{}");
  strcat(check_conf, "}");
  a = real_args("CHECK");
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, ctx, bridge, check_conf, a, &err),
               CNI_STATUS_OK, err);
  free(a);
  free(check_conf);
  cni_string_free(result);

  a = real_args("DEL");
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, ctx, bridge, netconf, a, &err), CNI_STATUS_OK, err);
  snprintf(show, 256, "ip -n %s link show dev eth0 >/dev/null 2>&1", ctr_ns);
  CHECK(system(show) != 0);
  CHECK_STATUS(cni_exec_plugin_without_result(NULL, ctx, bridge, netconf, a, &err), CNI_STATUS_OK, err);
  free(a);
  free(show);

  /* The plugin's own error, typed. */
  const char *bad =
      "{\"cniVersion\":\"1.0.0\",\"name\":\"cnii-c-bad\",\"type\":\"bridge\",\"bridge\":\"cnii-cbr1\","
      "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"not-a-subnet\"}}";
  a = real_args("ADD");
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, ctx, bridge, bad, a, &result, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  if (err) {
    CHECK(cni_error_code(err) != 0);
    CHECK(strstr(cni_error_msg(err), "not-a-subnet") || strstr(cni_error_details(err), "not-a-subnet"));
    cni_error_free(err);
  }
  free(a);
  cni_context_free(ctx);
  TEST_DONE();
}
