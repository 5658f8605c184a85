/* Fuzz target: arbitrary bytes as a segment, through every reader call. */
#include <libframe/frame.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Offsets of the fixed header (docs/design.md, "Header"). */
#define OFF_SLOT_COUNT 16
#define OFF_FORMAT 20
#define OFF_SLOT_CAPACITY 24
#define OFF_MAX_WIDTH 32
#define OFF_MAX_HEIGHT 36
#define OFF_SESSION_ID 40
#define OFF_WRITER_PID 48
#define OFF_SEGMENT_SIZE 64
#define HEADER_SIZE 4096
/* A slot's descriptor, at 384 + 128 * slot (libframe/src/frame_internal.h). */
#define OFF_SLOTS 384
#define SLOT_DESC_SIZE 128
#define OFF_DESC_FORMAT 24
#define OFF_DESC_STRIDE 48
#define OFF_DESC_OFFSET 64

/* A broken promise of the library: stop here, so the fuzzer keeps it. */
#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_header: %s:%d: %s\n", __FILE__, __LINE__,    \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

static uint64_t le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* The lowest free descriptor: it moves up if a call leaks one. */
static int lowest_free_fd(void)
{
    int fd = dup(0);
    if (fd >= 0)
        close(fd);
    return fd;
}

static void write_object(const char *path, const uint8_t *data, size_t size)
{
    int fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
        shm_unlink(path); /* left by a run that crashed */
        fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    }
    REQUIRE(fd >= 0);
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        REQUIRE(n > 0);
        done += (size_t)n;
    }
    close(fd);
}

/* Plane p's rows: their count and the bytes of each, by the table. */
static void plane_rows(const struct frame_image *m, uint32_t p, uint32_t *rows,
                       size_t *row)
{
    const struct frame_format_desc *d = frame_format_desc(m->format);
    uint32_t xs = d->plane[p].x_shift, ys = d->plane[p].y_shift;
    *rows = (m->height + (1u << ys) - 1) >> ys;
    *row = (size_t)((m->width + (1u << xs) - 1) >> xs) * d->plane[p].samples *
           d->bytes_per_sample;
}

/* The frame as the object's bytes describe it: its descriptor read from
 * the input, its planes pointing into the input. */
static void frame_in_data(const uint8_t *data, uint32_t slot, uint64_t capacity,
                          const struct frame_view *v, struct frame_image *out)
{
    const uint8_t *desc = data + OFF_SLOTS + slot * SLOT_DESC_SIZE;
    const uint8_t *base = data + HEADER_SIZE + slot * capacity;
    memset(out, 0, sizeof(*out));
    out->format = (uint32_t)le(desc + OFF_DESC_FORMAT, 4);
    out->width = v->width;
    out->height = v->height;
    const struct frame_format_desc *d = frame_format_desc(out->format);
    REQUIRE(d && out->format == v->format);
    out->plane_count = d->plane_count;
    for (uint32_t p = 0; p < FRAME_MAX_PLANES; p++) {
        uint32_t stride = (uint32_t)le(desc + OFF_DESC_STRIDE + 4 * p, 4);
        uint32_t offset = (uint32_t)le(desc + OFF_DESC_OFFSET + 4 * p, 4);
        if (p >= d->plane_count) {
            /* Accepted: the unused planes' fields are zero. */
            REQUIRE(stride == 0 && offset == 0);
            continue;
        }
        uint32_t rows;
        size_t row;
        plane_rows(out, p, &rows, &row);
        /* Accepted: a whole row fits the stride, the plane the slot. */
        REQUIRE(stride >= row && offset % d->bytes_per_sample == 0 &&
                stride % d->bytes_per_sample == 0);
        REQUIRE((uint64_t)offset + (uint64_t)stride * (rows - 1) + row <=
                capacity);
        out->plane[p] = (uint8_t *)base + offset;
        out->stride[p] = stride;
    }
    /* ... and no two planes share a byte. */
    for (uint32_t p = 0; p < d->plane_count; p++)
        for (uint32_t q = 0; q < p; q++) {
            uint32_t rp, rq;
            size_t wp, wq;
            plane_rows(out, p, &rp, &wp);
            plane_rows(out, q, &rq, &wq);
            const uint8_t *ep = out->plane[p] + out->stride[p] * (rp - 1) + wp;
            const uint8_t *eq = out->plane[q] + out->stride[q] * (rq - 1) + wq;
            REQUIRE(ep <= out->plane[q] || eq <= out->plane[p]);
        }
}

