/* The inputs in play order: bad files said once and dropped, the cursor
 * looping (or not) over the rest. */
#ifndef PRODUCER_PLAYLIST_H
#define PRODUCER_PLAYLIST_H

#include "inputs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NO_FILE ((size_t)-1)

struct playlist {
    struct input_list in;
    bool *dropped;    /* bad files, reported once and never tried again */
    size_t live;      /* inputs not dropped */
    size_t cursor;    /* next input in play order */
    bool loop;        /* false: --once, or --watch after the PATHs */
    bool pass_over;   /* not looping, and the list has been played */
    uint64_t skipped; /* bad files said, given or watched */
};

/* What the inputs need of the segment, from their headers. */
struct sizing {
    uint32_t width, height, format; /* the frame taking the most bytes */
    size_t bytes;                   /* 0: no input */
    uint64_t total;   /* the bytes of every input's frame: a cache's need */
    uint32_t formats; /* bit f set: some input is published as format f */
};

/* Expand paths, read every header, drop the bad, and size the frames as
 * they will be published (want: a format or FORMAT_NATIVE). 0 or
 * -ENOMEM. */
int playlist_gather(struct playlist *pl, char *const *paths, int n,
                    uint32_t want, struct sizing *sz);

/* Say "prog: 'path': why" once, and never play the file again. */
void playlist_drop(struct playlist *pl, size_t file, const char *why);

/* The same for a file that is not in the list (a watched one). */
void playlist_skip(struct playlist *pl, const char *path, const char *why);

/* The next input in play order (ctx: the playlist), or NO_FILE once a
 * list that does not loop has been played. The decode pool calls it. */
size_t playlist_next(void *ctx);

void playlist_free(struct playlist *pl);

#endif
