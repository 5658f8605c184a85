/* The viewer's once-a-second figures: fps, producer fps, latency, counters. */
#ifndef VIEWER_STATS_H
#define VIEWER_STATS_H

#include <libframe/frame.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Latencies kept per interval; frames beyond this in one second are
 * counted but not timed (the percentiles of 4096 samples are good enough). */
#define STATS_MAX_SAMPLES 4096
#define STATS_PERIOD_NS INT64_C(1000000000)

/* What one interval amounted to: the --stats line and the HUD. */
struct stats_figures {
    double shown_fps;
    bool have_producer_fps; /* a producer ran for the whole interval */
    double producer_fps;
    bool have_latency;
    double p50_ms, p99_ms;
    uint64_t skipped, retries; /* totals since start */
};

struct stats {
    int64_t interval_start;
    uint64_t shown;
    size_t n_samples;
    int64_t samples[STATS_MAX_SAMPLES];
    /* the producer's newest frame at the last roll, to measure its rate */
    bool have_producer;
    uint64_t producer_session;
    uint64_t producer_frame_no;
    /* counters of reader handles already closed; a reopen starts at 0 */
    uint64_t retired_skipped, retired_retries;
    struct stats_figures fig;
    bool have_fig;
};

void stats_init(struct stats *s, int64_t now);

/* One frame shown at shown_ns that was published at publish_ns. */
void stats_frame(struct stats *s, int64_t publish_ns, int64_t shown_ns);

/* Keep the counters of a handle about to be closed. */
void stats_retire(struct stats *s, const frame_reader *r);

/* When the current interval ends. */
int64_t stats_due(const struct stats *s);

/* End the interval at `now`: compute s->fig from it and the reader (NULL
 * when there is no producer), then start the next one. */
void stats_roll(struct stats *s, frame_reader *r, int64_t now);

/* The --stats line, without a newline. */
void stats_format(const struct stats_figures *f, char *buf, size_t len);

#endif
