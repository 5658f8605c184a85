/* Ratios between rows, per repetition, and the targets of issue 5. */
#include "plan.h"

#include <libframe/frame.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RATIOS 224

static void add(struct plan *p, const char *key, int num, int den,
                enum metric mnum, enum metric mden, enum target_op op,
                double target, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

/* den < 0: an absolute figure of the numerator row, not a ratio. */
static void add(struct plan *p, const char *key, int num, int den,
                enum metric mnum, enum metric mden, enum target_op op,
                double target, const char *fmt, ...)
{
    if (num < 0 || p->nratios == MAX_RATIOS)
        return;
    if (den < 0 && mden != M_COUNT)
        return; /* the row to compare with is not in this run */
    struct ratio *r = &p->ratios[p->nratios];
    memset(r, 0, sizeof(*r));
    r->key = key;
    r->num = num;
    r->den = den;
    r->mnum = mnum;
    r->mden = mden;
    r->op = op;
    r->target = target;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->label, sizeof(r->label), fmt, ap);
    va_end(ap);
    r->per_rep = calloc(p->reps, sizeof(double));
    if (r->per_rep)
        p->nratios++;
}

static bool meets(const struct ratio *r, double v)
{
    return r->op == T_AT_LEAST ? v >= r->target : v <= r->target;
}

static void compute(struct plan *p, struct ratio *r)
{
    for (int i = 0; i < p->reps; i++) {
        const struct row *n = &p->rows[r->num];
        double a = n->status ? NAN : metric_of(&n->m[i], r->mnum), b = 1;
        if (r->den >= 0) {
            const struct row *d = &p->rows[r->den];
            b = d->status ? NAN : metric_of(&d->m[i], r->mden);
        }
        r->per_rep[i] = b > 0 ? a / b : NAN;
        if (r->op != T_NONE && isfinite(r->per_rep[i]) &&
            !meets(r, r->per_rep[i]))
            r->below++;
    }
    r->s = stat3_of(r->per_rep, p->reps);
}

static void transport_ratios(struct plan *p, const struct opts *o, uint32_t w,
                             uint32_t h)
{
    enum section T = SEC_TRANSPORT;
    /* Issue 5 sets the transport targets at 1080p and 4K; smaller frames
     * are shown for information. */
    bool big = h >= 1080;
    enum target_op ge = big ? T_AT_LEAST : T_NONE;
    int mw = row_find(p, T, "memcpy-warm", "none", w, h, 0, 0);
    int mc = row_find(p, T, "memcpy-cold", "none", w, h, 0, 0);
    int ms = row_find(p, T, "memcpy-slots", "none", w, h, 0, o->slots);
    int gt = row_find(p, T, "gstreamer-shm", "touch", w, h, 1, 0);
    int ut = row_find(p, T, "unix-socket", "touch", w, h, 1, 0);
    int uf = row_find(p, T, "unix-socket", "full", w, h, 1, 0);
    int pt = row_find(p, T, "pipe", "touch", w, h, 1, 0);
    int pf = row_find(p, T, "pipe", "full", w, h, 1, 0);
    bool gst = gt >= 0 && !p->rows[gt].status;
    /* The full targets are judged on the slot count a whole-frame reader
     * is told to use; the default's figures stay beside them. */
    uint32_t judged = o->full_slots ? o->full_slots : o->slots;
    static const char *const lfs[] = {"libframe-futex", "libframe-poll"};
    for (int k = 0; k < 2; k++) {
        const char *lf = lfs[k];
        int t = row_find(p, T, lf, "touch", w, h, 1, o->slots);
        add(p, "vs_memcpy_warm", t, mw, M_FPS, M_FPS, ge, 0.8,
            "%ux%u touch: %s / memcpy-warm", w, h, lf);
        add(p, "vs_memcpy_slots", t, ms, M_FPS, M_FPS, T_NONE, 0,
            "%ux%u touch: %s / memcpy-slots", w, h, lf);
        add(p, "vs_memcpy_cold", t, mc, M_FPS, M_FPS, T_NONE, 0,
            "%ux%u touch: %s / memcpy-cold", w, h, lf);
        add(p, "vs_gstreamer", t, gt, M_FPS, M_FPS, gst ? ge : T_NONE, 1.3,
            "%ux%u touch: %s / gstreamer-shm", w, h, lf);
        add(p, "vs_unix_socket", t, ut, M_FPS, M_FPS, ge, 4,
            "%ux%u touch: %s / unix-socket", w, h, lf);
        add(p, "vs_pipe", t, pt, M_FPS, M_FPS, ge, 8, "%ux%u touch: %s / pipe",
            w, h, lf);
        uint32_t each[2] = {o->slots, o->full_slots};
        for (int i = 0; i < 2; i++) {
            if (i == 1 && (!each[1] || each[1] == each[0]))
                break;
            int f = row_find(p, T, lf, "full", w, h, 1, each[i]);
            enum target_op op = each[i] == judged ? ge : T_NONE;
            add(p, "vs_unix_socket", f, uf, M_FPS, M_FPS, op, 1.5,
                "%ux%u full: %s, %u slots / unix-socket", w, h, lf, each[i]);
            add(p, "vs_pipe", f, pf, M_FPS, M_FPS, op, 3,
                "%ux%u full: %s, %u slots / pipe", w, h, lf, each[i]);
        }
    }
    add(p, "busy_poll_p50_us",
        row_find(p, T, "libframe-poll", "touch", w, h, 1, o->slots), -1, M_P50,
        M_COUNT, T_AT_MOST, 1.0, "%ux%u touch: libframe-poll p50 (us)", w, h);
}

