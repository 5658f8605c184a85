/* The writer: creates the segment, publishes frames, closes it. */
#include "frame_internal.h"
#include "seqlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

struct frame_writer {
    char name[FRAME_NAME_MAX + 1];
    char path[FRAME__PATH_MAX];
    int fd;
    struct stat st;
    uint8_t *base;
    struct frame__header *h;
    struct frame__fixed fixed; /* our own copy: never re-read the mapping */
    struct frame__guard *guard;
    bool in_frame;
    bool dead;
    /* What we published, kept here: the segment's copies are writable by
     * any process of the user and are never read back. */
    bool published;
    uint32_t last_slot;
    uint64_t seq[FRAME_MAX_SLOTS];     /* each slot's sequence, always even */
    uint64_t slot_no[FRAME_MAX_SLOTS]; /* frame last written there; 0: none */
    uint32_t cur_slot;
    bool cur_locked;   /* we hold the byte of the frame we write over */
    uint64_t cur_gen;  /* that frame's generation */
    uint32_t stale;    /* bytes of frames written over, still locked */
    uint64_t overruns; /* frames written over one a reader held */
    uint32_t cur_format, cur_width, cur_height;
    uint32_t cur_stride[FRAME_MAX_PLANES], cur_offset[FRAME_MAX_PLANES];
    uint64_t next_frame_no;
};

static uint64_t new_session_id(void)
{
    uint64_t id = 0;
    if (getrandom(&id, sizeof(id), GRND_NONBLOCK) != (ssize_t)sizeof(id))
        id = (uint64_t)frame__now_ns() * 0x9e3779b97f4a7c15u ^
             (uint64_t)getpid();
    return id ? id : 1;
}

static bool same_object(const char *path, const struct stat *st)
{
    int fd = shm_open(path, O_RDONLY | FRAME__OPEN_EXISTING, 0);
    if (fd < 0)
        return false;
    struct stat now;
    bool same = fstat(fd, &now) == 0 && now.st_dev == st->st_dev &&
                now.st_ino == st->st_ino;
    close(fd);
    return same;
}

/*
 * The name exists. Remove it if nobody holds its writer lock: its writer is
 * dead, or it was never a libframe segment. Holding the lock ourselves while
 * we check and unlink keeps two starting writers from both removing.
 */
static int take_over(const char *path)
{
    int fd = shm_open(path, O_RDWR | FRAME__OPEN_EXISTING, 0);
    if (fd < 0)
        /* A directory there is no segment, and not ours to remove. glibc's
         * shm_open() turns open()'s EISDIR into EINVAL, which for a name
         * already checked means nothing else. */
        return errno == EISDIR || errno == EINVAL ? FRAME_ENOTFRAME : -errno;
    struct stat st;
    /* A FIFO or another user's object is not ours to remove. */
    int rc = frame__check_object(fd, &st);
    if (rc == 0) {
        rc = frame__lock_take(fd);
        if (rc == -EAGAIN)
            rc = FRAME_EALIVE;
        else if (rc == 0 && same_object(path, &st) && shm_unlink(path) != 0 &&
                 errno != ENOENT)
            rc = -errno;
    }
    close(fd);
    return rc;
}

int frame_segment_remove_stale(const char *name)
{
    char path[FRAME__PATH_MAX];
    struct frame_info info;
    int rc = frame__path(name, path);
    if (rc)
        return rc;
    /* Only what validates as ours, so nothing foreign is ever removed. */
    if ((rc = frame_segment_info(name, &info)))
        return rc;
    if (info.writer_alive)
        return FRAME_EALIVE;
    /* take_over() re-checks under the lock: the writer may have been
     * replaced by a live one since. */
    return take_over(path);
}

