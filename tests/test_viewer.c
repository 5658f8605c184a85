/* The viewer end to end: real producer and viewer processes, real SDL2. */
#include "test_viewer_util.h"

#include "png_decode.h"
#include "png_load.h"
#include "png_write.h"

#include <png.h>

#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ */
/* Cases                                                                */

/* Producer first, then a viewer that shows three frames and writes the
 * last one: byte for byte the source's RGBA8, whatever its colour type. */
static void snapshots(enum mode m, const enum kind *kinds, size_t n)
{
    setup(mode_name(m));
    const char *snap = path_in_dir("snap.png");
    const char *perr = path_in_dir("producer.err");
    const char *verr = path_in_dir("viewer.err");
    for (size_t i = 0; i < n; i++) {
        struct image img;
        const char *png = write_image(kinds[i], &img);
        unlink(snap);
        pid_t prod = start_producer(png, "60", perr);
        const char *args[] = {"--frames", "3",      "--no-vsync", "--snapshot",
                              snap,       "--wait", "30",         NULL};
        pid_t v = start_viewer(m, args, NULL, verr);
        expect_end(v, 0, "viewer", verr);
        stop_producer(prod, perr);
        char what[96];
        snprintf(what, sizeof(what), "%s viewer", mode_name(m));
        check_snapshot(snap, &img, what);
        free_image(&img);
    }
}

static const enum kind all_kinds[] = {RGBA_ALPHA, GREY_ODD,     RGB_WIDE,
                                      GREY_ALPHA, PALETTE_TRNS, LARGE};
#define N_ALL (sizeof(all_kinds) / sizeof(all_kinds[0]))

static void snapshot_headless(void) { snapshots(HEADLESS, all_kinds, N_ALL); }
static void snapshot_dummy(void) { snapshots(DUMMY, all_kinds, N_ALL); }
static void snapshot_offscreen(void) { snapshots(OFFSCREEN, all_kinds, N_ALL); }

/* A real X11 window: xvfb-run must be there (CI installs it). */
static void snapshot_xvfb(void)
{
    static const enum kind kinds[] = {RGBA_ALPHA, GREY_ODD, PALETTE_TRNS,
                                      LARGE};
    snapshots(XVFB, kinds, sizeof(kinds) / sizeof(kinds[0]));
}

static void snapshot_xvfb_software(void)
{
    static const enum kind kinds[] = {RGBA_ALPHA, GREY_ODD};
    snapshots(XVFB_SOFTWARE, kinds, sizeof(kinds) / sizeof(kinds[0]));
}

/* Put file src into the case's directory's subdirectory sub under name,
 * whole at once (a rename), for a producer watching it. */
static void drop_into(const char *src, const char *sub, const char *name)
{
    char tmp[256], rel[96];
    snprintf(tmp, sizeof(tmp), "%s/.%s", dir, name);
    snprintf(rel, sizeof(rel), "%s/%s", sub, name);
    const char *dst = path_in_dir(rel);
    char *data = NULL;
    FILE *in = fopen(src, "rb");
    CHECK(in);
    CHECK(fseek(in, 0, SEEK_END) == 0);
    long n = ftell(in);
    CHECK(n > 0 && fseek(in, 0, SEEK_SET) == 0);
    data = malloc((size_t)n);
    CHECK(data && fread(data, 1, (size_t)n, in) == (size_t)n);
    fclose(in);
    FILE *out = fopen(tmp, "wb");
    CHECK(out && fwrite(data, 1, (size_t)n, out) == (size_t)n);
    CHECK(fclose(out) == 0);
    free(data);
    CHECK(rename(tmp, dst) == 0);
}

/* Frames of changing sizes, each published only once the viewer has shown
 * the one before (its --stats say so): the viewer shows every one and
 * keeps the last, which its snapshot must be, and it outlives the
 * producer. Waiting for the viewer, not for a while, makes this the same
 * on a busy machine: a fixed pause let a slow viewer miss the whole list. */
