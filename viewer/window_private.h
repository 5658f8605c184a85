/* What the window's files share: its state, its tiles' state and the
 * steps they call in one another. Not for the rest of the viewer
 * (window.h is). */
#ifndef VIEWER_WINDOW_PRIVATE_H
#define VIEWER_WINDOW_PRIVATE_H

#include "graph.h"
#include "layout.h"
#include "picture.h"
#include "present.h"
#include "text.h"
#include "viewer.h"
#include "waiter.h"
#include "zoom.h"

#include <libframe/frame.h>

#include <SDL.h>

#include <stdbool.h>
#include <stdint.h>

#define STATUS_MAX (FRAME_NAME_MAX + 200)

/* One segment's tile: its own reader, waiter thread, picture, counts,
 * problems and view. */
struct tile {
    int id; /* in its waiter's events: a dropped tile's late events are
               recognised by an id no tile has */
    struct source src;
    struct waiter waiter;
    frame_reader *r; /* the main thread's own handle */
    struct picture pic;
    char status[STATUS_MAX];
    bool paused;
    bool have_front;
    uint64_t front_session, front_frame_no;
    int64_t front_shown_ns;  /* when the front frame was shown: intervals */
    uint32_t bad_w, bad_h;   /* a size SDL could not take: skipped */
    struct layout_rect rect; /* where it is in the window */
    /* A validated copy of a frame in its own format: what a snapshot
     * writes, and what a pause shows (tile_snapshot.c). */
    struct {
        uint8_t *buf;
        size_t cap;
        bool have;
        struct frame_image img;
        uint64_t session, frame_no;
    } held;
    /* As last drawn: a stats tick redraws only if they would change. */
    char label[160];
    uint64_t hud_sum;
    /* A frame made front since the last redraw: counted (stats, graph)
     * once it is on screen. */
    bool pending;
    int64_t pending_publish_ns; /* 0: its latency means nothing */
    struct zoom view;           /* fitted, or zoomed and panned (tile_view.c) */
    bool gone; /* the producer stopped or died: dimmed until one is back */
    /* The probe's reading of the pixel under the cursor (tile_probe.c). */
    bool probe_have;
    char probe_text[96];
    uint32_t probe_x, probe_y;
    /* Where the label, the HUD's graph were drawn last (test mode). */
    SDL_Rect label_box, graph_box;
    struct graph graph; /* the HUD's plot of intervals and latency */
};

struct script;

struct window {
    struct viewer *vw;
    struct present *p;
    struct text *text;
    uint32_t event_type;
    struct tile **tiles;
    size_t n_tiles, cap_tiles;
    int next_id;
    size_t focus; /* the tile keys act on: under the mouse, or Tab's */
    bool hud;
    bool probe;
    bool dirty; /* redraw before sleeping */
    bool relayout;
    bool title_dirty;
    bool quit;
    bool sized;    /* the window was fitted to a first frame */
    bool mouse_in; /* the pointer is in the window, at mouse_x, mouse_y */
    int mouse_x, mouse_y;
    bool dragging;
    int64_t next_scan;     /* --all */
    struct script *script; /* the test mode, or NULL */
};

/* window.c */

/* The tile whose waiter has this id, or NULL (dropped). */
struct tile *window_tile_by_id(struct window *w, int id);

/* The tile at window point (x, y), or NULL. */
struct tile *window_tile_at(struct window *w, int x, int y);

/* tile.c: one segment's life in the window. */

/* Open a tile for name (reader, waiter) and add it. 0 or -1 (said). */
int tile_add(struct window *w, const char *name);

/* Stop and free tile i, taking it out of the window. */
void tile_remove(struct window *w, size_t i);

/* What its waiter thread saw. 0, or a failure to draw. */
int tile_on_segment(struct window *w, struct tile *t, int code);

/* The tile's status line, in the title (one tile) and on the tile until
 * the next frame is shown; fmt NULL clears it. */
