/* The futex calls behind frame_reader_wait() and every publish. */
#include "frame_internal.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Shared (not private) futexes: waiter and waker are different processes
 * mapping the same page. WAIT_BITSET takes an absolute CLOCK_MONOTONIC
 * deadline, so retrying after EINTR does not stretch the timeout. */
int frame__futex_wait(_Atomic uint32_t *word, uint32_t expected,
                      const struct timespec *abs_monotonic)
{
    long rc = syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_BITSET, expected,
                      abs_monotonic, NULL, FUTEX_BITSET_MATCH_ANY);
    return rc == 0 ? 0 : -errno;
}

void frame__futex_wake_all(_Atomic uint32_t *word)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}