static void size_changes(void)
{
    setup("sizes");
    static const enum kind kinds[] = {GREY_ODD,     LARGE,      RGB_WIDE,
                                      PALETTE_TRNS, GREY_ALPHA, RGBA_ALPHA};
    enum { N = sizeof(kinds) / sizeof(kinds[0]) };
    struct image imgs[N];
    const char *pngs[N];
    for (size_t i = 0; i < N; i++)
        pngs[i] = write_image(kinds[i], &imgs[i]);
    const char *snap = path_in_dir("snap.png");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    const char *perr = path_in_dir("producer.err");
    const enum mode modes[] = {HEADLESS, DUMMY, XVFB};
    for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        unlink(snap);
        char tag[32];
        snprintf(tag, sizeof(tag), "watch-%zu", m);
        const char *watch = path_in_dir(tag);
        CHECK(mkdir(watch, 0700) == 0);
        const char *args[] = {"--stats", "--snapshot", snap, NULL};
        pid_t v = start_viewer(modes[m], args, out, err);
        const char *argv[] = {
            PRODUCER_PATH, "--quiet",   "--name",  seg,   "--fps", "0",
            "--max-size",  "1500x1100", "--watch", watch, NULL};
        pid_t p = start(argv, NULL, NULL, perr);
        /* It watches the directory before it makes the segment (a file
         * there already would not be published). */
        int64_t end = now_ns() + APPEAR_TIMEOUT_MS * MS;
        struct frame_info info;
        while (frame_segment_info(seg, &info) != 0) {
            CHECK(still_running(p) && now_ns() < end);
            sleep_ms(20);
        }
        for (size_t i = 0; i < N; i++) {
            /* Every frame before this one is counted in a line already
             * printed: a later line showing a frame shows this one. */
            int from = file_lines(out);
            char name[32];
            snprintf(name, sizeof(name), "%02zu.png", i);
            drop_into(pngs[i], tag, name);
            wait_until_shown(out, from, err);
        }
        /* The producer goes; the viewer stays, keeping the last frame. */
        stop_producer(p, perr);
        if (modes[m] == HEADLESS)
            wait_for_text(err, "producer stopped");
        int lines = file_lines(out);
        wait_for_lines(out, lines + 2, err);
        CHECK(still_running(v));
        stop_viewer(v, modes[m]);
        expect_end(v, 0, "viewer", err);
        check_snapshot(snap, &imgs[N - 1], mode_name(modes[m]));
    }
    for (size_t i = 0; i < N; i++)
        free_image(&imgs[i]);
}

/* A viewer with --stats and --snapshot, and where its files and the
 * producer's stderr go (in the case's directory). */
struct snap_run {
    enum mode m;
    const char *snap, *out, *err, *perr;
    pid_t viewer;
};

static void snap_run_start(struct snap_run *r, enum mode m)
{
    r->m = m;
    r->snap = path_in_dir("snap.png");
    r->out = path_in_dir("viewer.out");
    r->err = path_in_dir("viewer.err");
    r->perr = path_in_dir("producer.err");
    const char *args[] = {"--stats", "--snapshot", r->snap, NULL};
    r->viewer = start_viewer(m, args, r->out, r->err);
}

/* The viewer stopped ends cleanly, then the producer is stopped: the
 * snapshot taken on the way out must be img. */
static void snap_run_end(struct snap_run *r, pid_t producer,
                         const struct image *img, const char *what)
{
    stop_viewer(r->viewer, r->m);
    expect_end(r->viewer, 0, "viewer", r->err);
    stop_producer(producer, r->perr);
    check_snapshot(r->snap, img, what);
}

/* Viewer first; producer A; A killed; producer B with another image: the
 * same viewer follows and its snapshot is B's. */
static void follow_restart(enum mode m)
{
    setup(mode_name(m));
    struct image a, b;
    const char *png_a = write_image(RGBA_ALPHA, &a);
    const char *png_b = write_image(GREY_ODD, &b);
    struct snap_run run;
    snap_run_start(&run, m);
    if (m == HEADLESS)
        wait_for_text(run.err, "waiting for producer");
    else
        sleep_ms(500);

    pid_t pa = start_producer(png_a, "30", run.perr);
    wait_until_shown(run.out, 0, run.err);
    kill_child(pa, EXIT_TIMEOUT_MS, "producer", run.perr);
    if (m == HEADLESS)
        wait_for_text(run.err, "producer lost");

    /* Every stats interval that starts after B does counts B's frames
     * only: A is dead by now. */
    int from = file_lines(run.out) + 1;
    pid_t pb = start_producer(png_b, "30", run.perr);
    wait_until_shown(run.out, from, run.err);
    snap_run_end(&run, pb, &b, "viewer after the restart");
    free_image(&a);
    free_image(&b);
}

static void follow_restart_headless(void) { follow_restart(HEADLESS); }
static void follow_restart_window(void) { follow_restart(DUMMY); }

/* An object that is not a segment: said clearly, then replaced by a real
 * producer, which the viewer then shows. */
