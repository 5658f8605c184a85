/* A thread that sleeps on the segment and wakes the SDL event loop. */
#include "waiter.h"

#include <libframe/frame.h>

#include <SDL.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

/* How long one frame_reader_wait() may sleep: bounds how late the thread
 * notices waiter_stop() and a signal, at five cheap wake-ups a second. */
#define WAIT_MS 200
/* Back-off while no segment exists; short, so a producer started after us
 * is picked up at once, and capped low because each try is one shm_open. */
#define OPEN_MIN_MS 20
#define OPEN_MAX_MS 250
/* A segment that opens but cannot be used is tried again less often. */
#define PROBLEM_MAX_MS 1000
/* A torn acquire does not move the reader's "last seen" on, so the next
 * wait would return at once: rest a little instead of spinning. */
#define BUSY_REST_MS 20

static void push(struct waiter *w, int code)
{
    SDL_Event ev;
    SDL_zero(ev);
    ev.type = w->event_type;
    ev.user.code = code;
    /* Only fails when the queue is full (65535 events), which coalesced
     * frames and changes of state should never fill. */
    if (SDL_PushEvent(&ev) < 0)
        fprintf(stderr, "viewer: SDL_PushEvent: %s\n", SDL_GetError());
}

static bool quitting(struct waiter *w)
{
    return atomic_load(&w->quit);
}

/* Sleep ms milliseconds in slices, returning early if asked to quit or
 * on a signal (the loop then pushes SDL_QUIT and idles until joined). */
static void nap(struct waiter *w, int ms)
{
    while (ms > 0 && !quitting(w) && !atomic_load(w->stop)) {
        int step = ms < WAIT_MS ? ms : WAIT_MS;
        struct timespec ts = {0, (long)step * 1000000};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

/* Acquire only to move this handle's "last seen" on, so the next wait
 * sleeps until a newer frame; the main thread shows frames itself.
 * Returns the acquire's code. */
static int mark_seen(struct waiter *w, frame_reader *r)
{
    struct frame_view v;
    int rc = frame_reader_acquire(r, &v);
    if (rc == FRAME_EBUSY)
        nap(w, BUSY_REST_MS);
    return rc;
}

static int grow(int backoff, int cap)
{
    return backoff * 2 > cap ? cap : backoff * 2;
}

static void *run(void *arg)
{
    struct waiter *w = arg;
    frame_reader *r = NULL;
    int reported = INT_MIN; /* the last state pushed, to push changes once */
    int backoff = OPEN_MIN_MS;
    bool quit_pushed = false;

    while (!quitting(w)) {
        if (atomic_load(w->stop)) {
            if (!quit_pushed) {
                SDL_Event ev;
                SDL_zero(ev);
                ev.type = SDL_QUIT;
                if (SDL_PushEvent(&ev) < 0)
                    fprintf(stderr, "viewer: SDL_PushEvent: %s\n",
                            SDL_GetError());
                quit_pushed = true;
            }
            struct timespec ts = {0, 20 * 1000000L};
            nanosleep(&ts, NULL); /* nothing more to do: wait to be joined */
            continue;
        }
        if (!r) {
            int rc = frame_reader_open(w->name, &r);
            if (rc == 0) {
                /* The back-off starts again only once frames can be
                 * read: a segment that opens but then fails must not be
                 * reopened fifty times a second. */
                rc = mark_seen(w, r);
                if (rc == 0 || rc == FRAME_ENOFRAME)
                    backoff = OPEN_MIN_MS;
                push(w, WAITER_ATTACHED);
                reported = WAITER_ATTACHED;
                continue;
            }
            r = NULL;
            bool absent = rc == -ENOENT || rc == -EAGAIN;
            if (!absent && rc != reported) {
                push(w, rc);
                reported = rc;
            }
            nap(w, backoff);
            backoff = grow(backoff, absent ? OPEN_MAX_MS : PROBLEM_MAX_MS);
            continue;
        }
        int rc = frame_reader_wait(r, WAIT_MS);
        switch (rc) {
        case -ETIMEDOUT:
            break;
        case 0:
            if (mark_seen(w, r) == 0)
                backoff = OPEN_MIN_MS;
            if (!atomic_exchange(&w->frame_pending, true))
                push(w, 0);
            reported = 0;
            break;
        case FRAME_ERESTARTED:
            mark_seen(w, r);
            push(w, rc);
            reported = rc;
            break;
        case FRAME_EDEAD:
            /* Truncated under us, or a frame descriptor was impossible:
             * this mapping is done for; open afresh, unhurried. */
            frame_reader_close(r);
            r = NULL;
            push(w, rc);
            reported = rc;
            nap(w, backoff);
            backoff = grow(backoff, PROBLEM_MAX_MS);
            break;
        default:
            /* Lost, closed, or what re-attaching found. The library paces
             * its re-attach attempts, so the next wait sleeps. */
            if (rc != reported) {
                push(w, rc);
                reported = rc;
            }
            break;
        }
    }
    frame_reader_close(r);
    return NULL;
}

int waiter_start(struct waiter *w, const char *name, uint32_t event_type,
                 const atomic_bool *stop)
{
    w->name = name;
    w->event_type = event_type;
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
    int rc = pthread_create(&w->thread, NULL, run, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc)
        return -rc;
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
}
