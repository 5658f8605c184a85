/* The drawing alone: what each render row's writer does besides sending. */

/* One process draws frames (frame_draw) into one buffer, with nothing else
 * to do. The render writers measure their own drawing in the same way and
 * subtract it from their CPU; this row shows what that drawing costs. */
#include "transports.h"

#include "clock.h"

#include <stdlib.h>
#include <string.h>

struct draw_args {
    const struct source *src;
    uint32_t buffers;
};

static int draw_main(void *arg, struct proc_out *out)
{
    const struct draw_args *a = arg;
    const struct source *s = a->src;
    size_t stride = (size_t)s->width * 4, bytes = stride * s->height;
    uint8_t *to = aligned_alloc(64, a->buffers * bytes);
    if (!to)
        return child_fail(out, "out of memory for %u frames", a->buffers);
    memset(to, 0, a->buffers * bytes); /* page faults are not drawing */
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    child_ready();
    child_wait_go();
    uint64_t no = 1;
    for (size_t i = 0;; i = i + 1 == a->buffers ? 0 : i + 1, no++) {
        int64_t now = now_ns();
        meter_tick(&mt, now);
        if (now >= ctl->t_end)
            break;
        /* Timed as the render writers time theirs, so this row's CPU per
         * frame is what they subtract, clock reads and all. */
        frame_draw_timed(to + i * bytes, s->width, s->height, stride, no);
        frame_stamp(to + i * bytes, bytes, no);
        if (now >= ctl->t_warm)
            out->frames++;
    }
    meter_end(&mt, out);
    free(to);
    return 0;
}

void run_draw(const struct opts *o, const struct source *src, uint32_t buffers,
              struct measure *m)
{
    char why[NOTE_MAX];
    struct draw_args a = {.src = src, .buffers = buffers ? buffers : 1};
    struct spawn procs[1] = {{draw_main, &a}};
    if (run_procs(procs, 1, 1, o, why, sizeof(why))) {
        measure_fail(m, "%s", why);
        return;
    }
    run_collect(0, src->bytes, m);
}
