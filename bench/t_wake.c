/* Wake-up latency: libframe's futex against a pipe, one paced writer. */

/* The same paced writer wakes, in one run, a reader sleeping on the
 * futex and, in the next, a reader sleeping in read() on a pipe the writer
 * writes right after each commit. Each reader is alone with the writer, so
 * neither lands on a core because the other was woken first. Each is timed
 * from its own notice: the futex reader from just before the commit, the
 * pipe reader from just before the write. Both then take the frame from
 * the segment. */
#include "transports.h"

#include "clock.h"

#include <libframe/frame.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PERIOD_NS                                                              \
    1000000 /* 1000 publishes a second: both cores idle                        \
               between them, so this is the wake-up alone */

struct note {
    uint64_t frame_no;
    int64_t stamp_ns;
};

struct wake_args {
    const char *name;
    const struct source *src;
    uint32_t slots;
    int fd; /* pipe: the writer's or the reader's end */
    int other_fd;
    bool tell; /* the writer also writes a note after each commit */
};

static int tell(int fd, const struct note *n)
{
    return write(fd, n, sizeof(*n)) == (ssize_t)sizeof(*n) ? 0 : -errno;
}

static int wake_writer(void *arg, struct proc_out *out)
{
    const struct wake_args *a = arg;
    const struct source *s = a->src;
    close(a->other_fd);
    frame_writer *w;
    int rc = lf_writer_start(a->name, s, a->slots, &w, out);
    if (rc)
        return rc;
    struct meter mt = {0};
    int64_t next = now_ns();
    uint64_t no;
    while ((rc = lf_writer_step(w, s, &mt, out, &no)) == 0) {
        struct note n = {.frame_no = no, .stamp_ns = now_ns()};
        if (a->tell && (rc = tell(a->fd, &n)))
            break;
        next += PERIOD_NS;
        struct timespec ts = {.tv_sec = next / 1000000000,
                              .tv_nsec = next % 1000000000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    if (rc > 0)
        rc = 0; /* the run's end */
    meter_end(&mt, out);
    /* Frame 0 ends the run: the parent still holds the pipe open. */
    struct note end = {0};
    if (a->tell && tell(a->fd, &end) && !rc)
        rc = -EPIPE;
    close(a->fd);
    frame_writer_destroy(w);
    /* frame_strerror() words a -errno from tell() as well. */
    return rc ? child_fail(out, "publish: %s", frame_strerror(rc)) : 0;
}

static int pipe_woken_reader(void *arg, struct proc_out *out)
{
    const struct wake_args *a = arg;
    close(a->other_fd);
    frame_reader *r;
    int rc = frame_reader_open(a->name, &r);
    if (rc)
        return child_fail(out, "open segment: %s", frame_strerror(rc));
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    child_ready();
    child_wait_go();
    struct note n;
    ssize_t got;
    while ((got = read(a->fd, &n, sizeof(n))) == (ssize_t)sizeof(n) &&
           n.frame_no) {
        struct frame_view v;
        rc = frame_reader_acquire(r, &v);
        int64_t t = now_ns();
        meter_tick(&mt, t);
        if (rc == FRAME_EBUSY)
            continue;
        if (rc || v.frame_no < n.frame_no) {
            child_fail(out, "acquire: %s",
                       rc ? frame_strerror(rc)
                          : "the announced frame is not there");
            break;
        }
        if (!frame_reader_still_valid(r, &v))
            continue;
        if (n.stamp_ns < ctl->t_warm || n.stamp_ns >= ctl->t_end)
            continue;
        out->frames++;
        lat_add(out, t - n.stamp_ns);
    }
    if (got < 0)
        child_fail(out, "read: %s", strerror(errno));
    meter_end(&mt, out);
    struct frame_stats st;
    frame_reader_stats(r, &st);
    out->retries = st.retries;
    frame_reader_close(r);
    return out->msg[0] ? 1 : 0;
}

static int futex_reader(void *arg, struct proc_out *out)
{
    const struct wake_args *a = arg;
    close(a->fd);
    close(a->other_fd);
    struct lf_reader_args ra = {.name = a->name, .src = a->src};
    return lf_reader_main(&ra, out);
}

static int wake_run(const struct opts *o, const struct source *src,
                    bool pipe_reader, struct measure *m)
{
    char name[64], why[NOTE_MAX];
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        measure_fail(m, "pipe: %s", strerror(errno));
        return -1;
    }
    segment_name(name, sizeof(name));
    struct wake_args wa = {.name = name,
                           .src = src,
                           .slots = o->slots,
                           .fd = fds[1],
                           .other_fd = fds[0],
                           .tell = pipe_reader};
    struct wake_args ra = wa;
    ra.fd = fds[0];
    ra.other_fd = fds[1];
    struct spawn procs[2] = {
        {wake_writer, &wa},
        {pipe_reader ? pipe_woken_reader : futex_reader, &ra}};
    int rc = run_procs(procs, 2, 1, o, why, sizeof(why));
    close(fds[0]);
    close(fds[1]);
    if (rc) {
        segment_remove(name);
        measure_fail(m, "%s", why);
        return -1;
    }
    run_collect(1, src->bytes, m);
    return 0;
}

void run_wake(const struct opts *o, const struct source *src,
              struct measure *fm, struct measure *pm)
{
    wake_run(o, src, false, fm);
    wake_run(o, src, true, pm);
}
