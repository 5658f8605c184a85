/* Pixel formats: the table, frame layouts, every format through a real
 * segment byte for byte, and every conversion against values this file
 * computes itself from the rules documented at frame_convert() in frame.h.
 */
#include "runner.h"

#include <stdbool.h>
#include <strings.h>

#define ALL_FORMATS 8

static const uint32_t formats[ALL_FORMATS] = {
    FRAME_FORMAT_RGBA8, FRAME_FORMAT_BGRA8,  FRAME_FORMAT_RGB8,
    FRAME_FORMAT_GRAY8, FRAME_FORMAT_GRAY16, FRAME_FORMAT_RGBA16,
    FRAME_FORMAT_I420,  FRAME_FORMAT_NV12,
};

struct size {
    uint32_t w, h;
};

/* Odd and even, the smallest, a lone odd row and column. */
static const struct size sizes[] = {{1, 1},  {2, 2},   {3, 5},
                                    {17, 9}, {64, 48}, {5, 1}};
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

static const uint32_t aligns[] = {1, 4, 64};

/* ---- what this file knows of each format, from frame.h's comments ---- */

static bool is_yuv(uint32_t f)
{
    return f == FRAME_FORMAT_I420 || f == FRAME_FORMAT_NV12;
}

static uint32_t test_planes(uint32_t f)
{
    return f == FRAME_FORMAT_I420 ? 3 : f == FRAME_FORMAT_NV12 ? 2 : 1;
}

/* Bytes of one row of plane p of a w pixels wide frame. */
static uint32_t test_row(uint32_t f, uint32_t p, uint32_t w)
{
    uint32_t half = (w + 1) / 2;
    switch (f) {
    case FRAME_FORMAT_RGBA8:
    case FRAME_FORMAT_BGRA8:
        return w * 4;
    case FRAME_FORMAT_RGB8:
        return w * 3;
    case FRAME_FORMAT_GRAY8:
        return w;
    case FRAME_FORMAT_GRAY16:
        return w * 2;
    case FRAME_FORMAT_RGBA16:
        return w * 8;
    case FRAME_FORMAT_I420:
        return p == 0 ? w : half;
    case FRAME_FORMAT_NV12:
        return p == 0 ? w : 2 * half;
    }
    CHECK(!"unknown format");
    return 0;
}

static uint32_t test_rows(uint32_t f, uint32_t p, uint32_t h)
{
    return is_yuv(f) && p > 0 ? (h + 1) / 2 : h;
}

/* ---- images in plain memory ---------------------------------------- */

static uint32_t rng_state = 12345;

static uint8_t rnd8(void)
{
    /* xorshift32: the same bytes on every run. */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return (uint8_t)(rng_state >> 24);
}

/* An image of format f laid out with stride_align in a malloc'ed buffer
 * (free img->plane[0]); padding bytes hold 0xa5. */
static size_t image_new(struct frame_image *img, uint32_t f, uint32_t w,
                        uint32_t h, uint32_t align)
{
    size_t size = frame_image_layout(NULL, f, w, h, align, NULL);
    CHECK(size > 0);
    uint8_t *base = malloc(size);
    CHECK(base);
    memset(base, 0xa5, size);
    CHECK(frame_image_layout(img, f, w, h, align, base) == size);
    return size;
}

/* Random samples in every row's bytes (the padding is left alone). */
static void image_fill(const struct frame_image *img)
{
    for (uint32_t p = 0; p < test_planes(img->format); p++)
        for (uint32_t y = 0; y < test_rows(img->format, p, img->height); y++)
            for (uint32_t x = 0; x < test_row(img->format, p, img->width); x++)
                img->plane[p][(size_t)y * img->stride[p] + x] = rnd8();
}

/* Whether a and b (same format and size) hold the same samples. */
static bool same_samples(const struct frame_image *a,
                         const struct frame_image *b)
{
    for (uint32_t p = 0; p < test_planes(a->format); p++)
        for (uint32_t y = 0; y < test_rows(a->format, p, a->height); y++)
            if (memcmp(a->plane[p] + (size_t)y * a->stride[p],
                       b->plane[p] + (size_t)y * b->stride[p],
                       test_row(a->format, p, a->width)) != 0) {
                fprintf(stderr, "format %u %ux%u: plane %u row %u differs\n",
                        a->format, a->width, a->height, p, y);
                return false;
            }
    return true;
}

/* Whether every padding byte of img (between a row's end and the stride)
 * still holds 0xa5. */
static bool padding_intact(const struct frame_image *img)
{
    for (uint32_t p = 0; p < test_planes(img->format); p++) {
        uint32_t row = test_row(img->format, p, img->width);
        for (uint32_t y = 0; y < test_rows(img->format, p, img->height); y++)
            for (uint32_t x = row; x < img->stride[p]; x++)
                if (img->plane[p][(size_t)y * img->stride[p] + x] != 0xa5)
                    return false;
    }
    return true;
}

/* ---- the reference conversion --------------------------------------- */

/* Floor division by 256 for any sign, written out rather than a shift. */
static int floor256(int v) { return v >= 0 ? v / 256 : -((-v + 255) / 256); }

static int clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

struct rgba16 {
    uint32_t r, g, b, a;
};

static uint32_t le16(const uint8_t *p) { return p[0] + 256u * p[1]; }

