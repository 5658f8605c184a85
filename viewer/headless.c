/* The viewer without a window: it sleeps in frame_reader_wait() itself (no
 * thread) and copies each new frame out of the segment. */
#include "headless.h"

#include "clock.h"
#include "deadline.h"
#include "msg.h"
#include "problems.h"

#include <libframe/frame.h>

#include <errno.h>
#include <stdlib.h>

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
static void say_showing(struct viewer *vw, frame_reader *r)
{
    struct frame_info info;
    if (frame_reader_info(r, &info) == 0)
        msg_error("showing '%s' (producer pid %d)", vw->o.name,
                  (int)info.writer_pid);
    else
        msg_error("showing '%s'", vw->o.name);
}

/* Copy the newest frame out if it is new: the library holds it while it
 * copies and validates it, as the window mode holds its uploads. `timed`: we
 * were woken for it, so its latency means something (a frame found on attach
 * may be old). 0, or -ENOMEM. A frame that cannot be read is not ours to
 * report: the next wait says what the segment became. */
static int copy_newest(struct viewer *vw, frame_reader *r, struct copies *c,
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
        vw->hold_busy++;
    if (rc)
        return 0;
    if (c->have && v.session_id == c->session && v.frame_no == c->frame_no)
        return 0; /* the one shown already */
    if (!c->have || v.session_id != c->session)
        say_showing(vw, r);
    vw->reported = 0;
    c->shown = spare;
    c->have = true;
    frame_image_layout(&c->img, v.format, v.width, v.height, 1, c->buf[spare]);
    c->session = v.session_id;
    c->frame_no = v.frame_no;
    vw->shown++;
    stats_frame(&vw->st, timed ? v.timestamp_ns : 0, now_ns());
    return 0;
}

/* What frame_reader_wait() said about the segment, on stderr. */
static void say_change(struct viewer *vw, int rc)
{
    switch (rc) {
    case FRAME_ECLOSED:
        msg_error("producer stopped; waiting for it to start again");
        vw->reported = rc;
        break;
    case FRAME_ELOST:
        msg_error("producer lost (it died without closing); waiting for it "
                  "to start again");
        vw->reported = rc;
        break;
    case FRAME_ERESTARTED:
        vw->attached = true;
        break;
    default:
        problem_report(vw, rc);
        break;
    }
}

int headless_run(struct viewer *vw)
{
    frame_reader *r = NULL;
    struct copies c = {0};
    int status = 0;
    if (viewer_open_reader(vw, &r))
        return 1;
    /* A frame newer than the one shown may be there ... */
    bool fresh = frame_reader_state(r, NULL) == FRAME_READER_ATTACHED;
    bool timed = false; /* ... and we were woken for it */

    for (;;) {
        int64_t now = now_ns();
        if (viewer_finished(vw, now))
            break;
        viewer_stats_tick(vw, r, now, vw->o.stats);
        problem_starved(vw, r, now, NULL, 0);
        if (problem_gave_up(vw, now)) {
            status = 1;
            break;
        }
        if (fresh) {
            fresh = false;
            if (copy_newest(vw, r, &c, timed) == -ENOMEM) {
                msg_error("out of memory for a frame");
                status = 1;
                break;
            }
            continue; /* look at --frames before sleeping */
        }
        int ms = min_timeout(WAIT_SLICE_MS, ms_until(vw->end_ns, now));
        if (vw->o.stats)
            ms = min_timeout(ms, ms_until(stats_due(&vw->st), now));
        if (!vw->attached)
            ms = min_timeout(ms, ms_until(vw->wait_end_ns, now));
        int rc = frame_reader_wait(r, ms);
        if (rc == 0 || rc == FRAME_ERESTARTED) {
            fresh = true;
            timed = rc == 0;
        }
        if (rc != 0 && rc != -ETIMEDOUT)
            say_change(vw, rc);
    }

    if (status == 0 && vw->o.snapshot &&
        viewer_save_snapshot(vw, c.have ? &c.img : NULL))
        status = 1;
    viewer_close_reader(vw, &r);
    free(c.buf[0]);
    free(c.buf[1]);
    return status;
}
