/* Where a tile's frame is: zoom.c's arithmetic for the tile's rect and
 * frame, in SDL's terms. */
#include "window_private.h"

void tile_view_update(struct tile *t)
{
    const struct layout_rect *r = &t->rect;
    zoom_set_tile(&t->view, (struct zoom_rect){r->x, r->y, r->w, r->h});
    uint32_t fw, fh;
    if (picture_size(&t->pic, &fw, &fh))
        zoom_set_frame(&t->view, fw, fh);
}

void tile_view_reset(struct tile *t) { zoom_fit(&t->view); }

void tile_view_native(struct tile *t) { zoom_native(&t->view); }

void tile_view_zoom(struct tile *t, double factor, int x, int y)
{
    zoom_by(&t->view, factor, x, y);
}

void tile_view_pan(struct tile *t, int dx, int dy)
{
    zoom_pan(&t->view, dx, dy);
}

bool tile_view_rects(const struct tile *t, SDL_Rect *src, SDL_Rect *dst,
                     bool *magnified)
{
    struct zoom_rect s, d;
    if (!zoom_rects(&t->view, &s, &d))
        return false;
    *src = (SDL_Rect){s.x, s.y, s.w, s.h};
    *dst = (SDL_Rect){d.x, d.y, d.w, d.h};
    *magnified = zoom_scale(&t->view) > 1;
    return true;
}

bool tile_view_pixel(const struct tile *t, int x, int y, uint32_t *fx,
                     uint32_t *fy)
{
    return zoom_to_frame(&t->view, x, y, fx, fy);
}

void tile_view_point(const struct tile *t, uint32_t fx, uint32_t fy, int *x,
                     int *y)
{
    /* From what is drawn: the pixels in view (src) and where they go
     * (dst); a pixel outside the view maps outside the tile. */
    struct zoom_rect s, d;
    if (!zoom_rects(&t->view, &s, &d) || s.w == 0 || s.h == 0) {
        *x = *y = -1;
        return;
    }
    *x = d.x + (int)(((double)fx - s.x + 0.5) * d.w / s.w);
    *y = d.y + (int)(((double)fy - s.y + 0.5) * d.h / s.h);
}
