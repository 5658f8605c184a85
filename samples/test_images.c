/* The test image table: file samples and expected RGBA8 for each variant. */
#include "test_images.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#define GRAY PNG_COLOR_TYPE_GRAY
#define GA PNG_COLOR_TYPE_GRAY_ALPHA
#define RGB PNG_COLOR_TYPE_RGB
#define RGBA PNG_COLOR_TYPE_RGB_ALPHA
#define PAL PNG_COLOR_TYPE_PALETTE

struct variant {
    const char *name;
    int type, depth;
    uint32_t w, h;
    bool adam7;
    int palette_len; /* palette images: entries in PLTE */
    int num_trans;   /* palette images: entries in tRNS, 0 for none */
    bool key;        /* grey and RGB: a tRNS key (see key_of) */
    double gamma;    /* 0: no gAMA */
    int level;       /* 0: libpng's default, else zlib level + 1 */
    int filters;     /* 0: libpng's choice, else PNG_FILTER_* */
};

/* V(type, depth, width, height, name[, more fields]) */
#define V(t, d, W, H, ...)                                                     \
    {                                                                          \
        .type = t, .depth = d, .w = W, .h = H, .name = __VA_ARGS__             \
    }
/* 37 is odd and not a multiple of 8, so packed rows end in a part byte. */
#define DW 37
#define DH 23

