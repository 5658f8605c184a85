/* The producer as users run it: real PNGs, a real segment, real processes. */
#include "proc.h"
#include "runner.h"

#include "inputs.h"
#include "test_images.h"

#include <fcntl.h>
#include <inttypes.h>
#include <png.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>

#if !defined(PRODUCER_PATH) || !defined(MAKE_SAMPLES_PATH)
#error "PRODUCER_PATH and MAKE_SAMPLES_PATH must name the programs"
#endif

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
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             name);
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
    int64_t until = now_ns() + 30000 * MS; /* a hang guard */
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
    int rc = frame_reader_wait(r, 30000);                  /* a hang guard */
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
            fprintf(stderr,
                    "  first difference at pixel (%zu,%zu) byte %zu: "
                    "got %u, expected %u\n",
                    px % img->width, px / img->width, k % 4, buf[k],
                    img->expected[k]);
            break;
        }
    }
}

/* A grey WxH PNG of one value: the size is what matters. */
static void write_plain(const char *path, uint32_t w, uint32_t h, uint8_t v)
{
    uint8_t *rows = malloc((size_t)w * h);
    CHECK(rows);
    memset(rows, v, (size_t)w * h);
    struct pngw_spec spec;
    pngw_spec_8bit(&spec, PNG_COLOR_TYPE_GRAY, rows, w, h, w);
    char err[256];
    if (pngw_write_file(path, &spec, err, sizeof(err))) {
        fprintf(stderr, "%s: %s\n", path, err);
        CHECK(0);
    }
    free(rows);
}

/* Written elsewhere, then renamed in: one IN_MOVED_TO, never half a file. */
static void move_in_plain(const char *path, uint32_t w, uint32_t h, uint8_t v)
{
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s.tmp", scratch_dir());
    write_plain(tmp, w, h, v);
    CHECK(rename(tmp, path) == 0);
}

/* The same file bytes again and again: written to a temporary name, then
 * renamed onto path. */
static void move_in_bytes(const char *path, const uint8_t *png, size_t len)
{
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s.tmp", scratch_dir());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    CHECK(fd >= 0 && write(fd, png, len) == (ssize_t)len);
    close(fd);
    CHECK(rename(tmp, path) == 0);
}

/* Wait (a generous 20 s: an event, not a speed) until log holds needle. */
static void wait_log(const char *log, const char *needle)
{
    int64_t until = now_ns() + 20000 * MS;
    while (!file_has(log, needle)) {
        if (now_ns() > until) {
            print_file("producer", log);
            fprintf(stderr, "no '%s' in the log after 20 s\n", needle);
            CHECK(0);
        }
        sleep_ms(10);
    }
}

/* Wait until the segment's newest frame is WxH (and, if min_no, at least
 * frame min_no); returns its number. */
static uint64_t wait_latest(const char *name, uint32_t w, uint32_t h,
                            uint64_t min_no, int seconds)
{
    int64_t until = now_ns() + (int64_t)seconds * 1000 * MS;
    struct frame_info info = {0};
    for (;;) {
        if (frame_segment_info(name, &info) == 0 && info.latest_width == w &&
            info.latest_height == h && info.latest_frame_no >= min_no)
            return info.latest_frame_no;
        if (now_ns() > until) {
            fprintf(stderr,
                    "newest frame %" PRIu64 " is %ux%u; waited %d s "
                    "for %ux%u, number >= %" PRIu64 "\n",
                    info.latest_frame_no, info.latest_width, info.latest_height,
                    seconds, w, h, min_no);
            CHECK(0);
        }
        sleep_ms(5);
    }
}

static long rss_kb(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    char *text = read_text(path);
    CHECK(text);
    char *line = strstr(text, "VmRSS:");
    CHECK(line);
    long kb = strtol(line + 6, NULL, 10);
    free(text);
    return kb;
}

/* ---- cases --------------------------------------------------------------- */