static int check_format(const struct frame_format *fmt, uint32_t *slots,
                        uint32_t *pixel_format, uint64_t *capacity,
                        mode_t *mode)
{
    if (!fmt || fmt->max_width == 0 || fmt->max_height == 0 ||
        fmt->max_width > FRAME_MAX_DIM || fmt->max_height > FRAME_MAX_DIM)
        return -EINVAL;
    *slots = fmt->slot_count ? fmt->slot_count : 3;
    if (*slots < 2 || *slots > FRAME_MAX_SLOTS)
        return -EINVAL;
    *mode = fmt->mode ? fmt->mode : 0600;
    if (*mode != 0600 && *mode != 0640 && *mode != 0660)
        return -EINVAL;
    *pixel_format = fmt->pixel_format ? fmt->pixel_format : FRAME_FORMAT_RGBA8;
    uint64_t bytes = frame_image_layout(NULL, *pixel_format, fmt->max_width,
                                        fmt->max_height, 1, NULL);
    if (bytes == 0)
        return -EINVAL;
    bytes = (bytes + FRAME__PAGE - 1) / FRAME__PAGE * FRAME__PAGE;
    if (bytes > FRAME__MAX_SLOT_CAPACITY)
        return -EINVAL;
    *capacity = bytes;
    return 0;
}

/*
 * The segment is built as an unnamed tmpfs file (O_TMPFILE): nobody can
 * open, judge or remove it while it is made, and a writer killed meanwhile
 * leaves nothing behind, whatever pid namespace it ran in.
 */
static int create_unnamed(mode_t mode)
{
    int fd = open(FRAME__SHM_DIR, O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
    if (fd >= 0)
        return fd;
    /* Kernels or file systems without O_TMPFILE say so in several ways. */
    if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)
        return -ENOTSUP;
    return -errno;
}

/* Give our own object (fd) the name `to`. By descriptor, not by path: what
 * becomes visible is exactly what we built. */
static int link_fd(int fd, const char *to)
{
    char proc[32];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, to, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    if (errno != ENOENT)
        return -errno;
    /* No /proc: AT_EMPTY_PATH does the same, with CAP_DAC_READ_SEARCH. */
    if (linkat(fd, "", AT_FDCWD, to, AT_EMPTY_PATH) == 0)
        return 0;
    return errno == ENOENT ? -ENOTSUP : -errno;
}

/*
 * Make the finished segment visible under its name in one step. linkat()
 * fails with EEXIST instead of replacing anything, so a reader never sees
 * a segment half made, and of two writers starting at once exactly one
 * wins: the other finds the winner's lock held (FRAME_EALIVE).
 */
static int publish_name(int fd, const char *path, bool *replaced)
{
    char to[sizeof(FRAME__SHM_DIR) + FRAME__PATH_MAX];
    snprintf(to, sizeof(to), FRAME__SHM_DIR "%s", path);
    for (int attempt = 0; attempt < 8; attempt++) {
        int rc = link_fd(fd, to);
        if (rc != -EEXIST)
            return rc;
        rc = take_over(path);
        if (rc == 0)
            *replaced = true;
        else if (rc != -ENOENT)
            return rc;
    }
    return FRAME_EALIVE;
}

static void fill_header(frame_writer *w, const struct frame_format *fmt,
                        uint32_t slots, uint32_t pixel_format,
                        uint64_t capacity, uint64_t total)
{
    w->h = (struct frame__header *)w->base;
    struct frame__fixed *f = &w->fixed;
    f->magic = FRAME__MAGIC;
    f->abi_version = FRAME__ABI_VERSION;
    f->header_size = FRAME__HEADER_SIZE;
    f->slot_count = slots;
    f->format = pixel_format;
    f->slot_capacity = capacity;
    f->max_width = fmt->max_width;
    f->max_height = fmt->max_height;
    f->session_id = new_session_id();
    f->writer_pid = (int32_t)getpid();
    f->writer_start_ns = frame__realtime_ns();
    f->segment_size = total;

    /* The object is fresh from ftruncate, so every live field reads zero.
     * The magic goes last, with release, for readers of older objects
     * that were never published by link(). */
    struct frame__fixed *hf = &w->h->fixed;
    memcpy((uint8_t *)hf + sizeof(hf->magic), (uint8_t *)f + sizeof(f->magic),
           sizeof(*f) - sizeof(f->magic));
    atomic_store_explicit(&w->h->heartbeat_ns, frame__now_ns(),
                          memory_order_relaxed);
    atomic_store_explicit(&w->h->state, FRAME_STATE_RUNNING,
                          memory_order_relaxed);
    atomic_store_explicit(&hf->magic, FRAME__MAGIC, memory_order_release);
}