static const struct variant table[] = {
    /* Every colour type and depth PNG allows. */
    V(GRAY, 1, DW, DH, "gray1"),
    V(GRAY, 2, DW, DH, "gray2"),
    V(GRAY, 4, DW, DH, "gray4"),
    V(GRAY, 8, DW, DH, "gray8"),
    V(GRAY, 16, DW, DH, "gray16"),
    V(GA, 8, DW, DH, "graya8"),
    V(GA, 16, DW, DH, "graya16"),
    V(RGB, 8, DW, DH, "rgb8"),
    V(RGB, 16, DW, DH, "rgb16"),
    V(RGBA, 8, DW, DH, "rgba8"),
    V(RGBA, 16, DW, DH, "rgba16"),
    V(PAL, 1, DW, DH, "pal1", .palette_len = 2),
    V(PAL, 2, DW, DH, "pal2", .palette_len = 4),
    V(PAL, 4, DW, DH, "pal4", .palette_len = 16),
    V(PAL, 8, DW, DH, "pal8", .palette_len = 256),
    /* Palettes shorter than the depth could index. */
    V(PAL, 2, DW, DH, "pal2-3colors", .palette_len = 3),
    V(PAL, 4, DW, DH, "pal4-11colors", .palette_len = 11),
    V(PAL, 8, DW, DH, "pal8-100colors", .palette_len = 100),

    /* Palette tRNS: as long as the palette, shorter, a single entry. */
    V(PAL, 1, DW, DH, "pal1-trns", .palette_len = 2, .num_trans = 2),
    V(PAL, 2, DW, DH, "pal2-trns", .palette_len = 3, .num_trans = 3),
    V(PAL, 4, DW, DH, "pal4-trns-short", .palette_len = 16, .num_trans = 5),
    V(PAL, 8, DW, DH, "pal8-trns", .palette_len = 256, .num_trans = 256),
    V(PAL, 8, DW, DH, "pal8-trns-short", .palette_len = 200, .num_trans = 37),
    V(PAL, 8, DW, DH, "pal8-trns-1", .palette_len = 256, .num_trans = 1),

    /* tRNS keys, with near misses that agree in the high byte. */
    V(GRAY, 1, DW, DH, "gray1-key", .key = true),
    V(GRAY, 2, DW, DH, "gray2-key", .key = true),
    V(GRAY, 4, DW, DH, "gray4-key", .key = true),
    V(GRAY, 8, DW, DH, "gray8-key", .key = true),
    V(GRAY, 16, DW, DH, "gray16-key", .key = true),
    V(RGB, 8, DW, DH, "rgb8-key", .key = true),
    V(RGB, 16, DW, DH, "rgb16-key", .key = true),

    /* Adam7, mostly at sizes where some passes are partial or empty. */
    V(GRAY, 1, 3, 5, "gray1-adam7-3x5", .adam7 = true),
    V(GRAY, 2, 17, 9, "gray2-key-adam7-17x9", .adam7 = true, .key = true),
    V(GRAY, 4, 1, 1, "gray4-adam7-1x1", .adam7 = true),
    V(GRAY, 8, 8, 8, "gray8-adam7-8x8", .adam7 = true),
    V(GRAY, 16, 3, 5, "gray16-key-adam7-3x5", .adam7 = true, .key = true),
    V(GA, 8, 1, 7, "graya8-adam7-1x7", .adam7 = true),
    V(GA, 16, 17, 9, "graya16-adam7-17x9", .adam7 = true),
    V(RGB, 8, 1, 1, "rgb8-key-adam7-1x1", .adam7 = true, .key = true),
    V(RGB, 8, DW, DH, "rgb8-adam7-37x23", .adam7 = true),
    V(RGB, 16, 9, 1, "rgb16-adam7-9x1", .adam7 = true),
    V(RGB, 16, 17, 9, "rgb16-key-adam7-17x9", .adam7 = true, .key = true),
    V(RGBA, 8, 1, 1, "rgba8-adam7-1x1", .adam7 = true),
    V(RGBA, 8, 17, 9, "rgba8-adam7-17x9", .adam7 = true),
    V(RGBA, 16, 3, 5, "rgba16-adam7-3x5", .adam7 = true),
    V(PAL, 1, 17, 9, "pal1-adam7-17x9", .adam7 = true, .palette_len = 2),
    V(PAL, 4, 3, 5, "pal4-trns-short-adam7-3x5", .adam7 = true,
      .palette_len = 13, .num_trans = 4),
    V(PAL, 8, 300, 200, "pal8-trns-adam7-300x200", .adam7 = true,
      .palette_len = 256, .num_trans = 256),
    V(RGBA, 8, 300, 200, "rgba8-adam7-300x200", .adam7 = true),

    /* Sizes. */
    V(GRAY, 8, 1, 1, "gray8-1x1"),
    V(RGBA, 8, 1, 1, "rgba8-1x1"),
    V(PAL, 1, 1, 1, "pal1-1x1", .palette_len = 2),
    V(GRAY, 16, 1, 1, "gray16-key-1x1", .key = true),
    V(GRAY, 1, 1, 7, "gray1-1x7"),
    V(GRAY, 2, 9, 1, "gray2-9x1"),
    V(RGB, 16, 3, 5, "rgb16-3x5"),
    V(GRAY, 1, 300, 200, "gray1-300x200"),
    V(RGB, 8, 300, 200, "rgb8-300x200"),
    V(RGBA, 8, 300, 200, "rgba8-300x200"),
    V(RGBA, 16, 300, 200, "rgba16-300x200"),
    V(PAL, 8, 300, 200, "pal8-trns-short-300x200", .palette_len = 200,
      .num_trans = 37),

    /* gAMA chunks the decoder must ignore: 1/2.2 and 1.0. */
    V(RGB, 8, DW, DH, "rgb8-gamma45", .gamma = 1 / 2.2),
    V(GRAY, 8, DW, DH, "gray8-gamma100", .gamma = 1.0),
    V(RGBA, 16, DW, DH, "rgba16-gamma45", .gamma = 1 / 2.2),
    V(PAL, 8, DW, DH, "pal8-trns-gamma45", .palette_len = 256, .num_trans = 100,
      .gamma = 1 / 2.2),

    /* Stored (level 0) and best deflate, and each row filter forced. */
    V(RGBA, 8, DW, DH, "rgba8-z0", .level = 0 + 1),
    V(RGB, 8, DW, DH, "rgb8-z9", .level = 9 + 1),
    V(GRAY, 2, DW, DH, "gray2-filter-paeth", .filters = PNG_FILTER_PAETH),
    V(PAL, 8, DW, DH, "pal8-filter-avg", .palette_len = 256,
      .filters = PNG_FILTER_AVG),
    V(RGB, 16, DW, DH, "rgb16-filter-sub", .filters = PNG_FILTER_SUB),
    V(GA, 8, DW, DH, "graya8-filter-up", .filters = PNG_FILTER_UP),
    V(RGBA, 8, DW, DH, "rgba8-filter-none", .filters = PNG_FILTER_NONE),
};

