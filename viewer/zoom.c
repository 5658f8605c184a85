/* Zoom and pan: how a frame lies in a tile, and which frame pixel is
 * under a point. Arithmetic only, no SDL. */
#include "zoom.h"

#include <math.h>

static bool ready(const struct zoom *z)
{
    return z->fw && z->fh && z->tile.w > 0 && z->tile.h > 0;
}

static double fit_scale(const struct zoom *z)
{
    return fmin((double)z->tile.w / z->fw, (double)z->tile.h / z->fh);
}

/* The largest rectangle of the frame's aspect that fits the tile,
 * centred, relative to the tile: the rest is the letterbox. */
static struct zoom_rect letterbox(const struct zoom *z)
{
    double s = fit_scale(z);
    int w = (int)lround(z->fw * s), h = (int)lround(z->fh * s);
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    return (struct zoom_rect){(z->tile.w - w) / 2, (z->tile.h - h) / 2, w, h};
}

static void refit(struct zoom *z)
{
    if (!ready(z))
        return;
    struct zoom_rect r = letterbox(z);
    z->scale = fit_scale(z);
    z->ox = r.x;
    z->oy = r.y;
}

/* One axis of the pan limit: the frame's [o, o + extent) keeps
 * min(extent, tile / 4) inside [0, tile). */
static double clamp_axis(double o, double extent, int tile)
{
    double keep = fmin(extent, tile / 4.0);
    if (o > tile - keep)
        o = tile - keep;
    if (o + extent < keep)
        o = keep - extent;
    return o;
}

static void clamp(struct zoom *z)
{
    if (!ready(z) || z->mode == ZOOM_FIT)
        return;
    z->ox = clamp_axis(z->ox, z->fw * z->scale, z->tile.w);
    z->oy = clamp_axis(z->oy, z->fh * z->scale, z->tile.h);
}

void zoom_init(struct zoom *z)
{
    *z = (struct zoom){.mode = ZOOM_FIT, .scale = 1};
}

/* Put the frame point (fx, fy) (in frame pixels, fractional) at the
 * tile's centre. */
static void centre_on(struct zoom *z, double fx, double fy)
{
    z->ox = z->tile.w / 2.0 - fx * z->scale;
    z->oy = z->tile.h / 2.0 - fy * z->scale;
}

void zoom_set_tile(struct zoom *z, struct zoom_rect tile)
{
    bool had = ready(z);
    double cx = 0, cy = 0;
    if (had) {
        cx = (z->tile.w / 2.0 - z->ox) / z->scale;
        cy = (z->tile.h / 2.0 - z->oy) / z->scale;
    }
    z->tile = tile;
    if (z->mode == ZOOM_FIT || !had) {
        z->mode = ZOOM_FIT;
        refit(z);
        return;
    }
    centre_on(z, cx, cy);
    clamp(z);
}

void zoom_set_frame(struct zoom *z, uint32_t fw, uint32_t fh)
{
    if (fw == z->fw && fh == z->fh)
        return;
    bool had = ready(z);
    double rx = 0.5, ry = 0.5;
    if (had) {
        rx = (z->tile.w / 2.0 - z->ox) / z->scale / z->fw;
        ry = (z->tile.h / 2.0 - z->oy) / z->scale / z->fh;
    }
    z->fw = fw;
    z->fh = fh;
    if (z->mode == ZOOM_FIT || !had) {
        z->mode = ZOOM_FIT;
        refit(z);
        return;
    }
    if (ready(z)) {
        centre_on(z, rx * fw, ry * fh);
        clamp(z);
    }
}

void zoom_fit(struct zoom *z)
{
    z->mode = ZOOM_FIT;
    refit(z);
}

void zoom_native(struct zoom *z)
{
    if (!ready(z))
        return;
    z->mode = ZOOM_FREE;
    z->scale = 1;
    /* Whole pixels: one frame pixel lands on exactly one window pixel. */
    z->ox = floor((z->tile.w - (double)z->fw) / 2);
    z->oy = floor((z->tile.h - (double)z->fh) / 2);
}

void zoom_by(struct zoom *z, double factor, int px, int py)
{
    if (!ready(z) || !(factor > 0))
        return;
    double fit = fit_scale(z);
    double lo = fmin(ZOOM_MIN, fit), hi = fmax(ZOOM_MAX, fit);
    double s = z->scale * factor;
    s = s < lo ? lo : s > hi ? hi : s;
    double rx = px - z->tile.x, ry = py - z->tile.y;
    double fx = (rx - z->ox) / z->scale, fy = (ry - z->oy) / z->scale;
    z->mode = ZOOM_FREE;
    z->scale = s;
    z->ox = rx - fx * s;
    z->oy = ry - fy * s;
    clamp(z);
}

void zoom_pan(struct zoom *z, int dx, int dy)
{
    if (!ready(z))
        return;
    z->mode = ZOOM_FREE;
    z->ox += dx;
    z->oy += dy;
    clamp(z);
}

double zoom_scale(const struct zoom *z) { return z->scale; }

enum zoom_mode zoom_mode(const struct zoom *z) { return z->mode; }

/* One axis of zoom_rects(): the whole frame pixels of [0, n) in view in
 * [0, tile), and where their edges land. */
static bool visible(double o, double s, uint32_t n, int tile, int *src0,
                    int *srcn, int *dst0, int *dstn)
{
    double a = fmax(0, floor(-o / s)), b = fmin(n, ceil((tile - o) / s));
    if (b <= a)
        return false;
    long d0 = lround(o + a * s), d1 = lround(o + b * s);
    *src0 = (int)a;
    *srcn = (int)(b - a);
    *dst0 = (int)d0;
    *dstn = d1 > d0 ? (int)(d1 - d0) : 1;
    return true;
}

bool zoom_rects(const struct zoom *z, struct zoom_rect *src,
                struct zoom_rect *dst)
{
    if (!ready(z))
        return false;
    if (z->mode == ZOOM_FIT) {
        *src = (struct zoom_rect){0, 0, (int)z->fw, (int)z->fh};
        *dst = letterbox(z);
    } else if (!visible(z->ox, z->scale, z->fw, z->tile.w, &src->x, &src->w,
                        &dst->x, &dst->w) ||
               !visible(z->oy, z->scale, z->fh, z->tile.h, &src->y, &src->h,
                        &dst->y, &dst->h))
        return false;
    dst->x += z->tile.x;
    dst->y += z->tile.y;
    return true;
}

/* One axis of zoom_to_frame(): the source pixel whose span of the
 * destination holds the window pixel's centre. */
static uint32_t sample(int p, int src0, int srcn, int dst0, int dstn)
{
    long i = (long)floor((p + 0.5 - dst0) * srcn / dstn);
    if (i < 0)
        i = 0;
    if (i >= srcn)
        i = srcn - 1;
    return (uint32_t)(src0 + i);
}

bool zoom_to_frame(const struct zoom *z, int px, int py, uint32_t *fx,
                   uint32_t *fy)
{
    struct zoom_rect s, d;
    if (!zoom_rects(z, &s, &d))
        return false;
    const struct zoom_rect *t = &z->tile;
    if (px < t->x || py < t->y || px >= t->x + t->w || py >= t->y + t->h ||
        px < d.x || py < d.y || px >= d.x + d.w || py >= d.y + d.h)
        return false;
    *fx = sample(px, s.x, s.w, d.x, d.w);
    *fy = sample(py, s.y, s.h, d.y, d.h);
    return true;
}
