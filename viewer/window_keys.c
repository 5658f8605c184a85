/* The window's keys and mouse. Keys act on the focused tile: the one under
 * the mouse (moving it focuses), or the one Tab chose; q or Esc quit, f
 * fullscreen, s snapshot (every tile), h heads-up display, p probe are
 * the window's. */
#include "window_private.h"

/* One wheel step zooms this much. */
#define WHEEL_FACTOR 1.25

static struct tile *focused(struct window *w)
{
    return w->n_tiles ? w->tiles[w->focus] : NULL;
}

static int pause_tile(struct window *w, struct tile *t)
{
    t->paused = !t->paused;
    w->dirty = true;
    w->title_dirty = true;
    /* The picture held is a copy, so a snapshot writes exactly it
     * however far the writer gets meanwhile; if there is none, the
     * frame shown stays and a snapshot says it cannot be read. */
    if (t->paused) {
        tile_hold_newest(w, t);
        return 0;
    }
    return tile_show_newest(w, t, false);
}

int window_on_key(struct window *w, const SDL_KeyboardEvent *k)
{
    if (k->repeat)
        return 0;
    struct tile *t = focused(w);
    switch (k->keysym.sym) {
    case SDLK_q:
    case SDLK_ESCAPE:
        w->quit = true;
        return 0;
    case SDLK_f:
        present_toggle_fullscreen(w->p); /* printed if it failed */
        return 0;
    case SDLK_s:
        for (size_t i = 0; i < w->n_tiles; i++)
            tile_snapshot_key(w, w->tiles[i]);
        return 0;
    case SDLK_h:
        w->hud = !w->hud;
        w->dirty = true;
        return 0;
    case SDLK_p:
        w->probe = !w->probe;
        w->dirty = true;
        return 0;
    case SDLK_TAB:
        if (w->n_tiles)
            w->focus = (w->focus + 1) % w->n_tiles;
        w->dirty = true;
        return 0;
    }
    if (!t)
        return 0;
    switch (k->keysym.sym) {
    case SDLK_SPACE:
        return pause_tile(w, t);
    case SDLK_0:
        tile_view_reset(t);
        w->dirty = true;
        return 0;
    case SDLK_1:
        /* A lone tile's window takes the frame's size first, as before
         * tiles; then 1:1. */
        if (w->n_tiles == 1 && t->have_front) {
            present_set_size(w->p, t->pic.front.w, t->pic.front.h);
            w->relayout = true;
        }
        tile_view_native(t);
        w->dirty = true;
        return 0;
    }
    return 0;
}

/* The mouse moved to (x, y): the tile under it is focused. */
static void moved(struct window *w, int x, int y)
{
    w->mouse_in = true;
    w->mouse_x = x;
    w->mouse_y = y;
    for (size_t i = 0; i < w->n_tiles; i++)
        if (window_tile_at(w, x, y) == w->tiles[i] && w->focus != i) {
            w->focus = i;
            w->dirty = true;
        }
    if (w->probe)
        w->dirty = true;
}

int window_on_mouse(struct window *w, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_MOUSEMOTION: {
        const SDL_MouseMotionEvent *m = &ev->motion;
        struct tile *t = focused(w);
        /* A drag pans the tile it started in. */
        if (w->dragging && t && (m->xrel || m->yrel)) {
            tile_view_pan(t, m->xrel, m->yrel);
            w->dirty = true;
        } else {
            moved(w, m->x, m->y);
        }
        w->mouse_x = m->x;
        w->mouse_y = m->y;
        return 0;
    }
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button == SDL_BUTTON_LEFT) {
            moved(w, ev->button.x, ev->button.y);
            w->dragging = true;
        }
        return 0;
    case SDL_MOUSEBUTTONUP:
        if (ev->button.button == SDL_BUTTON_LEFT)
            w->dragging = false;
        return 0;
    case SDL_MOUSEWHEEL: {
        /* SDL 2.26 says where the cursor is in the wheel event itself. */
        moved(w, ev->wheel.mouseX, ev->wheel.mouseY);
        struct tile *t = window_tile_at(w, w->mouse_x, w->mouse_y);
        int steps = ev->wheel.y;
        if (ev->wheel.direction == SDL_MOUSEWHEEL_FLIPPED)
            steps = -steps;
        if (!t || !t->have_front || steps == 0)
            return 0;
        double f = 1;
        for (int i = 0; i < (steps > 0 ? steps : -steps); i++)
            f *= steps > 0 ? WHEEL_FACTOR : 1 / WHEEL_FACTOR;
        tile_view_zoom(t, f, w->mouse_x, w->mouse_y);
        w->dirty = true;
        return 0;
    }
    }
    return 0;
}
