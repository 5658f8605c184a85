/* The pixel probe: the samples of one pixel at the frame's own depth. */
#include "probe.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>

/* Sample i's name. The table's caps names spell packed formats' samples
 * in memory order ("BGRA", "RGBA64_LE"), as GStreamer's names do; grey
 * is Y; the YUV formats keep Y, then U before V, in plane order. */
static char label_of(const struct frame_format_desc *d, unsigned i)
{
    if (d->is_yuv)
        return "YUV"[i < 3 ? i : 2];
    if (d->channels == 1)
        return 'Y';
    char c = d->name[i];
    return isalpha((unsigned char)c) ? c : '?';
}

int probe_read(const struct frame_image *img, uint32_t x, uint32_t y,
               struct probe_sample *out)
{
    const struct frame_format_desc *d =
        img ? frame_format_desc(img->format) : NULL;
    if (!d || img->plane_count != d->plane_count || !img->width || !img->height)
        return -EINVAL;
    if (x >= img->width || y >= img->height)
        return -ERANGE;
    *out = (struct probe_sample){
        .x = x, .y = y, .format = img->format, .bits = 8 * d->bytes_per_sample};
    uint32_t bps = d->bytes_per_sample;
    for (uint32_t p = 0; p < d->plane_count; p++) {
        uint32_t xs = d->plane[p].x_shift, ys = d->plane[p].y_shift;
        uint32_t samples = d->plane[p].samples;
        uint64_t pw = ((uint64_t)img->width + (1u << xs) - 1) >> xs;
        if (!img->plane[p] || img->stride[p] < pw * samples * bps ||
            out->n + samples > PROBE_MAX)
            return -EINVAL;
        /* A subsampled plane's sample serves its whole block. */
        const uint8_t *s = img->plane[p] + (size_t)(y >> ys) * img->stride[p] +
                           (size_t)(x >> xs) * samples * bps;
        for (uint32_t i = 0; i < samples; i++, s += bps) {
            /* The 16-bit formats are little-endian ("_LE"), whatever the
             * host. */
            uint32_t v = bps == 2 ? (uint32_t)s[0] | (uint32_t)s[1] << 8 : s[0];
            out->label[out->n] = label_of(d, out->n);
            out->v[out->n++] = v;
        }
    }
    return 0;
}

int probe_values(const struct frame_image *img, uint32_t x, uint32_t y,
                 uint32_t out[PROBE_MAX], unsigned *n)
{
    struct probe_sample s;
    int rc = probe_read(img, x, y, &s);
    *n = 0;
    if (rc)
        return rc;
    for (unsigned i = 0; i < s.n; i++)
        out[i] = s.v[i];
    *n = s.n;
    return 0;
}

void probe_format(const struct probe_sample *s, char *buf, size_t len)
{
    if (!len)
        return;
    int k = snprintf(buf, len, "(%u, %u)", s->x, s->y);
    for (unsigned i = 0; i < s->n && k >= 0 && (size_t)k < len; i++)
        k += snprintf(buf + k, len - (size_t)k, " %c %u", s->label[i], s->v[i]);
}

int probe_describe(const struct frame_image *img, uint32_t x, uint32_t y,
                   char *buf, size_t len)
{
    struct probe_sample s;
    int rc = probe_read(img, x, y, &s);
    if (rc == 0)
        probe_format(&s, buf, len);
    else if (len)
        buf[0] = '\0';
    return rc;
}
