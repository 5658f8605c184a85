/* The window's grid of tiles. */
#include "layout.h"

#define UNKNOWN_ASPECT (4.0 / 3.0)

/* Area of a frame of aspect a letterboxed into w x h. */
static double shown_area(double a, double w, double h)
{
    if (w <= 0 || h <= 0)
        return 0;
    if (a <= 0)
        a = UNKNOWN_ASPECT;
    return w / h > a ? h * h * a : w * w / a;
}

static void place(size_t n, int out_w, int out_h, size_t cols, int gap,
                  struct layout_rect *out)
{
    size_t rows = (n + cols - 1) / cols;
    int tw = (out_w - (int)(cols - 1) * gap) / (int)cols;
    int th = (out_h - (int)(rows - 1) * gap) / (int)rows;
    if (tw < 1)
        tw = 1;
    if (th < 1)
        th = 1;
    for (size_t i = 0; i < n; i++) {
        size_t r = i / cols, c = i % cols;
        size_t in_row = r == rows - 1 ? n - r * cols : cols;
        /* A short last row is centred under the others. */
        int indent = (int)(cols - in_row) * (tw + gap) / 2;
        out[i] = (struct layout_rect){indent + (int)c * (tw + gap),
                                      (int)r * (th + gap), tw, th};
    }
}

int layout_grid(size_t n, int out_w, int out_h, const double *aspect, int gap,
                struct layout_rect *out)
{
    if (n == 0)
        return 0;
    size_t best = 1;
    double best_area = -1;
    for (size_t cols = 1; cols <= n; cols++) {
        size_t rows = (n + cols - 1) / cols;
        /* More columns than needed for these rows only shrink the tiles. */
        if (cols > 1 && (rows * (cols - 1)) >= n)
            continue;
        double tw = (double)(out_w - (int)(cols - 1) * gap) / (double)cols;
        double th = (double)(out_h - (int)(rows - 1) * gap) / (double)rows;
        double area = 0;
        for (size_t i = 0; i < n; i++)
            area += shown_area(aspect ? aspect[i] : 0, tw, th);
        if (area > best_area * (1 + 1e-9)) {
            best_area = area;
            best = cols;
        }
    }
    place(n, out_w, out_h, best, gap, out);
    return (int)best;
}
