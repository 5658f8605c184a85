/* The reader: maps a segment read-only, takes frames in place, waits. */
#include "frame_internal.h"
#include "seqlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ACQUIRE_TRIES 64
#define LIVENESS_PERIOD_NS 250000000 /* writer lost is reported within 1 s */
#define REATTACH_MIN_NS 20000000
#define REATTACH_MAX_NS 500000000

/* One mapped, validated segment. A reader swaps it when a writer restarts. */
struct mapping {
    int fd;
    dev_t dev;
    ino_t ino;
    uint8_t *base;
    size_t len;                /* mapped: the segment, or its header page */
    struct frame__header *h;
    struct frame__fixed fixed; /* validated copy; the mapping's is untrusted */
    struct frame__guard *guard;
};

struct frame_reader {
    char name[FRAME_NAME_MAX + 1];
    char path[FRAME__PATH_MAX];
    struct mapping m;
    bool dead;
    bool busy_poll;
    int detached;             /* 0, or the FRAME_ELOST/ECLOSED reported */
    uint64_t last_frame_no;   /* newest frame acquired in this session */
    int64_t next_check_ns;    /* next liveness check / re-attach attempt */
    int64_t reattach_delay_ns;
    struct frame_stats stats;
};

static void unmap(struct mapping *m)
{
    frame__guard_remove(m->guard);
    if (m->base)
        munmap(m->base, m->len);
    if (m->fd >= 0)
        close(m->fd);
    memset(m, 0, sizeof(*m));
    m->fd = -1;
}

/* Copy the fixed header out of the object without trusting its size: the
 * header page alone is mapped, under the SIGBUS guard. */
