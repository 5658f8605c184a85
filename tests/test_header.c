/* Names, the writer/reader API contract, and header validation field by field.
 */
#include "proc.h"
#include "runner.h"

#include "frame_internal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

static void fill(struct frame_buffer *b, uint32_t seed)
{
    for (uint32_t y = 0; y < b->height; y++)
        for (uint32_t x = 0; x < b->width * 4; x++)
            b->pixels[(size_t)y * b->stride + x] = (uint8_t)(seed + y * 7 + x);
}

static bool matches(const uint8_t *p, size_t stride, uint32_t w, uint32_t h,
                    uint32_t seed)
{
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w * 4; x++)
            if (p[(size_t)y * stride + x] != (uint8_t)(seed + y * 7 + x))
                return false;
    return true;
}

static frame_writer *make_writer(const char *name, uint32_t w, uint32_t h)
{
    /* Two slots: the cases below count on where frames land. */
    struct frame_format fmt = {
        .max_width = w, .max_height = h, .slot_count = 2};
    frame_writer *wr = NULL;
    CHECK_RC(frame_writer_create(name, &fmt, &wr, NULL), 0);
    return wr;
}

static void publish(frame_writer *w, uint32_t width, uint32_t height,
                    uint32_t seed)
{
    struct frame_buffer b;
    CHECK_RC(frame_writer_begin(w, width, height, &b), 0);
    fill(&b, seed);
    CHECK_RC(frame_writer_commit(w, 0, seed), 0);
}

static void names(void)
{
    char longest[FRAME_NAME_MAX + 2];
    memset(longest, 'a', sizeof(longest));
    longest[FRAME_NAME_MAX] = 0;
    CHECK_RC(frame_name_check(longest), 0);
    longest[FRAME_NAME_MAX] = 'a';
    longest[FRAME_NAME_MAX + 1] = 0;
    CHECK_RC(frame_name_check(longest), -ENAMETOOLONG);
    CHECK_RC(frame_name_check("demo"), 0);
    CHECK_RC(frame_name_check("Cam_0.left-1"), 0);
    CHECK_RC(frame_name_check(""), -EINVAL);
    CHECK_RC(frame_name_check(NULL), -EINVAL);
    CHECK_RC(frame_name_check("/"), -EINVAL);
    CHECK_RC(frame_name_check("a/b"), -EINVAL);
    CHECK_RC(frame_name_check(".."), -EINVAL);
    CHECK_RC(frame_name_check("a..b"), -EINVAL);
    CHECK_RC(frame_name_check("sp ace"), -EINVAL);
    CHECK_RC(frame_name_check("caf\xc3\xa9"), -EINVAL);

    /* Every entry point refuses them before touching /dev/shm. */
    frame_reader *r = NULL;
    frame_writer *w = NULL;
    struct frame_format fmt = {.max_width = 4, .max_height = 4};
    CHECK_RC(frame_reader_open("../etc", &r), -EINVAL);
    CHECK_RC(frame_writer_create("x/y", &fmt, &w, NULL), -EINVAL);
    CHECK_RC(frame_writer_create(longest, &fmt, &w, NULL), -ENAMETOOLONG);
    CHECK(r == NULL && w == NULL);
}

static void bad_formats(void)
{
    const char *name = test_name("fmt");
    frame_writer *w = NULL;
    struct frame_format bad[] = {
        {.max_width = 0, .max_height = 10},
        {.max_width = 10, .max_height = 0},
        {.max_width = FRAME_MAX_DIM + 1, .max_height = 10},
        {.max_width = 10, .max_height = 10, .slot_count = 1},
        {.max_width = 10, .max_height = 10, .slot_count = FRAME_MAX_SLOTS + 1},
        {.max_width = 10, .max_height = 10, .mode = 0666},
        {.max_width = FRAME_MAX_DIM, .max_height = FRAME_MAX_DIM}, /* 4 GiB */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_RC(frame_writer_create(name, &bad[i], &w, NULL), -EINVAL);
    CHECK_RC(frame_writer_create(name, NULL, &w, NULL), -EINVAL);
    CHECK(w == NULL);
    struct stat st;
    char path[128];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             name);
    CHECK(stat(path, &st) != 0 && errno == ENOENT);
}

