/* The three ways a frame gets into the back slot: decoded straight into
 * it, copied from the decoding threads, copied from the cache. */
#ifndef PRODUCER_SOURCES_H
#define PRODUCER_SOURCES_H

#include "producer.h"

#include <stddef.h>

enum {
    SOURCE_PLAYED = 1,   /* a list that does not loop has been played */
    SOURCE_BAD_FILE = 2, /* the file is bad: err says why, nothing begun */
};

/*
 * Put the next good frame of the playlist into the back slot (begun, not
 * committed), from whichever source serves now. Returns 0,
 * SOURCE_PLAYED, -ENOENT when no input is usable, -EINTR when asked to
 * stop, or the segment's fault, already said.
 */
int source_next(struct producer *p);

/* Decode path straight into the back slot (begun, not committed), for
 * the playlist and the watched files alike. Returns 0, SOURCE_BAD_FILE,
 * -EINTR when asked to stop, or the segment's fault, already said. */
int source_decode(struct producer *p, const char *path, char *err,
                  size_t errlen);

/* The segment failed: nothing more can be published. Says so, returns rc
 * (the run then ends with 1). */
int segment_failed(const struct producer *p, int rc);

#endif
