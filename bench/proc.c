/*
 * A command-line tool as whole processes: upstream's `cnitool` or
 * `cniinvoke net`, timed by the same C loop. One call of the list workload
 * (list.h) is `TOOL add benchlist NETNS` then `TOOL del benchlist NETNS`,
 * each a fresh process, stdout to /dev/null, on a fresh NETNS path (both
 * tools derive the container id from it, so each call has an attachment of
 * its own; the path is never opened by the bench plugin).
 *
 *   proc --name NAME --tool PATH [--arg WORD]... <the protocol's flags>
 *
 * `--arg` words go between TOOL and `add` (`--arg net` for `cniinvoke
 * net`). The list is found on NETCONFPATH (the driver writes it there),
 * the plugin on CNI_PATH = dirname(--plugin). Both tools cache in
 * /var/lib/cni, which neither can move (cnitool has no switch): this
 * program runs them in a mount namespace of its own where /var/lib is a
 * fresh tmpfs and /var/lib/cni is BENCH_CACHE_DIR bind-mounted, so the
 * machine's /var/lib is never written. Needs root (CAP_SYS_ADMIN).
 */
#include "list.h"

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_ARGS 8

struct state {
  const char *name; /* the contender's, in the result line */
  const char *tool;
  const char *args[MAX_ARGS];
  int nargs;
  char **env;
};

/* /var/lib/cni := BENCH_CACHE_DIR, in a private mount namespace. */
static void private_cache(void) {
  const char *cache = bench_cache_dir();
  if (mkdir(cache, 0700) < 0 && errno != EEXIST)
    bench_die("cannot create BENCH_CACHE_DIR");
  if (unshare(CLONE_NEWNS) < 0)
    bench_die("unshare(CLONE_NEWNS) failed (needs root)");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
      mount("tmpfs", "/var/lib", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0 ||
      mkdir("/var/lib/cni", 0700) < 0 || mount(cache, "/var/lib/cni", NULL, MS_BIND, NULL) < 0)
    bench_die("cannot mount BENCH_CACHE_DIR on /var/lib/cni in a private namespace");
}

/* Run TOOL [args] command NAME NETNS; 0 when it exited 0. */
static int run_tool(const struct state *s, const char *command, const char *netns) {
  char *argv[MAX_ARGS + 5];
  int n = 0;
  argv[n++] = (char *)s->tool;
  for (int i = 0; i < s->nargs; i++)
    argv[n++] = (char *)s->args[i];
  argv[n++] = (char *)command;
  argv[n++] = BENCH_LIST_NAME;
  argv[n++] = (char *)netns;
  argv[n] = NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  int rc = posix_spawn(&pid, s->tool, &fa, NULL, argv, s->env);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return -1;
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int call(void *state, const struct bench_opts *o, uint64_t *cancel_ns) {
  (void)o;
  (void)cancel_ns;
  char cid[64], netns[128];
  bench_list_container_id(cid, sizeof cid);
  snprintf(netns, sizeof netns, "/var/run/netns/%s", cid);
  if (run_tool(state, "add", netns) != 0)
    return -1;
  return run_tool(state, "del", netns);
}

/* Take --name, --tool and --arg off the front of argv. */
static int take_tool_flags(int argc, char **argv, struct state *s) {
  int i = 1;
  while (i + 1 < argc) {
    if (strcmp(argv[i], "--name") == 0)
      s->name = argv[i + 1];
    else if (strcmp(argv[i], "--tool") == 0)
      s->tool = argv[i + 1];
    else if (strcmp(argv[i], "--arg") == 0 && s->nargs < MAX_ARGS)
      s->args[s->nargs++] = argv[i + 1];
    else
      break;
    i += 2;
  }
  if (!s->tool || !s->name)
    bench_die("usage: proc --name NAME --tool PATH [--arg WORD]... <protocol flags>");
  return i - 1;
}

int main(int argc, char **argv) {
  struct state s = {0};
  int taken = take_tool_flags(argc, argv, &s);
  argv[taken] = argv[0];
  struct bench_opts o;
  bench_parse(argc - taken, argv + taken, &o);
  if (o.workload != W_LIST)
    bench_die("proc runs the list workload only");
  if (!getenv("NETCONFPATH"))
    bench_die("NETCONFPATH must name the directory holding benchlist's list");
  struct bench_list_plugin p;
  bench_list_plugin(o.plugin, &p);
  private_cache();
  /* CNI_PATH, CNI_IFNAME as both tools read them; the rest is inherited. */
  setenv("CNI_PATH", p.dir, 1);
  setenv("CNI_IFNAME", BENCH_IFNAME, 1);
  unsetenv("CNI_ARGS");
  unsetenv("CAP_ARGS");
  s.env = environ;
  return bench_run(s.name, &o, call, &s);
}
