/* Conversion between the formats of the table, in one place: the copy
 * path of readers, the producer and the viewer's snapshots all use it.
 * The rules are in frame.h at frame_convert() and in docs/design.md. */
#include "frame_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One pixel on its way through: 16-bit R, G, B, A. */
struct px {
    uint16_t r, g, b, a;
};

/* v / 256 clamped to 0..255; negative values never reach the shift, whose
 * result on them C leaves to the implementation. */
static uint8_t clamp_shift8(int v)
{
    return v < 0 ? 0 : v > 255 << 8 ? 255 : (uint8_t)(v >> 8);
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* BT.601, limited range, integer: the usual 8-bit fixed-point weights. */
static void yuv_to_rgb(int y, int u, int v, struct px *out)
{
    int c = 298 * (y - 16), d = u - 128, e = v - 128;
    out->r = clamp_shift8(c + 409 * e + 128) * 257;
    out->g = clamp_shift8(c - 100 * d - 208 * e + 128) * 257;
    out->b = clamp_shift8(c + 516 * d + 128) * 257;
    out->a = 65535;
}

static uint8_t rgb_to_y(int r, int g, int b)
{
    return (uint8_t)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
}

/* Offsets keep the sums positive, so the shifts are floor divisions. */
static uint8_t rgb_to_u(int r, int g, int b)
{
    return (uint8_t)((-38 * r - 74 * g + 112 * b + 128 + (128 << 8)) >> 8);
}

static uint8_t rgb_to_v(int r, int g, int b)
{
    return (uint8_t)((112 * r - 94 * g - 18 * b + 128 + (128 << 8)) >> 8);
}

static uint16_t luma16(const struct px *p)
{
    return (uint16_t)((77u * p->r + 150u * p->g + 29u * p->b + 128) >> 8);
}

/* At 8 bits from the samples' high bytes (exactly the 8-bit samples of an
 * 8-bit source): luma16() >> 8 rounds differently, e.g. R, G, B = 0, 1, 0
 * is 1 by the rule and 0 that way. */
static uint8_t luma8(const struct px *p)
{
    return (uint8_t)((77u * (p->r >> 8) + 150u * (p->g >> 8) +
                      29u * (p->b >> 8) + 128) >>
                     8);
}

/* Row y of src as 16-bit RGBA. */
static void unpack_row(const struct frame_image *s, uint32_t y, struct px *o)
{
    const uint8_t *p = s->plane[0] + (size_t)y * s->stride[0];
    uint32_t w = s->width;
    switch (s->format) {
    case FRAME_FORMAT_RGBA8:
        for (uint32_t x = 0; x < w; x++, p += 4)
            o[x] = (struct px){p[0] * 257, p[1] * 257, p[2] * 257, p[3] * 257};
        break;
    case FRAME_FORMAT_BGRA8:
        for (uint32_t x = 0; x < w; x++, p += 4)
            o[x] = (struct px){p[2] * 257, p[1] * 257, p[0] * 257, p[3] * 257};
        break;
    case FRAME_FORMAT_RGB8:
        for (uint32_t x = 0; x < w; x++, p += 3)
            o[x] = (struct px){p[0] * 257, p[1] * 257, p[2] * 257, 65535};
        break;
    case FRAME_FORMAT_GRAY8:
        for (uint32_t x = 0; x < w; x++, p++)
            o[x] = (struct px){p[0] * 257, p[0] * 257, p[0] * 257, 65535};
        break;
    case FRAME_FORMAT_GRAY16:
        for (uint32_t x = 0; x < w; x++, p += 2) {
            uint16_t g = rd16(p);
            o[x] = (struct px){g, g, g, 65535};
        }
        break;
    case FRAME_FORMAT_RGBA16:
        for (uint32_t x = 0; x < w; x++, p += 8)
            o[x] = (struct px){rd16(p), rd16(p + 2), rd16(p + 4), rd16(p + 6)};
        break;
    case FRAME_FORMAT_I420:
    case FRAME_FORMAT_NV12: {
        bool nv = s->format == FRAME_FORMAT_NV12;
        const uint8_t *u = s->plane[1] + (size_t)(y / 2) * s->stride[1];
        const uint8_t *v =
            nv ? u + 1 : s->plane[2] + (size_t)(y / 2) * s->stride[2];
        uint32_t step = nv ? 2 : 1;
        for (uint32_t x = 0; x < w; x++)
            yuv_to_rgb(p[x], u[x / 2 * step], v[x / 2 * step], &o[x]);
        break;
    }
    }
}

/* Row y of dst from 16-bit RGBA; not for the YUV formats. */
static void pack_row(const struct frame_image *d, uint32_t y,
                     const struct px *in)
{
    uint8_t *p = d->plane[0] + (size_t)y * d->stride[0];
    uint32_t w = d->width;
    switch (d->format) {
    case FRAME_FORMAT_RGBA8:
        for (uint32_t x = 0; x < w; x++, p += 4) {
            p[0] = in[x].r >> 8;
            p[1] = in[x].g >> 8;
            p[2] = in[x].b >> 8;
            p[3] = in[x].a >> 8;
        }
        break;
    case FRAME_FORMAT_BGRA8:
        for (uint32_t x = 0; x < w; x++, p += 4) {
            p[0] = in[x].b >> 8;
            p[1] = in[x].g >> 8;
            p[2] = in[x].r >> 8;
            p[3] = in[x].a >> 8;
        }
        break;
    case FRAME_FORMAT_RGB8:
        for (uint32_t x = 0; x < w; x++, p += 3) {
            p[0] = in[x].r >> 8;
            p[1] = in[x].g >> 8;
            p[2] = in[x].b >> 8;
        }
        break;
    case FRAME_FORMAT_GRAY8:
        for (uint32_t x = 0; x < w; x++)
            p[x] = luma8(&in[x]);
        break;
    case FRAME_FORMAT_GRAY16:
        for (uint32_t x = 0; x < w; x++)
            wr16(p + 2 * x, luma16(&in[x]));
        break;
    case FRAME_FORMAT_RGBA16:
        for (uint32_t x = 0; x < w; x++, p += 8) {
            wr16(p, in[x].r);
            wr16(p + 2, in[x].g);
            wr16(p + 4, in[x].b);
            wr16(p + 6, in[x].a);
        }
        break;
    }
}

/* Rows y and y + 1 (if it exists) of a YUV dst from 16-bit RGBA: luma per
 * pixel, chroma from the mean R, G, B of each 2x2 block's pixels. */
static void pack_yuv_rows(const struct frame_image *d, uint32_t y,
                          const struct px *r0, const struct px *r1)
{
    bool nv = d->format == FRAME_FORMAT_NV12;
    uint32_t w = d->width;
    for (uint32_t k = 0; k < 2 && (k == 0 || r1); k++) {
        uint8_t *py = d->plane[0] + (size_t)(y + k) * d->stride[0];
        const struct px *in = k ? r1 : r0;
        for (uint32_t x = 0; x < w; x++)
            py[x] = rgb_to_y(in[x].r >> 8, in[x].g >> 8, in[x].b >> 8);
    }
    uint8_t *u = d->plane[1] + (size_t)(y / 2) * d->stride[1];
    uint8_t *v = nv ? u + 1 : d->plane[2] + (size_t)(y / 2) * d->stride[2];
    uint32_t step = nv ? 2 : 1;
    for (uint32_t x = 0; x < w; x += 2) {
        int n = 0, r = 0, g = 0, b = 0;
        for (uint32_t k = 0; k < 2; k++) {
            const struct px *in = k ? r1 : r0;
            for (uint32_t i = x; in && i < x + 2 && i < w; i++, n++) {
                r += in[i].r >> 8;
                g += in[i].g >> 8;
                b += in[i].b >> 8;
            }
        }
        r = (r + n / 2) / n;
        g = (g + n / 2) / n;
        b = (b + n / 2) / n;
        u[x / 2 * step] = rgb_to_u(r, g, b);
        v[x / 2 * step] = rgb_to_v(r, g, b);
    }
}

static void copy_plane(uint8_t *d, uint32_t ds, const uint8_t *s, uint32_t ss,
                       uint32_t row, uint32_t rows)
{
    /* One long copy where both are packed: at 1080p about twice as fast as
     * 1080 short ones, which matters to a reader racing the writer. */
    if (ds == row && ss == row) {
        memcpy(d, s, (size_t)row * rows);
        return;
    }
    for (uint32_t y = 0; y < rows; y++)
        memcpy(d + (size_t)y * ds, s + (size_t)y * ss, row);
}

/* I420 <-> NV12: the samples stay, only the chroma planes change shape. */
static void convert_yuv(const struct frame_image *d,
                        const struct frame_image *s)
{
    const struct frame_format_desc *fd = frame_format_desc(d->format);
    uint32_t pw, ph, row;
    frame__plane_size(fd, 0, d->width, d->height, &pw, &ph, &row);
    copy_plane(d->plane[0], d->stride[0], s->plane[0], s->stride[0], row, ph);
    frame__plane_size(fd, 1, d->width, d->height, &pw, &ph, &row);
    bool to_nv = d->format == FRAME_FORMAT_NV12;
    const struct frame_image *nv = to_nv ? d : s, *pl = to_nv ? s : d;
    for (uint32_t y = 0; y < ph; y++) {
        uint8_t *c = nv->plane[1] + (size_t)y * nv->stride[1];
        uint8_t *u = pl->plane[1] + (size_t)y * pl->stride[1];
        uint8_t *v = pl->plane[2] + (size_t)y * pl->stride[2];
        for (uint32_t x = 0; x < pw; x++) {
            if (to_nv) {
                c[2 * x] = u[x];
                c[2 * x + 1] = v[x];
            } else {
                u[x] = c[2 * x];
                v[x] = c[2 * x + 1];
            }
        }
    }
}

static bool image_ok(const struct frame_image *m,
                     const struct frame_format_desc *d)
{
    for (uint32_t p = 0; p < d->plane_count; p++) {
        uint32_t pw, ph, row;
        frame__plane_size(d, p, m->width, m->height, &pw, &ph, &row);
        if (!m->plane[p] || m->stride[p] < row)
            return false;
    }
    return true;
}

int frame_convert(const struct frame_image *dst, const struct frame_image *src)
{
    if (!dst || !src)
        return -EINVAL;
    const struct frame_format_desc *fd = frame_format_desc(dst->format);
    const struct frame_format_desc *fs = frame_format_desc(src->format);
    if (!fd || !fs || dst->width != src->width || dst->height != src->height ||
        !src->width || !src->height || src->width > FRAME_MAX_DIM ||
        src->height > FRAME_MAX_DIM || !image_ok(dst, fd) || !image_ok(src, fs))
        return -EINVAL;
    if (fd == fs) {
        for (uint32_t p = 0; p < fd->plane_count; p++) {
            uint32_t pw, ph, row;
            frame__plane_size(fd, p, src->width, src->height, &pw, &ph, &row);
            copy_plane(dst->plane[p], dst->stride[p], src->plane[p],
                       src->stride[p], row, ph);
        }
        return 0;
    }
    if (fd->is_yuv && fs->is_yuv) {
        convert_yuv(dst, src);
        return 0;
    }
    struct px *rows = malloc(sizeof(*rows) * 2 * src->width);
    if (!rows)
        return -ENOMEM;
    uint32_t h = src->height;
    for (uint32_t y = 0; y < h; y += fd->is_yuv ? 2 : 1) {
        struct px *r0 = rows, *r1 = y + 1 < h ? rows + src->width : NULL;
        unpack_row(src, y, r0);
        if (!fd->is_yuv) {
            pack_row(dst, y, r0);
            continue;
        }
        if (r1)
            unpack_row(src, y + 1, r1);
        pack_yuv_rows(dst, y, r0, r1);
    }
    free(rows);
    return 0;
}
