/* The physical limit: one process copying frames with memcpy. */

/* Warm: one frame into one buffer, cache-resident where the two fit.
 * Slots: one frame into as many buffers, in turn, as a segment has slots:
 * what any double-buffered hand-off must at least cost. Cold: sets larger
 * than the last-level cache, so every byte comes from and goes to DRAM. */
#include "transports.h"

#include "clock.h"
#include "machine.h"

#include <stdlib.h>
#include <string.h>

struct memcpy_args {
    const struct source *src;
    enum memcpy_kind kind;
    uint32_t slots;
};

static int memcpy_main(void *arg, struct proc_out *out)
{
    const struct memcpy_args *a = arg;
    const struct source *s = a->src;
    size_t frames = 1, sources = 1;
    if (a->kind == MEMCPY_COLD) {
        size_t set = cold_set_bytes();
        frames = sources = (set + s->bytes - 1) / s->bytes;
        if (frames < 2)
            frames = sources = 2;
    } else if (a->kind == MEMCPY_SLOTS) {
        frames = a->slots;
    }
    uint8_t *from = aligned_alloc(64, sources * s->bytes);
    uint8_t *to = aligned_alloc(64, frames * s->bytes);
    if (!from || !to) {
        free(from);
        free(to);
        return child_fail(out, "out of memory for %zu frames", 2 * frames);
    }
    /* Touch every page now: page faults are not the copy's cost. */
    for (size_t i = 0; i < sources; i++)
        memcpy(from + i * s->bytes, s->pixels, s->bytes);
    memset(to, 0, frames * s->bytes);
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    child_ready();
    child_wait_go();
    for (size_t i = 0;; i = i + 1 == frames ? 0 : i + 1) {
        int64_t now = now_ns();
        meter_tick(&mt, now);
        if (now >= ctl->t_end)
            break;
        memcpy(to + i * s->bytes, from + (sources > 1 ? i : 0) * s->bytes,
               s->bytes);
        if (now >= ctl->t_warm)
            out->frames++;
    }
    meter_end(&mt, out);
    free(from);
    free(to);
    return 0;
}

void run_memcpy(const struct opts *o, const struct source *src,
                enum memcpy_kind kind, struct measure *m)
{
    char why[NOTE_MAX];
    struct memcpy_args a = {.src = src, .kind = kind, .slots = o->slots};
    struct spawn procs[1] = {{memcpy_main, &a}};
    if (run_procs(procs, 1, 1, o, why, sizeof(why))) {
        measure_fail(m, "%s", why);
        return;
    }
    run_collect(0, src->bytes, m);
}
