/* The demo's animated test card, drawn as RGBA8 into a caller's buffer. */
#include "testcard.h"

#include "draw.h"

#include <math.h>
#include <string.h>

#define OPAQUE(r, g, b)                                                        \
    {                                                                          \
        (r), (g), (b), 255                                                     \
    }

/* SMPTE-like 75% bars, and the reversed strip under them. */
static const struct rgba bars[7] = {
    OPAQUE(191, 191, 191), OPAQUE(191, 191, 0), OPAQUE(0, 191, 191),
    OPAQUE(0, 191, 0),     OPAQUE(191, 0, 191), OPAQUE(191, 0, 0),
    OPAQUE(0, 0, 191),
};
static const struct rgba strip[7] = {
    OPAQUE(0, 0, 191),     OPAQUE(19, 19, 19),  OPAQUE(191, 0, 191),
    OPAQUE(19, 19, 19),    OPAQUE(0, 191, 191), OPAQUE(19, 19, 19),
    OPAQUE(191, 191, 191),
};
static const struct rgba black = OPAQUE(0, 0, 0);
static const struct rgba white = OPAQUE(255, 255, 255);

static void draw_bar_row(const struct canvas *c, int y, int h,
                         const struct rgba colors[7])
{
    for (int i = 0; i < 7; i++) {
        int x0 = (int)((int64_t)c->width * i / 7);
        int x1 = (int)((int64_t)c->width * (i + 1) / 7);
        draw_rect(c, x0, y, x1 - x0, h, colors[i]);
    }
}

/* One row computed, then copied down: the ramps only vary across. */
static void draw_ramp(const struct canvas *c, int y, int h, int x0, int w,
                      const uint8_t mask[3])
{
    if (h <= 0 || w <= 0)
        return;
    uint8_t *first = c->pixels + (size_t)y * c->stride + (size_t)x0 * 4;
    for (int x = 0; x < w; x++) {
        uint8_t v = (uint8_t)(w > 1 ? (int64_t)x * 255 / (w - 1) : 255);
        first[4 * x + 0] = v & mask[0];
        first[4 * x + 1] = v & mask[1];
        first[4 * x + 2] = v & mask[2];
        first[4 * x + 3] = 255;
    }
    for (int row = 1; row < h; row++)
        memcpy(first + (size_t)row * c->stride, first, (size_t)w * 4);
}

static void draw_ramps(const struct canvas *c, int y, int h)
{
    static const uint8_t grey[3] = {255, 255, 255};
    static const uint8_t rgb[3][3] = {
        {255, 0, 0},
        {0, 255, 0},
        {0, 0, 255},
    };
    int half = h / 2;
    draw_ramp(c, y, half, 0, c->width, grey);
    for (int i = 0; i < 3; i++) {
        int x0 = c->width * i / 3, x1 = c->width * (i + 1) / 3;
        draw_ramp(c, y + half, h - half, x0, x1 - x0, rgb[i]);
    }
}

/* Position in [0, span] going back and forth once every `period` s. */
static int bounce(double t, double period, int span)
{
    double phase = fmod(t / period, 1.0) * 2.0;
    return (int)(span * (phase < 1.0 ? phase : 2.0 - phase));
}

static void draw_counter(const struct canvas *c, uint64_t number)
{
    int digit_h = c->height / 5;
    int digits = draw_digit_count(number);
    if (digits < 4)
        digits = 4;
    int w = draw_number_width(digit_h, digits);
    int pad = digit_h / 6 + 1;
    int x = (c->width - w) / 2, y = c->height / 12;
    draw_rect(c, x - pad, y - pad, w + 2 * pad, digit_h + 2 * pad, black);
    draw_number(c, x, y, digit_h, number, digits, white);
}

/* splitmix64, seeded per frame and row so rows are independent. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void add_noise(const struct canvas *c, uint64_t index, unsigned amp)
{
    if (amp > 255)
        amp = 255;
    unsigned span = 2 * amp + 1;
    for (int y = 0; y < c->height; y++) {
        uint64_t state = index * 0x100000001b3u ^ (uint64_t)y << 40;
        uint8_t *p = c->pixels + (size_t)y * c->stride;
        for (int x = 0; x < c->width; x++, p += 4) {
            uint64_t r = next_random(&state);
            for (int ch = 0; ch < 3; ch++) {
                /* A random byte scaled to [0, span): no division. */
                int d = (int)(((r >> (8 * ch)) & 0xff) * span >> 8) - (int)amp;
                int v = p[ch] + d;
                p[ch] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
    }
}

void testcard_draw(const struct testcard *tc, uint64_t index, uint8_t *rgba,
                   size_t stride)
{
    struct canvas c = {
        .pixels = rgba,
        .width = (int)tc->width,
        .height = (int)tc->height,
        .stride = stride,
    };
    int w = c.width, h = c.height;
    int bars_h = h * 2 / 3, strip_h = h / 12;
    unsigned fps = tc->fps ? tc->fps : 30;
    double t = (double)index / fps;

    draw_bar_row(&c, 0, bars_h, bars);
    draw_bar_row(&c, bars_h, strip_h, strip);
    draw_ramps(&c, bars_h + strip_h, h - bars_h - strip_h);

    /* A sweep across the ramps, once a second. */
    int sweep = (int)((int64_t)(index % fps) * w / fps);
    int lw = w / 240 + 1;
    draw_rect(&c, sweep - lw, bars_h + strip_h, 3 * lw, h, black);
    draw_rect(&c, sweep, bars_h + strip_h, lw, h, white);

    /* A square bouncing along the bars, a disc on a Lissajous path. */
    int side = h / 6;
    draw_rect(&c, bounce(t, 3.0, w - side), bars_h - side - h / 24, side, side,
              (struct rgba)OPAQUE(255, 128, 0));
    int r = h / 10;
    const double pi = 3.14159265358979323846;
    int cx = w / 2 + (int)((w / 2 - r) * sin(2 * pi * t / 4.0));
    int cy = h / 2 + (int)((h / 2 - r) * sin(2 * pi * t / 3.0 + 1.0));
    draw_disc(&c, cx, cy, r, black);
    draw_disc(&c, cx, cy, r - r / 8, (struct rgba)OPAQUE(255, 255, 64));

    draw_counter(&c, index + 1);

    if (tc->noise)
        add_noise(&c, index, tc->noise);
}
