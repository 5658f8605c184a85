/* Snapshots: an RGBA8 frame into a PNG file, and their timestamped names. */
#ifndef VIEWER_SNAPSHOT_H
#define VIEWER_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

/* Write w x h RGBA8 pixels (rows of stride bytes) to path as an 8-bit RGBA
 * PNG, unchanged. 0, or a negative errno code and "PROG: snapshot 'path':
 * why" on stderr (msg_error(): the program main() named). */
int snapshot_write(const char *path, const uint8_t *rgba, uint32_t w,
                   uint32_t h, size_t stride);

/* An absolute path in the current directory for a snapshot taken now:
 * viewer-NAME-YYYYMMDD-HHMMSS.mmm.png. 0 or -ENAMETOOLONG. */
int snapshot_auto_path(const char *segment, char *buf, size_t len);

#endif
