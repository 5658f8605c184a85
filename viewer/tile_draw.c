/* What a tile shows: its frame (fitted, or zoomed and panned), a label
 * with its name, size, format and rate, its status, the heads-up display
 * with its graph, the probe's reading, and a frame around the focused
 * tile. Clipped to the tile. */
#include "window_private.h"

#include "msg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define HUD_LINES 8
#define HUD_LINE_MAX 96

static const SDL_Color WHITE = {255, 255, 255, 255};
static const SDL_Color YELLOW = {255, 230, 90, 255};

static int sdl_fail(const char *call)
{
    msg_error("%s: %s", call, SDL_GetError());
    return -EIO;
}

void tile_label(const struct window *w, const struct tile *t, char *buf,
                size_t len)
{
    (void)w;
    uint32_t fw, fh, format;
    const char *how;
    char rate[32] = "";
    const struct stats *st = &t->src.st;
    if (st->have_fig)
        snprintf(rate, sizeof(rate), "  %.1f fps", st->fig.shown_fps);
    if (picture_size(&t->pic, &fw, &fh) &&
        picture_format(&t->pic, &format, &how)) {
        const struct frame_format_desc *d = frame_format_desc(format);
        snprintf(buf, len, "%s  %ux%u %s%s%s", t->src.name, fw, fh,
                 d ? d->name : "?", rate, t->paused ? "  paused" : "");
    } else {
        snprintf(buf, len, "%s", t->src.name);
    }
}

static void hud_lines(struct window *w, const struct tile *t,
                      char lines[][HUD_LINE_MAX])
{
    const struct stats *st = &t->src.st;
    const struct stats_figures *f = &st->fig;
    if (st->have_fig) {
        if (f->have_producer_fps)
            snprintf(lines[0], 96, "producer  %.1f fps", f->producer_fps);
        else
            snprintf(lines[0], 96, "producer  -");
        if (f->have_latency)
            snprintf(lines[1], 96, "latency   p50 %.2f ms  p99 %.2f ms",
                     f->p50_ms, f->p99_ms);
        else
            snprintf(lines[1], 96, "latency   -");
        snprintf(lines[2], 96, "skipped   %" PRIu64 "  retries %" PRIu64,
                 f->skipped, f->retries);
    } else {
        snprintf(lines[0], 96, "producer  ...");
        snprintf(lines[1], 96, "latency   ...");
        snprintf(lines[2], 96, "skipped   ...");
    }
    snprintf(lines[3], 96, "frame     #%" PRIu64, t->front_frame_no);
    uint32_t format;
    const char *how;
    if (picture_format(&t->pic, &format, &how) && how)
        snprintf(lines[4], 96, "display   %s", how);
    else
        snprintf(lines[4], 96, "display   as it is");
    snprintf(lines[5], 96, "renderer  %s%s", present_renderer_name(w->p),
             w->vw->o.vsync ? ", vsync" : "");
    snprintf(lines[6], 96, "q quit  space pause  s save  p probe");
    snprintf(lines[7], 96, "h hud  0 fit  1 native  wheel zoom");
}

/* A checksum of the HUD's text (FNV-1a): whether a redraw would show
 * anything new. */
static uint64_t hud_sum(char lines[][HUD_LINE_MAX])
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (int i = 0; i < HUD_LINES; i++)
        for (const char *c = lines[i]; *c; c++)
            h = (h ^ (uint8_t)*c) * UINT64_C(1099511628211);
    return h;
}

bool tile_text_changed(struct window *w, const struct tile *t)
{
    char label[sizeof(t->label)];
    tile_label(w, t, label, sizeof(label));
    if (strcmp(label, t->label) != 0)
        return true;
    if (!w->hud)
        return false;
    char lines[HUD_LINES][HUD_LINE_MAX];
    hud_lines(w, t, lines);
    return hud_sum(lines) != t->hud_sum;
}

static int draw_frame(struct window *w, struct tile *t)
{
    SDL_Rect src, dst;
    bool magnified;
    if (!t->have_front || !tile_view_rects(t, &src, &dst, &magnified))
        return 0;
    SDL_Renderer *r = present_renderer(w->p);
    /* Smooth when shrinking; magnified, each pixel a sharp square. */
    if (SDL_SetTextureScaleMode(t->pic.front.t, magnified
                                                    ? SDL_ScaleModeNearest
                                                    : SDL_ScaleModeLinear))
        return sdl_fail("SDL_SetTextureScaleMode");
    if (SDL_RenderCopy(r, t->pic.front.t, &src, &dst) != 0)
        return sdl_fail("SDL_RenderCopy");
    /* A producer gone: the last frame stays, dimmed. */
    if (t->gone) {
        SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(r, 48, 48, 48, 160);
        if (SDL_RenderFillRect(r, &dst) != 0)
            return sdl_fail("SDL_RenderFillRect");
    }
    return 0;
}

