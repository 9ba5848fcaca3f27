/*
 * The list floor: the least a C program must do for the list workload
 * (list.h) — a 3-plugin list ADD and its DEL, with the cache entry written
 * as crash-safely as src/libcni/cache.rs writes it.
 *
 *   ADD  three posix_spawn calls (spawn.h), each plugin's stdin its
 *        configuration with name and cniVersion, and from the second on
 *        the previous plugin's stdout as prevResult; then the entry:
 *        `.<entry>.tmp` unlinked, created O_WRONLY|O_CREAT|O_EXCL|
 *        O_NOFOLLOW|O_CLOEXEC 0600, written, fsynced, renamed over
 *        `results/<entry>`, the directory fsynced (fsyncs skipped with
 *        BENCH_CACHE_SYNC=0, as `cacheSync` off)
 *   DEL  the entry read (O_NOFOLLOW, regular files only), three spawns in
 *        reverse order with its result as prevResult, the entry unlinked
 *        and the directory fsynced
 *
 * With --lock (before the protocol's flags) each side also holds the
 * attachment's lock as src/libcni/lock.rs takes it: `locks/<entry>.lock`
 * opened O_RDWR|O_CREAT|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_CLOEXEC, flock
 * LOCK_EX|LOCK_NB retried with a backoff, the inode checked against the
 * path; the DEL unlinks it. The two directories are opened once per
 * process; no JSON is parsed and no text is validated.
 */
#include "list.h"
#include "spawn.h"

#include <sys/file.h>
#include <sys/stat.h>

struct state {
  struct bench_list_plugin plugin;
  const char *list;
  int results; /* <cache>/results */
  int locks;   /* <cache>/locks, or -1 without --lock */
  int sync;
};

static char *base64(const char *in) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen(in);
  char *out = malloc(4 * ((n + 2) / 3) + 1), *o = out;
  if (!out)
    bench_die("out of memory");
  const unsigned char *s = (const unsigned char *)in;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0) |
                 (i + 2 < n ? s[i + 2] : 0);
    *o++ = tab[v >> 18 & 63];
    *o++ = tab[v >> 12 & 63];
    *o++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
    *o++ = i + 2 < n ? tab[v & 63] : '=';
  }
  *o = '\0';
  return out;
}

static int open_dir(int parent, const char *name) {
  if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
    return -1;
  return openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Take the attachment's lock; its fd, or -1. */
static int lock_take(int locks, const char *lock_name) {
  for (;;) {
    int flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = openat(locks, lock_name, flags, 0600);
    if (fd < 0)
      return -1;
    long backoff_us = 1000;
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
      if (errno != EWOULDBLOCK) {
        close(fd);
        return -1;
      }
      usleep((useconds_t)backoff_us);
      backoff_us = backoff_us < 16000 ? backoff_us * 2 : 16000;
    }
    struct stat held, at;
    if (fstat(fd, &held) == 0 && fstatat(locks, lock_name, &at, AT_SYMLINK_NOFOLLOW) == 0 &&
        held.st_dev == at.st_dev && held.st_ino == at.st_ino)
      return fd;
    close(fd); /* a DEL removed it while we waited: start over */
  }
}

/* Run the list's plugins for `command` in order (ADD) or in reverse (DEL);
 * `prev` is the first plugin's prevResult (NULL: none). The last stdout in
 * *last (ADD). */
static int run_chain(const struct state *s, const char *command, const char *cid, const char *prev,
                     struct buf *last) {
  char **env = bench_env(command, cid, BENCH_NETNS, BENCH_IFNAME, s->plugin.dir);
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", s->plugin.dir, s->plugin.type);
  struct buf out = {0};
  int rc = 0;
  for (int i = 0; i < 3 && rc == 0; i++) {
    char *conf = NULL;
    const char *pr = out.len ? out.data : prev;
    if (asprintf(&conf,
                 "{\"cniVersion\":\"1.0.0\",\"name\":\"" BENCH_LIST_NAME "\",\"type\":\"%s\"%s%s}",
                 s->plugin.type, pr ? ",\"prevResult\":" : "", pr ? pr : "") < 0)
      bench_die("out of memory");
    struct buf next = {0}, err = {0};
    rc = run_plugin(path, env, conf, &next, &err, -1);
    free(conf);
    free(err.data);
    if (rc == 0 && strcmp(command, "ADD") == 0) {
      if (next.len == 0 || !(next.data = realloc(next.data, next.len + 1)))
        rc = -1;
      else
        next.data[next.len] = '\0';
    }
    free(out.data);
    out = next;
    if (strcmp(command, "ADD") != 0) {
      free(out.data);
      out = (struct buf){0};
    }
  }
  bench_env_free(env);
  if (rc == 0 && last)
    *last = out;
  else
    free(out.data);
  return rc;
}

