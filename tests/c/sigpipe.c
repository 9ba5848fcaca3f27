/* A host with SIGPIPE at its default disposition (as C programs have)
 * survives a plugin that exits without reading a 4 MiB stdin. */
#include "cni_test.h"

#include <signal.h>

int main(void) {
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, NULL);

  /* A 4 MiB network configuration. */
  size_t big = 4u << 20;
  char *netconf = malloc(big + 128);
  int n = sprintf(netconf, "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"pad\":\"");
  memset(netconf + n, 'x', big);
  strcpy(netconf + n + big, "\"}");

  const char *dbg = debug_file("noread.json", "{\"readStdin\":false}");
  char *args = args_json("DEL", dbg);
  for (int i = 0; i < 5; i++) {
    cni_error *err = NULL;
    CHECK_STATUS(cni_exec_plugin_without_result(NULL, NULL, test_plugin(), netconf, args, &err),
                 CNI_STATUS_OK, err);
    cni_error_free(err);
  }
  /* Same with a plugin that fails without reading. */
  const char *dbg2 = debug_file("noread-fail.json",
                          "{\"readStdin\":false,\"error\":{\"code\":5,\"msg\":\"io\"}}");
  char *args2 = args_json("ADD", dbg2);
  cni_error *err = NULL;
  char *res = NULL;
  CHECK_STATUS(cni_exec_plugin_with_result(NULL, NULL, test_plugin(), netconf, args2, &res, &err),
               CNI_STATUS_PLUGIN_ERROR, err);
  CHECK(cni_error_code(err) == 5);
  cni_error_free(err);

  /* SIGPIPE still has its default action and nothing is pending. */
  struct sigaction sa;
  sigaction(SIGPIPE, NULL, &sa);
  CHECK(sa.sa_handler == SIG_DFL);
  sigset_t pending;
  sigpending(&pending);
  CHECK(!sigismember(&pending, SIGPIPE));
  free(netconf);
  free(args);
  free(args2);
  TEST_DONE();
}
