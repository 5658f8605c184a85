/* Frames from the mapping to the screen: held while they are uploaded
 * straight from the segment into the back texture, and shown only if the
 * hold was kept (the writer did not touch them meanwhile). */
#include "window_private.h"

#include "clock.h"
#include "msg.h"

#include <errno.h>

/* A frame overwritten during its upload is retried with the newer one this
 * often. */
#define UPLOAD_TRIES 8

/* The waiter thread follows the segment's life cycle with its own handle
 * (one thread each); when it attaches to a new writer, ours follows. */
void window_reopen_reader(struct window *w)
{
    viewer_close_reader(w->vw, &w->r);
    if (frame_reader_open_flags(w->vw->o.name, FRAME_OPEN_WAIT, &w->r))
        w->r = NULL; /* out of memory or mappings: the next event retries */
}

/* Our handle reads the pixels, the waiter's only the header: a segment
 * truncated below its header faults in ours alone, so ours says so.
 * Whether it is broken. */
static bool mapping_broken(struct window *w)
{
    int why;
    if (frame_reader_state(w->r, &why) != FRAME_READER_BROKEN)
        return false;
    window_show_problem(w, why);
    return true;
}

void window_swap_in(struct window *w, const struct frame_view *v)
{
    uint32_t ow = 0, oh = 0, of = 0;
    const char *how;
    present_frame_size(w->p, &ow, &oh);
    present_frame_format(w->p, &of, &how);
    present_swap(w->p);
    if (!w->have_front || ow != v->width || oh != v->height || of != v->format)
        w->title_dirty = true; /* it names them */
    w->have_front = true;
    w->front_session = v->session_id;
    w->front_frame_no = v->frame_no;
}

int window_show_newest(struct window *w, bool timed)
{
    if (w->paused)
        return 0;
    if (!w->r)
        window_reopen_reader(w);
    if (!w->r)
        return 0;
    for (int tries = 0; tries < UPLOAD_TRIES; tries++) {
        struct frame_view v;
        /* Held: the writer stays out of its slot while we upload, however
         * long that takes, as long as readers leave it a slot to spare.
         * Nothing, or nothing readable: the waiter says what became of
         * the segment, unless only our mapping knows (below). */
        int rc = frame_reader_hold(w->r, &v);
        if (rc) {
            /* Busy: said by problem_starved() if it lasts. */
            if (!mapping_broken(w) && rc == FRAME_EBUSY)
                w->vw->hold_busy++;
            return 0;
        }
        if ((w->have_front && v.session_id == w->front_session &&
             v.frame_no == w->front_frame_no) ||
            (v.width == w->bad_w && v.height == w->bad_h)) {
            frame_reader_release(w->r, &v);
            return 0;
        }
        rc = present_upload(w->p, &v.image);
        if (rc) {
            frame_reader_release(w->r, &v);
            /* Said once (SDL's reason is printed already), and frames of
             * that size are skipped: others may still be shown. */
            if (rc == -EFBIG)
                msg_error("frame %ux%u is larger than the %s renderer's "
                          "largest texture; not shown",
                          v.width, v.height, present_renderer_name(w->p));
            else if (rc == -ENOMEM)
                msg_error("frame %ux%u: out of memory to convert it for "
                          "display; not shown",
                          v.width, v.height);
            else
                msg_error("frame %ux%u cannot be shown", v.width, v.height);
            w->bad_w = v.width;
            w->bad_h = v.height;
            return 0;
        }
        /* Only an upload whose hold was kept is shown. A broken one means
         * readers hold more slots than the writer can spare. */
        if (!frame_reader_release(w->r, &v)) {
            if (mapping_broken(w))
                return 0;
            continue;
        }
        window_swap_in(w, &v);
        w->vw->reported = 0;
        if (w->status[0])
            window_set_status(w, NULL);
        rc = window_redraw(w);
        if (rc)
            return rc;
        w->vw->shown++;
        stats_frame(&w->vw->st, timed ? v.timestamp_ns : 0, now_ns());
        return 0;
    }
    return 0;
}
