/* What the GStreamer tests share: the test picture, its expected frames in
 * every format, GStreamer's own layout of a raw frame, gst-launch-1.0 as a
 * child, a reader that waits for a writer, and loopback ports. */
#ifndef LIBFRAME_TEST_GST_UTIL_H
#define LIBFRAME_TEST_GST_UTIL_H

#include "proc.h"
#include "runner.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A tight frame of ours (libframe's layout, stride_align 1). */
struct gstu_frame {
    uint32_t format, width, height;
    uint8_t *bytes;
    size_t len;
};
void gstu_frame_free(struct gstu_frame *f);

/* A picture no two rows or columns of which are alike, alpha included,
 * RGBA8, seeded so two producers can be told apart. */
void gstu_picture(struct gstu_frame *f, uint32_t width, uint32_t height,
                  unsigned seed);
/* src converted to format by libframe's rule (frame_convert), tight. */
void gstu_convert(struct gstu_frame *dst, const struct gstu_frame *src,
                  uint32_t format);
/* Write an RGBA8 frame as a PNG the producer can play. */
void gstu_write_png(const char *path, const struct gstu_frame *f);

/* The caps name of a libframe format ("GRAY16_LE"). */
const char *gstu_caps_name(uint32_t format);

/* Bytes GStreamer's default layout (GstVideoInfo: rows padded to 4 bytes,
 * as filesink writes a buffer without GstVideoMeta) gives one frame. */
size_t gstu_gst_size(uint32_t format, uint32_t width, uint32_t height);
/* Does the frame in GStreamer's default layout at gst (len bytes, exactly
 * one frame) hold the samples of want? Padding is not compared. On a
 * difference, false and why says where. */
bool gstu_same_as_gst(const struct gstu_frame *want, const uint8_t *gst,
                      size_t len, char *why, size_t whylen);
/* The same against planes anywhere, rows strides[p] bytes apart. */
bool gstu_same_as_planes(const struct gstu_frame *want,
                         const uint8_t *const *planes, const size_t *strides,
                         char *why, size_t whylen);
/* Copy a tight frame's rows into dst, plane p at offsets[p], rows
 * strides[p] bytes apart; bytes between are left as they were. */
void gstu_to_layout(const struct gstu_frame *f, uint8_t *dst,
                    const size_t *offsets, const size_t *strides);
/* Two tight frames: same format, size and bytes? why as above. */
bool gstu_same(const struct gstu_frame *want, const struct gstu_frame *got,
               char *why, size_t whylen);

/* Whether gst-inspect-1.0 knows every element named (NULL-terminated). */
bool gstu_have_elements(const char *const *names);

/* A command line built from formatted text split at spaces (pipelines of
 * ours put none inside a word). */
#define GSTU_WORDS_MAX 96
struct gstu_words {
    char text[GSTU_WORDS_MAX][256];
    const char *w[GSTU_WORDS_MAX + 1];
    int n;
};
void gstu_words(struct gstu_words *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* gst-launch-1.0 -e with the words given (NULL-terminated), stdout and
 * stderr into log (under ASan, tests/gst.cmake preloads the runtime into
 * every process of the test: gst-launch-1.0 is not instrumented). */
pid_t gstu_launch(const char *log, const char *const *words);
/* The same, with a limit: SIGALRM after limit_s seconds (a hang guard). */
pid_t gstu_launch_limit(const char *log, unsigned limit_s,
                        const char *const *words);

/* The producer on png at fps with extra arguments (NULL-terminated). */
pid_t gstu_producer(const char *log, const char *name, const char *png,
                    const char *const *extra);

/* A reader that waits for name's writer (FRAME_OPEN_WAIT). */
frame_reader *gstu_reader(const char *name);
/* Wait for the next new frame (through attach and restarts; a hang guard
 * of 30 s) and copy it tight in its own format. Returns what
 * frame_reader_wait() said last that was not a frame or a restart:
 * 0 when f holds a frame, FRAME_ECLOSED, FRAME_ELOST, -ETIMEDOUT. */
int gstu_next(frame_reader *r, struct gstu_frame *f, struct frame_view *v);

/* A TCP or UDP port on 127.0.0.1, free a moment ago, of this process's own
 * eight (from its pid: cases running at once never share one). */
int gstu_free_port(bool udp);
/* Wait (hang guard 30 s) until something listens on TCP port. Fails the
 * case if pid ends first. */
void gstu_wait_listening(int port, pid_t pid, const char *log);

/* A file's bytes, malloc()ed, and their count; NULL if unreadable. */
uint8_t *gstu_read_file(const char *path, size_t *len);

/* Whether libframe's /dev/shm object for name exists. */
bool gstu_segment_exists(const char *name);

#endif
