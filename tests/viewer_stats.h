/* The viewer's --stats lines, read by test_viewer and test_hardening:
 * both run the real viewer and wait for it to show frames. */
#ifndef LIBFRAME_TEST_VIEWER_STATS_H
#define LIBFRAME_TEST_VIEWER_STATS_H

#include "proc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether a line of the viewer's stdout (the file out) at index from or
 * later says frames were shown: "shown N fps" with N > 0. */
static inline bool shown_since(const char *out, int from)
{
    char *s = read_text(out);
    int line = 0;
    bool yes = false;
    for (char *p = s; p && *p; line++) {
        double fps;
        if (line >= from && sscanf(p, "shown %lf fps", &fps) == 1 && fps > 0)
            yes = true;
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    free(s);
    return yes;
}

#endif
