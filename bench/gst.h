/* The optional GStreamer peer, driven through gst-launch-1.0. */
#ifndef BENCH_GST_H
#define BENCH_GST_H

#include "bench.h"

#include <stdbool.h>
#include <stdint.h>

/* gst-launch-1.0 and the elements we use (shm from the bad plugins). */
bool gst_available(void);

/* Touch reader only: fps, GB/s and CPU; no latency (gst-launch does not
 * expose per-buffer times without adding work to the pipeline). The
 * writer copies one prepared frame again and again, or (draw) has
 * videotestsrc draw each frame (a solid colour) before shmsink copies it. */
void run_gst(const struct opts *o, uint32_t width, uint32_t height, bool draw,
             struct measure *m);

#endif
