/* The viewer without a window: it sleeps in frame_reader_wait() itself and
 * copies each new frame out of the segment. One segment is followed on the
 * main thread; several (names, or --all) by a thread each, since a handle
 * sleeps on its own segment's futex and cannot wait for several. */
#include "headless.h"

#include "clock.h"
#include "deadline.h"
#include "live.h"
#include "msg.h"
#include "problems.h"
#include "stop.h"

#include <libframe/frame.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* The longest single frame_reader_wait(), which bounds how late a signal
 * is noticed (the library sleeps through EINTR). */
#define WAIT_SLICE_MS 200

/* Frames are copied out of the segment, in their own format: that copy is
 * what "shown" means here, and what --snapshot writes. Two buffers, so a
 * copy that fails halfway never spoils the last good frame. */
struct copies {
    uint8_t *buf[2];
    size_t cap[2];
    int shown; /* index of the buffer holding the frame shown */
    bool have;
    struct frame_image img; /* the frame shown, in buf[shown] */
    uint64_t session, frame_no;
};

/* Said at the first frame of each producer, not at each open: a segment
 * that opens but fails is reopened now and then, and says so only once. */
static void say_showing(struct source *s, frame_reader *r)
{
    struct frame_info info;
    if (frame_reader_info(r, &info) == 0)
        msg_error("showing '%s' (producer pid %d)", s->name,
                  (int)info.writer_pid);
    else
        msg_error("showing '%s'", s->name);
}

/* Copy the newest frame out if it is new: the library holds it while it
 * copies and validates it, as the window mode holds its uploads. `timed`: we
 * were woken for it, so its latency means something (a frame found on attach
 * may be old). 0, or -ENOMEM. A frame that cannot be read is not ours to
 * report: the next wait says what the segment became. */
static int copy_newest(struct source *s, frame_reader *r, struct copies *c,
                       bool timed)
{
    int spare = !c->shown;
    struct frame_view v;
    int rc;
    /* Its own format, rows packed: one memcpy a plane when the writer's
     * are too. The spare buffer grows to a larger frame (-ENOSPC says its
     * size and format), then the newest frame is copied again. */
    while ((rc = frame_reader_copy_format(r, 0, c->buf[spare], c->cap[spare], 1,
                                          &v)) == -ENOSPC) {
        size_t need =
            frame_image_layout(NULL, v.format, v.width, v.height, 1, NULL);
        if (!need)
            return 0; /* not a frame anyone could copy: not shown */
        uint8_t *b = realloc(c->buf[spare], need);
        if (!b)
            return -ENOMEM;
        c->buf[spare] = b;
        c->cap[spare] = need;
    }
    if (rc == -ENOMEM)
        return rc;
    /* Overwritten during every copy although held: said by
     * problem_starved() if it lasts. */
    if (rc == FRAME_EBUSY && frame_reader_state(r, NULL) != FRAME_READER_BROKEN)
        s->hold_busy++;
    if (rc)
        return 0;
    if (c->have && v.session_id == c->session && v.frame_no == c->frame_no)
        return 0; /* the one shown already */
    if (!c->have || v.session_id != c->session)
        say_showing(s, r);
    s->reported = 0;
    c->shown = spare;
    c->have = true;
    frame_image_layout(&c->img, v.format, v.width, v.height, 1, c->buf[spare]);
    c->session = v.session_id;
    c->frame_no = v.frame_no;
    s->shown++;
    stats_frame(&s->st, timed ? v.timestamp_ns : 0, now_ns());
    return 0;
}

/* What frame_reader_wait() said about the segment, on stderr. */
static void say_change(struct source *s, int rc)
{
    switch (rc) {
    case FRAME_ECLOSED:
        msg_error("%sproducer stopped; waiting for it to start again",
                  s->prefix);
        s->reported = rc;
        break;
    case FRAME_ELOST:
        msg_error("%sproducer lost (it died without closing); waiting for it "
                  "to start again",
                  s->prefix);
        s->reported = rc;
        break;
    case FRAME_ERESTARTED:
        s->attached = true;
        break;
    default:
        problem_report(s, rc);
        break;
    }
}

/* Follow one segment until the end: the exit status. */
static int follow(const struct viewer *vw, struct source *src)
{
    frame_reader *r = NULL;
    struct copies c = {0};
    int status = 0;
    if (viewer_open_reader(vw, src, &r))
        return 1;
    /* A frame newer than the one shown may be there ... */
    bool fresh = frame_reader_state(r, NULL) == FRAME_READER_ATTACHED;
    bool timed = false; /* ... and we were woken for it */

    for (;;) {
        int64_t now = now_ns();
        if (viewer_finished(vw, now) || viewer_source_done(vw, src))
            break;
        viewer_stats_tick(vw, src, r, now, vw->o.stats);
        problem_starved(src, r, now, NULL, 0);
        if (problem_gave_up(vw, src, now)) {
            status = 1;
            break;
        }
        if (fresh) {
            fresh = false;
            if (copy_newest(src, r, &c, timed) == -ENOMEM) {
                msg_error("out of memory for a frame");
                status = 1;
                break;
            }
            continue; /* look at --frames before sleeping */
        }
        int ms = min_timeout(WAIT_SLICE_MS, ms_until(vw->end_ns, now));
        if (vw->o.stats)
            ms = min_timeout(ms, ms_until(stats_due(&src->st), now));
        if (!src->attached)
            ms = min_timeout(ms, ms_until(vw->wait_end_ns, now));
        int rc = frame_reader_wait(r, ms);
        if (rc == 0 || rc == FRAME_ERESTARTED) {
            fresh = true;
            timed = rc == 0;
        }
        if (rc != 0 && rc != -ETIMEDOUT)
            say_change(src, rc);
    }

    if (status == 0 && vw->o.snapshot &&
        viewer_save_snapshot(vw, src, c.have ? &c.img : NULL))
        status = 1;
    viewer_close_reader(src, &r);
    free(c.buf[0]);
    free(c.buf[1]);
    return status;
}

