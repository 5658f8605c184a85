/* libpng's low-level API, confined here with its setjmp. */
#include "png_load.h"

#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct png_loader {
    png_bytep *rows; /* reused for every image: no allocation per frame */
    uint32_t rows_cap;
    const atomic_bool *cancel;
    FILE *f;
    bool stopped; /* the decode ended on cancel */
    char err[PNG_LOAD_ERR_MAX];
};

int png_loader_new(uint32_t max_height, struct png_loader **out)
{
    struct png_loader *l = calloc(1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    l->rows_cap = max_height ? max_height : 1;
    l->rows = calloc(l->rows_cap, sizeof(*l->rows));
    if (!l->rows) {
        free(l);
        return -ENOMEM;
    }
    *out = l;
    return 0;
}

void png_loader_set_cancel(struct png_loader *l, const atomic_bool *flag)
{
    l->cancel = flag;
}

void png_loader_free(struct png_loader *l)
{
    if (!l)
        return;
    free(l->rows);
    free(l);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* fopen() of a FIFO waits for a writer, forever if none comes, and a
 * device may do anything on open: open without blocking, and go on only
 * with a regular file. */
static FILE *open_input(const char *path, char *err, size_t errlen, int *rc)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *rc = -errno;
        snprintf(err, errlen, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "not a regular file");
        *rc = -EINVAL;
        return NULL;
    }
    FILE *f = NULL;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 ||
        !(f = fdopen(fd, "rb"))) {
        *rc = -errno;
        snprintf(err, errlen, "%s", strerror(errno));
        close(fd);
    }
    return f;
}

/* open_input(), then the first len (>= 8) bytes into head, *n of them
 * there: NULL with *rc and err set unless they start with PNG's
 * signature. An empty file says so, not "not a PNG file". */
static FILE *open_png(const char *path, unsigned char *head, size_t len,
                      size_t *n, char *err, size_t errlen, int *rc)
{
    FILE *f = open_input(path, err, errlen, rc);
    if (!f)
        return NULL;
    *n = fread(head, 1, len, f);
    if (*n < 8 || png_sig_cmp(head, 0, 8) != 0) {
        fclose(f);
        snprintf(err, errlen, *n == 0 ? "empty file" : "not a PNG file");
        *rc = -EINVAL;
        return NULL;
    }
    return f;
}

/* whole: the 29 bytes up to the interlace method must be there, not only
 * the size. */
static int read_ihdr(const char *path, struct png_header *h, bool whole,
                     char *err, size_t errlen)
{
    int rc;
    unsigned char b[29];
    size_t n;
    FILE *f = open_png(path, b, sizeof(b), &n, err, errlen, &rc);
    if (!f)
        return rc;
    fclose(f);
    if (n < (whole ? 29 : 24) || memcmp(b + 12, "IHDR", 4) != 0) {
        snprintf(err, errlen, "no IHDR chunk where PNG requires it");
        return -EINVAL;
    }
    h->width = be32(b + 16);
    h->height = be32(b + 20);
    if (h->width == 0 || h->height == 0) {
        snprintf(err, errlen, "IHDR declares an empty image (%ux%u)", h->width,
                 h->height);
        return -EINVAL;
    }
    if (h->width > PNG_LOAD_MAX_DIM || h->height > PNG_LOAD_MAX_DIM) {
        snprintf(err, errlen, "image size %ux%u is beyond the limit of %dx%d",
                 h->width, h->height, PNG_LOAD_MAX_DIM, PNG_LOAD_MAX_DIM);
        return -EFBIG;
    }
    h->bit_depth = whole ? b[24] : 0;
    h->color_type = whole ? b[25] : -1;
    h->interlaced = whole && b[28] != 0;
    return 0;
}

int png_probe(const char *path, uint32_t *width, uint32_t *height, char *err,
              size_t errlen)
{
    struct png_header h;
    int rc = read_ihdr(path, &h, false, err, errlen);
    if (rc == 0) {
        *width = h.width;
        *height = h.height;
    }
    return rc;
}

int png_probe_header(const char *path, struct png_header *h, char *err,
                     size_t errlen)
{
    return read_ihdr(path, h, true, err, errlen);
}

static void on_error(png_structp png, png_const_charp msg)
{
    struct png_loader *l = png_get_error_ptr(png);
    snprintf(l->err, sizeof(l->err), "%s", msg);
    png_longjmp(png, 1);
}

/* Warnings (a bad ancillary chunk, a known-bad sRGB profile) do not change
 * the pixels we keep; printing them would flood a looping producer. */
static void on_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* libpng's own reader, but a stop request ends a long decode within one
 * buffer's worth of input instead of at the end of the image. */
