/* The producer as users run it: real PNGs, a real segment, real processes. */
#include "proc.h"
#include "runner.h"

#include "inputs.h"
#include "test_images.h"

#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>

#if !defined(PRODUCER_PATH) || !defined(MAKE_SAMPLES_PATH)
#error "PRODUCER_PATH and MAKE_SAMPLES_PATH must name the programs"
#endif

static char tmpdir[128];

static const char *scratch(const char *tag)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/libframe-test-%d-%s", (int)getpid(),
             tag);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", tmpdir, tmpdir);
    CHECK(system(cmd) == 0);
    return tmpdir;
}

static void scratch_remove(void)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    CHECK(system(cmd) == 0);
}

/* The corrupt files come from the same generator the demo uses. */
static void write_bad_images(const char *dir)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "'%s' --bad-images '%s' >/dev/null",
             MAKE_SAMPLES_PATH, dir);
    CHECK(system(cmd) == 0);
}

static void shm_gone(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "/dev/shm/libframe.%s", name);
    struct stat st;
    CHECK(stat(path, &st) != 0 && errno == ENOENT);
}

/* Start the producer with stderr into `log`; the arguments are
 * NULL-terminated. Its stdout (--help) stays the test's. */
static pid_t start_producer(const char *log, ...)
{
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, PRODUCER_PATH);
    va_list ap;
    va_start(ap, log);
    for (const char *a; (a = va_arg(ap, const char *));)
        cmdline_add(&c, a);
    va_end(ap);
    return spawn(&(struct spawn_opts){
        .argv = c.argv, .err = log, .out_fd = STDOUT_FILENO});
}

/* SIGTERM (or sig): the producer removes its segment and exits 0. */
static void stop_producer(pid_t pid, int sig, const char *log)
{
    stop_child(pid, sig, NO_LIMIT, "producer", log);
}

/* The producer ends by itself, with status want. */
static void producer_exits(pid_t pid, int want, const char *log)
{
    expect_exit(pid, want, NO_LIMIT, "producer", log);
}

/* Open the segment as soon as the producer has made it. */
static frame_reader *attach(const char *name)
{
    int64_t until = now_ns() + 10000 * MS;
    for (;;) {
        frame_reader *r;
        int rc = frame_reader_open(name, &r);
        if (rc == 0)
            return r;
        CHECK_RC(rc, -ENOENT); /* a half-made segment is never visible */
        CHECK(now_ns() < until);
        usleep(5000);
    }
}

/* The newest frame, copied out and validated. */
static int next_frame(frame_reader *r, uint8_t *buf, size_t cap,
                      struct frame_view *v)
{
    int rc = frame_reader_wait(r, 5000);
    return rc ? rc : frame_reader_copy(r, buf, 0, cap, v); /* rows packed */
}

static void write_image(size_t i, const char *path, struct test_image *img)
{
    char err[256];
    CHECK_RC(test_image_make(i, img), 0);
    if (pngw_write_file(path, &img->spec, err, sizeof(err))) {
        fprintf(stderr, "%s: %s\n", path, err);
        CHECK(0);
    }
}

static bool same_pixels(const struct test_image *img, const uint8_t *buf,
                        const struct frame_view *v)
{
    return v->width == img->width && v->height == img->height &&
           memcmp(buf, img->expected, img->expected_len) == 0;
}

static void report_mismatch(const char *what, const struct test_image *img,
                            const uint8_t *buf, const struct frame_view *v)
{
    fprintf(stderr, "%s: got %ux%u, expected %ux%u\n", what, v->width,
            v->height, img->width, img->height);
    for (size_t k = 0; k < img->expected_len; k++) {
        if (buf[k] != img->expected[k]) {
            size_t px = k / 4;
            fprintf(stderr, "  first difference at pixel (%zu,%zu) byte %zu: "
                    "got %u, expected %u\n", px % img->width,
                    px / img->width, k % 4, buf[k], img->expected[k]);
            break;
        }
    }
}

/* ---- cases --------------------------------------------------------------- */

