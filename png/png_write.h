/* Writing PNG files of any colour type and bit depth from raw file rows:
 * the viewer's snapshots, make-samples' images and the tests' inputs. Part
 * of png/ (frame_png), with png_load.h. */
#ifndef FRAME_PNG_WRITE_H
#define FRAME_PNG_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One image exactly as it is to be stored. The prefix is pngw_, not png_,
 * because png_ is libpng's namespace.
 *
 * Colour types and bit depths are libpng's PNG_COLOR_TYPE_* values and the
 * depths PNG allows for each. `samples` holds the rows as they are in the
 * file: sub-byte samples packed with the leftmost pixel in the high bits,
 * 16-bit samples big-endian (or little-endian with little_endian16, as
 * libframe's 16-bit formats hold them: libpng swaps each sample's bytes on
 * the way out). Nothing else is converted, so what a test puts in is
 * exactly what a decoder reads back.
 *
 * Start from pngw_spec_init(), which sets the "libpng's choice" defaults
 * (a zeroed spec would mean compression level 0).
 */
struct pngw_spec {
    uint32_t width, height;
    int color_type;         /* PNG_COLOR_TYPE_GRAY, _GRAY_ALPHA, _RGB,
                               _RGB_ALPHA, _PALETTE */
    int bit_depth;          /* 1, 2, 4, 8 or 16, as PNG allows for it */
    bool interlace;         /* Adam7 */
    const uint8_t *samples; /* height rows of stride bytes */
    size_t stride;          /* at least the packed row size */
    bool little_endian16;   /* 16-bit samples stored low byte first */

    const uint8_t (*palette)[3]; /* PLTE, palette images only */
    int palette_len;             /* 1 .. 2^bit_depth (at most 256) */
    const uint8_t *trans_alpha;  /* tRNS for palettes: alpha per entry; */
    int num_trans;               /* 0 .. palette_len, 0 = no tRNS */

    bool has_trans_key;    /* tRNS for grey and RGB: */
    uint16_t trans_key[3]; /* grey uses [0], RGB [0..2]; file depth */

    double gamma;          /* 0: no gAMA; else the file gamma, e.g.
                              1 / 2.2, stored but no pixel changes */
    int compression_level; /* 0..9, -1: zlib's default */
    int filters;           /* PNG_FILTER_* mask, -1: libpng's choice */
};

/* Defaults: everything zero except compression_level and filters (-1). */
void pngw_spec_init(struct pngw_spec *spec);

/* pngw_spec_init(), then an 8-bit image of `color_type`: width x height,
 * rows of `stride` bytes at `samples`. The set-up nearly every writer wants
 * (RGBA frames, grey test inputs); set any other field after it. */
void pngw_spec_8bit(struct pngw_spec *spec, int color_type,
                    const uint8_t *samples, uint32_t width, uint32_t height,
                    size_t stride);

/* Bytes in one packed row of the spec's width, colour type and depth; 0 for
 * a combination PNG does not allow. */
size_t pngw_row_bytes(uint32_t width, int color_type, int bit_depth);

/*
 * Write the image to `path` (created or truncated, mode 0666 less umask).
 * Returns 0, -EINVAL for a spec PNG cannot store, -ENOMEM, or -EIO / an
 * errno from the file system; then `err` (errlen bytes, may be NULL) says
 * why in a few words and no partial file is left behind.
 */
int pngw_write_file(const char *path, const struct pngw_spec *spec, char *err,
                    size_t errlen);

/* The same into memory: on success *out (free() it) holds *len bytes. */
int pngw_write_mem(const struct pngw_spec *spec, uint8_t **out, size_t *len,
                   char *err, size_t errlen);

/* Write width x height RGBA8 pixels (rows of stride bytes) to `path` as an
 * 8-bit RGBA PNG, unchanged, with the defaults: a frame as it is in a slot.
 * Returns and says as pngw_write_file(). */
int pngw_write_rgba8(const char *path, const uint8_t *pixels, uint32_t width,
                     uint32_t height, size_t stride, char *err, size_t errlen);

#endif
