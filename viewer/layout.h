/* The window's grid of tiles: how many rows and columns, and where each
 * tile goes. Pure arithmetic. */
#ifndef VIEWER_LAYOUT_H
#define VIEWER_LAYOUT_H

#include <stddef.h>

struct layout_rect {
    int x, y, w, h;
};

/*
 * n tiles in an out_w x out_h window, in rows of `cols` (row-major, the
 * last row centred when short). Chosen to show the most frame area: each
 * tile letterboxes a frame of aspect[i] (width / height; 0 for a tile
 * without a frame yet, taken as 4:3), and the columns that give the
 * largest sum of the letterboxed areas win (the fewer, on a tie). Tiles
 * are `gap` pixels apart. Returns the columns; out gets n rectangles.
 */
int layout_grid(size_t n, int out_w, int out_h, const double *aspect, int gap,
                struct layout_rect *out);

#endif
