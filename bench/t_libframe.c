/* libframe: a writer copying frames into slots, readers using them in place. */

/* Readers are woken by the futex or busy-poll; "full" readers sum every
 * byte where it lies, then validate. */
#include "transports.h"

#include "clock.h"

#include <libframe/frame.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void segment_name(char *buf, size_t len)
{
    static unsigned serial;
    snprintf(buf, len, "framebench.%d.%u", (int)getpid(), serial++);
}

/* After a failed run, whatever state its writer left it in: the name is
 * ours alone, so no frame_segment_remove_stale() judgement is wanted. */
void segment_remove(const char *name)
{
    char path[sizeof(FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX) + FRAME_NAME_MAX];
    if (frame_segment_path(name, path, sizeof(path)) == 0)
        unlink(path);
}

int lf_writer_start(const char *name, const struct source *src, uint32_t slots,
                    frame_writer **w, struct proc_out *out)
{
    /* Slots sized for the source's format: a GRAY8 segment is a quarter
     * of an RGBA8 one, and so is what the caches hold. */
    struct frame_format fmt = {.max_width = src->width,
                               .max_height = src->height,
                               .slot_count = slots,
                               .pixel_format = src->format};
    int rc = frame_writer_create(name, &fmt, w, NULL);
    if (rc)
        return child_fail(out, "create segment: %s", frame_strerror(rc));
    child_ready();
    child_wait_go();
    return 0;
}

int lf_writer_step(frame_writer *w, const struct source *src, struct meter *mt,
                   struct proc_out *out, uint64_t *frame_no)
{
    return lf_writer_step_fill(w, src, LF_COPY, mt, out, frame_no);
}

int lf_writer_step_fill(frame_writer *w, const struct source *src,
                        enum lf_fill fill, struct meter *mt,
                        struct proc_out *out, uint64_t *frame_no)
{
    const struct run *ctl = run_ctl();
    int64_t now = now_ns();
    meter_tick(mt, now);
    if (now >= ctl->t_end)
        return 1;
    bool metered = mt->state == 1; /* this whole step is in the meter */
    struct frame_buffer b;
    int rc = frame_writer_begin_format(w, src->format, src->width, src->height,
                                       1, &b);
    if (rc)
        return rc;
    /* Tight planes, one after another from plane 0, in the slot as in the
     * source (frame_image_layout, stride_align 1): one copy for all. */
    if (fill == LF_COPY)
        memcpy(b.pixels, src->pixels, src->bytes);
    int64_t drew = 0;
    if (fill == LF_DRAW)
        drew =
            frame_draw_timed(b.pixels, b.width, b.height, b.stride, b.frame_no);
    frame_stamp(b.pixels, src->bytes, b.frame_no);
    int64_t t = now_ns(); /* the publish stamp readers measure from */
    if ((rc = frame_writer_commit(w, t, 0)))
        return rc;
    if (t >= ctl->t_warm && t < ctl->t_end)
        out->frames++;
    if (metered) {
        out->sent++;
        out->draw_ns += drew;
    }
    *frame_no = b.frame_no;
    return 0;
}

int lf_writer_main(void *arg, struct proc_out *out)
{
    const struct lf_writer_args *a = arg;
    const struct source *s = a->src;
    frame_writer *w;
    int rc = lf_writer_start(a->name, s, a->slots, &w, out);
    if (rc)
        return rc;
    struct meter mt = {0};
    uint64_t no;
    while ((rc = lf_writer_step_fill(w, s, a->fill, &mt, out, &no)) == 0)
        continue;
    if (rc > 0)
        rc = 0; /* the run's end */
    meter_end(&mt, out);
    frame_writer_destroy(w);
    return rc ? child_fail(out, "publish: %s", frame_strerror(rc)) : 0;
}