/* One segment's thread, among several. */
struct follower {
    const struct viewer *vw;
    struct source src;
    pthread_t thread;
    int status;
};

static void *follow_thread(void *arg)
{
    struct follower *f = arg;
    f->status = follow(f->vw, &f->src);
    return NULL;
}

/* Start following name on a thread of its own; NULL, said, if it cannot. */
static struct follower *follower_start(const struct viewer *vw,
                                       const char *name)
{
    struct follower *f = calloc(1, sizeof(*f)); /* the stats are 32 KiB */
    if (!f) {
        msg_error("out of memory");
        return NULL;
    }
    f->vw = vw;
    viewer_source_init(vw, &f->src, name, now_ns());
    /* SIGINT and SIGTERM stay with the main thread, whose sleep they cut
     * short; the followers look at the flag every WAIT_SLICE_MS. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(&f->thread, NULL, follow_thread, f);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        msg_error_rc(-rc, "cannot start a thread for '%s'", name);
        free(f);
        return NULL;
    }
    return f;
}

struct followers {
    struct follower **f;
    size_t n, cap;
};

/* One more follower, of name. 0, or 1 (said). */
static int add_follower(struct followers *fs, const struct viewer *vw,
                        const char *name)
{
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 8;
        struct follower **b = realloc(fs->f, cap * sizeof(*b));
        if (!b) {
            msg_error("out of memory");
            return 1;
        }
        fs->f = b;
        fs->cap = cap;
    }
    struct follower *f = follower_start(vw, name);
    if (!f)
        return 1;
    fs->f[fs->n++] = f;
    return 0;
}

static bool following(const struct followers *fs, const char *name)
{
    for (size_t k = 0; k < fs->n; k++)
        if (strcmp(fs->f[k]->src.name, name) == 0)
            return true;
    return false;
}

/* --all: take up the segments with a running producer not followed yet.
 * 0, or 1 (said). */
static int take_up_new(struct followers *fs, const struct viewer *vw)
{
    struct live_list l;
    if (live_scan(&l))
        return 0; /* the next look may do better */
    int status = 0;
    for (size_t i = 0; i < l.n && status == 0; i++)
        if (!following(fs, l.names[i]) && live_running(l.names[i]))
            status = add_follower(fs, vw, l.names[i]);
    live_free(&l);
    return status;
}

/* --frames: every segment taken up has shown enough. */
static bool all_done(const struct followers *fs, const struct viewer *vw)
{
    bool done = vw->o.frames && fs->n > 0;
    for (size_t k = 0; k < fs->n && done; k++)
        done = viewer_source_done(vw, &fs->f[k]->src);
    return done;
}

/* Several segments: a thread each. With --all, new ones are looked for
 * until the end; headless keeps following every segment it has taken up
 * (a gone one costs a sleeping thread), where the window drops its tile. */
static int follow_several(struct viewer *vw)
{
    struct followers fs = {0};
    int status = 0;
    for (int i = 0; i < vw->o.n_names && status == 0; i++)
        status = add_follower(&fs, vw, vw->o.names[i]);
    while (status == 0 && vw->o.all) {
        int64_t now = now_ns();
        if (viewer_finished(vw, now) || all_done(&fs, vw))
            break;
        if (fs.n == 0 && now >= vw->wait_end_ns) {
            msg_error("no producer within %g s", vw->o.wait);
            status = 1;
            break;
        }
        status = take_up_new(&fs, vw);
        int ms = min_timeout((int)(LIVE_SCAN_NS / 1000000),
                             ms_until(vw->end_ns, now));
        sleep_ns((int64_t)ms * 1000000);
    }
    /* Named segments' followers end by themselves (a signal, --seconds,
     * --frames, --wait); --all's are told when its loop is over. */
    if (vw->o.all)
        atomic_store(&vw->quit, true);
    for (size_t k = 0; k < fs.n; k++) {
        pthread_join(fs.f[k]->thread, NULL);
        if (fs.f[k]->status)
            status = fs.f[k]->status;
        free(fs.f[k]);
    }
    free(fs.f);
    return status;
}

int headless_run(struct viewer *vw)
{
    if (vw->multi)
        return follow_several(vw);
    struct source *s = calloc(1, sizeof(*s)); /* the stats are 32 KiB */
    if (!s) {
        msg_error("out of memory");
        return 1;
    }
    viewer_source_init(vw, s, vw->o.names[0], now_ns());
    int status = follow(vw, s);
    free(s);
    return status;
}
