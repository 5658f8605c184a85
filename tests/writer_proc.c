/* Shared by the cross-process tests: segments, pipes, pixels, and a
 * libframe writer living in its own process, driven over a pipe. */
#include "writer_proc.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>

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

const char *new_seg(const char *tag)
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

bool seg_exists(const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", name);
    int fd = shm_open(path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

void make_pipe(int p[2]) { CHECK(pipe2(p, O_CLOEXEC) == 0); }

void chan_open(struct chan *c)
{
    make_pipe(c->go);
    make_pipe(c->res);
}

void chan_close(struct chan *c)
{
    for (int i = 0; i < 2; i++) {
        close(c->go[i]);
        close(c->res[i]);
    }
}

void send_msg(int fd, const void *msg, size_t n)
{
    CHECK(write(fd, msg, n) == (ssize_t)n); /* n <= PIPE_BUF: atomic */
}

/* Read exactly n bytes; false on EOF or when timeout_ms (-1: none) passes. */
bool recv_msg(int fd, void *msg, size_t n, int timeout_ms)
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

/*
 * Wait until pid sleeps in a futex (the reader's wait), so what a test then
 * measures is a wake-up and not a lucky first look. The liveness check makes
 * the reader run briefly every 250 ms, so sample until seen. Where
 * /proc/PID/syscall cannot be read, a pause is the best we can do.
 */
void wait_blocked(pid_t pid)
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

uint32_t pattern(uint32_t base, uint64_t frame_no)
{
    return base + (uint32_t)frame_no;
}

void fill_rows(const struct frame_buffer *b, uint32_t y0, uint32_t y1,
               uint32_t px)
{
    for (uint32_t y = y0; y < y1; y++) {
        uint8_t *row = b->pixels + (size_t)y * b->stride;
        for (uint32_t x = 0; x < b->width; x++)
            memcpy(row + (size_t)x * 4, &px, 4);
    }
}

/* Pixels of the view that are not px. */
size_t bad_pixels(const struct frame_view *v, uint32_t px)
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
        } else if (c == 'h') {
            /* Begin the next frame, write its top half, and stay there. */
            struct frame_buffer b;
            CHECK_RC(frame_writer_begin(w, FW, FH, &b), 0);
            CHECK(b.frame_no == next);
            fill_rows(&b, 0, FH / 2, HALF_PX);
        } else if (c == 'T') {
            /* The segment was truncated under us: try a whole frame and
             * report what begin, commit and a second begin said. */
            struct frame_buffer b;
            int rc[3] = {frame_writer_begin(w, FW, FH, &b), 1, 1};
            if (rc[0] == 0) {
                fill_rows(&b, 0, FH, pattern(base, next));
                rc[1] = frame_writer_commit(w, 0, next);
            }
            rc[2] = frame_writer_begin(w, FW, FH, &b);
            send_msg(evt, rc, sizeof(rc));
            continue;
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

struct hello start_writer(struct writer_proc *p, const char *name,
                          uint32_t base, int frames)
{
    int cmd[2], evt[2];
    make_pipe(cmd);
    make_pipe(evt);
    p->name = name;
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
    return hi;
}

/* Send a command and wait for the writer to have carried it out. */
void writer_do(struct writer_proc *p, char c)
{
    char ack;
    send_msg(p->cmd, &c, 1);
    CHECK(recv_msg(p->evt, &ack, 1, 10000) && ack == c);
}

void writer_close_pipes(struct writer_proc *p)
{
    close(p->cmd);
    close(p->evt);
}

void stop_writer(struct writer_proc *p)
{
    send_msg(p->cmd, "q", 1);
    expect_exit(p->pid, 0, NO_LIMIT, "writer", NULL);
    writer_close_pipes(p);
    CHECK(!seg_exists(p->name));
}
