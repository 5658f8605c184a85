/* Worker threads decoding PNGs ahead of the publisher, delivered in order. */
#ifndef PRODUCER_DECODE_POOL_H
#define PRODUCER_DECODE_POOL_H

#include "decode.h"
#include "png_load.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One decoded (or failed) file, owned by the pool until released. */
struct decoded {
    size_t file;              /* index into the input list */
    uint8_t *bytes;           /* the buffer, the pool's frame_bytes long */
    struct frame_image image; /* the frame in it, tight */
    int rc;                   /* 0, or the decode error with err set */
    char err[PNG_LOAD_ERR_MAX];
    double decode_ms;
};

struct decode_pool;

/* next_file(ctx) gives the file to decode next, or (size_t)-1 when there is
 * none; it is called under the pool's lock, in delivery order. */
typedef size_t (*next_file_fn)(void *ctx);

/* Frames of format (or FORMAT_NATIVE) in buffers of frame_bytes. */
int decode_pool_new(unsigned threads, uint32_t format, size_t frame_bytes,
                    uint32_t max_height, char *const *paths, next_file_fn next,
                    void *ctx, struct decode_pool **out);

/* The next result in order. Blocks up to timeout_ms; NULL on timeout or
 * when no file is left (*done is then true). */
struct decoded *decode_pool_take(struct decode_pool *p, int timeout_ms,
                                 bool *done);

/* Hand a result back. If keep is true its buffer now belongs to the
 * caller (e.g. a cache) and the pool allocates a new one. */
int decode_pool_release(struct decode_pool *p, struct decoded *d, bool keep);

void decode_pool_free(struct decode_pool *p);

#endif