static void bad_segment(enum mode m)
{
    setup(mode_name(m));
    char path[128];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", seg);
    int fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, 8192) == 0);
    uint8_t junk[8192];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    CHECK(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
    close(fd);

    struct image img;
    const char *png = write_image(PALETTE_TRNS, &img);
    struct snap_run run;
    snap_run_start(&run, m);
    wait_for_text(run.err, "not a libframe segment");
    sleep_ms(300); /* still alive, still trying */
    CHECK(still_running(run.viewer));

    pid_t p = start_producer(png, "30", run.perr);
    wait_until_shown(run.out, 0, run.err);
    snap_run_end(&run, p, &img, "viewer after a bad segment");
    free_image(&img);
}

static void bad_segment_headless(void) { bad_segment(HEADLESS); }
static void bad_segment_window(void) { bad_segment(DUMMY); }

/* --wait 1 and nobody comes: status 1, one line on stderr, in time. */
static void wait_no_producer(void)
{
    setup("nobody");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    const enum mode modes[] = {HEADLESS, DUMMY};
    for (size_t i = 0; i < 2; i++) {
        const char *args[] = {"--wait", "1", NULL};
        int64_t t0 = now_ns();
        pid_t v = start_viewer(modes[i], args, out, err);
        expect_end(v, 1, "viewer", err);
        int64_t ms = (now_ns() - t0) / MS;
        char *e = read_text(err);
        size_t len = e ? strlen(e) : 0;
        if (file_lines(err) != 1 || len == 0 || e[len - 1] != '\n' ||
            strncmp(e, "viewer: ", 8) != 0) {
            print_file("viewer stderr", err);
            CHECK(!"expected exactly one 'viewer: ...' line");
        }
        free(e);
        CHECK(file_lines(out) == 0);
        if (ms < 900 || ms > 20000) {
            fprintf(stderr, "%s: gave up after %lld ms\n", mode_name(modes[i]),
                    (long long)ms);
            CHECK(!"--wait 1 not honoured");
        }
    }
}

/* ------------------------------------------------------------------ */
/* Leases: the viewer holds what it reads, behind a writer at full speed */

/* Frames whose every pixel depends on the frame number, with a checksum
 * row (pattern.h): a frame mixed from two writes never passes. */
#define WIDTH 1920
#define HEIGHT 1080
#include "pattern.h"

/* In a forked child: seg's writer with `slots` slots, publishing pattern
 * frames 1, 2, ... as fast as it can until killed; _exit(1) on an error.
 * With token >= 0, after each frame it first waits for a byte on token
 * (a hoarder's word that it holds that frame). */
static pid_t start_pattern_writer(uint32_t slots, int token)
{
    pid_t pid = fork_child();
    if (pid)
        return pid;
    struct frame_format fmt = {
        .max_width = WIDTH, .max_height = HEIGHT, .slot_count = slots};
    frame_writer *w;
    if (frame_writer_create(seg, &fmt, &w, NULL))
        _exit(1);
    for (uint64_t n = 1;; n++) {
        struct frame_buffer b;
        if (frame_writer_begin(w, WIDTH, HEIGHT, &b))
            _exit(1);
        fill_frame(b.pixels, b.stride, n);
        if (frame_writer_commit(w, 0, n))
            _exit(1);
        char c;
        if (token >= 0 && read(token, &c, 1) != 1)
            _exit(1);
    }
}

/* The inverse of an odd number modulo 2^32 (Newton's iteration). */
static uint32_t inverse_u32(uint32_t a)
{
    uint32_t x = a; /* right in the low 3 bits */
    for (int i = 0; i < 5; i++)
        x *= 2 - a * x;
    return x;
}

/* The snapshot must be one of the pattern writer's frames exactly: its
 * number read from the first pixel, every pixel and the checksum row
 * checked against it. */
static void check_pattern_snapshot(const char *path, const char *what)
{
    struct decoded png;
    decode_png(path, false, &png);
    CHECK(png.w == WIDTH && png.h == HEIGHT);
    CHECK(png.color_type == PNG_COLOR_TYPE_RGB_ALPHA && png.bit_depth == 8);
    uint8_t *px = malloc((size_t)WIDTH * HEIGHT * 4);
    CHECK(px);
    for (uint32_t y = 0; y < HEIGHT; y++)
        for (uint32_t x = 0; x < WIDTH; x++)
            for (int c = 0; c < 4; c++)
                px[((size_t)y * WIDTH + x) * 4 + (size_t)c] =
                    (uint8_t)decoded_sample(&png, x, y, c);
    uint32_t p0;
    memcpy(&p0, px, 4);
    uint64_t frame_no = (uint32_t)(p0 * inverse_u32(0x9e3779b1u));
    bool whole = verify_frame(px, WIDTH * 4, frame_no);
    fprintf(stderr, "%s: snapshot of frame %llu, %s\n", what,
            (unsigned long long)frame_no, whole ? "whole" : "TORN");
    CHECK(whole);
    free(px);
    decoded_free(&png);
}

