/* The SDL side of the viewer: the window and its renderer. */
#ifndef VIEWER_PRESENT_H
#define VIEWER_PRESENT_H

#include <libframe/frame.h>

#include <SDL.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct present;

struct present_config {
    bool vsync;
    bool fullscreen;
    int width, height; /* the window at start; 0: 640x480 */
};

/*
 * Every function that fails prints "viewer: <call>: <SDL_GetError()>"
 * (msg_error()) and returns -EIO, except where noted.
 */

/* Whether SDL's video can show a window here: a display, or a driver
 * named in SDL_VIDEODRIVER (dummy and offscreen need none, and are what
 * SDL falls back on without a display). If not, why. Says nothing. */
bool present_video_available(char *why, size_t len);

/* SDL video, a resizable window and a renderer (flags 0 or vsync only). */
int present_open(const struct present_config *c, struct present **out);

/* Destroy everything, then SDL_Quit(). NULL is a no-op. */
void present_close(struct present *p);

SDL_Renderer *present_renderer(const struct present *p);
const SDL_RendererInfo *present_info(const struct present *p);

/* The renderer's name, e.g. "opengl" or "software". */
const char *present_renderer_name(const struct present *p);

/* The window sized for a frame of frame_w x frame_h: within the display,
 * a tiny one at a whole multiple, and centred again (not fullscreen). */
void present_fit_window(struct present *p, uint32_t frame_w, uint32_t frame_h);

int present_output_size(struct present *p, int *w, int *h);

/* Black everywhere, no clipping: a redraw starts here. */
int present_clear(struct present *p);

/* What was drawn, on screen. */
void present_show(struct present *p);

/* What was drawn so far (before present_show()), as packed RGBA8 rows:
 * *px malloc()ed, *w x *h. 0, -ENOMEM or -EIO. */
int present_read_rgba(struct present *p, uint8_t **px, int *w, int *h);

void present_set_title(struct present *p, const char *title);

int present_toggle_fullscreen(struct present *p);

/* Window size w x h (leaving fullscreen). */
int present_set_size(struct present *p, uint32_t w, uint32_t h);

#endif