/* The other formats at 1080p: libframe against the copy into as many
 * slots of the same bytes, and the PNG rows native against RGBA8. For
 * information: issue 13 sets no target. */
static void format_ratios(struct plan *p, const struct opts *o)
{
    enum section T = SEC_TRANSPORT;
    for (int i = 0; i < p->nrows; i++) {
        const struct row *r = &p->rows[i];
        if (r->sec != T || r->format == FRAME_FORMAT_RGBA8 ||
            strcmp(r->work, "touch"))
            continue;
        int ms = row_find_format(p, T, "memcpy-slots", "none", r->width,
                                 r->height, 0, o->slots, r->format);
        add(p, "vs_memcpy_slots", i, ms, M_FPS, M_FPS, T_NONE, 0,
            "%ux%u %s touch: %s / memcpy-slots", r->width, r->height,
            row_format_name(r), r->transport);
    }
    static const char *const grey[] = {"producer-gray8", "producer-gray16"};
    static const uint32_t native[] = {FRAME_FORMAT_GRAY8, FRAME_FORMAT_GRAY16};
    for (int g = 0; g < 2; g++)
        for (int i = 0; i < p->nrows; i++) {
            const struct row *r = &p->rows[i];
            if (r->sec != SEC_PNG || strcmp(r->transport, grey[g]) ||
                r->format != native[g])
                continue;
            add(p, "vs_rgba8", i,
                row_find(p, SEC_PNG, grey[g], "none", r->width, r->height, 0,
                         0),
                M_FPS, M_FPS, T_NONE, 0, "PNG: %s, native / rgba8", grey[g]);
        }
}

/* Issue 14's targets. The full-reader baselines are the transport
 * section's rows of the same run (no ratio without them). */
static void lease_ratios(struct plan *p, const struct opts *o)
{
    enum section L = SEC_LEASES, T = SEC_TRANSPORT;
    uint32_t each[2] = {o->slots, o->full_slots};
    int n = o->full_slots && o->full_slots != o->slots ? 2 : 1;
    static const uint32_t big[][2] = {{1920, 1080}, {3840, 2160}};
    for (int s = 0; s < 2; s++) {
        uint32_t w = big[s][0], h = big[s][1];
        int uf = row_find(p, T, "unix-socket", "full", w, h, 1, 0);
        int pf = row_find(p, T, "pipe", "full", w, h, 1, 0);
        for (int i = 0; i < n; i++) {
            int f =
                row_find(p, L, "libframe-futex", "full-held", w, h, 1, each[i]);
            add(p, "vs_unix_socket", f, uf, M_FPS, M_FPS, T_AT_LEAST, 1.5,
                "%ux%u full, held: libframe-futex, %u slots / unix-socket", w,
                h, each[i]);
            add(p, "vs_pipe", f, pf, M_FPS, M_FPS, T_AT_LEAST, 3,
                "%ux%u full, held: libframe-futex, %u slots / pipe", w, h,
                each[i]);
            add(p, "vs_unheld", f,
                row_find(p, T, "libframe-futex", "full", w, h, 1, each[i]),
                M_FPS, M_FPS, T_NONE, 0,
                "%ux%u full: held / not held, %u slots", w, h, each[i]);
        }
    }
    for (int i = 0; i < n; i++) {
        int sh = row_find(p, L, "libframe-futex", "slow-held", 1920, 1080, 1,
                          each[i]);
        add(p, "whole_pct", sh, -1, M_WHOLE, M_COUNT, T_AT_LEAST, 99,
            "slow reader (20 ms), held, %u slots: %% of held frames whole",
            each[i]);
        add(p, "frames_per_s", sh, -1, M_FPS, M_COUNT, T_AT_LEAST, 45,
            "slow reader (20 ms), held, %u slots: frames/s", each[i]);
    }
    int sl = row_find(p, L, "libframe-futex", "slow", 1920, 1080, 1, o->slots);
    add(p, "whole_pct", sl, -1, M_WHOLE, M_COUNT, T_NONE, 0,
        "slow reader (20 ms), not held, %u slots: %% of frames whole",
        o->slots);
    static const char *const works[] = {"hold", "hostile-lock", "hostile-hold"};
    static const double want[] = {0.95, 0.9, 0.9};
    for (int i = 0; i < n; i++) {
        int none =
            row_find(p, L, "libframe-writer", "none", 1920, 1080, 0, each[i]);
        for (int k = 0; k < 3; k++)
            add(p, "vs_no_reader",
                row_find(p, L, "libframe-writer", works[k], 1920, 1080, 1,
                         each[i]),
                none, M_FPS, M_FPS, T_AT_LEAST, want[k],
                "writer rate, %u slots: %s reader / none", each[i], works[k]);
    }
    add(p, "writer_cpu_us",
        row_find(p, L, "libframe-commit", "none", 1920, 1080, 0, o->slots), -1,
        M_WCPU_US, M_COUNT, T_NONE, 0,
        "writer: begin + commit alone, CPU per frame (us)");
    add(p, "reader_cpu_us",
        row_find(p, L, "libframe-loop", "hold-release", 1920, 1080, 1,
                 o->slots),
        -1, M_RCPU_US, M_COUNT, T_NONE, 0,
        "reader: hold + release, CPU per pair (us)");
    add(p, "reader_cpu_us",
        row_find(p, L, "libframe-loop", "acquire-validate", 1920, 1080, 1,
                 o->slots),
        -1, M_RCPU_US, M_COUNT, T_NONE, 0,
        "reader: acquire + still_valid, CPU per pair (us)");
}

