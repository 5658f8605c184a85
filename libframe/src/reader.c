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
#define SEARCH_MIN_NS 20000000       /* looking for a writer: back-off */
#define SEARCH_MAX_NS 500000000      /* ... so a new one is found within 1 s */
#define BAD_MIN_NS 20000000          /* after a frame that could not be read, */
#define BAD_MAX_NS 500000000 /* the next one is tried no sooner than this */
/* Wake-ups that brought nothing new, in a row, before each further one
 * costs a nap: only another process storing into the futex word by hand
 * makes them, and it must not make us spin. */
#define FUTILE_MAX 16
#define FUTILE_NAP_NS 10000000

/* One mapped, validated segment. A reader swaps it when a writer restarts. */
struct mapping {
    int fd;
    dev_t dev;
    ino_t ino;
    uint8_t *base; /* NULL: nothing mapped */
    size_t len;    /* mapped: the segment, or its header page */
    struct frame__header *h;
    struct frame__fixed fixed; /* validated copy; the mapping's is untrusted */
    struct frame__guard *guard;
    /* Frames held through this descriptor: one read lock per (slot,
     * generation), counted, since a descriptor's byte is locked or not. */
    struct hold *holds;
    uint32_t hold_count, hold_cap;
    uint32_t held_views; /* sum of the counts */
};

struct hold {
    uint32_t slot;
    uint32_t views;
    uint64_t gen;
};

/* An object under the name that failed validation: not mapped again (nor
 * reported again) until the name holds another one. */
struct tried {
    bool set;
    dev_t dev;
    ino_t ino;
    struct timespec ctime;
};

struct frame_reader {
    char name[FRAME_NAME_MAX + 1];
    char path[FRAME__PATH_MAX];
    struct mapping m;
    enum frame_reader_state state;
    int why;      /* the reason, while BROKEN */
    int pending;  /* a change for the next wait to return */
    bool faulted; /* the mapping took a SIGBUS: it holds zeros */
    bool busy_poll;
    bool broken_said;       /* FRAME_EBADFRAME returned for this segment */
    uint64_t last_frame_no; /* newest frame acquired in this session */
    uint64_t told_latest;   /* the `latest` wait() last returned 0 for */
    /* A header naming a frame that cannot be read. */
    uint64_t bad_latest;  /* the `latest` word that failed; 0: none */
    unsigned bad_streak;  /* failures since the last good frame */
    int64_t bad_retry_ns; /* no new frame is reported before this */
    /* Futex wake-ups that found nothing new. */
    uint32_t last_word;
    unsigned futile;
    int64_t next_check_ns; /* next liveness check / look for a writer */
    int64_t search_delay_ns;
    struct tried tried;
    struct frame_stats stats;
    /* Segments of earlier writers, kept mapped while views of them are
     * held: a hold outlives a restart. */
    struct mapping *retired;
    uint32_t retired_count;
};

static void abs_time(int64_t ns, struct timespec *ts)
{
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
}

