/* The producer's --format: every PNG colour type and depth published
 * losslessly with --format native, conversions to every format of the
 * table by libframe's rule, and the segment sized for what it carries.
 * Real PNGs, the real producer, a real segment. */
#include "proc.h"
#include "runner.h"

#include "png_load.h"
#include "test_images.h"

#include <inttypes.h>
#include <png.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>

#if !defined(PRODUCER_PATH)
#error "PRODUCER_PATH must name the program"
#endif

/* The producer with stderr into log; arguments NULL-terminated. */
static pid_t start_producer(const char *log, ...)
{
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, PRODUCER_PATH);
    va_list ap;
    va_start(ap, log);
    for (const char *a; (a = va_arg(ap, const char *));)
        cmdline_add(&c, a);
    va_end(ap);
    return spawn(&(struct spawn_opts){.argv = c.argv, .err = log});
}

static frame_reader *attach(const char *name)
{
    int64_t until = now_ns() + 30000 * MS; /* a hang guard */
    for (;;) {
        frame_reader *r;
        int rc = frame_reader_open(name, &r);
        if (rc == 0)
            return r;
        CHECK_RC(rc, -ENOENT);
        CHECK(now_ns() < until);
        usleep(5000);
    }
}

/* The next frame in its own format, tight, into buf. */
static void next_frame(frame_reader *r, uint8_t *buf, size_t cap,
                       struct frame_view *v)
{
    CHECK_RC(frame_reader_wait(r, 30000), 0); /* a hang guard */
    CHECK_RC(frame_reader_copy_format(r, 0, buf, cap, 1, v), 0);
}

static void write_image(size_t i, const char *path)
{
    struct test_image img;
    char err[256];
    CHECK_RC(test_image_make(i, &img), 0);
    if (pngw_write_file(path, &img.spec, err, sizeof(err))) {
        fprintf(stderr, "%s: %s\n", path, err);
        CHECK(0);
    }
    test_image_free(&img);
}

/* ---- the file's samples, read by libpng with no transform -------------- */

/* A frame of the test's own: format, size and tight planes. */
struct frame {
    struct frame_image image;
    uint8_t *bytes;
    size_t len;
};

static void frame_alloc(struct frame *f, uint32_t format, uint32_t w,
                        uint32_t h)
{
    f->len = frame_image_layout(NULL, format, w, h, 1, NULL);
    CHECK(f->len > 0);
    f->bytes = calloc(1, f->len);
    CHECK(f->bytes);
    frame_image_layout(&f->image, format, w, h, 1, f->bytes);
}

static void frame_free(struct frame *f)
{
    free(f->bytes);
    f->bytes = NULL;
}

/* Sample c of pixel x in a raw row of ch channels at depth bits. */
static unsigned sample(const uint8_t *row, uint32_t x, int c, int ch, int depth)
{
    size_t i = (size_t)x * ch + c;
    if (depth == 16)
        return (unsigned)row[2 * i] << 8 | row[2 * i + 1];
    if (depth == 8)
        return row[i];
    size_t bit = i * depth;
    return (row[bit / 8] >> (8 - depth - bit % 8)) & ((1u << depth) - 1);
}

static void put(uint8_t *p, int depth, unsigned v)
{
    if (depth == 16) {
        p[0] = (uint8_t)v; /* little-endian, as GRAY16_LE and RGBA64_LE */
        p[1] = (uint8_t)(v >> 8);
    } else {
        p[0] = (uint8_t)v;
    }
}

/*
 * The native frame of path worked out here, from the raw rows (libpng only
 * inflates, unfilters and de-interlaces): the format the table
 * names, sub-byte grey scaled to 8 bits as libpng does (v * 255 / max),
 * palettes looked up, tRNS alpha by comparing the stored samples at the
 * file's depth, 16-bit values whole.
 */
