/* A tile's graph: the last few seconds of inter-frame intervals and
 * publish-to-present latencies, drawn with SDL's renderer. */
#ifndef VIEWER_GRAPH_H
#define VIEWER_GRAPH_H

#include "text.h"

#include <SDL.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GRAPH_WINDOW_NS INT64_C(5000000000) /* the default span */
/* Points a graph keeps: the span is cut into this many buckets, and the
 * frames of one bucket are one point (the largest of each figure: a
 * stall must not be averaged away). */
#define GRAPH_POINTS 512
/* The span touches up to two buckets more, at its ends. */
#define GRAPH_CAP (GRAPH_POINTS + 2)

enum graph_series {
    GRAPH_INTERVAL, /* from the previous frame shown to this one */
    GRAPH_LATENCY,  /* from its publish to its showing */
};

struct graph_point {
    int64_t t_ns;    /* when shown (CLOCK_MONOTONIC) */
    int64_t v_ns[2]; /* by enum graph_series; -1: unknown */
};

/* Treat as opaque. No allocation: embed it in the tile. */
struct graph {
    int64_t window_ns, bucket_ns;
    struct graph_point p[GRAPH_CAP];
    size_t head, n; /* the oldest point, how many */
    int64_t last_shown;
    bool have_last;
    SDL_Point line[GRAPH_CAP]; /* drawing's scratch */
};

/* Empty, spanning window_ns (GRAPH_WINDOW_NS if 0 or less). */
void graph_init(struct graph *g, int64_t window_ns);

/* Forget every point and the previous frame (a new producer). */
void graph_reset(struct graph *g);

/* A frame shown at shown_ns that was published at publish_ns (0: not
 * known); times never go back. */
void graph_frame(struct graph *g, int64_t shown_ns, int64_t publish_ns);

/* Drop points older than the span before now. graph_draw() does it. */
void graph_prune(struct graph *g, int64_t now);

/* Points kept; point i, oldest first. */
size_t graph_count(const struct graph *g);
const struct graph_point *graph_at(const struct graph *g, size_t i);

/* The largest value of a series among the points kept; false if none. */
bool graph_max(const struct graph *g, enum graph_series s, int64_t *max);

/* The top of the scale for a largest value: 1, 2 or 5 times a power of
 * ten, at least 0.1 ms. Its label, e.g. "50 ms", "2 s". */
int64_t graph_scale_top(int64_t max_ns);
void graph_scale_label(int64_t top_ns, char *buf, size_t len);

/* Colours of the series. */
SDL_Color graph_colour(enum graph_series s);

/* Draw the span ending at now into rect: a translucent dark background,
 * with t (may be NULL) a line of labels at the top (the scale's top,
 * e.g. "20 ms", or "no frames"; the legend where it fits) if rect is at
 * least two such lines high, and under it the plot: a dim line at the
 * scale's top, one line a series (newest at the right edge, a gap where
 * a value is not known). Pixels outside rect are left alone; the
 * renderer's clip rect, draw colour and blend mode are restored. A
 * stream that stalled shows its last points moving left and, after the
 * span, an empty graph, at each draw: the caller draws when it draws
 * anyway.
 * \return 0 or -EIO. */
int graph_draw(struct graph *g, SDL_Renderer *r, struct text *t, SDL_Rect rect,
               int64_t now);

#endif
