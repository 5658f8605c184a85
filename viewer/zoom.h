/* Zoom and pan: how a frame lies in a tile, and which frame pixel is
 * under a point. Arithmetic only, no SDL. */
#ifndef VIEWER_ZOOM_H
#define VIEWER_ZOOM_H

#include <stdbool.h>
#include <stdint.h>

/* Scale limits, window pixels per frame pixel; fitting may go beyond
 * them (a 4K frame in a small tile, a 4x4 frame in a big one). */
#define ZOOM_MIN (1.0 / 16)
#define ZOOM_MAX 64.0

/* The fields of an SDL_Rect, in the same order. */
struct zoom_rect {
    int x, y, w, h;
};

enum zoom_mode {
    ZOOM_FIT,  /* letterboxed, and refitted when tile or frame change */
    ZOOM_FREE, /* zoomed, panned or native: kept as the user left it */
};

/* Treat as opaque; zoom_init() first. */
struct zoom {
    struct zoom_rect tile; /* in window pixels */
    uint32_t fw, fh;       /* the frame; 0 before one */
    enum zoom_mode mode;
    double scale;  /* window pixels per frame pixel */
    double ox, oy; /* the frame's top-left corner, from the tile's */
};

/* Fit mode, no tile, no frame. */
void zoom_init(struct zoom *z);

/* The tile moved or changed size: fit mode refits; otherwise the frame
 * point at the tile's centre stays at its centre. */
void zoom_set_tile(struct zoom *z, struct zoom_rect tile);

/* The frame's size: fit mode refits; otherwise, if it changed, the scale
 * is kept and the same relative point stays at the tile's centre. */
void zoom_set_frame(struct zoom *z, uint32_t fw, uint32_t fh);

/* Fit mode again (key 0). */
void zoom_fit(struct zoom *z);

/* One frame pixel a window pixel, centred (key 1). */
void zoom_native(struct zoom *z);

/* Scale by factor (e.g. 1.25 a wheel step in, 0.8 out) around the window
 * point (px, py): the frame point under it stays under it, unless the
 * scale limits or the pan limits stop it. */
void zoom_by(struct zoom *z, double factor, int px, int py);

/* Move the frame by (dx, dy) window pixels (a drag). Clamped: at least a
 * quarter of the tile, or the whole frame if it is smaller, stays in
 * view on each axis. */
void zoom_pan(struct zoom *z, int dx, int dy);

/* Window pixels per frame pixel now (the fitted scale in fit mode). */
double zoom_scale(const struct zoom *z);
enum zoom_mode zoom_mode(const struct zoom *z);

/* What to give SDL_RenderCopy: src, the frame pixels in view (whole
 * pixels), and dst, where they go in the window. dst can overhang the
 * tile by less than one frame pixel on each side when zoomed: clip to
 * the tile (SDL_RenderSetClipRect). In fit mode: the whole frame into
 * the letterboxed rectangle, as the viewer drew it before zoom existed.
 * \return false if there is no frame or none of it is in view. */
bool zoom_rects(const struct zoom *z, struct zoom_rect *src,
                struct zoom_rect *dst);

/* The frame pixel shown at window pixel (px, py), as SDL's nearest
 * sampling of zoom_rects() picks it. \return false outside the tile or
 * the frame (the letterbox), or with no frame. */
bool zoom_to_frame(const struct zoom *z, int px, int py, uint32_t *fx,
                   uint32_t *fy);

#endif