static void native_of_file(const char *path, struct frame *out)
{
    FILE *fp = fopen(path, "rb");
    CHECK(fp);
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    CHECK(png && info);
    if (setjmp(png_jmpbuf(png)))
        CHECK(!"libpng failed on a test image");
    png_init_io(png, fp);
    png_read_info(png, info);
    uint32_t w = png_get_image_width(png, info);
    uint32_t h = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info);
    int type = png_get_color_type(png, info);
    png_bytep trans = NULL;
    int ntrans = 0;
    png_color_16p key = NULL;
    bool trns = png_get_tRNS(png, info, &trans, &ntrans, &key) != 0;
    png_colorp pal = NULL;
    int npal = 0;
    if (type == PNG_COLOR_TYPE_PALETTE)
        png_get_PLTE(png, info, &pal, &npal);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    uint8_t *raw = malloc(rowbytes * h);
    png_bytep *rows = malloc(h * sizeof(*rows));
    CHECK(raw && rows);
    for (uint32_t y = 0; y < h; y++)
        rows[y] = raw + y * rowbytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);

    bool grey =
        type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA;
    bool alpha = (type & PNG_COLOR_MASK_ALPHA) || trns;
    bool wide = depth == 16;
    uint32_t format;
    if (grey && !alpha)
        format = wide ? FRAME_FORMAT_GRAY16 : FRAME_FORMAT_GRAY8;
    else if (alpha || wide)
        format = wide ? FRAME_FORMAT_RGBA16 : FRAME_FORMAT_RGBA8;
    else
        format = FRAME_FORMAT_RGB8;
    frame_alloc(out, format, w, h);
    int och = format == FRAME_FORMAT_RGB8 ? 3 : grey && !alpha ? 1 : 4;
    int odepth = wide ? 16 : 8;
    int ich = png_get_channels(png, info);
    unsigned top = wide ? 65535 : 255;
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *o = out->image.plane[0] + (size_t)y * out->image.stride[0];
        for (uint32_t x = 0; x < w; x++) {
            unsigned s[4] = {0, 0, 0, top}, px[4];
            for (int c = 0; c < ich; c++)
                s[c] = sample(rows[y], x, c, ich, depth);
            if (type == PNG_COLOR_TYPE_PALETTE) {
                unsigned i = s[0];
                CHECK((int)i < npal);
                px[0] = pal[i].red;
                px[1] = pal[i].green;
                px[2] = pal[i].blue;
                px[3] = trns && (int)i < ntrans ? trans[i] : 255;
            } else if (grey) {
                bool keyed = trns && s[0] == key->gray;
                unsigned g =
                    depth < 8 ? s[0] * 255 / ((1u << depth) - 1) : s[0];
                px[0] = px[1] = px[2] = g;
                px[3] = type == PNG_COLOR_TYPE_GRAY_ALPHA ? s[1]
                        : keyed                           ? 0
                                                          : top;
            } else {
                bool keyed = trns && s[0] == key->red && s[1] == key->green &&
                             s[2] == key->blue;
                for (int c = 0; c < 3; c++)
                    px[c] = s[c];
                px[3] = type == PNG_COLOR_TYPE_RGB_ALPHA ? s[3]
                        : keyed                          ? 0
                                                         : top;
            }
            for (int c = 0; c < och; c++, o += odepth / 8)
                put(o, odepth, px[c]);
        }
    }
    free(rows);
    free(raw);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
}

/* Samples of 16-bit frames that differ in the low byte only, next to each
 * other: a producer that kept 8 bits anywhere could not keep them apart. */
static size_t low_byte_pairs(const struct frame *f)
{
    size_t n = 0;
    for (size_t i = 0; i + 3 < f->len; i += 2)
        n += f->bytes[i + 1] == f->bytes[i + 3] &&
             f->bytes[i] != f->bytes[i + 2];
    return n;
}

static bool same_frame(const char *what, const struct frame *want,
                       const uint8_t *got, const struct frame_view *v)
{
    const struct frame_image *e = &want->image;
    if (v->format != e->format || v->width != e->width ||
        v->height != e->height) {
        fprintf(stderr, "%s: got %ux%u %s, expected %ux%u %s\n", what, v->width,
                v->height, frame_format_desc(v->format)->name, e->width,
                e->height, frame_format_desc(e->format)->name);
        return false;
    }
    for (size_t k = 0; k < want->len; k++) {
        if (got[k] != want->bytes[k]) {
            fprintf(stderr, "%s (%s): byte %zu of %zu: got %u, expected %u\n",
                    what, frame_format_desc(e->format)->name, k, want->len,
                    got[k], want->bytes[k]);
            return false;
        }
    }
    return true;
}

static uint8_t frame_buf[300 * 200 * 8 + 4096];

/* One producer on the files of dir (or one file) with args, until every
 * one of the n inputs, by source_index, was seen equal to want[index]. */
