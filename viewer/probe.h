/* The pixel probe: the samples of one pixel at the frame's own depth. */
#ifndef VIEWER_PROBE_H
#define VIEWER_PROBE_H

#include <libframe/frame.h>

#include <stddef.h>
#include <stdint.h>

/* Most samples a pixel has (RGBA). */
#define PROBE_MAX 4

/* One pixel's samples, in memory order: "BGRA" gives B, G, R, A; grey is
 * Y; I420 and NV12 are Y, U, V (the chroma of the pixel's 2x2 block). */
struct probe_sample {
    uint32_t x, y;
    uint32_t format;       /* enum frame_pixel_format */
    unsigned n;            /* samples, 1..PROBE_MAX */
    uint32_t v[PROBE_MAX]; /* 0..255, or 0..65535 at 16 bits */
    char label[PROBE_MAX]; /* 'R', 'G', 'B', 'A', 'Y', 'U' or 'V' */
    unsigned bits;         /* 8 or 16 */
};

/* Read pixel (x, y) of img. This is the only call that touches the
 * pixels: on a reader's in-place view, call it between acquire (or hold)
 * and frame_reader_still_valid(), and use the result only if still valid.
 * \return 0, -EINVAL (img is not a frame of a known format: NULL planes,
 *         strides shorter than a row), -ERANGE (x or y outside it). */
int probe_read(const struct frame_image *img, uint32_t x, uint32_t y,
               struct probe_sample *out);

/* The values alone, for tests: out[0..*n). Errors as probe_read(). */
int probe_values(const struct frame_image *img, uint32_t x, uint32_t y,
                 uint32_t out[PROBE_MAX], unsigned *n);

/* "(12, 7) R 255 G 0 B 0 A 255"; "(3, 4) Y 65535" for GRAY16_LE. Always
 * terminated (cut short if len is too small). */
void probe_format(const struct probe_sample *s, char *buf, size_t len);

/* probe_read() then probe_format(). */
int probe_describe(const struct frame_image *img, uint32_t x, uint32_t y,
                   char *buf, size_t len);

#endif
