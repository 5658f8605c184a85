/* A tile's graph: the last few seconds of inter-frame intervals and
 * publish-to-present latencies, drawn with SDL's renderer. */
#include "graph.h"

#include "msg.h"

#include <errno.h>
#include <stdio.h>

#define BACK_ALPHA 160
#define TOP_ALPHA 64 /* the line at the scale's top: there, not loud */
#define MIN_TOP_NS INT64_C(100000) /* 0.1 ms */

void graph_init(struct graph *g, int64_t window_ns)
{
    g->window_ns = window_ns > 0 ? window_ns : GRAPH_WINDOW_NS;
    /* Rounded up, so GRAPH_POINTS buckets always cover the span. */
    g->bucket_ns = (g->window_ns + GRAPH_POINTS - 1) / GRAPH_POINTS;
    graph_reset(g);
}

void graph_reset(struct graph *g)
{
    g->head = g->n = 0;
    g->have_last = false;
}

static struct graph_point *at(struct graph *g, size_t i)
{
    return &g->p[(g->head + i) % GRAPH_CAP];
}

const struct graph_point *graph_at(const struct graph *g, size_t i)
{
    return &g->p[(g->head + i) % GRAPH_CAP];
}

size_t graph_count(const struct graph *g) { return g->n; }

static int64_t max_known(int64_t a, int64_t b) { return a > b ? a : b; }

void graph_frame(struct graph *g, int64_t shown_ns, int64_t publish_ns)
{
    struct graph_point p = {.t_ns = shown_ns, .v_ns = {-1, -1}};
    if (g->have_last && shown_ns >= g->last_shown)
        p.v_ns[GRAPH_INTERVAL] = shown_ns - g->last_shown;
    /* Both clocks are CLOCK_MONOTONIC; a writer's own stamp could still
     * be anything, and is then not a latency. */
    if (publish_ns > 0 && shown_ns >= publish_ns)
        p.v_ns[GRAPH_LATENCY] = shown_ns - publish_ns;
    g->last_shown = shown_ns;
    g->have_last = true;
    if (g->n) {
        struct graph_point *last = at(g, g->n - 1);
        if (shown_ns / g->bucket_ns <= last->t_ns / g->bucket_ns) {
            last->t_ns = max_known(last->t_ns, shown_ns);
            for (int s = 0; s < 2; s++)
                last->v_ns[s] = max_known(last->v_ns[s], p.v_ns[s]);
            return;
        }
    }
    if (g->n == GRAPH_CAP) {
        /* A bucket a point: the oldest is out of the span already. */
        g->head = (g->head + 1) % GRAPH_CAP;
        g->n--;
    }
    *at(g, g->n++) = p;
}

void graph_prune(struct graph *g, int64_t now)
{
    while (g->n && g->p[g->head].t_ns < now - g->window_ns) {
        g->head = (g->head + 1) % GRAPH_CAP;
        g->n--;
    }
}

bool graph_max(const struct graph *g, enum graph_series s, int64_t *max)
{
    bool any = false;
    *max = 0;
    for (size_t i = 0; i < g->n; i++) {
        int64_t v = graph_at(g, i)->v_ns[s];
        if (v >= 0 && (!any || v > *max)) {
            *max = v;
            any = true;
        }
    }
    return any;
}

int64_t graph_scale_top(int64_t max_ns)
{
    int64_t decade = MIN_TOP_NS;
    for (;;) {
        for (int m = 1; m <= 5; m += m == 1 ? 1 : 3) {
            if (decade * m >= max_ns)
                return decade * m;
        }
        if (decade > INT64_MAX / 100)
            return INT64_MAX;
        decade *= 10;
    }
}

void graph_scale_label(int64_t top_ns, char *buf, size_t len)
{
    if (top_ns >= INT64_C(1000000000))
        snprintf(buf, len, "%g s", top_ns / 1e9);
    else
        snprintf(buf, len, "%g ms", top_ns / 1e6);
}

SDL_Color graph_colour(enum graph_series s)
{
    return s == GRAPH_INTERVAL ? (SDL_Color){255, 210, 0, 255}
                               : (SDL_Color){0, 200, 255, 255};
}

