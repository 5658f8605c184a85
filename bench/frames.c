/* Source frames drawn once per size; checksum and stamps for readers. */
#include "frames.h"

#include "clock.h"
#include "testcard.h"

#include <libframe/frame.h>

#include <stdlib.h>
#include <string.h>

#define MAX_SOURCES 8

static struct source sources[MAX_SOURCES];
static int nsources;

static const struct source *find(uint32_t width, uint32_t height,
                                 uint32_t format)
{
    for (int i = 0; i < nsources; i++)
        if (sources[i].width == width && sources[i].height == height &&
            sources[i].format == format)
            return &sources[i];
    return NULL;
}

/* A new source's memory: bytes, whole words, so the sum and the stamps
 * never straddle the end. */
static struct source *new_source(uint32_t width, uint32_t height,
                                 uint32_t format)
{
    if (nsources == MAX_SOURCES)
        return NULL;
    struct source *s = &sources[nsources];
    s->width = width;
    s->height = height;
    s->format = format;
    s->bytes = frame_image_layout(NULL, format, width, height, 1, NULL);
    if (!s->bytes || s->bytes % 8)
        return NULL;
    s->pixels = aligned_alloc(64, (s->bytes + 63) / 64 * 64);
    return s->pixels ? s : NULL;
}

static const struct source *finish(struct source *s)
{
    uint64_t first, last;
    memcpy(&first, s->pixels, 8);
    memcpy(&last, s->pixels + s->bytes - 8, 8);
    s->base_sum = frame_sum(s->pixels, s->bytes) - first - last;
    nsources++;
    return s;
}

const struct source *source_get(uint32_t width, uint32_t height)
{
    const struct source *have = find(width, height, FRAME_FORMAT_RGBA8);
    if (have)
        return have;
    struct source *s = new_source(width, height, FRAME_FORMAT_RGBA8);
    if (!s)
        return NULL;
    struct testcard tc = {.width = width, .height = height, .fps = 30};
    testcard_draw(&tc, 0, s->pixels, (size_t)width * 4);
    return finish(s);
}

const struct source *source_get_format(uint32_t width, uint32_t height,
                                       uint32_t format)
{
    const struct source *have = find(width, height, format);
    if (have || format == FRAME_FORMAT_RGBA8)
        return have ? have : source_get(width, height);
    const struct source *rgba = source_get(width, height);
    if (!rgba)
        return NULL;
    struct source *s = new_source(width, height, format);
    if (!s)
        return NULL;
    struct frame_image from, to;
    frame_image_layout(&from, FRAME_FORMAT_RGBA8, width, height, 1,
                       rgba->pixels);
    frame_image_layout(&to, format, width, height, 1, s->pixels);
    if (frame_convert(&to, &from)) {
        free(s->pixels);
        s->pixels = NULL;
        return NULL;
    }
    return finish(s);
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

void frame_draw(uint8_t *p, uint32_t width, uint32_t height, size_t stride,
                uint64_t frame_no)
{
    /* Cheap per pixel, so the figure is about where the bytes go; one
     * 32-bit store each, which the compiler vectorises. */
    uint32_t t = (uint32_t)frame_no * 0x00030107u;
    for (uint32_t y = 0; y < height; y++) {
        uint32_t *row = (uint32_t *)(void *)(p + (size_t)y * stride);
        uint32_t base = t + y * 0x00010300u;
        for (uint32_t x = 0; x < width; x++)
            row[x] = (base + x * 0x00000201u) | 0xff000000u;
    }
}

int64_t frame_draw_timed(uint8_t *p, uint32_t width, uint32_t height,
                         size_t stride, uint64_t frame_no)
{
    int64_t c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    frame_draw(p, width, height, stride, frame_no);
    return clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
}