static void round_trip(void)
{
    const char *name = test_name("rt");
    frame_writer *w = make_writer(name, 64, 48);
    frame_reader *r = NULL;
    CHECK_RC(frame_reader_open(name, &r), 0);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_ENOFRAME);

    struct frame_buffer b;
    CHECK_RC(frame_writer_begin(w, 65, 48, &b), -EFBIG);
    CHECK_RC(frame_writer_begin(w, 0, 48, &b), -EINVAL);
    CHECK_RC(frame_writer_commit(w, 0, 0), -EINVAL);
    CHECK_RC(frame_writer_begin(w, 32, 20, &b), 0);
    CHECK(((uintptr_t)b.pixels % 64) == 0);
    CHECK(b.stride == 32 * 4 && b.frame_no == 1);
    CHECK_RC(frame_writer_begin(w, 32, 20, &b), -EINVAL);
    fill(&b, 11);
    CHECK_RC(frame_writer_commit(w, 123456789, 7), 0);

    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.width == 32 && v.height == 20 && v.stride == 128);
    CHECK(v.frame_no == 1 && v.source_index == 7);
    CHECK(v.timestamp_ns == 123456789 && v.format == FRAME_FORMAT_RGBA8);
    CHECK(matches(v.pixels, v.stride, v.width, v.height, 11));
    CHECK(frame_reader_still_valid(r, &v));

    /* A wider frame than max_width fits when its bytes fit the slot. */
    publish(w, 48, 48, 12);
    struct frame_view v2;
    CHECK_RC(frame_reader_acquire(r, &v2), 0);
    CHECK(v2.frame_no == 2 && v2.width == 48 && v2.slot != v.slot);
    CHECK(frame_reader_still_valid(r, &v)); /* its slot is untouched */
    publish(w, 16, 16, 13);                 /* rewrites v's slot */
    CHECK(!frame_reader_still_valid(r, &v));
    publish(w, 16, 16, 14);
    publish(w, 16, 16, 15);
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 5 && v.source_index == 15);

    struct frame_stats st;
    frame_reader_stats(r, &st);
    CHECK(st.frames_seen == 3);    /* 1, 2 and 5 */
    CHECK(st.frames_skipped == 2); /* 3 and 4 */
    CHECK(st.retries == 1);        /* the failed validation */

    struct frame_info info;
    CHECK_RC(frame_reader_info(r, &info), 0);
    CHECK(strcmp(info.name, name) == 0);
    CHECK(info.slot_count == 2 && info.max_width == 64 &&
          info.max_height == 48);
    CHECK(info.writer_pid == getpid() && info.writer_alive);
    CHECK(info.state == FRAME_STATE_RUNNING && info.latest_frame_no == 5);
    CHECK(info.latest_width == 16 && info.session_id == v.session_id);
    CHECK(info.slot_capacity >= 64 * 48 * 4 && info.slot_capacity % 4096 == 0);
    CHECK(info.segment_size == 4096 + 2 * info.slot_capacity);

    frame_reader_close(r);
    frame_writer_destroy(w);
    CHECK_RC(frame_reader_open(name, &r), -ENOENT);
}

static void abort_keeps_previous(void)
{
    const char *name = test_name("abort");
    frame_writer *w = make_writer(name, 16, 16);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    publish(w, 16, 16, 1);
    publish(w, 16, 16, 2);
    struct frame_buffer b;
    /* Aborting twice lands on both slots' neighbours: the newest frame
     * must survive each abort untouched. */
    for (int i = 0; i < 2; i++) {
        CHECK_RC(frame_writer_begin(w, 16, 16, &b), 0);
        memset(b.pixels, 0xee, b.stride * 8);
        CHECK_RC(frame_writer_abort(w), 0);
        CHECK_RC(frame_writer_abort(w), -EINVAL);
        struct frame_view v;
        CHECK_RC(frame_reader_acquire(r, &v), 0);
        CHECK(v.frame_no == 2 && matches(v.pixels, v.stride, 16, 16, 2));
    }
    publish(w, 16, 16, 3);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.frame_no == 3 && matches(v.pixels, v.stride, 16, 16, 3));
    frame_reader_close(r);
    frame_writer_destroy(w);
}

static void copy_helper(void)
{
    const char *name = test_name("copy");
    frame_writer *w = make_writer(name, 40, 30);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    uint8_t dst[40 * 4 * 30 + 64];
    struct frame_view v;
    CHECK_RC(frame_reader_copy(r, dst, 160, sizeof(dst), &v), FRAME_ENOFRAME);
    publish(w, 40, 30, 5);
    CHECK_RC(frame_reader_copy(r, dst, 100, sizeof(dst), &v), -ENOSPC);
    CHECK_RC(frame_reader_copy(r, dst, 160, 160 * 29, &v), -ENOSPC);
    CHECK(v.width == 40 && v.height == 30);
    CHECK_RC(frame_reader_copy(r, dst, 160, 160 * 30, &v), 0);
    CHECK(matches(dst, 160, 40, 30, 5) && v.frame_no == 1);
    /* dst_stride 0: rows packed at the frame's own width. */
    memset(dst, 0, sizeof(dst));
    CHECK_RC(frame_reader_copy(r, dst, 0, 160 * 29, &v), -ENOSPC);
    CHECK_RC(frame_reader_copy(r, dst, 0, 160 * 30, &v), 0);
    CHECK(matches(dst, 160, 40, 30, 5));
    publish(w, 24, 10, 6);
    memset(dst, 0, sizeof(dst));
    CHECK_RC(frame_reader_copy(r, dst, 0, sizeof(dst), &v), 0);
    CHECK(v.width == 24 && v.height == 10 && matches(dst, 96, 24, 10, 6));
    static uint8_t padded[200 * 10];
    CHECK_RC(frame_reader_copy(r, padded, 200, sizeof(padded), &v), 0);
    CHECK(matches(padded, 200, 24, 10, 6));
    frame_reader_close(r);
    frame_writer_destroy(w);
}

static void modes_and_slots(void)
{
    const char *name = test_name("mode");
    struct frame_format fmt = {.max_width = 8,
                               .max_height = 8,
                               .slot_count = FRAME_MAX_SLOTS,
                               .mode = 0640};
    frame_writer *w;
    CHECK_RC(frame_writer_create(name, &fmt, &w, NULL), 0);
    char path[128];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             name);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    /* Slots are used in turn, so every one of the eight gets a frame. */
    unsigned used = 0;
    for (uint32_t i = 0; i < 2 * FRAME_MAX_SLOTS; i++) {
        publish(w, 8, 8, i);
        struct frame_view v;
        CHECK_RC(frame_reader_acquire(r, &v), 0);
        CHECK(matches(v.pixels, v.stride, 8, 8, i));
        used |= 1u << v.slot;
    }
    CHECK(used == (1u << FRAME_MAX_SLOTS) - 1);
    frame_reader_close(r);
    frame_writer_destroy(w);
    CHECK(stat(path, &st) != 0);
}