int frame_writer_create(const char *name, const struct frame_format *fmt,
                        frame_writer **out, bool *replaced)
{
    uint32_t slots, pixel_format;
    uint64_t capacity;
    mode_t mode;
    bool removed = false;
    char path[FRAME__PATH_MAX];
    int rc = frame__path(name, path);
    if (rc)
        return rc;
    if ((rc = check_format(fmt, &slots, &pixel_format, &capacity, &mode)))
        return rc;

    frame_writer *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    snprintf(w->name, sizeof(w->name), "%s", name);
    memcpy(w->path, path, sizeof(path));
    w->next_frame_no = 1;

    uint64_t total = FRAME__HEADER_SIZE + slots * capacity;
    w->fd = create_unnamed(mode);
    if (w->fd < 0) {
        rc = w->fd;
        goto fail_free;
    }
    /* open() applies the umask; the mode asked for is the mode meant. */
    if ((rc = frame__lock_take(w->fd)) || fchmod(w->fd, mode) != 0 ||
        fstat(w->fd, &w->st) != 0 || ftruncate(w->fd, (off_t)total) != 0) {
        rc = rc ? rc : -errno;
        goto fail_close;
    }
    /* Reserve the pages now: a full /dev/shm is ENOSPC here, not a SIGBUS
     * on the first frame. */
    int err = posix_fallocate(w->fd, 0, (off_t)total);
    if (err) {
        rc = -err;
        goto fail_close;
    }
    w->base = mmap(NULL, total, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_POPULATE, w->fd, 0);
    if (w->base == MAP_FAILED) {
        rc = -errno;
        goto fail_close;
    }
    rc = frame__guard_add(w->base, total, PROT_READ | PROT_WRITE, &w->guard);
    if (rc)
        goto fail_unmap;
    fill_header(w, fmt, slots, pixel_format, capacity, total);
    if ((rc = publish_name(w->fd, path, &removed)))
        goto fail_guard;

    if (replaced)
        *replaced = removed;
    *out = w;
    return 0;

fail_guard:
    frame__guard_remove(w->guard);
fail_unmap:
    munmap(w->base, total);
fail_close:
    close(w->fd);
fail_free:
    free(w);
    return rc;
}

/* The one place a writer handle becomes unusable: its segment was
 * truncated under it (the SIGBUS guard mapped zeros over it). From then on
 * every call that would touch the segment returns FRAME_EDEAD. */
static bool writer_dead(frame_writer *w)
{
    if (!w->dead && frame__guard_faulted(w->guard))
        w->dead = true;
    return w->dead;
}

/*
 * The slot for the next frame: the oldest one whose frame no reader holds,
 * never the newest (readers are taking it). Trying a slot is taking its
 * frame's byte for writing; a reader's read lock makes that fail at once,
 * so the writer never waits. A reader still holding a frame already
 * written over holds another byte, and costs nothing. With every other
 * slot's frame held, the oldest frame is overwritten anyway and its
 * holders' checks fail: a hold is a promise kept while slot_count - 2
 * distinct slots or fewer are held (see docs/design.md, "Leases").
 */
