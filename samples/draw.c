/* Filled rectangles, discs and 7-segment digits on an RGBA8 image. */
#include "draw.h"

#include <math.h>

/* Segments a..g as bits 0..6, clockwise from the top, g in the middle. */
static const uint8_t segments[10] = {
    0x3f, 0x06, 0x5b, 0x4f, 0x66, 0x6d, 0x7d, 0x07, 0x7f, 0x6f,
};

static int max_int(int a, int b) { return a > b ? a : b; }

static int min_int(int a, int b) { return a < b ? a : b; }

static void fill_span(const struct canvas *c, int y, int x0, int x1,
                      struct rgba color)
{
    uint8_t *p = c->pixels + (size_t)y * c->stride + (size_t)x0 * 4;
    for (int x = x0; x < x1; x++, p += 4) {
        p[0] = color.r;
        p[1] = color.g;
        p[2] = color.b;
        p[3] = color.a;
    }
}

void draw_rect(const struct canvas *c, int x, int y, int w, int h,
               struct rgba color)
{
    int x0 = max_int(x, 0), y0 = max_int(y, 0);
    /* In 64 bits: x + w may not fit an int for shapes far off screen. */
    int x1 = (int)((int64_t)x + w < c->width ? (int64_t)x + w : c->width);
    int y1 = (int)((int64_t)y + h < c->height ? (int64_t)y + h : c->height);
    for (int row = y0; row < y1; row++) {
        if (x0 < x1)
            fill_span(c, row, x0, x1, color);
    }
}

void draw_disc(const struct canvas *c, int cx, int cy, int radius,
               struct rgba color)
{
    int y0 = max_int(cy - radius, 0);
    int y1 = min_int(cy + radius, c->height - 1);
    int64_t r2 = (int64_t)radius * radius;
    for (int y = y0; y <= y1; y++) {
        int64_t dy = y - cy;
        int half = (int)sqrt((double)(r2 - dy * dy));
        int x0 = max_int(cx - half, 0);
        int x1 = min_int(cx + half + 1, c->width);
        if (x0 < x1)
            fill_span(c, y, x0, x1, color);
    }
}

static void draw_digit(const struct canvas *c, int x, int y, int h, int d,
                       struct rgba color)
{
    int w = h / 2, t = max_int(h / 10, 1);
    int mid = h / 2 - t / 2;
    uint8_t s = segments[d];
    if (s & 0x01)
        draw_rect(c, x, y, w, t, color); /* a */
    if (s & 0x02)
        draw_rect(c, x + w - t, y, t, mid + t, color); /* b */
    if (s & 0x04)
        draw_rect(c, x + w - t, y + mid, t, h - mid, color); /* c */
    if (s & 0x08)
        draw_rect(c, x, y + h - t, w, t, color); /* d */
    if (s & 0x10)
        draw_rect(c, x, y + mid, t, h - mid, color); /* e */
    if (s & 0x20)
        draw_rect(c, x, y, t, mid + t, color); /* f */
    if (s & 0x40)
        draw_rect(c, x, y + mid, w, t, color); /* g */
}

int draw_digit_count(unsigned long value)
{
    int n = 1;
    while (value >= 10) {
        value /= 10;
        n++;
    }
    return n;
}

int draw_number_width(int digit_h, int digits)
{
    int w = digit_h / 2, gap = max_int(digit_h / 6, 1);
    return digits * w + (digits - 1) * gap;
}

void draw_number(const struct canvas *c, int x, int y, int digit_h,
                 unsigned long value, int min_digits, struct rgba color)
{
    int digits = max_int(draw_digit_count(value), min_digits);
    int step = digit_h / 2 + max_int(digit_h / 6, 1);
    for (int i = digits - 1; i >= 0; i--) {
        draw_digit(c, x + i * step, y, digit_h, (int)(value % 10), color);
        value /= 10;
    }
}
