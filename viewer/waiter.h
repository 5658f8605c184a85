/* A thread that sleeps on the segment and wakes the SDL event loop. */
#ifndef VIEWER_WAITER_H
#define VIEWER_WAITER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The waiter owns its own frame_reader (a handle is single-threaded),
 * follows the segment's life cycle with it and pushes one SDL user event
 * of type `event_type` for every change, with user.code set to what
 * frame_reader_wait() returned and user.data1 to the waiter's `tag` (the
 * tile it wakes: several waiters share one event type):
 *   0                    a new frame (coalesced: at most one pending, until
 *                        waiter_frame_taken() is called);
 *   FRAME_ERESTARTED     attached to a writer (also once at start if one is
 *                        there): open your own handle again;
 *   FRAME_ELOST, FRAME_ECLOSED, or why the segment is broken.
 * When *stop becomes true (a signal), it pushes one SDL_QUIT.
 */
struct waiter {
    const char *name;
    uint32_t event_type;
    intptr_t tag;
    const atomic_bool *stop;
    atomic_bool quit;          /* set by waiter_stop() */
    atomic_bool frame_pending; /* a frame event is in the queue */
    pthread_t thread;
    bool running;
    struct frame_reader *r;
};

/* Open the thread's handle and start it; signals stay with the calling
 * thread. 0, -errno or a frame_reader_open_flags() error. */
int waiter_start(struct waiter *w, const char *name, uint32_t event_type,
                 intptr_t tag, const atomic_bool *stop);

/* The main thread has taken the pending frame event. */
void waiter_frame_taken(struct waiter *w);

/* Stop and join the thread (within one wait period, ~200 ms). */
void waiter_stop(struct waiter *w);

#endif
