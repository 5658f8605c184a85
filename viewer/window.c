/* The viewer in an SDL window: a waiter thread sleeps on the segment and
 * wakes the event loop, which shows frames with a handle of its own. */
#include "window.h"
#include "window_private.h"

#include "clock.h"
#include "deadline.h"
#include "msg.h"
#include "problems.h"
#include "stop.h"

/* What the waiter thread saw. */
static int on_segment(struct window *w, int code)
{
    struct viewer *vw = w->vw;
    switch (code) {
    case 0:
        waiter_frame_taken(&w->waiter);
        return window_show_newest(w, true);
    case FRAME_ERESTARTED:
        /* The status stays until a frame is shown. */
        vw->attached = true;
        w->bad_w = w->bad_h = 0;
        window_reopen_reader(w);
        return window_show_newest(w, false);
    case FRAME_ECLOSED:
        window_set_status(w, "producer stopped");
        return 0;
    case FRAME_ELOST:
        window_set_status(w, "producer lost");
        return 0;
    default:
        window_show_problem(w, code);
        return 0;
    }
}

static int on_event(struct window *w, const SDL_Event *ev)
{
    if (ev->type == w->event_type)
        return on_segment(w, ev->user.code);
    switch (ev->type) {
    case SDL_QUIT:
        w->quit = true;
        break;
    case SDL_KEYDOWN:
        return window_on_key(w, &ev->key);
    case SDL_WINDOWEVENT:
        w->dirty = true; /* exposed, resized, shown: draw again */
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        w->dirty = true;
        break;
    }
    return 0;
}

/* Sleep in SDL until an event or the next deadline. */
static int next_timeout(struct window *w, int64_t now)
{
    struct viewer *vw = w->vw;
    int ms = ms_until(vw->end_ns, now);
    if (!vw->attached)
        ms = min_timeout(ms, ms_until(vw->wait_end_ns, now));
    if (vw->o.stats || w->hud)
        ms = min_timeout(ms, ms_until(stats_due(&vw->st), now));
    return ms;
}

/* Until the end, --wait giving up or a failure to draw: the exit status. */
static int event_loop(struct window *w)
{
    struct viewer *vw = w->vw;
    while (!w->quit) {
        int64_t now = now_ns();
        if (viewer_finished(vw, now))
            break;
        if (problem_gave_up(vw, now))
            return 1;
        if (viewer_stats_tick(vw, w->r, now, vw->o.stats || w->hud) && w->hud)
            w->dirty = true;
        char why[sizeof(w->status)];
        if (problem_starved(vw, w->r, now, why, sizeof(why)))
            window_set_status(w, "%s", why);
        if (w->dirty && window_redraw(w))
            return 1;
        SDL_Event ev;
        int ms = next_timeout(w, now);
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

int window_run(struct viewer *vw)
{
    struct window w = {.vw = vw};
    int status = 1;
    struct present_config cfg = {.name = vw->o.name,
                                 .vsync = vw->o.vsync,
                                 .fullscreen = vw->o.fullscreen};
    if (present_open(&cfg, &w.p))
        goto out;
    w.event_type = SDL_RegisterEvents(1);
    if (w.event_type == (uint32_t)-1) {
        msg_error("SDL_RegisterEvents: %s", SDL_GetError());
        goto out;
    }
    /* Ours first: a producer already there is shown at once (and
     * --wait 0 means "if there is one now"); the waiter then follows it. */
    if (viewer_open_reader(vw, &w.r))
        goto out;
    int rc = waiter_start(&w.waiter, vw->o.name, w.event_type, stop_flag());
    if (rc) {
        msg_error_rc(rc, "cannot start the waiting thread");
        goto out;
    }
    if (vw->attached) {
        if (window_show_newest(&w, false))
            goto out;
    } else {
        window_set_status(&w, "waiting for producer '%s'", vw->o.name);
    }
    status = event_loop(&w);
    if (status == 0 && vw->o.snapshot && window_snapshot_exit(&w))
        status = 1;
out:
    waiter_stop(&w.waiter);
    window_snapshot_free(&w);
    viewer_close_reader(vw, &w.r);
    present_close(w.p);
    return status;
}
