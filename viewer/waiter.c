/* A thread that sleeps on the segment and wakes the SDL event loop. */
#include "waiter.h"

#include "clock.h"
#include "msg.h"

#include <libframe/frame.h>

#include <SDL.h>

#include <errno.h>
#include <signal.h>

/* How long one frame_reader_wait() may sleep: bounds how late the thread
 * notices waiter_stop() and a signal, at five cheap wake-ups a second. */
#define WAIT_MS 200

static void push_type(uint32_t type, int code, intptr_t tag)
{
    SDL_Event ev;
    SDL_zero(ev);
    ev.type = type;
    ev.user.code = code;
    ev.user.data1 = (void *)tag;
    /* Only fails when the queue is full (65535 events), which coalesced
     * frames and changes of state should never fill. */
    if (SDL_PushEvent(&ev) < 0)
        msg_error("SDL_PushEvent: %s", SDL_GetError());
}

static bool quitting(struct waiter *w) { return atomic_load(&w->quit); }

/* Acquire only to move this handle's "last seen" on, so the next wait
 * sleeps until a newer frame; the main thread shows frames itself. A
 * frame that cannot be read is remembered by the library, which does not
 * report it again. */
static void mark_seen(frame_reader *r)
{
    struct frame_view v;
    frame_reader_acquire(r, &v);
}

static void *run(void *arg)
{
    struct waiter *w = arg;
    frame_reader *r = w->r;
    bool quit_pushed = false;

    /* Attached already: the main thread's handle may not be (the writer
     * can have come between its open and ours). */
    if (frame_reader_state(r, NULL) == FRAME_READER_ATTACHED) {
        mark_seen(r);
        push_type(w->event_type, FRAME_ERESTARTED, w->tag);
    }
    while (!quitting(w)) {
        if (atomic_load(w->stop)) {
            if (!quit_pushed) {
                push_type(SDL_QUIT, 0, 0);
                quit_pushed = true;
            }
            sleep_ns(20 * 1000000); /* nothing more to do: wait to be joined */
            continue;
        }
        /* The library follows the segment: waiting, attached, stopped,
         * lost, restarted, broken; each change comes back once. */
        int rc = frame_reader_wait(r, WAIT_MS);
        if (rc == -ETIMEDOUT)
            continue;
        if (rc == 0 || rc == FRAME_ERESTARTED)
            mark_seen(r);
        if (rc == 0 && atomic_exchange(&w->frame_pending, true))
            continue; /* one frame event pending is enough */
        push_type(w->event_type, rc, w->tag);
    }
    return NULL;
}

int waiter_start(struct waiter *w, const char *name, uint32_t event_type,
                 intptr_t tag, const atomic_bool *stop)
{
    w->name = name;
    w->event_type = event_type;
    w->tag = tag;
    int rc = frame_reader_open_flags(name, FRAME_OPEN_WAIT, &w->r);
    if (rc)
        return rc;
    w->stop = stop;
    atomic_init(&w->quit, false);
    atomic_init(&w->frame_pending, false);
    w->running = false;

    /* SIGINT and SIGTERM must reach the main thread, which acts on them;
     * SIGBUS stays open: the library's guard handles it on any thread. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    rc = pthread_create(&w->thread, NULL, run, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) {
        frame_reader_close(w->r);
        w->r = NULL;
        return -rc;
    }
    w->running = true;
    return 0;
}

void waiter_frame_taken(struct waiter *w)
{
    atomic_store(&w->frame_pending, false);
}

void waiter_stop(struct waiter *w)
{
    if (!w->running)
        return;
    atomic_store(&w->quit, true);
    pthread_join(w->thread, NULL);
    w->running = false;
    frame_reader_close(w->r);
    w->r = NULL;
}
