/* Figures across repetitions: median, min and max of each metric. */
#ifndef BENCH_SUMMARY_H
#define BENCH_SUMMARY_H

#include "bench.h"

enum metric {
    M_FPS,
    M_WRITER_FPS,
    M_GBPS,
    M_P50,
    M_P99,
    M_P999,
    M_MAX,
    M_SKIPPED,
    M_RETRIES,
    M_BAD,
    M_WCPU,
    M_RCPU,
    M_WHOLE,
    M_WCPU_US,
    M_RCPU_US,
    M_CPU_US,
    M_COUNT
};

/* JSON keys, in enum order. */
extern const char *const metric_key[M_COUNT];

struct stat3 {
    double med, min, max; /* NAN when n == 0 */
    int n;                /* finite values summarised */
};

double metric_of(const struct measure *m, enum metric k);
struct stat3 stat3_of(const double *v, int n);
struct stat3 row_stat(const struct row *r, int reps, enum metric k);
/* Repetitions that failed, and the first one's reason. */
int row_failures(const struct row *r, int reps, const char **why);

#endif
