/* Writing PNG files of any colour type and bit depth with libpng. */
#include "png_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <png.h>

/* What libpng's callbacks leave for us: one struct serves as both the error
 * and the I/O pointer. */
struct sink {
    FILE *fp;
    int io_error;  /* -errno of a failed fwrite, else 0 */
    char msg[160]; /* libpng's error, or its first warning */
    bool warned;
};

void pngw_spec_init(struct pngw_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    spec->compression_level = -1;
    spec->filters = -1;
}

void pngw_spec_8bit(struct pngw_spec *spec, int color_type,
                    const uint8_t *samples, uint32_t width, uint32_t height,
                    size_t stride)
{
    pngw_spec_init(spec);
    spec->width = width;
    spec->height = height;
    spec->color_type = color_type;
    spec->bit_depth = 8;
    spec->samples = samples;
    spec->stride = stride;
}

static int channels_of(int color_type)
{
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY:
        return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        return 2;
    case PNG_COLOR_TYPE_RGB:
        return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA:
        return 4;
    case PNG_COLOR_TYPE_PALETTE:
        return 1;
    }
    return 0;
}

static bool depth_allowed(int color_type, int bit_depth)
{
    switch (bit_depth) {
    case 1:
    case 2:
    case 4:
        return color_type == PNG_COLOR_TYPE_GRAY ||
               color_type == PNG_COLOR_TYPE_PALETTE;
    case 8:
        return channels_of(color_type) > 0;
    case 16:
        return channels_of(color_type) > 0 &&
               color_type != PNG_COLOR_TYPE_PALETTE;
    }
    return false;
}

size_t pngw_row_bytes(uint32_t width, int color_type, int bit_depth)
{
    if (!depth_allowed(color_type, bit_depth))
        return 0;
    uint64_t bits = (uint64_t)width * (unsigned)channels_of(color_type) *
                    (unsigned)bit_depth;
    uint64_t bytes = (bits + 7) / 8;
    return bytes > SIZE_MAX ? 0 : (size_t)bytes;
}

static int invalid(char *err, size_t errlen, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", why);
    return -EINVAL;
}

/* Refuse here what libpng would only warn about and then quietly drop or
 * change: a test image must be exactly the one asked for. */
static int check_spec(const struct pngw_spec *s, char *err, size_t errlen)
{
    size_t row = pngw_row_bytes(s->width, s->color_type, s->bit_depth);
    bool palette = s->color_type == PNG_COLOR_TYPE_PALETTE;
    bool keyable = s->color_type == PNG_COLOR_TYPE_GRAY ||
                   s->color_type == PNG_COLOR_TYPE_RGB;

    if (row == 0)
        return invalid(err, errlen,
                       "colour type and bit depth PNG does not allow");
    if (s->width == 0 || s->height == 0 || s->width > PNG_UINT_31_MAX ||
        s->height > PNG_UINT_31_MAX)
        return invalid(err, errlen, "width or height out of range");
    if (!s->samples || s->stride < row)
        return invalid(err, errlen, "no samples, or stride below row size");
    if (s->little_endian16 && s->bit_depth != 16)
        return invalid(err, errlen, "little-endian samples below 16 bits");
    if (palette) {
        int most = s->bit_depth >= 8 ? 256 : 1 << s->bit_depth;
        if (!s->palette || s->palette_len < 1 || s->palette_len > most)
            return invalid(err, errlen,
                           "palette length out of range for the depth");
    } else if (s->palette || s->palette_len) {
        return invalid(err, errlen, "a palette on a non-palette image");
    }
    if (s->num_trans < 0 || s->num_trans > (palette ? s->palette_len : 0) ||
        (s->num_trans > 0 && !s->trans_alpha))
        return invalid(err, errlen, "tRNS alpha list out of range");
    if (s->has_trans_key) {
        unsigned long top = (1ul << s->bit_depth) - 1;
        int n = s->color_type == PNG_COLOR_TYPE_RGB ? 3 : 1;
        if (!keyable)
            return invalid(err, errlen, "tRNS key on a type without one");
        for (int i = 0; i < n; i++) {
            if (s->trans_key[i] > top)
                return invalid(err, errlen, "tRNS key above the bit depth");
        }
    }
    /* libpng's own limits for gAMA, in its 1/100000 fixed point. */
    if (s->gamma != 0 && !(s->gamma >= 0.00016 && s->gamma <= 6250.0))
        return invalid(err, errlen, "gamma out of range");
    if (s->compression_level < -1 || s->compression_level > 9)
        return invalid(err, errlen, "compression level not in -1..9");
    if (s->filters != -1 && (s->filters & ~PNG_ALL_FILTERS))
        return invalid(err, errlen, "unknown filter bits");
    return 0;
}

static void on_error(png_structp png, png_const_charp msg)
{
    struct sink *sink = png_get_error_ptr(png);
    snprintf(sink->msg, sizeof(sink->msg), "libpng: %s", msg);
    png_longjmp(png, 1);
}

/* Returning from a warning is what libpng expects; the write carries on and
 * write_stream() fails the write afterwards. */
static void on_warning(png_structp png, png_const_charp msg)
{
    struct sink *sink = png_get_error_ptr(png);
    if (!sink->warned) {
        snprintf(sink->msg, sizeof(sink->msg), "libpng warning: %s", msg);
        sink->warned = true;
    }
}

/* Our own I/O functions keep the errno of a failed write, which libpng's
 * default ones lose. */