void tile_set_status(struct window *w, struct tile *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A segment's problem, on stderr and in the status line, once. */
void tile_show_problem(struct window *w, struct tile *t, int rc);

/* tile_frame.c: frames from the mapping to the screen. */

/* Close the tile's handle and open it again, onto the writer the waiter
 * found. */
void tile_reopen_reader(struct tile *t);

/* Upload the newest frame from the mapping, validate, then make it the
 * tile's front one (drawn at the next redraw). `timed`: we were woken for
 * it, so its latency means something (a frame found on attach may be
 * old). 0, or a failure to draw. */
int tile_show_newest(struct window *w, struct tile *t, bool timed);

/* The frame v just uploaded becomes the front one. */
void tile_swap_in(struct window *w, struct tile *t, const struct frame_view *v);

/* tile_snapshot.c: the frame shown, copied in its own format, to PNG. */

/* Copy the newest frame (validated, its own format) into t->held and show
 * it if it is not the one shown: pausing shows exactly what a snapshot
 * then writes. 0, or why not (nothing said). */
int tile_hold_newest(struct window *w, struct tile *t);

/* Key s: a timestamped file in the current directory, its path printed. */
void tile_snapshot_key(struct window *w, struct tile *t);

/* --snapshot at exit. 0, or a negative code once said why not. */
int tile_snapshot_exit(struct window *w, struct tile *t);

/* Free the held copy. */
void tile_snapshot_free(struct tile *t);

/* tile_draw.c: what a tile shows. */

/* The tile's label: "NAME WxH FORMAT 29.9 fps". */
void tile_label(const struct window *w, const struct tile *t, char *buf,
                size_t len);

/* Whether the label or the HUD (when shown) would say something else than
 * they did when last drawn. */
bool tile_text_changed(struct window *w, const struct tile *t);

/* Frame, label, status, HUD and focus frame of tile t in its rect. */
int tile_draw(struct window *w, struct tile *t);

/* tile_view.c: where the frame is in the tile, zoomed and panned. */

/* The tile's rect and frame, told to its view (after a layout or a new
 * front frame). */
void tile_view_update(struct tile *t);

/* Fitted again (key 0). */
void tile_view_reset(struct tile *t);

/* 1:1 around the tile's centre (key 1). */
void tile_view_native(struct tile *t);

/* Zoom by `factor` around window point (x, y), which keeps showing the
 * same frame point. */
void tile_view_zoom(struct tile *t, double factor, int x, int y);

/* Pan by (dx, dy) window pixels. */
void tile_view_pan(struct tile *t, int dx, int dy);

/* What SDL_RenderCopy() takes for the tile's frame: the part of the
 * frame that shows, and where, in window pixels; *magnified: more than
 * one window pixel a frame pixel (drawn nearest-neighbour). False when
 * nothing of it shows. */
bool tile_view_rects(const struct tile *t, SDL_Rect *src, SDL_Rect *dst,
                     bool *magnified);

/* The frame pixel under window point (x, y); false outside the frame. */
bool tile_view_pixel(const struct tile *t, int x, int y, uint32_t *fx,
                     uint32_t *fy);

/* The window point at the centre of frame pixel (fx, fy). */
void tile_view_point(const struct tile *t, uint32_t fx, uint32_t fy, int *x,
                     int *y);

/* The HUD's graph of frame intervals and latency, under the HUD's box at
 * (x, y), w wide. 0 or -EIO. */
int tile_draw_graph(struct window *w, struct tile *t, int x, int y, int wid);

/* A frame shown at shown_ns, published at publish_ns (0: unknown), into
 * the graph (the interval since the tile's last frame, the latency). */
void tile_graph_frame(struct tile *t, int64_t publish_ns, int64_t shown_ns);

/* tile_probe.c: the probe. */

/* Read the pixel under the cursor of the frame shown (held while it is
 * read, like an upload, or from the paused copy) into t->probe_*; said to
 * the test mode when it changed. */
void tile_probe_update(struct window *w, struct tile *t);

/* window_draw.c: the whole window. */

/* Lay the tiles out again (the window's size or a frame's changed). */
void window_layout(struct window *w);

/* Title, every tile, presented; with read_back, the picture is also read
 * back before it is presented (the test mode's screenshots): *px, *pw,
 * *ph as present_read_rgba(). 0 or -EIO. */
int window_redraw(struct window *w);
int window_redraw_read(struct window *w, uint8_t **px, int *pw, int *ph);

/* window_keys.c: keys and the mouse. */
int window_on_key(struct window *w, const SDL_KeyboardEvent *k);
int window_on_mouse(struct window *w, const SDL_Event *ev);

/* window_script.c: the test mode (FRAME_VIEWER_SCRIPT). */

/* Read the script named by the environment, if any: 0, or -1 (said). */
int script_open(struct window *w);
void script_close(struct window *w);

/* Run the script's next steps that can run now (every tile has shown a
 * frame; a pause is over). Whether it wants the loop back soon: the
 * milliseconds to sleep at most, or -1. */
int script_step(struct window *w, int64_t now);

/* The probe's reading changed: printed when a script runs. */
void script_probe(struct window *w, const struct tile *t, const char *text,
                  const uint32_t *values, int n, uint32_t x, uint32_t y);

#endif
