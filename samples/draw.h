/* Filled rectangles, discs and 7-segment digits on an RGBA8 image. */
#ifndef LIBFRAME_SAMPLES_DRAW_H
#define LIBFRAME_SAMPLES_DRAW_H

#include <stddef.h>
#include <stdint.h>

struct canvas {
    uint8_t *pixels; /* R G B A bytes */
    int width, height;
    size_t stride; /* bytes per row */
};

struct rgba {
    uint8_t r, g, b, a;
};

/* Everything is clipped to the canvas; shapes may lie partly or wholly
 * outside it. */
void draw_rect(const struct canvas *c, int x, int y, int w, int h,
               struct rgba color);
void draw_disc(const struct canvas *c, int cx, int cy, int radius,
               struct rgba color);

/* `value` in at least `min_digits` digits (leading zeros), 7-segment style,
 * `digit_h` pixels tall, top left at (x, y). */
void draw_number(const struct canvas *c, int x, int y, int digit_h,
                 unsigned long value, int min_digits, struct rgba color);

/* Width draw_number() takes for `digits` digits. */
int draw_number_width(int digit_h, int digits);

/* Digits in `value` printed in base 10. */
int draw_digit_count(unsigned long value);

#endif