/* What zero-copy saves: the transport's own CPU per frame, both sides. */
static void render_ratios(struct plan *p, const struct opts *o)
{
    enum section R = SEC_RENDER;
    static const uint32_t sizes[][2] = {{640, 360}, {1920, 1080}, {3840, 2160}};
    uint32_t each[2] = {o->slots, o->full_slots};
    int n = o->full_slots && o->full_slots != o->slots ? 2 : 1;
    for (int s = 0; s < 3; s++) {
        uint32_t w = sizes[s][0], h = sizes[s][1];
        int lf = row_find(p, R, "libframe-futex", "touch", w, h, 1, o->slots);
        for (int i = 0; i < n; i++)
            add(p, "cpu_us",
                row_find(p, R, "libframe-futex", "touch", w, h, 1, each[i]), -1,
                M_CPU_US, M_COUNT, T_AT_MOST, 5,
                "%ux%u render: libframe, %u slots, transport CPU/frame (us)", w,
                h, each[i]);
        add(p, "cpu_vs_libframe",
            row_find(p, R, "unix-socket", "touch", w, h, 1, 0), lf, M_CPU_US,
            M_CPU_US, T_AT_LEAST, 100,
            "%ux%u render: unix-socket / libframe, transport CPU/frame", w, h);
        add(p, "cpu_vs_libframe", row_find(p, R, "pipe", "touch", w, h, 1, 0),
            lf, M_CPU_US, M_CPU_US, T_NONE, 0,
            "%ux%u render: pipe / libframe, transport CPU/frame", w, h);
        /* What waking a sleeping reader costs here, whatever carries the
         * frame: a transport whose reader sleeps cannot cost less. */
        add(p, "cpu_us", row_find(p, R, "pipe-wake-only", "none", w, h, 1, 0),
            -1, M_CPU_US, M_COUNT, T_NONE, 0,
            "%ux%u render: pipe wake-up alone, CPU/frame (us)", w, h);
    }
}

/* Issue 16: each libframe element at least 1.3 times as fast as
 * GStreamer's shm pair (shmsink feeding shmsrc), at 1080p, same run. */
