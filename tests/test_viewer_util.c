/* What the viewer's end-to-end tests share: each case's directory and
 * segments, how the producer and the viewer are run (headless, SDL's dummy
 * and offscreen drivers, a real X11 window under xvfb-run), known images,
 * and waiting for what the viewer says. */
#include "test_viewer_util.h"

#include "png_load.h"

#include <png.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef VIEWER_PATH
#error "build with -DVIEWER_PATH=... and -DPRODUCER_PATH=..."
#endif

/* ------------------------------------------------------------------ */
/* Each case's directory, segment and children                          */

/* A private directory per case, emptied and removed at exit. */
char dir[64];
static char made[32][128];
static int n_made;

const char *path_in_dir(const char *file)
{
    CHECK(n_made < 32);
    snprintf(made[n_made], sizeof(made[n_made]), "%s/%s", dir, file);
    return made[n_made++];
}

char seg[FRAME_NAME_MAX + 1];
static pid_t owner;
/* More segments of the case (seg_more()), removed at exit too. */
static char more[8][FRAME_NAME_MAX + 1];
static int n_more;

void cleanup(void)
{
    if (getpid() != owner)
        return;
    kill_children();
    if (seg[0])
        test_unlink(seg);
    for (int i = 0; i < n_more; i++)
        test_unlink(more[i]);
    for (int i = n_made - 1; i >= 0; i--)
        if (unlink(made[i]) != 0 && errno == EISDIR)
            rmdir(made[i]);
    if (dir[0])
        rmdir(dir);
}

void setup(const char *tag)
{
    static bool registered;
    /* All cases in one process (no argument): the last one's leftovers
     * go first. */
    if (registered) {
        cleanup();
        n_made = n_more = 0;
        dir[0] = seg[0] = '\0';
    }
    owner = getpid();
    if (!registered)
        atexit(cleanup);
    registered = true;
    snprintf(seg, sizeof(seg), "%s", test_name(tag));
    snprintf(dir, sizeof(dir), "/tmp/test_viewer-%d-XXXXXX", (int)getpid());
    CHECK(mkdtemp(dir));
}

/* ------------------------------------------------------------------ */
/* Processes                                                            */

/* Every child leads its own process group, so xvfb-run's Xvfb goes too. */
pid_t start(const char *const *argv, const char *const *env, const char *out,
            const char *err)
{
    return spawn(&(struct spawn_opts){
        .argv = argv, .env = env, .out = out, .err = err, .group = true});
}

pid_t start_producer(const char *png, const char *fps, const char *err)
{
    const char *argv[] = {PRODUCER_PATH, "--quiet", "--name", seg,
                          "--fps",       fps,       png,      NULL};
    return start(argv, NULL, NULL, err);
}

/* SIGTERM: the producer closes the segment and removes it. */
void stop_producer(pid_t pid, const char *err)
{
    stop_child(pid, SIGTERM, EXIT_TIMEOUT_MS, "producer", err);
}

/* A viewer or producer that ends by itself, with status want. */
void expect_end(pid_t pid, int want, const char *what, const char *err)
{
    expect_exit(pid, want, EXIT_TIMEOUT_MS, what, err);
}

/* ------------------------------------------------------------------ */
/* How the viewer is run                                                */

const char *mode_name(enum mode m)
{
    static const char *names[] = {"headless", "dummy", "offscreen", "xvfb",
                                  "xvfb-software"};
    return names[m];
}

/*
 * Mesa's GL drivers are dlopen()ed and closed again, and LeakSanitizer then
 * reports their allocations with no frame it could suppress; sanitized
 * builds therefore draw with SDL's software renderer (and no GL-backed
 * window surface). Plain builds use whatever SDL picks, GL under Xvfb.
 */
#ifdef VIEWER_TEST_SANITIZED
#define GL_ENV "SDL_RENDER_DRIVER=software", "SDL_FRAMEBUFFER_ACCELERATION=0"
#else
#define GL_ENV "SDL_RENDER_DRIVER"
#endif
#define LSAN_ENV "LSAN_OPTIONS=suppressions=" VIEWER_LSAN_SUPP

