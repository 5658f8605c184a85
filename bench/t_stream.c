/* What users would pick instead: a pipe, or a Unix stream socket. */

/* The kernel copies each frame in and out; the pipe's capacity is raised
 * with F_SETPIPE_SZ, as anyone sending large frames would. */
#include "transports.h"

#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAGIC UINT64_C(0x6672616d65626e63)

/* Sent before each frame; 64 bytes so the pixels after it stay aligned. */
struct hdr {
    uint64_t magic;
    uint64_t frame_no;
    int64_t stamp_ns;
    uint64_t bytes;
    uint8_t pad[32];
};

struct stream_args {
    int fd;       /* our end */
    int other_fd; /* the other end, closed in the child */
    const struct source *src;
    bool full;
    bool render; /* writer: draw each frame into its buffer first */
    bool notify; /* writer: send the header alone, no pixels */
};

static int write_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

/* 1 for a whole buffer, 0 at end of stream before any byte, < 0 else. */
static int read_all(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return got ? -EPIPE : 0;
        got += (size_t)r;
    }
    return 1;
}

static int stream_writer(void *arg, struct proc_out *out)
{
    const struct stream_args *a = arg;
    const struct source *s = a->src;
    close(a->other_fd);
    /* Our own copy of the frame: we stamp it before each send. */
    uint8_t *pixels = malloc(s->bytes);
    if (!pixels)
        return child_fail(out, "out of memory");
    memcpy(pixels, s->pixels, s->bytes);
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    int rc = 0;
    child_ready();
    child_wait_go();
    for (uint64_t no = 1;; no++) {
        int64_t now = now_ns();
        meter_tick(&mt, now);
        if (now >= ctl->t_end)
            break;
        bool metered = mt.state == 1; /* this whole turn is in the meter */
        int64_t drew = 0;
        if (a->render)
            drew = frame_draw_timed(pixels, s->width, s->height,
                                    (size_t)s->width * 4, no);
        frame_stamp(pixels, s->bytes, no);
        struct hdr h = {
            .magic = MAGIC, .frame_no = no, .bytes = a->notify ? 0 : s->bytes};
        h.stamp_ns = now_ns();
        struct iovec iov[2] = {{&h, sizeof(h)}, {pixels, h.bytes}};
        if ((rc = write_all(a->fd, iov, a->notify ? 1 : 2)))
            break;
        if (h.stamp_ns >= ctl->t_warm && h.stamp_ns < ctl->t_end)
            out->frames++;
        if (metered) {
            out->sent++;
            out->draw_ns += drew;
        }
    }
    meter_end(&mt, out);
    /* Frame 0 ends the stream: the parent still holds our end, so the
     * reader would never see end-of-file. */
    struct hdr end = {.magic = MAGIC};
    struct iovec iov[1] = {{&end, sizeof(end)}};
    if (!rc)
        rc = write_all(a->fd, iov, 1);
    close(a->fd);
    free(pixels);
    return rc ? child_fail(out, "write: %s", strerror(-rc)) : 0;
}

static int stream_reader(void *arg, struct proc_out *out)
{
    const struct stream_args *a = arg;
    const struct source *s = a->src;
    close(a->other_fd);
    size_t len = sizeof(struct hdr) + s->bytes;
    uint8_t *buf = aligned_alloc(64, (len + 63) / 64 * 64);
    if (!buf)
        return child_fail(out, "out of memory");
    memset(buf, 0, len); /* fault it in now, not during the run */
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    int rc;
    child_ready();
    child_wait_go();
    struct hdr h;
    while ((rc = read_all(a->fd, buf, sizeof(h))) == 1) {
        memcpy(&h, buf, sizeof(h));
        if (h.magic != MAGIC || (h.bytes && h.bytes != s->bytes)) {
            rc = -EPROTO;
            break;
        }
        if (h.frame_no == 0) {
            rc = 0;
            break;
        }
        if (h.bytes && (rc = read_all(a->fd, buf + sizeof(h), s->bytes)) != 1) {
            rc = rc ? rc : -EPIPE;
            break;
        }
        int64_t t = now_ns(); /* the whole frame is in hand */
        meter_tick(&mt, t);
        uint64_t sum = 0;
        if (a->full)
            sum = frame_sum(buf + sizeof(h), s->bytes);
        if (h.stamp_ns < ctl->t_warm || h.stamp_ns >= ctl->t_end)
            continue;
        if (a->full && h.bytes && sum != frame_expected(s, h.frame_no))
            out->bad++;
        out->frames++;
        lat_add(out, t - h.stamp_ns);
    }
    meter_end(&mt, out);
    close(a->fd);
    free(buf);
    return rc ? child_fail(out, "read: %s", strerror(-rc)) : 0;
}

/* The capacity users would ask for: the most an unprivileged process may
 * (pipe-max-size), unless --pipe-size says otherwise. */
static int make_pipe(const struct opts *o, int fds[2], size_t *cap)
{
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -errno;
    int got = fcntl(fds[1], F_SETPIPE_SZ, (int)o->pipe_bytes);
    if (got < 0)
        got = fcntl(fds[1], F_GETPIPE_SZ);
    *cap = got > 0 ? (size_t)got : 0;
    return 0;
}

static int sysctl_int(const char *path)
{
    FILE *f = fopen(path, "r");
    int v = 0;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = 0;
        fclose(f);
    }
    return v;
}

/* Buffers raised to the most an unprivileged process may ask for
 * (wmem_max, rmem_max), as for the pipe. */
static int make_socket(int fds[2], size_t *cap)
{
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
        return -errno;
    int snd = sysctl_int("/proc/sys/net/core/wmem_max");
    int rcv = sysctl_int("/proc/sys/net/core/rmem_max");
    for (int i = 0; i < 2; i++) {
        if (snd > 0)
            setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
        if (rcv > 0)
            setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    }
    int v = 0;
    socklen_t vl = sizeof(v);
    getsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &v, &vl);
    *cap = v > 0 ? (size_t)v : 0;
    return 0;
}

static void stream_run(const struct opts *o, const struct source *src,
                       bool socket, bool notify, bool full, bool render,
                       struct measure *m, size_t *buf_bytes)
{
    int fds[2];
    char why[NOTE_MAX];
    int rc =
        socket ? make_socket(fds, buf_bytes) : make_pipe(o, fds, buf_bytes);
    if (rc) {
        measure_fail(m, "%s: %s", socket ? "socketpair" : "pipe",
                     strerror(-rc));
        return;
    }
    /* fds[1] writes, fds[0] reads; a socketpair works either way. */
    struct stream_args wa = {.fd = fds[1],
                             .other_fd = fds[0],
                             .src = src,
                             .render = render,
                             .notify = notify};
    struct stream_args ra = {
        .fd = fds[0], .other_fd = fds[1], .src = src, .full = full};
    struct spawn procs[2] = {{stream_writer, &wa}, {stream_reader, &ra}};
    rc = run_procs(procs, 2, 2, o, why, sizeof(why));
    close(fds[0]);
    close(fds[1]);
    if (rc) {
        measure_fail(m, "%s", why);
        return;
    }
    run_collect(1, src->bytes, m);
}

void run_stream(const struct opts *o, const struct source *src, bool socket,
                bool full, bool render, struct measure *m, size_t *buf_bytes)
{
    stream_run(o, src, socket, false, full, render, m, buf_bytes);
}

void run_stream_notify(const struct opts *o, const struct source *src,
                       struct measure *m)
{
    size_t cap;
    stream_run(o, src, false, true, false, true, m, &cap);
}