static void natural_order(void)
{
    CHECK(natural_compare("frame2.png", "frame10.png") < 0);
    CHECK(natural_compare("frame10.png", "frame2.png") > 0);
    CHECK(natural_compare("a.png", "a.png") == 0);
    CHECK(natural_compare("f007.png", "f7.png") > 0);  /* total order */
    CHECK(natural_compare("f7.png", "f08.png") < 0);
    CHECK(natural_compare("x99", "x100") < 0);
    CHECK(natural_compare("b1", "a2") > 0);
    CHECK(natural_compare("shot", "shot1") < 0);
    CHECK(natural_compare("18446744073709551616999", "2") > 0); /* huge */
    CHECK(has_png_suffix("a.PNG") && has_png_suffix("b.png"));
    CHECK(!has_png_suffix(".png") && !has_png_suffix("c.pngx"));
}

/* Every colour type, depth, tRNS and interlace variant, through producer
 * and segment, read back equal to the expected RGBA8. */
static void every_colour_type(void)
{
    const char *dir = scratch("colour");
    size_t n = test_image_count();
    CHECK(n >= 30);
    static uint8_t buf[4096 * 4096 * 4];
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char png[512], log[512], name[FRAME_NAME_MAX + 1];
        snprintf(png, sizeof(png), "%s/%s.png", dir, test_image_name(i));
        snprintf(log, sizeof(log), "%s/%s.log", dir, test_image_name(i));
        snprintf(name, sizeof(name), "%s", test_name("colour"));
        struct test_image img;
        write_image(i, png, &img);
        pid_t pid = start_producer(log, "--name", name, "--fps", "50",
                                   "--quiet", png, (char *)NULL);
        frame_reader *r = attach(name);
        struct frame_view v;
        CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
        if (!same_pixels(&img, buf, &v)) {
            report_mismatch(test_image_name(i), &img, buf, &v);
            failures++;
        }
        frame_reader_close(r);
        stop_producer(pid, SIGTERM, log);
        shm_gone(name);
        test_image_free(&img);
    }
    fprintf(stderr, "%zu images, %d mismatched\n", n, failures);
    CHECK(failures == 0);
    scratch_remove();
}

/* Good files and bad ones in one directory: exactly the good ones are
 * published, and each bad one is named once on stderr. */
static void bad_files_skipped(void)
{
    const char *dir = scratch("bad");
    char log[512], list[512];
    write_bad_images(dir);
    snprintf(list, sizeof(list), "%s/bad-images.txt", dir);
    char *bad_list = read_text(list);
    CHECK(bad_list);
    CHECK(unlink(list) == 0);

    const char *good[] = {"rgb8", "rgba8", "pal8-trns"};
    struct test_image imgs[3];
    for (int k = 0; k < 3; k++) {
        long i = test_image_find(good[k]);
        CHECK(i >= 0);
        char path[512];
        snprintf(path, sizeof(path), "%s/good-%d.png", dir, k);
        write_image((size_t)i, path, &imgs[k]);
    }
    snprintf(log, sizeof(log), "/tmp/libframe-test-%d-bad.log", (int)getpid());
    const char *name = test_name("bad");
    pid_t pid = start_producer(log, "--name", name, "--fps", "100", dir,
                               (char *)NULL);
    frame_reader *r = attach(name);
    static uint8_t buf[1 << 24];
    bool seen[3] = {false};
    int64_t until = now_ns() + 3000 * MS;
    uint64_t frames = 0;
    while (now_ns() < until && !(seen[0] && seen[1] && seen[2] &&
                                 frames > 20)) {
        struct frame_view v;
        CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
        frames++;
        int match = -1;
        for (int k = 0; k < 3; k++)
            if (same_pixels(&imgs[k], buf, &v))
                match = k;
        if (match < 0)
            fprintf(stderr, "frame %" PRIu64 " (%ux%u) matches no good file\n",
                    v.frame_no, v.width, v.height);
        CHECK(match >= 0);
        seen[match] = true;
    }
    CHECK(seen[0] && seen[1] && seen[2]);
    frame_reader_close(r);
    stop_producer(pid, SIGTERM, log);
    shm_gone(name);

    /* bad-images.txt lines are "FILE: what is wrong". */
    print_file("producer", log);
    int bad = 0;
    for (char *line = strtok(bad_list, "\n"); line; line = strtok(NULL, "\n")) {
        char *colon = strchr(line, ':');
        CHECK(colon);
        *colon = 0;
        char quoted[512];
        snprintf(quoted, sizeof(quoted), "producer: '%s/%s': ", dir, line);
        if (file_count(log, quoted) != 1)
            fprintf(stderr, "expected one line starting %s\n", quoted);
        CHECK(file_count(log, quoted) == 1);
        bad++;
    }
    CHECK(bad >= 5);
    char summary[64];
    snprintf(summary, sizeof(summary), "skipped %d file(s)", bad);
    CHECK(file_has(log, summary));
    free(bad_list);
    for (int k = 0; k < 3; k++)
        test_image_free(&imgs[k]);
    unlink(log);
    scratch_remove();
}