/* Pixel (x, y) of src as 16-bit R, G, B, A. */
static struct rgba16 ref_read(const struct frame_image *s, uint32_t x,
                              uint32_t y)
{
    const uint8_t *row = s->plane[0] + (size_t)y * s->stride[0];
    const uint8_t *p;
    switch (s->format) {
    case FRAME_FORMAT_RGBA8:
        p = row + 4 * x;
        return (struct rgba16){p[0] * 257u, p[1] * 257u, p[2] * 257u,
                               p[3] * 257u};
    case FRAME_FORMAT_BGRA8:
        p = row + 4 * x;
        return (struct rgba16){p[2] * 257u, p[1] * 257u, p[0] * 257u,
                               p[3] * 257u};
    case FRAME_FORMAT_RGB8:
        p = row + 3 * x;
        return (struct rgba16){p[0] * 257u, p[1] * 257u, p[2] * 257u, 65535};
    case FRAME_FORMAT_GRAY8:
        return (struct rgba16){row[x] * 257u, row[x] * 257u, row[x] * 257u,
                               65535};
    case FRAME_FORMAT_GRAY16: {
        uint32_t g = le16(row + 2 * x);
        return (struct rgba16){g, g, g, 65535};
    }
    case FRAME_FORMAT_RGBA16:
        p = row + 8 * x;
        return (struct rgba16){le16(p), le16(p + 2), le16(p + 4), le16(p + 6)};
    }
    /* YUV: the chroma sample of the pixel's 2x2 block. */
    int Y = row[x], U, V;
    const uint8_t *c = s->plane[1] + (size_t)(y / 2) * s->stride[1];
    if (s->format == FRAME_FORMAT_NV12) {
        U = c[2 * (x / 2)];
        V = c[2 * (x / 2) + 1];
    } else {
        U = c[x / 2];
        V = s->plane[2][(size_t)(y / 2) * s->stride[2] + x / 2];
    }
    int C = Y - 16, D = U - 128, E = V - 128;
    uint32_t r = (uint32_t)clamp255(floor256(298 * C + 409 * E + 128));
    uint32_t g =
        (uint32_t)clamp255(floor256(298 * C - 100 * D - 208 * E + 128));
    uint32_t b = (uint32_t)clamp255(floor256(298 * C + 516 * D + 128));
    return (struct rgba16){r * 257, g * 257, b * 257, 65535};
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xff);
    p[1] = (uint8_t)(v >> 8);
}

/* Grey at 8 bits from 8-bit R, G, B (16-bit ones reduced to their high
 * byte first), at 16 bits from 16-bit ones. */
static uint32_t grey8(struct rgba16 c)
{
    return (77 * (c.r >> 8) + 150 * (c.g >> 8) + 29 * (c.b >> 8) + 128) / 256;
}

static uint32_t grey16(struct rgba16 c)
{
    return (77 * c.r + 150 * c.g + 29 * c.b + 128) / 256;
}

static uint8_t ref_y(int r, int g, int b)
{
    return (uint8_t)(floor256(66 * r + 129 * g + 25 * b + 128) + 16);
}

static uint8_t ref_u(int r, int g, int b)
{
    return (uint8_t)(floor256(-38 * r - 74 * g + 112 * b + 128) + 128);
}

static uint8_t ref_v(int r, int g, int b)
{
    return (uint8_t)(floor256(112 * r - 94 * g - 18 * b + 128) + 128);
}

/* What converting src into an image of dst's format must give, written
 * into dst (same size; dst's own layout). */
