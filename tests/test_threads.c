/* Thread-level stress in one process, written to run under ThreadSanitizer. */
#include "runner.h"
#include "sanitized.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/*
 * What TSan can and cannot see here: it tracks memory by virtual address,
 * and the writer and every reader handle map the segment separately, so
 * the pixel race between them and the seqlock's fences are invisible to
 * it (which is why the suite has no suppression for that race; the
 * multi-process test_stress is what proves the seqlock). It does check
 * everything process-wide: the SIGBUS guard table, handles, stats, and this
 * file's own threads.
 */

#define WIDTH 256
#define HEIGHT 128
#define FRAME_BYTES ((size_t)WIDTH * HEIGHT * 4)
#define COPY_READERS 3
#define WAIT_READERS 2
#define LIMIT_S 20

/* Under TSan every byte memcpy'd is checked: far fewer frames there. */
#ifdef SANITIZED
#define COPIES_PER_READER 2000
#define PACED_FRAMES 1000
#else
#define COPIES_PER_READER 20000
#define PACED_FRAMES 3000
#endif
/* The paced writer's gap between frames, long enough that waiters sleep. */
#define PACE_NS 200000
/* One pause longer than the readers' 250 ms liveness period. */
#define PAUSE_NS 300000000

struct reader_ctx {
    frame_reader *r;
    pthread_t thread;
    uint64_t copies;   /* frames copied and validated */
    uint64_t distinct; /* of those, how many were new */
    uint64_t torn;     /* validated copies whose pixels were mixed */
    uint64_t busy;     /* FRAME_EBUSY: torn on every try */
    uint64_t wakes;    /* frame_reader_wait() returning 0 */
    uint64_t timeouts;
    int end_rc; /* what ended a waiting reader */
    struct frame_stats stats;
};

struct writer_ctx {
    frame_writer *w;
    pthread_t thread;
    _Atomic bool stop;
    bool paced;
    uint64_t published;
};

#include "pattern.h"

static void publish(struct writer_ctx *wc)
{
    struct frame_buffer fb;
    CHECK_RC(frame_writer_begin(wc->w, WIDTH, HEIGHT, &fb), 0);
    fill_frame(fb.pixels, fb.stride, fb.frame_no);
    CHECK_RC(frame_writer_commit(wc->w, 0, fb.frame_no), 0);
    wc->published++;
}

static void *writer_main(void *arg)
{
    struct writer_ctx *wc = arg;
    if (!wc->paced) {
        while (!atomic_load(&wc->stop))
            publish(wc);
        return NULL;
    }
    for (int i = 0; i < PACED_FRAMES && !atomic_load(&wc->stop); i++) {
        publish(wc);
        if (i == PACED_FRAMES / 2) {
            CHECK_RC(frame_writer_set_state(wc->w, FRAME_STATE_PAUSED), 0);
            sleep_ns(PAUSE_NS);
            CHECK_RC(frame_writer_set_state(wc->w, FRAME_STATE_RUNNING), 0);
        }
        sleep_ns(PACE_NS);
    }
    return NULL;
}

/* Copies one frame and checks it. 0, or the error that should end the
 * reader. */
static int copy_and_check(struct reader_ctx *rc, uint32_t *buf, uint64_t *last)
{
    struct frame_view v;
    int err = frame_reader_copy(rc->r, buf, WIDTH * 4, FRAME_BYTES, &v);
    if (err == FRAME_EBUSY) {
        rc->busy++;
        return 0;
    }
    if (err)
        return err;
    CHECK(v.width == WIDTH && v.height == HEIGHT);
    /* `latest` only moves forward, so neither may what a reader gets. */
    CHECK(v.frame_no >= *last);
    rc->copies++;
    if (!verify_frame((const uint8_t *)buf, WIDTH * 4, v.frame_no)) {
        if (rc->torn == 0)
            fprintf(stderr, "frame %llu copied, validated and torn\n",
                    (unsigned long long)v.frame_no);
        rc->torn++;
    }
    if (v.frame_no != *last)
        rc->distinct++;
    *last = v.frame_no;
    return 0;
}

static void *copy_reader_main(void *arg)
{
    struct reader_ctx *rc = arg;
    uint32_t *buf = malloc(FRAME_BYTES);
    CHECK(buf);
    int64_t deadline = now_ns() + (int64_t)LIMIT_S * 1000000000;
    uint64_t last = 0;
    while (rc->distinct < COPIES_PER_READER && now_ns() < deadline) {
        uint64_t before = rc->distinct;
        int err = copy_and_check(rc, buf, &last);
        if (err != FRAME_ENOFRAME)
            CHECK_RC(err, 0);
        /* Nothing new: let the writer have the core rather than copy the
         * same frame for a whole time slice on a loaded machine. */
        if (rc->distinct == before)
            sched_yield();
    }
    frame_reader_stats(rc->r, &rc->stats);
    free(buf);
    return NULL;
}

