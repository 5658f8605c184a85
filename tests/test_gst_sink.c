/* libframesink in real gst-launch-1.0 pipelines, read back through
 * libframe: every format against GStreamer's own bytes, frame numbers and
 * times, the close at EOS, and the errors a user meets. The thorough
 * pipeline tests are test_gst_*.c's (issue 16); these are the element's
 * own quick checks. */
#include "proc.h"
#include "runner.h"

#include <gst/video/video.h>

#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>

#ifndef GST_PLUGIN_DIR
#error "GST_PLUGIN_DIR must name the directory of libgstlibframe.so"
#endif

#define HANG_MS 30000 /* only a hung pipeline takes this long */
#define W 33          /* odd sizes: GStreamer pads rows, libframe does not */
#define H 17

static const char *launcher(void)
{
    const char *p = find_in_path("gst-launch-1.0");
    if (!p) {
        fprintf(stderr, "gst-launch-1.0 is not installed: skipped\n");
        exit(SKIP);
    }
    return p;
}

/* The build tree's plugin, with a registry of the tree's own (the user's
 * is shared by every tree, whose plugins have the same file name), and in
 * a sanitized build the runtime that the uninstrumented gst-launch-1.0
 * must load before it. */
static const char *const gst_env[] = {
    "GST_PLUGIN_PATH=" GST_PLUGIN_DIR,
    "GST_REGISTRY=" GST_PLUGIN_DIR "/registry.bin",
    "GST_REGISTRY_DISABLE", /* unset: only this process goes without */
#ifdef GST_TEST_PRELOAD
    "LD_PRELOAD=" GST_TEST_PRELOAD,
    "ASAN_OPTIONS=detect_leaks=0",
#endif
    NULL};

/* gst-launch-1.0 -e WORDS... (the pipeline, one word an element or
 * property): SIGINT makes it send EOS and exit 0 once it is through. */
static pid_t launch(const char *const *words, const char *err)
{
    struct cmdline c = {0};
    cmdline_add(&c, launcher());
    cmdline_add(&c, "-e");
    cmdline_add_all(&c, words);
    struct spawn_opts o = {
        .argv = c.argv, .env = gst_env, .err = err, .limit_s = 60};
    return spawn(&o);
}

