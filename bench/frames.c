/* Source frames drawn once per size; checksum and stamps for readers. */
#include "frames.h"

#include "testcard.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SOURCES 8

static struct source sources[MAX_SOURCES];
static int nsources;

const struct source *source_get(uint32_t width, uint32_t height)
{
    for (int i = 0; i < nsources; i++)
        if (sources[i].width == width && sources[i].height == height)
            return &sources[i];
    if (nsources == MAX_SOURCES)
        return NULL;
    struct source *s = &sources[nsources];
    s->width = width;
    s->height = height;
    s->bytes = (size_t)width * height * 4;
    /* Whole words, so the sum and the stamps never straddle the end. */
    if (s->bytes % 8)
        return NULL;
    s->pixels = aligned_alloc(64, (s->bytes + 63) / 64 * 64);
    if (!s->pixels)
        return NULL;
    struct testcard tc = {.width = width, .height = height, .fps = 30};
    testcard_draw(&tc, 0, s->pixels, (size_t)width * 4);
    uint64_t first, last;
    memcpy(&first, s->pixels, 8);
    memcpy(&last, s->pixels + s->bytes - 8, 8);
    s->base_sum = frame_sum(s->pixels, s->bytes) - first - last;
    nsources++;
    return s;
}

void sources_free(void)
{
    for (int i = 0; i < nsources; i++)
        free(sources[i].pixels);
    nsources = 0;
}

uint64_t frame_sum(const uint8_t *p, size_t bytes)
{
    /* Four chains so the adds do not wait on each other: this reads at
     * memory speed, which is what "read every byte" should cost. */
    uint64_t a = 0, b = 0, c = 0, d = 0;
    size_t n = bytes / 8, i = 0;
    for (; i + 4 <= n; i += 4) {
        uint64_t w[4];
        memcpy(w, p + i * 8, sizeof(w));
        a += w[0];
        b += w[1];
        c += w[2];
        d += w[3];
    }
    for (; i < n; i++) {
        uint64_t w;
        memcpy(&w, p + i * 8, 8);
        a += w;
    }
    return a + b + c + d;
}

void frame_stamp(uint8_t *p, size_t bytes, uint64_t frame_no)
{
    memcpy(p, &frame_no, 8);
    memcpy(p + bytes - 8, &frame_no, 8);
}

uint64_t frame_expected(const struct source *s, uint64_t frame_no)
{
    return s->base_sum + 2 * frame_no;
}
