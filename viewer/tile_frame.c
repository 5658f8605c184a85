/* Frames from the mapping to the screen: held while they are uploaded
 * straight from the segment into the back texture, and shown only if the
 * hold was kept (the writer did not touch them meanwhile). */
#include "window_private.h"

#include "msg.h"

#include <errno.h>

/* A frame overwritten during its upload is retried with the newer one this
 * often. */
#define UPLOAD_TRIES 8

/* The waiter thread follows the segment's life cycle with its own handle
 * (one thread each); when it attaches to a new writer, ours follows. */
void tile_reopen_reader(struct tile *t)
{
    viewer_close_reader(&t->src, &t->r);
    if (frame_reader_open_flags(t->src.name, FRAME_OPEN_WAIT, &t->r))
        t->r = NULL; /* out of memory or mappings: the next event retries */
}

/* Our handle reads the pixels, the waiter's only the header: a segment
 * truncated below its header faults in ours alone, so ours says so.
 * Whether it is broken. */
static bool mapping_broken(struct window *w, struct tile *t)
{
    int why;
    if (frame_reader_state(t->r, &why) != FRAME_READER_BROKEN)
        return false;
    tile_show_problem(w, t, why);
    return true;
}

void tile_swap_in(struct window *w, struct tile *t, const struct frame_view *v)
{
    uint32_t ow = 0, oh = 0, of = 0;
    const char *how;
    picture_size(&t->pic, &ow, &oh);
    picture_format(&t->pic, &of, &how);
    picture_swap(&t->pic);
    if (!t->have_front || ow != v->width || oh != v->height ||
        of != v->format) {
        w->title_dirty = true; /* it names them */
        w->relayout = true;    /* the grid depends on the frames' aspects */
    }
    /* The first frame of a lone tile sizes the window to it. */
    if (!w->sized && w->n_tiles == 1 && !w->vw->multi)
        present_fit_window(w->p, v->width, v->height);
    w->sized = true;
    t->have_front = true;
    t->front_session = v->session_id;
    t->front_frame_no = v->frame_no;
    tile_view_update(t);
    w->dirty = true;
}

int tile_show_newest(struct window *w, struct tile *t, bool timed)
{
    if (t->paused)
        return 0;
    if (!t->r)
        tile_reopen_reader(t);
    if (!t->r)
        return 0;
    for (int tries = 0; tries < UPLOAD_TRIES; tries++) {
        struct frame_view v;
        /* Held: the writer stays out of its slot while we upload, however
         * long that takes, as long as readers leave it a slot to spare.
         * Nothing, or nothing readable: the waiter says what became of
         * the segment, unless only our mapping knows (below). */
        int rc = frame_reader_hold(t->r, &v);
        if (rc) {
            /* Busy: said by problem_starved() if it lasts. */
            if (!mapping_broken(w, t) && rc == FRAME_EBUSY)
                t->src.hold_busy++;
            return 0;
        }
        if ((t->have_front && v.session_id == t->front_session &&
             v.frame_no == t->front_frame_no) ||
            (v.width == t->bad_w && v.height == t->bad_h)) {
            frame_reader_release(t->r, &v);
            return 0;
        }
        rc = picture_upload(&t->pic, present_renderer(w->p), present_info(w->p),
                            &v.image);
        if (rc) {
            frame_reader_release(t->r, &v);
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
            t->bad_w = v.width;
            t->bad_h = v.height;
            return 0;
        }
        /* Only an upload whose hold was kept is shown. A broken one means
         * readers hold more slots than the writer can spare. */
        if (!frame_reader_release(t->r, &v)) {
            if (mapping_broken(w, t))
                return 0;
            continue;
        }
        tile_swap_in(w, t, &v);
        t->src.reported = 0;
        if (t->status[0])
            tile_set_status(w, t, NULL);
        /* Counted when it is on screen: at the next redraw, which takes
         * the frames of every tile woken meanwhile at once. */
        t->pending = true;
        t->pending_publish_ns = timed ? v.timestamp_ns : 0;
        return 0;
    }
    return 0;
}
