/* Which rows exist, which run fills each, and running the repetitions. */
#include "plan.h"
#include "msg.h"
#include "stop.h"

#include "frames.h"
#include "gst.h"
#include "gstplugin.h"
#include "spawn.h"
#include "transports.h"

#include <libframe/frame.h>

#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROWS 160
#define MAX_UNITS 160

static const uint32_t sizes[][2] = {{640, 360}, {1920, 1080}, {3840, 2160}};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* The formats measured beside RGBA8 at 1080p: grey of one and two bytes,
 * and the planar YUV cameras send. */
static const uint32_t other_formats[] = {
    FRAME_FORMAT_GRAY8, FRAME_FORMAT_GRAY16, FRAME_FORMAT_I420};
#define NFORMATS (sizeof(other_formats) / sizeof(other_formats[0]))

const char *section_name(enum section s)
{
    static const char *const names[] = {"transport", "readers",  "wake",
                                        "png",       "leases",   "render",
                                        "python",    "gstreamer"};
    return s < SEC_COUNT ? names[s] : "?";
}

const char *row_format_name(const struct row *r)
{
    const struct frame_format_desc *d = frame_format_desc(r->format);
    return d ? d->name : "?";
}

void row_label(const struct row *r, char *buf, size_t len)
{
    bool work = strcmp(r->work, "none") != 0;
    bool rgba = r->format == FRAME_FORMAT_RGBA8;
    snprintf(buf, len, "%s%s%s%s%s", r->transport, work ? " " : "",
             work ? r->work : "", rgba ? "" : " ",
             rgba ? "" : row_format_name(r));
    if (r->slots && work) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, " %u slots", r->slots);
    }
}

int row_find_format(const struct plan *p, enum section sec,
                    const char *transport, const char *work, uint32_t w,
                    uint32_t h, int readers, uint32_t slots, uint32_t format)
{
    for (int i = 0; i < p->nrows; i++) {
        const struct row *r = &p->rows[i];
        if (r->sec == sec && !strcmp(r->transport, transport) &&
            !strcmp(r->work, work) && r->width == w && r->height == h &&
            r->readers == readers && r->slots == slots && r->format == format)
            return i;
    }
    return -1;
}

int row_find(const struct plan *p, enum section sec, const char *transport,
             const char *work, uint32_t w, uint32_t h, int readers,
             uint32_t slots)
{
    return row_find_format(p, sec, transport, work, w, h, readers, slots,
                           FRAME_FORMAT_RGBA8);
}

static int add_row(struct plan *p, enum section sec, const char *transport,
                   const char *work, uint32_t w, uint32_t h, int readers,
                   uint32_t slots, const char *status)
{
    if (p->nrows == MAX_ROWS)
        return -1;
    struct row *r = &p->rows[p->nrows];
    *r = (struct row){.sec = sec,
                      .transport = transport,
                      .work = work,
                      .width = w,
                      .height = h,
                      .readers = readers,
                      .slots = slots,
                      .format = FRAME_FORMAT_RGBA8,
                      .status = status};
    r->m = calloc(p->reps, sizeof(*r->m));
    if (!r->m)
        return -1;
    for (int i = 0; i < p->reps; i++)
        measure_init(&r->m[i]);
    return p->nrows++;
}

static void add_unit(struct plan *p, struct unit u)
{
    if (p->nunits < MAX_UNITS && u.row[0] >= 0)
        p->units[p->nunits++] = u;
}

static struct unit unit(enum unit_kind kind, int row, uint32_t w, uint32_t h)
{
    return (struct unit){
        .kind = kind, .row = {row, -1}, .width = w, .height = h};
}

/* --producer, then the program next to us (installed), then the one in
 * the build tree, then $PATH. */
static void locate(const char *given, const char *name, const char *built,
                   char *out, size_t len)
{
    char self[PATH_MAX];
    out[0] = 0;
    if (given) {
        snprintf(out, len, "%s", given);
        return;
    }
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = 0;
        const char *dir = dirname(self);
        if (snprintf(out, len, "%s/%s", dir, name) < (int)len &&
            access(out, X_OK) == 0)
            return;
        out[0] = 0;
    }
    if (built && access(built, X_OK) == 0)
        snprintf(out, len, "%s", built);
    else if (have_command(name))
        snprintf(out, len, "%s", name);
}