#define COUNT (sizeof(table) / sizeof(table[0]))

size_t test_image_count(void) { return COUNT; }

const char *test_image_name(size_t i)
{
    return i < COUNT ? table[i].name : NULL;
}

long test_image_find(const char *name)
{
    for (size_t i = 0; i < COUNT; i++) {
        if (strcmp(table[i].name, name) == 0)
            return (long)i;
    }
    return -ENOENT;
}

static int channels_of(int type)
{
    switch (type) {
    case GA:
        return 2;
    case RGB:
        return 3;
    case RGBA:
        return 4;
    }
    return 1;
}

/* splitmix64: small, and the same numbers on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Seeded from the name, so adding a variant changes no other image. */
static uint64_t seed_of(const char *name)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *name; name++)
        h = (h ^ (uint8_t)*name) * 0x100000001b3u;
    return h;
}

static void key_of(const struct variant *v, uint16_t key[3])
{
    static const uint16_t grey[17] = {
        [1] = 1, [2] = 2, [4] = 9, [8] = 0x5a, [16] = 0x5a3c};
    if (v->type == GRAY) {
        key[0] = grey[v->depth];
        key[1] = key[2] = 0;
    } else if (v->depth == 16) {
        key[0] = 0x2010, key[1] = 0x9080, key[2] = 0xe0f0;
    } else {
        key[0] = 0x20, key[1] = 0x90, key[2] = 0xe0;
    }
}

/* Alpha 0 and 255 first, then values strictly between, so an entry past
 * num_trans (which must come out 255) cannot pass by luck. */
static void make_palette(const struct variant *v, struct test_image *img,
                         uint64_t *rng)
{
    for (int i = 0; i < v->palette_len; i++) {
        uint64_t r = next_random(rng);
        img->palette[i][0] = (uint8_t)r;
        img->palette[i][1] = (uint8_t)(r >> 8);
        img->palette[i][2] = (uint8_t)(r >> 16);
    }
    for (int i = 0; i < v->num_trans; i++) {
        if (i < 2)
            img->trans_alpha[i] = i == 0 ? 0 : 255;
        else
            img->trans_alpha[i] = (uint8_t)(1 + next_random(rng) % 254);
    }
}

/*
 * The samples as numbers at the file's depth, channel by channel. Even rows
 * count through the whole range (a gradient that reaches every value in
 * the larger images); odd rows are pseudo-random. With a key, every fifth
 * pixel is the key and another fifth a near miss: one channel off, and at
 * 16 bits off in the low byte only, so it matches after a 16-to-8 cut.
 */
static void fill_values(const struct variant *v, const uint16_t key[3],
                        uint16_t *vals, uint64_t *rng)
{
    int ch = channels_of(v->type);
    uint32_t span = v->type == PAL ? (uint32_t)v->palette_len : 1u << v->depth;
    uint64_t step = v->depth == 16 ? 0x0107 : 1;
    uint16_t miss = v->depth == 16 ? 0x0081 : 1;

    for (uint32_t y = 0; y < v->h; y++) {
        for (uint32_t x = 0; x < v->w; x++) {
            uint16_t *px = vals + ((size_t)y * v->w + x) * ch;
            uint32_t k = (x + 3 * y) % 5;
            if (v->key && (k == 0 || k == 2)) {
                for (int c = 0; c < ch; c++)
                    px[c] = key[c];
                if (k == 2)
                    px[(x + y) % ch] ^= miss;
                continue;
            }
            for (int c = 0; c < ch; c++) {
                uint64_t n = (uint64_t)(y / 2) * v->w + x;
                if (y % 2 == 0)
                    px[c] = (uint16_t)((n * step + c * (span / 4 + 1)) % span);
                else
                    px[c] = (uint16_t)(next_random(rng) % span);
            }
        }
    }
}

/* Rows as stored: high bits first for sub-byte depths, 16-bit big-endian.
 * `out` is zeroed, so the unused bits at a row's end stay 0. */
