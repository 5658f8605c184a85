/* The GStreamer tests' shared parts (see gst_util.h). */
#include "gst_util.h"

#include "png_write.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>

#if !defined(PRODUCER_PATH)
#error "PRODUCER_PATH must name the program"
#endif

/* GstVideoInfo needs the library initialised; before main(), so that the
 * runner's count of open descriptors already includes what it opens. */
static pid_t test_pid;

/* A case that fails kills its children (SIGKILL: producers and sinks leave
 * their segments): remove every segment of this test's names at exit,
 * after the children are gone (registered first, so it runs last). */
static void remove_own_segments(void)
{
    if (getpid() != test_pid)
        return; /* a forked child's exit */
    struct frame_object *objs;
    size_t n;
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "t%d-", (int)test_pid);
    if (frame_objects_list(&objs, &n) != 0)
        return;
    for (size_t i = 0; i < n; i++)
        if (objs[i].kind == FRAME_OBJECT_SEGMENT &&
            strncmp(objs[i].name, prefix, strlen(prefix)) == 0)
            test_unlink(objs[i].name);
    free(objs);
}

__attribute__((constructor)) static void init_gst(void)
{
    test_pid = getpid();
    atexit(remove_own_segments);
    gst_init(NULL, NULL);
}

void gstu_frame_free(struct gstu_frame *f)
{
    free(f->bytes);
    *f = (struct gstu_frame){0};
}

static void frame_alloc(struct gstu_frame *f, uint32_t format, uint32_t w,
                        uint32_t h)
{
    f->format = format;
    f->width = w;
    f->height = h;
    f->len = frame_image_layout(NULL, format, w, h, 1, NULL);
    CHECK(f->len > 0);
    f->bytes = malloc(f->len);
    CHECK(f->bytes);
}

static void frame_image_of(const struct gstu_frame *f, struct frame_image *img)
{
    CHECK(frame_image_layout(img, f->format, f->width, f->height, 1,
                             f->bytes) == f->len);
}

void gstu_picture(struct gstu_frame *f, uint32_t w, uint32_t h, unsigned seed)
{
    frame_alloc(f, FRAME_FORMAT_RGBA8, w, h);
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *p = f->bytes + (size_t)y * w * 4;
        for (uint32_t x = 0; x < w; x++, p += 4) {
            p[0] = (uint8_t)(x * 7 + y * 3 + seed * 11);
            p[1] = (uint8_t)(x * 2 + y * 9 + seed * 5);
            p[2] = (uint8_t)(x * y + seed);
            p[3] = (uint8_t)(255 - ((x + y + seed) % 97));
        }
    }
}

void gstu_convert(struct gstu_frame *dst, const struct gstu_frame *src,
                  uint32_t format)
{
    struct frame_image d, s;
    frame_alloc(dst, format, src->width, src->height);
    frame_image_of(dst, &d);
    frame_image_of(src, &s);
    CHECK_RC(frame_convert(&d, &s), 0);
}

void gstu_write_png(const char *path, const struct gstu_frame *f)
{
    char err[256];
    CHECK(f->format == FRAME_FORMAT_RGBA8);
    if (pngw_write_rgba8(path, f->bytes, f->width, f->height,
                         (size_t)f->width * 4, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        CHECK(0);
    }
}

const char *gstu_caps_name(uint32_t format)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    CHECK(d);
    return d->name;
}

static void gst_info(GstVideoInfo *info, uint32_t format, uint32_t w,
                     uint32_t h)
{
    GstVideoFormat gf = gst_video_format_from_string(gstu_caps_name(format));
    CHECK(gf != GST_VIDEO_FORMAT_UNKNOWN);
    gst_video_info_init(info);
    CHECK(gst_video_info_set_format(info, gf, w, h));
}

size_t gstu_gst_size(uint32_t format, uint32_t w, uint32_t h)
{
    GstVideoInfo info;
    gst_info(&info, format, w, h);
    return GST_VIDEO_INFO_SIZE(&info);
}

/* Rows of plane p of a format's frame of height h, by the table's rule. */
static uint32_t plane_rows(uint32_t format, uint32_t p, uint32_t h)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    uint32_t s = d->plane[p].y_shift;
    return (h + (1u << s) - 1) >> s;
}