static void strerror_words(void)
{
    for (int e = FRAME_EBUSY; e <= FRAME_ENOTFRAME; e++) {
        const char *s = frame_strerror(e);
        CHECK(s && strcmp(s, "unknown error") != 0);
        for (int o = FRAME_EBUSY; o < e; o++)
            CHECK(strcmp(s, frame_strerror(o)) != 0);
    }
    CHECK(strcmp(frame_strerror(-ENOENT), "No such file or directory") == 0);
    CHECK(strcmp(frame_strerror(-99999), "unknown error") == 0);
    /* PROJECT_VERSION comes straight from CMake's project(VERSION). */
    CHECK(strcmp(frame_version_string(), PROJECT_VERSION) == 0);
    CHECK(strcmp(FRAME_VERSION_STRING, PROJECT_VERSION) == 0);
    CHECK(frame_buffer_size(1920, 1080) == 1920u * 1080 * 4);
    CHECK(frame_buffer_size(0, 5) == 0);
}

/* ---- header corruption, one field at a time -------------------------- */

/* A writer with one published frame, and a second read-write mapping of its
 * object through which the test plays the hostile peer. */
struct victim {
    const char *name;
    frame_writer *w;
    int fd;
    struct frame__header *h;
    size_t len;
};

/* The victim's one frame is of format, width x height with rows aligned
 * to align, in slots sized for that frame (pixel_format = format). */
static void victim_open_format(struct victim *v, const char *tag,
                               uint32_t format, uint32_t width, uint32_t height,
                               uint32_t align)
{
    v->name = test_name(tag);
    /* Two slots, as the corruptions below assume (slot numbers, sizes). */
    struct frame_format fmt = {.max_width = width,
                               .max_height = height,
                               .slot_count = 2,
                               .pixel_format = format};
    CHECK_RC(frame_writer_create(v->name, &fmt, &v->w, NULL), 0);
    struct frame_buffer b;
    CHECK_RC(frame_writer_begin_format(v->w, format, width, height, align, &b),
             0);
    CHECK_RC(frame_writer_commit(v->w, 0, 1), 0);
    char path[128];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", v->name);
    v->fd = shm_open(path, O_RDWR, 0);
    CHECK(v->fd >= 0);
    struct stat st;
    CHECK(fstat(v->fd, &st) == 0);
    v->len = (size_t)st.st_size;
    v->h = mmap(NULL, v->len, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    CHECK(v->h != MAP_FAILED);
}

/* An RGBA8 32x32 frame filled with pattern 1. */
static void victim_open(struct victim *v, const char *tag)
{
    victim_open_format(v, tag, FRAME_FORMAT_RGBA8, 32, 32, 1);
    publish(v->w, 32, 32, 1);
}

static void victim_close(struct victim *v)
{
    munmap(v->h, v->len);
    close(v->fd);
    frame_writer_destroy(v->w);
}

static int open_rc(const char *name)
{
    frame_reader *r = NULL;
    int rc = frame_reader_open(name, &r);
    frame_reader_close(r);
    return rc;
}

/* Apply a corruption, expect `want` from open, undo it, expect success. */
#define CORRUPT_FIXED(vic, field, value, want)                                 \
    do {                                                                       \
        __typeof__((vic)->h->fixed.field) saved_ = (vic)->h->fixed.field;      \
        (vic)->h->fixed.field = (value);                                       \
        CHECK_RC(open_rc((vic)->name), (want));                                \
        (vic)->h->fixed.field = saved_;                                        \
        CHECK_RC(open_rc((vic)->name), 0);                                     \
    } while (0)

static void corrupt_fixed_fields(void)
{
    struct victim v;
    victim_open(&v, "fixed");
    CHECK_RC(open_rc(v.name), 0);
    uint64_t cap = v.h->fixed.slot_capacity;

    CORRUPT_FIXED(&v, magic, UINT64_C(0x1122334455667788), FRAME_ENOTFRAME);
    CORRUPT_FIXED(&v, abi_version, 1, FRAME_EVERSION);
    CORRUPT_FIXED(&v, abi_version, 3, FRAME_EVERSION);
    CORRUPT_FIXED(&v, abi_version, 0, FRAME_EVERSION);
    CORRUPT_FIXED(&v, header_size, 8192, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, header_size, 0, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, format, 0, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, format, FRAME_FORMAT_MAX + 1, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, format, FRAME_FORMAT_RGBA16, FRAME_ELAYOUT); /* too big */
    CORRUPT_FIXED(&v, format, 0xffffffffu, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, format, FRAME_FORMAT_BGRA8, 0); /* same size */
    CORRUPT_FIXED(&v, slot_count, 0, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, slot_count, 1, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, slot_count, FRAME_MAX_SLOTS + 1, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, slot_count, 0xffffffffu, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, slot_count, 3,
                  FRAME_ELAYOUT); /* size no longer adds up */
    CORRUPT_FIXED(&v, slot_capacity, 0, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, slot_capacity, cap + 1, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, slot_capacity, UINT64_C(1) << 62, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, max_width, 0, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, max_width, FRAME_MAX_DIM + 1, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, max_height, 4096, FRAME_ELAYOUT); /* beyond a slot */
    CORRUPT_FIXED(&v, segment_size, v.h->fixed.segment_size - 4096,
                  FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, segment_size, UINT64_MAX, FRAME_ELAYOUT);

    /* Consistent with itself but larger than the object: truncated. */
    uint64_t seg = v.h->fixed.segment_size;
    v.h->fixed.slot_capacity = cap * 4;
    v.h->fixed.segment_size = 4096 + 2 * cap * 4;
    CHECK_RC(open_rc(v.name), FRAME_ETRUNCATED);
    v.h->fixed.slot_capacity = cap;
    v.h->fixed.segment_size = seg;
    CHECK_RC(open_rc(v.name), 0);
    victim_close(&v);
}

static int acquire_rc(const char *name)
{
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), 0);
    struct frame_view view;
    int rc = frame_reader_acquire(r, &view);
    if (rc == 0) {
        /* Read every plane of the view: with a bad descriptor this would
         * fault, or ASan would see it leave the mapping. */
        const struct frame_format_desc *d = frame_format_desc(view.format);
        CHECK(d && view.image.plane_count == d->plane_count);
        volatile uint32_t sum = 0;
        for (uint32_t p = 0; p < d->plane_count; p++) {
            uint32_t pw, ph, row;
            frame__plane_size(d, p, view.width, view.height, &pw, &ph, &row);
            for (uint32_t y = 0; y < ph; y++)
                for (uint32_t x = 0; x < row; x++)
                    sum += view.image
                               .plane[p][(size_t)y * view.image.stride[p] + x];
        }
        (void)sum;
    } else {
        /* A refused descriptor kills the handle for good. */
        struct frame_view again;
        int second = frame_reader_acquire(r, &again);
        CHECK(second == rc || second == FRAME_EDEAD);
    }
    frame_reader_close(r);
    return rc;
}

