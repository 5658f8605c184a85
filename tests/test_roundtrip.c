/* A PNG's samples travel without loss (issue 13): every image make-samples
 * writes goes through the real `producer --format native x.png` and the
 * real `viewer --snapshot y.png`, headless and in an X window, and y holds
 * x's samples, bit for bit, 16-bit ones in full. */
#include "png_decode.h"
#include "proc.h"
#include "runner.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#if !defined(PRODUCER_PATH) || !defined(VIEWER_PATH) ||                        \
    !defined(MAKE_SAMPLES_PATH)
#error "PRODUCER_PATH, VIEWER_PATH and MAKE_SAMPLES_PATH must name programs"
#endif

/* Generous: the suite also runs under sanitizers on two loaded cores. */
#define EXIT_TIMEOUT_MS 60000
/* The window case runs every image in one Xvfb. */
#define INNER_TIMEOUT_MS 900000
/* Set for the window case's second half, run under xvfb-run. */
#define INNER_ENV "LIBFRAME_ROUNDTRIP_INNER"

static char dir[64];
static char seg[FRAME_NAME_MAX + 1];
static pid_t owner;

/* Every file the case made, then its directories. */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[512];
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        if (e->d_type == DT_DIR)
            remove_tree(sub);
        else
            unlink(sub);
    }
    closedir(d);
    rmdir(path);
}

static void cleanup(void)
{
    if (getpid() != owner)
        return;
    kill_children();
    if (seg[0])
        test_unlink(seg);
    if (dir[0])
        remove_tree(dir);
}

static void setup(const char *tag)
{
    static bool registered;
    if (registered) {
        cleanup();
        dir[0] = seg[0] = '\0';
    }
    owner = getpid();
    if (!registered)
        atexit(cleanup);
    registered = true;
    snprintf(seg, sizeof(seg), "%s", test_name(tag));
    snprintf(dir, sizeof(dir), "/tmp/test_roundtrip-%d-XXXXXX", (int)getpid());
    CHECK(mkdtemp(dir));
}

static const char *in_dir(char *buf, size_t len, const char *fmt,
                          const char *name)
{
    char file[256];
    snprintf(file, sizeof(file), fmt, name);
    /* A path that does not fit is a test bug: say so, never truncate. */
    int n = snprintf(buf, len, "%s/", dir);
    CHECK(n > 0 && (size_t)n + strlen(file) < len);
    memcpy(buf + n, file, strlen(file) + 1);
    return buf;
}

/* make-samples --test-images into dir/in: the names it lists. */
static char **make_samples(size_t *n)
{
    char in[128], log[128], list[128];
    in_dir(in, sizeof(in), "%s", "in");
    in_dir(log, sizeof(log), "%s", "make-samples.err");
    const char *argv[] = {MAKE_SAMPLES_PATH, "--test-images", in, NULL};
    pid_t pid = spawn(&(struct spawn_opts){.argv = argv, .err = log});
    expect_exit(pid, 0, EXIT_TIMEOUT_MS, "make-samples", log);
    char *text =
        read_text(in_dir(list, sizeof(list), "%s", "in/test-images.txt"));
    CHECK(text);
    char **names = NULL;
    *n = 0;
    for (char *save, *t = strtok_r(text, "\n", &save); t;
         t = strtok_r(NULL, "\n", &save)) {
        names = realloc(names, sizeof(*names) * (*n + 1));
        CHECK(names);
        names[(*n)++] = strdup(t);
    }
    free(text);
    CHECK(*n >= 60); /* every colour type, depth and tRNS kind */
    return names;
}

enum mode { HEADLESS, WINDOW };

#ifdef VIEWER_TEST_SANITIZED
/* As test_viewer: Mesa's GL leaks cannot be suppressed by name. */
#define GL_ENV "SDL_RENDER_DRIVER=software", "SDL_FRAMEBUFFER_ACCELERATION=0"
#else
#define GL_ENV "SDL_RENDER_DRIVER"
#endif
#define LSAN_ENV "LSAN_OPTIONS=suppressions=" VIEWER_LSAN_SUPP

