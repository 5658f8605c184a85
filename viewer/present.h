/* The SDL side of the viewer: window, renderer, textures, letterbox, text. */
#ifndef VIEWER_PRESENT_H
#define VIEWER_PRESENT_H

#include <libframe/frame.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct present;

struct present_config {
    const char *name; /* segment name, for the title */
    bool vsync;
    bool fullscreen;
};

/* Text drawn over the frame. */
struct overlay {
    const char *status;     /* a centred message, or NULL */
    const char *const *hud; /* heads-up display lines, or NULL when hidden */
    size_t hud_lines;
};

/*
 * Every function that fails prints "viewer: <call>: <SDL_GetError()>"
 * (msg_error()) and returns -EIO, except where noted.
 */

/* SDL video, a resizable window and a renderer (flags 0 or vsync only). */
int present_open(const struct present_config *c, struct present **out);

/* Destroy everything, then SDL_Quit(). NULL is a no-op. */
void present_close(struct present *p);

/* The renderer's name, e.g. "opengl" or "software". */
const char *present_renderer_name(const struct present *p);

/*
 * Hand a frame to SDL, into the back texture (recreated when the format or
 * size changes): straight from the mapping for the formats SDL's renderer
 * takes as they are (RGBA8, BGRA8, RGB8, I420 as IYUV, NV12), converted to
 * RGBA8 by the library for the others (GRAY8, the 16-bit ones, and any the
 * renderer lacks). The caller holds the frame meanwhile
 * (frame_reader_hold()) and calls present_swap() only if
 * frame_reader_release() says the hold was kept. -EFBIG (nothing printed) when
 * the frame exceeds the largest texture, -ENOMEM (nothing printed) when
 * there is no memory to convert it.
 */
int present_upload(struct present *p, const struct frame_image *img);

/* Make the uploaded back texture the front one. The first frame ever shown
 * also sizes the window to it. */
void present_swap(struct present *p);

/* Size of the front frame; false if none has been shown. */
bool present_frame_size(const struct present *p, uint32_t *w, uint32_t *h);

/* The front frame's format (enum frame_pixel_format) and how it is shown:
 * NULL when as it is, else a few words ("shown as 8-bit"); false if none
 * has been shown. */
bool present_frame_format(const struct present *p, uint32_t *format,
                          const char **how);

/* Clear, draw the front frame letterboxed, the overlay, and present. */
int present_draw(struct present *p, const struct overlay *o);

/* "NAME WxH (state) - viewer"; state may be NULL. */
void present_set_title(struct present *p, const char *state);

int present_toggle_fullscreen(struct present *p);

/* Window size equal to the frame's (leaving fullscreen). */
int present_native_size(struct present *p);

#endif