#define CORRUPT_LIVE(lvalue, value, want)                                      \
    do {                                                                       \
        __typeof__(lvalue) saved_ = (lvalue);                                  \
        (lvalue) = (value);                                                    \
        CHECK_RC(acquire_rc(v.name), (want));                                  \
        (lvalue) = saved_;                                                     \
        CHECK_RC(acquire_rc(v.name), 0);                                       \
    } while (0)

static void corrupt_frame_fields(void)
{
    struct victim v;
    victim_open(&v, "live");
    uint64_t latest = v.h->latest;
    uint32_t slot = latest & 0xff;
    struct frame__slot *s = &v.h->slot[slot];
    uint64_t cap = v.h->fixed.slot_capacity;
    CHECK_RC(acquire_rc(v.name), 0);

    CORRUPT_LIVE(v.h->latest, (latest & ~UINT64_C(0xff)) | 2, FRAME_EBADFRAME);
    CORRUPT_LIVE(v.h->latest, latest | 0xff, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->width, 0, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->height, 0, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->width, 33, FRAME_EBADFRAME); /* stride < width * 4 */
    CORRUPT_LIVE(s->width, 0x40000000u, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->height, (uint32_t)(cap / 128) + 1, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->height, 0xffffffffu, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[0], 0xfffffffcu, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[0], 64, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, 0, FRAME_EBADFRAME);
    /* A taller frame that still fits the slot is legitimate. */
    CORRUPT_LIVE(s->height, (uint32_t)(cap / 128), 0);
    /* latest names a frame no slot holds: torn on every try, not a hang. */
    CORRUPT_LIVE(v.h->latest, latest + 0x100, FRAME_EBUSY);
    /* A slot left odd forever (writer died mid-write of the newest slot). */
    CORRUPT_LIVE(s->seq, s->seq | 1, FRAME_EBUSY);
    victim_close(&v);
}

/* Formats with other planes than RGBA8's: every plane field refused on its
 * own when it overlaps another plane, overflows, leaves the slot, is
 * shorter than a row, misaligned or set for a plane the format lacks. */