bool gstu_same_as_planes(const struct gstu_frame *want,
                         const uint8_t *const *planes, const size_t *strides,
                         char *why, size_t whylen)
{
    struct frame_image img;
    frame_image_of(want, &img);
    for (uint32_t p = 0; p < img.plane_count; p++) {
        /* Tight: a row of ours is its stride. */
        CHECK(strides[p] >= img.stride[p]);
        for (uint32_t y = 0; y < plane_rows(want->format, p, want->height);
             y++) {
            const uint8_t *a = img.plane[p] + (size_t)y * img.stride[p];
            const uint8_t *b = planes[p] + (size_t)y * strides[p];
            if (memcmp(a, b, img.stride[p]) != 0) {
                size_t x = 0;
                while (a[x] == b[x])
                    x++;
                snprintf(why, whylen,
                         "%s %ux%u: plane %u row %u byte %zu: ours %u, "
                         "GStreamer's %u",
                         gstu_caps_name(want->format), want->width,
                         want->height, p, y, x, a[x], b[x]);
                return false;
            }
        }
    }
    return true;
}

bool gstu_same_as_gst(const struct gstu_frame *want, const uint8_t *gst,
                      size_t len, char *why, size_t whylen)
{
    GstVideoInfo info;
    gst_info(&info, want->format, want->width, want->height);
    if (len != GST_VIDEO_INFO_SIZE(&info)) {
        snprintf(why, whylen, "%zu bytes, GStreamer's layout has %zu", len,
                 (size_t)GST_VIDEO_INFO_SIZE(&info));
        return false;
    }
    const uint8_t *planes[GST_VIDEO_MAX_PLANES];
    size_t strides[GST_VIDEO_MAX_PLANES];
    for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(&info); p++) {
        planes[p] = gst + GST_VIDEO_INFO_PLANE_OFFSET(&info, p);
        strides[p] = (size_t)GST_VIDEO_INFO_PLANE_STRIDE(&info, p);
    }
    return gstu_same_as_planes(want, planes, strides, why, whylen);
}

void gstu_to_layout(const struct gstu_frame *f, uint8_t *dst,
                    const size_t *offsets, const size_t *strides)
{
    struct frame_image img;
    frame_image_of(f, &img);
    for (uint32_t p = 0; p < img.plane_count; p++)
        for (uint32_t y = 0; y < plane_rows(f->format, p, f->height); y++)
            memcpy(dst + offsets[p] + (size_t)y * strides[p],
                   img.plane[p] + (size_t)y * img.stride[p], img.stride[p]);
}

bool gstu_same(const struct gstu_frame *want, const struct gstu_frame *got,
               char *why, size_t whylen)
{
    if (want->format != got->format || want->width != got->width ||
        want->height != got->height) {
        snprintf(why, whylen, "got %s %ux%u, expected %s %ux%u",
                 frame_format_desc(got->format) ? gstu_caps_name(got->format)
                                                : "?",
                 got->width, got->height, gstu_caps_name(want->format),
                 want->width, want->height);
        return false;
    }
    CHECK(want->len == got->len);
    for (size_t i = 0; i < want->len; i++)
        if (want->bytes[i] != got->bytes[i]) {
            snprintf(why, whylen, "%s %ux%u: byte %zu is %u, expected %u",
                     gstu_caps_name(want->format), want->width, want->height, i,
                     got->bytes[i], want->bytes[i]);
            return false;
        }
    return true;
}

void gstu_words(struct gstu_words *w, const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    CHECK(n >= 0 && (size_t)n < sizeof(line));
    char *save = NULL;
    for (char *t = strtok_r(line, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        CHECK(w->n < GSTU_WORDS_MAX && strlen(t) < sizeof(w->text[0]));
        strcpy(w->text[w->n], t);
        w->w[w->n] = w->text[w->n];
        w->w[++w->n] = NULL;
    }
}

bool gstu_have_elements(const char *const *names)
{
    for (; *names; names++) {
        const char *argv[] = {"gst-inspect-1.0", "--exists", *names, NULL};
        pid_t pid = spawn(&(struct spawn_opts){.argv = argv});
        if (exit_code(pid, 60000, "gst-inspect-1.0", NULL) != 0) {
            fprintf(stderr, "no GStreamer element %s here\n", *names);
            return false;
        }
    }
    return true;
}

pid_t gstu_launch_limit(const char *log, unsigned limit_s,
                        const char *const *words)
{
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, "gst-launch-1.0");
    cmdline_add(&c, "-e");
    cmdline_add_all(&c, words);
    /* Both streams into one file: gst-launch says what happened on
     * stdout and what went wrong on stderr. */
    int fd =
        open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    CHECK(fd >= 0);
    pid_t pid = spawn(&(struct spawn_opts){
        .argv = c.argv, .out_fd = fd, .err_fd = fd, .limit_s = limit_s});
    close(fd);
    return pid;
}

