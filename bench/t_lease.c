/* Leases (issue 14): readers that hold frames, and what holds cost. */

/* Every run here has a real writer process at full speed (or idle, for the
 * hold loop) and one real reader process; a hostile reader is one that
 * holds what it can and never lets go, by the library or by hand. */
#include "transports.h"

#include "clock.h"

#include <libframe/frame.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What "slow" readers spend on each frame: longer than any frame period
 * of a writer at full speed, shorter than a 25 frames/s one's. */
#define SLOW_WORK_NS INT64_C(20000000)

struct lease_args {
    const char *name;
    const struct source *src;
    enum lease_work work;
};

static void sleep_until(int64_t t)
{
    struct timespec ts = {.tv_sec = t / 1000000000, .tv_nsec = t % 1000000000};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* The worst a reader can do, and no library call does: read-lock every
 * frame byte there will ever be (byte 1 to the end; byte 0 is the
 * writer's) on its own read-only descriptor, for the whole run. */
static int hostile_lock(const char *name, struct proc_out *out)
{
    char path[sizeof(FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX) + FRAME_NAME_MAX];
    int rc = frame_segment_path(name, path, sizeof(path));
    if (rc)
        return child_fail(out, "segment path: %s", frame_strerror(rc));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return child_fail(out, "open %s: %s", path, strerror(errno));
    struct flock every = {
        .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 1, .l_len = 0};
    if (fcntl(fd, F_OFD_SETLK, &every) != 0) {
        int e = errno;
        close(fd);
        return child_fail(out, "lock every frame: %s", strerror(e));
    }
    child_ready();
    child_wait_go();
    sleep_until(run_ctl()->t_end);
    close(fd);
    return 0;
}

/* Counters over the metered window only. */
static void stats_at(frame_reader *r, const struct meter *mt, int before,
                     struct frame_stats *s0, struct frame_stats *s1)
{
    if (before == 0 && mt->state >= 1)
        frame_reader_stats(r, s0);
    if (before <= 1 && mt->state == 2)
        frame_reader_stats(r, s1);
}

/* The reader's work on one frame in hand; its sum, 0 for none. */
static uint64_t work_on(const struct lease_args *a, const struct frame_view *v,
                        int64_t t_in_hand)
{
    const struct source *s = a->src;
    if (a->work == LW_HOLD)
        return 0;
    uint64_t sum = frame_sum(v->pixels, s->bytes);
    /* Slow readers read the frame where it lies again and again until
     * their 20 ms are up: the last pass is the one checked, so a frame
     * written over during the work shows. */
    if (a->work == LW_SLOW_HELD || a->work == LW_SLOW)
        while (now_ns() - t_in_hand < SLOW_WORK_NS)
            sum = frame_sum(v->pixels, s->bytes);
    return sum;
}

static int lease_reader_main(void *arg, struct proc_out *out)
{
    const struct lease_args *a = arg;
    if (a->work == LW_HOSTILE_LOCK)
        return hostile_lock(a->name, out);
    frame_reader *r;
    int rc = frame_reader_open(a->name, &r);
    if (rc)
        return child_fail(out, "open segment: %s", frame_strerror(rc));
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    struct frame_stats s0 = {0}, s1 = {0};
    bool hold = a->work != LW_SLOW;
    child_ready();
    child_wait_go();
    for (;;) {
        rc = frame_reader_wait(r, 1000);
        int before = mt.state;
        meter_tick(&mt, now_ns());
        stats_at(r, &mt, before, &s0, &s1);
        if (rc == FRAME_ECLOSED)
            break;
        if (rc == -ETIMEDOUT && now_ns() < ctl->t_end + INT64_C(5000000000))
            continue;
        if (rc) {
            child_fail(out, "wait: %s", frame_strerror(rc));
            break;
        }
        struct frame_view v;
        rc = hold ? frame_reader_hold(r, &v) : frame_reader_acquire(r, &v);
        int64_t t = now_ns(); /* the frame is in hand */
        if (rc == FRAME_EBUSY)
            continue; /* counted as retries by the library */
        if (rc) {
            child_fail(out, "%s: %s", hold ? "hold" : "acquire",
                       frame_strerror(rc));
            break;
        }
        bool in_window =
            v.timestamp_ns >= ctl->t_warm && v.timestamp_ns < ctl->t_end;
        if (a->work == LW_HOSTILE_HOLD) {
            /* Held for good: only closing the handle lets go. */
            if (in_window)
                out->frames++;
            continue;
        }
        bool ours = v.format == a->src->format && v.width == a->src->width &&
                    v.height == a->src->height;
        uint64_t sum = ours ? work_on(a, &v, t) : 0;
        bool whole = hold ? frame_reader_release(r, &v)
                          : frame_reader_still_valid(r, &v);
        if (!in_window)
            continue;
        out->holds++;
        if (!whole)
            continue;
        out->whole++;
        if (!ours ||
            (a->work != LW_HOLD && sum != frame_expected(a->src, v.frame_no)))
            out->bad++;
        out->frames++;
        lat_add(out, t - v.timestamp_ns);
    }
    int before = mt.state;
    meter_end(&mt, out);
    if (before == 1)
        frame_reader_stats(r, &s1);
    out->skipped = s1.frames_skipped - s0.frames_skipped;
    out->retries = s1.retries - s0.retries;
    frame_reader_close(r);
    return out->msg[0] ? 1 : 0;
}

void run_lease(const struct opts *o, const struct source *src,
               enum lease_work work, uint32_t slots, bool writer_rate,
               struct measure *m)
{
    char name[64], why[NOTE_MAX];
    segment_name(name, sizeof(name));
    struct lf_writer_args wa = {
        .name = name, .src = src, .slots = slots, .fill = LF_COPY};
    struct lease_args ra = {.name = name, .src = src, .work = work};
    struct spawn procs[2] = {{lf_writer_main, &wa}, {lease_reader_main, &ra}};
    int readers = work == LW_NONE ? 0 : 1;
    if (run_procs(procs, 1 + readers, 1, o, why, sizeof(why))) {
        segment_remove(name);
        measure_fail(m, "%s", why);
        return;
    }
    run_collect(readers, src->bytes, m);
    if (writer_rate) {
        m->fps = m->writer_fps;
        m->gbps = m->fps * (double)src->bytes / 1e9;
    }
}

/* The writer of the hold loop: one frame before the window, then idle. */
static int idle_writer_main(void *arg, struct proc_out *out)
{
    const struct lf_writer_args *a = arg;
    frame_writer *w;
    int rc = lf_writer_start(a->name, a->src, a->slots, &w, out);
    if (rc)
        return rc;
    struct meter mt = {0};
    uint64_t no;
    rc = lf_writer_step_fill(w, a->src, LF_EMPTY, &mt, out, &no);
    if (rc == 0)
        sleep_until(run_ctl()->t_end);
    frame_writer_destroy(w);
    return rc < 0 ? child_fail(out, "publish: %s", frame_strerror(rc)) : 0;
}

struct loop_args {
    const char *name;
    bool hold;
};

static int hold_loop_main(void *arg, struct proc_out *out)
{
    const struct loop_args *a = arg;
    frame_reader *r;
    int rc = frame_reader_open(a->name, &r);
    if (rc)
        return child_fail(out, "open segment: %s", frame_strerror(rc));
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    child_ready();
    child_wait_go();
    if ((rc = frame_reader_wait(r, 10000)) != 0) {
        frame_reader_close(r);
        return child_fail(out, "wait for the frame: %s", frame_strerror(rc));
    }
    uint64_t pairs = 0, whole = 0;
    (void)ctl;
    for (;;) {
        /* The clock every 64 pairs: its cost stays out of the figure. A
         * batch counts when the meter is running at its start: the CPU
         * measured is that of the counted batches, give or take one. */
        meter_tick(&mt, now_ns());
        if (mt.state == 2)
            break;
        bool counted = mt.state == 1;
        for (int i = 0; i < 64; i++) {
            struct frame_view v;
            rc = a->hold ? frame_reader_hold(r, &v)
                         : frame_reader_acquire(r, &v);
            if (rc)
                break;
            bool ok = a->hold ? frame_reader_release(r, &v)
                              : frame_reader_still_valid(r, &v);
            if (counted) {
                pairs++;
                whole += ok;
            }
        }
        if (rc) {
            child_fail(out, "%s: %s", a->hold ? "hold" : "acquire",
                       frame_strerror(rc));
            break;
        }
    }
    meter_end(&mt, out);
    out->frames = pairs;
    out->holds = pairs;
    out->whole = whole;
    frame_reader_close(r);
    return out->msg[0] ? 1 : 0;
}

void run_hold_loop(const struct opts *o, const struct source *src, bool hold,
                   struct measure *m)
{
    char name[64], why[NOTE_MAX];
    segment_name(name, sizeof(name));
    struct lf_writer_args wa = {
        .name = name, .src = src, .slots = o->slots, .fill = LF_EMPTY};
    struct loop_args ra = {.name = name, .hold = hold};
    struct spawn procs[2] = {{idle_writer_main, &wa}, {hold_loop_main, &ra}};
    if (run_procs(procs, 2, 1, o, why, sizeof(why))) {
        segment_remove(name);
        measure_fail(m, "%s", why);
        return;
    }
    run_collect(1, src->bytes, m);
    /* Nothing moves: no latency, no frame's bytes; the writer is idle. */
    m->gbps = 0;
    m->wcpu_us = NAN;
    m->cpu_us = m->rcpu_us;
}