static void pack_rows(const struct variant *v, const uint16_t *vals,
                      uint8_t *out, size_t row_bytes)
{
    size_t per_row = (size_t)v->w * channels_of(v->type);
    for (uint32_t y = 0; y < v->h; y++) {
        uint8_t *r = out + (size_t)y * row_bytes;
        const uint16_t *s = vals + (size_t)y * per_row;
        for (size_t i = 0; i < per_row; i++) {
            if (v->depth == 16) {
                r[2 * i] = (uint8_t)(s[i] >> 8);
                r[2 * i + 1] = (uint8_t)s[i];
            } else if (v->depth == 8) {
                r[i] = (uint8_t)s[i];
            } else {
                size_t bit = i * v->depth;
                r[bit / 8] |= (uint8_t)(s[i] << (8 - v->depth - bit % 8));
            }
        }
    }
}

static uint8_t to8(uint16_t v, int depth)
{
    if (depth == 16)
        return (uint8_t)(v >> 8);
    if (depth == 8)
        return (uint8_t)v;
    return (uint8_t)(v * 255u / ((1u << depth) - 1));
}

static void compute_expected(const struct variant *v, const uint16_t key[3],
                             const uint16_t *vals, const struct test_image *img,
                             uint8_t *out)
{
    int ch = channels_of(v->type);
    size_t n = (size_t)v->w * v->h;
    for (size_t i = 0; i < n; i++) {
        const uint16_t *s = vals + i * ch;
        uint8_t *o = out + i * 4;
        bool keyed = v->key;
        for (int c = 0; c < ch && keyed; c++)
            keyed = s[c] == key[c];
        switch (v->type) {
        case GRAY:
        case GA:
            o[0] = o[1] = o[2] = to8(s[0], v->depth);
            o[3] = v->type == GA ? to8(s[1], v->depth) : keyed ? 0 : 255;
            break;
        case RGB:
        case RGBA:
            for (int c = 0; c < 3; c++)
                o[c] = to8(s[c], v->depth);
            o[3] = v->type == RGBA ? to8(s[3], v->depth) : keyed ? 0 : 255;
            break;
        case PAL:
            memcpy(o, img->palette[s[0]], 3);
            o[3] = s[0] < v->num_trans ? img->trans_alpha[s[0]] : 255;
            break;
        }
    }
}

int test_image_make(size_t i, struct test_image *img)
{
    memset(img, 0, sizeof(*img));
    if (i >= COUNT)
        return -ENOENT;
    const struct variant *v = &table[i];
    size_t row = pngw_row_bytes(v->w, v->type, v->depth);
    size_t nvals = (size_t)v->w * v->h * channels_of(v->type);
    uint64_t rng = seed_of(v->name);
    uint16_t key[3] = {0};
    int rc = -ENOMEM;

    uint16_t *vals = malloc(nvals * sizeof(*vals));
    if (!vals)
        goto fail;
    img->samples = calloc(v->h, row);
    if (!img->samples)
        goto fail_vals;
    img->expected_len = (size_t)v->w * v->h * 4;
    img->expected = malloc(img->expected_len);
    if (!img->expected)
        goto fail_samples;

    if (v->key)
        key_of(v, key);
    make_palette(v, img, &rng);
    fill_values(v, key, vals, &rng);
    pack_rows(v, vals, img->samples, row);
    compute_expected(v, key, vals, img, img->expected);
    free(vals);

    img->width = v->w;
    img->height = v->h;
    struct pngw_spec *s = &img->spec;
    pngw_spec_init(s);
    s->width = v->w;
    s->height = v->h;
    s->color_type = v->type;
    s->bit_depth = v->depth;
    s->interlace = v->adam7;
    s->samples = img->samples;
    s->stride = row;
    if (v->type == PAL) {
        s->palette = (const uint8_t(*)[3])img->palette;
        s->palette_len = v->palette_len;
        s->trans_alpha = v->num_trans ? img->trans_alpha : NULL;
        s->num_trans = v->num_trans;
    }
    s->has_trans_key = v->key;
    memcpy(s->trans_key, key, sizeof(key));
    s->gamma = v->gamma;
    if (v->level)
        s->compression_level = v->level - 1;
    if (v->filters)
        s->filters = v->filters;
    return 0;

fail_samples:
    free(img->samples);
    img->samples = NULL;
fail_vals:
    free(vals);
fail:
    return rc;
}

void test_image_free(struct test_image *img)
{
    free(img->samples);
    free(img->expected);
    img->samples = NULL;
    img->expected = NULL;
}
