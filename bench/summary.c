/* Median (min-max) over repetitions, ignoring figures that do not apply. */
#include "summary.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const metric_key[M_COUNT] = {
    "fps",        "writer_fps",    "gbps",           "lat_p50_us",
    "lat_p99_us", "lat_p999_us",   "lat_max_us",     "skipped",
    "retries",    "bad_frames",    "writer_cpu_pct", "reader_cpu_pct",
    "whole_pct",  "writer_cpu_us", "reader_cpu_us",  "cpu_us",
};

void measure_init(struct measure *m)
{
    memset(m, 0, sizeof(*m));
    m->fps = m->writer_fps = m->gbps = NAN;
    m->lat_p50 = m->lat_p99 = m->lat_p999 = m->lat_max = NAN;
    m->skipped = m->retries = m->bad = NAN;
    m->wcpu = m->rcpu = NAN;
    m->whole_pct = m->wcpu_us = m->rcpu_us = m->cpu_us = NAN;
    m->ok = true;
}

void measure_fail(struct measure *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->note, sizeof(m->note), fmt, ap);
    va_end(ap);
    m->ok = false;
}

/* Evenly spaced, with the tail drawn finer: 0..0.99 in 100 steps, then
 * towards 1 by halving what is left. */
double cdf_prob(int i)
{
    if (i < 100)
        return i / 100.0;
    double left = 0.01;
    for (int k = 100; k < i; k++)
        left /= 2;
    return i == CDF_POINTS - 1 ? 1.0 : 1.0 - left;
}

double metric_of(const struct measure *m, enum metric k)
{
    if (!m->ok)
        return NAN;
    switch (k) {
    case M_FPS:
        return m->fps;
    case M_WRITER_FPS:
        return m->writer_fps;
    case M_GBPS:
        return m->gbps;
    case M_P50:
        return m->lat_p50;
    case M_P99:
        return m->lat_p99;
    case M_P999:
        return m->lat_p999;
    case M_MAX:
        return m->lat_max;
    case M_SKIPPED:
        return m->skipped;
    case M_RETRIES:
        return m->retries;
    case M_BAD:
        return m->bad;
    case M_WCPU:
        return m->wcpu;
    case M_RCPU:
        return m->rcpu;
    case M_WHOLE:
        return m->whole_pct;
    case M_WCPU_US:
        return m->wcpu_us;
    case M_RCPU_US:
        return m->rcpu_us;
    case M_CPU_US:
        return m->cpu_us;
    default:
        return NAN;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stat3 stat3_of(const double *v, int n)
{
    struct stat3 s = {NAN, NAN, NAN, 0};
    double *f = malloc((n ? n : 1) * sizeof(*f));
    if (!f)
        return s;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            f[s.n++] = v[i];
    if (s.n) {
        qsort(f, s.n, sizeof(*f), cmp_double);
        s.min = f[0];
        s.max = f[s.n - 1];
        s.med = s.n % 2 ? f[s.n / 2] : (f[s.n / 2 - 1] + f[s.n / 2]) / 2;
    }
    free(f);
    return s;
}

struct stat3 row_stat(const struct row *r, int reps, enum metric k)
{
    double v[reps > 0 ? reps : 1];
    for (int i = 0; i < reps; i++)
        v[i] = r->status ? NAN : metric_of(&r->m[i], k);
    return stat3_of(v, reps);
}

int row_failures(const struct row *r, int reps, const char **why)
{
    int n = 0;
    *why = NULL;
    if (r->status)
        return 0;
    for (int i = 0; i < reps; i++)
        if (!r->m[i].ok && n++ == 0)
            *why = r->m[i].note;
    return n;
}
