/* Snapshots: a frame into a PNG file at its own depth, and their
 * timestamped names. */
#include "snapshot.h"

#include "msg.h"
#include "png_write.h"

#include <png.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How PNG stores a format as it is: colour type and depth, or false for
 * BGRA8 and YUV, which it cannot. */
static bool png_type_of(uint32_t format, int *type, int *depth)
{
    *depth = 8;
    switch (format) {
    case FRAME_FORMAT_GRAY8:
        *type = PNG_COLOR_TYPE_GRAY;
        return true;
    case FRAME_FORMAT_GRAY16:
        *type = PNG_COLOR_TYPE_GRAY;
        *depth = 16;
        return true;
    case FRAME_FORMAT_RGB8:
        *type = PNG_COLOR_TYPE_RGB;
        return true;
    case FRAME_FORMAT_RGBA8:
        *type = PNG_COLOR_TYPE_RGB_ALPHA;
        return true;
    case FRAME_FORMAT_RGBA16:
        *type = PNG_COLOR_TYPE_RGB_ALPHA;
        *depth = 16;
        return true;
    }
    return false;
}

/* The format a frame PNG cannot store becomes: the nearest one it can. */
static uint32_t storable_format(uint32_t format)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    return d && d->has_alpha ? FRAME_FORMAT_RGBA8 : FRAME_FORMAT_RGB8;
}

int snapshot_write(const char *path, const struct frame_image *img)
{
    char err[160];
    int type = 0, depth = 0, rc;
    uint8_t *conv = NULL;
    struct frame_image c;
    if (!png_type_of(img->format, &type, &depth)) {
        uint32_t to = storable_format(img->format);
        size_t n =
            frame_image_layout(NULL, to, img->width, img->height, 1, NULL);
        conv = n ? malloc(n) : NULL;
        if (!conv) {
            msg_error("snapshot '%s': %s", path, strerror(ENOMEM));
            return -ENOMEM;
        }
        frame_image_layout(&c, to, img->width, img->height, 1, conv);
        rc = frame_convert(&c, img);
        if (rc) {
            msg_error("snapshot '%s': cannot convert the frame: %s", path,
                      frame_strerror(rc));
            free(conv);
            return rc;
        }
        img = &c;
        png_type_of(img->format, &type, &depth);
    }
    struct pngw_spec spec;
    pngw_spec_8bit(&spec, type, img->plane[0], img->width, img->height,
                   img->stride[0]);
    spec.bit_depth = depth;
    spec.little_endian16 = depth == 16; /* libframe's 16-bit formats are LE */
    rc = pngw_write_file(path, &spec, err, sizeof(err));
    if (rc)
        msg_error("snapshot '%s': %s", path, err);
    free(conv);
    return rc;
}

int snapshot_auto_path(const char *segment, char *buf, size_t len)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    /* Absolute, so the path printed can be found from anywhere; the
     * relative name still works if the directory cannot be named. */
    char dir[PATH_MAX];
    const char *d = getcwd(dir, sizeof(dir)) ? dir : ".";
    int n = snprintf(buf, len, "%s%sviewer-%s-%s.%03ld.png", d,
                     d[0] && d[1] == '\0' && d[0] == '/' ? "" : "/", segment,
                     stamp, ts.tv_nsec / 1000000);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
