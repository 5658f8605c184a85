/* What the headless and window modes share: the options, the deadlines,
 * the counts and the figures, and the reader handles' open and close. */
#ifndef VIEWER_VIEWER_H
#define VIEWER_VIEWER_H

#include "options.h"
#include "stats.h"

#include <libframe/frame.h>

#include <stdbool.h>
#include <stdint.h>

struct viewer {
    struct options o;
    int64_t end_ns;      /* --seconds */
    int64_t wait_end_ns; /* --wait, until the first producer is found */
    bool attached;       /* a producer has been found at least once */
    uint64_t shown;      /* frames shown since start */
    int reported;        /* the last problem printed, to print each once */
    struct stats st;
    uint64_t hold_busy; /* holds refused: every try overwritten */
    /* since the last look, to tell a starved reader (problem_starved()) */
    struct {
        uint64_t shown, retries, busy;
        uint64_t overruns; /* the writer's count at the last look */
        int64_t since;
        int full; /* looks in a row the writer overwrote held frames */
        bool said;
    } starve;
};

/* Start the clocks of --seconds, --wait and the stats at `start`. */
void viewer_start(struct viewer *vw, int64_t start);

/* A signal, --seconds or --frames: time to leave. */
bool viewer_finished(const struct viewer *vw, int64_t now);

/* Roll the stats interval if it is over, printing the --stats line; true
 * if it was. `wanted`: someone looks at the figures. */
bool viewer_stats_tick(struct viewer *vw, frame_reader *r, int64_t now,
                       bool wanted);

/* Open a handle on the segment: attached at once, or (FRAME_OPEN_WAIT)
 * waiting, or what the name holds is unusable and the first wait says
 * why. 0, or why not (said). */
int viewer_open_reader(struct viewer *vw, frame_reader **r);

/* Close *r (NULL is fine), keeping its counters for the stats. */
void viewer_close_reader(struct viewer *vw, frame_reader **r);

/* --snapshot at exit: img, the last frame shown in its own format, or
 * NULL when none was. 0, or a negative code once said why not. */
int viewer_save_snapshot(const struct viewer *vw,
                         const struct frame_image *img);

#endif
