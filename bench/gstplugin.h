/* The gstreamer section: libframe's own GStreamer elements (issue 16)
 * against GStreamer's shm pair, through gst-launch-1.0. */
#ifndef BENCH_GSTPLUGIN_H
#define BENCH_GSTPLUGIN_H

#include "bench.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Point GStreamer at the plugin (FRAMEBENCH_GST_PLUGIN_DIR in the
 * environment, else the build tree's) and see that gst-launch-1.0 and
 * every element the rows use are there. NULL when they are, else why
 * not (a row status). */
const char *gstplugin_status(void);

/* libframesrc ! fakesink, fed by a libframe writer publishing RGBA8 frames
 * as fast as it can: frames/s libframesrc pushes, GB/s, its CPU; with
 * zero_copy, frames handed out in place (libframesrc zero-copy=true). */
void run_gstplugin_src(const struct opts *o, uint32_t width, uint32_t height,
                       uint32_t slots, bool zero_copy, struct measure *m);

/* videotestsrc drawing each frame (a solid colour) straight into
 * libframesink's slots (its pool): frames/s the sink takes, GB/s, the
 * pipeline's CPU. */
void run_gstplugin_sink(const struct opts *o, uint32_t width, uint32_t height,
                        uint32_t slots, struct measure *m);

/* The same videotestsrc into fakesink, in videotestsrc's own buffers: the
 * source alone, no transport (where the sink rows stand). */
void run_gst_drawn_alone(const struct opts *o, uint32_t width, uint32_t height,
                         struct measure *m);

#endif
