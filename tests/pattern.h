/* The torn-frame detector shared by the stress tests: every pixel depends
 * on the frame number and its place, and the last row holds per-column
 * sums of the rows above. Include after defining WIDTH and HEIGHT. */
#ifndef LIBFRAME_TEST_PATTERN_H
#define LIBFRAME_TEST_PATTERN_H

#if !defined(WIDTH) || !defined(HEIGHT)
#error "define WIDTH and HEIGHT before including pattern.h"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Position-dependent pixels, so rows from another frame or another place
 * never match by accident. Multiplying by an odd constant is a bijection,
 * so no two frames within 2^32 of each other share a value. */
static inline uint32_t pixel_value(uint64_t frame_no, uint32_t index)
{
    return (uint32_t)frame_no * 0x9e3779b1u + index * 0x85ebca77u;
}

/* The last row holds, per column, a weighted sum of the pixels above it.
 * Checked against the rows as read, it catches a mix of two writes without
 * trusting the view's frame_no, which the pixel check depends on. */
static inline void fill_frame(uint8_t *pixels, uint32_t stride,
                              uint64_t frame_no)
{
    uint32_t sum[WIDTH] = {0};
    for (uint32_t y = 0; y + 1 < HEIGHT; y++) {
        uint32_t *row = (uint32_t *)(pixels + (size_t)y * stride);
        uint32_t weight = 2 * y + 1;
        for (uint32_t x = 0; x < WIDTH; x++) {
            uint32_t p = pixel_value(frame_no, y * WIDTH + x);
            row[x] = p;
            sum[x] += p * weight;
        }
    }
    memcpy(pixels + (size_t)(HEIGHT - 1) * stride, sum, sizeof(sum));
}

/* Reads each pixel once, in place, and uses that one value for both checks;
 * no early exit, so the loop vectorises. */
static inline bool verify_frame(const uint8_t *pixels, uint32_t stride,
                                uint64_t frame_no)
{
    uint32_t sum[WIDTH] = {0};
    uint32_t bad = 0;
    for (uint32_t y = 0; y + 1 < HEIGHT; y++) {
        const uint32_t *row = (const uint32_t *)(pixels + (size_t)y * stride);
        uint32_t weight = 2 * y + 1;
        for (uint32_t x = 0; x < WIDTH; x++) {
            uint32_t p = row[x];
            bad |= p ^ pixel_value(frame_no, y * WIDTH + x);
            sum[x] += p * weight;
        }
    }
    const uint32_t *check =
        (const uint32_t *)(pixels + (size_t)(HEIGHT - 1) * stride);
    for (uint32_t x = 0; x < WIDTH; x++)
        bad |= check[x] ^ sum[x];
    return bad == 0;
}

#endif
