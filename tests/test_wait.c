/* frame_reader_wait() across real processes: wake-ups, timeouts, idle cost. */
#include "runner.h"
#include "writer_proc.h"

#include <stdint.h>
#include <time.h>

static int64_t cpu_ns(void) { return clock_ns(CLOCK_PROCESS_CPUTIME_ID); }

/* A writer on name with frame 1 out (base 0), and a reader holding that
 * frame in v. */
static frame_reader *on_frame_1(struct writer_proc *wp, const char *name,
                                struct frame_view *v)
{
    start_writer(wp, name, 0, 1);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    CHECK_RC(frame_reader_acquire(r, v), 0);
    CHECK(v->frame_no == 1);
    return r;
}

/* The writer publishes frame 2 (base 0) and the waiting reader gets it. */
static void frame_2_wakes(struct writer_proc *wp, frame_reader *r,
                          struct frame_view *v)
{
    writer_do(wp, 'n');
    CHECK_RC(frame_reader_wait(r, 5000), 0);
    CHECK_RC(frame_reader_acquire(r, v), 0);
    CHECK(v->frame_no == 2 && bad_pixels(v, pattern(0, 2)) == 0);
}

/* ------------------------------------------------------------------ */
/* Cases                                                                */

/* Rounds in which only the publish can have woken the reader, wanted out
 * of at most WAKE_ROUNDS_MAX. */
#define WAKE_ROUNDS 3
#define WAKE_ROUNDS_MAX 30
/* A fresh handle looks at the writer as it enters wait() and then sleeps
 * on the futex until the next look, the liveness period (250 ms, the
 * library's LIVENESS_PERIOD_NS) later: a wait that returns a frame before
 * then was woken by the publish, however late the scheduler ran it. */
#define LIVENESS_MS 250

static void wakes_on_publish(void)
{
    const char *name = new_seg("wake");
    struct chan ch;
    chan_open(&ch);
    /* The reader is forked before the writer exists, so it inherits
     * nothing of the writer. */
    pid_t reader = fork_child();
    if (reader == 0) {
        char c;
        CHECK(recv_msg(ch.go[0], &c, 1, 10000));
        for (int i = 0; c != 's'; i++) {
            /* A fresh handle checks liveness as it enters wait(), so a
             * publish that did not wake us would go unseen until the
             * next check, LIVENESS_MS later. */
            frame_reader *r;
            CHECK_RC(frame_reader_open(name, &r), 0);
            struct frame_view v;
            CHECK_RC(frame_reader_acquire(r, &v), i ? 0 : FRAME_ENOFRAME);
            send_msg(ch.res[1], "o", 1);
            int64_t t0 = now_ns();
            int rc = frame_reader_wait(r, 10000);
            int64_t t1 = now_ns();
            CHECK_RC(rc, 0);
            CHECK_RC(frame_reader_acquire(r, &v), 0);
            CHECK(v.frame_no == (uint64_t)i + 1);
            CHECK(v.source_index == 77);
            CHECK(v.width == FW && v.height == FH);
            CHECK(bad_pixels(&v, pattern(0xc0ffee, v.frame_no)) == 0);
            CHECK(frame_reader_still_valid(r, &v));
            /* view.timestamp_ns is the writer's CLOCK_MONOTONIC at
             * commit. */
            int64_t out[2] = {t1 - t0, t1 - v.timestamp_ns};
            frame_reader_close(r);
            send_msg(ch.res[1], out, sizeof(out));
            CHECK(recv_msg(ch.go[0], &c, 1, 10000));
        }
        _exit(0);
    }

    struct frame_format fmt = {.max_width = FW, .max_height = FH};
    frame_writer *w;
    CHECK_RC(frame_writer_create(name, &fmt, &w, NULL), 0);
    send_msg(ch.go[1], "c", 1);
    int woken = 0, rounds = 0;
    while (woken < WAKE_ROUNDS && rounds < WAKE_ROUNDS_MAX) {
        char c;
        CHECK(recv_msg(ch.res[0], &c, 1, 10000));
        wait_blocked(reader);
        /* Asleep for a while, so the wait measured cannot be a first
         * look. */
        sleep_ms(50);
        struct frame_buffer b;
        CHECK_RC(frame_writer_begin(w, FW, FH, &b), 0);
        fill_rows(&b, 0, FH, pattern(0xc0ffee, b.frame_no));
        CHECK_RC(frame_writer_commit(w, 0, 77), 0);
        int64_t out[2];
        CHECK(recv_msg(ch.res[0], out, sizeof(out), 15000));
        rounds++;
        /* Before the next liveness look: only the publish's wake-up. */
        bool by_wake = out[0] < LIVENESS_MS * MS;
        woken += by_wake;
        fprintf(stderr,
                "wait returned after %.1f ms, %.3f ms after "
                "publish%s\n",
                out[0] / 1e6, out[1] / 1e6, by_wake ? ": woken by it" : "");
        CHECK(out[0] >= 40 * MS); /* the publish came 50 ms in */
        CHECK(out[1] >= 0);
        send_msg(ch.go[1],
                 woken < WAKE_ROUNDS && rounds < WAKE_ROUNDS_MAX ? "c" : "s",
                 1);
    }
    expect_exit(reader, 0, NO_LIMIT, "reader", NULL);
    /* A wake-up that never comes leaves every wait to the liveness look,
     * LIVENESS_MS in: not one round would count, loaded machine or not. */
    fprintf(stderr, "%d of %d rounds woken by the publish\n", woken, rounds);
    CHECK(woken >= WAKE_ROUNDS);

    frame_writer_destroy(w);
    chan_close(&ch);
    CHECK(!seg_exists(name));
    test_unlink(name);
}