/* rc is one of ok1 and ok2, or the case fails saying what it was. */
#define CHECK_EITHER(rc, ok1, ok2)                                             \
    do {                                                                       \
        int r_ = (rc);                                                         \
        if (r_ != (ok1) && r_ != (ok2)) {                                      \
            fprintf(stderr, "%s:%d: %s gave %d (%s)\n", __FILE__, __LINE__,    \
                    #rc, r_, frame_strerror(r_));                              \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

/* A reader on name once the pipeline has made it (the test waits for the
 * pipeline, never the other way round). */
static frame_reader *open_when_there(const char *name, pid_t pipeline,
                                     const char *log)
{
    frame_reader *r = NULL;
    int64_t end = now_ns() + HANG_MS * MS;
    int rc;
    while ((rc = frame_reader_open(name, &r)) == -ENOENT) {
        if (!still_running(pipeline) || now_ns() > end) {
            print_file("gst-launch-1.0's stderr", log);
            CHECK(!"the pipeline never created its segment");
        }
        sleep_ms(5);
    }
    CHECK_RC(rc, 0);
    return r;
}

/* Wait for a frame newer than frame number after, or fail the case after
 * HANG_MS. */
static void next_frame(frame_reader *r, struct frame_view *v, uint64_t after)
{
    int64_t end = now_ns() + HANG_MS * MS;
    for (;;) {
        int rc = frame_reader_acquire(r, v);
        if (rc == 0 && v->frame_no > after && frame_reader_still_valid(r, v))
            return;
        CHECK_EITHER(rc, 0, FRAME_ENOFRAME);
        CHECK(now_ns() < end);
        CHECK_EITHER(frame_reader_wait(r, 1000), 0, -ETIMEDOUT);
    }
}

/* The writer closed its segment: the reader is told, the name is gone. */
static void wait_closed(frame_reader *r, const char *name)
{
    int64_t end = now_ns() + HANG_MS * MS;
    int rc;
    while ((rc = frame_reader_wait(r, 1000)) != FRAME_ECLOSED) {
        CHECK_EITHER(rc, 0, -ETIMEDOUT);
        CHECK(now_ns() < end);
    }
    CHECK_RC(frame_reader_state(r, NULL), FRAME_READER_CLOSED);
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), -ENOENT);
}

/* SIGINT: EOS through the pipeline, which must close the segment (readers
 * see FRAME_ECLOSED, the name is gone) and exit 0. Only once it plays (a
 * frame after the preroll one): gst-launch-1.0 interrupted while
 * prerolling sends an EOS that a paused sink waits on for ever. */
static void stop_with_eos(pid_t pid, frame_reader *r, const char *name,
                          const char *log)
{
    stop_child(pid, SIGINT, HANG_MS, "gst-launch-1.0", log);
    wait_closed(r, name);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECK(f);
    CHECK(fseek(f, 0, SEEK_END) == 0);
    long n = ftell(f);
    CHECK(n > 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)n);
    CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* videotestsrc's first frame of pattern in format f as filesink writes it
 * (GStreamer's default strides and offsets, from its GstVideoInfo),
 * repacked tight by libframe: what a reader copies out with stride_align
 * 1. */
static uint8_t *expected_frame(uint32_t f, const char *caps,
                               const char *pattern, size_t *len)
{
    char loc[256];
    snprintf(loc, sizeof(loc), "location=%s/ref.raw", scratch_dir());
    const char *words[] = {"videotestsrc",
                           "num-buffers=1",
                           pattern,
                           "!",
                           caps,
                           "!",
                           "filesink",
                           loc,
                           NULL};
    char err[256];
    snprintf(err, sizeof(err), "%s/ref.err", scratch_dir());
    expect_exit(launch(words, err), 0, HANG_MS, "gst-launch-1.0 (reference)",
                err);
    size_t n;
    uint8_t *raw = read_file(loc + strlen("location="), &n);

    const struct frame_format_desc *d = frame_format_desc(f);
    GstVideoInfo info;
    CHECK(gst_video_info_set_format(
        &info, gst_video_format_from_string(d->name), W, H));
    CHECK(GST_VIDEO_INFO_SIZE(&info) == n);
    struct frame_image src = {
        .format = f, .width = W, .height = H, .plane_count = d->plane_count};
    for (uint32_t p = 0; p < d->plane_count; p++) {
        src.plane[p] = raw + GST_VIDEO_INFO_PLANE_OFFSET(&info, p);
        src.stride[p] = (uint32_t)GST_VIDEO_INFO_PLANE_STRIDE(&info, p);
    }
    struct frame_image dst;
    *len = frame_image_layout(NULL, f, W, H, 1, NULL);
    uint8_t *tight = malloc(*len);
    CHECK(tight);
    frame_image_layout(&dst, f, W, H, 1, tight);
    CHECK_RC(frame_convert(&dst, &src), 0);
    free(raw);
    return tight;
}

/* Every format of the table, at an odd size, byte for byte as GStreamer
 * made it. */
static void formats(void)
{
    scratch("gst-sink-formats");
    const char *name = test_name("gstfmt");
    char seg[128], err[256];
    snprintf(seg, sizeof(seg), "segment=%s", name);
    snprintf(err, sizeof(err), "%s/sink.err", scratch_dir());
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        const char *fname = frame_format_desc(f)->name;
        fprintf(stderr, "format %s\n", fname);
        char caps[160];
        snprintf(caps, sizeof(caps),
                 "video/x-raw,format=%s,width=%d,height=%d,framerate=30/1",
                 fname, W, H);
        size_t len;
        /* smpte75: smpte's noise moves, and a reader late on a loaded
         * machine may see the second frame first. */
        uint8_t *want = expected_frame(f, caps, "pattern=smpte75", &len);

        const char *words[] = {"videotestsrc",
                               "pattern=smpte75",
                               "!",
                               caps,
                               "!",
                               "libframesink",
                               seg,
                               NULL};
        pid_t pid = launch(words, err);
        frame_reader *r = open_when_there(name, pid, err);
        uint8_t *got = malloc(len);
        CHECK(got);
        struct frame_view v;
        int64_t end = now_ns() + HANG_MS * MS;
        int rc;
        while ((rc = frame_reader_copy_format(r, 0, got, len, 1, &v)) ==
               FRAME_ENOFRAME) {
            CHECK(now_ns() < end);
            frame_reader_wait(r, 1000);
        }
        CHECK_RC(rc, 0);
        CHECK(v.format == f && v.width == W && v.height == H);
        if (memcmp(got, want, len) != 0)
            fprintf(stderr, "frame %" PRIu64 " differs\n", v.frame_no);
        CHECK(memcmp(got, want, len) == 0);
        next_frame(r, &v, 1);
        stop_with_eos(pid, r, name, err);
        frame_reader_close(r);
        free(got);
        free(want);
    }
    scratch_remove();
}

/* One frame a buffer (the preroll frame is not published twice), tagged
 * with the buffer's offset, stamped with its running time on
 * CLOCK_MONOTONIC: frames differ by exactly their PTS difference. */
static void numbers_and_times(void)
{
    scratch("gst-sink-times");
    const char *name = test_name("gsttime");
    char seg[128], err[256];
    snprintf(seg, sizeof(seg), "segment=%s", name);
    snprintf(err, sizeof(err), "%s/sink.err", scratch_dir());
    const char *words[] = {"videotestsrc", "!",
                           "video/x-raw,format=RGBA,width=16,height=16,"
                           "framerate=30/1",
                           "!", "libframesink", seg,
                           /* Late buffers are dropped by default, which
                            * a busy machine must not do here. */
                           "max-lateness=-1", "qos=false", NULL};
    pid_t pid = launch(words, err);
    frame_reader *r = open_when_there(name, pid, err);
    struct frame_view v, prev = {0};
    do {
        next_frame(r, &v, prev.frame_no);
        CHECK(v.source_index == v.frame_no - 1);
        /* Generous: a clock other than CLOCK_MONOTONIC is decades off. */
        CHECK(llabs(v.timestamp_ns - now_ns()) < 10000 * MS);
        if (prev.frame_no >= 2) {
            /* videotestsrc's PTS of frame k: k * 10^9 / 30, rounded down. */
            int64_t due = (int64_t)(v.source_index * 1000000000 / 30) -
                          (int64_t)(prev.source_index * 1000000000 / 30);
            CHECK(v.timestamp_ns - prev.timestamp_ns == due);
        }
        prev = v;
    } while (v.frame_no < 8);
    stop_with_eos(pid, r, name, err);
    /* The last frame stays readable after the close. */
    next_frame(r, &v, 0);
    CHECK(v.frame_no >= 8 && v.source_index == v.frame_no - 1);
    frame_reader_close(r);
    scratch_remove();
}

/* A name a live writer holds is an element error naming its pid; a bad
 * name is refused before anything starts. Neither leaves a segment. */
static void errors(void)
{
    scratch("gst-sink-errors");
    const char *name = test_name("gstbusy");
    char seg[128], err[256], want[128];
    snprintf(err, sizeof(err), "%s/sink.err", scratch_dir());
    struct frame_format fmt = {.max_width = 16, .max_height = 16};
    frame_writer *w;
    CHECK_RC(frame_writer_create(name, &fmt, &w, NULL), 0);

    snprintf(seg, sizeof(seg), "segment=%s", name);
    const char *busy[] = {
        "videotestsrc", "num-buffers=5", "!", "libframesink", seg, NULL};
    CHECK(exit_code(launch(busy, err), HANG_MS, "gst-launch-1.0", err) != 0);
    snprintf(want, sizeof(want),
             "segment '%s': segment is in use by a running writer (pid %d)",
             name, (int)getpid());
    if (!file_has(err, want)) {
        print_file("gst-launch-1.0's stderr", err);
        CHECK(!"the error does not name the writer's pid");
    }
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), 0);
    CHECK(info.writer_pid == getpid() && info.latest_frame_no == 0);
    frame_writer_destroy(w);

    const char *bad[] = {"videotestsrc", "num-buffers=5", "!",
                         "libframesink", "segment=a..b",  NULL};
    CHECK(exit_code(launch(bad, err), HANG_MS, "gst-launch-1.0", err) != 0);
    CHECK(file_has(err, "Bad segment name 'a..b'"));
    const char *none[] = {"videotestsrc", "num-buffers=5", "!", "libframesink",
                          NULL};
    CHECK(exit_code(launch(none, err), HANG_MS, "gst-launch-1.0", err) != 0);
    CHECK(file_has(err, "No segment name"));
    scratch_remove();
}

