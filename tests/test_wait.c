/* frame_reader_wait() across real processes: wake-ups, timeouts, idle cost. */
#include "runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define FW 128
#define FH 96
#define MS INT64_C(1000000)

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* test_name() formats with getpid(), which differs in every child, so the
 * case's name is copied once in the parent and shared from here. */
static char seg[FRAME_NAME_MAX + 1];
static pid_t seg_owner;

static void remove_seg(void)
{
    /* A failing CHECK in a child must not unlink under the parent. */
    if (seg[0] && getpid() == seg_owner)
        test_unlink(seg);
}

static const char *new_seg(const char *tag)
{
    static bool registered;
    if (!registered) {
        atexit(remove_seg);
        registered = true;
    }
    snprintf(seg, sizeof(seg), "%s", test_name(tag));
    seg_owner = getpid();
    return seg;
}

static bool seg_exists(const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "/libframe.%s", name);
    int fd = shm_open(path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

static void make_pipe(int p[2]) { CHECK(pipe2(p, O_CLOEXEC) == 0); }

static void send_msg(int fd, const void *msg, size_t n)
{
    CHECK(write(fd, msg, n) == (ssize_t)n); /* n <= PIPE_BUF: atomic */
}

/* Read exactly n bytes; false on EOF or when timeout_ms (-1: none) passes. */
static bool recv_msg(int fd, void *msg, size_t n, int timeout_ms)
{
    int64_t end = now_ns() + (int64_t)timeout_ms * MS;
    size_t got = 0;
    while (got < n) {
        int left = -1;
        if (timeout_ms >= 0) {
            int64_t ns = end - now_ns();
            if (ns <= 0)
                return false;
            left = (int)(ns / MS) + 1;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, left);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return false;
        ssize_t k = read(fd, (char *)msg + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        got += (size_t)k;
    }
    return true;
}

static pid_t fork_child(void)
{
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        /* A parent that fails a CHECK must not leave children behind
         * holding ctest's output pipes open. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
    }
    return pid;
}

static int reap(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        CHECK(errno == EINTR);
    return st;
}

static void reap_ok(pid_t pid)
{
    int st = reap(pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "child %d: %s %d\n", (int)pid,
                WIFSIGNALED(st) ? "killed by signal" : "exit status",
                WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/*
 * Wait until pid sleeps in a futex (the reader's wait), so what a test then
 * measures is a wake-up and not a lucky first look. The liveness check makes
 * the reader run briefly every 250 ms, so sample until seen. Where
 * /proc/PID/syscall cannot be read, a pause is the best we can do.
 */
static void wait_blocked(pid_t pid)
{
    char path[64], buf[64];
    snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
    int64_t end = now_ns() + 5000 * MS;
    while (now_ns() < end) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            break;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
            break;
        buf[n] = 0;
        if (atol(buf) == SYS_futex && buf[0] != '-')
            return;
        sleep_ms(2);
    }
    sleep_ms(300);
}

static uint32_t pattern(uint32_t base, uint64_t frame_no)
{
    return base + (uint32_t)frame_no;
}

static void fill_rows(const struct frame_buffer *b, uint32_t y0, uint32_t y1,
                      uint32_t px)
{
    for (uint32_t y = y0; y < y1; y++) {
        uint8_t *row = b->pixels + (size_t)y * b->stride;
        for (uint32_t x = 0; x < b->width; x++)
            memcpy(row + (size_t)x * 4, &px, 4);
    }
}

/* Pixels of the view that are not px. */
static size_t bad_pixels(const struct frame_view *v, uint32_t px)
{
    size_t bad = 0;
    for (uint32_t y = 0; y < v->height; y++) {
        const uint8_t *row = v->pixels + (size_t)y * v->stride;
        for (uint32_t x = 0; x < v->width; x++) {
            uint32_t got;
            memcpy(&got, row + (size_t)x * 4, 4);
            bad += got != px;
        }
    }
    return bad;
}

/* ------------------------------------------------------------------ */
/* A writer in its own process, driven over a pipe. Keeping the writer  */
/* out of the test's process matters: the writer lock lives on an open  */
/* file description, and one inherited by a forked reader would keep a  */
/* "dead" writer alive.                                                 */

struct writer_proc {
    pid_t pid;
    int cmd; /* parent -> writer */
    int evt; /* writer -> parent */
    uint64_t session_id;
};

struct hello {
    int rc;
    int replaced;
    uint64_t session_id;
};

static void writer_main(const char *name, uint32_t base, int frames, int cmd,
                        int evt)
{
    struct frame_format fmt = {.max_width = FW, .max_height = FH};
    frame_writer *w = NULL;
    bool replaced = false;
    struct hello hi = {frame_writer_create(name, &fmt, &w, &replaced), 0, 0};
    hi.replaced = replaced;
    if (hi.rc != 0) {
        send_msg(evt, &hi, sizeof(hi));
        _exit(0);
    }
    struct frame_info info;
    frame_writer_info(w, &info);
    hi.session_id = info.session_id;
    uint64_t next = 1;
    for (int i = 0; i < frames; i++, next++) {
        struct frame_buffer b;
        CHECK_RC(frame_writer_begin(w, FW, FH, &b), 0);
        fill_rows(&b, 0, FH, pattern(base, next));
        CHECK_RC(frame_writer_commit(w, 0, next), 0);
    }
    send_msg(evt, &hi, sizeof(hi));
    for (;;) {
        char c;
        /* Idle: a sign of life every 100 ms, as the API asks of a paused
         * writer. Heartbeats must not wake readers. */
        if (!recv_msg(cmd, &c, 1, 100)) {
            struct pollfd p = {.fd = cmd, .events = POLLIN};
            if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
                _exit(1); /* the test is gone */
            frame_writer_heartbeat(w);
            continue;
        }
        if (c == 'n') {
            struct frame_buffer b;
            CHECK_RC(frame_writer_begin(w, FW, FH, &b), 0);
            fill_rows(&b, 0, FH, pattern(base, next));
            CHECK_RC(frame_writer_commit(w, 0, next), 0);
            next++;
        } else if (c == 'P') {
            CHECK_RC(frame_writer_set_state(w, FRAME_STATE_PAUSED), 0);
        } else if (c == 'R') {
            CHECK_RC(frame_writer_set_state(w, FRAME_STATE_RUNNING), 0);
        } else if (c == 'd') {
            /* Destroy once the parent sleeps in wait(), and say when. */
            wait_blocked(getppid());
            sleep_ms(100);
            int64_t t = now_ns();
            frame_writer_destroy(w);
            send_msg(evt, &t, sizeof(t));
            _exit(0);
        } else if (c == 'q') {
            frame_writer_destroy(w);
            _exit(0);
        }
        send_msg(evt, &c, 1);
    }
}

static void start_writer(struct writer_proc *p, const char *name,
                         uint32_t base, int frames)
{
    int cmd[2], evt[2];
    make_pipe(cmd);
    make_pipe(evt);
    p->pid = fork_child();
    if (p->pid == 0) {
        close(cmd[1]);
        close(evt[0]);
        writer_main(name, base, frames, cmd[0], evt[1]);
        _exit(0);
    }
    close(cmd[0]);
    close(evt[1]);
    p->cmd = cmd[1];
    p->evt = evt[0];
    struct hello hi;
    CHECK(recv_msg(p->evt, &hi, sizeof(hi), 10000));
    CHECK_RC(hi.rc, 0);
    p->session_id = hi.session_id;
}

/* Send a command and wait for the writer to have carried it out. */
static void writer_do(struct writer_proc *p, char c)
{
    char ack;
    send_msg(p->cmd, &c, 1);
    CHECK(recv_msg(p->evt, &ack, 1, 10000) && ack == c);
}

static void writer_close_pipes(struct writer_proc *p)
{
    close(p->cmd);
    close(p->evt);
}

static void stop_writer(struct writer_proc *p)
{
    send_msg(p->cmd, "q", 1);
    reap_ok(p->pid);
    writer_close_pipes(p);
}

/* ------------------------------------------------------------------ */
/* Cases                                                                */

#define WAKE_ROUNDS 3

static void wakes_on_publish(void)
{
    const char *name = new_seg("wake");
    int go[2], res[2];
    make_pipe(go);
    make_pipe(res);
    /* The reader is forked before the writer exists, so it inherits
     * nothing of the writer. */
    pid_t reader = fork_child();
    if (reader == 0) {
        char c;
        CHECK(recv_msg(go[0], &c, 1, 10000));
        int64_t out[2 * WAKE_ROUNDS];
        for (int i = 0; i < WAKE_ROUNDS; i++) {
            /* A fresh handle checks liveness as it enters wait(), so a
             * publish that did not wake us would go unseen for ~200 ms. */
            frame_reader *r;
            CHECK_RC(frame_reader_open(name, &r), 0);
            struct frame_view v;
            CHECK_RC(frame_reader_acquire(r, &v), i ? 0 : FRAME_ENOFRAME);
            send_msg(res[1], "o", 1);
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
            out[2 * i] = t1 - t0;
            out[2 * i + 1] = t1 - v.timestamp_ns;
            frame_reader_close(r);
        }
        send_msg(res[1], out, sizeof(out));
        _exit(0);
    }

    struct frame_format fmt = {.max_width = FW, .max_height = FH};
    frame_writer *w;
    CHECK_RC(frame_writer_create(name, &fmt, &w, NULL), 0);
    send_msg(go[1], "c", 1);
    for (int i = 0; i < WAKE_ROUNDS; i++) {
        char c;
        CHECK(recv_msg(res[0], &c, 1, 10000));
        wait_blocked(reader);
        /* Asleep for a while, so the wait measured cannot be a first
         * look. */
        sleep_ms(50);
        struct frame_buffer b;
        CHECK_RC(frame_writer_begin(w, FW, FH, &b), 0);
        fill_rows(&b, 0, FH, pattern(0xc0ffee, b.frame_no));
        CHECK_RC(frame_writer_commit(w, 0, 77), 0);
    }

    int64_t out[2 * WAKE_ROUNDS];
    CHECK(recv_msg(res[0], out, sizeof(out), 15000));
    reap_ok(reader);
    int64_t best = INT64_MAX;
    for (int i = 0; i < WAKE_ROUNDS; i++) {
        fprintf(stderr, "wait returned after %.1f ms, %.3f ms after publish\n",
                out[2 * i] / 1e6, out[2 * i + 1] / 1e6);
        CHECK(out[2 * i] >= 40 * MS);
        CHECK(out[2 * i] < 2000 * MS); /* the timeout was 10 s */
        CHECK(out[2 * i + 1] >= 0 && out[2 * i + 1] < 1000 * MS);
        if (out[2 * i + 1] < best)
            best = out[2 * i + 1];
    }
    /* Woken by the publish, not found by the next liveness check: that
     * would take ~200 ms every round; a wake-up late three times over by
     * 100 ms is not load, it is a missing wake. */
    CHECK(best < 100 * MS);

    frame_writer_destroy(w);
    for (int i = 0; i < 2; i++) {
        close(go[i]);
        close(res[i]);
    }
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
    CHECK(!seg_exists(name));
    test_unlink(name);
}

static void idle_cpu_near_zero(void)
{
    const char *name = new_seg("idle");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 1);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 1);

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
    writer_do(&wp, 'n');
    CHECK_RC(frame_reader_wait(r, 5000), 0);
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 2 && bad_pixels(&v, pattern(0, 2)) == 0);

    frame_reader_close(r);
    stop_writer(&wp);
    CHECK(!seg_exists(name));
    test_unlink(name);
}

