/* Writers killed, replaced, refused and truncated under their readers. */
#include "runner.h"
#include "writer_proc.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>

/* How long an awaited event (a death, a close, a new writer) may take: a
 * hang guard only. By design each comes within a second or so (a liveness
 * look every 250 ms, a look for a new writer at least every 500 ms); how
 * soon it came is printed, never judged, since a loaded machine may run
 * the reader late. */
#define EVENT_MS 30000

static void kill_writer(struct writer_proc *p)
{
    kill_child(p->pid, NO_LIMIT, "writer", NULL);
    writer_close_pipes(p);
}

/* Shrink the segment from a process that is neither reader nor writer,
 * opening it by path as any process of the same user could. */
static void truncate_by_path(const char *name, off_t size)
{
    pid_t pid = fork_child();
    if (pid == 0) {
        char path[128];
        snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", name);
        int fd = shm_open(path, O_RDWR | O_CLOEXEC, 0);
        if (fd < 0 || ftruncate(fd, size) != 0)
            _exit(1);
        _exit(0);
    }
    expect_exit(pid, 0, NO_LIMIT, "truncating process", NULL);
}

/* Wait through timeouts (at most once past FRAME_ELOST when allow_lost) for
 * whatever wait() reports next, giving up after limit_ms. */
static int wait_event(frame_reader *r, int limit_ms, bool allow_lost)
{
    int64_t end = now_ns() + (int64_t)limit_ms * MS;
    int rc;
    do {
        rc = frame_reader_wait(r, 250);
        if (rc == FRAME_ELOST && allow_lost) {
            allow_lost = false;
            rc = -ETIMEDOUT;
        }
    } while (rc == -ETIMEDOUT && now_ns() < end);
    return rc;
}

static void check_frame(frame_reader *r, struct frame_view *v, uint64_t no,
                        uint32_t px)
{
    CHECK_RC(frame_reader_acquire(r, v), 0);
    CHECK(v->frame_no == no);
    CHECK(v->width == FW && v->height == FH);
    CHECK(bad_pixels(v, px) == 0);
    CHECK(frame_reader_still_valid(r, v));
}

/* A reader on name, whose newest frame is frame no, all px. */
static frame_reader *reader_at(const char *name, struct frame_view *v,
                               uint64_t no, uint32_t px)
{
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    check_frame(r, v, no, px);
    return r;
}

/* The writer publishes frame no, all px, and the waiting reader gets it. */
static void next_frame_wakes(struct writer_proc *wp, frame_reader *r,
                             struct frame_view *v, uint64_t no, uint32_t px)
{
    writer_do(wp, 'n');
    CHECK_RC(frame_reader_wait(r, EVENT_MS), 0);
    check_frame(r, v, no, px);
}

/* A new writer has taken the name: the reader says so (what names the
 * reader's situation). */
static void expect_restart(frame_reader *r, bool allow_lost, const char *what)
{
    int64_t t0 = now_ns();
    int rc = wait_event(r, EVENT_MS, allow_lost);
    int64_t took = now_ns() - t0;
    fprintf(stderr, "%s reader: %s after %.1f ms\n", what, frame_strerror(rc),
            took / 1e6);
    CHECK_RC(rc, FRAME_ERESTARTED);
}

/* ------------------------------------------------------------------ */
/* Cases                                                                */

static void sigkill_mid_frame(void)
{
    const char *name = new_seg("kill");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 3);
    writer_do(&wp, 'h'); /* frame 4 begun, half written, never committed */

    struct chan ch;
    chan_open(&ch);
    pid_t reader = fork_child();
    if (reader == 0) {
        frame_reader *r;
        CHECK_RC(frame_reader_open(name, &r), 0);
        struct frame_view v;
        /* Many looks: none may land on the slot being written. */
        for (int i = 0; i < 200; i++)
            check_frame(r, &v, 3, pattern(0, 3));
        send_msg(ch.res[1], "o", 1);
        int rc = frame_reader_wait(r, EVENT_MS);
        int64_t t1 = now_ns(), killed;
        CHECK(recv_msg(ch.go[0], &killed, sizeof(killed), EVENT_MS));
        fprintf(stderr, "wait returned %d (%s) %.1f ms after SIGKILL\n", rc,
                frame_strerror(rc), (t1 - killed) / 1e6);
        /* The death is the event judged, not how soon it was seen. */
        CHECK_RC(rc, FRAME_ELOST);
        /* Not before the kill: the writer lived while we were asleep. */
        CHECK(t1 >= killed);

        /* The last complete frame outlives its writer. */
        for (int i = 0; i < 200; i++)
            check_frame(r, &v, 3, pattern(0, 3));
        static uint8_t copy[FW * FH * 4];
        CHECK_RC(frame_reader_copy(r, copy, FW * 4, sizeof(copy), &v), 0);
        CHECK(v.frame_no == 3);
        for (size_t i = 0; i < sizeof(copy); i += 4) {
            uint32_t px;
            memcpy(&px, copy + i, 4);
            CHECK(px == pattern(0, 3));
        }
        struct frame_info info;
        CHECK_RC(frame_reader_info(r, &info), 0);
        CHECK(!info.writer_alive);
        CHECK(info.latest_frame_no == 3);
        CHECK(info.state == FRAME_STATE_RUNNING); /* it never said goodbye */
        /* ELOST is said once; then it looks for a new writer. */
        CHECK_RC(frame_reader_wait(r, 300), -ETIMEDOUT);
        frame_reader_close(r);
        _exit(0);
    }

    char c;
    CHECK(recv_msg(ch.res[0], &c, 1, EVENT_MS));
    wait_blocked(reader);
    int64_t killed = now_ns();
    kill_writer(&wp);
    send_msg(ch.go[1], &killed, sizeof(killed));
    expect_exit(reader, 0, NO_LIMIT, "reader", NULL);
    chan_close(&ch);

    /* A death leaves the segment behind, with the dead writer's pid. */
    CHECK(seg_exists(name));
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), 0);
    CHECK(!info.writer_alive);
    CHECK(info.writer_pid == (int32_t)wp.pid);
    CHECK(info.latest_frame_no == 3);
    test_unlink(name);
    CHECK(!seg_exists(name));
}

