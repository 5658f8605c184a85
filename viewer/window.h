/* The viewer in an SDL window, a waiter thread waking its event loop. */
#ifndef VIEWER_WINDOW_H
#define VIEWER_WINDOW_H

#include "viewer.h"

/* Until viewer_finished(), q, Esc, closing the window, or --wait giving
 * up; then --snapshot. The exit status. */
int window_run(struct viewer *vw);

#endif
