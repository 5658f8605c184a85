/* Fuzz target: the producer's PNG decode, straight into a slot-sized buffer. */
#include "png_load.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Like the slot of a segment made for 1024x1024 frames. */
#define SLOT_W 1024
#define SLOT_H 1024
#define SLOT_BYTES ((size_t)SLOT_W * SLOT_H * 4)
#define CANARY 0xa5
/* How far past the image a stray write is looked for; the guard page after
 * the slot catches any write past the slot itself. */
#define CANARY_SPAN 65536

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_png: %s:%d: %s\n", __FILE__, __LINE__,       \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

struct target {
    uint8_t *slot;
    int calls;
    uint32_t width, height;
};

/* The producer's into_slot(): frame_writer_begin() refuses (-EFBIG) what
 * does not fit the slot, else the slot's first byte and a tight stride. */
static int into_slot(void *ctx, uint32_t width, uint32_t height,
                     uint8_t **pixels, size_t *stride, char *err, size_t errlen)
{
    struct target *t = ctx;
    REQUIRE(++t->calls == 1); /* asked once per image */
    REQUIRE(width >= 1 && height >= 1);
    REQUIRE(width <= PNG_LOAD_MAX_DIM && height <= PNG_LOAD_MAX_DIM);
    if ((uint64_t)width * height * 4 > SLOT_BYTES) {
        snprintf(err, errlen, "image %ux%u does not fit the segment", width,
                 height);
        return -EFBIG;
    }
    t->width = width;
    t->height = height;
    *pixels = t->slot;
    *stride = (size_t)width * 4;
    return 0;
}

static int lowest_free_fd(void)
{
    int fd = dup(0);
    if (fd >= 0)
        close(fd);
    return fd;
}

struct state {
    struct png_loader *loader;
    uint8_t *slot;
    int memfd;
    char path[64];
};

static struct state *setup(void)
{
    static struct state s;
    if (s.loader)
        return &s;
    long page = sysconf(_SC_PAGESIZE);
    /* The slot, then one page nobody may touch. */
    uint8_t *map = mmap(NULL, SLOT_BYTES + (size_t)page, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(map != MAP_FAILED);
    REQUIRE(mprotect(map + SLOT_BYTES, (size_t)page, PROT_NONE) == 0);
    memset(map, CANARY, SLOT_BYTES);
    s.slot = map;
    /* png_load() takes a path: a memory file's /proc name costs no disk. */
    s.memfd = memfd_create("fuzz_png", MFD_CLOEXEC);
    REQUIRE(s.memfd >= 0);
    snprintf(s.path, sizeof(s.path), "/proc/self/fd/%d", s.memfd);
    REQUIRE(png_loader_new(SLOT_H, &s.loader) == 0);
    return &s;
}

#ifdef FRAME_LIBFUZZER
#include <zlib.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Give every chunk its right CRC again. */
static void fix_crcs(uint8_t *d, size_t size)
{
    for (size_t off = 8; off + 12 <= size;) {
        uint32_t len = be32(d + off);
        if (len > size - off - 12)
            break;
        uint32_t crc = (uint32_t)crc32(0, d + off + 4, len + 4);
        uint8_t *c = d + off + 8 + len;
        c[0] = (uint8_t)(crc >> 24);
        c[1] = (uint8_t)(crc >> 16);
        c[2] = (uint8_t)(crc >> 8);
        c[3] = (uint8_t)crc;
        off += 12 + (size_t)len;
    }
}

/*
 * libpng is not instrumented, so coverage cannot lead the fuzzer past its
 * CRC check, where nearly every blind mutation of a critical chunk ends.
 * Most mutants therefore get their CRCs fixed; some keep them wrong.
 */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed)
{
    size = LLVMFuzzerMutate(data, size, max_size);
    if (seed % 8 != 0)
        fix_crcs(data, size);
    return size;
}
#endif

/* Edges of our own for what happened inside uninstrumented libpng, so an
 * input that gets a new error, or a new size class, is kept. */
#define OUTCOME(n)                                                             \
    static __attribute__((noinline)) void outcome##n(void) { sink += n; }
static volatile unsigned sink;
OUTCOME(0)
OUTCOME(1) OUTCOME(2) OUTCOME(3) OUTCOME(4) OUTCOME(5) OUTCOME(6) OUTCOME(7)
    OUTCOME(8) OUTCOME(9) OUTCOME(10) OUTCOME(11) OUTCOME(12) OUTCOME(13)
        OUTCOME(14) OUTCOME(15)

            static void note_outcome(int rc, const char *err, uint32_t w,
                                     uint32_t h)
{
    uint32_t hash = 2166136261u;
    for (const char *c = rc ? err : ""; *c; c++)
        hash = (hash ^ (uint8_t)*c) * 16777619u;
    switch (hash % 16) {
    case 0:
        outcome0();
        break;
    case 1:
        outcome1();
        break;
    case 2:
        outcome2();
        break;
    case 3:
        outcome3();
        break;
    case 4:
        outcome4();
        break;
    case 5:
        outcome5();
        break;
    case 6:
        outcome6();
        break;
    case 7:
        outcome7();
        break;
    case 8:
        outcome8();
        break;
    case 9:
        outcome9();
        break;
    case 10:
        outcome10();
        break;
    case 11:
        outcome11();
        break;
    case 12:
        outcome12();
        break;
    case 13:
        outcome13();
        break;
    case 14:
        outcome14();
        break;
    default:
        outcome15();
        break;
    }
    /* Loop counts fall in libFuzzer's count buckets: size classes. */
    for (uint32_t v = w; v; v >>= 1)
        sink++;
    for (uint32_t v = h; v; v >>= 1)
        sink--;
}

/* memcmp() in blocks: a byte loop here, with every comparison traced for
 * the fuzzer, took most of the time of an input. */
static bool canary_intact(const uint8_t *p, size_t len)
{
    static uint8_t block[4096];
    if (!block[0])
        memset(block, CANARY, sizeof(block));
    for (size_t off = 0; off < len; off += sizeof(block)) {
        size_t n = len - off < sizeof(block) ? len - off : sizeof(block);
        if (memcmp(p + off, block, n) != 0)
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct state *s = setup();
    REQUIRE(ftruncate(s->memfd, 0) == 0);
    REQUIRE(pwrite(s->memfd, data, size, 0) == (ssize_t)size);

    struct target t = {.slot = s->slot};
    char err[PNG_LOAD_ERR_MAX];
    int taken = -1;
    int free_fd = lowest_free_fd();
    memset(err, 0x7f, sizeof(err)); /* no NUL unless png_load writes one */
    int rc =
        png_load(s->loader, s->path, into_slot, &t, &taken, err, sizeof(err));
    REQUIRE(lowest_free_fd() == free_fd);
    REQUIRE(taken == (t.calls > 0));
    if (rc == 0)
        REQUIRE(t.calls == 1 && t.width > 0);
    else
        REQUIRE(memchr(err, 0, sizeof(err)) && err[0]);

    note_outcome(rc, err, t.width, t.height);

    /* Nothing was written past the image's last row, and the part the
     * image used gets its canary back for the next input. */
    size_t used = (size_t)t.width * t.height * 4;
    size_t end =
        used + CANARY_SPAN < SLOT_BYTES ? used + CANARY_SPAN : SLOT_BYTES;
    REQUIRE(canary_intact(s->slot + used, end - used));
    memset(s->slot, CANARY, used);
    return 0;
}
