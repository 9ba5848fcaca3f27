/* A real chained network list through the C ABI: bridge (host-local IPAM),
 * tuning taking the `mac` capability, portmap taking `portMappings` — ADD,
 * CHECK, GC (a stale second container removed, the live one kept) and DEL
 * twice, in network namespaces made here and always removed. The plugins'
 * host side is a namespace too (this thread joins it), so the machine's
 * network is not touched.
 *
 * Debian's portmap (1.1.1) wrongly demands IPv6 rules on CHECK whenever
 * ip6tables works (containernetworking/plugins#819): the plugins inherit a
 * PATH whose first ip6tables fails, as on a host without IPv6 netfilter.
 *
 * Skips (exit 0, "SKIPPED") without root, the plugins, ip or iptables,
 * unless CNI_REQUIRE_REAL_PLUGINS=1, which makes that a failure.
 */
#include "cni_test.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

static char host_ns[64], ctr_ns[64], ctr2_ns[64], data_dir[512], cache_dir[512], shim[512];

static int sh(const char *fmt, const char *a) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, fmt, a);
  return system(cmd);
}

static void cleanup(void) {
  if (*host_ns) sh("ip netns del %s 2>/dev/null", host_ns);
  if (*ctr_ns) sh("ip netns del %s 2>/dev/null", ctr_ns);
  if (*ctr2_ns) sh("ip netns del %s 2>/dev/null", ctr2_ns);
  if (*data_dir) sh("rm -rf %s", data_dir);
  if (*cache_dir) sh("rm -rf %s", cache_dir);
  if (*shim) sh("rm -rf %s", shim);
}

static int available(void) {
  const char *plugins[] = {"bridge", "host-local", "tuning", "portmap"};
  if (geteuid() != 0) return 0;
  for (size_t i = 0; i < sizeof plugins / sizeof plugins[0]; i++) {
    char p[128];
    snprintf(p, sizeof p, "/usr/lib/cni/%s", plugins[i]);
    if (access(p, X_OK) != 0) return 0;
  }
  return system("ip -V >/dev/null 2>&1") == 0 && system("iptables -V >/dev/null 2>&1") == 0;
}

