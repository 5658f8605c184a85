/* How quiet the machine was: CPU used by other processes during the run. */
#ifndef BENCH_QUIET_H
#define BENCH_QUIET_H

#include <stdint.h>

/* The load average counts our own writers and readers, so it cannot say
 * whether anyone else was busy; /proc/stat minus our own CPU can. */
struct cpu_mark {
    double busy_s;  /* all CPUs, from /proc/stat */
    double steal_s; /* taken by the hypervisor */
    double ours_s;  /* this process and every child it has reaped */
    int64_t wall_ns;
};

void cpu_mark(struct cpu_mark *m);
/* Mean number of cores other processes (and the hypervisor) kept busy
 * between the two marks. */
void cpu_others(const struct cpu_mark *a, const struct cpu_mark *b,
                double *others, double *steal);

#endif