static void gstreamer_ratios(struct plan *p, const struct opts *o)
{
    enum section G = SEC_GSTREAMER;
    int shm = row_find(p, G, "gstreamer-shm", "touch", 1920, 1080, 1, 0);
    add(p, "vs_gstreamer_shm",
        row_find(p, G, "gst-libframesrc", "touch", 1920, 1080, 1, o->slots),
        shm, M_FPS, M_FPS, T_AT_LEAST, 1.3,
        "1920x1080: libframesrc / shmsrc, fed at full speed");
    add(p, "vs_gstreamer_shm",
        row_find(p, G, "gst-libframesrc-zero-copy", "touch", 1920, 1080, 1,
                 o->slots),
        shm, M_FPS, M_FPS, T_AT_LEAST, 1.3,
        "1920x1080: libframesrc zero-copy / shmsrc, fed at full speed");
    int drawn = row_find(p, G, "gstreamer-shm-drawn", "touch", 1920, 1080, 1, 0);
    add(p, "vs_gstreamer_shm",
        row_find(p, G, "gst-libframesink", "none", 1920, 1080, 0, o->slots),
        drawn, M_FPS, M_FPS, T_AT_LEAST, 1.3,
        "1920x1080: videotestsrc ! libframesink / ! shmsink");
    if (o->slots != 2)
        add(p, "vs_gstreamer_shm",
            row_find(p, G, "gst-libframesink", "none", 1920, 1080, 0, 2),
            drawn, M_FPS, M_FPS, T_AT_LEAST, 1.3,
            "1920x1080: videotestsrc ! libframesink slots=2 / ! shmsink");
    /* No transport at all: where the sink rows stand against the source
     * alone. */
    add(p, "vs_gstreamer_shm",
        row_find(p, G, "videotestsrc-alone", "none", 1920, 1080, 0, 0), drawn,
        M_FPS, M_FPS, T_NONE, 0,
        "1920x1080: videotestsrc ! fakesink / ! shmsink (no transport)");
}

void plan_ratios(struct plan *p, const struct opts *o)
{
    p->ratios = calloc(MAX_RATIOS, sizeof(*p->ratios));
    if (!p->ratios)
        return;
    static const uint32_t sizes[][2] = {{640, 360}, {1920, 1080}, {3840, 2160}};
    for (int s = 0; s < 3; s++)
        transport_ratios(p, o, sizes[s][0], sizes[s][1]);

    add(p, "p50_vs_pipe_woken",
        row_find(p, SEC_WAKE, "libframe-futex", "touch", 1920, 1080, 1,
                 o->slots),
        row_find(p, SEC_WAKE, "pipe-woken", "touch", 1920, 1080, 1, 0), M_P50,
        M_P50, T_AT_MOST, 1.0,
        "wake p50: libframe-futex / pipe-woken (same writer)");

    int r1 = row_find(p, SEC_READERS, "libframe-futex", "touch", 1920, 1080, 1,
                      o->slots);
    add(p, "writer_vs_1_reader",
        row_find(p, SEC_READERS, "libframe-futex", "touch", 1920, 1080, 2,
                 o->slots),
        r1, M_WRITER_FPS, M_WRITER_FPS, T_NONE, 0,
        "writer rate: 2 readers / 1 reader");
    add(p, "writer_vs_1_reader",
        row_find(p, SEC_READERS, "libframe-futex", "touch", 1920, 1080, 4,
                 o->slots),
        r1, M_WRITER_FPS, M_WRITER_FPS, T_AT_LEAST, 0.9,
        "writer rate: 4 readers / 1 reader");

    uint32_t w = p->png.width, h = p->png.height;
    int loop = -1;
    for (int i = 0; i < p->nrows; i++)
        if (p->rows[i].sec == SEC_PNG &&
            !strcmp(p->rows[i].transport, "libpng-loop"))
            loop = i, w = p->rows[i].width, h = p->rows[i].height;
    int cores = p->machine.cores;
    add(p, "vs_libpng_loop",
        row_find(p, SEC_PNG, "producer-1-thread", "none", w, h, 0, 0), loop,
        M_FPS, M_FPS, T_AT_LEAST, 0.95, "PNG: producer 1 thread / libpng loop");
    /* 1.7 on 2 cores, as issue 5 asks; the same 85% of linear elsewhere. */
    add(p, "vs_libpng_loop",
        row_find(p, SEC_PNG, "producer-all-cores", "none", w, h, 0, 0), loop,
        M_FPS, M_FPS, cores > 1 ? T_AT_LEAST : T_NONE, 0.85 * cores,
        "PNG: producer %d threads / libpng loop", cores);
    add(p, "vs_memcpy_cold",
        row_find(p, SEC_PNG, "producer-cache", "none", w, h, 0, 0),
        row_find(p, SEC_TRANSPORT, "memcpy-cold", "none", w, h, 0, 0), M_FPS,
        M_FPS, T_AT_LEAST, 0.8, "PNG: producer from cache / memcpy-cold");

    format_ratios(p, o);
    lease_ratios(p, o);
    render_ratios(p, o);
    gstreamer_ratios(p, o);

    for (int i = 0; i < p->nratios; i++)
        compute(p, &p->ratios[i]);
}

const char *ratio_verdict(const struct ratio *r, char *buf, size_t len)
{
    if (r->op == T_NONE)
        return "-";
    if (r->s.n == 0)
        return "not measured";
    if (!meets(r, r->s.med))
        return "MISSED";
    if (r->below == 0)
        return "met";
    snprintf(buf, len, "met (median; missed in %d of %d)", r->below, r->s.n);
    return buf;
}
