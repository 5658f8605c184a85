/* PNG files into RGBA8 rows, decoded straight into memory the caller names. */
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

struct png_loader;

int png_loader_new(uint32_t max_height, struct png_loader **out);
void png_loader_free(struct png_loader *l);
/* While *flag is true every png_load() ends soon with -ECANCELED: a stop
 * request must not wait for a 16384x16384 decode. NULL: never. */
void png_loader_set_cancel(struct png_loader *l, const atomic_bool *flag);

/* Both read only regular files: anything else (a FIFO, a device) is refused
 * with "not a regular file" and -EINVAL, without blocking on the open. */

/* Read the IHDR only: size and validity of the signature and header. */
int png_probe(const char *path, uint32_t *width, uint32_t *height, char *err,
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

#endif