#ifndef FRAMEBENCH_PRODUCER
#define FRAMEBENCH_PRODUCER NULL
#endif
#ifndef FRAMEBENCH_MAKE_SAMPLES
#define FRAMEBENCH_MAKE_SAMPLES NULL
#endif

/* A row of frames of another format than RGBA8. */
static int add_row_format(struct plan *p, enum section sec,
                          const char *transport, const char *work, uint32_t w,
                          uint32_t h, int readers, uint32_t slots,
                          uint32_t format, const char *status)
{
    int i = add_row(p, sec, transport, work, w, h, readers, slots, status);
    if (i >= 0)
        p->rows[i].format = format;
    return i;
}

static void add_libframe_format(struct plan *p, enum section sec, bool poll,
                                bool full, uint32_t w, uint32_t h, int readers,
                                uint32_t slots, uint32_t format)
{
    struct unit u =
        unit(U_LIBFRAME,
             add_row_format(p, sec, poll ? "libframe-poll" : "libframe-futex",
                            full ? "full" : "touch", w, h, readers, slots,
                            format, NULL),
             w, h);
    u.format = format;
    u.poll = poll;
    u.full = full;
    u.readers = readers;
    u.slots = slots;
    add_unit(p, u);
}

static void add_libframe(struct plan *p, enum section sec, bool poll, bool full,
                         uint32_t w, uint32_t h, int readers, uint32_t slots)
{
    add_libframe_format(p, sec, poll, full, w, h, readers, slots,
                        FRAME_FORMAT_RGBA8);
}

/* libframe's touch and full readers on frames of the other formats, and
 * the copy into the slots that bounds them, at 1080p. */
static void build_formats(struct plan *p, const struct opts *o, uint32_t w,
                          uint32_t h)
{
    uint32_t full = o->full_slots ? o->full_slots : o->slots;
    for (size_t f = 0; f < NFORMATS; f++) {
        uint32_t fmt = other_formats[f];
        for (int t = 0; t < 2; t++)
            add_libframe_format(p, SEC_TRANSPORT, t == 1, false, w, h, 1,
                                o->slots, fmt);
        add_libframe_format(p, SEC_TRANSPORT, false, true, w, h, 1, full, fmt);
        struct unit u =
            unit(U_MEMCPY,
                 add_row_format(p, SEC_TRANSPORT, "memcpy-slots", "none", w, h,
                                0, o->slots, fmt, NULL),
                 w, h);
        u.memcpy_kind = MEMCPY_SLOTS;
        u.format = fmt;
        add_unit(p, u);
    }
}

static void build_transport(struct plan *p, const struct opts *o)
{
    static const char *const works[] = {"touch", "full"};
    static const char *const streams[] = {"pipe", "unix-socket"};
    const char *gst_touch = !o->with_gst ? "not requested (--with-gstreamer)"
                            : !p->gst    ? "not installed"
                                         : NULL;
    for (size_t s = 0; s < NSIZES; s++) {
        uint32_t w = sizes[s][0], h = sizes[s][1];
        for (int k = 0; k < 2; k++) {
            for (int t = 0; t < 2; t++)
                add_libframe(p, SEC_TRANSPORT, t == 1, k == 1, w, h, 1,
                             o->slots);
            /* A reader of whole frames at the writer's full rate needs a
             * slot the writer leaves alone for two frame periods, not one
             * (docs/design.md, "Slots and whole-frame readers"). */
            if (k == 1 && o->full_slots && o->full_slots != o->slots)
                for (int t = 0; t < 2; t++)
                    add_libframe(p, SEC_TRANSPORT, t == 1, true, w, h, 1,
                                 o->full_slots);
            for (int t = 0; t < 2; t++) {
                struct unit u = unit(U_STREAM,
                                     add_row(p, SEC_TRANSPORT, streams[t],
                                             works[k], w, h, 1, 0, NULL),
                                     w, h);
                u.socket = t == 1;
                u.full = k == 1;
                add_unit(p, u);
            }
        }
        int g = add_row(p, SEC_TRANSPORT, "gstreamer-shm", "touch", w, h, 1, 0,
                        gst_touch);
        if (!gst_touch)
            add_unit(p, unit(U_GST, g, w, h));
        add_row(p, SEC_TRANSPORT, "gstreamer-shm", "full", w, h, 1, 0,
                gst_touch ? gst_touch
                          : "not measured: no stock element reads every "
                            "byte as cheaply as our checksum");
        static const char *const copies[] = {"memcpy-warm", "memcpy-slots",
                                             "memcpy-cold"};
        for (int k = MEMCPY_WARM; k <= MEMCPY_COLD; k++) {
            struct unit u =
                unit(U_MEMCPY,
                     add_row(p, SEC_TRANSPORT, copies[k], "none", w, h, 0,
                             k == MEMCPY_SLOTS ? o->slots : 0, NULL),
                     w, h);
            u.memcpy_kind = k;
            add_unit(p, u);
        }
        if (h == 1080)
            build_formats(p, o, w, h);
    }
}

