/* The producer's command line: what the run was asked to do. */
#ifndef PRODUCER_OPTIONS_H
#define PRODUCER_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct options {
    const char *name;
    double fps;
    bool loop;
    uint64_t count;
    uint32_t slots;
    int cache;            /* -1 off, 0 when it fits the limit, 1 forced */
    uint64_t cache_limit; /* bytes */
    unsigned threads;
    const char *watch_dir;
    bool stats;
    bool quiet;
    uint32_t max_w, max_h; /* 0: the largest input */
    /* What every frame is published as: an enum frame_pixel_format, or
     * FORMAT_NATIVE (0, decode.h) for each file's own samples. */
    uint32_t format;
    char **paths; /* the PATHs, in the order given */
    int npaths;
};

/* Fill o from argv. Returns -1 to go on, or the exit status: 0 after
 * --help or --version, 2 (said on stderr) for bad usage. */
int options_parse(int argc, char **argv, struct options *o);

#endif
