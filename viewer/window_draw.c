/* The whole window: its title, the grid of tiles, and the redraw that
 * counts each tile's new frame once it is on screen. */
#include "window_private.h"

#include "clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TILE_GAP 2 /* pixels between tiles */

void window_layout(struct window *w)
{
    int ow, oh;
    w->relayout = false;
    if (w->n_tiles == 0 || present_output_size(w->p, &ow, &oh))
        return;
    double *aspect = calloc(w->n_tiles, sizeof(*aspect));
    struct layout_rect *rects = calloc(w->n_tiles, sizeof(*rects));
    if (aspect && rects) {
        for (size_t i = 0; i < w->n_tiles; i++) {
            uint32_t fw, fh;
            if (picture_size(&w->tiles[i]->pic, &fw, &fh))
                aspect[i] = (double)fw / fh;
        }
        layout_grid(w->n_tiles, ow, oh, aspect, w->n_tiles > 1 ? TILE_GAP : 0,
                    rects);
        for (size_t i = 0; i < w->n_tiles; i++) {
            w->tiles[i]->rect = rects[i];
            tile_view_update(w->tiles[i]);
        }
    }
    free(aspect);
    free(rects);
    /* The HUD's text is sized for the window, as it was for one frame. */
    text_set_height(w->text, text_height_for(oh));
}

/* One tile: "NAME WxH FORMAT (state) - viewer", as before tiles; several:
 * their names. */
static void set_title(struct window *w)
{
    char title[512];
    w->title_dirty = false;
    if (w->n_tiles == 1) {
        struct tile *t = w->tiles[0];
        char frame[64] = "";
        uint32_t fw, fh, format;
        const char *how;
        if (picture_size(&t->pic, &fw, &fh) &&
            picture_format(&t->pic, &format, &how)) {
            const struct frame_format_desc *d = frame_format_desc(format);
            snprintf(frame, sizeof(frame), " %ux%u %s", fw, fh,
                     d ? d->name : "?");
        }
        const char *state = t->status[0] ? t->status
                            : t->paused  ? "paused"
                                         : NULL;
        snprintf(title, sizeof(title), "%s%s%s%s%s - viewer", t->src.name,
                 frame, state ? " (" : "", state ? state : "",
                 state ? ")" : "");
    } else {
        size_t n = 0;
        title[0] = '\0';
        for (size_t i = 0; i < w->n_tiles && n < sizeof(title) - 64; i++)
            n += (size_t)snprintf(title + n, sizeof(title) - n, "%s%s",
                                  i ? ", " : "", w->tiles[i]->src.name);
        snprintf(title + n, sizeof(title) - n, "%s - viewer",
                 w->n_tiles ? "" : "no segment yet");
    }
    present_set_title(w->p, title);
}

/* --all before any segment: say so in the middle of the window. */
static int draw_empty(struct window *w)
{
    int ow, oh;
    int rc = present_output_size(w->p, &ow, &oh);
    if (rc)
        return rc;
    text_set_height(w->text, text_height_for(oh));
    const char *line = "waiting for a producer (--all)";
    SDL_Rect box = text_box_size(w->text, &line, 1);
    static const SDL_Color white = {255, 255, 255, 255};
    return text_draw_box(w->text, (ow - box.w) / 2, (oh - box.h) / 2, &line, 1,
                         white, NULL);
}

static int draw(struct window *w)
{
    if (w->title_dirty)
        set_title(w);
    if (w->relayout)
        window_layout(w);
    w->dirty = false;
    int rc = present_clear(w->p);
    if (rc == 0 && w->n_tiles == 0)
        rc = draw_empty(w);
    for (size_t i = 0; i < w->n_tiles && rc == 0; i++) {
        if (w->probe)
            tile_probe_update(w, w->tiles[i]);
        rc = tile_draw(w, w->tiles[i]);
    }
    if (rc == 0)
        rc = SDL_RenderSetClipRect(present_renderer(w->p), NULL) ? -EIO : 0;
    return rc;
}

/* The new frames are on screen: counted, with their latency from publish
 * to present and the interval since the tile's last one. */
static void count_shown(struct window *w)
{
    int64_t now = now_ns();
    for (size_t i = 0; i < w->n_tiles; i++) {
        struct tile *t = w->tiles[i];
        if (!t->pending)
            continue;
        t->pending = false;
        t->src.shown++;
        stats_frame(&t->src.st, t->pending_publish_ns, now);
        tile_graph_frame(t, t->pending_publish_ns, now);
        t->front_shown_ns = now;
    }
}

int window_redraw(struct window *w)
{
    int rc = draw(w);
    if (rc)
        return rc;
    present_show(w->p);
    count_shown(w);
    return 0;
}

int window_redraw_read(struct window *w, uint8_t **px, int *pw, int *ph)
{
    int rc = draw(w);
    if (rc == 0)
        rc = present_read_rgba(w->p, px, pw, ph);
    present_show(w->p);
    count_shown(w);
    return rc;
}