static void ref_convert(const struct frame_image *d,
                        const struct frame_image *s)
{
    uint32_t w = s->width, h = s->height;
    if (d->format == s->format || (is_yuv(d->format) && is_yuv(s->format))) {
        /* Samples kept: luma row for row, chroma moved between planes. */
        for (uint32_t y = 0; y < h; y++)
            memcpy(d->plane[0] + (size_t)y * d->stride[0],
                   s->plane[0] + (size_t)y * s->stride[0],
                   test_row(s->format, 0, w));
        if (d->format == s->format) {
            for (uint32_t p = 1; p < test_planes(s->format); p++)
                for (uint32_t y = 0; y < test_rows(s->format, p, h); y++)
                    memcpy(d->plane[p] + (size_t)y * d->stride[p],
                           s->plane[p] + (size_t)y * s->stride[p],
                           test_row(s->format, p, w));
            return;
        }
        for (uint32_t y = 0; y < (h + 1) / 2; y++)
            for (uint32_t x = 0; x < (w + 1) / 2; x++) {
                uint8_t *u, *v;
                const uint8_t *su, *sv;
                if (s->format == FRAME_FORMAT_NV12) {
                    su = s->plane[1] + y * s->stride[1] + 2 * x;
                    sv = su + 1;
                    u = d->plane[1] + y * d->stride[1] + x;
                    v = d->plane[2] + y * d->stride[2] + x;
                } else {
                    su = s->plane[1] + y * s->stride[1] + x;
                    sv = s->plane[2] + y * s->stride[2] + x;
                    u = d->plane[1] + y * d->stride[1] + 2 * x;
                    v = u + 1;
                }
                *u = *su;
                *v = *sv;
            }
        return;
    }
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *row = d->plane[0] + (size_t)y * d->stride[0];
        for (uint32_t x = 0; x < w; x++) {
            struct rgba16 c = ref_read(s, x, y);
            switch (d->format) {
            case FRAME_FORMAT_RGBA8:
                row[4 * x] = (uint8_t)(c.r >> 8);
                row[4 * x + 1] = (uint8_t)(c.g >> 8);
                row[4 * x + 2] = (uint8_t)(c.b >> 8);
                row[4 * x + 3] = (uint8_t)(c.a >> 8);
                break;
            case FRAME_FORMAT_BGRA8:
                row[4 * x] = (uint8_t)(c.b >> 8);
                row[4 * x + 1] = (uint8_t)(c.g >> 8);
                row[4 * x + 2] = (uint8_t)(c.r >> 8);
                row[4 * x + 3] = (uint8_t)(c.a >> 8);
                break;
            case FRAME_FORMAT_RGB8:
                row[3 * x] = (uint8_t)(c.r >> 8);
                row[3 * x + 1] = (uint8_t)(c.g >> 8);
                row[3 * x + 2] = (uint8_t)(c.b >> 8);
                break;
            case FRAME_FORMAT_GRAY8:
                row[x] = (uint8_t)grey8(c);
                break;
            case FRAME_FORMAT_GRAY16:
                put16(row + 2 * x, grey16(c));
                break;
            case FRAME_FORMAT_RGBA16:
                put16(row + 8 * x, c.r);
                put16(row + 8 * x + 2, c.g);
                put16(row + 8 * x + 4, c.b);
                put16(row + 8 * x + 6, c.a);
                break;
            default: /* YUV: luma per pixel, chroma below */
                row[x] =
                    ref_y((int)(c.r >> 8), (int)(c.g >> 8), (int)(c.b >> 8));
            }
        }
    }
    if (!is_yuv(d->format))
        return;
    for (uint32_t by = 0; by < (h + 1) / 2; by++)
        for (uint32_t bx = 0; bx < (w + 1) / 2; bx++) {
            /* The rounded mean of the block's pixels that exist. */
            int n = 0, r = 0, g = 0, b = 0;
            for (uint32_t y = 2 * by; y < 2 * by + 2 && y < h; y++)
                for (uint32_t x = 2 * bx; x < 2 * bx + 2 && x < w; x++) {
                    struct rgba16 c = ref_read(s, x, y);
                    r += (int)(c.r >> 8);
                    g += (int)(c.g >> 8);
                    b += (int)(c.b >> 8);
                    n++;
                }
            r = (2 * r + n) / (2 * n);
            g = (2 * g + n) / (2 * n);
            b = (2 * b + n) / (2 * n);
            uint8_t *u, *v;
            if (d->format == FRAME_FORMAT_NV12) {
                u = d->plane[1] + by * d->stride[1] + 2 * bx;
                v = u + 1;
            } else {
                u = d->plane[1] + by * d->stride[1] + bx;
                v = d->plane[2] + by * d->stride[2] + bx;
            }
            *u = ref_u(r, g, b);
            *v = ref_v(r, g, b);
        }
}

/* The reference's own formulas at known points of BT.601 limited range,
 * so a wrong reference cannot agree with a wrong library. */
static void reference_anchors(void)
{
    CHECK(ref_y(0, 0, 0) == 16 && ref_y(255, 255, 255) == 235);
    CHECK(ref_u(0, 0, 0) == 128 && ref_v(255, 255, 255) == 128);
    CHECK(ref_y(255, 0, 0) == 82 && ref_u(255, 0, 0) == 90 &&
          ref_v(255, 0, 0) == 240);
    CHECK(ref_y(0, 0, 255) == 41 && ref_u(0, 0, 255) == 240 &&
          ref_v(0, 0, 255) == 110);
    uint8_t yuv[3] = {235, 128, 128}, uv[2] = {128, 128};
    struct frame_image white = {FRAME_FORMAT_NV12, 1, 1, 2, {yuv, uv}, {1, 2}};
    struct rgba16 c = ref_read(&white, 0, 0);
    CHECK(c.r == 65535 && c.g == 65535 && c.b == 65535);
    yuv[0] = 16;
    c = ref_read(&white, 0, 0);
    CHECK(c.r == 0 && c.g == 0 && c.b == 0);
    struct rgba16 grey = {128 * 257, 128 * 257, 128 * 257, 65535};
    CHECK(grey8(grey) == 128 && grey16(grey) == 128 * 257);
}

/* ---- the table -------------------------------------------------------- */

struct expect_row {
    uint32_t format;
    const char *name, *short_name, *ffmpeg;
    uint32_t planes, bps, channels;
    bool alpha, yuv;
};

static const struct expect_row expected[ALL_FORMATS] = {
    {FRAME_FORMAT_RGBA8, "RGBA", "rgba8", "rgba", 1, 1, 4, true, false},
    {FRAME_FORMAT_BGRA8, "BGRA", "bgra8", "bgra", 1, 1, 4, true, false},
    {FRAME_FORMAT_RGB8, "RGB", "rgb8", "rgb24", 1, 1, 3, false, false},
    {FRAME_FORMAT_GRAY8, "GRAY8", "gray8", "gray", 1, 1, 1, false, false},
    {FRAME_FORMAT_GRAY16, "GRAY16_LE", "gray16", "gray16le", 1, 2, 1, false,
     false},
    {FRAME_FORMAT_RGBA16, "RGBA64_LE", "rgba16", "rgba64le", 1, 2, 4, true,
     false},
    {FRAME_FORMAT_I420, "I420", "i420", "yuv420p", 3, 1, 3, false, true},
    {FRAME_FORMAT_NV12, "NV12", "nv12", "nv12", 2, 1, 3, false, true},
};

/* name with its letters' case changed: all upper, all lower, or alternating
 * starting with upper. */
static void recase(char *out, const char *name, int how)
{
    size_t i = 0;
    for (; name[i]; i++) {
        char c = name[i];
        bool up = how == 0 || (how == 2 && i % 2 == 0);
        out[i] = (char)(up ? (c >= 'a' && c <= 'z' ? c - 32 : c)
                           : (c >= 'A' && c <= 'Z' ? c + 32 : c));
    }
    out[i] = 0;
}

