/* The segment's binary layout and the helpers shared by writer and reader. */
#ifndef LIBFRAME_FRAME_INTERNAL_H
#define LIBFRAME_FRAME_INTERNAL_H

#include <libframe/frame.h>

#include <fcntl.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* "LIBFRAME" read as a little-endian u64. */
#define FRAME__MAGIC UINT64_C(0x454d41524642494c)
#define FRAME__ABI_VERSION FRAME_SEGMENT_ABI
#define FRAME__HEADER_SIZE 4096u
#define FRAME__PAGE 4096u
/* One slot may not exceed 1 GiB: a 16384x16384 RGBA frame. */
#define FRAME__MAX_SLOT_CAPACITY (UINT64_C(1) << 30)
/* Where glibc's shm_open() keeps its objects: the writer's linkat() and
 * the directory listings need real paths (Linux-only, like the rest). */
#define FRAME__SHM_DIR FRAME_SHM_DIR
/* Every object of ours is "libframe.NAME" in that directory, opened by
 * shm_open() as "/libframe.NAME". */
#define FRAME__PREFIX FRAME_OBJECT_PREFIX
#define FRAME__PATH_MAX (sizeof("/" FRAME__PREFIX) + FRAME_NAME_MAX)
/* Opening what is already under a name: O_NONBLOCK so that a FIFO someone
 * put there fails the S_ISREG check instead of blocking the open. */
#define FRAME__OPEN_EXISTING (O_CLOEXEC | O_NONBLOCK)

_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "32-bit atomics must be lock-free");

/* Written once by the writer before the magic is stored with release;
 * readers copy it after an acquire load of the magic and check every field. */
struct frame__fixed {
    _Atomic uint64_t magic;
    uint32_t abi_version;
    uint32_t header_size;
    uint32_t slot_count;
    uint32_t format; /* what the slots were sized for */
    uint64_t slot_capacity;
    uint32_t max_width;
    uint32_t max_height;
    uint64_t session_id;
    int32_t writer_pid;
    uint32_t reserved0;
    int64_t writer_start_ns;
    uint64_t segment_size;
};

/* One slot's seqlock and frame descriptor. Every field is atomic: readers
 * load them while the writer may be storing (relaxed, ordered by seq).
 * Plane offsets count from the start of the slot. */
struct frame__slot {
    _Atomic uint64_t seq; /* odd while being written */
    _Atomic uint64_t frame_no;
    _Atomic uint32_t width;
    _Atomic uint32_t height;
    _Atomic uint32_t format;
    uint32_t reserved0;
    _Atomic int64_t timestamp_ns;
    _Atomic uint64_t source_index;
    _Atomic uint32_t stride[FRAME_MAX_PLANES];
    uint32_t reserved1;
    _Atomic uint32_t offset[FRAME_MAX_PLANES];
    uint8_t pad[128 - 76];
};

struct frame__header {
    struct frame__fixed fixed;
    uint8_t pad0[128 - sizeof(struct frame__fixed)];
    /* Publish line: written together at every commit. */
    _Alignas(128) _Atomic uint64_t latest; /* frame_no << 8 | slot; 0: none */
    _Atomic uint32_t publish_count;        /* futex word */
    uint32_t pad1;
    uint8_t pad1b[128 - 16];
    /* Liveness line: written rarely. */
    _Alignas(128) _Atomic int64_t heartbeat_ns;
    _Atomic uint32_t state;
    uint32_t pad2;
    _Atomic uint64_t overruns; /* frames written over a held one */
    uint8_t pad2b[128 - 24];
    _Alignas(128) struct frame__slot slot[FRAME_MAX_SLOTS];
};

_Static_assert(sizeof(struct frame__fixed) == 72, "fixed part layout");
_Static_assert(offsetof(struct frame__fixed, magic) == 0, "magic offset");
_Static_assert(offsetof(struct frame__fixed, abi_version) == 8, "abi offset");
_Static_assert(offsetof(struct frame__fixed, header_size) == 12,
               "hsize offset");
_Static_assert(offsetof(struct frame__fixed, slot_count) == 16, "count offset");
_Static_assert(offsetof(struct frame__fixed, format) == 20, "format offset");
_Static_assert(offsetof(struct frame__fixed, slot_capacity) == 24,
               "cap offset");
_Static_assert(offsetof(struct frame__fixed, max_width) == 32, "maxw offset");
_Static_assert(offsetof(struct frame__fixed, max_height) == 36, "maxh offset");
_Static_assert(offsetof(struct frame__fixed, session_id) == 40, "sid offset");
_Static_assert(offsetof(struct frame__fixed, writer_pid) == 48, "pid offset");
_Static_assert(offsetof(struct frame__fixed, writer_start_ns) == 56, "start");
_Static_assert(offsetof(struct frame__fixed, segment_size) == 64, "size");
_Static_assert(offsetof(struct frame__header, latest) == 128, "latest offset");
_Static_assert(offsetof(struct frame__header, publish_count) == 136, "count");
_Static_assert(offsetof(struct frame__header, heartbeat_ns) == 256,
               "heartbeat");