static void wakes_on_close(void)
{
    const char *name = new_seg("close");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 1);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 1);

    send_msg(wp.cmd, "d", 1);
    int64_t t0 = now_ns();
    int rc = frame_reader_wait(r, 10000);
    int64_t t1 = now_ns();
    CHECK_RC(rc, FRAME_ECLOSED);
    int64_t destroyed;
    CHECK(recv_msg(wp.evt, &destroyed, sizeof(destroyed), 10000));
    reap_ok(wp.pid);
    writer_close_pipes(&wp);
    fprintf(stderr, "ECLOSED %.3f ms after destroy (waited %.1f ms)\n",
            (t1 - destroyed) / 1e6, (t1 - t0) / 1e6);
    CHECK(t1 - t0 >= 90 * MS); /* it did sleep before the close */
    CHECK(t1 - t0 < 2000 * MS);
    CHECK(t1 - destroyed < 1000 * MS);

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
    writer_do(&wp, 'n');
    CHECK_RC(frame_reader_wait(r, 5000), 0);
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 2 && bad_pixels(&v, pattern(0, 2)) == 0);

    frame_reader_close(r);
    stop_writer(&wp);
    CHECK(!seg_exists(name));
    test_unlink(name);
}

TEST_MAIN(CASE(wakes_on_publish), CASE(times_out), CASE(idle_cpu_near_zero),
          CASE(wakes_on_close), CASE(paused_state))
