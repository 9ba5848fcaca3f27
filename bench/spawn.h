/*
 * What the two floors share: run a plugin with posix_spawn and three pipes,
 * write its stdin, drain stdout and stderr together with poll (both, or a
 * chatty plugin deadlocks), waitpid. The least a C program must do per
 * plugin call; nothing else (no JSON, no process group, no retries).
 */
#ifndef BENCH_SPAWN_H
#define BENCH_SPAWN_H

#include "common.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

struct buf {
  char *data;
  size_t len, cap;
};

/* One read into the buffer's free room; the buffer starts at 64 KiB and
 * doubles only when full, so that a small output is never copied (growing
 * whenever less than 64 KiB were free copied the first 64 KiB on a second
 * read, or not, as the plugin's writes happened to land: the floor's
 * instruction count then changed from run to run). */
static inline int buf_read(struct buf *b, int fd) {
  if (b->len == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 65536;
    char *d = realloc(b->data, cap);
    if (!d)
      bench_die("out of memory");
    b->data = d;
    b->cap = cap;
  }
  ssize_t n = read(fd, b->data + b->len, b->cap - b->len);
  if (n > 0)
    b->len += (size_t)n;
  return (int)n;
}

/* Run the plugin; 0 when it exited 0. cancel_fd >= 0: when it becomes
 * readable the plugin is killed and 1 is returned. */
static inline int run_plugin(const char *path, char **envp, const char *in, struct buf *out,
                      struct buf *err, int cancel_fd) {
  int pin[2], pout[2], perr[2];
  if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0)
    return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
  posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
  posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
  pid_t pid;
  char *argv[] = {(char *)path, NULL};
  int rc = posix_spawn(&pid, path, &fa, NULL, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  close(pin[0]);
  close(pout[1]);
  close(perr[1]);
  if (rc != 0) {
    close(pin[1]);
    close(pout[0]);
    close(perr[0]);
    return -1;
  }
  /* A config is far below the pipe's capacity: one write, never blocks.
   * A plugin may exit without reading its stdin (Debian's bridge does, on
   * VERSION): the write then fails with EPIPE, which, like the library and
   * Go's os/exec, is no failure of the call; the exit status decides. */
  size_t len = strlen(in);
  ssize_t w = write(pin[1], in, len);
  if (w != (ssize_t)len && !(w < 0 && errno == EPIPE))
    rc = -1;
  close(pin[1]);

  struct pollfd fds[3] = {{pout[0], POLLIN, 0}, {perr[0], POLLIN, 0}, {cancel_fd, POLLIN, 0}};
  struct buf *bufs[2] = {out, err};
  int open_streams = 2, cancelled = 0;
  while (open_streams > 0) {
    if (poll(fds, cancel_fd >= 0 && !cancelled ? 3 : 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      rc = -1;
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd >= 0 && fds[i].revents) {
        int n = buf_read(bufs[i], fds[i].fd);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
          close(fds[i].fd);
          fds[i].fd = -1;
          open_streams--;
        }
      }
    }
    if (cancel_fd >= 0 && !cancelled && fds[2].revents) {
      kill(pid, SIGKILL);
      cancelled = 1;
    }
  }
  for (int i = 0; i < 2; i++)
    if (fds[i].fd >= 0)
      close(fds[i].fd);
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      return -1;
  }
  if (cancelled)
    return 1;
  if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return 0;
}

#endif