static void corrupt_plane_fields(void)
{
    struct victim v;
    uint64_t cap;
    struct frame__slot *s;
#define VICTIM(tag, format, width, height, align)                              \
    do {                                                                       \
        victim_open_format(&v, tag, format, width, height, align);             \
        s = &v.h->slot[v.h->latest & 0xff];                                    \
        cap = v.h->fixed.slot_capacity;                                        \
        CHECK_RC(acquire_rc(v.name), 0);                                       \
    } while (0)

    /* I420 at 31x17: planes Y 31x17, U and V 16x9 (rounded up), tight. */
    VICTIM("i420", FRAME_FORMAT_I420, 31, 17, 1);
    CHECK(s->stride[0] == 31 && s->stride[1] == 16 && s->stride[2] == 16);
    CHECK(s->offset[0] == 0 && s->offset[1] == 527 && s->offset[2] == 671);
    CORRUPT_LIVE(s->offset[1], 0, FRAME_EBADFRAME);   /* U over Y */
    CORRUPT_LIVE(s->offset[1], 526, FRAME_EBADFRAME); /* Y's last byte */
    CORRUPT_LIVE(s->offset[2], 527, FRAME_EBADFRAME); /* V over U */
    CORRUPT_LIVE(s->offset[2], 670, FRAME_EBADFRAME); /* U's last byte */
    CORRUPT_LIVE(s->offset[0], 1, FRAME_EBADFRAME);   /* Y over U */
    CORRUPT_LIVE(s->offset[0], 671, FRAME_EBADFRAME); /* Y over V */
    /* V at the very end of the slot: 8 rows of 16 and a 16-byte row, which
     * is 9 chroma rows of 16 pixels, not 8 of 15 (odd sizes round up). */
    CORRUPT_LIVE(s->offset[2], (uint32_t)cap - 144, 0);
    CORRUPT_LIVE(s->offset[2], (uint32_t)cap - 143, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[1], (uint32_t)cap - 143, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[2], (uint32_t)cap, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[2], 0xffffffffu, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[1], 0xfffffff0u, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[1], 15, FRAME_EBADFRAME); /* 16 bytes a row */
    CORRUPT_LIVE(s->stride[2], 15, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[2], 0, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[0], 30, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[1], 17, FRAME_EBADFRAME); /* U now reaches V */
    CORRUPT_LIVE(s->stride[1], 0xffffffffu, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[2], 0x80000000u, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->height, 18, FRAME_EBADFRAME); /* Y reaches U */
    CORRUPT_LIVE(s->height, 0x80000000u, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->width, 32, FRAME_EBADFRAME); /* a Y row over stride */
    /* The same numbers read as other formats. */
    CORRUPT_LIVE(s->format, FRAME_FORMAT_NV12, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_GRAY8, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_MAX + 1, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, 0xffffffffu, FRAME_EBADFRAME);
    victim_close(&v);

    /* NV12 at 31x17: Y 31x17, then 16x9 pairs of U and V. */
    VICTIM("nv12", FRAME_FORMAT_NV12, 31, 17, 1);
    CHECK(s->stride[0] == 31 && s->stride[1] == 32 && s->stride[2] == 0);
    CHECK(s->offset[0] == 0 && s->offset[1] == 527 && s->offset[2] == 0);
    CORRUPT_LIVE(s->stride[1], 31, FRAME_EBADFRAME); /* half a pair short */
    CORRUPT_LIVE(s->stride[1], 16, FRAME_EBADFRAME); /* I420's U row */
    CORRUPT_LIVE(s->offset[1], 500, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[1], (uint32_t)cap - 288, 0);
    CORRUPT_LIVE(s->offset[1], (uint32_t)cap - 287, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[2], 16, FRAME_EBADFRAME); /* no third plane */
    CORRUPT_LIVE(s->offset[2], 815, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_I420, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->height, 18, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->height, 16, 0); /* shorter: still 8 chroma rows fit */
    victim_close(&v);

    /* GRAY16 at 31x17: 62-byte rows, samples 2-byte aligned. */
    VICTIM("g16", FRAME_FORMAT_GRAY16, 31, 17, 1);
    CHECK(s->stride[0] == 62 && s->offset[0] == 0);
    CORRUPT_LIVE(s->offset[0], 1, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[0], 2, 0);
    CORRUPT_LIVE(s->stride[0], 63, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[0], 61, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[0], 64, 0);
    CORRUPT_LIVE(s->offset[0], (uint32_t)cap - 62 * 17, 0);
    CORRUPT_LIVE(s->offset[0], (uint32_t)cap - 62 * 17 + 2, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[1], 2048, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[1], 2, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_RGBA16, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_GRAY8, 0); /* rows still fit */
    victim_close(&v);

    /* RGBA16 at 17x9 with rows padded to 64 bytes (136 -> 192). */
    VICTIM("rgba16", FRAME_FORMAT_RGBA16, 17, 9, 64);
    CHECK(s->stride[0] == 192 && s->offset[0] == 0);
    CORRUPT_LIVE(s->offset[0], 3, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[0], 191, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[0], 135, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[0], 136, 0);
    CORRUPT_LIVE(s->width, 24, 0);               /* 192 bytes: the stride */
    CORRUPT_LIVE(s->width, 25, FRAME_EBADFRAME); /* 200 */
    victim_close(&v);

    /* RGBA8: no plane but the first. */
    victim_open(&v, "rgba8");
    s = &v.h->slot[v.h->latest & 0xff];
    cap = v.h->fixed.slot_capacity;
    CHECK(cap == 4096);
    CORRUPT_LIVE(s->stride[1], 4, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[1], 4096, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->stride[2], 128, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[2], 1, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->offset[0], 4, FRAME_EBADFRAME); /* 4 bytes past */
    CORRUPT_LIVE(s->offset[0], 0x7fffffffu, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_RGBA16, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_I420, FRAME_EBADFRAME);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_BGRA8, 0);
    CORRUPT_LIVE(s->format, FRAME_FORMAT_GRAY8, 0); /* a quarter of a row */
    victim_close(&v);
#undef VICTIM
}

/* The fixed header's format is what the slots were sized for: any format
 * whose largest frame fits the capacity, no other. */
static void fixed_sizing_format(void)
{
    struct victim v;
    victim_open_format(&v, "sizing", FRAME_FORMAT_GRAY8, 32, 32, 1);
    CHECK(v.h->fixed.format == FRAME_FORMAT_GRAY8);
    CHECK(v.h->fixed.slot_capacity == 4096);
    struct frame_info info;
    CHECK_RC(frame_segment_info(v.name, &info), 0);
    CHECK(info.pixel_format == FRAME_FORMAT_GRAY8);
    CHECK(info.latest_format == FRAME_FORMAT_GRAY8);
    CORRUPT_FIXED(&v, format, FRAME_FORMAT_RGBA8, 0); /* 4096: fits */
    CORRUPT_FIXED(&v, format, FRAME_FORMAT_I420, 0);
    CORRUPT_FIXED(&v, format, FRAME_FORMAT_RGBA16, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, format, 0, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, format, FRAME_FORMAT_MAX + 1, FRAME_ELAYOUT);
    CORRUPT_FIXED(&v, max_width, 64, 0); /* 64x32 GRAY8 fits */
    CORRUPT_FIXED(&v, max_width, 129, FRAME_ELAYOUT);
    victim_close(&v);
}

