/* Decoded frames kept after their first decode. */
#include "cache.h"

#include <errno.h>
#include <stdlib.h>

int cache_init(struct cache *c, size_t count, bool on)
{
    *c = (struct cache){.on = on, .count = count};
    if (!on)
        return 0;
    c->frames = calloc(count, sizeof(*c->frames));
    return c->frames ? 0 : -ENOMEM;
}

void cache_keep(struct cache *c, size_t f, const struct frame_image *img)
{
    if (!c->on || c->frames[f].bytes)
        return;
    struct cached_frame k;
    size_t bytes =
        frame_image_layout(NULL, img->format, img->width, img->height, 1, NULL);
    if (!bytes || !(k.bytes = malloc(bytes))) {
        c->on = false;
        return;
    }
    frame_image_layout(&k.image, img->format, img->width, img->height, 1,
                       k.bytes);
    if (frame_convert(&k.image, img)) { /* the same format: a copy */
        free(k.bytes);
        c->on = false;
        return;
    }
    c->frames[f] = k;
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
            free(c->frames[i].bytes);
    free(c->frames);
    *c = (struct cache){0};
}