pid_t start_viewer_with(enum mode m, const char *const *args,
                        const char *const *env_extra, const char *out,
                        const char *err)
{
    struct cmdline c = {.argc = 0};
    char display[16];
    if (m == XVFB || m == XVFB_SOFTWARE) {
        if (!find_in_path("xvfb-run")) {
            fprintf(stderr, "xvfb-run is not installed (Debian: apt-get "
                            "install xvfb xauth); this test needs it\n");
            CHECK(!"xvfb-run missing");
        }
        /* -a looks for a free display from -n upwards; starting from a
         * number of our own keeps parallel cases from racing for :99. */
        snprintf(display, sizeof(display), "%d", 100 + (int)getpid() % 30000);
        const char *xvfb[] = {
            "xvfb-run", "-a", "-n",
            display,    "-s", "-screen 0 1280x1024x24 -nolisten tcp",
            NULL};
        cmdline_add_all(&c, xvfb);
    }
    const char *viewer[] = {VIEWER_PATH, m == HEADLESS ? "--headless" : NULL,
                            NULL};
    cmdline_add_all(&c, viewer);
    cmdline_add_all(&c, args);

    static const char *const modes[][5] = {
        [HEADLESS] = {LSAN_ENV, NULL},
        [DUMMY] = {LSAN_ENV, "SDL_VIDEODRIVER=dummy", NULL},
        [OFFSCREEN] = {LSAN_ENV, "SDL_VIDEODRIVER=offscreen", GL_ENV, NULL},
        [XVFB] = {LSAN_ENV, "SDL_VIDEODRIVER", GL_ENV, NULL},
        [XVFB_SOFTWARE] = {LSAN_ENV, "SDL_VIDEODRIVER",
                           "SDL_RENDER_DRIVER=software",
                           "SDL_FRAMEBUFFER_ACCELERATION=0", NULL},
    };
    const char *env[16];
    size_t n = 0;
    for (size_t i = 0; modes[m][i]; i++)
        env[n++] = modes[m][i];
    for (size_t i = 0; env_extra && env_extra[i]; i++) {
        CHECK(n < sizeof(env) / sizeof(env[0]) - 1);
        env[n++] = env_extra[i];
    }
    env[n] = NULL;
    return start(c.argv, env, out, err);
}

pid_t start_viewer(enum mode m, const char *const *args, const char *out,
                   const char *err)
{
    struct cmdline c = {.argc = 0};
    const char *name[] = {"--name", seg, NULL};
    cmdline_add_all(&c, name);
    cmdline_add_all(&c, args);
    return start_viewer_with(m, c.argv, NULL, out, err);
}

/* The viewer process itself: under xvfb-run it is a grandchild, found in
 * the group by its executable. */
pid_t viewer_pid(pid_t leader, enum mode m)
{
    if (m != XVFB && m != XVFB_SOFTWARE)
        return leader;
    char want[4096];
    CHECK(realpath(VIEWER_PATH, want));
    int64_t end = now_ns() + APPEAR_TIMEOUT_MS * MS;
    for (;;) {
        DIR *d = opendir("/proc");
        CHECK(d);
        struct dirent *e;
        pid_t found = 0;
        while (!found && (e = readdir(d))) {
            pid_t pid = (pid_t)atoi(e->d_name);
            if (pid <= 0 || getpgid(pid) != leader)
                continue;
            char link[64], exe[4096];
            snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
            ssize_t n = readlink(link, exe, sizeof(exe) - 1);
            if (n > 0) {
                exe[n] = '\0';
                if (strcmp(exe, want) == 0)
                    found = pid;
            }
        }
        closedir(d);
        if (found)
            return found;
        CHECK(now_ns() < end);
        sleep_ms(20);
    }
}

/* SIGTERM to the viewer (not to xvfb-run, which would not pass it on). */
void stop_viewer(pid_t leader, enum mode m)
{
    CHECK(kill(viewer_pid(leader, m), SIGTERM) == 0);
}

/* ------------------------------------------------------------------ */
/* Images: known file samples and the RGBA8 a decoder must give         */

void put(uint8_t *px, uint8_t r, uint8_t g, uint8_t b, uint8_t a)
{
    px[0] = r;
    px[1] = g;
    px[2] = b;
    px[3] = a;
}

