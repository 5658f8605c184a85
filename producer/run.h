/* The two ways to run: play the list, then watch a directory. */
#ifndef PRODUCER_RUN_H
#define PRODUCER_RUN_H

#include "producer.h"

/* Publish the playlist until --count, the end of a list that does not
 * loop, or a stop. Returns the exit status. */
int run_play(struct producer *p);

/* Publish each new PNG in --watch DIR until --count or a stop. Returns
 * the exit status. */
int run_watch(struct producer *p);

#endif
