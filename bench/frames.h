/* The frames writers send, and the reading every "full" reader does. */
#ifndef BENCH_FRAMES_H
#define BENCH_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* A pre-decoded frame (the test card), tightly packed: RGBA8, or converted
 * by libframe to another format, its planes one after another. */
struct source {
    uint32_t width, height;
    uint32_t format; /* enum frame_pixel_format */
    size_t bytes;
    uint8_t *pixels;
    uint64_t base_sum; /* frame_sum() without its first and last words */
};

/* The RGBA8 frame for this size, drawn on first use and kept. */
const struct source *source_get(uint32_t width, uint32_t height);
/* The same frame in format (frame_convert()), laid out as
 * frame_image_layout() with stride_align 1 says; NULL without memory, or
 * when it is not a whole number of 64-bit words. */
const struct source *source_get_format(uint32_t width, uint32_t height,
                                       uint32_t format);
void sources_free(void);

/* What a "full" reader does with every byte: a 64-bit word sum. The same
 * function for every transport, so the kernel copies are compared fairly. */
uint64_t frame_sum(const uint8_t *p, size_t bytes);

/* The writer writes the frame number into the first and last word of each
 * frame, so a reader can tell a torn or stale frame from a good one. */
void frame_stamp(uint8_t *p, size_t bytes, uint64_t frame_no);
uint64_t frame_expected(const struct source *s, uint64_t frame_no);

/* The drawing every "render" writer does, wherever its transport wants
 * the frame: an RGBA8 pattern that moves with frame_no, every pixel
 * computed and stored, rows of stride bytes. */
void frame_draw(uint8_t *p, uint32_t width, uint32_t height, size_t stride,
                uint64_t frame_no);

/* frame_draw(), timed on the thread's CPU clock: the drawing's CPU in ns.
 * That clock is a system call (1.2-3 us on this VM, more right after a
 * frame-sized drawing), and about one of the two reads a frame falls
 * outside the interval: every render writer's transport figure carries
 * that cost alike. CLOCK_MONOTONIC (vDSO) would cost nothing but counts
 * preemption as drawing, and sampling one frame in 8 left an estimate
 * noisier than the transport's whole cost at 4K; both were tried. */
int64_t frame_draw_timed(uint8_t *p, uint32_t width, uint32_t height,
                         size_t stride, uint64_t frame_no);

#endif