/* The viewer with --stats, and --snapshot snap if snap is not NULL. */
static pid_t lease_viewer(enum mode m, const char *snap, const char *out,
                          const char *err)
{
    const char *args[] = {
        "--stats", "--no-vsync", "--wait", "30", snap ? "--snapshot" : NULL,
        snap,      NULL};
    return start_viewer(m, args, out, err);
}

#define STARVED_TEXT "readers hold more slots than the writer can spare"

/* A writer at full speed at 1920x1080 with 3 slots: the viewer holds each
 * frame while it copies or uploads it, so however slow that is next to the
 * writer it shows whole frames and is never starved. */
static void full_speed(enum mode m)
{
    setup(mode_name(m));
    const char *snap = path_in_dir("snap.png");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    pid_t w = start_pattern_writer(3, -1);
    pid_t v = lease_viewer(m, snap, out, err);
    wait_until_shown(out, 0, err);
    /* A few more seconds of figures: time for a starved message to be
     * said (the viewer looks once a second), not a bound on anything. */
    int lines = file_lines(out);
    wait_for_lines(out, lines + 3, err);
    stop_viewer(v, m);
    expect_end(v, 0, "viewer", err);
    kill_child(w, EXIT_TIMEOUT_MS, "writer", NULL);
    print_file("viewer stdout", out);
    if (file_has(err, STARVED_TEXT) || file_has(err, "starv")) {
        print_file("viewer stderr", err);
        CHECK(!"the viewer said it was starved with a slot to spare");
    }
    check_pattern_snapshot(snap, mode_name(m));
}

static void full_speed_headless(void) { full_speed(HEADLESS); }
static void full_speed_dummy(void) { full_speed(DUMMY); }
static void full_speed_xvfb(void) { full_speed(XVFB); }

/* In a forked child: a hostile reader of seg that holds every frame,
 * newest first, and never lets one go. It says 'h' on `ready` once it has
 * held two distinct slots, and a byte on `token` for every frame held: the
 * writer waits for it, so every frame is held before the next one is
 * written and every slot's frame stays held (whether the library counts
 * holds per slot or per frame). */
static pid_t start_hoarder(int ready, int token)
{
    pid_t pid = fork_child();
    if (pid)
        return pid;
    frame_reader *r;
    if (frame_reader_open_flags(seg, FRAME_OPEN_WAIT, &r))
        _exit(1);
    uint32_t slots = 0;
    uint64_t last = 0;
    for (;;) {
        struct frame_view v;
        if (frame_reader_hold(r, &v) == 0 && v.frame_no != last) {
            last = v.frame_no;
            if (write(token, "t", 1) != 1)
                _exit(1);
            uint32_t had = slots;
            slots |= 1u << v.slot;
            if (had != slots && __builtin_popcount(slots) == 2 &&
                write(ready, "h", 1) != 1)
                _exit(1);
        }
        frame_reader_wait(r, 100);
    }
}

/* The one case the viewer still calls starved: a reader holds every slot
 * of 2 and never lets go, behind a writer at full speed (as far as the
 * hoarder lets it: one frame per frame held). The viewer says
 * so (what to do included), and whatever it showed was whole. */
