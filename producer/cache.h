/* Decoded frames kept after their first decode, so that once every input
 * is kept each later frame is one memcpy instead of a decode. */
#ifndef PRODUCER_CACHE_H
#define PRODUCER_CACHE_H

#include <libframe/frame.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cached_frame {
    uint8_t *bytes;           /* NULL until kept */
    struct frame_image image; /* its format and planes, tight, in bytes */
};

struct cache {
    bool on;
    struct cached_frame *frames; /* by input index */
    size_t count, filled;
};

/* A cache for count inputs, on or off as decided; 0 or -ENOMEM. */
int cache_init(struct cache *c, size_t count, bool on);

/* Keep a copy of input f's frame, unless kept already. Out of memory the
 * cache turns itself off: decoding carries on. */
void cache_keep(struct cache *c, size_t f, const struct frame_image *img);

/* Whether all live inputs are kept, so decoding can stop. */
bool cache_complete(const struct cache *c, size_t live);

void cache_free(struct cache *c);

#endif
