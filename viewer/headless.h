/* The viewer without a window: each new frame copied out of the segment. */
#ifndef VIEWER_HEADLESS_H
#define VIEWER_HEADLESS_H

#include "viewer.h"

/* Until viewer_finished() or --wait gives up; then --snapshot. The exit
 * status. */
int headless_run(struct viewer *vw);

#endif