static void new_writer_reattach(void)
{
    const char *name = new_seg("reattach");
    struct writer_proc w1, w2, w3;
    start_writer(&w1, name, 0, 3);
    struct frame_view v;
    frame_reader *r = reader_at(name, &v, 3, pattern(0, 3));
    CHECK(v.session_id == w1.session_id);
    kill_writer(&w1);
    CHECK(seg_exists(name)); /* stale */
    CHECK_RC(frame_reader_wait(r, EVENT_MS), FRAME_ELOST);

    struct hello hi = start_writer(&w2, name, 0x5000, 1);
    CHECK(hi.replaced);
    CHECK(w2.session_id != w1.session_id);
    expect_restart(r, false, "detached");
    /* The same handle, now on the new session: numbering starts over. */
    check_frame(r, &v, 1, pattern(0x5000, 1));
    CHECK(v.session_id == w2.session_id);
    struct frame_info info;
    CHECK_RC(frame_reader_info(r, &info), 0);
    CHECK(info.writer_alive && info.writer_pid == (int32_t)w2.pid);
    next_frame_wakes(&w2, r, &v, 2, pattern(0x5000, 2));

    /* Replaced again before the reader noticed the death: it may say
     * ELOST first, but must end up on the third writer. */
    kill_writer(&w2);
    hi = start_writer(&w3, name, 0x7000, 1);
    CHECK(hi.replaced);
    expect_restart(r, true, "attached");
    check_frame(r, &v, 1, pattern(0x7000, 1));
    CHECK(v.session_id == w3.session_id);

    stop_writer(&w3);
    CHECK_RC(wait_event(r, EVENT_MS, false), FRAME_ECLOSED);
    frame_reader_close(r);
}

static void live_writer_refused(void)
{
    const char *name = new_seg("alive");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 1);

    struct frame_format fmt = {.max_width = FW, .max_height = FH};
    frame_writer *w = NULL;
    bool replaced = true;
    CHECK_RC(frame_writer_create(name, &fmt, &w, &replaced), FRAME_EALIVE);
    CHECK(w == NULL);
    /* Another geometry is no way around it. */
    struct frame_format big = {.max_width = 2 * FW, .max_height = FH};
    CHECK_RC(frame_writer_create(name, &big, &w, &replaced), FRAME_EALIVE);

    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), 0);
    CHECK(info.writer_pid == (int32_t)wp.pid);
    CHECK(info.writer_alive);
    CHECK(info.session_id == wp.session_id);
    CHECK(info.max_width == FW);

    /* The refused attempts left the live segment alone. */
    struct frame_view v;
    frame_reader *r = reader_at(name, &v, 1, pattern(0, 1));
    next_frame_wakes(&wp, r, &v, 2, pattern(0, 2));
    CHECK(v.session_id == wp.session_id);
    frame_reader_close(r);

    /* Once it stops cleanly the name is free, with nothing to replace. */
    stop_writer(&wp);
    CHECK_RC(frame_writer_create(name, &fmt, &w, &replaced), 0);
    CHECK(!replaced);
    frame_writer_destroy(w);
    CHECK(!seg_exists(name));
    test_unlink(name);
}