static pid_t test_pid;
static const char *const tags[] = {"gstfmt",   "gsttime", "gstbusy",
                                   "gstclock", "gstpool", "gstlate",
                                   "gstlast",  "gstcaps", "gstdirect"};

/* A failed case leaves the segment of a pipeline it killed, or its own. */
static void remove_segments(void)
{
    if (getpid() != test_pid)
        return;
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        test_unlink(test_name(tags[i]));
}

/* GStreamer in this process too, for what gst-launch-1.0 cannot show, set
 * up before main() so the descriptors it keeps are not counted as a case's
 * leak. No registry: a scan from here would either fork a
 * gst-plugin-scanner without the ASan runtime the children preload (it
 * fails to load the plugin and records it as blacklisted, for them too,
 * until the plugin is rebuilt) or load every plugin of the system into
 * this process. The three plugins the case needs are loaded by file. */
static bool plugins_loaded;

__attribute__((constructor)) static void init_gst(void)
{
    test_pid = getpid();
    atexit(remove_segments);
    setenv("GST_REGISTRY_DISABLE", "yes", 1);
    gst_init(NULL, NULL);
    static const char *const files[] = {
        GST_PLUGIN_DIR "/libgstlibframe.so",
        GST_SYSTEM_PLUGIN_DIR "/libgstcoreelements.so",
        GST_SYSTEM_PLUGIN_DIR "/libgstvideotestsrc.so"};
    plugins_loaded = true;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        GError *error = NULL;
        GstPlugin *p = gst_plugin_load_file(files[i], &error);
        if (!p) {
            fprintf(stderr, "%s\n", error->message);
            g_error_free(error);
            plugins_loaded = false;
            continue;
        }
        gst_object_unref(p);
    }
}