/* One series as runs of known values, each run one SDL_RenderDrawLines. */
static int draw_series(struct graph *g, SDL_Renderer *r, SDL_Rect rect,
                       enum graph_series s, int64_t now, int64_t top)
{
    SDL_Color c = graph_colour(s);
    if (SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a) != 0)
        return -EIO;
    int run = 0;
    double xk = (double)(rect.w - 1) / g->window_ns;
    double yk = (double)(rect.h - 1) / top;
    for (size_t i = 0; i <= g->n; i++) {
        const struct graph_point *p = i < g->n ? at(g, i) : NULL;
        if (p && p->v_ns[s] >= 0) {
            int64_t v = p->v_ns[s] < top ? p->v_ns[s] : top;
            g->line[run++] = (SDL_Point){
                rect.x + rect.w - 1 - (int)((now - p->t_ns) * xk + 0.5),
                rect.y + rect.h - 1 - (int)(v * yk + 0.5)};
            continue;
        }
        if (run && SDL_RenderDrawLines(r, g->line, run) != 0)
            return -EIO;
        run = 0;
    }
    return 0;
}

/* The height of the labels' line at the top, or 0 when there is no
 * text or no room for it and a plot under it. */
static int label_band(struct text *t, SDL_Rect rect)
{
    if (!t)
        return 0;
    int band = text_line_height(t) + 2 * text_pad(t);
    return rect.h >= 2 * band ? band : 0;
}

/* The scale's top at the top left, the legend at the top right, each
 * only if it fits the width. */
static int draw_labels(struct text *t, SDL_Rect rect, int64_t top, bool any)
{
    int pad = text_pad(t);
    char label[32];
    if (any)
        graph_scale_label(top, label, sizeof(label));
    else
        snprintf(label, sizeof(label), "no frames");
    int w, h, rc = 0;
    text_measure(t, label, &w, &h);
    if (w + 2 * pad <= rect.w)
        rc = text_draw(t, rect.x + pad, rect.y + pad, label,
                       (SDL_Color){255, 255, 255, 255});
    int used = w + 2 * pad;
    const char *names[] = {"interval", "latency"};
    int nw[2], total = 0;
    for (int s = 0; s < 2; s++) {
        text_measure(t, names[s], &nw[s], &h);
        total += nw[s] + pad;
    }
    if (rc || used + total + pad > rect.w)
        return rc;
    int x = rect.x + rect.w - total;
    for (int s = 0; s < 2 && rc == 0; s++) {
        rc = text_draw(t, x, rect.y + pad, names[s], graph_colour(s));
        x += nw[s] + pad;
    }
    return rc;
}

int graph_draw(struct graph *g, SDL_Renderer *r, struct text *t, SDL_Rect rect,
               int64_t now)
{
    if (rect.w < 2 || rect.h < 2)
        return 0;
    graph_prune(g, now);
    SDL_Rect clip;
    bool clipped = SDL_RenderIsClipEnabled(r);
    SDL_RenderGetClipRect(r, &clip);
    SDL_BlendMode mode;
    Uint8 cr, cg, cb, ca;
    SDL_GetRenderDrawBlendMode(r, &mode);
    SDL_GetRenderDrawColor(r, &cr, &cg, &cb, &ca);

    int64_t mi, ml;
    bool have_i = graph_max(g, GRAPH_INTERVAL, &mi);
    bool have_l = graph_max(g, GRAPH_LATENCY, &ml);
    int64_t top = graph_scale_top(max_known(have_i ? mi : 0, have_l ? ml : 0));
    /* Inside rect and inside whatever the caller clipped to already. */
    SDL_Rect area = rect;
    if (clipped && !SDL_IntersectRect(&rect, &clip, &area))
        return 0;
    /* The scale's top is the plot's top line, under the labels. */
    int band = label_band(t, rect);
    SDL_Rect plot = {rect.x, rect.y + band, rect.w, rect.h - band};
    int rc = -EIO;
    if (SDL_RenderSetClipRect(r, &area) == 0 &&
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND) == 0 &&
        SDL_SetRenderDrawColor(r, 0, 0, 0, BACK_ALPHA) == 0 &&
        SDL_RenderFillRect(r, &rect) == 0 &&
        SDL_SetRenderDrawColor(r, 255, 255, 255, TOP_ALPHA) == 0 &&
        SDL_RenderDrawLine(r, plot.x, plot.y, plot.x + plot.w - 1, plot.y) ==
            0 &&
        draw_series(g, r, plot, GRAPH_INTERVAL, now, top) == 0 &&
        draw_series(g, r, plot, GRAPH_LATENCY, now, top) == 0)
        rc = 0;
    if (rc)
        msg_error("graph: %s", SDL_GetError());
    else if (band)
        rc = draw_labels(t, rect, top, have_i || have_l);
    SDL_RenderSetClipRect(r, clipped ? &clip : NULL);
    SDL_SetRenderDrawBlendMode(r, mode);
    SDL_SetRenderDrawColor(r, cr, cg, cb, ca);
    return rc;
}