_Static_assert(offsetof(struct frame__header, state) == 264, "state offset");
_Static_assert(offsetof(struct frame__header, overruns) == 272, "overruns");
_Static_assert(offsetof(struct frame__header, slot) == 384, "slots offset");
_Static_assert(sizeof(struct frame__slot) == 128, "slot descriptor size");
_Static_assert(offsetof(struct frame__slot, frame_no) == 8, "frame_no");
_Static_assert(offsetof(struct frame__slot, width) == 16, "width");
_Static_assert(offsetof(struct frame__slot, height) == 20, "height");
_Static_assert(offsetof(struct frame__slot, format) == 24, "format");
_Static_assert(offsetof(struct frame__slot, timestamp_ns) == 32, "ts");
_Static_assert(offsetof(struct frame__slot, source_index) == 40, "src");
_Static_assert(offsetof(struct frame__slot, stride) == 48, "strides");
_Static_assert(offsetof(struct frame__slot, offset) == 64, "offsets");
_Static_assert(sizeof(struct frame__header) <= FRAME__HEADER_SIZE,
               "header fits its page");

/* shm.c: names, objects, mappings, the writer's lock. */
/* "/libframe.NAME", as shm_open() wants it. */
int frame__path(const char *name, char path[FRAME__PATH_MAX]);
/* leftover.c: "NAME~PID" (what follows the prefix) into its parts. */
int frame__parse_leftover(const char *rest, char name[FRAME_NAME_MAX + 1],
                          int32_t *pid);
int64_t frame__now_ns(void);
int64_t frame__realtime_ns(void);
/* Lock bytes (see docs/design.md, "Leases"): byte 0 is the writer's
 * liveness lock; a frame's own byte, given by its slot and the slot's
 * generation (seq / 2), is read-locked by readers that hold the frame and
 * write-locked by the writer before it writes over that frame. */
#define FRAME__LOCK_WRITER 0
/* Whether some open file description holds the writer lock on fd. */
int frame__lock_held(int fd, bool *held);
int frame__lock_take(int fd);
/* F_RDLCK, F_WRLCK or F_UNLCK the byte of (slot, gen), without waiting: 0,
 * -EAGAIN (another open file description holds a conflicting lock) or
 * -errno. */
int frame__hold_lock(int fd, uint32_t slot, uint64_t gen, short type);
/* Drop every slot byte fd's open file description holds (never byte 0,
 * the writer's liveness lock): 0 or -errno. */
int frame__hold_unlock_all(int fd);
/* How many slots' current frames some reader holds now; seq: the writer's
 * own copy of each slot's seq, or NULL to read the segment's. */
uint32_t frame__slots_held(int fd, const struct frame__fixed *f,
                           struct frame__header *h, const uint64_t *seq);
/* fstat() fd into st: 0 if it is a regular file of ours, else -errno,
 * FRAME_ENOTFRAME (a FIFO or the like) or FRAME_EOWNER. */
struct stat;
int frame__check_object(int fd, struct stat *st);
/* Validate a copy of the fixed header against the object's size. */
int frame__check_fixed(const struct frame__fixed *f, uint64_t object_size);
uint64_t frame__slot_offset(const struct frame__fixed *f, uint32_t slot);
/* format.c: plane p's size in pixels and its row in bytes. */
void frame__plane_size(const struct frame_format_desc *d, uint32_t p,
                       uint32_t width, uint32_t height, uint32_t *pw,
                       uint32_t *ph, uint32_t *row);
/* Check a frame descriptor's planes against a slot of the given capacity:
 * 0 or FRAME_EBADFRAME. */
int frame__check_planes(uint32_t format, uint32_t width, uint32_t height,
                        const uint32_t stride[FRAME_MAX_PLANES],
                        const uint32_t offset[FRAME_MAX_PLANES],
                        uint64_t capacity);
void frame__fill_info(const char *name, const struct frame__fixed *f,
                      struct frame__header *h, bool alive,
                      struct frame_info *out);

/* reader.c: the ABI version of the libframe object under name, whatever
 * it is: 0, or an error of opening it (FRAME_ENOTFRAME without our magic). */
int frame__segment_abi(const char *name, uint32_t *abi);

/* futex.c */
int frame__futex_wait(_Atomic uint32_t *word, uint32_t expected,
                      const struct timespec *abs_monotonic);
void frame__futex_wake_all(_Atomic uint32_t *word);

/* guard.c: turns SIGBUS on a registered mapping into a flag. */
struct frame__guard;
int frame__guard_add(void *base, size_t len, int prot,
                     struct frame__guard **out);
bool frame__guard_faulted(struct frame__guard *g);
void frame__guard_remove(struct frame__guard *g);

#endif
