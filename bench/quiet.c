/* Other processes' CPU between two points: /proc/stat minus our rusage. */
#include "quiet.h"

#include "clock.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

static double tv(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }

void cpu_mark(struct cpu_mark *m)
{
    unsigned long long v[8] = {0};
    long hz = sysconf(_SC_CLK_TCK);
    FILE *f = fopen("/proc/stat", "r");
    if (f) {
        /* cpu user nice system idle iowait irq softirq steal */
        if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
            v[0] = v[1] = v[2] = v[5] = v[6] = v[7] = 0;
        fclose(f);
    }
    double tick = hz > 0 ? 1.0 / hz : 0.01;
    m->busy_s = (v[0] + v[1] + v[2] + v[5] + v[6]) * tick;
    m->steal_s = v[7] * tick;
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    m->ours_s = tv(self.ru_utime) + tv(self.ru_stime) + tv(kids.ru_utime) +
                tv(kids.ru_stime);
    m->wall_ns = now_ns();
}

void cpu_others(const struct cpu_mark *a, const struct cpu_mark *b,
                double *others, double *steal)
{
    double wall = (b->wall_ns - a->wall_ns) / 1e9;
    double o = (b->busy_s - a->busy_s) - (b->ours_s - a->ours_s);
    *others = wall > 0 && o > 0 ? o / wall : 0;
    *steal = wall > 0 ? (b->steal_s - a->steal_s) / wall : 0;
}
