/* A PNG into a frame of the format the run publishes. libpng re-arranges
 * the file's samples (the producer's old RGBA8 path, now for every packed
 * format a file maps onto without computing values); anything that
 * computes values (colour to grey, to YUV, 16 to 8 bits) is decoded
 * losslessly into a scratch frame and converted by frame_convert(), so the
 * library's rules are the only ones. */
#include "decode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct decoder {
    struct png_loader *png;
    uint32_t want; /* enum frame_pixel_format, or FORMAT_NATIVE */
    uint8_t *scratch;
    size_t scratch_cap;
};

uint32_t format_native(const struct png_file_info *f)
{
    const struct png_samples *n = &f->native;
    if (n->channels == 1)
        return n->depth == 16 ? FRAME_FORMAT_GRAY16 : FRAME_FORMAT_GRAY8;
    if (n->channels == 3)
        return FRAME_FORMAT_RGB8; /* 16-bit colour always comes with alpha */
    return n->depth == 16 ? FRAME_FORMAT_RGBA16 : FRAME_FORMAT_RGBA8;
}

uint32_t format_for(uint32_t want, const struct png_file_info *f)
{
    return want == FORMAT_NATIVE ? format_native(f) : want;
}

const char *format_name(uint32_t format)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    return d ? d->name : "native";
}

int format_too_big(uint32_t format, uint32_t width, uint32_t height, char *err,
                   size_t errlen)
{
    snprintf(err, errlen,
             "image %ux%u %s does not fit the segment (start with "
             "--max-size)",
             width, height, format_name(format));
    return -EFBIG;
}

/* How libpng lays out a one-plane format, from the library's table; false
 * for the YUV formats, which only frame_convert() makes. */
static bool samples_of(uint32_t format, struct png_samples *s)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    if (!d || d->is_yuv || d->plane_count != 1)
        return false;
    *s = (struct png_samples){
        .channels = (int)d->channels,
        .depth = 8 * (int)d->bytes_per_sample,
        .bgr = format == FRAME_FORMAT_BGRA8,
        .little_endian = d->bytes_per_sample == 2,
    };
    return true;
}

int decoder_new(uint32_t want, uint32_t max_height, struct decoder **out)
{
    struct decoder *d = calloc(1, sizeof(*d));
    if (!d || png_loader_new(max_height, &d->png)) {
        free(d);
        return -ENOMEM;
    }
    d->want = want;
    *out = d;
    return 0;
}

void decoder_free(struct decoder *d)
{
    if (!d)
        return;
    png_loader_free(d->png);
    free(d->scratch);
    free(d);
}

void decoder_set_cancel(struct decoder *d, const atomic_bool *flag)
{
    png_loader_set_cancel(d->png, flag);
}

/* One decoder_load() under way. */
struct job {
    struct decoder *d;
    frame_target_fn target;
    void *ctx;
    int *taken;
    uint32_t format, width, height; /* as published */
    /* The file's native samples, when the format is not a re-arrangement
     * of them (format 0 when decoded straight into the target). */
    struct frame_image scratch;
};

static int give_scratch(struct job *j, const struct png_file_info *f,
                        struct png_samples *want, uint8_t **pixels,
                        size_t *stride, char *err, size_t errlen)
{
    struct decoder *d = j->d;
    uint32_t native = format_native(f);
    size_t bytes =
        frame_image_layout(NULL, native, j->width, j->height, 1, NULL);
    if (bytes > d->scratch_cap) {
        free(d->scratch);
        d->scratch_cap = 0;
        if (!(d->scratch = malloc(bytes))) {
            snprintf(err, errlen, "out of memory for a %ux%u %s frame",
                     j->width, j->height, format_name(native));
            return -ENOMEM;
        }
        d->scratch_cap = bytes;
    }
    frame_image_layout(&j->scratch, native, j->width, j->height, 1, d->scratch);
    samples_of(native, want);
    *pixels = j->scratch.plane[0];
    *stride = j->scratch.stride[0];
    return 0;
}

static int rows(void *ctx, const struct png_file_info *f,
                struct png_samples *want, uint8_t **pixels, size_t *stride,
                char *err, size_t errlen)
{
    struct job *j = ctx;
    j->format = format_for(j->d->want, f);
    j->width = f->h.width;
    j->height = f->h.height;
    struct png_samples direct;
    /* Straight into the target only at the file's own depth: 16 to 8 bits
     * is a conversion like any other. */
    if (!samples_of(j->format, &direct) || direct.depth != f->native.depth ||
        !png_samples_possible(f, &direct))
        return give_scratch(j, f, want, pixels, stride, err, errlen);
    struct frame_image img;
    *j->taken = 1;
    int rc =
        j->target(j->ctx, j->format, j->width, j->height, &img, err, errlen);
    if (rc)
        return rc;
    *want = direct;
    *pixels = img.plane[0];
    *stride = img.stride[0];
    return 0;
}

int decoder_load(struct decoder *d, const char *path, frame_target_fn target,
                 void *ctx, int *target_taken, char *err, size_t errlen)
{
    struct job j = {
        .d = d, .target = target, .ctx = ctx, .taken = target_taken};
    *target_taken = 0;
    int png_taken;
    int rc = png_load_samples(d->png, path, rows, &j, &png_taken, err, errlen);
    if (rc || !j.scratch.format)
        return rc;
    /* The whole file decoded: only now is the target begun. */
    struct frame_image img;
    *target_taken = 1;
    rc = target(ctx, j.format, j.width, j.height, &img, err, errlen);
    if (rc)
        return rc;
    rc = frame_convert(&img, &j.scratch);
    if (rc)
        snprintf(err, errlen, "convert to %s: %s", format_name(j.format),
                 frame_strerror(rc));
    return rc;
}
