/* Deadlines in CLOCK_MONOTONIC nanoseconds (now_ns()), and the millisecond
 * timeouts that SDL and frame_reader_wait() sleep for until one. */
#ifndef VIEWER_DEADLINE_H
#define VIEWER_DEADLINE_H

#include <stdint.h>

#define NO_DEADLINE INT64_MAX

static inline int64_t deadline_after(int64_t start, double seconds)
{
    return start + (int64_t)(seconds * 1e9);
}

/* Milliseconds from now to deadline, rounded up so that a wait never ends
 * just short of it; -1 (wait forever) for NO_DEADLINE. */
static inline int ms_until(int64_t deadline, int64_t now)
{
    if (deadline == NO_DEADLINE)
        return -1;
    if (deadline <= now)
        return 0;
    int64_t ms = (deadline - now + 999999) / 1000000;
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/* The sooner of two timeouts, where -1 is forever. */
static inline int min_timeout(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

#endif
