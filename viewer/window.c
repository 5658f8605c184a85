/* The viewer in an SDL window: one tile per segment, each with a waiter
 * thread that sleeps on its segment and wakes the event loop, which shows
 * frames with a handle of its own.
 *
 * Decision: one waiter thread per tile, not one thread for all. A reader
 * handle sleeps on its own segment's futex (frame_reader_wait()), and
 * there is no call that waits on several; one thread taking turns would
 * have to wake every few milliseconds to look at each, where a thread per
 * segment sleeps until something happens (and wakes 5 times a second to
 * notice it should stop). Threads are cheap next to a tile's textures. */
#include "window.h"
#include "window_private.h"

#include "clock.h"
#include "deadline.h"
#include "live.h"
#include "msg.h"
#include "problems.h"
#include "stop.h"

#include <stdlib.h>
#include <string.h>

struct tile *window_tile_by_id(struct window *w, int id)
{
    for (size_t i = 0; i < w->n_tiles; i++)
        if (w->tiles[i]->id == id)
            return w->tiles[i];
    return NULL;
}

struct tile *window_tile_at(struct window *w, int x, int y)
{
    for (size_t i = 0; i < w->n_tiles; i++) {
        const struct layout_rect *r = &w->tiles[i]->rect;
        if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
            return w->tiles[i];
    }
    return NULL;
}

static int on_event(struct window *w, const SDL_Event *ev)
{
    if (ev->type == w->event_type) {
        struct tile *t = window_tile_by_id(w, (int)(intptr_t)ev->user.data1);
        return t ? tile_on_segment(w, t, ev->user.code) : 0;
    }
    switch (ev->type) {
    case SDL_QUIT:
        w->quit = true;
        break;
    case SDL_KEYDOWN:
        return window_on_key(w, &ev->key);
    case SDL_MOUSEMOTION:
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEWHEEL:
        /* A script's mouse is the only one: pushed events carry no
         * window, the real pointer's do. */
        if (w->script && ev->motion.windowID != 0)
            return 0;
        return window_on_mouse(w, ev);
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_LEAVE && !w->script) {
            w->mouse_in = false;
            w->dragging = false;
        }
        w->relayout = true; /* exposed, resized, shown: draw again */
        w->dirty = true;
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        w->dirty = true;
        break;
    }
    return 0;
}

/* --all: a tile for each new segment with a running producer; a tile whose
 * producer is gone (stopped or lost) and whose name is gone too is
 * dropped, since nothing can come back under it but a new producer, which
 * gets a new tile. */
static void scan_segments(struct window *w)
{
    struct live_list l;
    if (live_scan(&l))
        return; /* the next look may do better */
    for (size_t i = w->n_tiles; i-- > 0;) {
        struct tile *t = w->tiles[i];
        if (t->gone && !live_has(&l, t->src.name))
            tile_remove(w, i);
    }
    for (size_t i = 0; i < l.n; i++) {
        bool known = false;
        for (size_t k = 0; k < w->n_tiles && !known; k++)
            known = strcmp(w->tiles[k]->src.name, l.names[i]) == 0;
        if (!known && live_running(l.names[i]))
            tile_add(w, l.names[i]);
    }
    live_free(&l);
}

/* Whether --wait gave up: a named segment without a producer in time
 * (said), or with --all, none at all. */
static bool gave_up(struct window *w, int64_t now)
{
    if (w->vw->o.all && now >= w->vw->wait_end_ns) {
        bool any = false;
        for (size_t i = 0; i < w->n_tiles && !any; i++)
            any = w->tiles[i]->src.attached;
        if (!any)
            msg_error("no producer within %g s", w->vw->o.wait);
        return !any;
    }
    for (size_t i = 0; i < w->n_tiles; i++)
        if (problem_gave_up(w->vw, &w->tiles[i]->src, now))
            return true;
    return false;
}

/* --frames: every tile has shown enough. */
static bool all_done(const struct window *w)
{
    bool done = w->vw->o.frames && w->n_tiles > 0;
    for (size_t i = 0; i < w->n_tiles && done; i++)
        done = viewer_source_done(w->vw, &w->tiles[i]->src);
    return done;
}

/* The once-a-second look at each tile: its figures (the --stats line,
 * the label's rate, the HUD) and whether it starves. */
