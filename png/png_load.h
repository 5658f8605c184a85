/*
 * Reading PNG files: into RGBA8 rows, decoded straight into memory the
 * caller names (the producer's slots), or into memory of their own
 * (png_load_file, for tests and tools). Part of png/ (frame_png), with
 * png_write.h. The png_ prefix is older than the module and is libpng's
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
