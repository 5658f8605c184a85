/* The gstreamer section (issue 16): libframesrc and libframesink, the
 * project's GStreamer elements, against GStreamer's shmsrc and shmsink.
 *
 * Every row is a gst-launch-1.0 pipeline timed by gst-launch itself
 * ("Execution ended after"); two runs of N1 and N2 frames give the rate
 * without start-up, as t_gst.c does for the shm pair (that pair, shmsink
 * feeding shmsrc ! fakesink, is the source rows' comparison: run_gst()).
 *
 *   libframesrc ! fakesink   fed by a libframe writer in a child process
 *                            publishing the test card as fast as it can
 *                            (the writer never waits, so libframesrc takes
 *                            the newest frame each time: frames/s is the
 *                            source's, bounded by its copy out, or with
 *                            zero-copy=true by its hold and release);
 *   videotestsrc ! libframesink
 *                            videotestsrc draws a solid colour (a full
 *                            frame written each time, cheap to compute)
 *                            straight into the segment's back slot: it
 *                            takes the sink's pool, and the sink commits
 *                            the slot without a copy. shmsink can only
 *                            copy the drawn buffer into its area; the
 *                            comparison is that pair fed by the same
 *                            videotestsrc pattern. Nobody reads: a
 *                            libframe writer never waits for readers,
 *                            while shmsink needs one to free its blocks
 *                            (alone, without a reader, one of our runs
 *                            ended in "Failed waiting on fd activity").
 */
#include "gstplugin.h"

#include "clock.h"
#include "frames.h"
#include "gst.h"
#include "spawn.h"
#include "transports.h"

#include <libframe/frame.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORDS_MAX 40

/* Where CMake built the plugin; an installed framebench has none and
 * relies on GStreamer's own plugin directory. */
#ifndef FRAMEBENCH_GST_PLUGIN_DIR
#define FRAMEBENCH_GST_PLUGIN_DIR NULL
#endif
#ifndef FRAMEBENCH_GST_REGISTRY
#define FRAMEBENCH_GST_REGISTRY NULL
#endif

/* --exists alone also wants the plugin's version to be GStreamer's own
 * (1.22...); ours is libframe's. */
static bool exists(const char *element)
{
    char *argv[] = {"gst-inspect-1.0", "--exists", "--atleast-version=0.0",
                    (char *)element, NULL};
    return spawn_run(argv, NULL, 0, 60000) == 0;
}

const char *gstplugin_status(void)
{
    static bool probed;
    static const char *status;
    if (probed)
        return status;
    probed = true;
    const char *dir = getenv("FRAMEBENCH_GST_PLUGIN_DIR");
    if (!dir || !*dir)
        dir = FRAMEBENCH_GST_PLUGIN_DIR;
    if (dir) {
        /* Ahead of what the user had, so this tree's plugin wins. */
        const char *old = getenv("GST_PLUGIN_PATH");
        char path[8192];
        snprintf(path, sizeof(path), "%s%s%s", dir, old && *old ? ":" : "",
                 old && *old ? old : "");
        setenv("GST_PLUGIN_PATH", path, 1);
        /* The build tree's registry, so the user's cache never learns of
         * a plugin that is only here. */
        if (FRAMEBENCH_GST_REGISTRY && !getenv("GST_REGISTRY"))
            setenv("GST_REGISTRY", FRAMEBENCH_GST_REGISTRY, 1);
    }
    if (!gst_available())
        status = "not installed (gst-launch-1.0, shmsink or videotestsrc)";
    else if (!exists("libframesrc") || !exists("libframesink"))
        status = "no libframe GStreamer plugin (FRAMEBENCH_GST_PLUGIN_DIR)";
    return status;
}

/* gst-launch takes the pipeline as words; ours contain no spaces. */
static void split(char *line, char **argv)
{
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(line, " ", &save); w && n < WORDS_MAX - 1;
         w = strtok_r(NULL, " ", &save))
        argv[n++] = w;
    argv[n] = NULL;
}

