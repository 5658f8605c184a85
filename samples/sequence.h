/* Writing numbered test card frames as PNG files, on several threads. */
#ifndef LIBFRAME_SAMPLES_SEQUENCE_H
#define LIBFRAME_SAMPLES_SEQUENCE_H

#include <stddef.h>
#include <stdint.h>

struct sequence {
    const char *dir; /* must exist */
    uint32_t width, height;
    unsigned frames; /* written as frame0001.png, frame0002.png... */
    unsigned fps;
    unsigned noise; /* see struct testcard */
    int level;      /* zlib level 0..9 */
    unsigned jobs;  /* threads, at least 1 */
};

/* 0, or the first failure (-errno style) with `err` saying which file and
 * why; frames already written stay. */
int sequence_write(const struct sequence *seq, char *err, size_t errlen);

#endif