/* The colour type the viewer's snapshot of x's native frame must have:
 * grey stays grey, tRNS and grey+alpha become RGBA, palettes RGB(A). */
static int native_png_type(const struct decoded *x, bool trns)
{
    switch (x->color_type) {
    case PNG_COLOR_TYPE_GRAY:
        return trns ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_GRAY;
    case PNG_COLOR_TYPE_RGB:
        /* 16-bit RGB has no format of its own: RGBA16. */
        return trns || x->bit_depth == 16 ? PNG_COLOR_TYPE_RGB_ALPHA
                                          : PNG_COLOR_TYPE_RGB;
    case PNG_COLOR_TYPE_PALETTE:
        return trns ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB;
    default:
        return PNG_COLOR_TYPE_RGB_ALPHA;
    }
}

static bool has_trns(const char *path)
{
    FILE *fp = fopen(path, "rb");
    CHECK(fp);
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, decode_error, NULL);
    png_infop info = png_create_info_struct(png);
    CHECK(png && info);
    png_init_io(png, fp);
    png_read_info(png, info);
    bool t = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    png_destroy_read_struct(&png, &info, NULL);
    fclose(fp);
    return t;
}

/* Pairs of neighbouring samples of x that differ in the low byte alone
 * (the samples png_set_strip_16 used to merge), and how many of them y
 * keeps apart. */
struct low_bytes {
    size_t pairs, kept;
};

static void count_low_bytes(const struct decoded *x, const struct decoded *y,
                            struct low_bytes *lb)
{
    for (uint32_t r = 0; r < x->h; r++) {
        for (uint32_t c = 0; c + 1 < x->w; c++) {
            for (int ch = 0; ch < 4; ch++) {
                unsigned a = decoded_sample(x, c, r, ch),
                         b = decoded_sample(x, c + 1, r, ch);
                if (a != b && a >> 8 == b >> 8) {
                    lb->pairs++;
                    if (decoded_sample(y, c, r, ch) !=
                        decoded_sample(y, c + 1, r, ch))
                        lb->kept++;
                }
            }
        }
    }
}

/* x and y, both expanded to RGBA16, must be equal bit for bit; y must be
 * 16-bit where x is, of the native colour type. */
static void compare(const char *name, const char *x_path, const char *y_path,
                    struct low_bytes *lb)
{
    struct decoded x, y;
    decode_png(x_path, true, &x);
    decode_png(y_path, true, &y);
    bool trns = has_trns(x_path);
    int want_depth = x.bit_depth == 16 ? 16 : 8;
    int want_type = native_png_type(&x, trns);
    if (y.w != x.w || y.h != x.h || y.bit_depth != want_depth ||
        y.color_type != want_type) {
        fprintf(stderr,
                "%s: snapshot is %ux%u colour type %d depth %d; expected "
                "%ux%u colour type %d depth %d\n",
                name, y.w, y.h, y.color_type, y.bit_depth, x.w, x.h, want_type,
                want_depth);
        CHECK(!"snapshot is not the native frame's format");
    }
    size_t bad = 0;
    for (uint32_t r = 0; r < x.h; r++) {
        for (uint32_t c = 0; c < x.w; c++) {
            for (int ch = 0; ch < 4; ch++) {
                unsigned a = decoded_sample(&x, c, r, ch),
                         b = decoded_sample(&y, c, r, ch);
                if (a != b && bad++ < 5)
                    fprintf(stderr, "%s: (%u,%u)[%d] = 0x%04x, was 0x%04x\n",
                            name, c, r, ch, b, a);
            }
        }
    }
    if (bad) {
        fprintf(stderr, "%s: %zu samples differ\n", name, bad);
        CHECK(!"the samples did not come back");
    }
    if (x.bit_depth == 16)
        count_low_bytes(&x, &y, lb);
    decoded_free(&x);
    decoded_free(&y);
}