static uint32_t choose_slot(frame_writer *w)
{
    uint32_t n = w->fixed.slot_count, order[FRAME_MAX_SLOTS], k = 0;
    for (uint32_t s = 0; s < n; s++)
        if (!w->published || s != w->last_slot)
            order[k++] = s;
    /* Oldest first: at most 8 slots, an insertion sort. */
    for (uint32_t i = 1; i < k; i++)
        for (uint32_t j = i;
             j > 0 && w->slot_no[order[j]] < w->slot_no[order[j - 1]]; j--) {
            uint32_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (uint32_t i = 0; i < k; i++) {
        uint64_t gen = w->seq[order[i]] / 2;
        if (frame__hold_lock(w->fd, order[i], gen, F_WRLCK) == 0) {
            w->cur_locked = true;
            w->cur_gen = gen;
            return order[i];
        }
    }
    w->cur_locked = false;
    /* For readers to tell "readers hold more than I can spare" (the
     * viewer's starved message, framectl): informational, never read
     * back. */
    atomic_store_explicit(&w->h->overruns, ++w->overruns, memory_order_relaxed);
    return order[0];
}

/*
 * The frame we wrote over is gone: its byte is of no use to anyone, and
 * keeping it locked is harmless (a late reader's hold on it is refused,
 * as its check would fail anyway). Unlocking it at every frame would cost
 * a system call a frame; instead the bytes of frames written over stay
 * locked and are dropped together, in one call, every STALE_LOCKS frames.
 * The kernel merges a slot's adjacent locked bytes (each write over a
 * slot takes the byte after the last one), so even between drops it keeps
 * a few lock records, not one a frame. Never called while a frame is
 * begun: the byte of the frame being written over is not stale yet.
 */
#define STALE_LOCKS 64

static void retire_lock(frame_writer *w)
{
    if (!w->cur_locked)
        return;
    w->cur_locked = false;
    if (++w->stale >= STALE_LOCKS) {
        frame__hold_unlock_all(w->fd);
        w->stale = 0;
    }
}

int frame_writer_begin_format(frame_writer *w, uint32_t format, uint32_t width,
                              uint32_t height, uint32_t stride_align,
                              struct frame_buffer *out)
{
    if (!w || !out)
        return -EINVAL;
    if (writer_dead(w))
        return FRAME_EDEAD;
    if (w->in_frame || width == 0 || height == 0 || stride_align > 4096 ||
        !frame_format_desc(format))
        return -EINVAL;
    struct frame_image img;
    size_t size =
        frame_image_layout(&img, format, width, height, stride_align, NULL);
    if (size == 0 || size > w->fixed.slot_capacity)
        return -EFBIG;

    uint32_t slot = choose_slot(w);
    frame__seq_write_begin(&w->h->slot[slot], w->seq[slot]);
    w->cur_slot = slot;
    w->cur_format = format;
    w->cur_width = width;
    w->cur_height = height;
    w->in_frame = true;
    /* A truncation during the seq store above shows only now. */
    if (writer_dead(w)) {
        w->in_frame = false;
        retire_lock(w);
        return FRAME_EDEAD;
    }

    uint8_t *base = w->base + frame__slot_offset(&w->fixed, slot);
    frame_image_layout(&img, format, width, height, stride_align, base);
    for (uint32_t p = 0; p < FRAME_MAX_PLANES; p++) {
        w->cur_stride[p] = img.stride[p];
        w->cur_offset[p] = img.plane[p] ? (uint32_t)(img.plane[p] - base) : 0;
    }
    out->pixels = img.plane[0];
    out->width = width;
    out->height = height;
    out->stride = img.stride[0];
    out->slot = slot;
    out->frame_no = w->next_frame_no;
    out->image = img;
    return 0;
}

int frame_writer_begin(frame_writer *w, uint32_t width, uint32_t height,
                       struct frame_buffer *out)
{
    return frame_writer_begin_format(w, FRAME_FORMAT_RGBA8, width, height, 1,
                                     out);
}

/* Publishes and state changes both bump the futex word, so a reader about
 * to sleep on the old value cannot miss either. */
static void wake_readers(frame_writer *w)
{
    atomic_fetch_add_explicit(&w->h->publish_count, 1, memory_order_release);
    frame__futex_wake_all(&w->h->publish_count);
}

int frame_writer_commit(frame_writer *w, int64_t timestamp_ns,
                        uint64_t source_index)
{
    if (!w || !w->in_frame)
        return -EINVAL;
    w->in_frame = false;
    if (writer_dead(w)) {
        retire_lock(w);
        return FRAME_EDEAD;
    }
    struct frame__slot *s = &w->h->slot[w->cur_slot];
    uint64_t no = w->next_frame_no++;
    /* The caller's stamp is fresh: reading the clock again would cost a
     * cache miss on the vDSO page right after a frame-sized copy. */
    int64_t now = timestamp_ns ? timestamp_ns : frame__now_ns();
    atomic_store_explicit(&s->frame_no, no, memory_order_relaxed);
    atomic_store_explicit(&s->width, w->cur_width, memory_order_relaxed);
    atomic_store_explicit(&s->height, w->cur_height, memory_order_relaxed);
    atomic_store_explicit(&s->format, w->cur_format, memory_order_relaxed);
    for (uint32_t p = 0; p < FRAME_MAX_PLANES; p++) {
        atomic_store_explicit(&s->stride[p], w->cur_stride[p],
                              memory_order_relaxed);
        atomic_store_explicit(&s->offset[p], w->cur_offset[p],
                              memory_order_relaxed);
    }
    atomic_store_explicit(&s->timestamp_ns, now, memory_order_relaxed);
    atomic_store_explicit(&s->source_index, source_index, memory_order_relaxed);
    frame__seq_write_end(s, w->seq[w->cur_slot]);
    w->seq[w->cur_slot] += 2;
    atomic_store_explicit(&w->h->latest, no << 8 | w->cur_slot,
                          memory_order_release);
    w->last_slot = w->cur_slot;
    w->slot_no[w->cur_slot] = no;
    w->published = true;
    wake_readers(w);
    /* Readers of the new frame lock its own byte, not this one: what is
     * done with the old byte can wait until they are woken. */
    retire_lock(w);
    /* After the wake: a polling reader is not kept waiting for this line. */
    atomic_store_explicit(&w->h->heartbeat_ns, now, memory_order_relaxed);
    /* A truncation during the stores above shows only now: say so at this
     * frame, not the next. */
    return writer_dead(w) ? FRAME_EDEAD : 0;
}

int frame_writer_abort(frame_writer *w)
{
    if (!w || !w->in_frame)
        return -EINVAL;
    w->in_frame = false;
    struct frame__slot *s = &w->h->slot[w->cur_slot];
    /* A reader holding an old `latest` for this slot matches on frame_no;
     * clear it so the half-written pixels can never match. */
    atomic_store_explicit(&s->frame_no, 0, memory_order_relaxed);
    frame__seq_write_end(s, w->seq[w->cur_slot]);
    w->seq[w->cur_slot] += 2;
    w->slot_no[w->cur_slot] = 0; /* holds nothing: reuse it first */
    retire_lock(w);
    return 0;
}

int frame_writer_set_state(frame_writer *w, enum frame_state state)
{
    if (!w)
        return -EINVAL;
    if (writer_dead(w))
        return FRAME_EDEAD;
    if (state != FRAME_STATE_RUNNING && state != FRAME_STATE_PAUSED &&
        state != FRAME_STATE_CLOSED)
        return -EINVAL;
    atomic_store_explicit(&w->h->state, (uint32_t)state, memory_order_relaxed);
    frame_writer_heartbeat(w);
    wake_readers(w);
    return 0;
}

void frame_writer_heartbeat(frame_writer *w)
{
    if (!w || writer_dead(w))
        return;
    atomic_store_explicit(&w->h->heartbeat_ns, frame__now_ns(),
                          memory_order_relaxed);
}

void frame_writer_info(const frame_writer *w, struct frame_info *out)
{
    if (!w) {
        memset(out, 0, sizeof(*out));
        return;
    }
    frame__fill_info(w->name, &w->fixed, w->h, true, out);
    out->slots_held = frame__slots_held(w->fd, &w->fixed, w->h, w->seq);
}

void frame_writer_destroy(frame_writer *w)
{
    if (!w)
        return;
    if (!writer_dead(w))
        frame_writer_set_state(w, FRAME_STATE_CLOSED);
    /* We hold the lock, so nobody can have replaced the name; the check
     * only spares a segment someone unlinked and re-created by hand. */
    if (same_object(w->path, &w->st))
        shm_unlink(w->path);
    frame__guard_remove(w->guard);
    munmap(w->base, w->fixed.segment_size);
    close(w->fd); /* drops the writer lock */
    free(w);
}