static void no_valid_input(void)
{
    const char *dir = scratch("none");
    char log[512];
    write_bad_images(dir);
    snprintf(log, sizeof(log), "%s.log", dir);
    const char *name = test_name("none");
    pid_t pid = start_producer(log, "--name", name, dir, "/nonexistent.png",
                               (char *)NULL);
    producer_exits(pid, 1, log);
    CHECK(file_has(log, "producer: '/nonexistent.png': No such file"));
    CHECK(file_has(log, "producer: no valid input"));
    shm_gone(name);
    unlink(log);
    scratch_remove();
}

static void signals_clean_up(void)
{
    const char *dir = scratch("sig");
    char png[512], log[512];
    struct test_image img;
    snprintf(png, sizeof(png), "%s/a.png", dir);
    snprintf(log, sizeof(log), "%s/log", dir);
    write_image(0, png, &img);
    int sigs[] = {SIGTERM, SIGINT};
    for (int k = 0; k < 2; k++) {
        const char *name = test_name(k ? "int" : "term");
        pid_t pid = start_producer(log, "--name", name, "--fps", "200", png,
                                   (char *)NULL);
        frame_reader *r = attach(name);
        static uint8_t buf[1 << 22];
        struct frame_view v;
        CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
        stop_producer(pid, sigs[k], log);
        shm_gone(name);
        /* The reader hears "stopped", not "lost", and keeps the frame. */
        int rc;
        while ((rc = frame_reader_wait(r, 2000)) == 0)
            CHECK_RC(frame_reader_acquire(r, &v), 0);
        CHECK_RC(rc, FRAME_ECLOSED);
        CHECK_RC(frame_reader_copy(r, buf, img.width * 4, sizeof(buf), &v), 0);
        CHECK(same_pixels(&img, buf, &v));
        frame_reader_close(r);
    }
    test_image_free(&img);
    scratch_remove();
}

static void live_name_refused(void)
{
    const char *dir = scratch("live");
    char png[512], log1[512], log2[512];
    struct test_image img;
    snprintf(png, sizeof(png), "%s/a.png", dir);
    snprintf(log1, sizeof(log1), "%s/log1", dir);
    snprintf(log2, sizeof(log2), "%s/log2", dir);
    write_image(0, png, &img);
    const char *name = test_name("live");
    pid_t first = start_producer(log1, "--name", name, png, (char *)NULL);
    frame_reader_close(attach(name));
    pid_t second = start_producer(log2, "--name", name, png, (char *)NULL);
    producer_exits(second, 1, log2);
    char want[128];
    snprintf(want, sizeof(want), "(pid %d)", (int)first);
    print_file("second producer", log2);
    CHECK(file_has(log2, want) && file_has(log2, "in use"));
    stop_producer(first, SIGTERM, log1);
    shm_gone(name);
    test_image_free(&img);
    scratch_remove();
}

/* The next frame must be img; frames showing `before` (may be NULL) may
 * come first. Returns its publish time less the previous frame's (0 when
 * it is the first one read). */
static int64_t expect_frame(frame_reader *r, const char *what,
                            const struct test_image *img,
                            const struct test_image *before)
{
    static uint8_t buf[512 * 512 * 4];
    static int64_t last_ts;
    struct frame_view v;
    int64_t prev = 0;
    for (;;) {
        CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
        if (!before || !same_pixels(before, buf, &v))
            break;
        prev = v.timestamp_ns;
    }
    if (!same_pixels(img, buf, &v))
        report_mismatch(what, img, buf, &v);
    CHECK(same_pixels(img, buf, &v));
    if (!before)
        prev = last_ts;
    last_ts = v.timestamp_ns;
    return prev ? v.timestamp_ns - prev : 0;
}