static void rt_json(char *out, size_t n, const char *cid, const char *ns, const char *mac) {
  snprintf(out, n,
           "{\"containerId\":\"%s\",\"netns\":\"/var/run/netns/%s\",\"ifName\":\"eth0\","
           "\"capabilityArgs\":{\"mac\":\"%s\",\"portMappings\":[{\"hostPort\":18080,"
           "\"containerPort\":80,\"protocol\":\"tcp\"}]}}",
           cid, ns, mac);
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int main(void) {
  if (!available()) {
    const char *req = getenv("CNI_REQUIRE_REAL_PLUGINS");
    if (req && strcmp(req, "1") == 0) {
      fprintf(stderr, "real-plugin tests required but cannot run (root, plugins, ip, iptables)\n");
      return 1;
    }
    printf("SKIPPED: real network-list tests need root, /usr/lib/cni, ip and iptables\n");
    return 0;
  }
  atexit(cleanup);
  int pid = (int)getpid();
  snprintf(host_ns, sizeof host_ns, "cnii-cl-%d-host", pid);
  snprintf(ctr_ns, sizeof ctr_ns, "cnii-cl-%d-ctr", pid);
  snprintf(ctr2_ns, sizeof ctr2_ns, "cnii-cl-%d-ctr2", pid);
  const char *tmp = getenv("TMPDIR");
  tmp = tmp && *tmp ? tmp : "/tmp";
  snprintf(data_dir, sizeof data_dir, "%s/cnii-cl-ipam-%d", tmp, pid);
  snprintf(cache_dir, sizeof cache_dir, "%s/cnii-cl-cache-%d", tmp, pid);
  snprintf(shim, sizeof shim, "%s/cnii-cl-shim-%d", tmp, pid);
  CHECK(sh("ip netns add %s", host_ns) == 0);
  CHECK(sh("ip netns add %s", ctr_ns) == 0);
  CHECK(sh("ip netns add %s", ctr2_ns) == 0);

  /* ip6tables that fails, first on the plugins' PATH (they inherit ours). */
  CHECK(sh("mkdir -p %s", shim) == 0);
  char tool[600];
  snprintf(tool, sizeof tool, "%s/ip6tables", shim);
  FILE *f = fopen(tool, "w");
  CHECK(f != NULL);
  if (f) {
    fputs("#!/bin/sh\necho 'ip6tables hidden by the test' >&2\nexit 1\n", f);
    fclose(f);
  }
  chmod(tool, 0755);
  char path_env[4096];
  snprintf(path_env, sizeof path_env, "%s:%s", shim, getenv("PATH") ? getenv("PATH") : "/usr/sbin:/usr/bin:/sbin:/bin");
  setenv("PATH", path_env, 1);

  char nspath[128];
  snprintf(nspath, sizeof nspath, "/var/run/netns/%s", host_ns);
  int fd = open(nspath, O_RDONLY | O_CLOEXEC);
  CHECK(fd >= 0 && setns(fd, CLONE_NEWNET) == 0);
  if (fd >= 0) close(fd);
  system("ip link set lo up");

  char list[2048];
  snprintf(list, sizeof list,
           "{\"cniVersion\":\"1.0.0\",\"name\":\"cnii-clist\",\"plugins\":["
           "{\"type\":\"bridge\",\"bridge\":\"cnii-clbr0\",\"isGateway\":true,\"ipMasq\":false,"
           "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.97.0.0/24\",\"dataDir\":\"%s\"}},"
           "{\"type\":\"tuning\",\"capabilities\":{\"mac\":true}},"
           "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},\"snat\":false}]}",
           data_dir);

  cni_error *err = NULL;
  cni_config *cfg = NULL;
  CHECK_STATUS(cni_config_new("[\"/usr/lib/cni\"]", cache_dir, NULL, &cfg, &err), CNI_STATUS_OK,
               err);
  cni_context *ctx = cni_context_with_timeout_ms(60000);

  char *caps = NULL;
  CHECK_STATUS(cni_network_list_validate(cfg, ctx, list, &caps, &err), CNI_STATUS_OK, err);
  CHECK_STR(caps, "[\"mac\",\"portMappings\"]");
  cni_string_free(caps);

  char rt[1024], rt2[1024];
  rt_json(rt, sizeof rt, "c-capi-list", ctr_ns, "c2:11:22:33:44:55");
  rt_json(rt2, sizeof rt2, "c-capi-stale", ctr2_ns, "c2:11:22:33:44:66");

  char *result = NULL;
  CHECK_STATUS(cni_network_list_add(cfg, ctx, list, rt, &result, &err), CNI_STATUS_OK, err);
  CHECK_CONTAINS(result, "\"address\":\"10.97.0.");
  CHECK_CONTAINS(result, "c2:11:22:33:44:55");
  cni_string_free(result);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "ip -n %s link show dev eth0 | grep -q c2:11:22:33:44:55", ctr_ns);
  CHECK(system(cmd) == 0);
  snprintf(cmd, sizeof cmd, "iptables-save -t nat | grep -q 'dport 18080'");
  CHECK(system(cmd) == 0);
  char entry[1024], entry2[1024];
  snprintf(entry, sizeof entry, "%s/results/cnii-clist-c-capi-list-eth0", cache_dir);
  snprintf(entry2, sizeof entry2, "%s/results/cnii-clist-c-capi-stale-eth0", cache_dir);
  CHECK(exists(entry));

  CHECK_STATUS(cni_network_list_check(cfg, ctx, list, rt, &err), CNI_STATUS_OK, err);

  /* A second attachment that GC finds stale. */
  CHECK_STATUS(cni_network_list_add(cfg, ctx, list, rt2, &result, &err), CNI_STATUS_OK, err);
  cni_string_free(result);
  CHECK(exists(entry2));
  CHECK_STATUS(cni_network_list_gc(cfg, ctx, list,
                                   "{\"validAttachments\":[{\"containerID\":\"c-capi-list\","
                                   "\"ifname\":\"eth0\"}]}",
                                   &err),
               CNI_STATUS_OK, err);
  CHECK(exists(entry));
  CHECK(!exists(entry2));
  snprintf(cmd, sizeof cmd, "ip -n %s link show dev eth0 >/dev/null 2>&1", ctr2_ns);
  CHECK(system(cmd) != 0);
  CHECK_STATUS(cni_network_list_check(cfg, ctx, list, rt, &err), CNI_STATUS_OK, err);

  CHECK_STATUS(cni_network_list_del(cfg, ctx, list, rt, &err), CNI_STATUS_OK, err);
  CHECK(!exists(entry));
  snprintf(cmd, sizeof cmd, "ip -n %s link show dev eth0 >/dev/null 2>&1", ctr_ns);
  CHECK(system(cmd) != 0);
  CHECK(system("iptables-save -t nat | grep -q 'dport 18080'") != 0);
  CHECK_STATUS(cni_network_list_del(cfg, ctx, list, rt, &err), CNI_STATUS_OK, err);

  /* The lease files host-local kept are gone with the attachments. */
  snprintf(cmd, sizeof cmd, "ls %s/cnii-clist 2>/dev/null | grep -q '^10\\.97\\.'", data_dir);
  CHECK(system(cmd) != 0);

  cni_context_free(ctx);
  cni_config_free(cfg);
  TEST_DONE();
}
