/* The one clock every program reads: CLOCK_MONOTONIC, which libframe stamps
 * frames with and every process shares, so stamps from a writer and a
 * reader compare directly. */
#ifndef LIBFRAME_COMMON_CLOCK_H
#define LIBFRAME_COMMON_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Any clock in nanoseconds: bench's CPU columns read
 * CLOCK_PROCESS_CPUTIME_ID through it. */
static inline int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/* Sleep ns nanoseconds; a signal cuts it short, so the caller looks at
 * its stop flag again at once. */
static inline void sleep_ns(int64_t ns)
{
    struct timespec ts = {.tv_sec = ns / 1000000000,
                          .tv_nsec = ns % 1000000000};
    nanosleep(&ts, NULL);
}

#endif
