/* A small test runner: named cases, run all or one by name, real asserts. */
#ifndef LIBFRAME_TEST_RUNNER_H
#define LIBFRAME_TEST_RUNNER_H

#ifdef NDEBUG
#error "tests need their checks: build them without NDEBUG"
#endif

#include "clock.h" /* now_ns(), clock_ns(): the programs' own clock */

#include <libframe/frame.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct test_case {
    const char *name;
    void (*fn)(void);
};

/* CHECK: stop the case (the whole process) with file, line and what failed. */
#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* CHECK_RC: an int-returning call gave the expected code. */
#define CHECK_RC(expr, want)                                                   \
    do {                                                                       \
        int got_ = (expr);                                                     \
        int want_ = (want);                                                    \
        if (got_ != want_) {                                                   \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s)\n",  \
                    __FILE__, __LINE__, #expr, got_, frame_strerror(got_),     \
                    want_, frame_strerror(want_));                             \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* The exit status that ctest counts as skipped (SKIP_RETURN_CODE). */
#define SKIP 77

/* A millisecond in now_ns() units. */
#define MS INT64_C(1000000)

/* Sleep ms milliseconds, signals or not. */
static inline void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A segment name private to this process and case, so parallel ctest runs
 * never meet. */
static inline const char *test_name(const char *tag)
{
    static char buf[FRAME_NAME_MAX + 1];
    snprintf(buf, sizeof(buf), "t%d-%s", (int)getpid(), tag);
    return buf;
}

/* Remove a test segment whatever state the case left it in. */
static inline void test_unlink(const char *name)
{
    /* Room for any name a caller may hold (gcc checks it at -O2), not
     * only valid ones. */
    char path[sizeof(FRAME_OBJECT_PREFIX) + 1024];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", name);
    extern int shm_unlink(const char *);
    shm_unlink(path);
}

static inline int count_open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/*
 * main() for a test program: no argument runs every case, each in order in
 * this process; an argument runs just that case. A case that leaks a file
 * descriptor fails.
 */
static inline int test_main(const struct test_case *cases, size_t n, int argc,
                            char **argv)
{
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        if (argc > 1 && strcmp(argv[1], cases[i].name) != 0)
            continue;
        int fds = count_open_fds();
        fprintf(stderr, "-- %s\n", cases[i].name);
        cases[i].fn();
        int after = count_open_fds();
        if (after != fds) {
            fprintf(stderr, "%s: leaked %d file descriptor(s)\n", cases[i].name,
                    after - fds);
            return 1;
        }
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "no test case named '%s'\n", argc > 1 ? argv[1] : "");
        return 1;
    }
    fprintf(stderr, "%d case(s) passed\n", ran);
    return 0;
}

#define TEST_MAIN(...)                                                         \
    int main(int argc, char **argv)                                            \
    {                                                                          \
        static const struct test_case cases_[] = {__VA_ARGS__};                \
        return test_main(cases_, sizeof(cases_) / sizeof(cases_[0]), argc,     \
                         argv);                                                \
    }
#define CASE(fn)                                                               \
    {                                                                          \
#fn, fn                                                                \
    }

#endif