static void table(void)
{
    CHECK(frame_format_desc(0) == NULL);
    CHECK(frame_format_desc(FRAME_FORMAT_MAX + 1) == NULL);
    CHECK(frame_format_desc(0xffffffffu) == NULL);
    CHECK(FRAME_FORMAT_MAX == ALL_FORMATS);
    const char *all[3 * ALL_FORMATS];
    for (uint32_t i = 0; i < ALL_FORMATS; i++) {
        const struct expect_row *e = &expected[i];
        const struct frame_format_desc *d = frame_format_desc(e->format);
        CHECK(d && d->format == e->format);
        CHECK(strcmp(d->name, e->name) == 0);
        CHECK(strcmp(d->short_name, e->short_name) == 0);
        CHECK(strcmp(d->ffmpeg, e->ffmpeg) == 0);
        CHECK(d->plane_count == e->planes &&
              d->plane_count == test_planes(e->format));
        CHECK(d->bytes_per_sample == e->bps && d->channels == e->channels);
        CHECK(d->has_alpha == e->alpha && d->is_yuv == e->yuv);
        CHECK(strcmp(d->numpy_dtype, e->bps == 2 ? "<u2" : "uint8") == 0);
        CHECK(strcmp(d->buffer_format, e->bps == 2 ? "<H" : "B") == 0);
        /* Planes as the layout comment describes them, none beyond. */
        uint32_t samples = 0;
        for (uint32_t p = 0; p < FRAME_MAX_PLANES; p++) {
            if (p >= d->plane_count) {
                CHECK(d->plane[p].samples == 0 && d->plane[p].x_shift == 0 &&
                      d->plane[p].y_shift == 0);
                continue;
            }
            uint32_t sub = e->yuv && p > 0;
            CHECK(d->plane[p].x_shift == sub && d->plane[p].y_shift == sub);
            /* A row of a 2 pixels wide frame, from the table's words. */
            CHECK((2u >> sub) * d->plane[p].samples * d->bytes_per_sample ==
                  test_row(e->format, p, 2));
            samples += d->plane[p].samples;
        }
        CHECK(samples == d->channels);
        all[3 * i] = d->name;
        all[3 * i + 1] = d->short_name;
        all[3 * i + 2] = d->ffmpeg;

        /* Each name finds its format in any case. */
        for (int n = 0; n < 3; n++) {
            char buf[32];
            for (int how = 0; how < 3; how++) {
                recase(buf, all[3 * i + n], how);
                CHECK(frame_format_lookup(buf) == e->format);
            }
        }
    }
    /* Names unique across the table (a short name of one format may equal
     * the ffmpeg name of the same one: nv12). */
    for (uint32_t a = 0; a < 3 * ALL_FORMATS; a++)
        for (uint32_t b = 0; b < a; b++)
            CHECK(a / 3 == b / 3 || strcasecmp(all[a], all[b]) != 0);
    CHECK(frame_format_lookup(NULL) == 0);
    CHECK(frame_format_lookup("") == 0);
    CHECK(frame_format_lookup("rgba9") == 0);
    CHECK(frame_format_lookup("RGBA ") == 0);
    CHECK(frame_format_lookup("gray16be") == 0);
}

/* ---- layouts ------------------------------------------------------------ */

static uint32_t round_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

/* img is what this file expects of format f at w x h laid out from base
 * with stride_align align; returns its size. */
static size_t expect_layout(struct frame_image *img, uint32_t f, uint32_t w,
                            uint32_t h, uint32_t align, uint8_t *base)
{
    memset(img, 0, sizeof(*img));
    img->format = f;
    img->width = w;
    img->height = h;
    img->plane_count = test_planes(f);
    size_t at = 0;
    for (uint32_t p = 0; p < img->plane_count; p++) {
        img->stride[p] = round_up(test_row(f, p, w), align ? align : 1);
        img->plane[p] = base ? base + at : NULL;
        at += (size_t)img->stride[p] * test_rows(f, p, h);
    }
    return at;
}

static bool same_layout(const struct frame_image *a,
                        const struct frame_image *b)
{
    return memcmp(a, b, sizeof(*a)) == 0;
}