static void watch_new_files(void)
{
    const char *dir = scratch("watch");
    char watched[256], log[512], given[512], tmp[512], path[3][512];
    snprintf(watched, sizeof(watched), "%s/in", dir);
    CHECK(mkdir(watched, 0755) == 0);
    snprintf(log, sizeof(log), "%s/log", dir);
    snprintf(given, sizeof(given), "%s/given", dir);
    CHECK(mkdir(given, 0755) == 0);
    snprintf(tmp, sizeof(tmp), "%s/staging.png", dir);
    for (int k = 0; k < 3; k++)
        snprintf(path[k], sizeof(path[k]), "%s/new%d.png", watched, k);
    /* Three given files (one picture) play for 0.4 s at 5 fps first. */
    struct test_image first, img[3];
    for (int k = 0; k < 3; k++) {
        char p[600];
        snprintf(p, sizeof(p), "%s/g%d.png", given, k);
        write_image(20, p, &first);
        if (k < 2)
            test_image_free(&first);
    }
    const char *name = test_name("watch");
    pid_t pid = start_producer(log, "--name", name, "--max-size", "512x512",
                               "--fps", "5", "--watch", watched, given,
                               (char *)NULL);
    /* The watch is open before the segment appears: a file written as soon
     * as the segment exists, while the given files are still playing, is
     * published after them, not lost. */
    frame_reader *r = attach(name);
    write_image(1, path[0], &img[0]);
    /* One cadence: the first watched file is due a period (200 ms) after
     * the last given one, not at once. */
    int64_t gap = expect_frame(r, path[0], &img[0], &first);
    CHECK(gap != 0); /* a given file was read first: they play 0.6 s */
    if (gap < 180 * MS) {
        fprintf(stderr, "first watched frame %lld ms after the last given "
                "one\n", (long long)(gap / MS));
        CHECK(!"--fps not kept from the given files to the watched ones");
    }
    /* Written in place; written elsewhere and renamed in. */
    write_image(8, path[1], &img[1]);
    expect_frame(r, path[1], &img[1], NULL);
    write_image(15, tmp, &img[2]);
    CHECK(rename(tmp, path[2]) == 0);
    expect_frame(r, path[2], &img[2], NULL);
    test_image_free(&first);
    for (int k = 0; k < 3; k++)
        test_image_free(&img[k]);
    frame_reader_close(r);
    stop_producer(pid, SIGTERM, log);
    shm_gone(name);
    scratch_remove();
}

/* frame2 plays before frame10: the order frames arrive in is the files'. */
static void natural_playback_order(void)
{
    const char *dir = scratch("order");
    const char *files[] = {"frame1.png", "frame2.png", "frame10.png"};
    size_t pick[] = {0, 3, 6};
    struct test_image imgs[3];
    for (int k = 0; k < 3; k++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, files[k]);
        write_image(pick[k], path, &imgs[k]);
    }
    char log[512];
    snprintf(log, sizeof(log), "%s/log", dir);
    const char *name = test_name("order");
    pid_t pid = start_producer(log, "--name", name, "--fps", "20",
                               "--threads", "2", dir, (char *)NULL);
    frame_reader *r = attach(name);
    static uint8_t buf[1 << 22];
    int prev = -1, steps = 0;
    while (steps < 9) {
        struct frame_view v;
        CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
        int k = -1;
        for (int j = 0; j < 3; j++)
            if (same_pixels(&imgs[j], buf, &v))
                k = j;
        CHECK(k >= 0);
        if (prev >= 0 && k != prev) {
            /* At 20 fps a waiting reader sees every frame, in order. */
            CHECK(k == (prev + 1) % 3);
            steps++;
        }
        prev = k;
    }
    frame_reader_close(r);
    stop_producer(pid, SIGTERM, log);
    for (int k = 0; k < 3; k++)
        test_image_free(&imgs[k]);
    scratch_remove();
}

