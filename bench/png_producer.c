/* The producer's own decode path: the real binary, watched as a reader. */

/* Frame numbers and publish stamps of the frames we happen to see give the
 * producer's rate exactly, however seldom we look. */
#include "png.h"
#include "stop.h"

#include "clock.h"
#include "spawn.h"
#include "transports.h"

#include <libframe/frame.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct window {
    int state;           /* 0 before, 1 open, 2 closed */
    int64_t first_stamp; /* of the first frame seen */
    uint64_t fn0, fn1;
    int64_t ts0, ts1;       /* publish stamps */
    int64_t w0, w1, c0, c1; /* our clock and the producer's CPU clock */
    size_t bytes;           /* of the frames seen, as laid out tight */
};

static int64_t cpu_of(clockid_t cid, bool have)
{
    struct timespec ts;
    if (!have || clock_gettime(cid, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char *first_line(char *text)
{
    text[strcspn(text, "\n")] = 0;
    return text[0] ? text : "no message";
}

/* Attach to the producer's segment when it appears: the library waits. */
static int attach(const char *name, pid_t pid, frame_reader **r, char *why,
                  size_t whylen)
{
    int rc = frame_reader_open_flags(name, FRAME_OPEN_WAIT, r);
    if (rc) {
        snprintf(why, whylen, "open segment: %s", frame_strerror(rc));
        return -1;
    }
    int64_t deadline = now_ns() + INT64_C(30000000000);
    while (frame_reader_state(*r, NULL) != FRAME_READER_ATTACHED) {
        rc = frame_reader_wait(*r, 100);
        const char *fail = NULL;
        if (rc && rc != -ETIMEDOUT && rc != FRAME_ERESTARTED)
            fail = frame_strerror(rc);
        else if (waitpid(pid, NULL, WNOHANG) == pid)
            fail = "producer exited at start";
        else if (now_ns() > deadline)
            fail = "producer made no segment in 30 s";
        if (fail) {
            snprintf(why, whylen, "open segment: %s", fail);
            frame_reader_close(*r);
            *r = NULL;
            return -1;
        }
    }
    return 0;
}

/* Watch frames until the window has been open for run_s. The cache run
 * opens it only once frames come from the cache. */
static int watch(const struct opts *o, frame_reader *r, pid_t pid,
                 uint64_t skip_frames, uint32_t expect, struct window *w,
                 char *why, size_t whylen)
{
    clockid_t cid;
    bool have_cid = clock_getcpuclockid(pid, &cid) == 0;
    int64_t deadline = now_ns() + (int64_t)((o->warm_s + o->run_s) * 1e9) +
                       INT64_C(120000000000);
    w->first_stamp = -1;
    while (w->state < 2) {
        if (stop_requested() || now_ns() > deadline) {
            snprintf(why, whylen,
                     stop_requested() ? "interrupted" : "timed out");
            return -1;
        }
        int rc = frame_reader_wait(r, 200);
        if (rc == -ETIMEDOUT)
            continue;
        if (rc) {
            snprintf(why, whylen, "producer stopped: %s", frame_strerror(rc));
            return -1;
        }
        struct frame_view v;
        if (frame_reader_acquire(r, &v))
            continue;
        if (expect && v.format != expect) {
            const struct frame_format_desc *got = frame_format_desc(v.format);
            snprintf(why, whylen, "producer published %s frames, not %s",
                     got ? got->name : "unknown",
                     frame_format_desc(expect)->name);
            return -1;
        }
        if (w->first_stamp < 0) {
            w->first_stamp = v.timestamp_ns;
            w->bytes =
                frame_image_layout(NULL, v.format, v.width, v.height, 1, NULL);
        }
        if (w->state == 0 &&
            v.timestamp_ns >= w->first_stamp + (int64_t)(o->warm_s * 1e9) &&
            v.frame_no > skip_frames) {
            w->state = 1;
            w->fn0 = v.frame_no;
            w->ts0 = v.timestamp_ns;
            w->w0 = now_ns();
            w->c0 = cpu_of(cid, have_cid);
        } else if (w->state == 1 &&
                   v.timestamp_ns >= w->ts0 + (int64_t)(o->run_s * 1e9)) {
            w->state = 2;
            w->fn1 = v.frame_no;
            w->ts1 = v.timestamp_ns;
            w->w1 = now_ns();
            w->c1 = have_cid ? cpu_of(cid, have_cid) : w->c0;
        }
        /* Thousands of cached frames a second: a look every millisecond
         * is plenty and leaves the cores to the producer. */
        sleep_ns(1000000);
    }
    return 0;
}

void run_producer(const struct opts *o, const char *producer,
                  const struct png_set *s, enum producer_mode mode,
                  const char *format, uint32_t expect, struct measure *m)
{
    char name[64], threads[24], why[NOTE_MAX] = "", text[2048];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    segment_name(name, sizeof(name));
    snprintf(threads, sizeof(threads), "%ld",
             mode == PRODUCER_ONE_THREAD || cores < 1 ? 1 : cores);
    char *argv[] = {(char *)producer,
                    "--name",
                    name,
                    "--fps",
                    "0",
                    "--loop",
                    "--quiet",
                    "--threads",
                    threads,
                    mode == PRODUCER_CACHE ? "--cache" : "--no-cache",
                    (char *)s->dir,
                    NULL,
                    NULL,
                    NULL};
    if (format) {
        /* Before the directory: options first, as the help shows them. */
        argv[10] = "--format";
        argv[11] = (char *)format;
        argv[12] = (char *)s->dir;
    }
    int cap = capture_open();
    pid_t pid = spawn_cmd(argv, cap);
    if (pid < 0) {
        measure_fail(m, "fork: %s", strerror(errno));
        if (cap >= 0)
            close(cap);
        return;
    }
    frame_reader *r = NULL;
    struct window w = {0};
    /* The first pass decodes and fills the cache; +2 for the frame in
     * flight when the cache completes. */
    uint64_t skip = mode == PRODUCER_CACHE ? s->count + 2 : 1;
    int rc = attach(name, pid, &r, why, sizeof(why));
    if (rc == 0)
        rc = watch(o, r, pid, skip, expect, &w, why, sizeof(why));
    frame_reader_close(r);
    kill(pid, SIGTERM); /* the producer closes and removes its segment */
    int st = spawn_wait(pid, 10000, NULL);
    text[0] = 0;
    if (cap >= 0) {
        capture_read(cap, text, sizeof(text));
        close(cap);
    }
    if (rc == 0 && st != 0)
        snprintf(why, sizeof(why), "producer exited with status %d: %s", st,
                 first_line(text)),
            rc = -1;
    if (rc) {
        segment_remove(name);
        measure_fail(m, "%s%s%s", why, text[0] ? "; producer said: " : "",
                     text[0] ? first_line(text) : "");
        return;
    }
    double secs = (w.ts1 - w.ts0) / 1e9;
    m->fps = m->writer_fps = (double)(w.fn1 - w.fn0) / secs;
    m->gbps = m->fps * (double)w.bytes / 1e9;
    m->wcpu = w.w1 > w.w0 && w.c1 ? 100.0 * (w.c1 - w.c0) / (w.w1 - w.w0) : NAN;
}