/* The pipeline desc describes, or the test fails with the parser's words. */
static GstElement *build_pipeline(const char *desc)
{
    GError *error = NULL;
    GstElement *pipe = gst_parse_launch(desc, &error);
    if (!pipe) {
        fprintf(stderr, "%s\n", error ? error->message : "no pipeline");
        CHECK(!"the pipeline does not build");
    }
    /* Built despite an error the parser could step over: said. */
    if (error) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
    }
    return pipe;
}

/* A pipeline clock other than CLOCK_MONOTONIC (the system clock on
 * CLOCK_REALTIME, decades away) still gives frames CLOCK_MONOTONIC times;
 * EOS closes the segment while the pipeline still plays. */
static void other_clock_and_eos(void)
{
    CHECK(plugins_loaded);
    const char *name = test_name("gstclock");
    char desc[512];
    snprintf(desc, sizeof(desc),
             "videotestsrc num-buffers=10 ! video/x-raw,format=GRAY8,width=8,"
             "height=8,framerate=30/1 ! libframesink segment=%s "
             "max-lateness=-1 qos=false",
             name);
    GstElement *pipe = build_pipeline(desc);
    GstClock *clock = g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type",
                                   GST_CLOCK_TYPE_REALTIME, NULL);
    gst_pipeline_use_clock(GST_PIPELINE(pipe), clock);
    CHECK(gst_element_set_state(pipe, GST_STATE_PLAYING) !=
          GST_STATE_CHANGE_FAILURE);

    frame_reader *r = NULL;
    int64_t end = now_ns() + HANG_MS * MS;
    while (frame_reader_open(name, &r) == -ENOENT) {
        CHECK(now_ns() < end);
        sleep_ms(1);
    }
    struct frame_view v;
    next_frame(r, &v, 1); /* past the preroll frame, stamped when published */
    CHECK(llabs(v.timestamp_ns - now_ns()) < 10000 * MS);

    GstBus *bus = gst_element_get_bus(pipe);
    GstMessage *m =
        gst_bus_timed_pop_filtered(bus, (GstClockTime)HANG_MS * GST_MSECOND,
                                   GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    CHECK(m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS);
    gst_message_unref(m);
    wait_closed(r, name);
    next_frame(r, &v, 0);
    CHECK(v.frame_no == 10 && v.source_index == 9);
    CHECK(llabs(v.timestamp_ns - now_ns()) < 10000 * MS);

    CHECK(gst_element_set_state(pipe, GST_STATE_NULL) ==
          GST_STATE_CHANGE_SUCCESS);
    frame_reader_close(r);
    gst_object_unref(bus);
    gst_object_unref(clock);
    gst_object_unref(pipe);
}

/* Wait for pipe to reach its target state (prerolled, when PAUSED). */
static void settle(GstElement *pipe)
{
    CHECK(gst_element_get_state(pipe, NULL, NULL,
                                (GstClockTime)HANG_MS * GST_MSECOND) ==
          GST_STATE_CHANGE_SUCCESS);
}

/* The in-process pipelines below: built from desc, the sink named
 * "sink". */
static GstElement *start_pipeline(const char *desc)
{
    CHECK(plugins_loaded);
    GstElement *pipe = build_pipeline(desc);
    CHECK(gst_element_set_state(pipe, GST_STATE_PLAYING) !=
          GST_STATE_CHANGE_FAILURE);
    return pipe;
}

