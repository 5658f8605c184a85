/* The rows of the benchmark, the runs that fill them, their ratios. */
#ifndef BENCH_PLAN_H
#define BENCH_PLAN_H

#include "bench.h"
#include "machine.h"
#include "png.h"
#include "quiet.h"
#include "summary.h"

#include <stdio.h>

enum unit_kind {
    U_LIBFRAME,
    U_STREAM,
    U_MEMCPY,
    U_GST,
    U_WAKE,
    U_PNG_LOOP,
    U_PRODUCER,
    U_LEASE,         /* run_lease */
    U_HOLD_LOOP,     /* run_hold_loop */
    U_COMMIT,        /* a writer that only begins and commits */
    U_DRAW,          /* run_draw */
    U_RENDER_LF,     /* libframe writer drawing into the slot */
    U_RENDER_STREAM, /* pipe or socket writer drawing into its buffer */
    U_RENDER_NOTIFY, /* run_stream_notify: a wake-up a frame, no pixels */
    U_GST_SRC,       /* run_gstplugin_src */
    U_GST_SINK,      /* run_gstplugin_sink */
    U_GST_ALONE      /* run_gst_drawn_alone */
};

/* One run fills one row (two for the wake run) per repetition. */
struct unit {
    enum unit_kind kind;
    int row[2];
    uint32_t width, height;
    bool poll, full, socket;
    int memcpy_kind; /* enum memcpy_kind */
    int readers;
    uint32_t slots; /* libframe segment */
    enum producer_mode mode;
    uint32_t format;        /* the source's (transport), 0: RGBA8 */
    int png;                /* PNG rows: which of plan.pngs */
    const char *png_format; /* producer --format, NULL: not given */
    int lease;              /* enum lease_work (U_LEASE); U_HOLD_LOOP:
                               1 hold + release, 0 acquire + validate */
    bool writer_rate;       /* U_LEASE: frames/s is the writer's */
    bool zero_copy;         /* U_GST_SRC: libframesrc zero-copy=true */
    bool draw;              /* U_GST: videotestsrc draws every frame */
};

enum target_op { T_NONE, T_AT_LEAST, T_AT_MOST };

/* num / den per repetition (den < 0: the figure itself), then summarised. */
struct ratio {
    const char *key; /* in the numerator row's "ratios" */
    char label[96];
    int num, den;
    enum metric mnum, mden;
    enum target_op op;
    double target;
    double *per_rep;
    struct stat3 s;
    int below; /* repetitions that missed the target */
};

struct plan {
    struct row *rows;
    int nrows;
    struct unit *units;
    int nunits;
    struct ratio *ratios;
    int nratios;
    int reps;
    struct machine machine;
    struct png_set png;
    char png_status[NOTE_MAX]; /* empty when the files are ready */
    /* The grey inputs (plan.png's, converted): 8 and 16 bits. */
    struct png_set grey[2];
    char grey_status[2][NOTE_MAX];
    char producer[4096]; /* empty when not found */
    char make_samples[4096];
    bool gst;
    size_t pipe_bytes, socket_bytes; /* capacities actually in use */
    struct cpu_mark cpu_start, cpu_end;
};

/* The rows for these options and the runs that fill them, with the
 * machine probed, the programs found and the PNG files made. */
int plan_build(struct plan *p, const struct opts *o);
/* The same rows, probing, spawning and making nothing (--png-dir is read
 * for its size): what --list-rows prints. A row's status may differ from
 * plan_build()'s, its identity and ratios do not. */
int plan_build_rows(struct plan *p, const struct opts *o);
/* Warm-up repetitions, then the measured ones. 0, or -1 if interrupted. */
int plan_run(struct plan *p, const struct opts *o);
void plan_ratios(struct plan *p, const struct opts *o);
/* "met", "MISSED", "-" (no target), ...; buf may be used for the text. */
const char *ratio_verdict(const struct ratio *r, char *buf, size_t len);
void plan_free(struct plan *p);

/* slots: 0 for the rows of other transports. RGBA8 rows only. */
int row_find(const struct plan *p, enum section sec, const char *transport,
             const char *work, uint32_t w, uint32_t h, int readers,
             uint32_t slots);
/* The same, of frames of pixel format `format`. */
int row_find_format(const struct plan *p, enum section sec,
                    const char *transport, const char *work, uint32_t w,
                    uint32_t h, int readers, uint32_t slots, uint32_t format);
const char *section_name(enum section s);
/* The row's pixel format by its caps name ("RGBA", "GRAY16_LE"). */
const char *row_format_name(const struct row *r);
/* "libframe-futex full 3 slots", "pipe touch", "memcpy-warm": for charts. */
void row_label(const struct row *r, char *buf, size_t len);
/* --list-rows: each row's identity and its ratios, one line each
 * (list.c; the form is in bench/README.md). */
void plan_list(FILE *f, const struct plan *p);

#endif
