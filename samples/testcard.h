/* The demo's animated test card, drawn as RGBA8 into a caller's buffer. */
#ifndef LIBFRAME_SAMPLES_TESTCARD_H
#define LIBFRAME_SAMPLES_TESTCARD_H

#include <stddef.h>
#include <stdint.h>

struct testcard {
    uint32_t width, height; /* at least 16 x 16 to show anything useful */
    unsigned fps;           /* how far things move from frame to frame */
    unsigned noise;         /* 0: clean; else each R, G, B sample moves
                               by up to +-noise, as in a photo */
};

/*
 * Frame `index` (0-based; the counter on it shows index + 1): colour bars,
 * a grey ramp and colour ramps, a disc and a square moving over the bars,
 * a sweep marking the second, the frame number in 7-segment digits. All
 * pixels are opaque. The same index always gives the same pixels, noise
 * included, so frames can be drawn in any order on any thread.
 */
void testcard_draw(const struct testcard *tc, uint64_t index, uint8_t *rgba,
                   size_t stride);

#endif