/* Whether two images of the same format and size hold the same samples. */
static void require_same(const struct frame_image *a,
                         const struct frame_image *b)
{
    REQUIRE(a->format == b->format && a->plane_count == b->plane_count);
    for (uint32_t p = 0; p < a->plane_count; p++) {
        uint32_t rows;
        size_t row;
        plane_rows(a, p, &rows, &row);
        for (uint32_t y = 0; y < rows; y++)
            REQUIRE(memcmp(a->plane[p] + (size_t)y * a->stride[p],
                           b->plane[p] + (size_t)y * b->stride[p], row) == 0);
    }
}

/* Copies of the frame: in its own format (byte for byte the input's) and
 * converted to every format (what frame_convert() makes of the input's
 * bytes), at exact sizes so the sanitizer sees any byte written past them;
 * one byte short is refused. And the 0.1 copy, RGBA8 at a padded stride. */
static void copy_frame(frame_reader *r, const struct frame_view *v,
                       const struct frame_image *src)
{
    for (uint32_t f = 0; f <= FRAME_FORMAT_MAX; f++) {
        uint32_t format = f ? f : v->format, align = f % 2 ? 64 : 1;
        struct frame_image want, got;
        size_t size =
            frame_image_layout(NULL, format, v->width, v->height, align, NULL);
        REQUIRE(size > 0);
        uint8_t *dst = malloc(size), *ref = malloc(size);
        REQUIRE(dst && ref);
        frame_image_layout(&got, format, v->width, v->height, align, dst);
        frame_image_layout(&want, format, v->width, v->height, align, ref);
        struct frame_view cv;
        REQUIRE(frame_reader_copy_format(r, f, dst, size, align, &cv) == 0);
        REQUIRE(cv.frame_no == v->frame_no && cv.slot == v->slot &&
                cv.width == v->width && cv.height == v->height &&
                cv.format == v->format && cv.pixels == NULL);
        int rc = frame_convert(&want, src);
        REQUIRE(rc == 0 || rc == -ENOMEM);
        if (rc == 0)
            require_same(&got, &want);
        if (format == v->format)
            require_same(&got, src);
        REQUIRE(frame_reader_copy_format(r, f, dst, size - 1, align, &cv) ==
                -ENOSPC);
        REQUIRE(cv.width == v->width && cv.height == v->height);
        free(dst);
        free(ref);
    }

    size_t row = (size_t)v->width * 4, stride = row + 3;
    size_t size = (v->height - 1) * stride + row;
    uint8_t *dst = malloc(size);
    REQUIRE(dst);
    struct frame_view got;
    REQUIRE(frame_reader_copy(r, dst, stride, size, &got) == 0);
    REQUIRE(got.frame_no == v->frame_no && got.slot == v->slot &&
            got.width == v->width && got.height == v->height);
    if (v->format == FRAME_FORMAT_RGBA8) {
        struct frame_image mine = *src;
        mine.plane[0] = dst;
        mine.stride[0] = (uint32_t)stride;
        require_same(&mine, src);
    }
    REQUIRE(frame_reader_copy(r, dst, stride, size - 1, &got) == -ENOSPC);
    free(dst);
}

