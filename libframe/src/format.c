/* The format table, frame layouts, and the check of a published frame's
 * planes against its slot. */
#include "frame_internal.h"

#include <errno.h>
#include <stdint.h>
#include <strings.h>

/* clang-format off */
#define PACKED(n) {{(n), 0, 0}}
#define YUV420 {{1, 0, 0}, {1, 1, 1}, {1, 1, 1}}
#define NV12_PLANES {{1, 0, 0}, {2, 1, 1}}
/* clang-format on */

/* Indexed by enum frame_pixel_format; row 0 is no format. */
static const struct frame_format_desc formats[FRAME_FORMAT_MAX + 1] = {
    [FRAME_FORMAT_RGBA8] = {FRAME_FORMAT_RGBA8, "RGBA", "rgba8", "rgba", 1, 1,
                            4, true, false, "B", "uint8", PACKED(4)},
    [FRAME_FORMAT_BGRA8] = {FRAME_FORMAT_BGRA8, "BGRA", "bgra8", "bgra", 1, 1,
                            4, true, false, "B", "uint8", PACKED(4)},
    [FRAME_FORMAT_RGB8] = {FRAME_FORMAT_RGB8, "RGB", "rgb8", "rgb24", 1, 1, 3,
                           false, false, "B", "uint8", PACKED(3)},
    [FRAME_FORMAT_GRAY8] = {FRAME_FORMAT_GRAY8, "GRAY8", "gray8", "gray", 1, 1,
                            1, false, false, "B", "uint8", PACKED(1)},
    [FRAME_FORMAT_GRAY16] = {FRAME_FORMAT_GRAY16, "GRAY16_LE", "gray16",
                             "gray16le", 1, 2, 1, false, false, "<H", "<u2",
                             PACKED(1)},
    [FRAME_FORMAT_RGBA16] = {FRAME_FORMAT_RGBA16, "RGBA64_LE", "rgba16",
                             "rgba64le", 1, 2, 4, true, false, "<H", "<u2",
                             PACKED(4)},
    /* U and V planes are one sample a pixel in I420; NV12's second plane
     * holds both, interleaved, and there is no third. */
    [FRAME_FORMAT_I420] = {FRAME_FORMAT_I420, "I420", "i420", "yuv420p", 3, 1,
                           3, false, true, "B", "uint8", YUV420},
    [FRAME_FORMAT_NV12] = {FRAME_FORMAT_NV12, "NV12", "nv12", "nv12", 2, 1, 3,
                           false, true, "B", "uint8", NV12_PLANES},
};

const struct frame_format_desc *frame_format_desc(uint32_t format)
{
    if (format == 0 || format > FRAME_FORMAT_MAX)
        return NULL;
    return &formats[format];
}

uint32_t frame_format_lookup(const char *name)
{
    if (!name)
        return 0;
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++)
        if (!strcasecmp(name, formats[f].name) ||
            !strcasecmp(name, formats[f].short_name) ||
            !strcasecmp(name, formats[f].ffmpeg))
            return f;
    return 0;
}

void frame__plane_size(const struct frame_format_desc *d, uint32_t p,
                       uint32_t width, uint32_t height, uint32_t *pw,
                       uint32_t *ph, uint32_t *row)
{
    uint32_t xs = d->plane[p].x_shift, ys = d->plane[p].y_shift;
    *pw = (width + (1u << xs) - 1) >> xs;
    *ph = (height + (1u << ys) - 1) >> ys;
    /* At most 32768 * 4 * 2 bytes: no overflow. */
    *row = *pw * d->plane[p].samples * d->bytes_per_sample;
}

size_t frame_image_layout(struct frame_image *img, uint32_t format,
                          uint32_t width, uint32_t height,
                          uint32_t stride_align, void *base)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    if (!d || width == 0 || height == 0 || width > FRAME_MAX_DIM ||
        height > FRAME_MAX_DIM || stride_align > 4096)
        return 0;
    uint32_t align = stride_align ? stride_align : 1;
    struct frame_image out = {
        .format = format,
        .width = width,
        .height = height,
        .plane_count = d->plane_count,
    };
    uint64_t offset = 0;
    for (uint32_t p = 0; p < d->plane_count; p++) {
        uint32_t pw, ph, row;
        frame__plane_size(d, p, width, height, &pw, &ph, &row);
        /* row <= 2^18 and align <= 2^12: the stride fits 32 bits. */
        out.stride[p] = (row + align - 1) / align * align;
        if (base)
            out.plane[p] = (uint8_t *)base + offset;
        offset += (uint64_t)out.stride[p] * ph;
    }
    if (offset > SIZE_MAX)
        return 0;
    if (img)
        *img = out;
    return (size_t)offset;
}

/*
 * A frame descriptor from the segment, checked before any of its planes is
 * handed out: every plane is of the format's size, its rows at least a row
 * long and sample-aligned, it lies within the slot, and no two planes
 * overlap. Unused planes must be all zeros. 64-bit arithmetic throughout:
 * strides below 2^32 times heights below 2^16 cannot overflow it.
 */
int frame__check_planes(uint32_t format, uint32_t width, uint32_t height,
                        const uint32_t stride[FRAME_MAX_PLANES],
                        const uint32_t offset[FRAME_MAX_PLANES],
                        uint64_t capacity)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    if (!d || width == 0 || height == 0 || width > FRAME_MAX_DIM ||
        height > FRAME_MAX_DIM)
        return FRAME_EBADFRAME;
    uint64_t start[FRAME_MAX_PLANES], end[FRAME_MAX_PLANES];
    for (uint32_t p = 0; p < FRAME_MAX_PLANES; p++) {
        if (p >= d->plane_count) {
            if (stride[p] || offset[p])
                return FRAME_EBADFRAME;
            continue;
        }
        uint32_t pw, ph, row;
        frame__plane_size(d, p, width, height, &pw, &ph, &row);
        if (stride[p] < row || stride[p] % d->bytes_per_sample ||
            offset[p] % d->bytes_per_sample)
            return FRAME_EBADFRAME;
        start[p] = offset[p];
        end[p] = offset[p] + (uint64_t)stride[p] * (ph - 1) + row;
        if (end[p] > capacity)
            return FRAME_EBADFRAME;
        for (uint32_t q = 0; q < p; q++)
            if (start[p] < end[q] && start[q] < end[p])
                return FRAME_EBADFRAME;
    }
    return 0;
}