static int write_entry(const struct state *s, const char *entry, const char *cid,
                       const char *result) {
  char tmp[512];
  snprintf(tmp, sizeof tmp, ".%s.tmp", entry);
  char *config = base64(s->list), *rec = NULL;
  int len = asprintf(&rec,
                     "{\"kind\":\"cniCacheV1\",\"containerId\":\"%s\",\"config\":\"%s\","
                     "\"ifName\":\"" BENCH_IFNAME "\",\"networkName\":\"" BENCH_LIST_NAME "\","
                     "\"netns\":\"" BENCH_NETNS "\","
                     "\"result\":%s}",
                     cid, config, result);
  free(config);
  if (len < 0)
    bench_die("out of memory");
  if (unlinkat(s->results, tmp, 0) < 0 && errno != ENOENT) {
    free(rec);
    return -1;
  }
  int fd = openat(s->results, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  int rc = fd < 0 || write(fd, rec, (size_t)len) != len || (s->sync && fsync(fd) < 0) ? -1 : 0;
  free(rec);
  if (fd >= 0)
    close(fd);
  if (rc == 0)
    rc = renameat(s->results, tmp, s->results, entry);
  if (rc == 0 && s->sync)
    rc = fsync(s->results);
  return rc;
}

/* The cached result of the entry (malloc'd), or NULL. */
static char *read_result(const struct state *s, const char *entry) {
  int fd = openat(s->results, entry, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  struct buf b = {0};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    while (buf_read(&b, fd) > 0) {
    }
  close(fd);
  char *r = b.len ? memmem(b.data, b.len, "\"result\":", 9) : NULL;
  char *end = b.len ? b.data + b.len - 1 : NULL;
  if (!r || *end != '}') {
    free(b.data);
    return NULL;
  }
  *end = '\0';
  char *out = strdup(r + 9);
  free(b.data);
  return out;
}

static int list_add(const struct state *s, const char *cid, const char *entry) {
  struct buf last = {0};
  int rc = run_chain(s, "ADD", cid, NULL, &last);
  if (rc == 0)
    rc = write_entry(s, entry, cid, last.data);
  free(last.data);
  return rc;
}

static int list_del(const struct state *s, const char *cid, const char *entry) {
  char *prev = read_result(s, entry);
  int rc = prev ? run_chain(s, "DEL", cid, prev, NULL) : -1;
  free(prev);
  if (rc == 0)
    rc = unlinkat(s->results, entry, 0);
  if (rc == 0 && s->sync)
    rc = fsync(s->results);
  return rc;
}

static int call(void *state, const struct bench_opts *o, uint64_t *cancel_ns) {
  (void)o;
  (void)cancel_ns;
  const struct state *s = state;
  char cid[64], entry[256], lock_name[300];
  bench_list_container_id(cid, sizeof cid);
  snprintf(entry, sizeof entry, BENCH_LIST_NAME "-%s-" BENCH_IFNAME, cid);
  snprintf(lock_name, sizeof lock_name, "%s.lock", entry);

  int lock = s->locks >= 0 ? lock_take(s->locks, lock_name) : -2;
  if (lock == -1)
    return -1;
  int rc = list_add(s, cid, entry);
  if (lock >= 0)
    close(lock);
  if (rc != 0)
    return rc;

  lock = s->locks >= 0 ? lock_take(s->locks, lock_name) : -2;
  if (lock == -1)
    return -1;
  rc = list_del(s, cid, entry);
  if (lock >= 0) {
    if (rc == 0)
      unlinkat(s->locks, lock_name, 0);
    close(lock);
  }
  return rc;
}

int main(int argc, char **argv) {
  int with_lock = argc > 1 && strcmp(argv[1], "--lock") == 0;
  if (with_lock) {
    argv[1] = argv[0];
    argv++;
    argc--;
  }
  struct bench_opts o;
  bench_parse(argc, argv, &o);
  if (o.workload != W_LIST)
    bench_die("the list floor runs the list workload only");
  signal(SIGPIPE, SIG_IGN);

  struct state s = {.sync = bench_cache_sync(), .locks = -1};
  bench_list_plugin(o.plugin, &s.plugin);
  s.list = bench_list_text(s.plugin.type);
  const char *cache = bench_cache_dir();
  if (mkdir(cache, 0700) < 0 && errno != EEXIST)
    bench_die("cannot create BENCH_CACHE_DIR");
  int root = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0 || (s.results = open_dir(root, "results")) < 0 ||
      (with_lock && (s.locks = open_dir(root, "locks")) < 0))
    bench_die("cannot open the cache directories");
  close(root);
  return bench_run(with_lock ? "list-floor-locked" : "list-floor", &o, call, &s);
}
