/* Segment names, the writer lock, clocks and header validation. */
#include "frame_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int frame_name_check(const char *name)
{
    if (!name || !*name)
        return -EINVAL;
    size_t n = strnlen(name, FRAME_NAME_MAX + 1);
    if (n > FRAME_NAME_MAX)
        return -ENAMETOOLONG;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok)
            return -EINVAL;
    }
    /* "/libframe..x" could not escape /dev/shm, but a name that looks like
     * path traversal is almost certainly a mistake worth refusing. */
    if (strstr(name, ".."))
        return -EINVAL;
    return 0;
}

int frame__path(const char *name, char path[FRAME__PATH_MAX])
{
    int rc = frame_name_check(name);
    if (rc)
        return rc;
    snprintf(path, FRAME__PATH_MAX, "/" FRAME__PREFIX "%s", name);
    return 0;
}

size_t frame_buffer_size(uint32_t width, uint32_t height)
{
    if (!width || !height)
        return 0;
    uint64_t n = (uint64_t)width * height * 4u;
    if (n > SIZE_MAX)
        return 0;
    return (size_t)n;
}

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t frame__now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }
int64_t frame__realtime_ns(void) { return clock_ns(CLOCK_REALTIME); }

/*
 * The writer holds an open-file-description write lock on byte
 * FRAME__LOCK_WRITER for its lifetime. The kernel drops it when the writer
 * dies, however it dies, so "lock held" is an exact liveness test that
 * survives pid reuse and pid namespaces. Readers only query it
 * (F_OFD_GETLK), never take it, so a reader can never make a dead writer
 * look alive; the read locks readers take on the slot bytes (leases) lie
 * elsewhere and never touch it. Locks are numbers, not memory: these bytes
 * are never read or written.
 */
static int lock_byte(int fd, int cmd, short type, off_t at)
{
    struct flock fl = {
        .l_type = type, .l_whence = SEEK_SET, .l_start = at, .l_len = 1};
    if (fcntl(fd, cmd, &fl) == 0)
        return cmd == F_OFD_GETLK ? fl.l_type != F_UNLCK : 0;
    return (errno == EACCES || errno == EAGAIN) ? -EAGAIN : -errno;
}

int frame__lock_take(int fd)
{
    return lock_byte(fd, F_OFD_SETLK, F_WRLCK, FRAME__LOCK_WRITER);
}

int frame__lock_held(int fd, bool *held)
{
    int rc = lock_byte(fd, F_OFD_GETLK, F_RDLCK, FRAME__LOCK_WRITER);
    if (rc < 0)
        return rc;
    *held = rc;
    return 0;
}

/* The byte of (slot, generation): each slot has a range of 2^40 bytes, one
 * a write to it; the writer's byte 0 lies below them all. */
static off_t hold_byte(uint32_t slot, uint64_t gen)
{
    return (off_t)(slot + 1) << 40 | (off_t)(gen & ((UINT64_C(1) << 40) - 1));
}

int frame__hold_lock(int fd, uint32_t slot, uint64_t gen, short type)
{
    return lock_byte(fd, F_OFD_SETLK, type, hold_byte(slot, gen));
}

int frame__hold_unlock_all(int fd)
{
    /* Every slot's range at once; byte 0, the writer's, lies below them. */
    struct flock fl = {.l_type = F_UNLCK,
                       .l_whence = SEEK_SET,
                       .l_start = (off_t)1 << 40,
                       .l_len = (off_t)FRAME_MAX_SLOTS << 40};
    return fcntl(fd, F_OFD_SETLK, &fl) ? -errno : 0;
}

uint32_t frame__slots_held(int fd, const struct frame__fixed *f,
                           struct frame__header *h, const uint64_t *seq)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < f->slot_count; i++) {
        /* A reader's count is informational: the segment's seq will do. */
        uint64_t q =
            seq ? seq[i]
                : atomic_load_explicit(&h->slot[i].seq, memory_order_relaxed);
        /* Odd: being written; the lock there is the writer's. */
        if (!(q & 1))
            n += lock_byte(fd, F_OFD_GETLK, F_WRLCK, hold_byte(i, q / 2)) == 1;
    }
    return n;
}