static void hoarded(enum mode m)
{
    setup(mode_name(m));
    const char *snap = path_in_dir("snap.png");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    int ready[2], token[2];
    CHECK(pipe(ready) == 0 && pipe(token) == 0);
    pid_t w = start_pattern_writer(2, token[0]);
    pid_t h = start_hoarder(ready[1], token[1]);
    struct pollfd pfd = {.fd = ready[0], .events = POLLIN};
    char c = 0;
    CHECK(poll(&pfd, 1, APPEAR_TIMEOUT_MS) == 1);
    CHECK(read(ready[0], &c, 1) == 1 && c == 'h');
    struct frame_info info;
    CHECK_RC(frame_segment_info(seg, &info), 0);
    fprintf(stderr, "hoarder ready: %u of %u slots locked\n", info.slots_held,
            info.slot_count);
    /* The window's snapshot at exit is a copy taken then, which a hoarder
     * may well make impossible: only the headless one (the last frame
     * shown) is asked for. */
    pid_t v = lease_viewer(m, m == HEADLESS ? snap : NULL, out, err);
    wait_for_text(err, STARVED_TEXT);
    stop_viewer(v, m);
    int st = exit_code(v, EXIT_TIMEOUT_MS, "viewer", err);
    kill_child(h, EXIT_TIMEOUT_MS, "hoarder", NULL);
    kill_child(w, EXIT_TIMEOUT_MS, "writer", NULL);
    close(ready[0]);
    close(ready[1]);
    close(token[0]);
    close(token[1]);
    print_file("viewer stdout", out);
    print_file("viewer stderr", err);
    CHECK(file_count(err, STARVED_TEXT) == 1);
    CHECK(file_has(err, "--slots"));
    if (m != HEADLESS) {
        CHECK(st == 0);
        return;
    }
    /* Shown nothing is possible (every frame it held overwritten); shown
     * something torn is not. */
    if (st != 0) {
        CHECK(st == 1 && file_has(err, "no frame was shown"));
        CHECK(!shown_since(out, 0));
        return;
    }
    check_pattern_snapshot(snap, "headless, hoarded");
}

static void hoarded_headless(void) { hoarded(HEADLESS); }
static void hoarded_dummy(void) { hoarded(DUMMY); }

static double rusage_seconds(const struct rusage *ru)
{
    return ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 +
           ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
}

/* A producer publishing every 2 s: the viewer sleeps between frames. */
static void idle_cpu(void)
{
    setup("idle");
    struct image img;
    const char *png = write_image(RGBA_ALPHA, &img);
    const char *snap = path_in_dir("snap.png");
    const char *err = path_in_dir("viewer.err");
    const char *perr = path_in_dir("producer.err");
    pid_t p = start_producer(png, "0.5", perr);
    /* The bound is loose (a busy loop would use ~4 s), for ASan and a
     * loaded machine; the CPU used is printed for the record. */
    const struct {
        enum mode m;
        double max_s;
    } runs[] = {{HEADLESS, 0.5}, {DUMMY, 1.5}, {XVFB, 2.5}};
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        unlink(snap);
        const char *args[] = {"--seconds", "4", "--snapshot", snap, NULL};
        /* What wait4() would say of the viewer: reaping it adds its
         * usage (and that of what it reaped, Xvfb under xvfb-run) to the
         * children's total, and nothing else is reaped meanwhile. */
        struct rusage before, after;
        CHECK(getrusage(RUSAGE_CHILDREN, &before) == 0);
        pid_t v = start_viewer(runs[i].m, args, NULL, err);
        expect_end(v, 0, "viewer", err);
        CHECK(getrusage(RUSAGE_CHILDREN, &after) == 0);
        double cpu = rusage_seconds(&after) - rusage_seconds(&before);
        fprintf(stderr, "%s viewer: %.3f s of CPU in 4 s%s\n",
                mode_name(runs[i].m), cpu,
                runs[i].m == XVFB ? " (with Xvfb and xvfb-run)" : "");
        CHECK(cpu < runs[i].max_s);
        check_snapshot(snap, &img, mode_name(runs[i].m));
    }
    stop_producer(p, perr);
    free_image(&img);
}

/* No display and no --headless: SDL 2.26 would open its offscreen driver,
 * a window nobody sees; the viewer says so and runs headless with its
 * stats instead, and the snapshot is the frame. Skipped where SDL could
 * open a KMS display (/dev/dri). */
static void no_display_headless(void)
{
    if (access("/dev/dri", F_OK) == 0)
        exit(SKIP);
    setup("nodisplay");
    const char *snap = path_in_dir("snap.png");
    const char *out = path_in_dir("viewer.out");
    const char *perr = path_in_dir("producer.err");
    const char *verr = path_in_dir("viewer.err");
    struct image img;
    const char *png = write_image(RGBA_ALPHA, &img);
    pid_t prod = start_producer(png, "30", perr);
    /* 45 frames at 30 fps: over a second, so a stats line (one a second
     * from the start) however late the producer's first frame comes. */
    const char *args[] = {"--name", seg,  "--frames", "45", "--snapshot",
                          snap,     "--wait", "30",   NULL};
    /* DUMMY's SDL_VIDEODRIVER=dummy taken back: SDL chooses. */
    const char *env[] = {"SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY",
                         NULL};
    pid_t v = start_viewer_with(DUMMY, args, env, out, verr);
    expect_end(v, 0, "viewer", verr);
    stop_producer(prod, perr);
    if (!file_has(verr, "viewer: no display (") ||
        !file_has(verr, "running headless") || !file_has(out, "shown ")) {
        print_file("stderr", verr);
        print_file("stdout", out);
        CHECK(!"no word of the missing display, or no stats");
    }
    check_snapshot(snap, &img, "viewer without a display");
    free_image(&img);
}

