/*
 * The benchmark's plugin: as small and fast as a CNI plugin can be, so that
 * what is measured is the cost of invoking it.
 *
 *   CNI_COMMAND=VERSION   prints a version report
 *   CNI_COMMAND=ADD       prints a small fixed 1.0.0 result
 *   other commands        print nothing
 *   BENCH_SLEEP_MS=N      sleeps N ms first (the cancel workload)
 *   BENCH_OUT_BYTES=N     instead of a result, writes N bytes to stdout and
 *                         N bytes to stderr, in interleaved 64 KiB chunks
 *                         (the output workload; stdout is then no result)
 *
 * It always reads stdin to EOF first, as a real plugin reads its config.
 * Built with gcc -O2 -static: no dynamic loader in the measured path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

static void drain_stdin(void) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n > 0)
      continue;
    if (n < 0 && errno == EINTR)
      continue;
    return;
  }
}

static int flood(unsigned long long total) {
  static char chunk[64 * 1024];
  memset(chunk, 'x', sizeof chunk);
  unsigned long long left[2] = {total, total};
  while (left[0] > 0 || left[1] > 0) {
    for (int i = 0; i < 2; i++) {
      size_t n = left[i] < sizeof chunk ? (size_t)left[i] : sizeof chunk;
      if (n == 0)
        continue;
      if (write_all(i + 1, chunk, n) < 0)
        return 1;
      left[i] -= n;
    }
  }
  return 0;
}

int main(void) {
  const char *sleep_ms = getenv("BENCH_SLEEP_MS");
  if (sleep_ms && *sleep_ms) {
    long ms = strtol(sleep_ms, NULL, 10);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
  }
  drain_stdin();

  const char *out_bytes = getenv("BENCH_OUT_BYTES");
  if (out_bytes && *out_bytes)
    return flood(strtoull(out_bytes, NULL, 10));

  const char *cmd = getenv("CNI_COMMAND");
  if (!cmd)
    cmd = "";
  const char *out = "";
  if (strcmp(cmd, "VERSION") == 0) {
    out = "{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.1.0\",\"0.2.0\","
          "\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}";
  } else if (strcmp(cmd, "ADD") == 0) {
    out = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\","
          "\"mac\":\"0a:58:0a:01:02:03\",\"sandbox\":\"/var/run/netns/bench\"}],"
          "\"ips\":[{\"address\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\","
          "\"interface\":0}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],"
          "\"dns\":{\"nameservers\":[\"10.1.2.1\"]}}";
  }
  return write_all(1, out, strlen(out)) < 0 ? 1 : 0;
}
