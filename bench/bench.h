/* framebench: options, row identities and per-repetition measurements. */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_READERS 4
#define NOTE_MAX 200

enum section {
    SEC_TRANSPORT,
    SEC_READERS,
    SEC_WAKE,
    SEC_PNG,
    SEC_LEASES,
    SEC_RENDER,
    SEC_PYTHON,    /* no rows of ours: python/bench_python.py's table */
    SEC_GSTREAMER, /* libframesrc, libframesink against the shm pair */
    SEC_COUNT
};

struct opts {
    int reps;
    int warmup_reps;
    double run_s;        /* measured part of each run */
    double warm_s;       /* discarded start of each run */
    uint32_t slots;      /* libframe segment slots */
    uint32_t full_slots; /* slots of the extra full-reader rows; 0: none */
    size_t pipe_bytes;   /* F_SETPIPE_SZ request */
    unsigned png_files;
    unsigned sections; /* bit per enum section */
    bool quick;
    bool list_rows; /* --list-rows: print the plan's rows, run none */
    bool quiet;
    bool with_gst;
    const char *json_path;
    const char *plot_dir;
    const char *png_dir;
    const char *producer;
    const char *make_samples;
};

/* Latency quantiles kept per run for the CDF chart. */
#define CDF_POINTS 128

/* One row, one repetition. Figures that do not apply are NAN. */
struct measure {
    bool ok;
    char note[NOTE_MAX]; /* why not ok */
    double fps;          /* frames each reader completed per second */
    double writer_fps;   /* frames the writer published per second */
    double gbps;         /* fps * frame bytes / 1e9 */
    double lat_p50, lat_p99, lat_p999, lat_max; /* microseconds */
    double skipped;    /* per reader, over the measured window */
    double retries;    /* torn acquires or validations, per reader */
    double bad;        /* frames whose bytes were wrong: must be 0 */
    double wcpu, rcpu; /* % of one core; rcpu is per reader */
    double whole_pct;  /* of the frames readers held or took, % whole at
                          release (or validation) */
    /* CPU per frame in microseconds: the writer's per frame published,
     * each reader's per frame it completed (render rows: the drawing
     * subtracted), and the two together. */
    double wcpu_us, rcpu_us, cpu_us;
    bool has_cdf;
    float cdf[CDF_POINTS]; /* latency (us) at cdf_prob(i) */
};

struct row {
    enum section sec;
    const char *transport;
    const char *work; /* touch, full, none */
    uint32_t width, height;
    int readers;
    uint32_t slots; /* libframe and memcpy-slots rows; else 0 */
    /* The frames' pixel format (enum frame_pixel_format): the source's for
     * transport rows, what the producer publishes for PNG rows. */
    uint32_t format;
    const char *status; /* NULL: measured; else why not, for every rep */
    struct measure *m;  /* one per repetition */
};

void measure_init(struct measure *m);
void measure_fail(struct measure *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
double cdf_prob(int i);

#endif
