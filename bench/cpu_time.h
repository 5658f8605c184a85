/* The process's CPU time, for the CPU columns: bench's own clock. The wall
 * clock every process shares is common/clock.h's now_ns(). */
#ifndef BENCH_CPU_TIME_H
#define BENCH_CPU_TIME_H

#include <stdint.h>
#include <time.h>

static inline int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
