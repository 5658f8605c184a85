/* What the viewer's end-to-end tests share (test_viewer, test_viewer_tiles):
 * each case's directory and segment, the producer and viewer processes in
 * every mode, known images and their snapshots, and waiting for what the
 * viewer says. */
#ifndef LIBFRAME_TEST_VIEWER_UTIL_H
#define LIBFRAME_TEST_VIEWER_UTIL_H

#include "proc.h"
#include "runner.h"
#include "viewer_stats.h"

#include "png_write.h"

#include <libframe/frame.h>

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Generous: the suite also runs under ASan+UBSan on two loaded cores. */
#define EXIT_TIMEOUT_MS 60000
#define APPEAR_TIMEOUT_MS 30000

/* The case's private directory and segment name (setup() makes them). */
extern char dir[64];
extern char seg[FRAME_NAME_MAX + 1];

enum mode { HEADLESS, DUMMY, OFFSCREEN, XVFB, XVFB_SOFTWARE };

struct image {
    const char *tag;
    uint32_t w, h;
    struct pngw_spec spec;
    uint8_t *samples;
    uint8_t *expected; /* w * h * 4 */
    uint8_t palette[16][3];
    uint8_t trns[6];
};

enum kind {
    RGBA_ALPHA,
    GREY_ODD,
    RGB_WIDE,
    GREY_ALPHA,
    PALETTE_TRNS,
    LARGE,
    N_KINDS
};

const char *path_in_dir(const char *file);

void cleanup(void);

void setup(const char *tag);

pid_t start(const char *const *argv, const char *const *env, const char *out,
            const char *err);

pid_t start_producer(const char *png, const char *fps, const char *err);

void stop_producer(pid_t pid, const char *err);

void expect_end(pid_t pid, int want, const char *what, const char *err);

const char *mode_name(enum mode m);

/* Start the viewer in mode m with arguments args (NULL-terminated: the
 * segments too) and env_extra added to the mode's environment (NULL, or
 * NULL-terminated). */
pid_t start_viewer_with(enum mode m, const char *const *args,
                        const char *const *env_extra, const char *out,
                        const char *err);

/* The viewer of the case's segment (--name seg) with extra arguments. */
pid_t start_viewer(enum mode m, const char *const *args, const char *out,
                   const char *err);

pid_t viewer_pid(pid_t leader, enum mode m);

void stop_viewer(pid_t leader, enum mode m);

void put(uint8_t *px, uint8_t r, uint8_t g, uint8_t b, uint8_t a);

void make_image(enum kind k, struct image *img);

const char *write_image(enum kind k, struct image *img);

void free_image(struct image *img);

void check_snapshot(const char *path, const struct image *img,
                    const char *what);

void wait_until_shown(const char *out, int from, const char *err);

void wait_for_text(const char *path, const char *text);

void wait_for_lines(const char *path, int n, const char *err);

/* Another segment name for the case, "SEG-suffix", removed at exit. */
const char *seg_more(const char *suffix);

#endif