/* EOS within HANG_MS (a deadlocked pool never gets there). */
static void finish_pipeline(GstElement *pipe)
{
    GstBus *bus = gst_element_get_bus(pipe);
    GstMessage *m =
        gst_bus_timed_pop_filtered(bus, (GstClockTime)HANG_MS * GST_MSECOND,
                                   GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    if (m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
        GError *e = NULL;
        gchar *dbg = NULL;
        gst_message_parse_error(m, &e, &dbg);
        fprintf(stderr, "error: %s (%s)\n", e->message, dbg ? dbg : "");
        g_error_free(e);
        g_free(dbg);
    }
    CHECK(m && GST_MESSAGE_TYPE(m) == GST_MESSAGE_EOS);
    gst_message_unref(m);
    gst_object_unref(bus);
}

/* The sink's stats property (kept until the next start). */
static void sink_stats(GstElement *pipe, guint64 *in_place, guint64 *copied,
                       guint64 *aborted)
{
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
    CHECK(sink);
    GstStructure *st = NULL;
    g_object_get(sink, "stats", &st, NULL);
    CHECK(st);
    CHECK(gst_structure_get_uint64(st, "in-place", in_place));
    CHECK(gst_structure_get_uint64(st, "copied", copied));
    CHECK(gst_structure_get_uint64(st, "aborted", aborted));
    fprintf(stderr,
            "stats: in-place %" PRIu64 ", copied %" PRIu64 ", aborted %" PRIu64
            "\n",
            (uint64_t)*in_place, (uint64_t)*copied, (uint64_t)*aborted);
    gst_structure_free(st);
    gst_object_unref(sink);
}

static void stop_pipeline(GstElement *pipe)
{
    CHECK(gst_element_set_state(pipe, GST_STATE_NULL) ==
          GST_STATE_CHANGE_SUCCESS);
    gst_object_unref(pipe);
}

/* A reader on name, once the in-process pipeline has made it. */
static frame_reader *open_made(const char *name)
{
    frame_reader *r = NULL;
    int64_t end = now_ns() + HANG_MS * MS;
    while (frame_reader_open(name, &r) == -ENOENT) {
        CHECK(now_ns() < end);
        sleep_ms(1);
    }
    CHECK(r);
    return r;
}

/* videotestsrc takes the sink's pool: every buffer is the segment's back
 * slot, written in place by upstream and published without a copy, byte
 * for byte what GStreamer draws, in every format. */
static void in_place(void)
{
    scratch("gst-sink-inplace");
    const char *name = test_name("gstpool");
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        const char *fname = frame_format_desc(f)->name;
        fprintf(stderr, "format %s\n", fname);
        char caps[160], desc[512];
        snprintf(caps, sizeof(caps),
                 "video/x-raw,format=%s,width=%d,height=%d,framerate=30/1",
                 fname, W, H);
        size_t len;
        /* smpte75: smpte's noise moves, these bars do not. */
        uint8_t *want = expected_frame(f, caps, "pattern=smpte75", &len);
        snprintf(desc, sizeof(desc),
                 "videotestsrc num-buffers=4 pattern=smpte75 ! %s ! "
                 "libframesink name=sink segment=%s sync=false",
                 caps, name);
        /* Prerolled first: the segment is there before the few frames
         * rush through and close it. */
        GstElement *pipe = build_pipeline(desc);
        CHECK(gst_element_set_state(pipe, GST_STATE_PAUSED) !=
              GST_STATE_CHANGE_FAILURE);
        settle(pipe);
        frame_reader *r = NULL;
        CHECK_RC(frame_reader_open(name, &r), 0);
        CHECK(gst_element_set_state(pipe, GST_STATE_PLAYING) !=
              GST_STATE_CHANGE_FAILURE);
        finish_pipeline(pipe);
        guint64 in, copied, aborted;
        sink_stats(pipe, &in, &copied, &aborted);
        CHECK(in == 4 && copied == 0 && aborted == 0);
        wait_closed(r, name);
        uint8_t *got = malloc(len);
        CHECK(got);
        struct frame_view v;
        CHECK_RC(frame_reader_copy_format(r, 0, got, len, 1, &v), 0);
        CHECK(v.frame_no == 4 && v.source_index == 3);
        CHECK(v.format == f && v.width == W && v.height == H);
        CHECK(memcmp(got, want, len) == 0);
        frame_reader_close(r);
        stop_pipeline(pipe);
        free(got);
        free(want);
    }
    scratch_remove();
}

/* The frame v shows is 0x11 0x22 0x33 0xff in each pixel (RGBA of
 * videotestsrc's solid-color 0xff112233), if it is still there. */