static void exercise(frame_reader *r, const uint8_t *data, size_t size)
{
    struct frame_info info;
    REQUIRE(frame_reader_info(r, &info) == 0);
    /* What validated is what the bytes say, and it fits the object. */
    REQUIRE(info.slot_count == le(data + OFF_SLOT_COUNT, 4));
    REQUIRE(info.pixel_format == le(data + OFF_FORMAT, 4));
    /* The largest frame of the sizing format fits a slot. */
    REQUIRE(frame_format_desc(info.pixel_format));
    size_t largest = frame_image_layout(NULL, info.pixel_format, info.max_width,
                                        info.max_height, 1, NULL);
    REQUIRE(largest > 0 && largest <= info.slot_capacity);
    REQUIRE(info.slot_capacity == le(data + OFF_SLOT_CAPACITY, 8));
    REQUIRE(info.max_width == le(data + OFF_MAX_WIDTH, 4));
    REQUIRE(info.max_height == le(data + OFF_MAX_HEIGHT, 4));
    REQUIRE(info.session_id == le(data + OFF_SESSION_ID, 8));
    REQUIRE((uint32_t)info.writer_pid == le(data + OFF_WRITER_PID, 4));
    REQUIRE(info.segment_size == le(data + OFF_SEGMENT_SIZE, 8));
    REQUIRE(info.slot_count >= 2 && info.slot_count <= FRAME_MAX_SLOTS);
    REQUIRE(info.segment_size ==
            HEADER_SIZE + info.slot_count * info.slot_capacity);
    REQUIRE(info.segment_size <= size);
    REQUIRE(!info.writer_alive); /* nobody holds the lock */

    struct frame_view v;
    int rc = frame_reader_acquire(r, &v);
    if (rc == 0) {
        REQUIRE(v.width >= 1 && v.height >= 1 && v.slot < info.slot_count);
        REQUIRE(v.width <= FRAME_MAX_DIM && v.height <= FRAME_MAX_DIM);
        /* The view is the descriptor's planes in the slot, read in place:
         * every byte of every plane equals the input's. */
        struct frame_image src;
        frame_in_data(data, v.slot, info.slot_capacity, &v, &src);
        REQUIRE(v.image.format == v.format && v.image.width == v.width &&
                v.image.height == v.height &&
                v.image.plane_count == src.plane_count);
        REQUIRE(v.pixels == v.image.plane[0] && v.stride == v.image.stride[0]);
        for (uint32_t p = 0; p < FRAME_MAX_PLANES; p++) {
            REQUIRE(v.image.stride[p] == src.stride[p]);
            REQUIRE((v.image.plane[p] == NULL) == (src.plane[p] == NULL));
            if (p > 0 && src.plane[p])
                REQUIRE(v.image.plane[p] - v.image.plane[0] ==
                        src.plane[p] - src.plane[0]);
        }
        require_same(&v.image, &src);
        /* Nobody writes: the frame cannot have changed. */
        REQUIRE(frame_reader_still_valid(r, &v));
        copy_frame(r, &v, &src);
    } else if (rc == FRAME_EBADFRAME || rc == FRAME_EBUSY) {
        /* A frame that cannot be read leaves the handle usable, BROKEN,
         * and failing the same way while the header stays as it is. */
        int why;
        REQUIRE(frame_reader_state(r, &why) == FRAME_READER_BROKEN);
        REQUIRE(why == FRAME_EBADFRAME);
        REQUIRE(frame_reader_acquire(r, &v) == rc);
        REQUIRE(frame_reader_info(r, &info) == 0);
        uint8_t b[4];
        REQUIRE(frame_reader_copy(r, b, 4, 4, &v) == rc);
        /* Said once; that header is never reported as a new frame. */
        REQUIRE(frame_reader_wait(r, 0) == FRAME_EBADFRAME);
        for (int i = 0; i < 3; i++) {
            int w = frame_reader_wait(r, 0);
            REQUIRE(w == FRAME_ELOST || w == FRAME_ECLOSED || w == -ETIMEDOUT);
        }
    } else {
        REQUIRE(rc == FRAME_ENOFRAME);
    }
    /* No writer holds the lock: a wait sees the loss or the close, or a
     * frame not yet acquired, at once. */
    rc = frame_reader_wait(r, 0);
    REQUIRE(rc == 0 || rc == FRAME_ELOST || rc == FRAME_ECLOSED ||
            rc == -ETIMEDOUT);
    struct frame_stats st;
    frame_reader_stats(r, &st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char name[FRAME_NAME_MAX + 1], path[FRAME_NAME_MAX + 16];
    if (!name[0]) {
        snprintf(name, sizeof(name), "fuzz-%d", (int)getpid());
        snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", name);
    }
    int free_fd = lowest_free_fd();
    write_object(path, data, size);
    frame_reader *r = NULL;
    int rc = frame_reader_open(name, &r);
    /* The reader holds its own descriptor; without the name nothing is left
     * in /dev/shm should a check below abort. */
    shm_unlink(path);
    if (rc == 0) {
        exercise(r, data, size);
        frame_reader_close(r);
    } else {
        /* -EMFILE would mean the guard table leaks entries; -ENOTSUP that
         * the SIGBUS guard could not be installed. */
        REQUIRE(rc == FRAME_ENOTFRAME || rc == FRAME_EVERSION ||
                rc == FRAME_ELAYOUT || rc == FRAME_ETRUNCATED);
    }
    REQUIRE(lowest_free_fd() == free_fd);
    return 0;
}