static void layout(void)
{
    /* The sizes that matter, spelled out. */
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_I420, 3, 3, 1, NULL) ==
          9 + 4 + 4);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_NV12, 3, 3, 1, NULL) ==
          9 + 2 * 4);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_NV12, 5, 3, 1, NULL) ==
          15 + 2 * 6);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_I420, 1, 1, 1, NULL) == 3);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_I420, 1, 1, 64, NULL) ==
          3 * 64);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_RGB8, 3, 5, 4, NULL) == 12 * 5);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_RGB8, 3, 5, 0, NULL) == 9 * 5);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_GRAY16, 3, 1, 64, NULL) == 64);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_RGBA16, 17, 9, 1, NULL) ==
          17 * 8 * 9);
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_RGBA8, 1920, 1080, 1, NULL) ==
          frame_buffer_size(1920, 1080));
    /* A stride_align that is no power of two still divides every stride. */
    struct frame_image img;
    CHECK(frame_image_layout(&img, FRAME_FORMAT_I420, 7, 3, 3, NULL) ==
          9 * 3 + 6 * 2 * 2);
    CHECK(img.stride[0] == 9 && img.stride[1] == 6 && img.stride[2] == 6);

    /* Every format, size and alignment against this file's own layout. */
    static uint8_t base[64 * 48 * 8 + 4096];
    for (uint32_t i = 0; i < ALL_FORMATS; i++)
        for (size_t s = 0; s < N_SIZES; s++)
            for (uint32_t a = 0; a <= 64; a = a ? a * 4 : 1) {
                uint32_t f = formats[i], w = sizes[s].w, h = sizes[s].h;
                struct frame_image want, got;
                size_t n = expect_layout(&want, f, w, h, a, base);
                memset(&got, 0x5a, sizeof(got));
                CHECK(frame_image_layout(&got, f, w, h, a, base) == n);
                CHECK(same_layout(&got, &want));
                expect_layout(&want, f, w, h, a, NULL);
                CHECK(frame_image_layout(&got, f, w, h, a, NULL) == n);
                CHECK(same_layout(&got, &want));
            }

    /* Refusals leave img alone. */
    memset(&img, 0x5a, sizeof(img));
    struct frame_image untouched = img;
    CHECK(frame_image_layout(&img, 0, 4, 4, 1, NULL) == 0);
    CHECK(frame_image_layout(&img, FRAME_FORMAT_MAX + 1, 4, 4, 1, NULL) == 0);
    CHECK(frame_image_layout(&img, FRAME_FORMAT_GRAY8, 0, 4, 1, NULL) == 0);
    CHECK(frame_image_layout(&img, FRAME_FORMAT_GRAY8, 4, 0, 1, NULL) == 0);
    CHECK(frame_image_layout(&img, FRAME_FORMAT_GRAY8, FRAME_MAX_DIM + 1, 4, 1,
                             NULL) == 0);
    CHECK(frame_image_layout(&img, FRAME_FORMAT_GRAY8, 4, 4, 4097, NULL) == 0);
    CHECK(same_layout(&img, &untouched));
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_GRAY8, 4, 4, 4096, NULL) ==
          4 * 4096);
    /* The largest frame of the largest format: 8 GiB, no overflow. */
    CHECK(frame_image_layout(NULL, FRAME_FORMAT_RGBA16, FRAME_MAX_DIM,
                             FRAME_MAX_DIM, 4096, NULL) ==
          (size_t)FRAME_MAX_DIM * 8 * FRAME_MAX_DIM);
}

/* ---- through a segment -------------------------------------------------- */

static frame_writer *make_writer(const char *name, uint32_t w, uint32_t h,
                                 uint32_t pixel_format)
{
    struct frame_format fmt = {
        .max_width = w, .max_height = h, .pixel_format = pixel_format};
    frame_writer *wr = NULL;
    CHECK_RC(frame_writer_create(name, &fmt, &wr, NULL), 0);
    return wr;
}

/* The view's planes, as offsets from plane 0, and strides equal what
 * frame_image_layout() gives for the same format, size and alignment. */
static bool view_is_layout(const struct frame_image *v, uint32_t align)
{
    struct frame_image want;
    expect_layout(&want, v->format, v->width, v->height, align,
                  (uint8_t *)v->plane[0]);
    return same_layout(v, &want);
}

/* Begin a frame of format f, fill it with random samples and publish it;
 * src receives a private copy of it (free src->plane[0]). */
static void publish_random(frame_writer *w, uint32_t f, uint32_t width,
                           uint32_t height, uint32_t align,
                           struct frame_image *src)
{
    struct frame_buffer b;
    CHECK_RC(frame_writer_begin_format(w, f, width, height, align, &b), 0);
    CHECK(b.image.format == f && b.width == width && b.height == height);
    CHECK((uintptr_t)b.pixels % 64 == 0 && b.pixels == b.image.plane[0]);
    CHECK(b.stride == b.image.stride[0]);
    CHECK(view_is_layout(&b.image, align));
    image_new(src, f, width, height, 1);
    image_fill(src);
    CHECK_RC(frame_convert(&b.image, src), 0);
    CHECK(same_samples(&b.image, src));
    CHECK_RC(frame_writer_commit(w, 0, f), 0);
}

/* Every format written and read back, in place and copied, at every size
 * and row alignment. */
static void round_trip(void)
{
    const char *name = test_name("rt");
    /* Sized for the largest format, so every other one fits too. */
    frame_writer *w = make_writer(name, 64, 48, FRAME_FORMAT_RGBA16);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    int frames = 0;
    for (uint32_t i = 0; i < ALL_FORMATS; i++)
        for (size_t s = 0; s < N_SIZES; s++)
            for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++) {
                uint32_t f = formats[i], wd = sizes[s].w, ht = sizes[s].h;
                struct frame_image src;
                publish_random(w, f, wd, ht, aligns[a], &src);
                frames++;

                struct frame_view v;
                CHECK_RC(frame_reader_acquire(r, &v), 0);
                CHECK(v.format == f && v.width == wd && v.height == ht);
                CHECK(v.frame_no == (uint64_t)frames && v.source_index == f);
                CHECK(v.image.format == f && v.image.width == wd &&
                      v.image.height == ht);
                CHECK(v.pixels == v.image.plane[0] &&
                      v.stride == v.image.stride[0]);
                CHECK(view_is_layout(&v.image, aligns[a]));
                CHECK(same_samples(&v.image, &src));
                CHECK(frame_reader_still_valid(r, &v));

                /* Copies in the frame's own format, at another alignment
                 * than the writer's; 0 and the format's value alike. */
                uint32_t own[2] = {0, f}, calign[2] = {1, 64};
                for (int k = 0; k < 2; k++) {
                    struct frame_image dst;
                    size_t size = image_new(&dst, f, wd, ht, calign[k]);
                    struct frame_view cv;
                    CHECK_RC(frame_reader_copy_format(r, own[k], dst.plane[0],
                                                      size, calign[k], &cv),
                             0);
                    CHECK(cv.format == f && cv.width == wd && cv.height == ht);
                    CHECK(cv.pixels == NULL && cv.image.plane[0] == NULL);
                    CHECK(same_samples(&dst, &src) && padding_intact(&dst));
                    /* One byte short: refused, with the size to allocate. */
                    memset(&cv, 0, sizeof(cv));
                    CHECK_RC(frame_reader_copy_format(r, own[k], dst.plane[0],
                                                      size - 1, calign[k], &cv),
                             -ENOSPC);
                    CHECK(cv.width == wd && cv.height == ht && cv.format == f);
                    free(dst.plane[0]);
                }
                free(src.plane[0]);
            }
    struct frame_info info;
    CHECK_RC(frame_reader_info(r, &info), 0);
    CHECK(info.pixel_format == FRAME_FORMAT_RGBA16);
    CHECK(info.latest_format == FRAME_FORMAT_NV12);
    frame_reader_close(r);
    frame_writer_destroy(w);
}

