/* The window's snapshots: the frame shown, copied out of the segment in
 * its own format and depth (validated, like every copy), into a PNG. The
 * texture cannot give it back: 16-bit and grey frames are shown converted,
 * and YUV as SDL converts it. */
#include "window_private.h"

#include "msg.h"
#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* The newest frame into w->held, grown as its size and format need. */
static int copy_newest(struct window *w, struct frame_view *v)
{
    int rc;
    if (!w->r)
        return FRAME_ENOFRAME;
    w->held.have = false;
    while ((rc = frame_reader_copy_format(w->r, 0, w->held.buf, w->held.cap, 1,
                                          v)) == -ENOSPC) {
        size_t need =
            frame_image_layout(NULL, v->format, v->width, v->height, 1, NULL);
        uint8_t *b = need ? realloc(w->held.buf, need) : NULL;
        if (!b)
            return -ENOMEM;
        w->held.buf = b;
        w->held.cap = need;
    }
    if (rc)
        return rc;
    frame_image_layout(&w->held.img, v->format, v->width, v->height, 1,
                       w->held.buf);
    w->held.have = true;
    w->held.session = v->session_id;
    w->held.frame_no = v->frame_no;
    return 0;
}

int window_hold_newest(struct window *w)
{
    struct frame_view v;
    int rc = copy_newest(w, &v);
    if (rc)
        return rc;
    if (w->have_front && v.session_id == w->front_session &&
        v.frame_no == w->front_frame_no)
        return 0;
    /* Newer than the one shown: shown now, from the copy (validated
     * already), so the picture is the file. */
    rc = present_upload(w->p, &w->held.img);
    if (rc)
        return rc;
    window_swap_in(w, &v);
    w->vw->shown++;
    w->dirty = true;
    return 0;
}

/* The frame a snapshot writes: paused, the one held when the pause began
 * (the picture); running, the newest, shown from then on. */
static int snapshot_frame(struct window *w, const struct frame_image **img)
{
    if (!w->have_front)
        return -ENOENT;
    if (!w->paused) {
        int rc = window_hold_newest(w);
        if (rc)
            return rc;
    }
    if (!w->held.have || w->held.session != w->front_session ||
        w->held.frame_no != w->front_frame_no)
        return FRAME_ENOFRAME; /* the copy on pausing failed */
    *img = &w->held.img;
    return 0;
}

/* Why a snapshot could not be taken, for "snapshot[ 'path']: why". */
static const char *why_not(int rc)
{
    if (rc == -ENOENT)
        return "no frame shown yet";
    if (rc == FRAME_ENOFRAME)
        return "the frame shown cannot be read any more";
    return frame_strerror(rc);
}

void window_snapshot_key(struct window *w)
{
    const struct frame_image *img;
    int rc = snapshot_frame(w, &img);
    if (rc) {
        msg_error("snapshot: %s", why_not(rc));
        return;
    }
    char path[4096];
    if (snapshot_auto_path(w->vw->o.name, path, sizeof(path)) == 0 &&
        snapshot_write(path, img) == 0) {
        printf("snapshot saved: %s\n", path);
        fflush(stdout);
    }
}

int window_snapshot_exit(struct window *w)
{
    const struct frame_image *img;
    int rc = snapshot_frame(w, &img);
    if (rc == -ENOENT) /* said by viewer_save_snapshot() */
        return viewer_save_snapshot(w->vw, NULL);
    if (rc) {
        msg_error("snapshot '%s': %s", w->vw->o.snapshot, why_not(rc));
        return rc;
    }
    return viewer_save_snapshot(w->vw, img);
}

void window_snapshot_free(struct window *w)
{
    free(w->held.buf);
    w->held.buf = NULL;
    w->held.cap = 0;
    w->held.have = false;
}