/* The producer on grey inputs of 8 and 16 bits, one thread, no cache:
 * publishing the PNG's own samples (--format native) against RGBA8. */
static void build_grey_png(struct plan *p, const struct opts *o, bool make,
                           const char *none, uint32_t w, uint32_t h)
{
    (void)o;
    static const char *const names[] = {"producer-gray8", "producer-gray16"};
    static const uint32_t native[] = {FRAME_FORMAT_GRAY8, FRAME_FORMAT_GRAY16};
    for (int g = 0; g < 2; g++) {
        const char *why = none;
        if (!why && make &&
            png_set_grey(&p->png, g == 1, &p->grey[g], p->grey_status[g],
                         sizeof(p->grey_status[g])))
            why = p->grey_status[g];
        for (int k = 0; k < 2; k++) {
            uint32_t fmt = k ? FRAME_FORMAT_RGBA8 : native[g];
            struct unit u = unit(U_PRODUCER,
                                 add_row_format(p, SEC_PNG, names[g], "none", w,
                                                h, 0, 0, fmt, why),
                                 w, h);
            u.mode = PRODUCER_ONE_THREAD;
            u.png = 1 + g;
            u.png_format = k ? "rgba8" : "native";
            u.format = fmt;
            if (!why)
                add_unit(p, u);
        }
    }
}

/* make: the files may be made (not for --list-rows). */
static void build_png(struct plan *p, const struct opts *o, bool make)
{
    char why[NOTE_MAX];
    const char *none = NULL;
    if (!make && !o->png_dir) {
        snprintf(p->png_status, sizeof(p->png_status), "not made (listing)");
        none = p->png_status;
    } else if (png_set_prepare(o, p->make_samples[0] ? p->make_samples : NULL,
                               &p->png, why, sizeof(why))) {
        snprintf(p->png_status, sizeof(p->png_status), "%s", why);
        none = p->png_status;
    }
    uint32_t w = none ? PNG_MADE_WIDTH : p->png.width;
    uint32_t h = none ? PNG_MADE_HEIGHT : p->png.height;
    int loop = add_row(p, SEC_PNG, "libpng-loop", "none", w, h, 0, 0, none);
    if (!none)
        add_unit(p, unit(U_PNG_LOOP, loop, w, h));
    const char *no_producer = none             ? none
                              : p->producer[0] ? NULL
                                               : "producer not found (build "
                                                 "it, or give --producer)";
    static const char *const names[] = {"producer-1-thread",
                                        "producer-all-cores", "producer-cache"};
    for (int k = 0; k < 3; k++) {
        struct unit u =
            unit(U_PRODUCER,
                 add_row(p, SEC_PNG, names[k], "none", w, h, 0, 0, no_producer),
                 w, h);
        u.mode = (enum producer_mode)k;
        if (!no_producer)
            add_unit(p, u);
    }
    build_grey_png(p, o, make, no_producer, w, h);
}

/* The slot counts the lease and render rows run with: the segment's, and
 * --full-slots when it differs (the default-slot-count question). */
static int slot_counts(const struct opts *o, uint32_t each[2])
{
    each[0] = o->slots;
    each[1] = o->full_slots;
    return o->full_slots && o->full_slots != o->slots ? 2 : 1;
}

static void add_lease(struct plan *p, const char *transport, const char *work,
                      uint32_t w, uint32_t h, int readers, uint32_t slots,
                      enum lease_work lw, bool writer_rate)
{
    struct unit u = unit(
        U_LEASE,
        add_row(p, SEC_LEASES, transport, work, w, h, readers, slots, NULL), w,
        h);
    u.lease = lw;
    u.slots = slots;
    u.writer_rate = writer_rate;
    add_unit(p, u);
}