/* Bad usage exits 2 with a message; --help and --version exit 0. */
static void bad_usage(void)
{
    setup("usage");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    static const char *const bad[][4] = {
        {"--no-such-option", NULL},   {"--frames", "0", NULL},
        {"--frames", "many", NULL},   {"--seconds", "-1", NULL},
        {"--seconds", "0", NULL},     {"--wait", "soon", NULL},
        {"--name", "bad/name", NULL}, {"--name", "a..b", NULL},
        {"--snapshot", "", NULL},     {"bad/argument", NULL},
        {"--frames", NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *argv[6] = {VIEWER_PATH};
        for (int j = 0; bad[i][j]; j++)
            argv[j + 1] = bad[i][j];
        pid_t v = start(argv, NULL, out, err);
        expect_end(v, 2, "viewer", err);
        if (!file_has(err, "viewer: ") || !file_has(err, "--help")) {
            print_file("stderr", err);
            CHECK(!"bad usage without a message");
        }
    }
    const char *help[] = {VIEWER_PATH, "--help", NULL};
    expect_end(start(help, NULL, out, err), 0, "viewer --help", err);
    CHECK(file_has(out, "Usage: viewer"));
    const char *version[] = {VIEWER_PATH, "--version", NULL};
    expect_end(start(version, NULL, out, err), 0, "viewer --version", err);
    char want[64];
    snprintf(want, sizeof(want), "viewer (libframe) %s\n",
             frame_version_string());
    CHECK(file_has(out, want));
}

/* ------------------------------------------------------------------ */
/* Every pixel format, from a writer of its own                        */

/* Sample c of plane p at (x, y) of the test frames: every byte of a
 * 16-bit sample varies, and neighbours differ in the low byte alone. */
static unsigned format_sample(uint32_t format, int p, uint32_t x, uint32_t y,
                              int c)
{
    if (format == FRAME_FORMAT_GRAY16 || format == FRAME_FORMAT_RGBA16) {
        unsigned hi = (x / 2 * 29 + y * 53 + (unsigned)c * 71) & 0xff;
        unsigned lo = (x * 97 + y * 13 + (unsigned)c * 5) & 0xff;
        return hi << 8 | lo;
    }
    if (format == FRAME_FORMAT_I420 || format == FRAME_FORMAT_NV12) {
        /* Y over the whole 16..235 range and beyond it; chroma per 2x2
         * block across the whole byte, grey (128) among them. */
        if (p == 0)
            return (x * 23 + y * 41) & 0xff;
        return c == 0 ? (x * 67 + y * 31 + 128) & 0xff
                      : (x * 19 + y * 83 + 128) & 0xff;
    }
    return (x * 31 + y * 17 + (unsigned)c * 90 + (unsigned)p) & 0xff;
}

/* Fill img (format, size and planes set) with format_sample(). */
static void fill_format(const struct frame_image *img)
{
    const struct frame_format_desc *d = frame_format_desc(img->format);
    CHECK(d);
    for (uint32_t p = 0; p < d->plane_count; p++) {
        uint32_t pw = (img->width + (1u << d->plane[p].x_shift) - 1) >>
                      d->plane[p].x_shift;
        uint32_t ph = (img->height + (1u << d->plane[p].y_shift) - 1) >>
                      d->plane[p].y_shift;
        uint32_t n = d->plane[p].samples;
        for (uint32_t y = 0; y < ph; y++) {
            uint8_t *row = img->plane[p] + (size_t)y * img->stride[p];
            for (uint32_t x = 0; x < pw; x++) {
                for (uint32_t c = 0; c < n; c++) {
                    /* NV12's one chroma plane holds U then V. */
                    int ch = img->format == FRAME_FORMAT_NV12 && p == 1 ? (int)c
                             : img->format == FRAME_FORMAT_I420 && p == 2
                                 ? 1
                                 : (int)c;
                    unsigned v = format_sample(img->format, (int)p, x, y, ch);
                    uint8_t *s =
                        row + ((size_t)x * n + c) * d->bytes_per_sample;
                    s[0] = (uint8_t)v;
                    if (d->bytes_per_sample == 2)
                        s[1] = (uint8_t)(v >> 8); /* little-endian */
                }
            }
        }
    }
}

/* A writer in a child process: seg sized for w x h frames of format,
 * publishing one (rows padded to stride_align) every 50 ms until killed,
 * the same samples each time. */
static pid_t start_format_writer(uint32_t format, uint32_t w, uint32_t h,
                                 uint32_t stride_align)
{
    pid_t pid = fork_child();
    if (pid)
        return pid;
    /* Room for the padding as well: each side doubled. */
    struct frame_format fmt = {
        .max_width = w * 2, .max_height = h * 2, .pixel_format = format};
    frame_writer *wr;
    if (frame_writer_create(seg, &fmt, &wr, NULL))
        _exit(1);
    for (;;) {
        struct frame_buffer b;
        if (frame_writer_begin_format(wr, format, w, h, stride_align, &b))
            _exit(1);
        fill_format(&b.image);
        if (frame_writer_commit(wr, 0, 0))
            _exit(1);
        sleep_ms(50);
    }
}

static uint8_t clamp_round(double v)
{
    return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)lround(v);
}