static void sleep_until(int64_t ns)
{
    struct timespec ts;
    abs_time(ns, &ts);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void unmap(struct mapping *m)
{
    frame__guard_remove(m->guard);
    if (m->base)
        munmap(m->base, m->len);
    if (m->fd >= 0)
        close(m->fd); /* and with it every lock it held */
    free(m->holds);
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

/* Validate and map the object open on fd (taken over: closed on failure).
 * header_only: for a look at the header (frame_segment_info) without
 * mapping and faulting in every slot. */
static int map_fd(int fd, const struct stat *st, struct mapping *m,
                  bool header_only)
{
    memset(m, 0, sizeof(*m));
    m->fd = fd;
    int rc;
    /* Writers make the name appear only once the segment is complete
     * (see publish_name() in writer.c), so anything this small is broken,
     * never half made. */
    if ((uint64_t)st->st_size < FRAME__HEADER_SIZE) {
        rc = FRAME_ETRUNCATED;
        goto fail;
    }
    if ((rc = read_fixed(m->fd, &m->fixed)))
        goto fail;
    if ((rc = frame__check_fixed(&m->fixed, (uint64_t)st->st_size)))
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
    m->dev = st->st_dev;
    m->ino = st->st_ino;
    return 0;
fail:
    unmap(m);
    return rc;
}

/* Open what the name holds now: 0 with fd and st, or -errno
 * (FRAME_ENOTFRAME, FRAME_EOWNER for what must not be mapped). */
static int open_name(const char *path, int *fd, struct stat *st)
{
    *fd = shm_open(path, O_RDONLY | FRAME__OPEN_EXISTING, 0);
    if (*fd < 0)
        /* A directory under the name: shm_open's O_RDONLY open succeeds
         * on one, but an EISDIR from elsewhere means the same. */
        return errno == EISDIR ? FRAME_ENOTFRAME : -errno;
    int rc = frame__check_object(*fd, st);
    if (rc) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

static int map_segment(const char *path, struct mapping *m, bool header_only)
{
    int fd;
    struct stat st;
    memset(m, 0, sizeof(*m));
    m->fd = -1;
    int rc = open_name(path, &fd, &st);
    return rc ? rc : map_fd(fd, &st, m, header_only);
}

/* Whether the mapping took a SIGBUS; the first time, the handle becomes
 * BROKEN: from then on the mapping holds zeros, not the writer's data. */
static bool faulted(frame_reader *r)
{
    if (!r->faulted && r->m.guard && frame__guard_faulted(r->m.guard)) {
        r->faulted = true;
        r->state = FRAME_READER_BROKEN;
        r->why = r->pending = FRAME_ETRUNCATED;
        r->next_check_ns = 0;
        r->search_delay_ns = 0;
    }
    return r->faulted;
}

/* Not watching a live writer any more: look for the next one. */
static int leave(frame_reader *r, enum frame_reader_state state, int code)
{
    r->state = state;
    r->why = state == FRAME_READER_BROKEN ? code : 0;
    r->next_check_ns = 0;
    r->search_delay_ns = 0;
    return code;
}

/* Whether wait() watches the mapped segment's writer (futex, liveness), or
 * looks for a new writer on the name. */
static bool watching(const frame_reader *r)
{
    return r->state == FRAME_READER_ATTACHED ||
           (r->state == FRAME_READER_BROKEN && r->why == FRAME_EBADFRAME);
}

/* Keep the current mapping while views of it are held; false when none
 * are (or, out of memory, when their holds must end here). */
static bool retire(frame_reader *r)
{
    if (!r->m.held_views || !r->m.base)
        return false;
    struct mapping *grown =
        realloc(r->retired, (r->retired_count + 1) * sizeof(*grown));
    if (!grown)
        return false;
    r->retired = grown;
    grown[r->retired_count++] = r->m;
    return true;
}

static void adopt(frame_reader *r, struct mapping *m)
{
    if (!retire(r))
        unmap(&r->m);
    r->m = *m;
    r->state = FRAME_READER_ATTACHED;
    r->why = 0;
    r->faulted = false;
    r->broken_said = false;
    r->last_frame_no = 0;
    r->told_latest = 0;
    r->bad_latest = 0;
    r->bad_streak = 0;
    r->futile = 0;
    r->last_word =
        atomic_load_explicit(&r->m.h->publish_count, memory_order_relaxed);
    r->tried.set = false;
    r->next_check_ns = 0; /* the first wait checks the writer at once */
}

static bool same_tried(const struct tried *t, const struct stat *st)
{
    return t->set && t->dev == st->st_dev && t->ino == st->st_ino &&
           t->ctime.tv_sec == st->st_ctim.tv_sec &&
           t->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/*
 * Look at what the name holds now. 1: a new segment is mapped and adopted;
 * 0: nothing new (nothing there, the segment we already map, or an object
 * already found unusable); < 0: a new object that cannot be used, and why.
 */
static int look(frame_reader *r)
{
    int fd;
    struct stat st;
    int rc = open_name(r->path, &fd, &st);
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc; /* reported once: the caller compares with r->why */
    if ((r->m.base && st.st_dev == r->m.dev && st.st_ino == r->m.ino) ||
        same_tried(&r->tried, &st)) {
        close(fd);
        return 0;
    }
    struct mapping m;
    if ((rc = map_fd(fd, &st, &m, false))) {
        /* What the object is stays what it is; running out of mappings
         * or memory is ours and worth another try. */
        if ((rc <= FRAME_ENOTFRAME && rc >= FRAME_EOWNER) || rc == -EACCES)
            r->tried = (struct tried){true, st.st_dev, st.st_ino, st.st_ctim};
        return rc;
    }
    adopt(r, &m);
    return 1;
}

static int reader_open(const char *name, unsigned flags, bool header_only,
                       frame_reader **out)
{
    char path[FRAME__PATH_MAX];
    int rc = frame__path(name, path);
    if (rc)
        return rc;
    if (flags & ~(unsigned)FRAME_OPEN_WAIT)
        return -EINVAL;
    frame_reader *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->m.fd = -1;
    snprintf(r->name, sizeof(r->name), "%s", name);
    memcpy(r->path, path, sizeof(path));
    r->state = FRAME_READER_WAITING;
    if (header_only) {
        struct mapping m;
        if ((rc = map_segment(path, &m, true)) == 0)
            adopt(r, &m);
    } else {
        rc = look(r);
        rc = rc == 1 ? 0 : rc == 0 ? -ENOENT : rc;
    }
    if (rc && !(flags & FRAME_OPEN_WAIT)) {
        free(r);
        return rc;
    }
    if (rc == -ENOMEM || rc == -ENOTSUP || rc == -EMFILE) {
        free(r); /* no state of the name: we could not look */
        return rc;
    }
    if (rc && rc != -ENOENT) {
        /* Born broken: the first wait says why, as any later change. */
        r->state = FRAME_READER_BROKEN;
        r->why = r->pending = rc;
    }
    *out = r;
    return 0;
}

int frame_reader_open_flags(const char *name, unsigned flags,
                            frame_reader **out)
{
    return reader_open(name, flags, false, out);
}

int frame_reader_open(const char *name, frame_reader **out)
{
    return reader_open(name, 0, false, out);
}

void frame_reader_close(frame_reader *r)
{
    if (!r)
        return;
    unmap(&r->m);
    for (uint32_t i = 0; i < r->retired_count; i++)
        unmap(&r->retired[i]);
    free(r->retired);
    free(r);
}

enum frame_reader_state frame_reader_state(const frame_reader *r, int *why)
{
    if (!r) {
        if (why)
            *why = -EINVAL;
        return 0;
    }
    if (why)
        *why = r->state == FRAME_READER_BROKEN ? r->why : 0;
    return r->state;
}

/* A frame the header names cannot be read. Not fatal: a scribbled header
 * heals at the writer's next publish. Until then wait() does not report
 * this `latest` again, and reports others only after a growing pause. */
static int bad_frame(frame_reader *r, uint64_t latest, int rc)
{
    r->bad_latest = latest;
    int64_t delay = (int64_t)BAD_MIN_NS
                    << (r->bad_streak < 5 ? r->bad_streak : 5);
    r->bad_retry_ns =
        frame__now_ns() + (delay < BAD_MAX_NS ? delay : BAD_MAX_NS);
    r->bad_streak++;
    if (r->state == FRAME_READER_ATTACHED) {
        r->state = FRAME_READER_BROKEN;
        r->why = FRAME_EBADFRAME;
        if (!r->broken_said) {
            r->broken_said = true;
            r->pending = FRAME_EBADFRAME;
        }
    }
    return rc;
}

static void good_frame(frame_reader *r)
{
    r->bad_latest = 0;
    r->bad_streak = 0;
    if (r->state == FRAME_READER_BROKEN && r->why == FRAME_EBADFRAME) {
        r->state = FRAME_READER_ATTACHED;
        r->why = 0;
        if (r->pending == FRAME_EBADFRAME)
            r->pending = 0;
    }
}

int frame_reader_acquire(frame_reader *r, struct frame_view *v)
{
    if (!r || !v)
        return -EINVAL;
    if (!r->m.base)
        return FRAME_ENOFRAME;
    struct frame__header *h = r->m.h;
    const struct frame__fixed *f = &r->m.fixed;
    uint64_t latest = 0;
    for (int tries = 0; tries < ACQUIRE_TRIES; tries++) {
        if (faulted(r))
            return FRAME_EDEAD;
        latest = atomic_load_explicit(&h->latest, memory_order_acquire);
        /* Zeros may be what the guard mapped over a truncated segment. */
        if (latest == 0)
            return faulted(r) ? FRAME_EDEAD : FRAME_ENOFRAME;
        uint32_t slot = latest & 0xff;
        if (slot >= f->slot_count)
            return bad_frame(r, latest, FRAME_EBADFRAME);
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
        uint32_t height =
            atomic_load_explicit(&s->height, memory_order_relaxed);
        uint32_t format =
            atomic_load_explicit(&s->format, memory_order_relaxed);
        uint32_t stride[FRAME_MAX_PLANES], offset[FRAME_MAX_PLANES];
        for (uint32_t p = 0; p < FRAME_MAX_PLANES; p++) {
            stride[p] =
                atomic_load_explicit(&s->stride[p], memory_order_relaxed);
            offset[p] =
                atomic_load_explicit(&s->offset[p], memory_order_relaxed);
        }
        int64_t ts =
            atomic_load_explicit(&s->timestamp_ns, memory_order_relaxed);
        uint64_t src =
            atomic_load_explicit(&s->source_index, memory_order_relaxed);
        if (no != latest >> 8 || !frame__seq_read_valid(s, s0)) {
            r->stats.retries++;
            continue;
        }
        if (faulted(r))
            return FRAME_EDEAD;
        if (frame__check_planes(format, width, height, stride, offset,
                                f->slot_capacity))
            return bad_frame(r, latest, FRAME_EBADFRAME);
        uint8_t *base = r->m.base + frame__slot_offset(f, slot);
        memset(&v->image, 0, sizeof(v->image));
        v->image.format = format;
        v->image.width = width;
        v->image.height = height;
        v->image.plane_count = frame_format_desc(format)->plane_count;
        for (uint32_t p = 0; p < v->image.plane_count; p++) {
            v->image.plane[p] = base + offset[p];
            v->image.stride[p] = stride[p];
        }
        v->pixels = v->image.plane[0];
        v->width = width;
        v->height = height;
        v->stride = stride[0];
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
        good_frame(r);
        return 0;
    }
    /* A writer laps a reader between two adjacent loads 64 times in a row
     * only in theory; in practice the header names a frame no slot holds
     * (or a slot whose seq stays odd). */
    return bad_frame(r, latest, FRAME_EBUSY);
}

/* The mapping a view belongs to: the current one, or an earlier writer's
 * kept for views of it that are held; NULL if neither. */
static struct mapping *mapping_of(frame_reader *r, const struct frame_view *v)
{
    if (r->m.base && v->session_id == r->m.fixed.session_id)
        return &r->m;
    for (uint32_t i = 0; i < r->retired_count; i++)
        if (r->retired[i].fixed.session_id == v->session_id)
            return &r->retired[i];
    return NULL;
}

bool frame_reader_still_valid(frame_reader *r, const struct frame_view *v)
{
    if (!r || !v)
        return false;
    struct mapping *m = mapping_of(r, v);
    if (!m || v->slot >= m->fixed.slot_count)
        return false;
    if (m != &r->m) {
        /* An earlier writer's segment can be truncated after it left. */
        bool ok = !frame__guard_faulted(m->guard) &&
                  frame__seq_read_valid(&m->h->slot[v->slot], v->seq);
        return ok && !frame__guard_faulted(m->guard);
    }
    if (faulted(r))
        return false;
    bool ok = frame__seq_read_valid(&r->m.h->slot[v->slot], v->seq);
    /* The fault may have happened during the caller's use of the pixels. */
    if (faulted(r))
        return false;
    if (!ok)
        r->stats.retries++;
    return ok;
}

/* A frame's generation: how many writes its slot had seen, from the seq
 * its view was taken at (every write, given up or not, adds 2). */
static uint64_t generation(const struct frame_view *v) { return v->seq / 2; }

static struct hold *find_hold(struct mapping *m, uint32_t slot, uint64_t gen)
{
    for (uint32_t i = 0; i < m->hold_count; i++)
        if (m->holds[i].slot == slot && m->holds[i].gen == gen)
            return &m->holds[i];
    return NULL;
}

/* One more view of (slot, gen) held: the read lock on its byte is taken
 * by the first. 0, -EAGAIN (the writer is about to rewrite that frame),
 * -ENOMEM or -errno. */
static int take_hold(struct mapping *m, uint32_t slot, uint64_t gen)
{
    struct hold *h = find_hold(m, slot, gen);
    if (!h) {
        if (m->hold_count == m->hold_cap) {
            uint32_t cap = m->hold_cap ? 2 * m->hold_cap : 4;
            struct hold *grown = realloc(m->holds, cap * sizeof(*grown));
            if (!grown)
                return -ENOMEM;
            m->holds = grown;
            m->hold_cap = cap;
        }
        int rc = frame__hold_lock(m->fd, slot, gen, F_RDLCK);
        if (rc)
            return rc;
        h = &m->holds[m->hold_count++];
        *h = (struct hold){slot, 0, gen};
    }
    h->views++;
    m->held_views++;
    return 0;
}

static void drop_hold(struct mapping *m, uint32_t slot, uint64_t gen)
{
    struct hold *h = find_hold(m, slot, gen);
    if (!h)
        return;
    m->held_views--;
    if (--h->views == 0) {
        frame__hold_lock(m->fd, slot, gen, F_UNLCK);
        *h = m->holds[--m->hold_count];
    }
}

int frame_reader_hold(frame_reader *r, struct frame_view *v)
{
    if (!r || !v)
        return -EINVAL;
    for (int tries = 0; tries < ACQUIRE_TRIES; tries++) {
        int rc = frame_reader_acquire(r, v);
        if (rc)
            return rc;
        v->held = false;
        uint64_t gen = generation(v);
        rc = take_hold(&r->m, v->slot, gen);
        /* Refused: the writer has taken that frame's byte to write over
         * it, so `latest` has moved on: take the newer one. */
        if (rc == -EAGAIN) {
            r->stats.retries++;
            continue;
        }
        if (rc)
            return rc;
        /* Locked: from here on the writer stays out of the slot while it
         * can. Whether the frame survived until the lock was taken: */
        if (frame_reader_still_valid(r, v)) {
            v->held = true;
            return 0;
        }
        drop_hold(&r->m, v->slot, gen);
    }
    return FRAME_EBUSY;
}

bool frame_reader_release(frame_reader *r, struct frame_view *v)
{
    if (!r || !v)
        return false;
    bool ok = frame_reader_still_valid(r, v);
    struct mapping *m = v->held ? mapping_of(r, v) : NULL;
    if (m) {
        drop_hold(m, v->slot, generation(v));
        /* An earlier writer's segment goes with its last held view. */
        if (m != &r->m && !m->held_views) {
            unmap(m);
            *m = r->retired[--r->retired_count];
        }
    }
    v->held = false;
    return ok;
}

/* Where a copy goes: laid out by frame_image_layout(), or (stride != 0,
 * frame_reader_copy()) one plane of rows that far apart. */
struct copy_dst {
    uint32_t format; /* 0: the frame's own */
    uint8_t *base;
    size_t size;
    uint32_t align;
    size_t stride;
};

static int place_copy(const struct copy_dst *d, const struct frame_view *v,
                      struct frame_image *out)
{
    uint32_t format = d->format ? d->format : v->format;
    if (!d->stride) {
        size_t need = frame_image_layout(out, format, v->width, v->height,
                                         d->align, d->base);
        return need && need <= d->size ? 0 : -ENOSPC;
    }
    size_t row = (size_t)v->width * 4, need;
    /* The caller's stride may be anything: no wrapping. */
    if (d->stride < row ||
        __builtin_mul_overflow((size_t)(v->height - 1), d->stride, &need) ||
        __builtin_add_overflow(need, row, &need) || need > d->size)
        return -ENOSPC;
    if (v->height > 1 && d->stride > UINT32_MAX)
        return -EINVAL;
    frame_image_layout(out, format, v->width, v->height, 1, d->base);
    out->stride[0] = v->height > 1 ? (uint32_t)d->stride : (uint32_t)row;
    return 0;
}

static void forget_pixels(struct frame_view *v)
{
    v->pixels = NULL;
    memset(v->image.plane, 0, sizeof(v->image.plane));
}

static int copy_frame(frame_reader *r, const struct copy_dst *d,
                      struct frame_view *v)
{
    if (!v)
        return -EINVAL;
    for (int tries = 0; tries < ACQUIRE_TRIES; tries++) {
        /* Held, so a copy slower than the writer's frame period still
         * gets whole frames. */
        int rc = frame_reader_hold(r, v);
        if (rc)
            return rc;
        struct frame_image out;
        if ((rc = place_copy(d, v, &out))) {
            frame_reader_release(r, v);
            forget_pixels(v);
            return rc;
        }
        /* The one deliberate data race of the protocol: these bytes may be
         * rewritten while we copy or convert them. The check below discards
         * the copy if they were (see docs/design.md, "The in-place race").
         * The frame was validated: frame_convert() can only run out of
         * memory. */
        if ((rc = frame_convert(&out, &v->image))) {
            frame_reader_release(r, v);
            forget_pixels(v);
            return rc;
        }
        bool ok = frame_reader_release(r, v);
        forget_pixels(v);
        if (ok)
            return 0;
        if (r->faulted)
            return FRAME_EDEAD;
    }
    return FRAME_EBUSY;
}

int frame_reader_copy(frame_reader *r, void *dst, size_t dst_stride,
                      size_t dst_size, struct frame_view *v)
{
    struct copy_dst d = {FRAME_FORMAT_RGBA8, dst, dst_size, 1, dst_stride};
    return copy_frame(r, &d, v);
}

int frame_reader_copy_format(frame_reader *r, uint32_t format, void *dst,
                             size_t dst_size, uint32_t stride_align,
                             struct frame_view *v)
{
    if ((format && !frame_format_desc(format)) || stride_align > 4096)
        return -EINVAL;
    struct copy_dst d = {format, dst, dst_size, stride_align, 0};
    return copy_frame(r, &d, v);
}

void frame_reader_set_busy_poll(frame_reader *r, bool on)
{
    if (r)
        r->busy_poll = on;
}

void frame_reader_stats(const frame_reader *r, struct frame_stats *out)
{
    if (r)
        *out = r->stats;
    else
        memset(out, 0, sizeof(*out));
}

static bool writer_alive(frame_reader *r)
{
    bool held = false;
    return frame__lock_held(r->m.fd, &held) == 0 && held;
}

int frame_reader_info(frame_reader *r, struct frame_info *out)
{
    if (!r || !out)
        return -EINVAL;
    if (!r->m.base)
        return r->why ? r->why : -ENOENT;
    if (faulted(r))
        return FRAME_EDEAD;
    frame__fill_info(r->name, &r->m.fixed, r->m.h, writer_alive(r), out);
    out->slots_held = frame__slots_held(r->m.fd, &r->m.fixed, r->m.h, NULL);
    return 0;
}

int frame__segment_abi(const char *name, uint32_t *abi)
{
    char path[FRAME__PATH_MAX];
    int fd;
    struct stat st;
    struct frame__fixed f;
    int rc = frame__path(name, path);
    if (rc || (rc = open_name(path, &fd, &st)))
        return rc;
    if ((uint64_t)st.st_size < FRAME__HEADER_SIZE)
        rc = FRAME_ETRUNCATED;
    else if ((rc = read_fixed(fd, &f)) == 0 && f.magic != FRAME__MAGIC)
        rc = FRAME_ENOTFRAME;
    close(fd);
    if (rc == 0)
        *abi = f.abi_version;
    return rc;
}

int frame_segment_info(const char *name, struct frame_info *out)
{
    frame_reader *r;
    int rc = reader_open(name, 0, true, &r); /* never acquires: header only */
    if (rc)
        return rc;
    rc = frame_reader_info(r, out);
    frame_reader_close(r);
    return rc;
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

static int64_t earliest(int64_t a, int64_t b) { return a < b ? a : b; }

/* Looking for a writer (WAITING, CLOSED, LOST, or BROKEN beyond repair):
 * try the name with back-off until one shows up. */
static int search(frame_reader *r, int64_t deadline)
{
    for (;;) {
        int64_t now = frame__now_ns();
        if (now >= r->next_check_ns) {
            int rc = look(r);
            if (rc == 1)
                return FRAME_ERESTARTED;
            r->search_delay_ns = r->search_delay_ns * 2;
            if (r->search_delay_ns < SEARCH_MIN_NS)
                r->search_delay_ns = SEARCH_MIN_NS;
            if (r->search_delay_ns > SEARCH_MAX_NS)
                r->search_delay_ns = SEARCH_MAX_NS;
            r->next_check_ns = now + r->search_delay_ns;
            if (rc < 0 && !(r->state == FRAME_READER_BROKEN && r->why == rc))
                return leave(r, FRAME_READER_BROKEN, rc);
        }
        if (now >= deadline)
            return -ETIMEDOUT;
        sleep_until(earliest(r->next_check_ns, deadline));
    }
}

/* Attached (or BROKEN by a scribbled header, which its writer may heal):
 * sleep on the segment's futex, checking the writer and the name. */
static int watch(frame_reader *r, int64_t deadline)
{
    struct frame__header *h = r->m.h;
    for (;;) {
        int64_t now = frame__now_ns();
        /* The name and the writer are looked at whatever the header says,
         * so that frames it keeps naming cannot hide a new writer or the
         * loss of this one. A new writer is news at once; a death comes
         * after the frames and the close the writer published before. */
        bool gone = false;
        if (now >= r->next_check_ns) {
            r->next_check_ns = now + LIVENESS_PERIOD_NS;
            int rc = look(r);
            if (rc == 1)
                return FRAME_ERESTARTED;
            if (rc < 0 && rc != r->why)
                return leave(r, FRAME_READER_BROKEN, rc);
            gone = !writer_alive(r);
        }
        /* Read the futex word before looking at `latest`: a publish after
         * this load changes it, so the futex wait below cannot miss it. */
        uint32_t seen =
            atomic_load_explicit(&h->publish_count, memory_order_acquire);
        uint64_t latest =
            atomic_load_explicit(&h->latest, memory_order_acquire);
        if (faulted(r))
            return 1; /* the caller returns the pending change */
        int64_t until = earliest(r->next_check_ns, deadline);
        bool nap = false;
        /* New: not acquired yet, not said already (a caller that never
         * acquires is not woken for the same frame again and again), and
         * not one that failed to be read. */
        if (latest && (latest >> 8) != r->last_frame_no &&
            latest != r->told_latest && latest != r->bad_latest) {
            if (!r->bad_streak || now >= r->bad_retry_ns) {
                r->futile = 0;
                r->last_word = seen;
                r->told_latest = latest;
                if (gone)
                    r->next_check_ns = 0; /* said at the next call */
                return 0;
            }
            until = earliest(until, r->bad_retry_ns);
            nap = true;
        }
        if (atomic_load_explicit(&h->state, memory_order_relaxed) ==
            FRAME_STATE_CLOSED)
            return leave(r, FRAME_READER_CLOSED, FRAME_ECLOSED);
        if (gone)
            return leave(r, FRAME_READER_LOST, FRAME_ELOST);
        if (now >= deadline)
            return -ETIMEDOUT;
        /* The word moved, yet nothing is new: someone bumps it by hand. */
        if (seen != r->last_word && ++r->futile > FUTILE_MAX) {
            until = earliest(until, now + FUTILE_NAP_NS);
            nap = true;
        }
        r->last_word = seen;
        if (nap)
            sleep_until(until);
        else
            wait_for_change(r, seen, until);
    }
}

int frame_reader_wait(frame_reader *r, int timeout_ms)
{
    if (!r)
        return -EINVAL;
    int64_t deadline = timeout_ms < 0
                           ? INT64_MAX
                           : frame__now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        faulted(r);
        if (r->pending) {
            int rc = r->pending;
            r->pending = 0;
            return rc;
        }
        int rc = watching(r) ? watch(r, deadline) : search(r, deadline);
        if (rc != 1)
            return rc;
    }
}