static void once_and_count(void)
{
    const char *dir = scratch("once");
    struct test_image img;
    for (int k = 0; k < 3; k++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/f%d.png", dir, k);
        write_image((size_t)k, path, &img);
        test_image_free(&img);
    }
    char log[512];
    snprintf(log, sizeof(log), "%s.log", dir);
    const char *name = test_name("once");
    producer_exits(start_producer(log, "--name", name, "--once", "--fps", "0",
                                  dir, (char *)NULL),
                   0, log);
    CHECK(file_has(log, "published 3 frame(s)"));
    producer_exits(start_producer(log, "--name", name, "--count", "7",
                                  "--fps", "0", dir, (char *)NULL),
                   0, log);
    CHECK(file_has(log, "published 7 frame(s)"));
    producer_exits(start_producer(log, "--name", name, "--count", "5",
                                  "--fps", "0", "--threads", "1",
                                  "--no-cache", dir, (char *)NULL),
                   0, log);
    CHECK(file_has(log, "published 5 frame(s)"));
    shm_gone(name);
    unlink(log);
    scratch_remove();
}

/* The three ways a frame reaches the slot give the same pixels. */
static void threads_and_cache(void)
{
    const char *dir = scratch("paths");
    struct test_image imgs[4];
    size_t pick[] = {1, 4, 9, 14};
    for (int k = 0; k < 4; k++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/f%d.png", dir, k);
        write_image(pick[k], path, &imgs[k]);
    }
    const char *modes[][4] = {
        {"--threads", "1", "--no-cache", NULL},
        {"--threads", "2", "--no-cache", NULL},
        {"--threads", "2", "--cache", NULL},
        {"--threads", "1", "--cache", NULL},
    };
    static uint8_t buf[1 << 22];
    for (int m = 0; m < 4; m++) {
        char log[512];
        snprintf(log, sizeof(log), "%s/log%d", dir, m);
        const char *name = test_name("paths");
        pid_t pid = start_producer(log, "--name", name, "--fps", "200",
                                   "--stats", modes[m][0], modes[m][1],
                                   modes[m][2], dir, (char *)NULL);
        frame_reader *r = attach(name);
        int seen = 0, frames = 0;
        while (frames < 40) {
            struct frame_view v;
            CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
            int k = -1;
            for (int j = 0; j < 4; j++)
                if (same_pixels(&imgs[j], buf, &v))
                    k = j;
            CHECK(k >= 0);
            seen |= 1 << k;
            frames++;
        }
        CHECK(seen == 0xf);
        frame_reader_close(r);
        stop_producer(pid, SIGTERM, log);
        char *out = read_text(log);
        CHECK(out);
        if (strcmp(modes[m][2], "--cache") == 0)
            CHECK(strstr(out, "cached"));
        else
            CHECK(!strstr(out, "cached"));
        free(out);
    }
    for (int k = 0; k < 4; k++)
        test_image_free(&imgs[k]);
    scratch_remove();
}

static void bad_usage(void)
{
    const char *cases[][4] = {
        {"--fps", "fast", NULL},
        {"--slots", "9", NULL},
        {"--name", "../x", NULL},
        {"--max-size", "100", NULL},
        {"--bogus", NULL},
        {NULL}, /* no input at all */
    };
    char log[128];
    snprintf(log, sizeof(log), "/tmp/libframe-test-%d-usage.log",
             (int)getpid());
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        pid_t pid = start_producer(log, cases[i][0], cases[i][1],
                                   cases[i][2], cases[i][0] ? "x.png" : NULL,
                                   (char *)NULL);
        producer_exits(pid, 2, log);
        CHECK(file_has(log, "producer: "));
    }
    producer_exits(start_producer(log, "--help", (char *)NULL), 0, log);
    producer_exits(start_producer(log, "--version", (char *)NULL), 0, log);
    unlink(log);
}

TEST_MAIN(CASE(natural_order), CASE(every_colour_type),
          CASE(bad_files_skipped), CASE(no_valid_input),
          CASE(signals_clean_up), CASE(live_name_refused),
          CASE(watch_new_files), CASE(natural_playback_order),
          CASE(once_and_count), CASE(threads_and_cache), CASE(bad_usage))
