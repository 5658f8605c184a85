/* What goes wrong with a segment or its producer, said once on stderr
 * (and, for the window, in a short form for its status line). */
#ifndef VIEWER_PROBLEMS_H
#define VIEWER_PROBLEMS_H

#include "viewer.h"

#include <libframe/frame.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for problem_text(). */
#define PROBLEM_TEXT_MAX (FRAME_NAME_MAX + 96)

/* What to call a segment's problem rc, for stderr and the window:
 * "segment 'NAME': why". */
void problem_text(const struct viewer *vw, int rc, char *buf, size_t len);

/* A segment that cannot be used: said once (the library returns each
 * change of state once), then waited out. Returns whether it was said. */
bool problem_report(struct viewer *vw, int rc);

/* --wait is over and no producer was ever found: said (with the last
 * problem, if any); true if so. */
bool problem_gave_up(struct viewer *vw, int64_t now);

/*
 * A producer that publishes faster than we can read a whole frame rewrites
 * nearly every frame we start on, and the picture all but stops. Looked at
 * a second at a time: fewer than 10 frames shown while more than 95% of
 * the tries failed (at least 16) is said once per reader handle, on stderr
 * with what to do, and in `out` (may be NULL) in a short form for the
 * window. True when it was said now. r may be NULL (no handle).
 */
bool problem_starved(struct viewer *vw, frame_reader *r, int64_t now, char *out,
                     size_t len);

#endif