/* Issue 14: readers that hold frames, what it costs, what it resists. */
static void build_leases(struct plan *p, const struct opts *o)
{
    uint32_t each[2];
    int n = slot_counts(o, each);
    for (size_t s = 1; s < NSIZES; s++)
        for (int i = 0; i < n; i++)
            add_lease(p, "libframe-futex", "full-held", sizes[s][0],
                      sizes[s][1], 1, each[i], LW_FULL_HELD, false);
    for (int i = 0; i < n; i++)
        add_lease(p, "libframe-futex", "slow-held", 1920, 1080, 1, each[i],
                  LW_SLOW_HELD, false);
    add_lease(p, "libframe-futex", "slow", 1920, 1080, 1, o->slots, LW_SLOW,
              false);
    static const char *const works[] = {"none", "hold", "hostile-lock",
                                        "hostile-hold"};
    static const enum lease_work lws[] = {LW_NONE, LW_HOLD, LW_HOSTILE_LOCK,
                                          LW_HOSTILE_HOLD};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            add_lease(p, "libframe-writer", works[k], 1920, 1080, k ? 1 : 0,
                      each[i], lws[k], true);
    struct unit u = unit(U_COMMIT,
                         add_row(p, SEC_LEASES, "libframe-commit", "none", 1920,
                                 1080, 0, o->slots, NULL),
                         1920, 1080);
    u.slots = o->slots;
    add_unit(p, u);
    for (int k = 1; k >= 0; k--) {
        u = unit(U_HOLD_LOOP,
                 add_row(p, SEC_LEASES, "libframe-loop",
                         k ? "hold-release" : "acquire-validate", 1920, 1080, 1,
                         o->slots, NULL),
                 1920, 1080);
        u.lease = k;
        add_unit(p, u);
    }
}

/* What zero-copy saves: each writer draws the frame where its transport
 * wants it; the drawing alone is measured beside them. */
static void build_render(struct plan *p, const struct opts *o)
{
    uint32_t each[2];
    int n = slot_counts(o, each);
    static const char *const streams[] = {"pipe", "unix-socket"};
    for (size_t s = 0; s < NSIZES; s++) {
        uint32_t w = sizes[s][0], h = sizes[s][1];
        struct unit u = unit(
            U_DRAW, add_row(p, SEC_RENDER, "draw", "none", w, h, 0, 0, NULL), w,
            h);
        add_unit(p, u);
        for (int i = 0; i < n; i++) {
            u = unit(U_RENDER_LF,
                     add_row(p, SEC_RENDER, "libframe-futex", "touch", w, h, 1,
                             each[i], NULL),
                     w, h);
            u.slots = each[i];
            add_unit(p, u);
        }
        for (int t = 0; t < 2; t++) {
            u = unit(
                U_RENDER_STREAM,
                add_row(p, SEC_RENDER, streams[t], "touch", w, h, 1, 0, NULL),
                w, h);
            u.socket = t == 1;
            add_unit(p, u);
        }
        u = unit(
            U_RENDER_NOTIFY,
            add_row(p, SEC_RENDER, "pipe-wake-only", "none", w, h, 1, 0, NULL),
            w, h);
        add_unit(p, u);
    }
}

/* libframe's GStreamer elements against GStreamer's shm pair at 1080p
 * (issue 16): libframesrc fed at full speed (copying each frame out, and
 * handing frames out in place: zero-copy), libframesink fed by
 * videotestsrc (drawing into the sink's slots), shmsink feeding shmsrc as
 * the transport section measures it (the sources' comparison), and the
 * same pair fed by videotestsrc (the sink's) (t_gstplugin.c, t_gst.c). Not with
 * --quick: a smoke test has no use for them, and a sanitized plugin cannot load
 * into gst-launch. */
