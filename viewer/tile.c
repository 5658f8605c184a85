/* One segment's life in the window: its tile is opened with a reader and
 * a waiter thread of its own, follows what the waiter reports (waiting,
 * attached, stopped, lost, restarted, broken) and is closed again. */
#include "window_private.h"

#include "clock.h"
#include "msg.h"
#include "problems.h"
#include "stop.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void tile_set_status(struct window *w, struct tile *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (fmt)
        vsnprintf(t->status, sizeof(t->status), fmt, ap);
    else
        t->status[0] = '\0';
    va_end(ap);
    w->dirty = true;
    w->title_dirty = true;
}

void tile_show_problem(struct window *w, struct tile *t, int rc)
{
    if (!problem_report(&t->src, rc))
        return;
    char text[PROBLEM_TEXT_MAX];
    problem_text(&t->src, rc, text, sizeof(text));
    tile_set_status(w, t, "%s", text);
}

static int grow(struct window *w)
{
    if (w->n_tiles < w->cap_tiles)
        return 0;
    size_t cap = w->cap_tiles ? w->cap_tiles * 2 : 4;
    struct tile **b = realloc(w->tiles, cap * sizeof(*b));
    if (!b)
        return -1;
    w->tiles = b;
    w->cap_tiles = cap;
    return 0;
}

int tile_add(struct window *w, const char *name)
{
    struct viewer *vw = w->vw;
    struct tile *t = calloc(1, sizeof(*t)); /* the stats are 32 KiB */
    if (!t || grow(w)) {
        free(t);
        msg_error("out of memory for segment '%s'", name);
        return -1;
    }
    t->id = ++w->next_id;
    zoom_init(&t->view);
    graph_init(&t->graph, 0);
    viewer_source_init(vw, &t->src, name, now_ns());
    /* Ours first: a producer already there is shown at once (and
     * --wait 0 means "if there is one now"); the waiter then follows it. */
    if (viewer_open_reader(vw, &t->src, &t->r)) {
        free(t);
        return -1;
    }
    int rc = waiter_start(&t->waiter, t->src.name, w->event_type, t->id,
                          stop_flag());
    if (rc) {
        msg_error_rc(rc, "cannot start the waiting thread");
        viewer_close_reader(&t->src, &t->r);
        free(t);
        return -1;
    }
    w->tiles[w->n_tiles++] = t;
    w->relayout = true;
    w->dirty = true;
    w->title_dirty = true;
    if (t->src.attached)
        return tile_show_newest(w, t, false) ? -1 : 0;
    tile_set_status(w, t, "waiting for producer '%s'", t->src.name);
    return 0;
}

void tile_remove(struct window *w, size_t i)
{
    struct tile *t = w->tiles[i];
    waiter_stop(&t->waiter);
    tile_snapshot_free(t);
    viewer_close_reader(&t->src, &t->r);
    picture_free(&t->pic);
    free(t);
    w->n_tiles--;
    for (size_t k = i; k < w->n_tiles; k++)
        w->tiles[k] = w->tiles[k + 1];
    /* The focus stays on the tile it was on. */
    if (w->focus > i)
        w->focus--;
    else if (w->focus >= w->n_tiles)
        w->focus = 0;
    w->relayout = true;
    w->dirty = true;
    w->title_dirty = true;
}

int tile_on_segment(struct window *w, struct tile *t, int code)
{
    switch (code) {
    case 0:
        waiter_frame_taken(&t->waiter);
        return tile_show_newest(w, t, true);
    case FRAME_ERESTARTED:
        /* The status stays until a frame is shown. */
        t->src.attached = true;
        t->gone = false;
        graph_reset(&t->graph); /* a new producer's figures */
        t->bad_w = t->bad_h = 0;
        tile_reopen_reader(t);
        return tile_show_newest(w, t, false);
    case FRAME_ECLOSED:
        t->gone = true;
        tile_set_status(w, t, "producer stopped");
        return 0;
    case FRAME_ELOST:
        t->gone = true;
        tile_set_status(w, t, "producer lost");
        return 0;
    default:
        tile_show_problem(w, t, code);
        return 0;
    }
}