/* The snapshot of a frame of format must hold its samples at its own
 * depth: grey and RGB(A) as they are (16-bit ones in full), BGRA8 as RGBA,
 * YUV as 8-bit RGB, equal to what frame_convert() gives and within one of
 * BT.601's limited-range formula in floating point. */
static void check_format_snapshot(const char *path, uint32_t format, uint32_t w,
                                  uint32_t h, const char *what)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    struct decoded png;
    decode_png(path, false, &png);
    CHECK(png.w == w && png.h == h);
    static const struct {
        int type, depth;
    } want[FRAME_FORMAT_MAX + 1] = {
        [FRAME_FORMAT_RGBA8] = {PNG_COLOR_TYPE_RGB_ALPHA, 8},
        [FRAME_FORMAT_BGRA8] = {PNG_COLOR_TYPE_RGB_ALPHA, 8},
        [FRAME_FORMAT_RGB8] = {PNG_COLOR_TYPE_RGB, 8},
        [FRAME_FORMAT_GRAY8] = {PNG_COLOR_TYPE_GRAY, 8},
        [FRAME_FORMAT_GRAY16] = {PNG_COLOR_TYPE_GRAY, 16},
        [FRAME_FORMAT_RGBA16] = {PNG_COLOR_TYPE_RGB_ALPHA, 16},
        [FRAME_FORMAT_I420] = {PNG_COLOR_TYPE_RGB, 8},
        [FRAME_FORMAT_NV12] = {PNG_COLOR_TYPE_RGB, 8},
    };
    if (png.color_type != want[format].type ||
        png.bit_depth != want[format].depth) {
        fprintf(stderr,
                "%s: %s snapshot is PNG colour type %d depth %d, "
                "expected %d depth %d\n",
                what, d->name, png.color_type, png.bit_depth, want[format].type,
                want[format].depth);
        CHECK(!"snapshot not at the frame's own format and depth");
    }

    /* The YUV frame through the library, for the exact comparison. */
    uint8_t *conv = NULL;
    struct frame_image rgb = {0};
    if (d->is_yuv) {
        struct frame_image src;
        size_t n = frame_image_layout(NULL, format, w, h, 1, NULL);
        uint8_t *buf = malloc(n);
        CHECK(buf);
        frame_image_layout(&src, format, w, h, 1, buf);
        fill_format(&src);
        conv = malloc((size_t)w * h * 3);
        CHECK(conv);
        frame_image_layout(&rgb, FRAME_FORMAT_RGB8, w, h, 1, conv);
        CHECK_RC(frame_convert(&rgb, &src), 0);
        free(buf);
    }

    size_t bad = 0;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            for (int c = 0; c < png.out_channels; c++) {
                unsigned got = decoded_sample(&png, x, y, c);
                unsigned exp;
                switch (format) {
                case FRAME_FORMAT_BGRA8: /* file R, G, B, A from B, G, R, A */
                    exp = format_sample(format, 0, x, y, c == 3 ? 3 : 2 - c);
                    break;
                case FRAME_FORMAT_I420:
                case FRAME_FORMAT_NV12: {
                    exp = conv[((size_t)y * w + x) * 3 + (size_t)c];
                    double Y = format_sample(format, 0, x, y, 0);
                    double U = format_sample(format, 1, x / 2, y / 2, 0);
                    double V = format_sample(format, 1, x / 2, y / 2, 1);
                    double l = 1.164383 * (Y - 16);
                    uint8_t f =
                        clamp_round(c == 0   ? l + 1.596027 * (V - 128)
                                    : c == 1 ? l - 0.391762 * (U - 128) -
                                                   0.812968 * (V - 128)
                                             : l + 2.017232 * (U - 128));
                    if (abs((int)got - (int)f) > 1 && bad++ < 5)
                        fprintf(stderr, "(%u,%u)[%d] = %u; BT.601 says %u\n", x,
                                y, c, got, f);
                    break;
                }
                default:
                    exp = format_sample(format, 0, x, y, c);
                    break;
                }
                if (got != exp && bad++ < 5)
                    fprintf(stderr, "(%u,%u)[%d] = %u, expected %u\n", x, y, c,
                            got, exp);
            }
        }
    }
    if (bad) {
        fprintf(stderr, "%s: %s snapshot differs in %zu samples\n", what,
                d->name, bad);
        CHECK(!"snapshot samples differ from the frame's");
    }
    free(conv);
    decoded_free(&png);
}

