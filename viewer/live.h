/* --all: which segments are there, from the library's list of objects
 * under its prefix (what framectl list shows). */
#ifndef VIEWER_LIVE_H
#define VIEWER_LIVE_H

#include <libframe/frame.h>

#include <stdbool.h>
#include <stddef.h>

/* How often --all looks for new segments and gone ones: a readdir of
 * FRAME_SHM_DIR, so a new producer gets a tile within half a second. */
#define LIVE_SCAN_NS INT64_C(500000000)

struct live_list {
    char (*names)[FRAME_NAME_MAX + 1];
    size_t n;
};

/* Every segment name under the prefix that is ours to open (status 0),
 * sorted. 0 or a negative code (nothing is said). */
int live_scan(struct live_list *out);

/* Whether the list has name. */
bool live_has(const struct live_list *l, const char *name);

/* Whether name's segment has a running writer now: --all takes up only
 * those, not the leftovers of producers killed long ago. */
bool live_running(const char *name);

void live_free(struct live_list *l);

#endif
