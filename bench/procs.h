/* The processes of one run: shared results, a common start, reaping. */
#ifndef BENCH_PROCS_H
#define BENCH_PROCS_H

#include "bench.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_PROCS (2 + MAX_READERS)
#define LAT_CAP (1u << 20) /* samples kept per process; more are sampled */

/* What one child reports; lives in memory shared with the parent. */
struct proc_out {
    _Atomic int state; /* 0 running, 1 done, 2 failed */
    char msg[NOTE_MAX];
    uint64_t frames; /* frames completed that were published in the
                        measured window */
    uint64_t skipped, retries, bad;
    uint64_t holds, whole; /* frames held (or taken) in the window, and of
                              those, the ones still whole at release */
    /* Writers: frames begun and finished while the meter ran, and the
     * CPU their drawing took (render rows, measured around it): so the
     * CPU per frame less the drawing covers the same frames exactly. */
    uint64_t sent;
    int64_t draw_ns;
    int64_t cpu_ns, wall_ns; /* CPU used over the metered wall time */
    uint64_t nlat;           /* latency samples offered */
    int64_t lat_max;
    int64_t first_ns, last_ns; /* first and last event in the window */
    int64_t *lat;              /* LAT_CAP slots, shared */
    uint64_t rng;
};

struct run {
    _Atomic int ready;
    _Atomic int go;
    int64_t t_warm, t_end; /* measured window, CLOCK_MONOTONIC */
    struct proc_out out[MAX_PROCS];
};

/* Whole-window CPU meter: starts at t_warm, stops at t_end or at the end. */
struct meter {
    int state;
    int64_t w0, c0, w1, c1;
};

int procs_init(void);
struct run *run_ctl(void);
void run_reset(void);

/* Fork a child running fn(arg, out) with out = &run->out[idx]; its return
 * value (0 or not) is its exit status. */
pid_t run_spawn(int idx, int (*fn)(void *arg, struct proc_out *out), void *arg);
/* Parent: wait until `n` children have called child_ready(). */
int run_wait_ready(int n, const pid_t *pids, int npids, char *why,
                   size_t whylen);
void run_go(double warm_s, double run_s);
/* Wait for every child; kill them all when the deadline passes or the
 * user interrupts. 0 if all exited 0. */
int run_reap(const pid_t *pids, int n, int64_t deadline, char *why,
             size_t whylen);
void run_kill(const pid_t *pids, int n);

/* The usual run: spawn procs[0..first) and wait until they are ready (a
 * writer making its segment), then the rest; start them all; reap. 0, or
 * -1 with the reason in why. */
struct spawn {
    int (*fn)(void *arg, struct proc_out *out);
    void *arg;
};
int run_procs(const struct spawn *procs, int n, int first, const struct opts *o,
              char *why, size_t whylen);

void child_ready(void);
void child_wait_go(void);
int child_fail(struct proc_out *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void lat_add(struct proc_out *out, int64_t ns);
void meter_tick(struct meter *m, int64_t now);
void meter_end(struct meter *m, struct proc_out *out);

/* The measure of a run of one writer (out[0]) and n readers (out[1..n])
 * over the window; bytes is one frame. */
void run_collect(int nreaders, size_t bytes, struct measure *m);
/* Writer and reader CPU per frame together; either may be NAN. */
double cpu_total_us(double writer_us, double reader_us);

#endif
