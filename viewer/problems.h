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
void problem_text(const struct source *s, int rc, char *buf, size_t len);

/* A segment that cannot be used: said once (the library returns each
 * change of state once), then waited out. Returns whether it was said. */
bool problem_report(struct source *s, int rc);

/* --wait is over and no producer was ever found for s: said (with the
 * last problem, if any); true if so. */
bool problem_gave_up(const struct viewer *vw, const struct source *s,
                     int64_t now);

/*
 * The viewer holds each frame while it reads it, so the writer stays out
 * of its slot however slow the read; it can keep that promise only while
 * readers hold at most slot_count - 2 slots. Beyond that, held frames are
 * overwritten and the picture all but stops. Looked at a second at a
 * time, either of these is said once per reader handle, on stderr with
 * what to do, and in `out` (may be NULL) in a short form for the window:
 *   - fewer than 10 frames shown while at least 16 holds, and more than
 *     20 per frame shown, were overwritten or refused;
 *   - two looks in a row found the writer had written over held frames
 *     since the last (frame_info.overruns rising): readers, us or others
 *     (one holding frames and never letting go), hold more than it can
 *     spare. Whatever we hold then may be overwritten, so this is said
 *     whether or not we are fast enough to show frames meanwhile.
 * True when it was said now. r may be NULL (no handle).
 */
bool problem_starved(struct source *s, frame_reader *r, int64_t now, char *out,
                     size_t len);

#endif