/* A segment of the first layout (ABI 1) is refused, and the message names
 * its version and ours. */
static void old_abi_named(void)
{
    struct victim v;
    victim_open(&v, "abi");
    char buf[256];
    v.h->fixed.abi_version = 1;
    CHECK_RC(open_rc(v.name), FRAME_EVERSION);
    const char *msg =
        frame_segment_strerror(v.name, FRAME_EVERSION, buf, sizeof(buf));
    fprintf(stderr, "# %s\n", msg);
    CHECK(msg == buf);
    const char *words = frame_strerror(FRAME_EVERSION);
    CHECK(strncmp(buf, words, strlen(words)) == 0);
    CHECK(strstr(buf + strlen(words), "1") && strstr(buf + strlen(words), "2"));
    v.h->fixed.abi_version = 37;
    frame_segment_strerror(v.name, FRAME_EVERSION, buf, sizeof(buf));
    CHECK(strstr(buf, "37") && strstr(buf + strlen(words), "2"));
    /* A short buffer is cut, never overrun; no buffer at all gives the
     * plain words. */
    char small[12];
    memset(small, 'x', sizeof(small));
    CHECK(frame_segment_strerror(v.name, FRAME_EVERSION, small, 8) == small);
    CHECK(strlen(small) == 7 && small[8] == 'x');
    CHECK(frame_segment_strerror(v.name, FRAME_EVERSION, NULL, 0) == words);
    /* Other errors, or no object to ask: the plain words. */
    frame_segment_strerror(v.name, FRAME_ELAYOUT, buf, sizeof(buf));
    CHECK(strcmp(buf, frame_strerror(FRAME_ELAYOUT)) == 0);
    frame_segment_strerror("t-no-such-segment", FRAME_EVERSION, buf,
                           sizeof(buf));
    CHECK(strcmp(buf, words) == 0);
    v.h->fixed.abi_version = FRAME_SEGMENT_ABI;
    CHECK_RC(open_rc(v.name), 0);
    victim_close(&v);
}

/* Raw objects under our prefix that no libframe writer made. */
static int raw_object(const char *name, off_t size)
{
    char path[128];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", name);
    int fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, size) == 0);
    return fd;
}

static void small_and_foreign_objects(void)
{
    const char *name = test_name("raw");
    int fd = raw_object(name, 100);
    CHECK_RC(open_rc(name), FRAME_ETRUNCATED);
    CHECK(ftruncate(fd, 0) == 0);
    CHECK_RC(open_rc(name), FRAME_ETRUNCATED);
    /* Sized, but no header: not ours, even while someone holds it. */
    CHECK_RC(frame__lock_take(fd), 0);
    CHECK(ftruncate(fd, 1 << 20) == 0);
    CHECK_RC(open_rc(name), FRAME_ENOTFRAME);
    /* Nor does a new writer replace it while that holder lives. */
    frame_writer *held;
    struct frame_format small = {.max_width = 8, .max_height = 8};
    CHECK_RC(frame_writer_create(name, &small, &held, NULL), FRAME_EALIVE);
    close(fd); /* the holder dies */

    /* Garbage with no live writer is replaced by a new writer, who says so. */
    frame_writer *w;
    bool replaced = false;
    struct frame_format fmt = {.max_width = 8, .max_height = 8};
    CHECK_RC(frame_writer_create(name, &fmt, &w, &replaced), 0);
    CHECK(replaced);
    CHECK_RC(open_rc(name), 0);
    frame_writer_destroy(w);
    test_unlink(name);
}

static void other_owner(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "skipped: changing a segment's owner needs root\n");
        exit(SKIP);
    }
    const char *name = test_name("owner");
    frame_writer *w = make_writer(name, 8, 8);
    char path[128];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", name);
    int fd = shm_open(path, O_RDWR, 0);
    CHECK(fd >= 0 && fchown(fd, 65534, 65534) == 0);
    CHECK_RC(open_rc(name), FRAME_EOWNER);
    /* Nor does a new writer remove another user's object. */
    close(fd);
    frame_writer_destroy(w); /* unlinks: the name is still its object */
    fd = raw_object(name, 4096);
    CHECK(fchown(fd, 65534, 65534) == 0);
    struct frame_format fmt = {.max_width = 8, .max_height = 8};
    CHECK_RC(frame_writer_create(name, &fmt, &w, NULL), FRAME_EOWNER);
    close(fd);
    test_unlink(name);
}

/* In a private mount namespace with a 1 MiB /dev/shm. */
static void no_space_child(void *unused)
{
    (void)unused;
    if (!private_dev_shm("1m"))
        _exit(SKIP);
    struct frame_format fmt = {.max_width = 1920, .max_height = 1080};
    frame_writer *w;
    int rc = frame_writer_create("nospace", &fmt, &w, NULL);
    struct stat st;
    bool left = stat(FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "nospace", &st) == 0;
    _exit(rc == -ENOSPC && !left ? 0 : 1);
}

static void no_space(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "skipped: mounting a small /dev/shm needs root\n");
        exit(SKIP);
    }
    run_in_child(no_space_child, NULL, "no_space child", NULL);
}