static void read_data(png_structp png, png_bytep out, size_t len)
{
    struct png_loader *l = png_get_io_ptr(png);
    if (l->cancel && atomic_load(l->cancel)) {
        l->stopped = true;
        png_error(png, "stopped");
    }
    if (fread(out, 1, len, l->f) != len)
        png_error(png, "Read Error");
}

static bool is_grey(const struct png_header *h)
{
    return !(h->color_type & PNG_COLOR_MASK_COLOR);
}

static bool has_alpha(const struct png_file_info *f)
{
    return (f->h.color_type & PNG_COLOR_MASK_ALPHA) || f->has_trns;
}

static struct png_samples native_of(const struct png_file_info *f)
{
    int depth = f->h.bit_depth == 16 ? 16 : 8;
    bool alpha = has_alpha(f);
    int channels = is_grey(&f->h) && !alpha ? 1 : alpha || depth == 16 ? 4 : 3;
    return (struct png_samples){.channels = channels, .depth = depth};
}

bool png_samples_possible(const struct png_file_info *f,
                          const struct png_samples *want)
{
    int c = want->channels;
    if (c != 1 && c != 3 && c != 4)
        return false;
    if (want->depth != 8 && !(want->depth == 16 && f->h.bit_depth == 16))
        return false;
    return c != 1 || is_grey(&f->h);
}

/* The file's own values, re-arranged into want (png_samples_possible()). */
static void set_transforms(png_structp png, png_infop info,
                           const struct png_file_info *f,
                           const struct png_samples *want)
{
    bool alpha = has_alpha(f);
    png_set_expand(png); /* palette, sub-byte grey, tRNS -> alpha */
    if (f->h.bit_depth == 16 && want->depth == 8)
        png_set_strip_16(png); /* high byte, not scaled */
    if (want->channels >= 3 && is_grey(&f->h))
        png_set_gray_to_rgb(png);
    if (want->channels != 4 && alpha)
        png_set_strip_alpha(png);
    if (want->channels == 4 && !alpha)
        png_set_add_alpha(png, 0xffff, PNG_FILLER_AFTER);
    if (want->bgr && want->channels >= 3)
        png_set_bgr(png);
    if (want->little_endian && want->depth == 16)
        png_set_swap(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
}

static void file_info(png_structp png, png_infop info, struct png_file_info *f)
{
    *f = (struct png_file_info){
        .h =
            {
                .width = png_get_image_width(png, info),
                .height = png_get_image_height(png, info),
                .bit_depth = png_get_bit_depth(png, info),
                .color_type = png_get_color_type(png, info),
                .interlaced =
                    png_get_interlace_type(png, info) != PNG_INTERLACE_NONE,
            },
        .has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0,
    };
    f->native = native_of(f);
}

/* Everything libpng touches between setjmp and longjmp is volatile or lives
 * in the loader, so nothing is lost when it jumps back. Without a target
 * only the chunks before the image data are read, into *probe. */
static int decode(struct png_loader *l, png_samples_fn target, void *ctx,
                  int *target_taken, struct png_file_info *probe)
{
    png_structp volatile png = NULL;
    png_infop volatile info = NULL;
    volatile int rc = -EINVAL;

    png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, l, on_error, on_warning);
    if (!png || !(info = png_create_info_struct(png))) {
        snprintf(l->err, sizeof(l->err), "out of memory");
        rc = -ENOMEM;
        goto out;
    }
    if (setjmp(png_jmpbuf(png)))
        goto out; /* l->err holds libpng's reason */

    png_set_user_limits(png, PNG_LOAD_MAX_DIM, PNG_LOAD_MAX_DIM);
    l->stopped = false;
    png_set_read_fn(png, l, read_data);
    png_read_info(png, info);
    struct png_file_info f;
    file_info(png, info, &f);
    if (probe) {
        *probe = f;
        rc = 0;
        goto out;
    }
    uint32_t width = f.h.width, height = f.h.height;
    /* The tallest frame need not be the largest one the segment was
     * sized for (8192x1 and 1x8192 take the same bytes): grow once. */
    if (height > l->rows_cap) {
        png_bytep *rows = realloc(l->rows, height * sizeof(*rows));
        if (!rows) {
            snprintf(l->err, sizeof(l->err), "out of memory");
            rc = -ENOMEM;
            goto out;
        }
        l->rows = rows;
        l->rows_cap = height;
    }
    struct png_samples want = f.native;
    uint8_t *pixels = NULL;
    size_t stride = 0;
    *target_taken = 1;
    int trc = target(ctx, &f, &want, &pixels, &stride, l->err, sizeof(l->err));
    if (trc) {
        rc = trc;
        goto out;
    }
    size_t row = (size_t)width * (size_t)want.channels * (want.depth / 8);
    if (!png_samples_possible(&f, &want) || stride < row) {
        snprintf(l->err, sizeof(l->err),
                 "cannot give %d channel(s) of %d bits from this file",
                 want.channels, want.depth);
        goto out;
    }
    set_transforms(png, info, &f, &want);
    if (png_get_rowbytes(png, info) != row ||
        png_get_bit_depth(png, info) != want.depth) {
        snprintf(l->err, sizeof(l->err),
                 "cannot convert to %d channel(s) of %d bits", want.channels,
                 want.depth);
        goto out;
    }
    for (uint32_t y = 0; y < height; y++)
        l->rows[y] = pixels + (size_t)y * stride;
    png_read_image(png, l->rows);
    png_read_end(png, NULL);
    rc = 0;
out:
    png_destroy_read_struct((png_structpp)&png, (png_infopp)&info, NULL);
    return l->stopped ? -ECANCELED : rc;
}