static void build_gstreamer(struct plan *p, const struct opts *o, bool probe)
{
    const uint32_t w = 1920, h = 1080;
    const char *st = probe ? gstplugin_status() : NULL;
    struct unit u;
    int g;
    for (int zc = 0; zc < 2; zc++) {
        u = unit(U_GST_SRC,
                 add_row(p, SEC_GSTREAMER,
                         zc ? "gst-libframesrc-zero-copy" : "gst-libframesrc",
                         "touch", w, h, 1, o->slots, st),
                 w, h);
        u.slots = o->slots;
        u.zero_copy = zc;
        if (!st)
            add_unit(p, u);
    }
    /* The sink with the segment's slots, and with two: a ring of three
     * 8.3 MB slots is 25 MB that videotestsrc writes in turn, two are
     * 17 MB, and at this size the copy into them is most of the cost. */
    for (int two = 0; two < 2; two++) {
        uint32_t slots = two ? 2 : o->slots;
        if (two && o->slots == 2)
            break;
        u = unit(U_GST_SINK,
                 add_row(p, SEC_GSTREAMER, "gst-libframesink", "none", w, h, 0,
                         slots, st),
                 w, h);
        u.slots = slots;
        if (!st)
            add_unit(p, u);
    }
    /* videotestsrc into fakesink: the source alone, no transport. */
    g = add_row(p, SEC_GSTREAMER, "videotestsrc-alone", "none", w, h, 0, 0, st);
    if (!st)
        add_unit(p, unit(U_GST_ALONE, g, w, h));
    g = add_row(p, SEC_GSTREAMER, "gstreamer-shm", "touch", w, h, 1, 0, st);
    if (!st)
        add_unit(p, unit(U_GST, g, w, h));
    /* The sink's comparison: videotestsrc drawing each frame, into
     * libframesink's slot (its pool) or into a buffer shmsink copies. */
    u = unit(U_GST,
             add_row(p, SEC_GSTREAMER, "gstreamer-shm-drawn", "touch", w, h, 1,
                     0, st),
             w, h);
    u.draw = true;
    if (!st)
        add_unit(p, u);
}

/* probe: look at the machine and for the programs, make the PNG files. */
static int build(struct plan *p, const struct opts *o, bool probe)
{
    memset(p, 0, sizeof(*p));
    p->reps = o->reps;
    p->rows = calloc(MAX_ROWS, sizeof(*p->rows));
    p->units = calloc(MAX_UNITS, sizeof(*p->units));
    if (!p->rows || !p->units)
        return -1;
    if (probe) {
        machine_probe(&p->machine,
                      o->with_gst ||
                          ((o->sections & 1u << SEC_GSTREAMER) && !o->quick));
        p->gst = o->with_gst && gst_available();
        locate(o->producer, "producer", FRAMEBENCH_PRODUCER, p->producer,
               sizeof(p->producer));
        locate(o->make_samples, "make-samples", FRAMEBENCH_MAKE_SAMPLES,
               p->make_samples, sizeof(p->make_samples));
    }
    if (o->sections & 1u << SEC_TRANSPORT)
        build_transport(p, o);
    if (o->sections & 1u << SEC_READERS)
        for (int n = 1; n <= MAX_READERS; n *= 2)
            add_libframe(p, SEC_READERS, false, false, 1920, 1080, n, o->slots);
    if (o->sections & 1u << SEC_WAKE) {
        int f = add_row(p, SEC_WAKE, "libframe-futex", "touch", 1920, 1080, 1,
                        o->slots, NULL);
        int q =
            add_row(p, SEC_WAKE, "pipe-woken", "touch", 1920, 1080, 1, 0, NULL);
        struct unit u = unit(U_WAKE, f, 1920, 1080);
        u.row[1] = q;
        add_unit(p, u);
    }
    if (o->sections & 1u << SEC_PNG)
        build_png(p, o, probe);
    if (o->sections & 1u << SEC_LEASES)
        build_leases(p, o);
    if (o->sections & 1u << SEC_RENDER)
        build_render(p, o);
    if ((o->sections & 1u << SEC_GSTREAMER) && !o->quick)
        build_gstreamer(p, o, probe);
    return 0;
}

int plan_build(struct plan *p, const struct opts *o)
{
    return build(p, o, true);
}

int plan_build_rows(struct plan *p, const struct opts *o)
{
    return build(p, o, false);
}