static void closed_then_restart(void)
{
    const char *name = new_seg("restart");
    struct writer_proc w1, w2;
    start_writer(&w1, name, 0, 1);
    struct frame_view v;
    frame_reader *r = reader_at(name, &v, 1, pattern(0, 1));
    uint64_t old_session = v.session_id;

    stop_writer(&w1);
    CHECK_RC(frame_reader_wait(r, EVENT_MS), FRAME_ECLOSED);
    check_frame(r, &v, 1, pattern(0, 1));
    CHECK_RC(frame_reader_wait(r, 300), -ETIMEDOUT);

    struct hello hi = start_writer(&w2, name, 0x9000, 1);
    CHECK(!hi.replaced); /* the clean stop unlinked the name */
    expect_restart(r, false, "closed");
    check_frame(r, &v, 1, pattern(0x9000, 1));
    CHECK(v.session_id == w2.session_id && v.session_id != old_session);

    stop_writer(&w2);
    CHECK_RC(wait_event(r, EVENT_MS, false), FRAME_ECLOSED);
    frame_reader_close(r);
}

/* A reader holds a view when the segment shrinks to size under it. */
static void reader_truncated(off_t size)
{
    const char *name = new_seg(size ? "trunc-r4k" : "trunc-r0");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 1);

    struct chan ch;
    chan_open(&ch);
    /* In a child, so that a crash is reported as one and not as a lost
     * test process. */
    pid_t reader = fork_child();
    if (reader == 0) {
        struct frame_view v;
        frame_reader *r = reader_at(name, &v, 1, pattern(0, 1));
        send_msg(ch.res[1], "a", 1);
        char c;
        CHECK(recv_msg(ch.go[0], &c, 1, EVENT_MS));
        /* The first load faults; the guard maps zeros and it completes. */
        size_t nonzero = 0;
        for (uint32_t y = 0; y < v.height; y++) {
            const volatile uint8_t *row = v.pixels + (size_t)y * v.stride;
            for (uint32_t x = 0; x < v.width * 4; x++)
                nonzero += row[x] != 0;
        }
        CHECK(nonzero == 0);
        CHECK(!frame_reader_still_valid(r, &v));
        struct frame_view v2;
        CHECK_RC(frame_reader_acquire(r, &v2), FRAME_EDEAD);
        /* Said once, then the handle looks for a new writer. */
        int why;
        CHECK(frame_reader_state(r, &why) == FRAME_READER_BROKEN);
        CHECK_RC(why, FRAME_ETRUNCATED);
        CHECK_RC(frame_reader_wait(r, 100), FRAME_ETRUNCATED);
        CHECK_RC(frame_reader_wait(r, 100), -ETIMEDOUT);
        struct frame_info info;
        CHECK_RC(frame_reader_info(r, &info), FRAME_EDEAD);
        static uint8_t copy[FW * FH * 4];
        CHECK_RC(frame_reader_copy(r, copy, FW * 4, sizeof(copy), &v2),
                 FRAME_EDEAD);
        frame_reader_close(r);
        _exit(0);
    }
    char c;
    CHECK(recv_msg(ch.res[0], &c, 1, EVENT_MS));
    truncate_by_path(name, size);
    send_msg(ch.go[1], "t", 1);
    expect_exit(reader, 0, NO_LIMIT, "reader", NULL);
    chan_close(&ch);
    /* The writer's own clean stop touches the header, which is gone too
     * when size is 0: its guard must carry it through. */
    stop_writer(&wp);
}

static void open_truncated(void)
{
    const char *name = new_seg("trunc-open");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 1);
    frame_reader *r = NULL;
    struct frame_info info;
    truncate_by_path(name, 4096); /* the header survives, the slots not */
    CHECK_RC(frame_reader_open(name, &r), FRAME_ETRUNCATED);
    CHECK(r == NULL);
    CHECK_RC(frame_segment_info(name, &info), FRAME_ETRUNCATED);
    truncate_by_path(name, 100); /* not even a whole header */
    CHECK_RC(frame_reader_open(name, &r), FRAME_ETRUNCATED);
    CHECK(r == NULL);
    stop_writer(&wp);
}

/* The writer's segment shrinks under it between two frames. */
static void writer_truncated(off_t size)
{
    const char *name = new_seg(size ? "trunc-w4k" : "trunc-w0");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 1);
    truncate_by_path(name, size);
    int rc[3];
    send_msg(wp.cmd, "T", 1);
    CHECK(recv_msg(wp.evt, rc, sizeof(rc), EVENT_MS));
    fprintf(stderr, "truncated to %lld: begin %d, commit %d, begin %d\n",
            (long long)size, rc[0], rc[1], rc[2]);
    if (size >= 4096) {
        /* begin touches only the header, which is intact: the pixel
         * stores are what fault, and commit must tell. */
        CHECK_RC(rc[0], 0);
        CHECK_RC(rc[1], FRAME_EDEAD);
    } else {
        /* begin itself faults on the header; it cannot know beforehand,
         * so the fault must surface at the latest at commit. */
        CHECK(rc[0] == FRAME_EDEAD || (rc[0] == 0 && rc[1] == FRAME_EDEAD));
    }
    CHECK_RC(rc[2], FRAME_EDEAD);
    stop_writer(&wp); /* destroy on a dead handle, then a clean exit */
}