static int play_and_compare(const char *tag, const char *path,
                            const char *const *args, const struct frame *want,
                            size_t n, const char *const *names)
{
    char log[600];
    snprintf(log, sizeof(log), "%s.log", scratch_dir());
    const char *name = test_name(tag);
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, PRODUCER_PATH);
    cmdline_add_all(&c, (const char *const[]){"--name", name, "--fps", "200",
                                              "--quiet", NULL});
    cmdline_add_all(&c, args);
    cmdline_add(&c, path);
    pid_t pid = spawn(&(struct spawn_opts){.argv = c.argv, .err = log});
    frame_reader *r = attach(name);
    int failures = 0;
    uint64_t seen = 0, all = (UINT64_C(1) << n) - 1;
    for (int frames = 0; seen != all; frames++) {
        CHECK(frames < 100 * (int)n); /* a hang guard: it loops the list */
        struct frame_view v;
        next_frame(r, frame_buf, sizeof(frame_buf), &v);
        CHECK(v.source_index < n);
        if (seen & UINT64_C(1) << v.source_index)
            continue;
        seen |= UINT64_C(1) << v.source_index;
        failures += !same_frame(names[v.source_index], &want[v.source_index],
                                frame_buf, &v);
    }
    frame_reader_close(r);
    stop_child(pid, SIGTERM, NO_LIMIT, "producer", log);
    CHECK(!file_has(log, "producer: '")); /* no file refused */
    unlink(log);
    return failures;
}

/* ---- cases ------------------------------------------------------------- */

/* Every colour type, depth, tRNS kind and interlacing make-samples writes,
 * one producer each (decoded straight into the slot): the format of the
 * table and the file's own samples, 16 bits whole. */
static void native_every_image(void)
{
    const char *dir = scratch("native");
    size_t n = test_image_count();
    CHECK(n >= 30);
    int failures = 0;
    size_t pairs = 0;
    uint32_t formats = 0;
    for (size_t i = 0; i < n; i++) {
        char png[512];
        snprintf(png, sizeof(png), "%s/%s.png", dir, test_image_name(i));
        write_image(i, png);
        struct frame want;
        native_of_file(png, &want);
        formats |= 1u << want.image.format;
        if (frame_format_desc(want.image.format)->bytes_per_sample == 2)
            pairs += low_byte_pairs(&want);
        const char *one[] = {test_image_name(i)};
        failures += play_and_compare(
            "native", png,
            (const char *const[]){"--format", "native", "--threads", "1", NULL},
            &want, 1, one);
        frame_free(&want);
    }
    fprintf(stderr,
            "%zu images, %d mismatched; %zu 16-bit neighbours "
            "differ in the low byte only\n",
            n, failures, pairs);
    CHECK(failures == 0);
    /* The images cover the native formats, and 16-bit values that an
     * 8-bit path would have merged. */
    CHECK(formats == (1u << FRAME_FORMAT_GRAY8 | 1u << FRAME_FORMAT_GRAY16 |
                      1u << FRAME_FORMAT_RGB8 | 1u << FRAME_FORMAT_RGBA8 |
                      1u << FRAME_FORMAT_RGBA16));
    CHECK(pairs > 100);
    scratch_remove();
}

/* Files of every native format in one directory, through the decoding
 * threads and the cache as well as straight into the slot: each frame is
 * its file's, and the segment is sized for the largest in bytes. */
static void native_threads_and_cache(void)
{
    const char *dir = scratch("nativemix");
    const char *names[] = {"gray2",     "gray16-key-adam7-3x5", "rgb8-300x200",
                           "pal8-trns", "rgba16-300x200",       "gray16",
                           "rgb16"};
    enum { N = sizeof(names) / sizeof(names[0]) };
    struct frame want[N];
    for (size_t k = 0; k < N; k++) {
        char png[512];
        snprintf(png, sizeof(png), "%s/f%zu.png", dir, k);
        long i = test_image_find(names[k]);
        CHECK(i >= 0);
        write_image((size_t)i, png);
        native_of_file(png, &want[k]);
    }
    const char *modes[][6] = {
        {"--format", "native", "--threads", "1", "--no-cache", NULL},
        {"--format", "native", "--threads", "2", "--no-cache", NULL},
        {"--format", "native", "--threads", "2", "--cache", NULL},
        {"--format", "native", "--threads", "1", "--cache", NULL},
    };
    for (int m = 0; m < 4; m++)
        CHECK(play_and_compare("nativemix", dir, modes[m], want, N, names) ==
              0);
    for (size_t k = 0; k < N; k++)
        frame_free(&want[k]);
    scratch_remove();
}

/* --format NAME on 8-bit RGB (even and odd sizes) equals frame_convert()
 * of the RGBA8 decode, and on 16-bit inputs frame_convert() of the file's
 * whole samples: the rule is the library's, the producer applies it, on
 * the direct path and the decoding threads alike. */