static void run_unit(struct plan *p, const struct opts *o, const struct unit *u,
                     struct measure *m0, struct measure *m1)
{
    const struct source *src = NULL;
    if (u->kind <= U_MEMCPY || u->kind == U_WAKE || u->kind >= U_LEASE) {
        src = u->format ? source_get_format(u->width, u->height, u->format)
                        : source_get(u->width, u->height);
        if (!src) {
            measure_fail(m0, "no memory for a %ux%u frame", u->width,
                         u->height);
            if (m1)
                measure_fail(m1, "%s", m0->note);
            return;
        }
    }
    switch (u->kind) {
    case U_LIBFRAME:
        run_libframe(o, src, u->poll, u->full, u->readers, u->slots, m0);
        break;
    case U_STREAM:
        run_stream(o, src, u->socket, u->full, false, m0,
                   u->socket ? &p->socket_bytes : &p->pipe_bytes);
        break;
    case U_RENDER_STREAM:
        run_stream(o, src, u->socket, false, true, m0,
                   u->socket ? &p->socket_bytes : &p->pipe_bytes);
        break;
    case U_RENDER_NOTIFY:
        run_stream_notify(o, src, m0);
        break;
    case U_RENDER_LF:
        run_libframe_fill(o, src, LF_DRAW, 1, u->slots, m0);
        break;
    case U_COMMIT:
        run_libframe_fill(o, src, LF_EMPTY, 0, u->slots, m0);
        break;
    case U_DRAW:
        run_draw(o, src, u->slots, m0);
        break;
    case U_LEASE:
        run_lease(o, src, (enum lease_work)u->lease, u->slots, u->writer_rate,
                  m0);
        break;
    case U_HOLD_LOOP:
        run_hold_loop(o, src, u->lease != 0, m0);
        break;
    case U_MEMCPY:
        run_memcpy(o, src, (enum memcpy_kind)u->memcpy_kind, m0);
        break;
    case U_GST:
        run_gst(o, u->width, u->height, u->draw, m0);
        break;
    case U_GST_SRC:
        run_gstplugin_src(o, u->width, u->height, u->slots, u->zero_copy, m0);
        break;
    case U_GST_SINK:
        run_gstplugin_sink(o, u->width, u->height, u->slots, m0);
        break;
    case U_GST_ALONE:
        run_gst_drawn_alone(o, u->width, u->height, m0);
        break;
    case U_WAKE:
        run_wake(o, src, m0, m1);
        break;
    case U_PNG_LOOP:
        run_png_loop(o, &p->png, m0);
        break;
    case U_PRODUCER:
        run_producer(o, p->producer, u->png ? &p->grey[u->png - 1] : &p->png,
                     u->mode, u->png_format, u->png ? u->format : 0, m0);
        break;
    }
}

int plan_run(struct plan *p, const struct opts *o)
{
    int total = o->warmup_reps + o->reps;
    cpu_mark(&p->cpu_start);
    for (int rep = 0; rep < total; rep++) {
        bool warm = rep < o->warmup_reps;
        if (!o->quiet) {
            if (warm)
                fprintf(stderr, "%s: warm-up %d of %d\n", msg_prog(), rep + 1,
                        o->warmup_reps);
            else
                fprintf(stderr, "%s: repetition %d of %d\n", msg_prog(),
                        rep - o->warmup_reps + 1, o->reps);
        }
        for (int i = 0; i < p->nunits; i++) {
            if (stop_requested())
                return -1;
            const struct unit *u = &p->units[i];
            struct measure s0, s1, *m0 = &s0, *m1 = &s1;
            measure_init(&s0);
            measure_init(&s1);
            if (!warm) {
                m0 = &p->rows[u->row[0]].m[rep - o->warmup_reps];
                if (u->row[1] >= 0)
                    m1 = &p->rows[u->row[1]].m[rep - o->warmup_reps];
            }
            run_unit(p, o, u, m0, u->row[1] >= 0 ? m1 : NULL);
        }
    }
    cpu_mark(&p->cpu_end);
    machine_load(p->machine.load_end);
    return stop_requested() ? -1 : 0;
}

void plan_free(struct plan *p)
{
    for (int i = 0; i < p->nrows; i++)
        free(p->rows[i].m);
    for (int i = 0; i < p->nratios; i++)
        free(p->ratios[i].per_rep);
    free(p->rows);
    free(p->units);
    free(p->ratios);
    png_set_free(&p->png);
    png_set_free(&p->grey[0]);
    png_set_free(&p->grey[1]);
    sources_free();
    memset(p, 0, sizeof(*p));
}
