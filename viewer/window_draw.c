/* What the window says: its title, the status line and the heads-up
 * display over the frame. */
#include "window_private.h"

#include "problems.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#define HUD_LINES 9

void window_set_status(struct window *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (fmt)
        vsnprintf(w->status, sizeof(w->status), fmt, ap);
    else
        w->status[0] = '\0';
    va_end(ap);
    w->dirty = true;
    w->title_dirty = true;
}

static void hud_lines(struct window *w, char lines[HUD_LINES][96])
{
    const struct stats *st = &w->vw->st;
    const struct stats_figures *f = &st->fig;
    if (st->have_fig) {
        snprintf(lines[0], 96, "shown     %.1f fps", f->shown_fps);
        if (f->have_producer_fps)
            snprintf(lines[1], 96, "producer  %.1f fps", f->producer_fps);
        else
            snprintf(lines[1], 96, "producer  -");
        if (f->have_latency)
            snprintf(lines[2], 96, "latency   p50 %.2f ms  p99 %.2f ms",
                     f->p50_ms, f->p99_ms);
        else
            snprintf(lines[2], 96, "latency   -");
        snprintf(lines[3], 96, "skipped   %" PRIu64 "  retries %" PRIu64,
                 f->skipped, f->retries);
    } else {
        snprintf(lines[0], 96, "shown     ...");
        snprintf(lines[1], 96, "producer  ...");
        snprintf(lines[2], 96, "latency   ...");
        snprintf(lines[3], 96, "skipped   ...");
    }
    uint32_t fw, fh;
    if (present_frame_size(w->p, &fw, &fh))
        snprintf(lines[4], 96, "frame     %ux%u #%" PRIu64 "%s", fw, fh,
                 w->front_frame_no, w->paused ? " (paused)" : "");
    else
        snprintf(lines[4], 96, "frame     none");
    uint32_t format;
    const char *how;
    if (present_frame_format(w->p, &format, &how)) {
        const struct frame_format_desc *d = frame_format_desc(format);
        snprintf(lines[5], 96, "format    %s%s%s%s", d ? d->name : "?",
                 how ? " (" : "", how ? how : "", how ? ")" : "");
    } else {
        snprintf(lines[5], 96, "format    -");
    }
    snprintf(lines[6], 96, "renderer  %s%s", present_renderer_name(w->p),
             w->vw->o.vsync ? ", vsync" : "");
    /* Short lines: at 640 pixels wide the font can still be doubled. */
    snprintf(lines[7], 96, "q quit  space pause  f full");
    snprintf(lines[8], 96, "s save  h hud  1 native");
}

int window_redraw(struct window *w)
{
    if (w->title_dirty) {
        present_set_title(w->p, w->status[0] ? w->status
                                : w->paused  ? "paused"
                                             : NULL);
        w->title_dirty = false;
    }
    char lines[HUD_LINES][96];
    const char *hud[HUD_LINES];
    struct overlay ov = {0};
    if (w->status[0])
        ov.status = w->status;
    else if (w->paused)
        ov.status = "paused";
    if (w->hud) {
        hud_lines(w, lines);
        for (int i = 0; i < HUD_LINES; i++)
            hud[i] = lines[i];
        ov.hud = hud;
        ov.hud_lines = HUD_LINES;
    }
    w->dirty = false;
    return present_draw(w->p, &ov);
}

void window_show_problem(struct window *w, int rc)
{
    if (!problem_report(w->vw, rc))
        return;
    char text[PROBLEM_TEXT_MAX];
    problem_text(w->vw, rc, text, sizeof(text));
    window_set_status(w, "%s", text);
}