pid_t gstu_launch(const char *log, const char *const *words)
{
    return gstu_launch_limit(log, 120, words);
}

pid_t gstu_producer(const char *log, const char *name, const char *png,
                    const char *const *extra)
{
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, PRODUCER_PATH);
    cmdline_add(&c, "--name");
    cmdline_add(&c, name);
    cmdline_add(&c, "--quiet");
    cmdline_add_all(&c, extra);
    cmdline_add(&c, png);
    return spawn(&(struct spawn_opts){.argv = c.argv, .err = log});
}

frame_reader *gstu_reader(const char *name)
{
    frame_reader *r = NULL;
    CHECK_RC(frame_reader_open_flags(name, FRAME_OPEN_WAIT, &r), 0);
    return r;
}

int gstu_next(frame_reader *r, struct gstu_frame *f, struct frame_view *v)
{
    int64_t until = now_ns() + 30000 * MS; /* a hang guard */
    for (;;) {
        int left = (int)((until - now_ns()) / MS);
        if (left <= 0)
            return -ETIMEDOUT;
        int rc = frame_reader_wait(r, left);
        if (rc == FRAME_ERESTARTED)
            continue;
        if (rc != 0)
            return rc;
        /* The size is known once the frame is taken; a newer frame of
         * another size may come between the two calls. */
        for (;;) {
            rc = frame_reader_copy_format(r, 0, f->bytes, f->len, 1, v);
            if (rc != -ENOSPC)
                break;
            gstu_frame_free(f);
            frame_alloc(f, v->format, v->width, v->height);
        }
        CHECK_RC(rc, 0);
        if (v->format != f->format || v->width != f->width ||
            v->height != f->height) {
            /* Fitted in the old buffer: say what it is. */
            gstu_frame_free(f);
            frame_alloc(f, v->format, v->width, v->height);
            continue;
        }
        return 0;
    }
}

int gstu_free_port(bool udp)
{
    /* Below the kernel's ephemeral range (32768 up), from the pid, so two
     * cases running at once never pick the same one (bind(0) could hand
     * the port one case just let go to the other, and udpsrc's
     * SO_REUSEADDR would then share it silently); skipping any port in
     * use now. */
    static int next;
    for (int tries = 0; tries < 64; tries++) {
        int port = 16384 + ((int)getpid() % 2000) * 8 + next++ % 8;
        int fd = socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
        CHECK(fd >= 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        bool free_now = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        close(fd);
        if (free_now)
            return port;
    }
    CHECK(!"a free port among this test's eight");
    return -1;
}

static bool listening(int port)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    CHECK(f);
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f)) {
        unsigned lport, st;
        if (sscanf(line, " %*u: %*x:%x %*x:%*x %x", &lport, &st) == 2 &&
            (int)lport == port && st == 0x0A)
            found = true;
    }
    fclose(f);
    return found;
}

void gstu_wait_listening(int port, pid_t pid, const char *log)
{
    int64_t until = now_ns() + 30000 * MS; /* a hang guard */
    while (!listening(port)) {
        if (!still_running(pid)) {
            print_file("the server pipeline", log);
            CHECK(!"the server pipeline ended before it listened");
        }
        CHECK(now_ns() < until);
        sleep_ms(10);
    }
}

uint8_t *gstu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    CHECK(buf);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            CHECK(buf);
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

bool gstu_segment_exists(const char *name)
{
    char path[256];
    struct stat st;
    CHECK_RC(frame_segment_path(name, path, sizeof(path)), 0);
    return stat(path, &st) == 0;
}
