/* PNG test images of every colour type and depth, with the RGBA8 expected. */
#ifndef LIBFRAME_SAMPLES_TEST_IMAGES_H
#define LIBFRAME_SAMPLES_TEST_IMAGES_H

#include "png_write.h"

#include <stddef.h>
#include <stdint.h>

/*
 * `expected` is what a decoder must produce, worked out from the pixel
 * values by the rules alone, not by decoding:
 *   - no gamma correction, even when the file has gAMA;
 *   - 16-bit samples keep their high byte (libpng's png_set_strip_16);
 *   - 1, 2 and 4-bit grey become v * 255 / (2^depth - 1);
 *   - grey becomes R = G = B; palette indexes are looked up;
 *   - alpha is 255 where the file has none; palette tRNS entries give the
 *     alpha of the first num_trans indexes, the rest are 255;
 *   - a tRNS key makes alpha 0 where the stored sample(s) equal the key at
 *     the file's depth (before any 16 to 8 reduction), else 255.
 *
 * A made image points into itself (spec.samples, spec.palette,
 * spec.trans_alpha): use it where it was made, do not copy it.
 */
struct test_image {
    struct pngw_spec spec; /* ready for pngw_write_file() */
    uint32_t width, height;
    uint8_t *samples;  /* the file rows spec.samples points at */
    uint8_t *expected; /* width * height * 4 bytes: R G B A */
    size_t expected_len;
    uint8_t palette[256][3];
    uint8_t trans_alpha[256];
};

size_t test_image_count(void);

/* Names are stable file-name-safe words, e.g. "gray16-key-adam7-3x5";
 * NULL past the end. */
const char *test_image_name(size_t i);

/* Index of the named image, or -ENOENT. */
long test_image_find(const char *name);

/* 0, -ENOENT past the end, -ENOMEM; on failure nothing is left to free. */
int test_image_make(size_t i, struct test_image *img);

void test_image_free(struct test_image *img);

#endif