/* The probe's reading, by the cursor (tile_probe.c keeps it current). */
static int draw_probe(struct window *w, struct tile *t)
{
    if (!w->probe || !t->probe_have || !w->mouse_in)
        return 0;
    /* Where it reads: a small cross, in a colour seen on dark and light. */
    SDL_Renderer *r = present_renderer(w->p);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r, YELLOW.r, YELLOW.g, YELLOW.b, 255);
    int mx = w->mouse_x, my = w->mouse_y;
    if (SDL_RenderDrawLine(r, mx - 6, my, mx - 2, my) ||
        SDL_RenderDrawLine(r, mx + 2, my, mx + 6, my) ||
        SDL_RenderDrawLine(r, mx, my - 6, mx, my - 2) ||
        SDL_RenderDrawLine(r, mx, my + 2, mx, my + 6))
        return sdl_fail("SDL_RenderDrawLine");
    const char *line = t->probe_text;
    SDL_Rect box = text_box_size(w->text, &line, 1);
    int x = w->mouse_x + 16, y = w->mouse_y + 16;
    const struct layout_rect *tr = &t->rect;
    if (x + box.w > tr->x + tr->w)
        x = w->mouse_x - 8 - box.w;
    if (y + box.h > tr->y + tr->h)
        y = w->mouse_y - 8 - box.h;
    return text_draw_box(w->text, x, y, &line, 1, YELLOW, NULL);
}

static int draw_focus(struct window *w, struct tile *t)
{
    if (w->n_tiles < 2 || w->tiles[w->focus] != t)
        return 0;
    SDL_Renderer *r = present_renderer(w->p);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r, 255, 200, 0, 255);
    const struct layout_rect *tr = &t->rect;
    for (int i = 0; i < 2; i++) {
        SDL_Rect b = {tr->x + i, tr->y + i, tr->w - 2 * i, tr->h - 2 * i};
        if (SDL_RenderDrawRect(r, &b) != 0)
            return sdl_fail("SDL_RenderDrawRect");
    }
    return 0;
}

int tile_draw(struct window *w, struct tile *t)
{
    SDL_Renderer *r = present_renderer(w->p);
    const struct layout_rect *tr = &t->rect;
    SDL_Rect clip = {tr->x, tr->y, tr->w, tr->h};
    if (SDL_RenderSetClipRect(r, &clip) != 0)
        return sdl_fail("SDL_RenderSetClipRect");
    int rc = draw_frame(w, t);
    int pad = text_pad(w->text);
    SDL_Rect box = {tr->x + pad, tr->y + pad, 0, 0};
    if (rc == 0) {
        tile_label(w, t, t->label, sizeof(t->label));
        const char *line = t->label;
        rc = text_draw_box(w->text, box.x, box.y, &line, 1, WHITE, &box);
        t->label_box = box;
    }
    if (rc == 0 && w->hud) {
        char lines[HUD_LINES][HUD_LINE_MAX];
        const char *hud[HUD_LINES];
        hud_lines(w, t, lines);
        for (int i = 0; i < HUD_LINES; i++)
            hud[i] = lines[i];
        t->hud_sum = hud_sum(lines);
        rc = text_draw_box(w->text, box.x, box.y + box.h + pad, hud, HUD_LINES,
                           WHITE, &box);
        if (rc == 0)
            rc = tile_draw_graph(w, t, box.x, box.y + box.h + pad, box.w);
    }
    if (rc == 0 && t->status[0]) {
        const char *line = t->status;
        SDL_Rect sb = text_box_size(w->text, &line, 1);
        /* Over a frame, keep out of the way at the bottom; alone, centre. */
        int y = t->have_front ? tr->y + tr->h - sb.h - 2 * pad
                              : tr->y + (tr->h - sb.h) / 2;
        rc = text_draw_box(w->text, tr->x + (tr->w - sb.w) / 2, y, &line, 1,
                           WHITE, NULL);
    }
    if (rc == 0)
        rc = draw_probe(w, t);
    if (rc == 0)
        rc = draw_focus(w, t);
    return rc;
}
