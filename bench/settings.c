/* The one line saying how the figures were taken. */
#include "report.h"

#include "machine.h"

#include <stdio.h>

void report_settings(const struct plan *p, const struct opts *o, char *buf,
                     size_t len)
{
    char png[NOTE_MAX + 64];
    if (p->png_status[0])
        snprintf(png, sizeof(png), "PNG: %s", p->png_status);
    else if (p->png.count)
        snprintf(png, sizeof(png), "PNG: %zu files of %ux%u %s", p->png.count,
                 p->png.width, p->png.height,
                 p->png.made ? "from make-samples --photo" : "from --png-dir");
    else
        snprintf(png, sizeof(png), "PNG: not run");
    char full[64] = "";
    if (o->full_slots && o->full_slots != o->slots)
        snprintf(full, sizeof(full), ", full readers also %u", o->full_slots);
    snprintf(
        buf, len,
        "%d repetition%s of %.2g s after %d warm-up%s, the first %.2g s "
        "of each run discarded; libframe %u slots%s; "
        "pipe %zu KiB "
        "(F_SETPIPE_SZ); socket SO_SNDBUF %zu KiB (wmem_max); memcpy-cold sets "
        "%zu MiB; %s",
        o->reps, o->reps == 1 ? "" : "s", o->run_s, o->warmup_reps,
        o->warmup_reps == 1 ? "" : "s", o->warm_s, o->slots, full,
        p->pipe_bytes >> 10, p->socket_bytes >> 10, cold_set_bytes() >> 20,
        png);
}