/* frame_writer_begin_format()'s refusals. */
static void begin_refusals(void)
{
    const char *name = test_name("begin");
    frame_writer *w = make_writer(name, 16, 16, FRAME_FORMAT_GRAY8);
    struct frame_buffer b;
    CHECK_RC(frame_writer_begin_format(w, 0, 16, 16, 1, &b), -EINVAL);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_MAX + 1, 16, 16, 1, &b),
             -EINVAL);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_GRAY8, 0, 16, 1, &b),
             -EINVAL);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_GRAY8, 16, 16, 4097, &b),
             -EINVAL);
    /* 16x16 GRAY8 takes one page: a 64x64 one does not fit, 64x63 does. */
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_GRAY8, 64, 65, 1, &b),
             -EFBIG);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_GRAY8, 64, 64, 1, &b),
             0);
    CHECK_RC(frame_writer_abort(w), 0);
    /* Alignment counts: 4096 bytes a row, one row fits and two do not. */
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_GRAY8, 1, 2, 4096, &b),
             -EFBIG);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_GRAY8, 1, 1, 4096, &b),
             0);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_GRAY8, 1, 1, 1, &b),
             -EINVAL); /* one already begun */
    CHECK_RC(frame_writer_abort(w), 0);
    frame_writer_destroy(w);
}

/* A segment sized for RGBA16 takes a 16-bit frame of its largest size; one
 * sized for RGBA8 (the default) refuses that frame. */
static void sized_for_16bit(void)
{
    const char *name = test_name("s16");
    struct frame_buffer b;
    frame_writer *w = make_writer(name, 64, 48, FRAME_FORMAT_RGBA16);
    struct frame_info info;
    frame_writer_info(w, &info);
    CHECK(info.pixel_format == FRAME_FORMAT_RGBA16);
    CHECK(info.slot_capacity >= 64 * 48 * 8);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_RGBA16, 64, 48, 1, &b),
             0);
    CHECK_RC(frame_writer_commit(w, 0, 0), 0);
    frame_writer_destroy(w);

    w = make_writer(name, 64, 48, 0);
    frame_writer_info(w, &info);
    CHECK(info.pixel_format == FRAME_FORMAT_RGBA8);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_RGBA16, 64, 48, 1, &b),
             -EFBIG);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_RGBA8, 64, 48, 1, &b),
             0);
    CHECK_RC(frame_writer_abort(w), 0);
    frame_writer_destroy(w);

    /* An unknown sizing format is no segment at all. */
    struct frame_format bad = {
        .max_width = 8, .max_height = 8, .pixel_format = FRAME_FORMAT_MAX + 1};
    CHECK_RC(frame_writer_create(name, &bad, &w, NULL), -EINVAL);
}

/* ---- conversions ----------------------------------------------------------
 */

/* Convert src into a new image of format f (padded rows, sentinels in the
 * padding) and check it against the reference. */
static void check_convert(const struct frame_image *src, uint32_t f,
                          uint32_t align)
{
    struct frame_image got, want;
    image_new(&got, f, src->width, src->height, align);
    image_new(&want, f, src->width, src->height, 1);
    CHECK_RC(frame_convert(&got, src), 0);
    ref_convert(&want, src);
    if (!same_samples(&got, &want)) {
        fprintf(stderr, "converting format %u to %u at %ux%u\n", src->format, f,
                src->width, src->height);
        CHECK(!"conversion differs from the reference");
    }
    CHECK(padding_intact(&got));
    free(got.plane[0]);
    free(want.plane[0]);
}

/* Every (src, dst) pair over random images, odd and even sizes, tight
 * and padded rows on both sides. */
static void convert_all_pairs(void)
{
    reference_anchors();
    for (size_t s = 0; s < N_SIZES; s++)
        for (uint32_t i = 0; i < ALL_FORMATS; i++)
            for (uint32_t sa = 1; sa <= 64; sa *= 64) {
                struct frame_image src;
                image_new(&src, formats[i], sizes[s].w, sizes[s].h, sa);
                image_fill(&src);
                for (uint32_t j = 0; j < ALL_FORMATS; j++) {
                    check_convert(&src, formats[j], 1);
                    check_convert(&src, formats[j], 4);
                }
                free(src.plane[0]);
            }
}

/* Colours chosen where the rules are easiest to get wrong: the extremes,
 * sums that round at exactly one half, and every channel alone. */
