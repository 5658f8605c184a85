/* Decoded frames kept after their first decode. */
#include "cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int cache_init(struct cache *c, size_t count, bool on)
{
    *c = (struct cache){.on = on, .count = count};
    if (!on)
        return 0;
    c->frames = calloc(count, sizeof(*c->frames));
    return c->frames ? 0 : -ENOMEM;
}

void cache_keep(struct cache *c, size_t f, const uint8_t *pixels,
                uint32_t width, uint32_t height)
{
    if (!c->on || c->frames[f].pixels)
        return;
    size_t bytes = (size_t)width * height * 4;
    uint8_t *copy = malloc(bytes);
    if (!copy) {
        c->on = false;
        return;
    }
    memcpy(copy, pixels, bytes);
    c->frames[f] = (struct cached_frame){copy, width, height};
    c->filled++;
}

bool cache_complete(const struct cache *c, size_t live)
{
    return c->on && c->filled == live && live > 0;
}

void cache_free(struct cache *c)
{
    if (c->frames)
        for (size_t i = 0; i < c->count; i++)
            free(c->frames[i].pixels);
    free(c->frames);
    *c = (struct cache){0};
}
