/* The window's keys: q or Esc quit, space pause, f fullscreen, s snapshot,
 * h heads-up display, 1 native size. */
#include "window_private.h"

int window_on_key(struct window *w, const SDL_KeyboardEvent *k)
{
    if (k->repeat)
        return 0;
    switch (k->keysym.sym) {
    case SDLK_q:
    case SDLK_ESCAPE:
        w->quit = true;
        return 0;
    case SDLK_SPACE:
        w->paused = !w->paused;
        w->dirty = true;
        w->title_dirty = true;
        /* The picture held is a copy, so a snapshot writes exactly it
         * however far the writer gets meanwhile; if there is none, the
         * frame shown stays and a snapshot says it cannot be read. */
        if (w->paused) {
            window_hold_newest(w);
            return 0;
        }
        return window_show_newest(w, false);
    case SDLK_f:
        present_toggle_fullscreen(w->p); /* printed if it failed */
        return 0;
    case SDLK_s:
        window_snapshot_key(w);
        return 0;
    case SDLK_h:
        w->hud = !w->hud;
        w->dirty = true;
        return 0;
    case SDLK_1:
        present_native_size(w->p);
        return 0;
    }
    return 0;
}