static void convert_edges(void)
{
    static const uint8_t px[][4] = {
        {0, 0, 0, 0},       {255, 255, 255, 255}, {255, 0, 0, 1},
        {0, 255, 0, 128},   {0, 0, 255, 254},     {1, 0, 0, 255},
        {0, 1, 0, 255},     {0, 0, 1, 255},       {128, 128, 128, 127},
        {2, 1, 0, 255},     {3, 0, 2, 255},       {254, 255, 253, 0},
        {16, 235, 240, 77}, {200, 17, 99, 150},   {1, 1, 2, 29},
    };
    uint32_t n = sizeof(px) / sizeof(px[0]);
    /* As a row, as a column, and as a 3x5 block (odd in both). */
    struct size shapes[] = {{n, 1}, {1, n}, {3, 5}};
    for (size_t k = 0; k < 3; k++) {
        struct frame_image src;
        image_new(&src, FRAME_FORMAT_RGBA8, shapes[k].w, shapes[k].h, 1);
        for (uint32_t i = 0; i < n; i++)
            memcpy(src.plane[0] + 4 * i, px[i], 4);
        for (uint32_t j = 0; j < ALL_FORMATS; j++) {
            check_convert(&src, formats[j], 1);
            /* And from that format to every other. */
            struct frame_image mid;
            image_new(&mid, formats[j], src.width, src.height, 1);
            CHECK_RC(frame_convert(&mid, &src), 0);
            for (uint32_t m = 0; m < ALL_FORMATS; m++)
                check_convert(&mid, formats[m], 64);
            free(mid.plane[0]);
        }
        free(src.plane[0]);
    }
    /* Grey stays grey: R = G = B = Y, and back to the same Y. */
    struct frame_image g8, rgb, g16, back;
    image_new(&g8, FRAME_FORMAT_GRAY8, 256, 1, 1);
    image_new(&rgb, FRAME_FORMAT_RGB8, 256, 1, 1);
    image_new(&g16, FRAME_FORMAT_GRAY16, 256, 1, 1);
    image_new(&back, FRAME_FORMAT_GRAY8, 256, 1, 1);
    for (uint32_t x = 0; x < 256; x++)
        g8.plane[0][x] = (uint8_t)x;
    CHECK_RC(frame_convert(&rgb, &g8), 0);
    CHECK_RC(frame_convert(&g16, &g8), 0);
    for (uint32_t x = 0; x < 256; x++) {
        CHECK(rgb.plane[0][3 * x] == x && rgb.plane[0][3 * x + 1] == x &&
              rgb.plane[0][3 * x + 2] == x);
        CHECK(le16(g16.plane[0] + 2 * x) == x * 257);
    }
    CHECK_RC(frame_convert(&back, &rgb), 0);
    CHECK(memcmp(back.plane[0], g8.plane[0], 256) == 0);
    CHECK_RC(frame_convert(&back, &g16), 0);
    CHECK(memcmp(back.plane[0], g8.plane[0], 256) == 0);
    free(g8.plane[0]);
    free(rgb.plane[0]);
    free(g16.plane[0]);
    free(back.plane[0]);
}

static void convert_refusals(void)
{
    struct frame_image a, b;
    image_new(&a, FRAME_FORMAT_RGBA8, 4, 4, 1);
    image_new(&b, FRAME_FORMAT_I420, 4, 4, 1);
    CHECK_RC(frame_convert(&b, &a), 0);
    CHECK_RC(frame_convert(NULL, &a), -EINVAL);
    CHECK_RC(frame_convert(&b, NULL), -EINVAL);
    struct frame_image bad = b;
    bad.width = 3;
    CHECK_RC(frame_convert(&bad, &a), -EINVAL);
    bad = b;
    bad.format = 0;
    CHECK_RC(frame_convert(&bad, &a), -EINVAL);
    bad.format = FRAME_FORMAT_MAX + 1;
    CHECK_RC(frame_convert(&bad, &a), -EINVAL);
    bad = b;
    bad.plane[2] = NULL;
    CHECK_RC(frame_convert(&bad, &a), -EINVAL);
    bad = b;
    bad.stride[1] = 1; /* a chroma row of 4 pixels is 2 bytes */
    CHECK_RC(frame_convert(&bad, &a), -EINVAL);
    bad = a;
    bad.stride[0] = 15;
    CHECK_RC(frame_convert(&b, &bad), -EINVAL);
    bad = a;
    bad.width = bad.height = 0;
    struct frame_image bad2 = b;
    bad2.width = bad2.height = 0;
    CHECK_RC(frame_convert(&bad2, &bad), -EINVAL);
    free(a.plane[0]);
    free(b.plane[0]);
}

/* Through a segment: frame_reader_copy_format() to every format and
 * frame_reader_copy() (the 0.1 API, always RGBA8) give the reference. */