static void natural_order(void)
{
    CHECK(natural_compare("frame2.png", "frame10.png") < 0);
    CHECK(natural_compare("frame10.png", "frame2.png") > 0);
    CHECK(natural_compare("a.png", "a.png") == 0);
    CHECK(natural_compare("f007.png", "f7.png") > 0); /* total order */
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
    pid_t pid =
        start_producer(log, "--name", name, "--fps", "100", dir, (char *)NULL);
    frame_reader *r = attach(name);
    static uint8_t buf[1 << 24];
    bool seen[3] = {false};
    /* Until every good file was shown (and a few more frames): 30 s is a
     * hang guard, the files come round at 100 fps. */
    int64_t until = now_ns() + 30000 * MS;
    uint64_t frames = 0;
    while (now_ns() < until &&
           !(seen[0] && seen[1] && seen[2] && frames > 20)) {
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
        while ((rc = frame_reader_wait(r, 30000)) == 0)
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

/* The publish time of the frame expect_frame() found last. */
static int64_t last_ts;

/* The next frame must be img; frames showing `before` (may be NULL) may
 * come first. Returns its publish time less the previous frame's (0 when
 * it is the first one read). */
static int64_t expect_frame(frame_reader *r, const char *what,
                            const struct test_image *img,
                            const struct test_image *before)
{
    static uint8_t buf[512 * 512 * 4];
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
    int64_t spawned = now_ns();
    pid_t pid =
        start_producer(log, "--name", name, "--max-size", "512x512", "--fps",
                       "5", "--watch", watched, given, (char *)NULL);
    /* The watch is open before the segment appears: a file written as soon
     * as the segment exists, while the given files are still playing, is
     * published after them, not lost. */
    frame_reader *r = attach(name);
    write_image(1, path[0], &img[0]);
    /* One cadence: the first watched file is due a period (200 ms) after
     * the last given one, not at once. */
    int64_t gap = expect_frame(r, path[0], &img[0], &first);
    CHECK(gap != 0); /* a given file was read first: they play 0.6 s */
    /* The producer's clock starts after we spawned it, and each frame is
     * due a period after the one before (never sooner, however late one
     * of them came): the fourth frame, the watched one, cannot be
     * published sooner than three periods after the spawn. The gap to the
     * last given frame is printed only: that frame may itself have been
     * late, and the next is then due sooner. */
    int64_t since = last_ts - spawned;
    fprintf(stderr,
            "first watched frame %lld ms after the last given one, "
            "%lld ms after the producer was started\n",
            (long long)(gap / MS), (long long)(since / MS));
    if (since < 3 * 200 * MS)
        CHECK(!"--fps not kept from the given files to the watched ones");
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
    pid_t pid = start_producer(log, "--name", name, "--fps", "20", "--threads",
                               "2", dir, (char *)NULL);
    frame_reader *r = attach(name);
    static uint8_t buf[1 << 22];
    int frames = 0;
    unsigned seen = 0;
    while (frames < 9 || seen != 7) {
        struct frame_view v;
        CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
        int k = -1;
        for (int j = 0; j < 3; j++)
            if (same_pixels(&imgs[j], buf, &v))
                k = j;
        CHECK(k >= 0);
        /* Frame n plays file (n - 1) mod 3 in natural order, whichever
         * frames a busy machine made this reader miss. */
        CHECK(k == (int)((v.frame_no - 1) % 3));
        seen |= 1u << k;
        frames++;
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
    producer_exits(start_producer(log, "--name", name, "--count", "7", "--fps",
                                  "0", dir, (char *)NULL),
                   0, log);
    CHECK(file_has(log, "published 7 frame(s)"));
    producer_exits(start_producer(log, "--name", name, "--count", "5", "--fps",
                                  "0", "--threads", "1", "--no-cache", dir,
                                  (char *)NULL),
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

/* A FIFO among the inputs is a bad file named once, never a hang: given on
 * the command line, and put in place of a file the decoding threads are
 * playing. SIGTERM still ends the producer. */
static void fifo_input(void)
{
    const char *dir = scratch("fifo");
    char fifo[512], good[512], log[512], sub[512], a[600], b[600];
    char want[1024];
    snprintf(fifo, sizeof(fifo), "%s/fifo.png", dir);
    snprintf(good, sizeof(good), "%s/good.png", dir);
    snprintf(log, sizeof(log), "%s/log", dir);
    CHECK(mkfifo(fifo, 0644) == 0);
    write_plain(good, 4, 4, 1);
    const char *name = test_name("fifo");
    pid_t pid = start_producer(log, "--name", name, "--once", "--fps", "0",
                               fifo, good, (char *)NULL);
    CHECK(exit_code(pid, 20000, "producer", log) == 0);
    CHECK(file_count(log, "producer: '") == 1);
    snprintf(want, sizeof(want), "'%s': not a regular file", fifo);
    CHECK(file_has(log, want));
    CHECK(file_has(log, "published 1 frame(s)"));

    /* The decoding threads meet it in the middle of a run. */
    snprintf(sub, sizeof(sub), "%s/seq", dir);
    CHECK(mkdir(sub, 0755) == 0);
    snprintf(a, sizeof(a), "%s/a.png", sub);
    snprintf(b, sizeof(b), "%s/b.png", sub);
    write_plain(a, 4, 4, 1);
    write_plain(b, 4, 4, 2);
    pid = start_producer(log, "--name", name, "--fps", "50", "--threads", "2",
                         "--no-cache", sub, (char *)NULL);
    frame_reader *r = attach(name);
    static uint8_t buf[4096];
    struct frame_view v;
    CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
    /* Renamed into place: between an unlink and a mkfifo the threads could
     * meet no a.png at all, and a file is dropped for its first fault. */
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s/a.fifo", dir);
    CHECK(mkfifo(tmp, 0644) == 0 && rename(tmp, a) == 0);
    snprintf(want, sizeof(want), "'%s': not a regular file", a);
    wait_log(log, want);
    for (int k = 0; k < 5; k++) /* b.png goes on playing */
        CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
    frame_reader_close(r);
    stop_child(pid, SIGTERM, 10000, "producer", log);
    CHECK(file_count(log, want) == 1);
    shm_gone(name);
    scratch_remove();
}

/* A FIFO moved into the watched folder is named, and the files after it
 * are published. */
static void fifo_in_watch(void)
{
    const char *dir = scratch("wfifo");
    char watched[512], fifo[512], moved[1024], good[1024], log[512];
    snprintf(watched, sizeof(watched), "%s/in", dir);
    snprintf(fifo, sizeof(fifo), "%s/x.png", dir);
    snprintf(moved, sizeof(moved), "%s/x.png", watched);
    snprintf(good, sizeof(good), "%s/good.png", watched);
    snprintf(log, sizeof(log), "%s/log", dir);
    CHECK(mkdir(watched, 0755) == 0);
    const char *name = test_name("wfifo");
    pid_t pid = start_producer(log, "--name", name, "--fps", "0", "--max-size",
                               "8x8", "--watch", watched, (char *)NULL);
    frame_reader_close(attach(name));
    CHECK(mkfifo(fifo, 0644) == 0);
    CHECK(rename(fifo, moved) == 0);
    move_in_plain(good, 3, 2, 7);
    wait_latest(name, 3, 2, 1, 20);
    char want[1100];
    snprintf(want, sizeof(want), "'%s': not a regular file", moved);
    CHECK(file_count(log, want) == 1);
    stop_child(pid, SIGINT, 10000, "producer", log);
    shm_gone(name);
    scratch_remove();
}

/* More files arrive while the producer is stopped than the kernel's
 * inotify queue holds: every one is published, none twice. */
static void watch_overflow(void)
{
    char *q = read_text("/proc/sys/fs/inotify/max_queued_events");
    CHECK(q);
    long queue = strtol(q, NULL, 10);
    free(q);
    if (queue <= 0 || queue > 200000) {
        fprintf(stderr, "max_queued_events is %ld: too many files to make\n",
                queue);
        exit(SKIP);
    }
    long n = queue + 1000;
    const char *dir = scratch("overflow");
    char watched[512], staging[512], log[512];
    snprintf(watched, sizeof(watched), "%s/in", dir);
    snprintf(staging, sizeof(staging), "%s/staging", dir);
    snprintf(log, sizeof(log), "%s/log", dir);
    CHECK(mkdir(watched, 0755) == 0 && mkdir(staging, 0755) == 0);
    uint8_t *png;
    size_t len;
    {
        uint8_t px = 9;
        struct pngw_spec spec;
        pngw_spec_8bit(&spec, PNG_COLOR_TYPE_GRAY, &px, 1, 1, 1);
        CHECK_RC(pngw_write_mem(&spec, &png, &len, NULL, 0), 0);
    }
    for (long i = 0; i < n; i++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/f%ld.png", staging, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0 && write(fd, png, len) == (ssize_t)len);
        close(fd);
    }
    free(png);
    const char *name = test_name("overflow");
    pid_t pid =
        start_producer(log, "--name", name, "--fps", "0", "--quiet",
                       "--max-size", "2x2", "--watch", watched, (char *)NULL);
    frame_reader_close(attach(name));
    CHECK(kill(pid, SIGSTOP) == 0);
    for (long i = 0; i < n; i++) {
        char from[600], to[600];
        snprintf(from, sizeof(from), "%s/f%ld.png", staging, i);
        snprintf(to, sizeof(to), "%s/f%ld.png", watched, i);
        CHECK(rename(from, to) == 0);
    }
    CHECK(kill(pid, SIGCONT) == 0);
    wait_latest(name, 1, 1, (uint64_t)n, 90);
    /* Anything queued twice would be published before this one. */
    char marker[600];
    snprintf(marker, sizeof(marker), "%s/marker.png", watched);
    move_in_plain(marker, 2, 1, 3);
    uint64_t no = wait_latest(name, 2, 1, 1, 20);
    if (no != (uint64_t)n + 1)
        fprintf(stderr,
                "%ld files, the marker after them is frame %" PRIu64 "\n", n,
                no);
    CHECK(no == (uint64_t)n + 1);
    stop_child(pid, SIGTERM, 10000, "producer", log);
    CHECK(file_lines(log) == 0);
    shm_gone(name);
    scratch_remove();
}

/* The watched folder deleted: said once, exit 1, segment removed. */
static void watch_folder_removed(void)
{
    const char *dir = scratch("wgone");
    char watched[512], log[512];
    snprintf(watched, sizeof(watched), "%s/in", dir);
    snprintf(log, sizeof(log), "%s/log", dir);
    CHECK(mkdir(watched, 0755) == 0);
    const char *name = test_name("wgone");
    pid_t pid =
        start_producer(log, "--name", name, "--watch", watched, (char *)NULL);
    frame_reader_close(attach(name));
    CHECK(rmdir(watched) == 0);
    CHECK(exit_code(pid, 20000, "producer", log) == 1);
    CHECK(file_count(log, "deleted or moved away") == 1);
    shm_gone(name);
    scratch_remove();
}

/* --watch takes a directory: a file is an error, not a watch on nothing. */
static void watch_not_a_directory(void)
{
    const char *dir = scratch("wfile");
    char file[512], log[512];
    snprintf(file, sizeof(file), "%s/a.png", dir);
    snprintf(log, sizeof(log), "%s/log", dir);
    write_plain(file, 2, 2, 0);
    const char *name = test_name("wfile");
    pid_t pid =
        start_producer(log, "--name", name, "--watch", file, (char *)NULL);
    CHECK(exit_code(pid, 10000, "producer", log) == 1);
    char want[600];
    snprintf(want, sizeof(want), "producer: watch '%s': Not a directory", file);
    print_file("producer", log);
    CHECK(file_has(log, want));
    shm_gone(name);
    scratch_remove();
}

/* One file rewritten many times: the producer's memory stays flat. */
static void watch_memory_flat(void)
{
    const char *dir = scratch("wmem");
    char watched[512], file[1024], marker[1024], log[512];
    snprintf(watched, sizeof(watched), "%s/in", dir);
    snprintf(file, sizeof(file), "%s/frame.png", watched);
    snprintf(marker, sizeof(marker), "%s/marker.png", watched);
    snprintf(log, sizeof(log), "%s/log", dir);
    CHECK(mkdir(watched, 0755) == 0);
    const char *name = test_name("wmem");
    /* AddressSanitizer keeps freed blocks in quarantine (libpng's, one set
     * a decode): its RSS would grow whatever the producer keeps. */
    static char asan[512];
    const char *was = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%squarantine_size_mb=0",
             was ? was : "", was && *was ? ":" : "");
    const char *env[] = {asan, NULL};
    const char *argv[] = {PRODUCER_PATH, "--name",  name,         "--fps",
                          "0",           "--quiet", "--max-size", "4x4",
                          "--watch",     watched,   NULL};
    pid_t pid =
        spawn(&(struct spawn_opts){.argv = argv, .env = env, .err = log});
    frame_reader_close(attach(name));
    uint8_t px = 5, *png;
    size_t len;
    struct pngw_spec spec;
    pngw_spec_8bit(&spec, PNG_COLOR_TYPE_GRAY, &px, 1, 1, 1);
    CHECK_RC(pngw_write_mem(&spec, &png, &len, NULL, 0), 0);
    /* A warm-up, then two equal batches: memory that grows with the
     * events grows by the same amount in each (the leak this replaced kept
     * 44 bytes an event: 880 kB a batch, more under ASan), while the
     * allocator's own settling (up to 700 kB under ASan on a busy machine)
     * happens in the first. The second batch is judged. */
    long rss[3];
    int rounds[3] = {2000, 20000, 20000};
    for (int phase = 0; phase < 3; phase++) {
        for (int i = 0; i < rounds[phase]; i++)
            move_in_bytes(file, png, len);
        /* Everything before the marker has been taken in. */
        move_in_plain(marker, 2 + phase, 1, 0);
        wait_latest(name, 2 + phase, 1, 1, 60);
        rss[phase] = rss_kb(pid);
    }
    fprintf(stderr,
            "VmRSS %ld kB, then %ld kB and %ld kB after two batches "
            "of %d rewrites\n",
            rss[0], rss[1], rss[2], rounds[1]);
    free(png);
    CHECK(rss[2] - rss[1] < 512);
    stop_child(pid, SIGTERM, 10000, "producer", log);
    shm_gone(name);
    scratch_remove();
}

/* The segment truncated under the producer: it says so with the library's
 * words and exits 1 at once, whichever way frames reach the slot, without
 * blaming a single file. */
static void segment_truncated(void)
{
    const char *dir = scratch("trunc");
    for (int k = 0; k < 3; k++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/f%d.png", dir, k);
        write_plain(path, 8, 8, (uint8_t)(k * 50));
    }
    char sub[512];
    snprintf(sub, sizeof(sub), "%s", dir);
    const char *modes[][4] = {
        {"--threads", "1", "--no-cache", NULL},
        {"--threads", "2", "--no-cache", NULL},
        {"--threads", "1", "--cache", NULL},
        {"--threads", "2", "--cache", NULL},
    };
    char log[600];
    snprintf(log, sizeof(log), "%s.log", dir);
    for (int m = 0; m < 4; m++) {
        const char *name = test_name("trunc");
        pid_t pid =
            start_producer(log, "--name", name, "--fps", "50", modes[m][0],
                           modes[m][1], modes[m][2], sub, (char *)NULL);
        frame_reader *r = attach(name);
        static uint8_t buf[4096];
        struct frame_view v;
        /* With a cache, every file has been kept after one pass. */
        do
            CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
        while (v.frame_no < 5);
        frame_reader_close(r);
        char shm[256];
        snprintf(shm, sizeof(shm), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
                 name);
        int fd = open(shm, O_RDWR | O_CLOEXEC);
        CHECK(fd >= 0 && ftruncate(fd, 0) == 0);
        close(fd);
        int st = exit_code(pid, 20000, "producer", log);
        print_file(modes[m][2], log);
        CHECK(st == 1);
        char want[256];
        snprintf(want, sizeof(want), "producer: segment '%s': %s", name,
                 frame_strerror(FRAME_EDEAD));
        CHECK(file_count(log, want) == 1);
        CHECK(!file_has(log, "producer: '")); /* no file blamed */
        CHECK(!file_has(log, "no valid input"));
        test_unlink(name);
    }
    unlink(log);
    scratch_remove();
}

/* A frame larger than the segment is the file's fault: named with the way
 * out (--max-size), and the others play on, on both decoding paths. */
static void frame_too_big(void)
{
    const char *dir = scratch("big");
    char big[512], small[512], log[600];
    snprintf(big, sizeof(big), "%s/big.png", dir);
    snprintf(small, sizeof(small), "%s/small.png", dir);
    snprintf(log, sizeof(log), "%s.log", dir);
    write_plain(big, 64, 64, 1);
    write_plain(small, 8, 8, 2);
    const char *threads[] = {"1", "2"};
    for (int m = 0; m < 2; m++) {
        const char *name = test_name("big");
        pid_t pid = start_producer(log, "--name", name, "--fps", "50",
                                   "--max-size", "8x8", "--no-cache",
                                   "--threads", threads[m], dir, (char *)NULL);
        frame_reader *r = attach(name);
        char want[600];
        snprintf(want, sizeof(want),
                 "'%s': image 64x64 RGBA does not fit the "
                 "segment (start with --max-size)",
                 big);
        wait_log(log, want);
        static uint8_t buf[4096];
        struct frame_view v;
        for (int k = 0; k < 3; k++) {
            CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
            CHECK(v.width == 8 && v.height == 8);
        }
        frame_reader_close(r);
        stop_child(pid, SIGTERM, 10000, "producer", log);
        CHECK(file_count(log, "producer: '") == 1);
        shm_gone(name);
    }
    unlink(log);
    scratch_remove();
}

/* 8192x1 and 1x8192 take 32 KiB each: the segment is sized for that, not
 * for 8192x8192 (512 MiB for two slots). */
static void sized_for_largest_frame(void)
{
    const char *dir = scratch("sizing");
    char wide[512], tall[512], log[600];
    snprintf(wide, sizeof(wide), "%s/a-wide.png", dir);
    snprintf(tall, sizeof(tall), "%s/b-tall.png", dir);
    snprintf(log, sizeof(log), "%s.log", dir);
    write_plain(wide, 8192, 1, 1);
    write_plain(tall, 1, 8192, 2);
    const char *threads[] = {"1", "2"};
    for (int m = 0; m < 2; m++) {
        const char *name = test_name("sizing");
        pid_t pid =
            start_producer(log, "--name", name, "--fps", "50", "--no-cache",
                           "--threads", threads[m], dir, (char *)NULL);
        frame_reader *r = attach(name);
        char shm[256];
        snprintf(shm, sizeof(shm), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
                 name);
        struct stat st;
        CHECK(stat(shm, &st) == 0);
        fprintf(stderr, "segment: %lld bytes\n", (long long)st.st_size);
        CHECK(st.st_size == 4096 + 3 * 8192 * 4); /* the default 3 slots */
        static uint8_t buf[8192 * 4];
        bool seen_wide = false, seen_tall = false;
        while (!(seen_wide && seen_tall)) {
            struct frame_view v;
            CHECK_RC(next_frame(r, buf, sizeof(buf), &v), 0);
            seen_wide |= v.width == 8192 && v.height == 1;
            seen_tall |= v.width == 1 && v.height == 8192;
        }
        frame_reader_close(r);
        stop_child(pid, SIGTERM, 10000, "producer", log);
        CHECK(!file_has(log, "producer: '"));
        shm_gone(name);
    }
    unlink(log);
    scratch_remove();
}

/* make-samples makes nothing the producer would refuse. */
static void make_samples_limit(void)
{
    const char *dir = scratch("mslimit");
    char out[600], log[600];
    snprintf(out, sizeof(out), "%s/seq", dir);
    snprintf(log, sizeof(log), "%s.log", dir);
    const char *sizes[] = {"16385x1", "1x16385", "16384x1"};
    int want[] = {2, 2, 0};
    for (int k = 0; k < 3; k++) {
        const char *argv[] = {MAKE_SAMPLES_PATH, "--demo",   out, "--size",
                              sizes[k],          "--frames", "1", NULL};
        pid_t pid = spawn(&(struct spawn_opts){.argv = argv, .err = log});
        CHECK(exit_code(pid, 60000, "make-samples", log) == want[k]);
    }
    unlink(log);
    scratch_remove();
}

static void bad_usage(void)
{
    const char *cases[][4] = {
        {"--fps", "fast", NULL},
        {"--fps", " 5", NULL},
        {"--fps", "0x10", NULL},
        {"--fps", "inf", NULL},
        {"--fps", "-0", NULL},
        {"--count", " 5", NULL},
        {"--count", "0x10", NULL},
        {"--threads", "+-2", NULL},
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
        /* An input after the options, so only the option is at fault. */
        struct cmdline c = {.argc = 0};
        cmdline_add(&c, PRODUCER_PATH);
        for (int k = 0; k < 3 && cases[i][k]; k++)
            cmdline_add(&c, cases[i][k]);
        if (cases[i][0])
            cmdline_add(&c, "x.png");
        pid_t pid = spawn(&(struct spawn_opts){.argv = c.argv, .err = log});
        producer_exits(pid, 2, log);
        CHECK(file_has(log, "producer: "));
    }
    producer_exits(start_producer(log, "--help", (char *)NULL), 0, log);
    producer_exits(start_producer(log, "--version", (char *)NULL), 0, log);
    unlink(log);
}

TEST_MAIN(CASE(natural_order), CASE(every_colour_type), CASE(bad_files_skipped),
          CASE(no_valid_input), CASE(signals_clean_up), CASE(live_name_refused),
          CASE(watch_new_files), CASE(natural_playback_order),
          CASE(once_and_count), CASE(threads_and_cache), CASE(bad_usage),
          CASE(fifo_input), CASE(fifo_in_watch), CASE(watch_overflow),
          CASE(watch_folder_removed), CASE(watch_not_a_directory),
          CASE(watch_memory_flat), CASE(segment_truncated), CASE(frame_too_big),
          CASE(sized_for_largest_frame), CASE(make_samples_limit))
