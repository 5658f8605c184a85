/* A thread that sleeps on the segment and wakes the SDL event loop. */
#ifndef VIEWER_WAITER_H
#define VIEWER_WAITER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The waiter owns its own frame_reader (a handle is single-threaded) and
 * pushes one SDL user event of type `event_type` for every change, with
 * user.code set to:
 *   WAITER_ATTACHED      a segment was opened: open your own handle;
 *   0                    a new frame (coalesced: at most one pending, until
 *                        waiter_frame_taken() is called);
 *   FRAME_ELOST, FRAME_ECLOSED, FRAME_ERESTARTED, or a validation error of
 *                        frame_reader_open()/frame_reader_wait(), pushed
 *                        once each time it changes.
 * When *stop becomes true (a signal), it pushes one SDL_QUIT.
 */
#define WAITER_ATTACHED 1

struct waiter {
    const char *name;
    uint32_t event_type;
    const atomic_bool *stop;
    atomic_bool quit;          /* set by waiter_stop() */
    atomic_bool frame_pending; /* a frame event is in the queue */
    pthread_t thread;
    bool running;
};

/* Start the thread; signals stay with the calling thread. 0 or -errno. */
int waiter_start(struct waiter *w, const char *name, uint32_t event_type,
                 const atomic_bool *stop);

/* The main thread has taken the pending frame event. */
void waiter_frame_taken(struct waiter *w);

/* Stop and join the thread (within one wait period, ~200 ms). */
void waiter_stop(struct waiter *w);

#endif