static void remove_stale(void)
{
    const char *name = test_name("stale");
    char path[128];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             name);
    struct stat st;
    CHECK_RC(frame_segment_remove_stale(name), -ENOENT);
    CHECK_RC(frame_segment_remove_stale("../x"), -EINVAL);

    /* A live writer's segment stays. */
    frame_writer *w = make_writer(name, 8, 8);
    CHECK_RC(frame_segment_remove_stale(name), FRAME_EALIVE);
    frame_writer_destroy(w);

    /* A writer killed before it could close: removed. */
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork_child();
    if (pid == 0) {
        frame_writer *cw = make_writer(name, 8, 8);
        publish(cw, 8, 8, 1);
        CHECK(write(ready[1], "x", 1) == 1);
        pause();
        _exit(0);
    }
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    close(ready[1]);
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), 0);
    CHECK(info.writer_alive && info.writer_pid == pid);
    CHECK(info.latest_frame_no == 1 && info.latest_timestamp_ns > 0);
    kill_child(pid, NO_LIMIT, "writer", NULL);
    CHECK_RC(frame_segment_info(name, &info), 0);
    CHECK(!info.writer_alive);
    CHECK_RC(frame_segment_remove_stale(name), 0);
    CHECK(stat(path, &st) != 0 && errno == ENOENT);

    /* Something that is not a libframe segment is not ours to remove. */
    int fd = raw_object(name, 8192);
    CHECK_RC(frame_segment_remove_stale(name), FRAME_ENOTFRAME);
    CHECK(stat(path, &st) == 0);
    close(fd);
    test_unlink(name);
}

/* Anyone can put a FIFO or a directory in /dev/shm under a segment's name:
 * it must not hang us, it is no segment, and it is not ours to remove (a
 * directory used to give "Invalid argument", glibc's word for EISDIR). */
static void not_a_file_at_name(const char *tag, bool dir)
{
    const char *name = test_name(tag);
    char path[128];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             name);
    CHECK((dir ? mkdir(path, 0700) : mkfifo(path, 0600)) == 0);
    CHECK_RC(open_rc(name), FRAME_ENOTFRAME);
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), FRAME_ENOTFRAME);
    CHECK_RC(frame_segment_remove_stale(name), FRAME_ENOTFRAME);
    frame_writer *w;
    struct frame_format fmt = {.max_width = 8, .max_height = 8};
    CHECK_RC(frame_writer_create(name, &fmt, &w, NULL), FRAME_ENOTFRAME);
    struct stat st;
    CHECK(stat(path, &st) == 0); /* left alone */
    CHECK(dir ? S_ISDIR(st.st_mode) : S_ISFIFO(st.st_mode));
    CHECK((dir ? rmdir(path) : unlink(path)) == 0);
}

static void fifo_at_name(void) { not_a_file_at_name("fifo", false); }
static void directory_at_name(void) { not_a_file_at_name("dir", true); }

/* /dev/shm/libframe.NAME~PID holding bytes (NULL: an empty object), last
 * modified age_s seconds ago. Returns the open descriptor. */
static int make_leftover(const char *name, pid_t pid, const void *bytes,
                         size_t len, int age_s)
{
    char path[160];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s~%d",
             name, (int)pid);
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    CHECK(fd >= 0);
    CHECK(!bytes || write(fd, bytes, len) == (ssize_t)len);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= age_s;
    t[1] = t[0];
    CHECK(futimens(fd, t) == 0);
    return fd;
}

static bool leftover_exists(const char *name, pid_t pid)
{
    char path[160];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s~%d",
             name, (int)pid);
    return access(path, F_OK) == 0;
}

static void leftover_remove(const char *name, pid_t pid)
{
    char path[160];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s~%d",
             name, (int)pid);
    unlink(path);
}

static int leftover_judge(const char *name, pid_t pid, bool remove)
{
    char which[FRAME_NAME_MAX + 16];
    snprintf(which, sizeof(which), "%s~%d", name, (int)pid);
    return frame_leftover_stale(which, remove);
}

/* NAME~PID objects of older writers that died building them: gone when
 * unlocked and untouched for a minute, whatever their pid says (it may be
 * another pid namespace's); writers never remove them themselves. */
static void leftovers_swept(void)
{
    const char *name = test_name("left");
    static uint8_t zero_page[4096];
    /* Pids that exist here prove nothing: ours, and pid 1. */
    pid_t me = getpid();
    int fds[6];
    fds[0] = make_leftover(name, me, NULL, 0, 120);        /* before sizing */
    fds[1] = make_leftover(name, 1, zero_page, 4096, 120); /* before header */
    fds[2] = make_leftover(name, 2, "not ours", 8, 120);   /* foreign */
    fds[3] = make_leftover(name, 3, NULL, 0, 0);           /* being built */
    fds[4] = make_leftover(name, 4, NULL, 0, 120);         /* locked */
    CHECK_RC(frame__lock_take(fds[4]), 0);
    for (int i = 0; i < 5; i++)
        if (i != 4)
            close(fds[i]);

    CHECK_RC(leftover_judge(name, me, false), 1);
    CHECK(leftover_exists(name, me)); /* only judged */
    CHECK_RC(leftover_judge(name, 3, true), 0);
    CHECK_RC(leftover_judge(name, 4, true), 0);
    CHECK_RC(leftover_judge(name, 2, true), FRAME_ENOTFRAME);
    CHECK_RC(frame_leftover_stale(name, false), -EINVAL);
    CHECK_RC(frame_leftover_stale("a~b", false), -EINVAL);
    CHECK_RC(frame_leftover_stale("../x~12", false), -EINVAL);

    /* A writer starting on NAME leaves every one of them alone... */
    frame_writer *w = make_writer(name, 16, 16);
    frame_writer_destroy(w);
    CHECK(leftover_exists(name, me) && leftover_exists(name, 1));
    /* ... and framectl's judge removes exactly the gone ones. */
    CHECK_RC(leftover_judge(name, me, true), 1);
    CHECK_RC(leftover_judge(name, 1, true), 1);
    CHECK(!leftover_exists(name, me) && !leftover_exists(name, 1));
    for (pid_t p = 2; p <= 4; p++)
        CHECK(leftover_exists(name, p));
    close(fds[4]);
    for (pid_t p = 2; p <= 4; p++)
        leftover_remove(name, p);
}

