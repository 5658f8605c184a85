/* What one run of the producer shares among its parts. */
#ifndef PRODUCER_PRODUCER_H
#define PRODUCER_PRODUCER_H

#include "cache.h"
#include "options.h"
#include "pacing.h"
#include "playlist.h"

#include <libframe/frame.h>

#include <stddef.h>

/* Readers want a sign of life this often; nothing waits longer. */
#define HEARTBEAT_NS 100000000

struct producer {
    struct options o;
    struct playlist list;
    frame_writer *w;
    /* Open before the segment exists: a renderer that waits for the
     * segment and then writes its first file must not be missed. */
    struct watch *watch;
    size_t frame_bytes; /* largest frame the segment holds */
    struct decoder *loader;
    struct decode_pool *pool;
    struct cache cache;
    struct frame_buffer slot; /* the frame begun in the back slot */
    int segment_rc;           /* the segment failed us: nothing more to do */
    size_t playing;           /* input index (tag) of the frame in the slot */
    double frame_ms;          /* decode (or copy) time of that frame */
    struct pacing pace;
};

#endif