static void convert_to_every_format(void)
{
    const char *dir = scratch("convert");
    const char *names[] = {"rgb8-300x200", "rgb8", "rgba16-300x200", "gray16",
                           "rgb16-3x5"};
    enum { N = sizeof(names) / sizeof(names[0]) };
    struct frame src[N];
    char paths[N][512];
    for (size_t k = 0; k < N; k++) {
        snprintf(paths[k], sizeof(paths[k]), "%s/f%zu.png", dir, k);
        long i = test_image_find(names[k]);
        CHECK(i >= 0);
        write_image((size_t)i, paths[k]);
        native_of_file(paths[k], &src[k]);
        if (frame_format_desc(src[k].image.format)->bytes_per_sample == 1) {
            /* 8 bits: the RGBA8 decode of png/, as every 0.1 reader saw */
            uint8_t *px;
            uint32_t w, h;
            char err[256];
            CHECK_RC(png_load_file(paths[k], &px, &w, &h, err, sizeof(err)), 0);
            frame_free(&src[k]);
            frame_alloc(&src[k], FRAME_FORMAT_RGBA8, w, h);
            memcpy(src[k].bytes, px, src[k].len);
            free(px);
        }
    }
    int failures = 0;
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        const struct frame_format_desc *d = frame_format_desc(f);
        struct frame want[N];
        for (size_t k = 0; k < N; k++) {
            frame_alloc(&want[k], f, src[k].image.width, src[k].image.height);
            CHECK_RC(frame_convert(&want[k].image, &src[k].image), 0);
        }
        /* Any of the table's names will do: caps, short, ffmpeg. */
        const char *as[] = {d->short_name, d->name, d->ffmpeg};
        for (int t = 1; t <= 2; t++) {
            const char *args[] = {"--format",   as[(f + t) % 3],
                                  "--threads",  t == 1 ? "1" : "2",
                                  "--no-cache", NULL};
            failures += play_and_compare("convert", dir, args, want, N, names);
        }
        for (size_t k = 0; k < N; k++)
            frame_free(&want[k]);
    }
    for (size_t k = 0; k < N; k++)
        frame_free(&src[k]);
    CHECK(failures == 0);
    scratch_remove();
}

/* The producer's start-up line, and the segment's format and slot size. */
static void sized_run(const char *path, const char *const *args,
                      const char *line, uint32_t format, uint64_t capacity)
{
    char log[600];
    snprintf(log, sizeof(log), "%s.log", scratch_dir());
    const char *name = test_name("sizing");
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, PRODUCER_PATH);
    cmdline_add_all(&c, (const char *const[]){"--name", name, NULL});
    cmdline_add_all(&c, args);
    cmdline_add(&c, path);
    pid_t pid = spawn(&(struct spawn_opts){.argv = c.argv, .err = log});
    frame_reader_close(attach(name));
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), 0);
    stop_child(pid, SIGTERM, NO_LIMIT, "producer", log);
    if (!file_has(log, line)) {
        print_file("producer", log);
        fprintf(stderr, "no '%s' in its log\n", line);
        CHECK(0);
    }
    fprintf(stderr, "%s: %ux%u %s, %" PRIu64 " bytes a slot\n", line,
            info.max_width, info.max_height,
            frame_format_desc(info.pixel_format)->name, info.slot_capacity);
    CHECK(info.pixel_format == format);
    CHECK(info.slot_capacity == capacity);
    unlink(log);
}

static uint64_t pages(uint64_t bytes) { return (bytes + 4095) / 4096 * 4096; }

/* The segment is sized for what it carries: a grey stream takes a byte a
 * pixel, not four; 16-bit colour eight; --max-size with native any PNG's
 * format; a frame that does not fit is named with its format. */