static void copy_converts(void)
{
    const char *name = test_name("cc");
    frame_writer *w = make_writer(name, 64, 48, FRAME_FORMAT_RGBA16);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    for (size_t s = 0; s < N_SIZES; s++)
        for (uint32_t i = 0; i < ALL_FORMATS; i++) {
            uint32_t wd = sizes[s].w, ht = sizes[s].h;
            struct frame_image src;
            publish_random(w, formats[i], wd, ht, 4, &src);
            for (uint32_t j = 0; j < ALL_FORMATS; j++) {
                struct frame_image got, want;
                size_t size = image_new(&got, formats[j], wd, ht, 64);
                image_new(&want, formats[j], wd, ht, 1);
                ref_convert(&want, &src);
                struct frame_view v;
                CHECK_RC(frame_reader_copy_format(r, formats[j], got.plane[0],
                                                  size, 64, &v),
                         0);
                CHECK(v.format == formats[i] && v.width == wd);
                CHECK(same_samples(&got, &want) && padding_intact(&got));
                CHECK_RC(frame_reader_copy_format(r, formats[j], got.plane[0],
                                                  size - 1, 64, &v),
                         -ENOSPC);
                CHECK(v.width == wd && v.height == ht &&
                      v.format == formats[i]);
                free(got.plane[0]);
                free(want.plane[0]);
            }
            /* The 0.1 call: RGBA8 whatever the frame's format, packed or
             * at the caller's stride. */
            struct frame_image want;
            image_new(&want, FRAME_FORMAT_RGBA8, wd, ht, 1);
            ref_convert(&want, &src);
            size_t packed = (size_t)wd * 4 * ht, stride = wd * 4 + 12;
            uint8_t *dst = malloc(stride * ht);
            CHECK(dst);
            struct frame_view v;
            CHECK_RC(frame_reader_copy(r, dst, 0, packed - 1, &v), -ENOSPC);
            CHECK_RC(frame_reader_copy(r, dst, 0, packed, &v), 0);
            CHECK(v.format == formats[i]);
            CHECK(memcmp(dst, want.plane[0], packed) == 0);
            memset(dst, 0xa5, stride * ht);
            CHECK_RC(frame_reader_copy(r, dst, stride, stride * ht, &v), 0);
            struct frame_image got = want;
            got.plane[0] = dst;
            got.stride[0] = (uint32_t)stride;
            CHECK(same_samples(&got, &want) && padding_intact(&got));
            free(dst);
            free(want.plane[0]);
            free(src.plane[0]);
        }
    struct frame_view v;
    uint8_t one[4];
    CHECK_RC(frame_reader_copy_format(r, FRAME_FORMAT_MAX + 1, one, 4, 1, &v),
             -EINVAL);
    CHECK_RC(frame_reader_copy_format(r, 0, one, 4, 4097, &v), -EINVAL);
    frame_reader_close(r);
    frame_writer_destroy(w);
}

/* 16-bit samples: GRAY16 to GRAY8 by the high byte, and values that differ
 * only in their low byte stay different through copies of their own
 * format and between the 16-bit formats. */
static void sixteen_bits(void)
{
    static const uint16_t vals[] = {0x0000, 0x00ff, 0x1200, 0x1234, 0x12ff,
                                    0x7f80, 0x8000, 0x80ff, 0xff00, 0xffff};
    uint32_t n = sizeof(vals) / sizeof(vals[0]);
    const char *name = test_name("16");
    frame_writer *w = make_writer(name, 16, 4, FRAME_FORMAT_RGBA16);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);

    struct frame_buffer b;
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_GRAY16, n, 1, 64, &b),
             0);
    for (uint32_t x = 0; x < n; x++)
        put16(b.pixels + 2 * x, vals[x]);
    CHECK_RC(frame_writer_commit(w, 0, 0), 0);
    uint8_t g8[16], g16[32], rgba16[16 * 8], rgba8[16 * 4];
    struct frame_view v;
    CHECK_RC(frame_reader_copy_format(r, FRAME_FORMAT_GRAY8, g8, n, 1, &v), 0);
    CHECK_RC(frame_reader_copy_format(r, 0, g16, 2 * n, 1, &v), 0);
    CHECK_RC(
        frame_reader_copy_format(r, FRAME_FORMAT_RGBA16, rgba16, 8 * n, 1, &v),
        0);
    CHECK_RC(frame_reader_copy(r, rgba8, 0, 4 * n, &v), 0);
    for (uint32_t x = 0; x < n; x++) {
        CHECK(g8[x] == vals[x] >> 8);
        CHECK(le16(g16 + 2 * x) == vals[x]);
        for (int c = 0; c < 3; c++) {
            CHECK(le16(rgba16 + 8 * x + 2 * c) == vals[x]);
            CHECK(rgba8[4 * x + c] == vals[x] >> 8);
        }
        CHECK(le16(rgba16 + 8 * x + 6) == 0xffff && rgba8[4 * x + 3] == 255);
    }

    /* RGBA16 with the same values in every channel, and back to GRAY16. */
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_RGBA16, n, 1, 1, &b), 0);
    for (uint32_t x = 0; x < n; x++)
        for (int c = 0; c < 4; c++)
            put16(b.pixels + 8 * x + 2 * c, vals[(x + (uint32_t)c) % n]);
    CHECK_RC(frame_writer_commit(w, 0, 0), 0);
    CHECK_RC(frame_reader_copy_format(r, 0, rgba16, 8 * n, 1, &v), 0);
    for (uint32_t x = 0; x < n; x++)
        for (uint32_t c = 0; c < 4; c++)
            CHECK(le16(rgba16 + 8 * x + 2 * c) == vals[(x + c) % n]);
    CHECK_RC(frame_writer_begin_format(w, FRAME_FORMAT_RGBA16, n, 1, 1, &b), 0);
    for (uint32_t x = 0; x < n; x++)
        for (int c = 0; c < 4; c++)
            put16(b.pixels + 8 * x + 2 * c, vals[x]);
    CHECK_RC(frame_writer_commit(w, 0, 0), 0);
    CHECK_RC(
        frame_reader_copy_format(r, FRAME_FORMAT_GRAY16, g16, 2 * n, 1, &v), 0);
    for (uint32_t x = 0; x < n; x++)
        CHECK(le16(g16 + 2 * x) == vals[x]);
    frame_reader_close(r);
    frame_writer_destroy(w);
}

TEST_MAIN(CASE(table), CASE(layout), CASE(round_trip), CASE(begin_refusals),
          CASE(sized_for_16bit), CASE(convert_all_pairs), CASE(convert_edges),
          CASE(convert_refusals), CASE(copy_converts), CASE(sixteen_bits))
