/* The viewer's once-a-second figures: fps, producer fps, latency, counters. */
#include "stats.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

void stats_init(struct stats *s, int64_t now)
{
    *s = (struct stats){.interval_start = now};
}

void stats_frame(struct stats *s, int64_t publish_ns, int64_t shown_ns)
{
    s->shown++;
    /* Both clocks are CLOCK_MONOTONIC, so this is comparable across
     * processes; a writer's explicit timestamp could still be anything. */
    if (s->n_samples < STATS_MAX_SAMPLES && publish_ns > 0 &&
        shown_ns >= publish_ns)
        s->samples[s->n_samples++] = shown_ns - publish_ns;
}

void stats_retire(struct stats *s, const frame_reader *r)
{
    if (!r)
        return;
    struct frame_stats fs;
    frame_reader_stats(r, &fs);
    s->retired_skipped += fs.frames_skipped;
    s->retired_retries += fs.retries;
}

int64_t stats_due(const struct stats *s)
{
    return s->interval_start + STATS_PERIOD_NS;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least p% of them at or below. */
static double percentile_ms(const int64_t *sorted, size_t n, unsigned p)
{
    size_t rank = (n * p + 99) / 100;
    return sorted[rank ? rank - 1 : 0] / 1e6;
}

/* The producer's frame rate from its newest frame number, which counts
 * every publish whether we showed it or not. Unknown (false) for the
 * interval in which it was first seen. */
static bool producer_rate(struct stats *s, frame_reader *r, double secs,
                          double *fps)
{
    struct frame_info info;
    *fps = 0;
    if (!r || frame_reader_info(r, &info) != 0 || !info.writer_alive) {
        s->have_producer = false;
        return true; /* none: its rate is known to be 0 */
    }
    bool known = s->have_producer && info.session_id == s->producer_session &&
                 info.latest_frame_no >= s->producer_frame_no;
    if (known)
        *fps = (info.latest_frame_no - s->producer_frame_no) / secs;
    s->have_producer = true;
    s->producer_session = info.session_id;
    s->producer_frame_no = info.latest_frame_no;
    return known;
}

void stats_roll(struct stats *s, frame_reader *r, int64_t now)
{
    double secs = (now - s->interval_start) / 1e9;
    if (secs <= 0)
        secs = 1e-9;
    struct stats_figures *f = &s->fig;
    f->shown_fps = s->shown / secs;
    f->have_producer_fps = producer_rate(s, r, secs, &f->producer_fps);
    f->have_latency = s->n_samples > 0;
    if (f->have_latency) {
        qsort(s->samples, s->n_samples, sizeof(s->samples[0]), cmp_i64);
        f->p50_ms = percentile_ms(s->samples, s->n_samples, 50);
        f->p99_ms = percentile_ms(s->samples, s->n_samples, 99);
    }
    f->skipped = s->retired_skipped;
    f->retries = s->retired_retries;
    if (r) {
        struct frame_stats fs;
        frame_reader_stats(r, &fs);
        f->skipped += fs.frames_skipped;
        f->retries += fs.retries;
    }
    s->have_fig = true;
    s->interval_start = now;
    s->shown = 0;
    s->n_samples = 0;
}

void stats_format(const struct stats_figures *f, char *buf, size_t len)
{
    char lat[64], prod[32];
    if (f->have_producer_fps)
        snprintf(prod, sizeof(prod), "%.1f", f->producer_fps);
    else
        snprintf(prod, sizeof(prod), "-");
    if (f->have_latency)
        snprintf(lat, sizeof(lat), "p50 %.2f ms p99 %.2f ms", f->p50_ms,
                 f->p99_ms);
    else
        snprintf(lat, sizeof(lat), "p50 - p99 -");
    snprintf(buf, len,
             "shown %.1f fps, producer %s fps, latency %s, skipped %" PRIu64
             ", retries %" PRIu64,
             f->shown_fps, prod, lat, f->skipped, f->retries);
}