static void on_write(png_structp png, png_bytep data, size_t len)
{
    struct sink *sink = png_get_io_ptr(png);
    if (fwrite(data, 1, len, sink->fp) != len) {
        sink->io_error = errno ? -errno : -EIO;
        png_error(png, "write failed");
    }
}

static void on_flush(png_structp png)
{
    struct sink *sink = png_get_io_ptr(png);
    if (fflush(sink->fp) != 0) {
        sink->io_error = errno ? -errno : -EIO;
        png_error(png, "write failed");
    }
}

/*
 * The only function that calls setjmp(). Every value it uses is set before
 * setjmp() and never changed after it, so no local needs to be volatile,
 * and everything it could leak is owned by the caller.
 */
static int encode(png_structp png, png_infop info, struct sink *sink,
                  const struct pngw_spec *s, const png_color *plte,
                  const png_color_16 *key, png_bytepp rows)
{
    if (setjmp(png_jmpbuf(png)))
        return sink->io_error ? sink->io_error : -EIO;

    png_set_write_fn(png, sink, on_write, on_flush);
    png_set_IHDR(png, info, s->width, s->height, s->bit_depth, s->color_type,
                 s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (plte)
        png_set_PLTE(png, info, plte, s->palette_len);
    if (s->num_trans > 0)
        png_set_tRNS(png, info, s->trans_alpha, s->num_trans, NULL);
    else if (s->has_trans_key)
        png_set_tRNS(png, info, NULL, 1, key);
    if (s->gamma > 0)
        png_set_gAMA(png, info, s->gamma);
    if (s->compression_level >= 0)
        png_set_compression_level(png, s->compression_level);
    if (s->filters >= 0)
        png_set_filter(png, PNG_FILTER_TYPE_BASE, s->filters);

    png_write_info(png, info);
    /* After png_write_info(): libpng's transforms apply to the rows. */
    if (s->little_endian16 && s->bit_depth == 16)
        png_set_swap(png);
    png_write_image(png, rows); /* runs the 7 Adam7 passes itself */
    png_write_end(png, NULL);
    return 0;
}

/* Everything libpng needs is allocated here, outside the setjmp. */
static int write_stream(FILE *fp, const struct pngw_spec *s, char *err,
                        size_t errlen)
{
    struct sink sink = {.fp = fp};
    png_color plte[256];
    png_color_16 key = {0};
    png_bytepp rows = NULL;
    png_structp png = NULL;
    png_infop info = NULL;
    int rc = check_spec(s, err, errlen);
    if (rc)
        return rc;

    rows = malloc(sizeof(*rows) * s->height);
    if (!rows) {
        rc = -ENOMEM;
        snprintf(sink.msg, sizeof(sink.msg), "%s", strerror(ENOMEM));
        goto out;
    }
    /* libpng copies each row before filtering it, so handing it our const
     * samples through a non-const pointer is safe. */
    for (uint32_t y = 0; y < s->height; y++)
        rows[y] = (png_bytep)(uintptr_t)(s->samples + (size_t)y * s->stride);
    for (int i = 0; i < s->palette_len; i++) {
        plte[i].red = s->palette[i][0];
        plte[i].green = s->palette[i][1];
        plte[i].blue = s->palette[i][2];
    }
    key.gray = key.red = s->trans_key[0];
    key.green = s->trans_key[1];
    key.blue = s->trans_key[2];

    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, on_error,
                                  on_warning);
    if (png)
        info = png_create_info_struct(png);
    if (!png || !info) {
        rc = -ENOMEM;
        snprintf(sink.msg, sizeof(sink.msg), "cannot set up libpng");
        goto out_png;
    }
    rc = encode(png, info, &sink, s,
                s->color_type == PNG_COLOR_TYPE_PALETTE ? plte : NULL, &key,
                rows);
    if (rc == 0 && sink.warned)
        rc = -EINVAL;

out_png:
    png_destroy_write_struct(&png, &info);
out:
    free(rows);
    if (rc && err && errlen) {
        if (sink.io_error)
            snprintf(err, errlen, "%s", strerror(-sink.io_error));
        else
            snprintf(err, errlen, "%s", sink.msg);
    }
    return rc;
}

/* A stream that fopen() or open_memstream() gave (NULL: errno says why),
 * written and closed: a failed close is a failed write. */
static int write_and_close(FILE *fp, const struct pngw_spec *spec, char *err,
                           size_t errlen)
{
    int rc;
    if (!fp) {
        rc = -errno;
    } else {
        rc = write_stream(fp, spec, err, errlen);
        if (fclose(fp) == 0 || rc)
            return rc;
        rc = -errno;
    }
    if (err && errlen)
        snprintf(err, errlen, "%s", strerror(-rc));
    return rc;
}

int pngw_write_file(const char *path, const struct pngw_spec *spec, char *err,
                    size_t errlen)
{
    FILE *fp = fopen(path, "wb");
    int rc = write_and_close(fp, spec, err, errlen);
    if (rc && fp)
        unlink(path);
    return rc;
}

int pngw_write_rgba8(const char *path, const uint8_t *pixels, uint32_t width,
                     uint32_t height, size_t stride, char *err, size_t errlen)
{
    struct pngw_spec spec;
    pngw_spec_8bit(&spec, PNG_COLOR_TYPE_RGB_ALPHA, pixels, width, height,
                   stride);
    return pngw_write_file(path, &spec, err, errlen);
}

int pngw_write_mem(const struct pngw_spec *spec, uint8_t **out, size_t *len,
                   char *err, size_t errlen)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&buf, &size);
    int rc = write_and_close(fp, spec, err, errlen);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = (uint8_t *)buf;
    *len = size;
    return 0;
}