/* Open path and run decode() on it, with the file's faults in words. */
static int load(struct png_loader *l, const char *path, png_samples_fn target,
                void *ctx, int *target_taken, struct png_file_info *probe,
                char *err, size_t errlen)
{
    *target_taken = 0;
    int rc;
    unsigned char sig[8];
    size_t n;
    FILE *f = open_png(path, sig, sizeof(sig), &n, err, errlen, &rc);
    if (!f)
        return rc;
    rewind(f);
    l->err[0] = 0;
    l->f = f;
    rc = decode(l, target, ctx, target_taken, probe);
    if (rc == -ECANCELED) {
        /* stopping: not the file's fault, and no reason to name it */
    } else if (rc && feof(f)) {
        /* libpng only says "Read Error" when the file runs out. */
        snprintf(l->err, sizeof(l->err),
                 "truncated: the file ends before "
                 "the image does");
    } else if (ferror(f)) {
        snprintf(l->err, sizeof(l->err), "read error: %s", strerror(errno));
        rc = -EIO;
    }
    fclose(f);
    if (rc)
        snprintf(err, errlen, "%s", l->err[0] ? l->err : "decode failed");
    return rc;
}

int png_load_samples(struct png_loader *l, const char *path,
                     png_samples_fn target, void *ctx, int *target_taken,
                     char *err, size_t errlen)
{
    return load(l, path, target, ctx, target_taken, NULL, err, errlen);
}

int png_probe_info(const char *path, struct png_file_info *info, char *err,
                   size_t errlen)
{
    struct png_loader *l;
    if (png_loader_new(1, &l)) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    int taken;
    int rc = load(l, path, NULL, NULL, &taken, info, err, errlen);
    png_loader_free(l);
    return rc;
}

/* png_load()'s target, called with png_load_samples()'s arguments. */
struct rgba8_target {
    png_target_fn target;
    void *ctx;
};

static int as_rgba8(void *ctx, const struct png_file_info *f,
                    struct png_samples *want, uint8_t **pixels, size_t *stride,
                    char *err, size_t errlen)
{
    const struct rgba8_target *t = ctx;
    *want = (struct png_samples){.channels = 4, .depth = 8};
    return t->target(t->ctx, f->h.width, f->h.height, pixels, stride, err,
                     errlen);
}

int png_load(struct png_loader *l, const char *path, png_target_fn target,
             void *ctx, int *target_taken, char *err, size_t errlen)
{
    struct rgba8_target t = {target, ctx};
    return load(l, path, as_rgba8, &t, target_taken, NULL, err, errlen);
}

struct whole_image {
    uint8_t *pixels;
    uint32_t width, height;
};

static int into_malloc(void *ctx, uint32_t width, uint32_t height,
                       uint8_t **pixels, size_t *stride, char *err,
                       size_t errlen)
{
    struct whole_image *im = ctx;
    /* 16384 x 16384 x 4 at most (the limit): no overflow. */
    im->pixels = malloc((size_t)width * height * 4);
    if (!im->pixels) {
        snprintf(err, errlen, "out of memory for %ux%u", width, height);
        return -ENOMEM;
    }
    im->width = width;
    im->height = height;
    *pixels = im->pixels;
    *stride = (size_t)width * 4;
    return 0;
}

int png_load_file(const char *path, uint8_t **pixels, uint32_t *width,
                  uint32_t *height, char *err, size_t errlen)
{
    struct png_loader *l;
    if (png_loader_new(0, &l)) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    struct whole_image im = {0};
    int taken;
    int rc = png_load(l, path, into_malloc, &im, &taken, err, errlen);
    png_loader_free(l);
    if (rc) {
        free(im.pixels);
        return rc;
    }
    *pixels = im.pixels;
    *width = im.width;
    *height = im.height;
    return 0;
}