static void sized_for_format(void)
{
    const char *dir = scratch("sizing");
    char grey[512], wide[512], both[512];
    snprintf(grey, sizeof(grey), "%s/grey.png", dir);
    snprintf(both, sizeof(both), "%s/both", dir);
    snprintf(wide, sizeof(wide), "%s/both/wide.png", dir);
    CHECK(mkdir(both, 0755) == 0);
    write_image((size_t)test_image_find("gray1-300x200"), grey);
    write_image((size_t)test_image_find("rgba16-adam7-3x5"), wide);
    char copy[600];
    snprintf(copy, sizeof(copy), "%s/both/grey.png", dir);
    CHECK(link(grey, copy) == 0);

    sized_run(grey, (const char *const[]){"--format", "native", NULL},
              "in their own formats (GRAY8) (sized for 300x200 GRAY8",
              FRAME_FORMAT_GRAY8, pages(300 * 200));
    sized_run(grey, (const char *const[]){NULL}, "as RGBA (sized for 300x200",
              FRAME_FORMAT_RGBA8, pages(300 * 200 * 4));
    sized_run(grey, (const char *const[]){"-f", "i420", NULL},
              "as I420 (sized for 300x200 I420", FRAME_FORMAT_I420,
              pages(300 * 200 * 3 / 2));
    /* 300x200 grey takes more bytes than 3x5 RGBA64_LE */
    sized_run(both, (const char *const[]){"--format", "native", NULL},
              "in their own formats (GRAY8, RGBA64_LE) (sized for 300x200 "
              "GRAY8",
              FRAME_FORMAT_GRAY8, pages(300 * 200));
    sized_run(wide,
              (const char *const[]){"--format", "native", "--max-size", "64x32",
                                    NULL},
              "(RGBA64_LE) (sized for 64x32 RGBA64_LE", FRAME_FORMAT_RGBA16,
              pages(64 * 32 * 8));

    /* A slot for 2x2 GRAY16_LE (a page) takes the 3x5 file, not the
     * 300x200 one, which is named with its format and skipped. */
    char log[600];
    snprintf(log, sizeof(log), "%s.log", dir);
    const char *name = test_name("toobig");
    pid_t pid =
        start_producer(log, "--name", name, "--format", "gray16", "--max-size",
                       "2x2", "--fps", "50", both, (char *)NULL);
    frame_reader *r = attach(name);
    int64_t until = now_ns() + 20000 * MS;
    char want[700];
    snprintf(want, sizeof(want),
             "'%s/both/grey.png': image 300x200 GRAY16_LE does not fit the "
             "segment (start with --max-size)",
             dir);
    while (!file_has(log, want)) {
        CHECK(now_ns() < until);
        sleep_ms(10);
    }
    frame_reader_close(r);
    stop_child(pid, SIGTERM, NO_LIMIT, "producer", log);
    unlink(log);
    scratch_remove();
}

/* A bad --format is bad usage, exit 2, naming the formats there are; any
 * of a format's three names, in any case, is taken. */
static void format_names(void)
{
    const char *dir = scratch("names");
    char png[512], log[600];
    snprintf(png, sizeof(png), "%s/a.png", dir);
    snprintf(log, sizeof(log), "%s.log", dir);
    write_image((size_t)test_image_find("rgb8"), png);
    const char *bad[] = {"bogus", "", "rgba", "native8", "yuv"};
    /* "rgba" is RGBA8's caps name: it is good; the others are not */
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        int want = k == 2 ? 0 : 2;
        pid_t pid =
            start_producer(log, "--format", bad[k], "--once", "--fps", "0",
                           "--name", test_name("names"), png, (char *)NULL);
        CHECK(exit_code(pid, NO_LIMIT, "producer", log) == want);
        if (want == 2) {
            CHECK(file_has(log, "producer: invalid format '"));
            for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++)
                CHECK(file_has(log, frame_format_desc(f)->short_name));
            CHECK(file_has(log, "native"));
            CHECK(file_has(log, "Try 'producer --help'"));
        }
    }
    const char *good[] = {"GRAY16_LE", "gray16le", "Gray16", "RGBA64_LE",
                          "yuv420p",   "NV12",     "Native", "bgra"};
    for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
        pid_t pid =
            start_producer(log, "--format", good[k], "--once", "--fps", "0",
                           "--name", test_name("names"), png, (char *)NULL);
        if (exit_code(pid, NO_LIMIT, "producer", log) != 0) {
            print_file("producer", log);
            fprintf(stderr, "--format %s refused\n", good[k]);
            CHECK(0);
        }
    }
    /* --help names the option */
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, PRODUCER_PATH);
    cmdline_add(&c, "--help");
    pid_t pid = spawn(&(struct spawn_opts){.argv = c.argv, .out = log});
    CHECK(exit_code(pid, NO_LIMIT, "producer", log) == 0);
    CHECK(file_has(log, "--format FORMAT") && file_has(log, "native"));
    unlink(log);
    scratch_remove();
}

TEST_MAIN(CASE(native_every_image), CASE(native_threads_and_cache),
          CASE(convert_to_every_format), CASE(sized_for_format),
          CASE(format_names))
