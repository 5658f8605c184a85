/* PNG files decoded by libpng itself for the tests that compare samples:
 * as stored (the file's own colour type and depth, 16-bit big-endian), or
 * expanded to one representation, 16-bit RGBA, whatever the file holds.
 * The project's png_load gives RGBA8 only; these keep every bit. */
#ifndef LIBFRAME_TEST_PNG_DECODE_H
#define LIBFRAME_TEST_PNG_DECODE_H

#include "runner.h"

#include <png.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct decoded {
    uint32_t w, h;
    int color_type, bit_depth; /* the file's IHDR */
    int out_channels;          /* of the rows below */
    int out_depth;             /* 8 or 16, of the rows below */
    size_t rowbytes;
    uint8_t *data; /* h rows of rowbytes; 16-bit samples big-endian */
};

/* libpng's errors end the case: these are the tests' own files. */
static inline void decode_error(png_structp png, png_const_charp msg)
{
    (void)png;
    fprintf(stderr, "libpng: %s\n", msg);
    CHECK(!"libpng could not decode a PNG");
}

/* Decode path. expand: 16-bit RGBA from any file (palette looked up,
 * sub-byte grey scaled as libpng does, grey to R = G = B, tRNS to alpha,
 * 8-bit samples times 257, missing alpha 65535); otherwise the samples as
 * stored (sub-byte samples unpacked to a byte each). No gamma. */
static inline void decode_png(const char *path, bool expand, struct decoded *d)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "cannot open %s\n", path);
        CHECK(!"PNG missing");
    }
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, decode_error, NULL);
    CHECK(png);
    png_infop info = png_create_info_struct(png);
    CHECK(info);
    png_init_io(png, fp);
    png_read_info(png, info);
    d->w = png_get_image_width(png, info);
    d->h = png_get_image_height(png, info);
    d->color_type = png_get_color_type(png, info);
    d->bit_depth = png_get_bit_depth(png, info);
    if (expand) {
        png_set_expand(png); /* palette, sub-byte grey, tRNS */
        png_set_expand_16(png);
        png_set_gray_to_rgb(png);
        if (!(d->color_type & PNG_COLOR_MASK_ALPHA) &&
            !png_get_valid(png, info, PNG_INFO_tRNS))
            png_set_add_alpha(png, 0xffff, PNG_FILLER_AFTER);
    } else if (d->bit_depth < 8) {
        png_set_packing(png);
    }
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);
    d->out_channels = png_get_channels(png, info);
    d->out_depth = png_get_bit_depth(png, info);
    d->rowbytes = png_get_rowbytes(png, info);
    d->data = malloc(d->rowbytes * d->h);
    png_bytep *rows = malloc(sizeof(*rows) * d->h);
    CHECK(d->data && rows);
    for (uint32_t y = 0; y < d->h; y++)
        rows[y] = d->data + (size_t)y * d->rowbytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    fclose(fp);
    if (expand) {
        CHECK(d->out_channels == 4 && d->out_depth == 16);
        CHECK(d->rowbytes == (size_t)d->w * 8);
    }
}

/* Sample c of pixel (x, y) as decoded. */
static inline unsigned decoded_sample(const struct decoded *d, uint32_t x,
                                      uint32_t y, int c)
{
    const uint8_t *p = d->data + (size_t)y * d->rowbytes +
                       ((size_t)x * d->out_channels + c) * (d->out_depth / 8);
    return d->out_depth == 16 ? (unsigned)(p[0] << 8 | p[1]) : p[0];
}

static inline void decoded_free(struct decoded *d)
{
    free(d->data);
    d->data = NULL;
}

#endif
