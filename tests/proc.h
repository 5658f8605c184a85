/* Child processes for the tests: started, signalled, waited for within a
 * limit, and what they wrote.
 *
 * Every child dies with the test (PR_SET_PDEATHSIG), and every child not
 * yet reaped is listed: a case that fails (CHECK exits) kills the ones
 * still running, so none is left holding ctest's output pipes. */
#ifndef LIBFRAME_TEST_PROC_H
#define LIBFRAME_TEST_PROC_H

#include "runner.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A timeout_ms that waits as long as it takes. */
#define NO_LIMIT (-1)

/* fork(): 0 in the child, which goes on running this program's code. */
pid_t fork_child(void);

/* An argument list built a word at a time, always NULL-terminated. */
#define CMDLINE_MAX 48
struct cmdline {
    const char *argv[CMDLINE_MAX];
    int argc;
};
void cmdline_add(struct cmdline *c, const char *word);
/* The words of a NULL-terminated list (NULL: none). */
void cmdline_add_all(struct cmdline *c, const char *const *words);

struct spawn_opts {
    /* argv[0] without a '/' is looked up in PATH. */
    const char *const *argv;
    /* "NAME=VALUE" sets NAME, "NAME" alone unsets it; NULL-terminated. */
    const char *const *env;
    /* stdout and stderr: into a file (created or truncated); without one,
     * to the descriptor out_fd / err_fd if it is > 0 (STDOUT_FILENO: the
     * test's own); with neither, to /dev/null. */
    const char *out, *err;
    int out_fd, err_fd;
    /* It leads a process group of its own, killed as one at cleanup, so
     * what it starts goes too (xvfb-run's Xvfb). */
    bool group;
    /* > 0: SIGALRM after so many seconds. The alarm survives exec, so a
     * hung program dies even while the test blocks reading its output. */
    unsigned limit_s;
};
/* fork() and exec; a child that cannot set up exits 126, or 127 if the
 * exec fails. */
pid_t spawn(const struct spawn_opts *o);

/* The program prog as found in PATH (static storage), or NULL. */
const char *find_in_path(const char *prog);

/* pid's wait status, or -1 if it still runs after timeout_ms; it is then
 * left running (and killed at cleanup). */
int reap_within(pid_t pid, int timeout_ms);
/* Whether pid runs; it is not reaped, so its status can still be had. */
bool still_running(pid_t pid);
/* "exit status N", "killed by signal N (name)"; "still running" for -1. */
void describe_status(char *buf, size_t len, int st);

/*
 * Wait for pid and fail the case unless it ends as said within timeout_ms.
 * The message names the child `what`, and shows the file `log` (if not
 * NULL): where it wrote why.
 */
void expect_exit(pid_t pid, int want, int timeout_ms, const char *what,
                 const char *log);
void expect_signal(pid_t pid, int sig, int timeout_ms, const char *what,
                   const char *log);
/* Its exit status, whatever it is; dying of a signal fails the case. */
int exit_code(pid_t pid, int timeout_ms, const char *what, const char *log);

/* Ask pid to stop with sig (SIGTERM, SIGINT): our programs then clean up
 * and exit 0, which must happen within timeout_ms. */
void stop_child(pid_t pid, int sig, int timeout_ms, const char *what,
                const char *log);
/* SIGKILL pid, which must die of it within timeout_ms. */
void kill_child(pid_t pid, int timeout_ms, const char *what, const char *log);

/* SIGKILL and reap every child still listed (process groups whole). Runs
 * at exit too; a forked child's copy of the list is not its own and is
 * left alone. */
void kill_children(void);

/*
 * Run fn(arg) in a child and wait for it (no limit), for what must not
 * touch the test process (a mount namespace of its own, say). The child
 * exits 0 when fn returns. Exit status SKIP skips the case, any other but
 * 0 fails it.
 */
void run_in_child(void (*fn)(void *), void *arg, const char *what,
                  const char *log);
/* Put this process in a mount namespace of its own with an empty tmpfs of
 * the given size ("16m") on /dev/shm; false, said on stderr, if it may not
 * (it takes root). */
bool private_dev_shm(const char *size);

/* CPU seconds (user + system, all threads) pid has used so far, from
 * /proc/PID/stat: work done, whatever the machine's load. */
double cpu_seconds(pid_t pid);

/* ---- scratch directories ------------------------------------------------- */

/* A fresh empty directory /tmp/libframe-test-PID-TAG (emptied if it was
 * there), which scratch_remove() deletes with what is in it; one at a
 * time. */
const char *scratch(const char *tag);
const char *scratch_dir(void); /* the one scratch() made last */
void scratch_remove(void);

/* ---- what a child wrote -------------------------------------------------- */

/* An unlinked temporary file to take a child's output (out_fd, err_fd),
 * and its text, NUL-terminated and cut to fit buf; read_capture closes
 * the descriptor. */
int capture_fd(void);
void read_capture(int fd, char *buf, size_t len);

/* A file's text, malloc()ed; NULL if there is no such file. */
char *read_text(const char *path);
/* For a missing file: false, 0 and 0. */
bool file_has(const char *path, const char *needle);
int file_lines(const char *path);
int file_count(const char *path, const char *needle);
/* To stderr, between lines that say what it is. */
void print_file(const char *what, const char *path);

#endif
