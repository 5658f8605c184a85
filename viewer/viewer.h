/* What the headless and window modes share: the options, the deadlines,
 * and one `struct source` per segment followed (its counts, figures and
 * problems), with the reader handles' open and close. */
#ifndef VIEWER_VIEWER_H
#define VIEWER_VIEWER_H

#include "options.h"
#include "stats.h"

#include <libframe/frame.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct viewer {
    struct options o;
    int64_t end_ns;      /* --seconds */
    int64_t wait_end_ns; /* --wait, until the first producer is found */
    /* Several segments (several names, or --all): messages and --stats
     * lines start with the segment's name, and snapshots get one file
     * each. One name alone keeps the output of the one-segment viewer. */
    bool multi;
    /* The run is over for every segment (--all's loop ended it): threads
     * following one look at it as at a signal. */
    atomic_bool quit;
};

/* One segment followed, in either mode. */
struct source {
    char name[FRAME_NAME_MAX + 1];
    char prefix[FRAME_NAME_MAX + 3]; /* "NAME: " among several, else "" */
    bool attached;                   /* a producer has been found once */
    uint64_t shown;                  /* frames shown since start */
    int reported; /* the last problem printed, to print each once */
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

/* Start the clocks of --seconds and --wait at `start`. */
void viewer_start(struct viewer *vw, int64_t start);

/* A signal or --seconds: time to leave. */
bool viewer_finished(const struct viewer *vw, int64_t now);

/* --frames reached for this segment. */
bool viewer_source_done(const struct viewer *vw, const struct source *s);

/* A source for segment name, its stats started at `start`. */
void viewer_source_init(const struct viewer *vw, struct source *s,
                        const char *name, int64_t start);

/* Roll the source's stats interval if it is over, printing its --stats
 * line; true if it was. `wanted`: someone looks at the figures. */
bool viewer_stats_tick(const struct viewer *vw, struct source *s,
                       frame_reader *r, int64_t now, bool wanted);

/* Open a handle on the source's segment: attached at once, or
 * (FRAME_OPEN_WAIT) waiting, or what the name holds is unusable and the
 * first wait says why. 0, or why not (said). */
int viewer_open_reader(const struct viewer *vw, struct source *s,
                       frame_reader **r);

/* Close *r (NULL is fine), keeping its counters for the stats. */
void viewer_close_reader(struct source *s, frame_reader **r);

/* --snapshot's file for a segment: FILE itself for one segment; among
 * several, FILE with its %s replaced by the name, or without one, its
 * stem, "-NAME" and ".png". 0 or -ENAMETOOLONG. */
int viewer_snapshot_path(const struct viewer *vw, const char *name, char *buf,
                         size_t len);

/* --snapshot at exit: img, the last frame of s shown, in its own format,
 * or NULL when none was. 0, or a negative code once said why not. */
int viewer_save_snapshot(const struct viewer *vw, const struct source *s,
                         const struct frame_image *img);

#endif