/* One image: the producer publishes it natively, the viewer (headless or
 * in the window of the DISPLAY we run in) shows two frames and writes
 * its snapshot. */
static void roundtrip_one(enum mode m, const char *name, struct low_bytes *lb)
{
    char x[256], y[256], perr[128], verr[128];
    in_dir(x, sizeof(x), "in/%s.png", name);
    in_dir(y, sizeof(y), "out/%s.png", name);
    in_dir(perr, sizeof(perr), "%s", "producer.err");
    in_dir(verr, sizeof(verr), "%s", "viewer.err");
    const char *pargv[] = {PRODUCER_PATH, "--quiet", "--name", seg, "--format",
                           "native",      "--fps",   "30",     x,   NULL};
    pid_t p = spawn(&(struct spawn_opts){.argv = pargv, .err = perr});
    const char *vargv[] = {VIEWER_PATH,
                           "--name",
                           seg,
                           "--frames",
                           "2",
                           "--no-vsync",
                           "--snapshot",
                           y,
                           "--wait",
                           "30",
                           m == HEADLESS ? "--headless" : NULL,
                           NULL};
    const char *env[] = {LSAN_ENV, "SDL_VIDEODRIVER", GL_ENV, NULL};
    pid_t v =
        spawn(&(struct spawn_opts){.argv = vargv, .env = env, .err = verr});
    expect_exit(v, 0, EXIT_TIMEOUT_MS, "viewer", verr);
    stop_child(p, SIGTERM, EXIT_TIMEOUT_MS, "producer", perr);
    compare(name, x, y, lb);
}

static void roundtrip(enum mode m)
{
    size_t n;
    char **names = make_samples(&n);
    char out[128];
    CHECK(mkdir(in_dir(out, sizeof(out), "%s", "out"), 0700) == 0);
    struct low_bytes lb = {0};
    for (size_t i = 0; i < n; i++) {
        roundtrip_one(m, names[i], &lb);
        free(names[i]);
    }
    free(names);
    fprintf(stderr,
            "%zu images came back with their samples; %zu pairs of 16-bit "
            "samples differing in the low byte alone, %zu kept apart\n",
            n, lb.pairs, lb.kept);
    CHECK(lb.pairs > 0 && lb.kept == lb.pairs);
}

static void headless(void)
{
    setup("rt-headless");
    roundtrip(HEADLESS);
}

/* The window: this program again, under xvfb-run, for every image in one
 * X server (one per image would take minutes). */
static void xvfb(void)
{
    setup("rt-xvfb");
    if (!find_in_path("xvfb-run")) {
        fprintf(stderr, "xvfb-run is not installed (Debian: apt-get install "
                        "xvfb xauth); this test needs it\n");
        CHECK(!"xvfb-run missing");
    }
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    CHECK(len > 0);
    self[len] = '\0';
    char display[16];
    /* -a from a number of our own: parallel cases do not race for :99. */
    snprintf(display, sizeof(display), "%d", 100 + (int)getpid() % 30000);
    const char *argv[] = {
        "xvfb-run", "-a",         "-n",
        display,    "-s",         "-screen 0 1280x1024x24 -nolisten tcp",
        self,       "xvfb_inner", NULL};
    const char *env[] = {INNER_ENV "=1", NULL};
    pid_t pid = spawn(&(struct spawn_opts){.argv = argv,
                                           .env = env,
                                           .out_fd = STDOUT_FILENO,
                                           .err_fd = STDERR_FILENO,
                                           .group = true});
    expect_exit(pid, 0, INNER_TIMEOUT_MS, "the window round trip", NULL);
}

/* The second half of xvfb(); nothing when run any other way. */
static void xvfb_inner(void)
{
    if (!getenv(INNER_ENV)) {
        fprintf(stderr, "run by the xvfb case only\n");
        return;
    }
    setup("rt-window");
    roundtrip(WINDOW);
}

TEST_MAIN(CASE(headless), CASE(xvfb), CASE(xvfb_inner))