/* What frame_objects_list() says of each kind of object, and the path of
 * a segment. */
static void objects_listed(void)
{
    const char *name = test_name("objs");
    char seg[FRAME_NAME_MAX + 1], path[160], fifo[176], odd[176], left[176];
    snprintf(seg, sizeof(seg), "%s", name);
    CHECK_RC(frame_segment_path(seg, path, sizeof(path)), 0);
    CHECK(strcmp(path, FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX) > 0 &&
          strstr(path, seg) && !strchr(path + strlen(FRAME_SHM_DIR) + 1, '/'));
    CHECK_RC(frame_segment_path(seg, path, 10), -ENOSPC);
    CHECK_RC(frame_segment_path("a/b", path, sizeof(path)), -EINVAL);
    CHECK_RC(frame_segment_path(seg, path, sizeof(path)), 0);

    frame_writer *w = make_writer(seg, 16, 16);
    snprintf(fifo, sizeof(fifo), "%s-fifo", path);
    snprintf(odd, sizeof(odd), "%s x\n", path);
    snprintf(left, sizeof(left), "%s~77", path);
    CHECK(mkfifo(fifo, 0600) == 0);
    int fd = open(odd, O_CREAT | O_EXCL | O_WRONLY, 0600);
    CHECK(fd >= 0);
    close(fd);
    fd = open(left, O_CREAT | O_EXCL | O_WRONLY, 0600);
    CHECK(fd >= 0);
    close(fd);

    struct frame_object *objs;
    size_t n;
    CHECK_RC(frame_objects_list(&objs, &n), 0);
    int seen = 0;
    const char *prev = "";
    for (size_t i = 0; i < n; i++) {
        const struct frame_object *o = &objs[i];
        CHECK(strcmp(prev, o->entry) < 0); /* sorted */
        prev = o->entry;
        if (strncmp(o->entry, seg, strlen(seg)) != 0)
            continue;
        const char *rest = o->entry + strlen(seg);
        if (!*rest) {
            CHECK(o->kind == FRAME_OBJECT_SEGMENT && o->status == 0 &&
                  strcmp(o->name, seg) == 0);
            seen |= 1;
        } else if (strcmp(rest, "-fifo") == 0) {
            /* A valid name, but never to be opened. */
            CHECK(o->kind == FRAME_OBJECT_SEGMENT &&
                  o->status == FRAME_ENOTFRAME);
            seen |= 2;
        } else if (strcmp(rest, " x\n") == 0) {
            CHECK(o->kind == FRAME_OBJECT_FOREIGN && o->status == 0);
            seen |= 4;
        } else if (strcmp(rest, "~77") == 0) {
            CHECK(o->kind == FRAME_OBJECT_LEFTOVER && o->pid == 77 &&
                  strcmp(o->name, seg) == 0 && o->status == 0);
            seen |= 8;
        }
    }
    CHECK(seen == 15);
    free(objs);
    frame_writer_destroy(w);
    CHECK(unlink(fifo) == 0 && unlink(odd) == 0 && unlink(left) == 0);
}

/* Peak resident memory of this process, from /proc/self/status. */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    CHECK(f != NULL);
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    fclose(f);
    CHECK(kib > 0);
    return kib;
}

/* Looking at a segment's header (framectl list/info) must not map and
 * fault in its slots: 8 slots of 1080p are 66 MB (of 4K, 265 MB). */
static void info_maps_header_only(void)
{
    const char *name = test_name("hdr");
    struct frame_format fmt = {
        .max_width = 1920, .max_height = 1080, .slot_count = 8};
    frame_writer *w = NULL;
    CHECK_RC(frame_writer_create(name, &fmt, &w, NULL), 0);
    publish(w, 64, 48, 7);
    long before = peak_rss_kib();
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), 0);
    long grown = peak_rss_kib() - before;
    CHECK(info.writer_alive && info.latest_frame_no == 1 &&
          info.latest_width == 64 && info.slot_count == 8);
    CHECK(info.segment_size > 60u << 20);
    printf("# frame_segment_info raised the peak RSS by %ld KiB\n", grown);
    CHECK(grown < 8 * 1024);
    /* A reader still maps (and pre-faults) all of it. */
    frame_reader *r = NULL;
    CHECK_RC(frame_reader_open(name, &r), 0);
    CHECK(peak_rss_kib() - before > 60 * 1024);
    frame_reader_close(r);
    frame_writer_destroy(w);
}

TEST_MAIN(CASE(names), CASE(bad_formats), CASE(round_trip),
          CASE(abort_keeps_previous), CASE(copy_helper), CASE(modes_and_slots),
          CASE(strerror_words), CASE(corrupt_fixed_fields),
          CASE(corrupt_frame_fields), CASE(corrupt_plane_fields),
          CASE(fixed_sizing_format), CASE(old_abi_named),
          CASE(small_and_foreign_objects), CASE(other_owner), CASE(no_space),
          CASE(remove_stale), CASE(fifo_at_name), CASE(directory_at_name),
          CASE(info_maps_header_only), CASE(leftovers_swept),
          CASE(objects_listed))
