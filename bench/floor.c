/*
 * The floor: the least a C program must do to invoke a CNI plugin —
 * posix_spawn with three pipes, write the config to stdin, drain stdout and
 * stderr together with poll (both, or a chatty plugin deadlocks), waitpid.
 * No JSON decoding, no error texts, no process group, no retries: every
 * other contender does at least this much, so its ratio to the floor is
 * what its extra work costs.
 */
#include "spawn.h"

static void fire(void *arg) {
  int fd = *(int *)arg;
  if (write(fd, "x", 1) != 1)
    bench_die("cannot signal the cancel pipe");
}

static int call(void *state, const struct bench_opts *o, uint64_t *cancel_ns) {
  (void)state;
  struct buf out = {0}, err = {0};
  int rc;
  if (o->workload == W_VERSION) {
    char **env = bench_env("VERSION", "", "dummy", "dummy", "dummy");
    rc = run_plugin(o->plugin, env, BENCH_VERSION_STDIN, &out, &err, -1);
    bench_env_free(env);
  } else {
    char **env = bench_env("ADD", BENCH_CONTAINER_ID, BENCH_NETNS, BENCH_IFNAME, BENCH_CNI_PATH);
    if (o->workload == W_CANCEL) {
      int p[2];
      if (pipe2(p, O_CLOEXEC) < 0)
        bench_die("pipe2");
      struct bench_canceller c;
      bench_canceller_start(&c, o->cancel_after_ms, fire, &p[1]);
      rc = run_plugin(o->plugin, env, BENCH_NETCONF, &out, &err, p[0]);
      uint64_t done = bench_now_ns();
      uint64_t fired = bench_canceller_join(&c);
      *cancel_ns = done - fired;
      close(p[0]);
      close(p[1]);
      rc = rc == 1 ? 0 : -1; /* success = it was cancelled */
    } else {
      rc = run_plugin(o->plugin, env, BENCH_NETCONF, &out, &err, -1);
      if (rc == 0 && o->workload == W_ADD && out.len == 0)
        rc = -1;
    }
    bench_env_free(env);
  }
  free(out.data);
  free(err.data);
  return rc;
}

int main(int argc, char **argv) {
  struct bench_opts o;
  bench_parse(argc, argv, &o);
  signal(SIGPIPE, SIG_IGN);
  return bench_run("floor", &o, call, NULL);
}