/* Frames of each format from a writer of their own, shown by the viewer in
 * mode m: its snapshot holds the frame's own samples. An odd size with
 * padded rows and an even one with tight rows. */
static void formats(enum mode m, const uint32_t *fmts, size_t n)
{
    setup(mode_name(m));
    const char *snap = path_in_dir("snap.png");
    const char *out = path_in_dir("viewer.out");
    const char *err = path_in_dir("viewer.err");
    static const struct {
        uint32_t w, h, align;
    } sizes[] = {{37, 23, 64}, {64, 48, 1}};
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < 2; k++) {
            const struct frame_format_desc *d = frame_format_desc(fmts[i]);
            pid_t wr = start_format_writer(fmts[i], sizes[k].w, sizes[k].h,
                                           sizes[k].align);
            unlink(snap);
            const char *args[] = {"--frames",   "2",  "--no-vsync",
                                  "--snapshot", snap, "--wait",
                                  "30",         NULL};
            pid_t v = start_viewer(m, args, out, err);
            expect_end(v, 0, "viewer", err);
            kill_child(wr, EXIT_TIMEOUT_MS, "writer", NULL);
            test_unlink(seg);
            char what[96];
            snprintf(what, sizeof(what), "%s viewer, %ux%u", mode_name(m),
                     sizes[k].w, sizes[k].h);
            fprintf(stderr, "%s: %s\n", what, d->name);
            check_format_snapshot(snap, fmts[i], sizes[k].w, sizes[k].h, what);
        }
    }
}

static const uint32_t all_formats[] = {FRAME_FORMAT_RGBA8,  FRAME_FORMAT_BGRA8,
                                       FRAME_FORMAT_RGB8,   FRAME_FORMAT_GRAY8,
                                       FRAME_FORMAT_GRAY16, FRAME_FORMAT_RGBA16,
                                       FRAME_FORMAT_I420,   FRAME_FORMAT_NV12};
#define N_FORMATS (sizeof(all_formats) / sizeof(all_formats[0]))

static void formats_headless(void)
{
    formats(HEADLESS, all_formats, N_FORMATS);
}
static void formats_dummy(void) { formats(DUMMY, all_formats, N_FORMATS); }
/* A real window: GL takes RGBA8, BGRA8, RGB8, IYUV and NV12 textures. */
static void formats_xvfb(void) { formats(XVFB, all_formats, N_FORMATS); }
/* SDL's software renderer takes none of RGB24, IYUV, NV12: the library
 * converts them for display. */
static void formats_xvfb_software(void)
{
    static const uint32_t f[] = {FRAME_FORMAT_RGB8, FRAME_FORMAT_GRAY16,
                                 FRAME_FORMAT_I420, FRAME_FORMAT_NV12};
    formats(XVFB_SOFTWARE, f, sizeof(f) / sizeof(f[0]));
}

TEST_MAIN(CASE(snapshot_headless), CASE(snapshot_dummy),
          CASE(snapshot_offscreen), CASE(snapshot_xvfb),
          CASE(snapshot_xvfb_software), CASE(size_changes),
          CASE(follow_restart_headless), CASE(follow_restart_window),
          CASE(bad_segment_headless), CASE(bad_segment_window),
          CASE(wait_no_producer), CASE(idle_cpu), CASE(bad_usage),
          CASE(no_display_headless),
          CASE(full_speed_headless), CASE(full_speed_dummy),
          CASE(full_speed_xvfb), CASE(hoarded_headless), CASE(hoarded_dummy),
          CASE(formats_headless), CASE(formats_dummy), CASE(formats_xvfb),
          CASE(formats_xvfb_software))
