/* Snapshots: an RGBA8 frame into a PNG file, and their timestamped names. */
#include "snapshot.h"

#include "msg.h"
#include "png_write.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int snapshot_write(const char *path, const uint8_t *rgba, uint32_t w,
                   uint32_t h, size_t stride)
{
    char err[160];
    int rc = pngw_write_rgba8(path, rgba, w, h, stride, err, sizeof(err));
    if (rc)
        msg_error("snapshot '%s': %s", path, err);
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