static void times_out(void)
{
    const char *name = new_seg("timeout");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 0);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    for (int i = 0; i < 3; i++) {
        int64_t t0 = now_ns();
        CHECK_RC(frame_reader_wait(r, 300), -ETIMEDOUT);
        int64_t ms = (now_ns() - t0) / MS;
        fprintf(stderr, "wait(300) took %lld ms\n", (long long)ms);
        CHECK(ms >= 290);
        CHECK(ms < 3000);
    }
    /* Zero means look once, never sleep the liveness period. */
    int64_t t0 = now_ns();
    CHECK_RC(frame_reader_wait(r, 0), -ETIMEDOUT);
    CHECK(now_ns() - t0 < 1000 * MS);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_ENOFRAME);
    frame_reader_close(r);
    stop_writer(&wp);
}

static void idle_cpu_near_zero(void)
{
    const char *name = new_seg("idle");
    struct writer_proc wp;
    struct frame_view v;
    frame_reader *r = on_frame_1(&wp, name, &v);

    /* The writer heartbeats every 100 ms meanwhile: that must not wake us
     * either. Only the 250 ms liveness checks run. */
    int64_t c0 = cpu_ns(), t0 = now_ns();
    CHECK_RC(frame_reader_wait(r, 2000), -ETIMEDOUT);
    int64_t idle_cpu = cpu_ns() - c0, idle_wall = now_ns() - t0;

    /* Positive control: the same measurement must see a spinning wait,
     * or a near-zero reading above would prove nothing. How much CPU a
     * spinner gets depends on what else runs, so ask for 500 ms of it
     * and allow a long time: about 0.5 s alone, more under load, never
     * if the wait does not spin. */
    frame_reader_set_busy_poll(r, true);
    c0 = cpu_ns();
    t0 = now_ns();
    int64_t busy_cpu = 0, busy_wall = 0;
    while (busy_cpu < 500 * MS && busy_wall < 30000 * MS) {
        CHECK_RC(frame_reader_wait(r, 250), -ETIMEDOUT);
        busy_cpu = cpu_ns() - c0;
        busy_wall = now_ns() - t0;
    }
    frame_reader_set_busy_poll(r, false);

    fprintf(stderr,
            "idle: %.2f ms CPU over %.0f ms; busy poll: %.0f ms CPU over "
            "%.0f ms\n",
            idle_cpu / 1e6, idle_wall / 1e6, busy_cpu / 1e6, busy_wall / 1e6);
    CHECK(idle_wall >= 1990 * MS);
    CHECK(idle_cpu < 50 * MS);
    CHECK(busy_cpu >= 500 * MS);

    /* Still wakes normally after the spin. */
    frame_2_wakes(&wp, r, &v);
    frame_reader_close(r);
    stop_writer(&wp);
}

