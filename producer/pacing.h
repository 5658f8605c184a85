/* Frames committed at their deadlines, on one cadence, and the --stats
 * line. */
#ifndef PRODUCER_PACING_H
#define PRODUCER_PACING_H

#include <stdbool.h>
#include <stdint.h>

struct producer;

struct pacing {
    int64_t period; /* ns; 0: unpaced */
    int64_t start_ns;
    /* When the next frame is due: one cadence from the given files on
     * through the watched ones. */
    int64_t deadline;
    uint64_t published;
    /* the current --stats interval */
    int64_t interval_ns;
    uint64_t interval_frames;
    double interval_ms;
    uint64_t interval_late;
};

/* The cadence starts now, at fps frames a second (0: unpaced). */
void pacing_start(struct pacing *pc, double fps);

/* Before a frame that was not waiting (a watched file arriving after a
 * pause): a deadline more than a period past moves to now. A renderer may
 * write faster than --fps: pace, never burst. */
void pacing_rejoin(struct pacing *pc);

/* Commit the frame in the slot at its deadline. False if stopping, or if
 * the segment failed (said). */
bool pacing_publish(struct producer *p);

/* Beat the heartbeat and print the --stats line if a second has passed:
 * for a loop that waits on something else than a deadline. */
void pacing_idle(struct producer *p);

#endif