static void tick(struct window *w, int64_t now)
{
    struct viewer *vw = w->vw;
    for (size_t i = 0; i < w->n_tiles; i++) {
        struct tile *t = w->tiles[i];
        /* New figures are drawn with the next frame when frames come (at
         * 1 fps, the one redraw a second is the frame's); a tile without
         * frames is redrawn for them, and only while they change, so a
         * stalled window goes back to sleep. */
        if (viewer_stats_tick(vw, &t->src, t->r, now, true) &&
            t->src.st.fig.shown_fps == 0 && tile_text_changed(w, t))
            w->dirty = true;
        char why[STATUS_MAX];
        if (problem_starved(&t->src, t->r, now, why, sizeof(why)))
            tile_set_status(w, t, "%s", why);
    }
}

/* Sleep in SDL until an event or the next deadline. */
static int next_timeout(struct window *w, int64_t now)
{
    struct viewer *vw = w->vw;
    int ms = ms_until(vw->end_ns, now);
    bool attached = true;
    for (size_t i = 0; i < w->n_tiles; i++) {
        ms = min_timeout(ms, ms_until(stats_due(&w->tiles[i]->src.st), now));
        attached = attached && w->tiles[i]->src.attached;
    }
    if (!attached || (vw->o.all && w->n_tiles == 0))
        ms = min_timeout(ms, ms_until(vw->wait_end_ns, now));
    if (vw->o.all)
        ms = min_timeout(ms, ms_until(w->next_scan, now));
    return ms;
}

/* Until the end, --wait giving up or a failure to draw: the exit status. */
static int event_loop(struct window *w)
{
    struct viewer *vw = w->vw;
    while (!w->quit) {
        int64_t now = now_ns();
        if (viewer_finished(vw, now) || all_done(w))
            break;
        if (gave_up(w, now))
            return 1;
        if (vw->o.all && now >= w->next_scan) {
            scan_segments(w);
            w->next_scan = now + LIVE_SCAN_NS;
        }
        tick(w, now);
        int ms = next_timeout(w, now);
        if (w->script)
            ms = min_timeout(ms, script_step(w, now));
        if (w->dirty && window_redraw(w))
            return 1;
        SDL_Event ev;
        int got = ms < 0 ? SDL_WaitEvent(&ev) : SDL_WaitEventTimeout(&ev, ms);
        if (!got && ms < 0) {
            msg_error("SDL_WaitEvent: %s", SDL_GetError());
            return 1;
        }
        /* Take everything queued before drawing once. */
        while (got) {
            if (on_event(w, &ev))
                return 1;
            got = SDL_PollEvent(&ev);
        }
    }
    return 0;
}

/* --snapshot at exit: one file per tile. */
static int snapshots_at_exit(struct window *w)
{
    int status = 0;
    if (w->n_tiles == 0 && w->vw->o.snapshot) {
        msg_error("snapshot '%s': no segment was shown", w->vw->o.snapshot);
        return 1;
    }
    for (size_t i = 0; i < w->n_tiles; i++)
        if (tile_snapshot_exit(w, w->tiles[i]))
            status = 1;
    return status;
}

int window_run(struct viewer *vw)
{
    struct window w = {.vw = vw, .hud = false};
    int status = 1;
    /* Several tiles start in a window twice the one-frame size: each
     * still gets a useful picture. */
    struct present_config cfg = {.vsync = vw->o.vsync,
                                 .fullscreen = vw->o.fullscreen};
    if (vw->multi) {
        cfg.width = 1280;
        cfg.height = 720;
    }
    if (present_open(&cfg, &w.p))
        goto out;
    if (text_open(present_renderer(w.p), &w.text)) {
        msg_error("out of memory");
        goto out;
    }
    w.event_type = SDL_RegisterEvents(1);
    if (w.event_type == (uint32_t)-1) {
        msg_error("SDL_RegisterEvents: %s", SDL_GetError());
        goto out;
    }
    if (script_open(&w))
        goto out;
    for (int i = 0; i < vw->o.n_names; i++)
        if (tile_add(&w, vw->o.names[i]))
            goto out;
    w.relayout = true;
    w.dirty = true;
    w.title_dirty = true;
    status = event_loop(&w);
    if (status == 0 && vw->o.snapshot && snapshots_at_exit(&w))
        status = 1;
out:
    while (w.n_tiles)
        tile_remove(&w, w.n_tiles - 1);
    free(w.tiles);
    script_close(&w);
    text_close(w.text);
    present_close(w.p);
    return status;
}