static int read_fixed(int fd, struct frame__fixed *out)
{
    void *page = mmap(NULL, FRAME__HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    if (page == MAP_FAILED)
        return -errno;
    struct frame__guard *g;
    int rc = frame__guard_add(page, FRAME__HEADER_SIZE, PROT_READ, &g);
    if (rc == 0) {
        struct frame__fixed *f = page;
        /* Pairs with the writer's release store of the magic, written last. */
        uint64_t magic = atomic_load_explicit(&f->magic, memory_order_acquire);
        memcpy(out, f, sizeof(*out));
        out->magic = magic;
        if (frame__guard_faulted(g))
            rc = FRAME_ETRUNCATED;
        frame__guard_remove(g);
    }
    munmap(page, FRAME__HEADER_SIZE);
    return rc;
}

/* header_only: for a look at the header (frame_segment_info) without
 * mapping and faulting in every slot. */
static int map_segment(const char *path, struct mapping *m, bool header_only)
{
    memset(m, 0, sizeof(*m));
    m->fd = shm_open(path, O_RDONLY | FRAME__OPEN_EXISTING, 0);
    if (m->fd < 0) {
        m->fd = -1;
        return -errno;
    }
    struct stat st;
    int rc;
    if ((rc = frame__check_object(m->fd, &st)))
        goto fail;
    /* Writers make the name appear only once the segment is complete
     * (see publish_name() in writer.c), so anything this small is broken,
     * never half made. */
    if ((uint64_t)st.st_size < FRAME__HEADER_SIZE) {
        rc = FRAME_ETRUNCATED;
        goto fail;
    }
    if ((rc = read_fixed(m->fd, &m->fixed)))
        goto fail;
    if ((rc = frame__check_fixed(&m->fixed, (uint64_t)st.st_size)))
        goto fail;
    m->len = header_only ? FRAME__HEADER_SIZE : m->fixed.segment_size;
    m->base = mmap(NULL, m->len, PROT_READ,
                   MAP_SHARED | (header_only ? 0 : MAP_POPULATE), m->fd, 0);
    if (m->base == MAP_FAILED) {
        m->base = NULL;
        rc = -errno;
        goto fail;
    }
    if ((rc = frame__guard_add(m->base, m->len, PROT_READ, &m->guard)))
        goto fail;
    m->h = (struct frame__header *)m->base;
    m->dev = st.st_dev;
    m->ino = st.st_ino;
    return 0;
fail:
    unmap(m);
    return rc;
}

static int reader_open(const char *name, bool header_only, frame_reader **out)
{
    char path[FRAME__PATH_MAX];
    int rc = frame__path(name, path);
    if (rc)
        return rc;
    frame_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    if ((rc = map_segment(path, &r->m, header_only))) {
        free(r);
        return rc;
    }
    snprintf(r->name, sizeof(r->name), "%s", name);
    memcpy(r->path, path, sizeof(path));
    *out = r;
    return 0;
}

int frame_reader_open(const char *name, frame_reader **out)
{
    return reader_open(name, false, out);
}

void frame_reader_close(frame_reader *r)
{
    if (!r)
        return;
    unmap(&r->m);
    free(r);
}

/* A fault anywhere in the mapping kills the handle: from then on the
 * mapping holds zeros, not the writer's data. */
static bool reader_dead(frame_reader *r)
{
    if (!r->dead && r->m.guard && frame__guard_faulted(r->m.guard))
        r->dead = true;
    return r->dead;
}

int frame_reader_acquire(frame_reader *r, struct frame_view *v)
{
    struct frame__header *h = r->m.h;
    const struct frame__fixed *f = &r->m.fixed;
    for (int tries = 0; tries < ACQUIRE_TRIES; tries++) {
        if (reader_dead(r))
            return FRAME_EDEAD;
        uint64_t latest = atomic_load_explicit(&h->latest, memory_order_acquire);
        if (latest == 0)
            return FRAME_ENOFRAME;
        uint32_t slot = latest & 0xff;
        if (slot >= f->slot_count) {
            r->dead = true;
            return FRAME_EBADFRAME;
        }
        struct frame__slot *s = &h->slot[slot];
        uint64_t s0 = frame__seq_read_begin(s);
        /* Odd: the writer has lapped us and is rewriting this slot. `latest`
         * has moved on, so look again rather than wait on this slot. */
        if (s0 & 1) {
            r->stats.retries++;
            continue;
        }
        uint64_t no = atomic_load_explicit(&s->frame_no, memory_order_relaxed);
        uint32_t width = atomic_load_explicit(&s->width, memory_order_relaxed);
        uint32_t height = atomic_load_explicit(&s->height, memory_order_relaxed);
        uint32_t stride = atomic_load_explicit(&s->stride, memory_order_relaxed);
        uint32_t format = atomic_load_explicit(&s->format, memory_order_relaxed);
        int64_t ts = atomic_load_explicit(&s->timestamp_ns, memory_order_relaxed);
        uint64_t src = atomic_load_explicit(&s->source_index,
                                            memory_order_relaxed);
        if (no != latest >> 8 || !frame__seq_read_valid(s, s0)) {
            r->stats.retries++;
            continue;
        }
        if (reader_dead(r))
            return FRAME_EDEAD;
        if (format != FRAME_FORMAT_RGBA8 ||
            frame__check_geometry(width, height, stride, f->slot_capacity)) {
            r->dead = true;
            return FRAME_EBADFRAME;
        }
        v->pixels = r->m.base + frame__slot_offset(f, slot);
        v->width = width;
        v->height = height;
        v->stride = stride;
        v->format = format;
        v->frame_no = no;
        v->timestamp_ns = ts;
        v->session_id = f->session_id;
        v->source_index = src;
        v->slot = slot;
        v->seq = s0;
        if (no != r->last_frame_no) {
            r->stats.frames_seen++;
            if (r->last_frame_no && no > r->last_frame_no + 1)
                r->stats.frames_skipped += no - r->last_frame_no - 1;
            r->last_frame_no = no;
        }
        return 0;
    }
    return FRAME_EBUSY;
}

bool frame_reader_still_valid(frame_reader *r, const struct frame_view *v)
{
    if (reader_dead(r) || v->session_id != r->m.fixed.session_id ||
        v->slot >= r->m.fixed.slot_count)
        return false;
    bool ok = frame__seq_read_valid(&r->m.h->slot[v->slot], v->seq);
    /* The fault may have happened during the caller's use of the pixels. */
    if (reader_dead(r))
        return false;
    if (!ok)
        r->stats.retries++;
    return ok;
}

int frame_reader_copy(frame_reader *r, void *dst, size_t dst_stride,
                      size_t dst_size, struct frame_view *v)
{
    for (int tries = 0; tries < ACQUIRE_TRIES; tries++) {
        int rc = frame_reader_acquire(r, v);
        if (rc)
            return rc;
        size_t row = (size_t)v->width * 4;
        size_t stride = dst_stride ? dst_stride : row;
        if (stride < row ||
            (uint64_t)(v->height - 1) * stride + row > dst_size)
            return -ENOSPC;
        /* The one deliberate data race of the protocol: these bytes may be
         * rewritten while we copy them. The check below discards the copy
         * if they were (see docs/design.md, "The in-place race"). */
        /* One long copy where both sides are packed: at 1080p about twice
         * as fast as 1080 short ones, which matters when the writer is
         * about to come back to this slot. */
        if (stride == row && v->stride == row)
            memcpy(dst, v->pixels, row * v->height);
        else
            for (uint32_t y = 0; y < v->height; y++)
                memcpy((uint8_t *)dst + y * stride,
                       v->pixels + (size_t)y * v->stride, row);
        if (frame_reader_still_valid(r, v))
            return 0;
    }
    return FRAME_EBUSY;
}

void frame_reader_set_busy_poll(frame_reader *r, bool on) { r->busy_poll = on; }

void frame_reader_stats(const frame_reader *r, struct frame_stats *out)
{
    *out = r->stats;
}

static bool writer_alive(frame_reader *r)
{
    bool held = false;
    return frame__lock_held(r->m.fd, &held) == 0 && held;
}

int frame_reader_info(frame_reader *r, struct frame_info *out)
{
    if (reader_dead(r))
        return FRAME_EDEAD;
    frame__fill_info(r->name, &r->m.fixed, r->m.h, writer_alive(r), out);
    return 0;
}

int frame_segment_info(const char *name, struct frame_info *out)
{
    frame_reader *r;
    int rc = reader_open(name, true, &r); /* never acquires: header only */
    if (rc)
        return rc;
    rc = frame_reader_info(r, out);
    frame_reader_close(r);
    return rc;
}

/* Whether the name now refers to another object than the one we map. */
static bool name_moved(frame_reader *r)
{
    int fd = shm_open(r->path, O_RDONLY | FRAME__OPEN_EXISTING, 0);
    if (fd < 0)
        return false; /* gone: nothing to move to yet */
    struct stat st;
    bool moved = fstat(fd, &st) == 0 &&
                 (st.st_dev != r->m.dev || st.st_ino != r->m.ino);
    close(fd);
    return moved;
}

/* Try to map whatever the name holds now. 1: switched to a new segment,
 * 0: nothing new yet, < 0: what is there cannot be used. */
static int reattach(frame_reader *r)
{
    if (!name_moved(r))
        return 0; /* still our old object, or nothing yet */
    struct mapping m;
    int rc = map_segment(r->path, &m, false);
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc;
    if (m.dev == r->m.dev && m.ino == r->m.ino &&
        m.fixed.session_id == r->m.fixed.session_id) {
        unmap(&m);
        return 0;
    }
    unmap(&r->m);
    r->m = m;
    r->dead = false;
    r->detached = 0;
    r->last_frame_no = 0;
    return 1;
}

static void abs_time(int64_t ns, struct timespec *ts)
{
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Sleep until the futex word leaves `seen` or `until` passes. */
static void wait_for_change(frame_reader *r, uint32_t seen, int64_t until)
{
    _Atomic uint32_t *word = &r->m.h->publish_count;
    if (r->busy_poll) {
        for (unsigned i = 1;; i++) {
            if (atomic_load_explicit(word, memory_order_acquire) != seen)
                return;
            cpu_relax();
            if (i % 1024 == 0 && frame__now_ns() >= until)
                return;
        }
    }
    struct timespec ts;
    abs_time(until, &ts);
    frame__futex_wait(word, seen, &ts); /* wake, timeout, EINTR: recheck */
}

/* Detached: poll the name with back-off until a new writer shows up. */
static int wait_detached(frame_reader *r, int64_t deadline)
{
    for (;;) {
        int64_t now = frame__now_ns();
        if (now >= r->next_check_ns) {
            int rc = reattach(r);
            if (rc == 1)
                return FRAME_ERESTARTED;
            r->reattach_delay_ns = r->reattach_delay_ns * 2;
            if (r->reattach_delay_ns < REATTACH_MIN_NS)
                r->reattach_delay_ns = REATTACH_MIN_NS;
            if (r->reattach_delay_ns > REATTACH_MAX_NS)
                r->reattach_delay_ns = REATTACH_MAX_NS;
            r->next_check_ns = now + r->reattach_delay_ns;
            if (rc < 0)
                return rc;
        }
        int64_t until = r->next_check_ns < deadline ? r->next_check_ns
                                                    : deadline;
        if (now >= deadline)
            return -ETIMEDOUT;
        struct timespec ts;
        abs_time(until, &ts);
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
}

static int detach(frame_reader *r, int why)
{
    r->detached = why;
    r->reattach_delay_ns = 0;
    r->next_check_ns = 0;
    return why;
}

int frame_reader_wait(frame_reader *r, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0
                           ? INT64_MAX
                           : frame__now_ns() + (int64_t)timeout_ms * 1000000;
    if (r->detached)
        return wait_detached(r, deadline);
    if (reader_dead(r))
        return FRAME_EDEAD;
    struct frame__header *h = r->m.h;
    for (;;) {
        /* Read the futex word before looking at `latest`: a publish after
         * this load changes it, so the futex wait below cannot miss it. */
        uint32_t seen = atomic_load_explicit(&h->publish_count,
                                             memory_order_acquire);
        uint64_t latest = atomic_load_explicit(&h->latest, memory_order_acquire);
        if (reader_dead(r))
            return FRAME_EDEAD;
        if (latest && (latest >> 8) != r->last_frame_no)
            return 0;
        if (atomic_load_explicit(&h->state, memory_order_relaxed) ==
            FRAME_STATE_CLOSED)
            return detach(r, FRAME_ECLOSED);
        int64_t now = frame__now_ns();
        if (now >= r->next_check_ns) {
            r->next_check_ns = now + LIVENESS_PERIOD_NS;
            if (name_moved(r))
                return reattach(r) == 1 ? FRAME_ERESTARTED
                                        : detach(r, FRAME_ELOST);
            if (!writer_alive(r))
                return detach(r, FRAME_ELOST);
        }
        if (now >= deadline)
            return -ETIMEDOUT;
        int64_t until = r->next_check_ns < deadline ? r->next_check_ns
                                                    : deadline;
        wait_for_change(r, seen, until);
    }
}
