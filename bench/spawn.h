/* Running other programs: the producer, make-samples, gst-launch, gnuplot. */
#ifndef BENCH_SPAWN_H
#define BENCH_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Whether NAME is an executable file in $PATH. */
bool have_command(const char *name);

/* Start argv[0] (searched in $PATH when it has no slash) with stdout and
 * stderr going to out_fd (-1: /dev/null). The child is killed with us. */
pid_t spawn_cmd(char *const argv[], int out_fd);

/* Wait for pid until timeout_ms (-1 forever), then kill it. Returns the
 * exit status, 128 + signal, or -1; ru (may be NULL) gets its usage. */
int spawn_wait(pid_t pid, int timeout_ms, struct rusage *ru);

/* Run a command to completion with its output captured into out (NUL
 * terminated, truncated to outlen). Returns as spawn_wait(). */
int spawn_run(char *const argv[], char *out, size_t outlen, int timeout_ms);

/* An unlinked temporary file for a child's output, and reading it back. */
int capture_open(void);
void capture_read(int fd, char *out, size_t outlen);

#endif
