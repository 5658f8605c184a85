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
#define OFF_SLOT_CAPACITY 24
#define OFF_MAX_WIDTH 32
#define OFF_MAX_HEIGHT 36
#define OFF_SESSION_ID 40
#define OFF_WRITER_PID 48
#define OFF_SEGMENT_SIZE 64
#define HEADER_SIZE 4096

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

/* The view's pixels are the object's bytes at the slot's place: read every
 * byte through the view and compare with the input. */
static void check_pixels(const uint8_t *pixels, size_t stride,
                         const struct frame_view *v, const uint8_t *data,
                         uint64_t capacity)
{
    const uint8_t *slot = data + HEADER_SIZE + v->slot * capacity;
    for (uint32_t y = 0; y < v->height; y++)
        REQUIRE(memcmp(pixels + y * stride, slot + (size_t)y * v->stride,
                       (size_t)v->width * 4) == 0);
}

static void copy_frame(frame_reader *r, const struct frame_view *v,
                       const uint8_t *data, uint64_t capacity)
{
    size_t row = (size_t)v->width * 4;
    /* Exact sizes: the sanitizer sees any byte written past them. */
    size_t strides[2] = {row, row + 3};
    for (int i = 0; i < 2; i++) {
        size_t size = (v->height - 1) * strides[i] + row;
        uint8_t *dst = malloc(size);
        REQUIRE(dst);
        struct frame_view got;
        REQUIRE(frame_reader_copy(r, dst, strides[i], size, &got) == 0);
        REQUIRE(got.frame_no == v->frame_no && got.slot == v->slot &&
                got.width == v->width && got.height == v->height);
        check_pixels(dst, strides[i], &got, data, capacity);
        /* One byte short: refused, nothing written past the end. */
        REQUIRE(frame_reader_copy(r, dst, strides[i], size - 1, &got) ==
                -ENOSPC);
        free(dst);
    }
}

static void exercise(frame_reader *r, const uint8_t *data, size_t size)
{
    struct frame_info info;
    REQUIRE(frame_reader_info(r, &info) == 0);
    /* What validated is what the bytes say, and it fits the object. */
    REQUIRE(info.slot_count == le(data + OFF_SLOT_COUNT, 4));
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
        REQUIRE(v.stride >= (uint64_t)v.width * 4);
        REQUIRE((uint64_t)v.stride * v.height <= info.slot_capacity);
        REQUIRE(v.format == FRAME_FORMAT_RGBA8);
        check_pixels(v.pixels, v.stride, &v, data, info.slot_capacity);
        /* Nobody writes: the frame cannot have changed. */
        REQUIRE(frame_reader_still_valid(r, &v));
        copy_frame(r, &v, data, info.slot_capacity);
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