/* Fill img in place (its spec points into it: do not copy it). */
void make_image(enum kind k, struct image *img)
{
    static const struct {
        const char *tag;
        uint32_t w, h;
        int type, channels;
    } kinds[] = {
        [RGBA_ALPHA] = {"rgba-alpha", 64, 48, PNG_COLOR_TYPE_RGB_ALPHA, 4},
        [GREY_ODD] = {"grey-17x9", 17, 9, PNG_COLOR_TYPE_GRAY, 1},
        [RGB_WIDE] = {"rgb-101x3", 101, 3, PNG_COLOR_TYPE_RGB, 3},
        [GREY_ALPHA] = {"grey-alpha", 5, 11, PNG_COLOR_TYPE_GRAY_ALPHA, 2},
        [PALETTE_TRNS] = {"palette-trns", 9, 17, PNG_COLOR_TYPE_PALETTE, 1},
        [LARGE] = {"rgba-1500x1100", 1500, 1100, PNG_COLOR_TYPE_RGB_ALPHA, 4},
    };
    memset(img, 0, sizeof(*img));
    img->tag = kinds[k].tag;
    img->w = kinds[k].w;
    img->h = kinds[k].h;
    int ch = kinds[k].channels;
    size_t stride = (size_t)img->w * ch;
    img->samples = malloc(stride * img->h);
    img->expected = malloc((size_t)img->w * img->h * 4);
    CHECK(img->samples && img->expected);
    for (int i = 0; i < 16; i++) {
        img->palette[i][0] = (uint8_t)(i * 16);
        img->palette[i][1] = (uint8_t)(255 - i * 13);
        img->palette[i][2] = (uint8_t)(i * i);
    }
    for (int i = 0; i < 6; i++)
        img->trns[i] = (uint8_t)(i * 50); /* 0 .. 250 */

    for (uint32_t y = 0; y < img->h; y++) {
        for (uint32_t x = 0; x < img->w; x++) {
            uint8_t *s = img->samples + y * stride + (size_t)x * ch;
            uint8_t *e = img->expected + ((size_t)y * img->w + x) * 4;
            switch (k) {
            case RGBA_ALPHA:
            case LARGE: {
                /* Alpha runs through every value, 0 and 255 included. */
                uint8_t r = (uint8_t)(x * 4), g = (uint8_t)(y * 5),
                        b = (uint8_t)(x * y), a = (uint8_t)(x * 7 + y * 13);
                put(s, r, g, b, a);
                put(e, r, g, b, a);
                break;
            }
            case GREY_ODD: {
                uint8_t v = (uint8_t)(x * 15 + y * 29);
                s[0] = v;
                put(e, v, v, v, 255);
                break;
            }
            case RGB_WIDE: {
                uint8_t r = (uint8_t)(x * 2), g = (uint8_t)(255 - x),
                        b = (uint8_t)(y * 100);
                s[0] = r;
                s[1] = g;
                s[2] = b;
                put(e, r, g, b, 255);
                break;
            }
            case GREY_ALPHA: {
                uint8_t v = (uint8_t)(x * 50 + y), a = (uint8_t)(y * 25);
                s[0] = v;
                s[1] = a;
                put(e, v, v, v, a);
                break;
            }
            case PALETTE_TRNS: {
                uint8_t i = (uint8_t)((x + y) % 16);
                s[0] = i;
                put(e, img->palette[i][0], img->palette[i][1],
                    img->palette[i][2], i < 6 ? img->trns[i] : 255);
                break;
            }
            default:
                CHECK(!"no such image kind");
            }
        }
    }
    pngw_spec_8bit(&img->spec, kinds[k].type, img->samples, img->w, img->h,
                   stride);
    if (k == PALETTE_TRNS) {
        img->spec.palette = (const uint8_t(*)[3])img->palette;
        img->spec.palette_len = 16;
        img->spec.trans_alpha = img->trns;
        img->spec.num_trans = 6;
    }
}