/* Sleeps in frame_reader_wait() between frames until the writer closes. */
static void *wait_reader_main(void *arg)
{
    struct reader_ctx *rc = arg;
    uint32_t *buf = malloc(FRAME_BYTES);
    CHECK(buf);
    int64_t deadline = now_ns() + (int64_t)LIMIT_S * 1000000000;
    uint64_t last = 0;
    int err = 0;
    while (now_ns() < deadline) {
        err = frame_reader_wait(rc->r, 1000);
        if (err == -ETIMEDOUT) {
            rc->timeouts++;
            continue;
        }
        if (err)
            break;
        rc->wakes++;
        uint64_t before = rc->distinct, busy = rc->busy;
        CHECK_RC(copy_and_check(rc, buf, &last), 0);
        /* wait() said there was a frame newer than the last one taken. */
        CHECK(rc->distinct == before + 1 || rc->busy == busy + 1);
    }
    rc->end_rc = err;
    frame_reader_stats(rc->r, &rc->stats);
    free(buf);
    return NULL;
}

static void start_writer(struct writer_ctx *wc, const char *name, bool paced)
{
    struct frame_format fmt = {.max_width = WIDTH, .max_height = HEIGHT};
    CHECK_RC(frame_writer_create(name, &fmt, &wc->w, NULL), 0);
    atomic_init(&wc->stop, false);
    wc->paced = paced;
    wc->published = 0;
}

static void report(const char *what, const struct writer_ctx *wc,
                   const struct reader_ctx *rc, int n, double secs)
{
    for (int i = 0; i < n; i++)
        fprintf(stderr,
                "  %s reader %d: %llu copies, %llu distinct, %llu torn, "
                "%llu busy, %llu retries, %llu wakes, %llu timeouts\n",
                what, i, (unsigned long long)rc[i].copies,
                (unsigned long long)rc[i].distinct,
                (unsigned long long)rc[i].torn, (unsigned long long)rc[i].busy,
                (unsigned long long)rc[i].stats.retries,
                (unsigned long long)rc[i].wakes,
                (unsigned long long)rc[i].timeouts);
    fprintf(stderr, "threads %s: writer published %llu in %.1f s\n", what,
            (unsigned long long)wc->published, secs);
}

/* A writer thread at full speed and readers copying with
 * frame_reader_copy(), each through its own handle and mapping. */
static void copy_readers(void)
{
    const char *name = test_name("threads-copy");
    struct writer_ctx wc;
    struct reader_ctx rc[COPY_READERS];
    memset(rc, 0, sizeof(rc));
    int64_t start = now_ns();
    start_writer(&wc, name, false);
    for (int i = 0; i < COPY_READERS; i++)
        CHECK_RC(frame_reader_open(name, &rc[i].r), 0);
    CHECK(pthread_create(&wc.thread, NULL, writer_main, &wc) == 0);
    for (int i = 0; i < COPY_READERS; i++)
        CHECK(pthread_create(&rc[i].thread, NULL, copy_reader_main, &rc[i]) ==
              0);
    for (int i = 0; i < COPY_READERS; i++)
        CHECK(pthread_join(rc[i].thread, NULL) == 0);
    atomic_store(&wc.stop, true);
    CHECK(pthread_join(wc.thread, NULL) == 0);
    frame_writer_destroy(wc.w);
    for (int i = 0; i < COPY_READERS; i++)
        frame_reader_close(rc[i].r);
    report("copy", &wc, rc, COPY_READERS, (double)(now_ns() - start) / 1e9);

    for (int i = 0; i < COPY_READERS; i++) {
        CHECK(rc[i].torn == 0);
        CHECK(rc[i].distinct > 0);
    }
}

/* A paced writer, with one pause, and readers that sleep on the futex
 * between frames; closing the writer must wake them. */
static void wait_readers(void)
{
    const char *name = test_name("threads-wait");
    struct writer_ctx wc;
    struct reader_ctx rc[WAIT_READERS];
    memset(rc, 0, sizeof(rc));
    int64_t start = now_ns();
    start_writer(&wc, name, true);
    for (int i = 0; i < WAIT_READERS; i++)
        CHECK_RC(frame_reader_open(name, &rc[i].r), 0);
    for (int i = 0; i < WAIT_READERS; i++)
        CHECK(pthread_create(&rc[i].thread, NULL, wait_reader_main, &rc[i]) ==
              0);
    CHECK(pthread_create(&wc.thread, NULL, writer_main, &wc) == 0);
    CHECK(pthread_join(wc.thread, NULL) == 0);
    /* The readers are most likely asleep in the futex now. */
    frame_writer_destroy(wc.w);
    for (int i = 0; i < WAIT_READERS; i++)
        CHECK(pthread_join(rc[i].thread, NULL) == 0);
    for (int i = 0; i < WAIT_READERS; i++)
        frame_reader_close(rc[i].r);
    report("wait", &wc, rc, WAIT_READERS, (double)(now_ns() - start) / 1e9);

    for (int i = 0; i < WAIT_READERS; i++) {
        CHECK_RC(rc[i].end_rc, FRAME_ECLOSED);
        CHECK(rc[i].torn == 0);
        CHECK(rc[i].distinct > 0);
    }
}

TEST_MAIN(CASE(copy_readers), CASE(wait_readers))