/* A hang guard for the close to be reported (by design: at once through
 * the futex, or at the next liveness look, 250 ms on). */
#define CLOSE_WAIT_MS 30000

static void wakes_on_close(void)
{
    const char *name = new_seg("close");
    struct writer_proc wp;
    struct frame_view v;
    frame_reader *r = on_frame_1(&wp, name, &v);

    int64_t t0 = now_ns();
    send_msg(wp.cmd, "d", 1);
    /* The close is the event judged: ECLOSED, not a timeout, from a wait
     * given far longer than the liveness look that would see it even
     * without the wake-up. How soon it came is printed, not judged: a
     * loaded machine may run us late. */
    int rc = frame_reader_wait(r, CLOSE_WAIT_MS);
    int64_t t1 = now_ns();
    int64_t destroyed;
    CHECK(recv_msg(wp.evt, &destroyed, sizeof(destroyed), CLOSE_WAIT_MS));
    expect_exit(wp.pid, 0, NO_LIMIT, "writer", NULL);
    writer_close_pipes(&wp);
    fprintf(stderr,
            "wait returned %s %.3f ms after destroy (waited %.1f "
            "ms)\n",
            frame_strerror(rc), (t1 - destroyed) / 1e6, (t1 - t0) / 1e6);
    CHECK_RC(rc, FRAME_ECLOSED);
    /* The writer destroys 100 ms after it sees us asleep in the wait, and
     * got the word after t0: ECLOSED cannot come sooner, loaded or not. */
    CHECK(t1 - t0 >= 90 * MS);
    CHECK(t1 >= destroyed);

    /* The writer has unmapped and unlinked; our mapping keeps the frame. */
    CHECK(!seg_exists(name));
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 1 && v.width == FW && v.height == FH);
    CHECK(bad_pixels(&v, pattern(0, 1)) == 0);
    CHECK(frame_reader_still_valid(r, &v));
    struct frame_info info;
    CHECK_RC(frame_reader_info(r, &info), 0);
    CHECK(info.state == FRAME_STATE_CLOSED);
    CHECK(!info.writer_alive);
    CHECK(info.latest_frame_no == 1);
    /* ECLOSED is reported once; then it looks for a new writer. */
    CHECK_RC(frame_reader_wait(r, 200), -ETIMEDOUT);

    frame_reader_close(r);
    test_unlink(name);
}

static void paused_state(void)
{
    const char *name = new_seg("paused");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 1);
    writer_do(&wp, 'P');

    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    struct frame_info info;
    CHECK_RC(frame_reader_info(r, &info), 0);
    CHECK(info.state == FRAME_STATE_PAUSED);
    CHECK(info.writer_alive);
    CHECK(info.writer_pid == (int32_t)wp.pid);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 1);

    /* Several liveness periods: a paused writer is alive, not lost. */
    int64_t t0 = now_ns();
    for (int i = 0; i < 6; i++)
        CHECK_RC(frame_reader_wait(r, 250), -ETIMEDOUT);
    CHECK(now_ns() - t0 >= 1400 * MS);
    CHECK_RC(frame_reader_info(r, &info), 0);
    CHECK(info.state == FRAME_STATE_PAUSED);
    CHECK(info.writer_alive);
    /* It heartbeats every 100 ms; a generous bound for a loaded box. */
    CHECK(info.heartbeat_age_ns >= 0 && info.heartbeat_age_ns < 2000 * MS);
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 1 && bad_pixels(&v, pattern(0, 1)) == 0);

    /* Resuming alone is not a frame; the next publish is. */
    writer_do(&wp, 'R');
    CHECK_RC(frame_reader_info(r, &info), 0);
    CHECK(info.state == FRAME_STATE_RUNNING);
    CHECK_RC(frame_reader_wait(r, 300), -ETIMEDOUT);
    frame_2_wakes(&wp, r, &v);
    frame_reader_close(r);
    stop_writer(&wp);
}

TEST_MAIN(CASE(wakes_on_publish), CASE(times_out), CASE(idle_cpu_near_zero),
          CASE(wakes_on_close), CASE(paused_state))