const char *write_image(enum kind k, struct image *img)
{
    make_image(k, img);
    char name[64];
    snprintf(name, sizeof(name), "%s.png", img->tag);
    const char *path = path_in_dir(name);
    char err[160];
    if (pngw_write_file(path, &img->spec, err, sizeof(err)) != 0) {
        fprintf(stderr, "writing %s: %s\n", path, err);
        CHECK(!"pngw_write_file failed");
    }
    return path;
}

void free_image(struct image *img)
{
    free(img->samples);
    free(img->expected);
}

/* The snapshot must be an 8-bit RGBA PNG equal to what was published. */
void check_snapshot(const char *path, const struct image *img, const char *what)
{
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "%s: no snapshot %s\n", what, path);
        CHECK(!"snapshot missing");
    }
    /* The file's own format first: the decode below gives RGBA8 from any
     * PNG, so only 8-bit RGBA without interlacing makes it byte-exact. */
    char err[PNG_LOAD_ERR_MAX];
    struct png_header hdr;
    if (png_probe_header(path, &hdr, err, sizeof(err))) {
        fprintf(stderr, "%s: could not read %s: %s\n", what, path, err);
        CHECK(!"bad snapshot PNG");
    }
    if (hdr.width != img->w || hdr.height != img->h) {
        fprintf(stderr, "%s: snapshot of %s is %ux%u, expected %ux%u\n", what,
                img->tag, hdr.width, hdr.height, img->w, img->h);
        CHECK(!"snapshot size");
    }
    CHECK(hdr.color_type == PNG_COLOR_TYPE_RGB_ALPHA);
    CHECK(hdr.bit_depth == 8);
    CHECK(!hdr.interlaced);
    uint8_t *got;
    uint32_t w, h;
    if (png_load_file(path, &got, &w, &h, err, sizeof(err))) {
        fprintf(stderr, "%s: could not decode %s: %s\n", what, path, err);
        CHECK(!"bad snapshot PNG");
    }
    CHECK(w == img->w && h == img->h);

    size_t n = (size_t)w * h * 4, bad = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (got[i] != img->expected[i] && bad++ == 0)
            first = i;
    }
    if (bad) {
        fprintf(stderr,
                "%s: snapshot of %s differs in %zu of %zu bytes; "
                "first at pixel (%zu,%zu) channel %zu: %u, expected %u\n",
                what, img->tag, bad, n, first / 4 % w, first / 4 / w, first % 4,
                got[first], img->expected[first]);
        CHECK(!"snapshot is not byte-exact");
    }
    free(got);
}

/* ------------------------------------------------------------------ */
/* Waiting for what the viewer says                                     */

void wait_until_shown(const char *out, int from, const char *err)
{
    int64_t end = now_ns() + APPEAR_TIMEOUT_MS * MS;
    while (!shown_since(out, from)) {
        if (now_ns() > end) {
            print_file("viewer stdout", out);
            print_file("viewer stderr", err);
            CHECK(!"the viewer showed no frame");
        }
        sleep_ms(50);
    }
}

void wait_for_text(const char *path, const char *text)
{
    int64_t end = now_ns() + APPEAR_TIMEOUT_MS * MS;
    while (!file_has(path, text)) {
        if (now_ns() > end) {
            fprintf(stderr, "no '%s' in %s\n", text, path);
            print_file("file", path);
            CHECK(!"expected text did not appear");
        }
        sleep_ms(50);
    }
}

/* Until the file has at least n lines (the viewer's --stats: one a
 * second while it runs). */
void wait_for_lines(const char *path, int n, const char *err)
{
    int64_t end = now_ns() + APPEAR_TIMEOUT_MS * MS;
    while (file_lines(path) < n) {
        if (now_ns() > end) {
            print_file("viewer stdout", path);
            print_file("viewer stderr", err);
            CHECK(!"the viewer stopped printing its stats");
        }
        sleep_ms(50);
    }
}

const char *seg_more(const char *suffix)
{
    CHECK(n_more < 8);
    int n = snprintf(more[n_more], sizeof(more[n_more]), "%s-%s", seg, suffix);
    CHECK(n > 0 && n < (int)sizeof(more[n_more]));
    test_unlink(more[n_more]); /* a crashed run's */
    return more[n_more++];
}