int frame__check_object(int fd, struct stat *st)
{
    if (fstat(fd, st) != 0)
        return -errno;
    if (!S_ISREG(st->st_mode))
        return FRAME_ENOTFRAME;
    return st->st_uid == geteuid() ? 0 : FRAME_EOWNER;
}

int frame__check_fixed(const struct frame__fixed *f, uint64_t object_size)
{
    if (f->magic != FRAME__MAGIC)
        return FRAME_ENOTFRAME;
    if (f->abi_version != FRAME__ABI_VERSION)
        return FRAME_EVERSION;
    if (f->header_size != FRAME__HEADER_SIZE)
        return FRAME_ELAYOUT;
    const struct frame_format_desc *d = frame_format_desc(f->format);
    if (!d)
        return FRAME_ELAYOUT;
    if (f->slot_count < 2 || f->slot_count > FRAME_MAX_SLOTS)
        return FRAME_ELAYOUT;
    if (f->slot_capacity == 0 || f->slot_capacity % FRAME__PAGE ||
        f->slot_capacity > FRAME__MAX_SLOT_CAPACITY)
        return FRAME_ELAYOUT;
    if (f->max_width == 0 || f->max_width > FRAME_MAX_DIM ||
        f->max_height == 0 || f->max_height > FRAME_MAX_DIM ||
        frame_image_layout(NULL, f->format, f->max_width, f->max_height, 1,
                           NULL) > f->slot_capacity)
        return FRAME_ELAYOUT;
    /* No overflow: capacity <= 2^30 and slot_count <= 8. */
    if (f->segment_size != f->header_size + f->slot_count * f->slot_capacity)
        return FRAME_ELAYOUT;
    if (object_size < f->segment_size)
        return FRAME_ETRUNCATED;
    return 0;
}

uint64_t frame__slot_offset(const struct frame__fixed *f, uint32_t slot)
{
    return f->header_size + (uint64_t)slot * f->slot_capacity;
}

void frame__fill_info(const char *name, const struct frame__fixed *f,
                      struct frame__header *h, bool alive,
                      struct frame_info *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", name);
    out->slot_count = f->slot_count;
    out->max_width = f->max_width;
    out->max_height = f->max_height;
    out->pixel_format = f->format;
    out->slot_capacity = f->slot_capacity;
    out->segment_size = f->segment_size;
    out->session_id = f->session_id;
    out->writer_pid = f->writer_pid;
    out->writer_start_ns = f->writer_start_ns;
    out->writer_alive = alive;
    out->state = atomic_load_explicit(&h->state, memory_order_relaxed);
    out->publish_count =
        atomic_load_explicit(&h->publish_count, memory_order_relaxed);
    out->overruns = atomic_load_explicit(&h->overruns, memory_order_relaxed);
    /* The heartbeat is the writer's word, not ours: saturate. */
    int64_t beat = atomic_load_explicit(&h->heartbeat_ns, memory_order_relaxed);
    if (__builtin_sub_overflow(frame__now_ns(), beat, &out->heartbeat_age_ns))
        out->heartbeat_age_ns = beat < 0 ? INT64_MAX : INT64_MIN;
    uint64_t latest = atomic_load_explicit(&h->latest, memory_order_acquire);
    out->latest_frame_no = latest >> 8;
    uint32_t slot = latest & 0xff;
    if (latest && slot < f->slot_count) {
        /* Informational only: a torn pair is harmless here. */
        out->latest_width =
            atomic_load_explicit(&h->slot[slot].width, memory_order_relaxed);
        out->latest_height =
            atomic_load_explicit(&h->slot[slot].height, memory_order_relaxed);
        out->latest_format =
            atomic_load_explicit(&h->slot[slot].format, memory_order_relaxed);
        out->latest_timestamp_ns = atomic_load_explicit(
            &h->slot[slot].timestamp_ns, memory_order_relaxed);
    }
}