/* Counters over the metered window only. */
static void stats_at(frame_reader *r, const struct meter *mt, int before,
                     struct frame_stats *s0, struct frame_stats *s1)
{
    if (before == 0 && mt->state >= 1)
        frame_reader_stats(r, s0);
    if (before <= 1 && mt->state == 2)
        frame_reader_stats(r, s1);
}

int lf_reader_main(void *arg, struct proc_out *out)
{
    const struct lf_reader_args *a = arg;
    frame_reader *r;
    int rc = frame_reader_open(a->name, &r);
    if (rc)
        return child_fail(out, "open segment: %s", frame_strerror(rc));
    frame_reader_set_busy_poll(r, a->poll);
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    struct frame_stats s0 = {0}, s1 = {0};
    child_ready();
    child_wait_go();
    for (;;) {
        rc = frame_reader_wait(r, 1000);
        int before = mt.state;
        meter_tick(&mt, now_ns());
        stats_at(r, &mt, before, &s0, &s1);
        if (rc == FRAME_ECLOSED)
            break;
        if (rc == -ETIMEDOUT && now_ns() < ctl->t_end + INT64_C(5000000000))
            continue;
        if (rc) {
            child_fail(out, "wait: %s", frame_strerror(rc));
            break;
        }
        struct frame_view v;
        rc = frame_reader_acquire(r, &v);
        int64_t t = now_ns(); /* the frame is in hand */
        if (rc == FRAME_EBUSY)
            continue; /* counted as retries by the library */
        if (rc) {
            child_fail(out, "acquire: %s", frame_strerror(rc));
            break;
        }
        uint64_t sum = 0;
        /* Every plane: the writer lays them out tight from plane 0, as
         * the source is (a frame of any other format is counted bad). */
        bool ours = v.format == a->src->format && v.width == a->src->width &&
                    v.height == a->src->height;
        if (a->full && ours)
            sum = frame_sum(v.pixels, a->src->bytes);
        if (!frame_reader_still_valid(r, &v))
            continue;
        if (v.timestamp_ns < ctl->t_warm || v.timestamp_ns >= ctl->t_end)
            continue;
        if (!ours || (a->full && sum != frame_expected(a->src, v.frame_no)))
            out->bad++;
        out->frames++;
        lat_add(out, t - v.timestamp_ns);
    }
    int before = mt.state;
    meter_end(&mt, out);
    if (before == 1)
        frame_reader_stats(r, &s1);
    out->skipped = s1.frames_skipped - s0.frames_skipped;
    out->retries = s1.retries - s0.retries;
    frame_reader_close(r);
    return out->msg[0] ? 1 : 0;
}

static void run_lf(const struct opts *o, const struct source *src, bool poll,
                   bool full, enum lf_fill fill, int readers, uint32_t slots,
                   struct measure *m)
{
    char name[64], why[NOTE_MAX];
    segment_name(name, sizeof(name));
    struct lf_writer_args wa = {
        .name = name, .src = src, .slots = slots, .fill = fill};
    struct lf_reader_args ra = {
        .name = name, .src = src, .poll = poll, .full = full};
    struct spawn procs[MAX_PROCS] = {{lf_writer_main, &wa}};
    for (int i = 1; i <= readers; i++)
        procs[i] = (struct spawn){lf_reader_main, &ra};
    /* Readers open the segment, so the writer must have made it. */
    if (run_procs(procs, 1 + readers, 1, o, why, sizeof(why))) {
        segment_remove(name);
        measure_fail(m, "%s", why);
        return;
    }
    run_collect(readers, src->bytes, m);
}

void run_libframe(const struct opts *o, const struct source *src, bool poll,
                  bool full, int readers, uint32_t slots, struct measure *m)
{
    run_lf(o, src, poll, full, LF_COPY, readers, slots, m);
}

void run_libframe_fill(const struct opts *o, const struct source *src,
                       enum lf_fill fill, int readers, uint32_t slots,
                       struct measure *m)
{
    run_lf(o, src, false, false, fill, readers, slots, m);
}
