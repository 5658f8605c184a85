/* Snapshots: a frame into a PNG file at its own depth, and their
 * timestamped names. */
#ifndef VIEWER_SNAPSHOT_H
#define VIEWER_SNAPSHOT_H

#include <libframe/frame.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Write a frame to path as a PNG of its own samples: GRAY8 and GRAY16 as
 * 8- and 16-bit grey, RGB8 as RGB, RGBA8 and RGBA16 as 8- and 16-bit RGBA;
 * what PNG cannot store is converted by the library (frame_convert()):
 * BGRA8 to RGBA8, I420 and NV12 to RGB8 (BT.601 limited range). 0, or a
 * negative errno code and "PROG: snapshot 'path': why" on stderr
 * (msg_error(): the program main() named).
 */
int snapshot_write(const char *path, const struct frame_image *img);

/* An absolute path in the current directory for a snapshot taken now:
 * viewer-NAME-YYYYMMDD-HHMMSS.mmm.png. 0 or -ENAMETOOLONG. */
int snapshot_auto_path(const char *segment, char *buf, size_t len);

#endif
