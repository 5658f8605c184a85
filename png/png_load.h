/*
 * Reading PNG files: into RGBA8 rows or any re-arrangement of the file's
 * own samples (png_load_samples), decoded straight into memory the caller
 * names (the producer's slots), or into memory of their own
 * (png_load_file, for tests and tools). Needs libpng only: pixel formats
 * and conversions are libframe's, the caller's side. Part of png/ (frame_png),
 * with png_write.h. The png_ prefix is older than the module and is libpng's
 * too: a new name here is checked against png.h first.
 */
#ifndef FRAME_PNG_LOAD_H
#define FRAME_PNG_LOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest image accepted, whatever the segment: libpng's own default limit
 * lets 1000000x1000000 through. */
#define PNG_LOAD_MAX_DIM 16384
#define PNG_LOAD_ERR_MAX 256

/* Where the decoded rows go, asked for once the header is known: fill
 * *pixels and *stride (>= width * 4) or return a negative code with a
 * reason in err. */
typedef int (*png_target_fn)(void *ctx, uint32_t width, uint32_t height,
                             uint8_t **pixels, size_t *stride, char *err,
                             size_t errlen);

/* One decoder, for one thread: its row table is allocated once (max_height
 * rows, grown for a taller image) so decoding allocates nothing per frame
 * beyond libpng's own structures. 0 or -ENOMEM. */
struct png_loader;

int png_loader_new(uint32_t max_height, struct png_loader **out);
void png_loader_free(struct png_loader *l);
/* While *flag is true every png_load() ends soon with -ECANCELED: a stop
 * request must not wait for a 16384x16384 decode. NULL: never. */
void png_loader_set_cancel(struct png_loader *l, const atomic_bool *flag);

/* Every function below reads only regular files: anything else (a FIFO, a
 * device) is refused with "not a regular file" and -EINVAL, without
 * blocking on the open. All return 0 or a negative errno code, with the
 * reason in err (errlen bytes). */

/* Read the IHDR only: size and validity of the signature and header. */
int png_probe(const char *path, uint32_t *width, uint32_t *height, char *err,
              size_t errlen);

/* The IHDR as the file stores it, before any conversion to RGBA8. */
struct png_header {
    uint32_t width, height;
    int bit_depth;   /* 1, 2, 4, 8 or 16 */
    int color_type;  /* libpng's PNG_COLOR_TYPE_* */
    bool interlaced; /* Adam7 */
};

/* png_probe(), and the depth, colour type and interlacing with it: what a
 * caller checks when it needs the file's own format, not only its pixels
 * (a test that the viewer wrote 8-bit RGBA). Values are as stored, not
 * validated beyond the size. */
int png_probe_header(const char *path, struct png_header *h, char *err,
                     size_t errlen);

/*
 * Samples as png_load_samples() writes them: packed rows of `channels`
 * samples of `depth` bits each. Any layout here is what libpng gives by
 * re-arranging the file's samples: palettes looked up, sub-byte grey
 * scaled to 8 bits and tRNS made alpha (png_set_expand), grey copied into
 * R, G and B, an opaque alpha added or the alpha dropped, B and R
 * swapped, 16-bit samples byte-swapped. The one change of value is 16 to
 * 8 bits, by the high byte (png_set_strip_16), for png_load()'s RGBA8;
 * nothing goes from 8 to 16 bits or from colour to grey: that computes
 * values, which is the caller's business (libframe's frame_convert()).
 */
struct png_samples {
    int channels;       /* 1 grey, 3 colour, 4 colour and alpha */
    int depth;          /* 8 or 16 */
    bool bgr;           /* colour as B, G, R (alpha still last) */
    bool little_endian; /* 16-bit samples low byte first */
};

/* A file as its chunks before the image data say. */
struct png_file_info {
    struct png_header h;
    bool has_trns;
    /* The file's samples without loss, big-endian as PNG stores them:
     * grey stays one channel; alpha (or tRNS) makes four, grey copied
     * into colour; 16-bit colour without alpha gains an opaque one (no
     * 16-bit three-channel layout is offered, since few consumers take
     * one); palettes are 8-bit colour; 1, 2 and 4-bit grey are 8-bit. */
    struct png_samples native;
};

/* Read the chunks up to the image data (no pixels are decoded): the
 * header, tRNS and the native layout, with libpng's checks. */
int png_probe_info(const char *path, struct png_file_info *info, char *err,
                   size_t errlen);

/* Whether png_load_samples() can give want from a file like f: the depth
 * is the file's (or 8 from 16), grey only from grey, 1, 3 or 4 channels. */
bool png_samples_possible(const struct png_file_info *f,
                          const struct png_samples *want);

/* Where png_load_samples() writes, asked once the file's chunks before the
 * image data are read: *want holds f->native on entry and may be changed
 * to any layout png_samples_possible() accepts; fill *pixels and *stride
 * (at least a row of *want) or return a negative code with a reason in
 * err. */
typedef int (*png_samples_fn)(void *ctx, const struct png_file_info *f,
                              struct png_samples *want, uint8_t **pixels,
                              size_t *stride, char *err, size_t errlen);

/* Decode path in the layout the target asks for, with the values stored in
 * the file (no gamma). Errors and *target_taken as png_load(). */
int png_load_samples(struct png_loader *l, const char *path,
                     png_samples_fn target, void *ctx, int *target_taken,
                     char *err, size_t errlen);

/*
 * Decode path as RGBA8 with the values stored in the file: no gamma, 16-bit
 * samples keep their high byte, palettes and tRNS applied, missing alpha
 * 255. On failure err holds the reason; rows already written are garbage.
 * If the target was asked for, *target_taken is set so the caller knows it
 * must discard it.
 */
int png_load(struct png_loader *l, const char *path, png_target_fn target,
             void *ctx, int *target_taken, char *err, size_t errlen);

/* png_load() into malloc()ed memory: *pixels (free() it) holds *height rows
 * of *width * 4 bytes. A loader per call: for a few files, not a stream. */
int png_load_file(const char *path, uint8_t **pixels, uint32_t *width,
                  uint32_t *height, char *err, size_t errlen);

#endif