static void check_solid(frame_reader *r, const struct frame_view *v)
{
    size_t len = (size_t)v->width * v->height * 4;
    uint8_t *got = malloc(len);
    CHECK(got);
    struct frame_view c;
    int rc = frame_reader_copy_format(r, FRAME_FORMAT_RGBA8, got, len, 1, &c);
    if (rc == 0 && c.frame_no == v->frame_no) {
        for (size_t i = 0; i < len; i += 4)
            CHECK(got[i] == 0x11 && got[i + 1] == 0x22 && got[i + 2] == 0x33 &&
                  got[i + 3] == 0xff);
    }
    free(got);
}

/* Buffers basesink lets go without rendering them (flushed by a seek, or
 * prerolled and never played) are begun slots, which must be aborted:
 * never published, half-filled or not, and the next acquire can begin.
 * With show-preroll-frame=false nothing here is ever rendered: one
 * preroll, three flushing seeks that each drop the prerolled buffer and
 * preroll another, and the last one dropped at NULL. */
static void unrendered_abort(void)
{
    CHECK(plugins_loaded);
    const char *name = test_name("gstlate");
    char desc[512];
    snprintf(desc, sizeof(desc),
             "videotestsrc pattern=solid-color foreground-color=0xff112233 ! "
             "video/x-raw,format=RGBA,width=16,height=16,framerate=30/1 ! "
             "libframesink name=sink segment=%s show-preroll-frame=false",
             name);
    GstElement *pipe = build_pipeline(desc);
    CHECK(gst_element_set_state(pipe, GST_STATE_PAUSED) !=
          GST_STATE_CHANGE_FAILURE);
    settle(pipe);
    frame_reader *r = NULL;
    CHECK_RC(frame_reader_open(name, &r), 0);
    for (int i = 1; i <= 3; i++) {
        CHECK(gst_element_seek_simple(pipe, GST_FORMAT_TIME,
                                      GST_SEEK_FLAG_FLUSH,
                                      (gint64)i * GST_SECOND));
        settle(pipe);
    }
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_ENOFRAME);
    CHECK(gst_element_set_state(pipe, GST_STATE_NULL) ==
          GST_STATE_CHANGE_SUCCESS);
    guint64 in, copied, aborted;
    sink_stats(pipe, &in, &copied, &aborted);
    CHECK(in == 0 && copied == 0 && aborted == 4);
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_ENOFRAME);
    frame_reader_close(r);
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), -ENOENT);
    gst_object_unref(pipe);
}

/* basesink keeps the last rendered buffer (enable-last-sample, on by
 * default) until the next one: the pool must still give upstream its
 * next buffer, from the same thread and across a queue's. */
static void last_sample_kept(void)
{
    static const char *const middles[] = {"", "queue max-size-buffers=1 !"};
    const char *name = test_name("gstlast");
    for (size_t i = 0; i < 2; i++) {
        char desc[512];
        snprintf(desc, sizeof(desc),
                 "videotestsrc num-buffers=20 pattern=ball ! video/x-raw,"
                 "format=RGBA,width=16,height=16,framerate=30/1 ! %s "
                 "libframesink name=sink segment=%s sync=false",
                 middles[i], name);
        GstElement *pipe = start_pipeline(desc);
        GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "sink");
        gboolean last = FALSE;
        g_object_get(sink, "enable-last-sample", &last, NULL);
        CHECK(last);
        gst_object_unref(sink);
        finish_pipeline(pipe);
        guint64 in, copied, aborted;
        sink_stats(pipe, &in, &copied, &aborted);
        CHECK(in == 20 && copied == 0 && aborted == 0);
        stop_pipeline(pipe);
        struct frame_info info;
        CHECK_RC(frame_segment_info(name, &info), -ENOENT);
    }
}

/* The next frame after v on name's segment, following the sink into a
 * new segment when the old one closes (a caps change that outgrew it). */
static void next_frame_follow(frame_reader **r, const char *name,
                              struct frame_view *v)
{
    int64_t end = now_ns() + HANG_MS * MS;
    uint64_t after = v->frame_no;
    for (;;) {
        CHECK(now_ns() < end);
        int rc = frame_reader_acquire(*r, v);
        if (rc == 0 && v->frame_no > after && frame_reader_still_valid(*r, v))
            return;
        rc = frame_reader_wait(*r, 100);
        if (rc == FRAME_ECLOSED) {
            frame_reader_close(*r);
            *r = NULL;
            /* The old name may linger until its buffers come back. */
            while (!*r || frame_reader_state(*r, NULL) == FRAME_READER_CLOSED) {
                CHECK(now_ns() < end);
                if (*r)
                    frame_reader_close(*r);
                *r = NULL;
                sleep_ms(1);
                if (frame_reader_open(name, r) != 0)
                    *r = NULL;
            }
            after = 0;
        }
    }
}

