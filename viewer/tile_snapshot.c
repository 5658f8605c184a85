/* A tile's snapshots: the frame shown, copied out of the segment in
 * its own format and depth (validated, like every copy), into a PNG. The
 * texture cannot give it back: 16-bit and grey frames are shown converted,
 * and YUV as SDL converts it. */
#include "window_private.h"

#include "msg.h"
#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* The newest frame into t->held, grown as its size and format need. */
static int copy_newest(struct tile *t, struct frame_view *v)
{
    int rc;
    if (!t->r)
        return FRAME_ENOFRAME;
    t->held.have = false;
    while ((rc = frame_reader_copy_format(t->r, 0, t->held.buf, t->held.cap, 1,
                                          v)) == -ENOSPC) {
        size_t need =
            frame_image_layout(NULL, v->format, v->width, v->height, 1, NULL);
        uint8_t *b = need ? realloc(t->held.buf, need) : NULL;
        if (!b)
            return -ENOMEM;
        t->held.buf = b;
        t->held.cap = need;
    }
    if (rc)
        return rc;
    frame_image_layout(&t->held.img, v->format, v->width, v->height, 1,
                       t->held.buf);
    t->held.have = true;
    t->held.session = v->session_id;
    t->held.frame_no = v->frame_no;
    return 0;
}

int tile_hold_newest(struct window *w, struct tile *t)
{
    struct frame_view v;
    int rc = copy_newest(t, &v);
    if (rc)
        return rc;
    if (t->have_front && v.session_id == t->front_session &&
        v.frame_no == t->front_frame_no)
        return 0;
    /* Newer than the one shown: shown now, from the copy (validated
     * already), so the picture is the file. */
    rc = picture_upload(&t->pic, present_renderer(w->p), present_info(w->p),
                        &t->held.img);
    if (rc)
        return rc;
    tile_swap_in(w, t, &v);
    t->pending = true;
    t->pending_publish_ns = 0;
    return 0;
}

/* The frame a snapshot writes: paused, the one held when the pause began
 * (the picture); running, the newest, shown from then on. */
static int snapshot_frame(struct window *w, struct tile *t,
                          const struct frame_image **img)
{
    if (!t->have_front)
        return -ENOENT;
    if (!t->paused) {
        int rc = tile_hold_newest(w, t);
        if (rc)
            return rc;
    }
    if (!t->held.have || t->held.session != t->front_session ||
        t->held.frame_no != t->front_frame_no)
        return FRAME_ENOFRAME; /* the copy on pausing failed */
    *img = &t->held.img;
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

void tile_snapshot_key(struct window *w, struct tile *t)
{
    const struct frame_image *img;
    int rc = snapshot_frame(w, t, &img);
    if (rc) {
        msg_error("snapshot of '%s': %s", t->src.name, why_not(rc));
        return;
    }
    char path[4096];
    if (snapshot_auto_path(t->src.name, path, sizeof(path)) == 0 &&
        snapshot_write(path, img) == 0) {
        printf("snapshot saved: %s\n", path);
        fflush(stdout);
    }
}

int tile_snapshot_exit(struct window *w, struct tile *t)
{
    const struct frame_image *img;
    int rc = snapshot_frame(w, t, &img);
    if (rc == -ENOENT) /* said by viewer_save_snapshot() */
        return viewer_save_snapshot(w->vw, &t->src, NULL);
    if (rc) {
        char path[4096];
        viewer_snapshot_path(w->vw, t->src.name, path, sizeof(path));
        msg_error("snapshot '%s': %s", path, why_not(rc));
        return rc;
    }
    return viewer_save_snapshot(w->vw, &t->src, img);
}

void tile_snapshot_free(struct tile *t)
{
    free(t->held.buf);
    t->held.buf = NULL;
    t->held.cap = 0;
    t->held.have = false;
}
