/* What the window's files share: its state and the steps they call in one
 * another. Not for the rest of the viewer (window.h is). */
#ifndef VIEWER_WINDOW_PRIVATE_H
#define VIEWER_WINDOW_PRIVATE_H

#include "present.h"
#include "viewer.h"
#include "waiter.h"

#include <libframe/frame.h>

#include <SDL.h>

#include <stdbool.h>
#include <stdint.h>

struct window {
    struct viewer *vw;
    struct present *p;
    struct waiter waiter;
    uint32_t event_type;
    frame_reader *r; /* the main thread's own handle */
    char status[FRAME_NAME_MAX + 128];
    bool paused;
    bool hud;
    bool dirty; /* redraw before sleeping */
    bool title_dirty;
    bool quit;
    bool have_front;
    uint64_t front_session, front_frame_no;
    uint32_t bad_w, bad_h; /* a size SDL could not take: skipped */
    /* A validated copy of a frame in its own format: what a snapshot
     * writes, and what a pause shows (window_snapshot.c). */
    struct {
        uint8_t *buf;
        size_t cap;
        bool have;
        struct frame_image img;
        uint64_t session, frame_no;
    } held;
};

/* window_draw.c: what the window says. */

/* The status line, in the title and centred on the frame until the next
 * frame is shown; fmt NULL clears it. */
void window_set_status(struct window *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Title, frame, status and HUD, presented. 0 or -EIO. */
int window_redraw(struct window *w);

/* A segment's problem, on stderr and in the status line, once. */
void window_show_problem(struct window *w, int rc);

/* window_frame.c: frames from the mapping to the screen. */

/* Close our handle and open it again, onto the writer the waiter found. */
void window_reopen_reader(struct window *w);

/* Upload the newest frame from the mapping, validate, then present it.
 * `timed`: we were woken for it, so its latency means something (a frame
 * found on attach may be old). 0, or a failure to draw. */
int window_show_newest(struct window *w, bool timed);

/* The frame v just uploaded becomes the front one. */
void window_swap_in(struct window *w, const struct frame_view *v);

/* window_keys.c */
int window_on_key(struct window *w, const SDL_KeyboardEvent *k);

/* window_snapshot.c: the frame shown, copied in its own format, to PNG. */

/* Copy the newest frame (validated, its own format) into w->held and show
 * it if it is not the one shown: pausing shows exactly what a snapshot
 * then writes. 0, or why not (nothing said). */
int window_hold_newest(struct window *w);

/* Key s: a timestamped file in the current directory, its path printed. */
void window_snapshot_key(struct window *w);

/* --snapshot at exit. 0, or a negative code once said why not. */
int window_snapshot_exit(struct window *w);

/* Free the held copy. */
void window_snapshot_free(struct window *w);

#endif