static double tv_s(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

/* One gst-launch run: its running time and CPU seconds. */
static int leg(char *line, double *secs, double *cpu, char *why, size_t len)
{
    char *argv[WORDS_MAX], text[8192];
    split(line, argv);
    int cap = capture_open();
    pid_t pid = spawn_cmd(argv, cap);
    if (pid < 0) {
        snprintf(why, len, "fork: %s", strerror(errno));
        if (cap >= 0)
            close(cap);
        return -1;
    }
    struct rusage ru = {0};
    int st = spawn_wait(pid, 300000, &ru);
    text[0] = 0;
    if (cap >= 0) {
        capture_read(cap, text, sizeof(text));
        close(cap);
    }
    const char *p = strstr(text, "Execution ended after ");
    unsigned h, m;
    double s;
    if (st != 0 || !strstr(text, "Got EOS") || !p ||
        sscanf(p + 22, "%u:%u:%lf", &h, &m, &s) != 3) {
        const char *e = strstr(text, "ERROR");
        snprintf(why, len, "gst-launch did not finish its frames%s%.120s",
                 e ? ": " : "", e ? e : "");
        for (char *c = why; *c; c++)
            if (*c == '\n')
                *c = ' ';
        return -1;
    }
    *secs = h * 3600.0 + m * 60.0 + s;
    *cpu = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
    return 0;
}

/* Frames for about run_s at ~8 GB/s, as t_gst.c sizes its runs. */
static void counts(const struct opts *o, size_t bytes, long *n1, long *extra)
{
    long per_s = (long)(8e9 / (double)bytes);
    *n1 = (long)(per_s * o->run_s / 2);
    *extra = (long)(per_s * o->run_s);
    if (*n1 < 20)
        *n1 = 20;
    if (*extra < 20)
        *extra = 20;
}

/* Two runs, N1 and N1 + extra frames, of the pipeline fmt makes of a
 * frame count (its one conversion, %ld): frames/s of the difference, and
 * its CPU. */
static void two_legs(const struct opts *o, size_t bytes, const char *fmt,
                     struct measure *m)
{
    long n1, extra;
    counts(o, bytes, &n1, &extra);
    char line[2048], why[NOTE_MAX];
    double s1, s2, c1, c2;
    snprintf(line, sizeof(line), fmt, n1);
    if (leg(line, &s1, &c1, why, sizeof(why))) {
        measure_fail(m, "%s", why);
        return;
    }
    snprintf(line, sizeof(line), fmt, n1 + extra);
    if (leg(line, &s2, &c2, why, sizeof(why))) {
        measure_fail(m, "%s", why);
        return;
    }
    double secs = s2 - s1;
    if (!(secs > 0)) {
        measure_fail(m, "running times do not grow with the frame count");
        return;
    }
    m->fps = extra / secs;
    m->gbps = m->fps * (double)bytes / 1e9;
    m->rcpu = 100 * (c2 - c1) / secs;
    m->rcpu_us = 1e6 * (c2 - c1) / extra;
}

static volatile sig_atomic_t writer_stop;
static void on_term(int sig)
{
    (void)sig;
    writer_stop = 1;
}

/* The child: a writer publishing src as fast as it can until SIGTERM. */
static void writer_child(const char *name, const struct source *src,
                         uint32_t slots, int ready_fd)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    signal(SIGTERM, on_term);
    struct frame_format fmt = {.max_width = src->width,
                               .max_height = src->height,
                               .slot_count = slots};
    frame_writer *w;
    int rc = frame_writer_create(name, &fmt, &w, NULL);
    char c = rc == 0 ? 'y' : 'n';
    if (write(ready_fd, &c, 1) != 1 || rc)
        _exit(1);
    close(ready_fd);
    while (!writer_stop) {
        struct frame_buffer b;
        if (frame_writer_begin_format(w, FRAME_FORMAT_RGBA8, src->width,
                                      src->height, 1, &b))
            break;
        memcpy(b.pixels, src->pixels, src->bytes);
        if (frame_writer_commit(w, 0, 0))
            break;
    }
    frame_writer_destroy(w);
    _exit(0);
}

void run_gstplugin_src(const struct opts *o, uint32_t w, uint32_t h,
                       uint32_t slots, bool zero_copy, struct measure *m)
{
    const struct source *src = source_get(w, h);
    if (!src) {
        measure_fail(m, "no memory for a %ux%u frame", w, h);
        return;
    }
    char name[FRAME_NAME_MAX + 1];
    segment_name(name, sizeof(name));
    int fds[2];
    if (pipe(fds)) {
        measure_fail(m, "pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        writer_child(name, src, slots, fds[1]);
    }
    close(fds[1]);
    char c = 0;
    if (pid < 0 || read(fds[0], &c, 1) != 1 || c != 'y') {
        measure_fail(m, "the writer did not start");
        close(fds[0]);
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        segment_remove(name);
        return;
    }
    close(fds[0]);
    char fmt[512];
    snprintf(fmt, sizeof(fmt),
             "gst-launch-1.0 libframesrc segment=%s zero-copy=%s "
             "num-buffers=%%ld ! fakesink sync=false enable-last-sample=false",
             name, zero_copy ? "true" : "false");
    two_legs(o, src->bytes, fmt, m);
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    segment_remove(name); /* only if the writer could not */
    m->skipped = NAN;     /* the source takes the newest frame: not counted */
}

/* videotestsrc drawing a solid colour at WxH RGBA into sink (its pool, if
 * it offers one): the rate and CPU of the whole pipeline. */
static void run_drawn(const struct opts *o, uint32_t w, uint32_t h,
                      const char *sink, struct measure *m)
{
    char fmt[2048];
    snprintf(fmt, sizeof(fmt),
             "gst-launch-1.0 videotestsrc num-buffers=%%ld "
             "pattern=solid-color ! "
             "video/x-raw,format=RGBA,width=%u,height=%u,"
             "framerate=10000/1 ! %s",
             w, h, sink);
    two_legs(o, (size_t)w * h * 4, fmt, m);
    m->writer_fps = m->fps;
    m->wcpu = m->rcpu;
    m->wcpu_us = m->rcpu_us;
    m->rcpu = m->rcpu_us = NAN; /* nobody reads */
}

void run_gstplugin_sink(const struct opts *o, uint32_t w, uint32_t h,
                        uint32_t slots, struct measure *m)
{
    char name[FRAME_NAME_MAX + 1], sink[256];
    segment_name(name, sizeof(name));
    snprintf(sink, sizeof(sink), "libframesink segment=%s slots=%u sync=false",
             name, slots);
    run_drawn(o, w, h, sink, m);
    segment_remove(name); /* only if the sink could not */
}

void run_gst_drawn_alone(const struct opts *o, uint32_t w, uint32_t h,
                         struct measure *m)
{
    run_drawn(o, w, h, "fakesink sync=false", m);
}