static void truncated_under_reader(void)
{
    reader_truncated(4096);
    reader_truncated(0);
    open_truncated();
    writer_truncated(4096);
    writer_truncated(0);
}

#define FOREIGN_ENV "LIBFRAME_TEST_FOREIGN_SIGBUS"
#define APP_SIGBUS_EXIT 42

/* An application's own handler, installed before the library's. */
static void app_sigbus(int sig)
{
    (void)sig;
    _exit(APP_SIGBUS_EXIT);
}

/* Runs in a freshly exec'd process: set FOREIGN_ENV to "NAME" to have no
 * SIGBUS handler of its own, or "NAME:app" to install one first that the
 * guard must pass foreign faults on to. Never returns. */
static void foreign_sigbus_child(const char *arg)
{
    char name[FRAME_NAME_MAX + 1];
    snprintf(name, sizeof(name), "%s", arg);
    char *colon = strchr(name, ':');
    bool app = colon && strcmp(colon, ":app") == 0;
    bool sent = colon && strcmp(colon, ":kill") == 0;
    if (colon)
        *colon = 0;
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (app) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = app_sigbus;
        sigemptyset(&sa.sa_mask);
        CHECK(sigaction(SIGBUS, &sa, NULL) == 0);
    }
    struct sigaction before, after;
    CHECK(sigaction(SIGBUS, NULL, &before) == 0);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    CHECK(sigaction(SIGBUS, NULL, &after) == 0);
    /* The guard is in place now. */
    CHECK((after.sa_flags & SA_SIGINFO) &&
          after.sa_sigaction != before.sa_sigaction);
    if (sent) {
        /* A SIGBUS sent with kill() carries no fault to recover from: the
         * default action must happen, not vanish in the guard. */
        kill(getpid(), SIGBUS);
        fprintf(stderr, "survived a sent SIGBUS\n");
        _exit(3);
    }

    int fd = memfd_create("foreign", MFD_CLOEXEC);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, 2 * 4096) == 0);
    volatile uint8_t *p =
        mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 1;
    CHECK(ftruncate(fd, 0) == 0);
    p[4096] = 1; /* past the end of a mapping the guard knows nothing of */
    fprintf(stderr, "survived a foreign SIGBUS\n");
    _exit(3);
}

static void foreign_sigbus_still_fatal(void)
{
    const char *child = getenv(FOREIGN_ENV);
    if (child)
        foreign_sigbus_child(child);

    const char *name = new_seg("foreign");
    struct writer_proc wp;
    start_writer(&wp, name, 0, 1);
    static const char *modes[] = {"", ":app", ":kill"};
    static const char *what[] = {"no-handler child", "handler child",
                                 "kill child"};
    for (int app = 0; app < 3; app++) {
        /* exec: a process whose only SIGBUS handler is what the reader's
         * open installs, not one inherited from this one. */
        char arg[FRAME_NAME_MAX + 48];
        snprintf(arg, sizeof(arg), FOREIGN_ENV "=%s%s", name, modes[app]);
        /* AddressSanitizer takes SIGBUS at start-up, so the guard's
         * previous handler would be ASan's, which reports and exits 1
         * where a plain process dies of the signal. Keep it off SIGBUS in
         * this one process (other ASan options are kept); the truncation
         * case still runs the guard on top of ASan's. */
        const char *asan = getenv("ASAN_OPTIONS");
        char opts[512];
        snprintf(opts, sizeof(opts), "ASAN_OPTIONS=%s%shandle_sigbus=0",
                 asan ? asan : "", asan && *asan ? ":" : "");
        const char *argv[] = {"/proc/self/exe", "foreign_sigbus_still_fatal",
                              NULL};
        const char *env[] = {arg, opts, NULL};
        pid_t pid = spawn(&(struct spawn_opts){.argv = argv,
                                               .env = env,
                                               .out_fd = STDOUT_FILENO,
                                               .err_fd = STDERR_FILENO});
        /* A handler that returns without the fault being dealt with
         * re-runs the faulting store for ever: bound it. */
        if (app == 1) /* passed on to the application's handler */
            expect_exit(pid, APP_SIGBUS_EXIT, 20000, what[app], NULL);
        else /* the default action: death by SIGBUS */
            expect_signal(pid, SIGBUS, 20000, what[app], NULL);
    }
    stop_writer(&wp);
}

TEST_MAIN(CASE(sigkill_mid_frame), CASE(new_writer_reattach),
          CASE(live_writer_refused), CASE(closed_then_restart),
          CASE(truncated_under_reader), CASE(foreign_sigbus_still_fatal))