/* Caps change mid-stream with the pool: upstream takes a new pool for each
 * size, on the segment kept (sized up front) or on a new one when the old
 * is outgrown, and every frame a reader sees is whole, of one size or
 * the other. */
static void caps_change_in_place(void)
{
    const char *name = test_name("gstcaps");
    for (int sized = 1; sized >= 0; sized--) {
        fprintf(stderr, sized ? "sized up front\n" : "new segments\n");
        char desc[512];
        snprintf(desc, sizeof(desc),
                 "videotestsrc pattern=solid-color "
                 "foreground-color=0xff112233 ! capsfilter name=cf "
                 "caps=video/x-raw,format=RGBA,width=16,height=16,"
                 "framerate=30/1 ! libframesink name=sink segment=%s "
                 "max-width=%d max-height=%d sync=false",
                 name, sized ? 64 : 0, sized ? 64 : 0);
        GstElement *pipe = start_pipeline(desc);
        frame_reader *r = open_made(name);
        GstElement *cf = gst_bin_get_by_name(GST_BIN(pipe), "cf");
        struct frame_view v = {0};
        static const int sizes[][2] = {{16, 16}, {64, 48}, {8, 8}, {48, 64}};
        for (size_t i = 0; i < 4; i++) {
            if (i > 0) {
                GstCaps *caps = gst_caps_new_simple(
                    "video/x-raw", "format", G_TYPE_STRING, "RGBA", "width",
                    G_TYPE_INT, sizes[i][0], "height", G_TYPE_INT, sizes[i][1],
                    "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
                g_object_set(cf, "caps", caps, NULL);
                gst_caps_unref(caps);
            }
            /* A few frames of the new size, each whole. */
            int seen = 0;
            while (seen < 3) {
                next_frame_follow(&r, name, &v);
                CHECK(v.format == FRAME_FORMAT_RGBA8);
                check_solid(r, &v);
                if ((int)v.width == sizes[i][0] && (int)v.height == sizes[i][1])
                    seen++;
            }
        }
        gst_object_unref(cf);
        gst_element_send_event(pipe, gst_event_new_eos());
        finish_pipeline(pipe);
        guint64 in, copied, aborted;
        sink_stats(pipe, &in, &copied, &aborted);
        CHECK(in >= 12 && copied == 0);
        wait_closed(r, name);
        frame_reader_close(r);
        stop_pipeline(pipe);
    }
}

/* Fill buf's one plane with byte c, through its mapping. */
static void fill(GstBuffer *buf, uint8_t c)
{
    GstMapInfo map;
    CHECK(gst_buffer_map(buf, &map, GST_MAP_WRITE));
    memset(map.data, c, map.size);
    gst_buffer_unmap(buf, &map);
}

/* The newest frame is number frame_no, every byte c. */
static void check_newest(frame_reader *r, uint64_t frame_no, uint8_t c)
{
    uint8_t got[16 * 16 * 4];
    struct frame_view v;
    CHECK_RC(frame_reader_copy_format(r, 0, got, sizeof(got), 1, &v), 0);
    CHECK(v.frame_no == frame_no);
    for (size_t i = 0; i < sizeof(got); i++)
        CHECK(got[i] == c);
}

/* The pool itself, as an upstream element uses it: its buffers are the
 * segment's slots, described by GstVideoMeta; one is begun at a time (a
 * second waits, or with DONTWAIT fails); one dropped unpushed is aborted;
 * an upstream that asks to hold several gets plain memory, copied. */
static void pool_direct(void)
{
    CHECK(plugins_loaded);
    const char *name = test_name("gstdirect");
    GstElement *sink = gst_element_factory_make("libframesink", NULL);
    CHECK(sink);
    g_object_set(sink, "segment", name, NULL);
    /* No clock alone: buffers render as they come. */
    CHECK(gst_element_set_state(sink, GST_STATE_PLAYING) !=
          GST_STATE_CHANGE_FAILURE);
    GstPad *pad = gst_element_get_static_pad(sink, "sink");
    CHECK(gst_pad_send_event(pad, gst_event_new_stream_start("pool")));
    GstCaps *caps = gst_caps_from_string(
        "video/x-raw,format=RGBA,width=16,height=16,framerate=30/1");
    CHECK(gst_pad_send_event(pad, gst_event_new_caps(caps)));
    GstSegment segment;
    gst_segment_init(&segment, GST_FORMAT_TIME);
    CHECK(gst_pad_send_event(pad, gst_event_new_segment(&segment)));
    frame_reader *r = NULL;
    CHECK_RC(frame_reader_open(name, &r), 0);

    GstQuery *q = gst_query_new_allocation(caps, TRUE);
    CHECK(gst_pad_query(pad, q));
    CHECK(gst_query_get_n_allocation_pools(q) == 1);
    GstBufferPool *pool = NULL;
    guint size, min, max;
    gst_query_parse_nth_allocation_pool(q, 0, &pool, &size, &min, &max);
    CHECK(pool && max == 2);
    gst_query_unref(q);
    GstStructure *config = gst_buffer_pool_get_config(pool);
    gst_buffer_pool_config_set_params(config, caps, size, 0, 2);
    CHECK(gst_buffer_pool_set_config(pool, config));
    CHECK(gst_buffer_pool_set_active(pool, TRUE));

    GstBuffer *a = NULL, *b = NULL, *c = NULL;
    CHECK(gst_buffer_pool_acquire_buffer(pool, &a, NULL) == GST_FLOW_OK);
    GstVideoMeta *meta = gst_buffer_get_video_meta(a);
    CHECK(meta && meta->n_planes == 1 && meta->stride[0] == 64);
    CHECK(gst_buffer_get_size(a) == 16 * 16 * 4);
    GstBufferPoolAcquireParams dontwait = {
        .flags = GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT};
    CHECK(gst_buffer_pool_acquire_buffer(pool, &b, &dontwait) == GST_FLOW_EOS);
    fill(a, 0x5a);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_ENOFRAME);
    CHECK(gst_pad_chain(pad, gst_buffer_ref(a)) == GST_FLOW_OK);
    check_newest(r, 1, 0x5a);
    /* Pushed again, a is copied: into each slot of the ring in turn,
     * its own included (3 slots). */
    for (uint64_t n = 2; n <= 4; n++) {
        CHECK(gst_pad_chain(pad, gst_buffer_ref(a)) == GST_FLOW_OK);
        check_newest(r, n, 0x5a);
    }
    gst_buffer_unref(a);

    /* a is committed (basesink keeps it as last-sample): b begins. */
    CHECK(gst_buffer_pool_acquire_buffer(pool, &b, &dontwait) == GST_FLOW_OK);
    fill(b, 0x33);
    gst_buffer_unref(b); /* never pushed: aborted, never published */
    check_newest(r, 4, 0x5a);

    /* Upstream holding three at once: plain memory, the sink copies. A
     * pool is configured with none of its buffers out: a goes with the
     * last-sample. */
    g_object_set(sink, "enable-last-sample", FALSE, NULL);
    CHECK(gst_buffer_pool_set_active(pool, FALSE));
    config = gst_buffer_pool_get_config(pool);
    gst_buffer_pool_config_set_params(config, caps, size, 3, 0);
    CHECK(gst_buffer_pool_set_config(pool, config));
    CHECK(gst_buffer_pool_set_active(pool, TRUE));
    CHECK(gst_buffer_pool_acquire_buffer(pool, &a, &dontwait) == GST_FLOW_OK);
    CHECK(gst_buffer_pool_acquire_buffer(pool, &b, &dontwait) == GST_FLOW_OK);
    CHECK(gst_buffer_pool_acquire_buffer(pool, &c, &dontwait) == GST_FLOW_OK);
    fill(b, 0x77);
    CHECK(gst_pad_chain(pad, b) == GST_FLOW_OK);
    check_newest(r, 5, 0x77);
    gst_buffer_unref(a);
    gst_buffer_unref(c);
    CHECK(gst_buffer_pool_set_active(pool, FALSE));
    gst_object_unref(pool);

    GstStructure *st = NULL;
    g_object_get(sink, "stats", &st, NULL);
    guint64 in = 0, copied = 0, aborted = 0;
    CHECK(gst_structure_get_uint64(st, "in-place", &in) &&
          gst_structure_get_uint64(st, "copied", &copied) &&
          gst_structure_get_uint64(st, "aborted", &aborted));
    gst_structure_free(st);
    CHECK(in == 1 && copied == 4 && aborted == 1);
    CHECK(gst_element_set_state(sink, GST_STATE_NULL) ==
          GST_STATE_CHANGE_SUCCESS);
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), -ENOENT);
    frame_reader_close(r);
    gst_caps_unref(caps);
    gst_object_unref(pad);
    gst_object_unref(sink);
}

TEST_MAIN(CASE(formats), CASE(numbers_and_times), CASE(errors),
          CASE(other_clock_and_eos), CASE(in_place), CASE(unrendered_abort),
          CASE(last_sample_kept), CASE(caps_change_in_place), CASE(pool_direct))
