/* The GStreamer elements in this process (issue 16): GstHarness for their
 * state changes (NULL -> PLAYING -> NULL again and again: no segment and no
 * descriptor left behind), libframesink's caps changes and its honouring
 * of GstVideoMeta strides and offsets, and libframesrc following a
 * producer that is killed and restarted with another size and format
 * (through appsink, which hands each buffer with its caps). Real elements
 * from this build tree's plugin, real producers, real segments. */
#include "gst/gst_util.h"

#include <gst/app/gstappsink.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <signal.h>
#include <sys/stat.h>

/* A hang guard for everything GStreamer might block in. */
static void hang_guard(unsigned s) { alarm(s); }

static const char *seg(const char *tag)
{
    static char buf[4][FRAME_NAME_MAX + 1];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, sizeof(buf[0]), "t%d-%s", (int)getpid(), tag);
    return p;
}

static GstCaps *caps_of(uint32_t format, uint32_t w, uint32_t h)
{
    return gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                               gstu_caps_name(format), "width", G_TYPE_INT,
                               (int)w, "height", G_TYPE_INT, (int)h,
                               "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
}

/* Stream start, caps and a time segment, as a source sends them. */
static void start_stream(GstHarness *h, uint32_t format, uint32_t w,
                         uint32_t height)
{
    GstSegment s;
    gst_segment_init(&s, GST_FORMAT_TIME);
    CHECK(gst_harness_push_event(h, gst_event_new_stream_start("test")));
    CHECK(gst_harness_push_event(
        h, gst_event_new_caps(caps_of(format, w, height))));
    CHECK(gst_harness_push_event(h, gst_event_new_segment(&s)));
}

/* A buffer holding f in GStreamer's default layout, its padding 0xEE. */
static GstBuffer *buffer_of(const struct gstu_frame *f, GstClockTime pts)
{
    GstVideoInfo info;
    CHECK(gst_video_info_set_format(
        &info, gst_video_format_from_string(gstu_caps_name(f->format)),
        f->width, f->height));
    GstBuffer *b = gst_buffer_new_allocate(NULL, info.size, NULL);
    GstMapInfo m;
    CHECK(gst_buffer_map(b, &m, GST_MAP_WRITE));
    memset(m.data, 0xEE, m.size);
    size_t off[GST_VIDEO_MAX_PLANES], str[GST_VIDEO_MAX_PLANES];
    for (guint p = 0; p < GST_VIDEO_INFO_N_PLANES(&info); p++) {
        off[p] = info.offset[p];
        str[p] = (size_t)info.stride[p];
    }
    gstu_to_layout(f, m.data, off, str);
    gst_buffer_unmap(b, &m);
    GST_BUFFER_PTS(b) = pts;
    return b;
}

/* The sink's newest frame, which must be want. */
static void expect_frame(frame_reader *r, const struct gstu_frame *want,
                         struct frame_view *v)
{
    struct gstu_frame got = {0};
    char why[256];
    int rc;
    /* A sink that makes a new segment for new caps closes the old one. */
    while ((rc = gstu_next(r, &got, v)) == FRAME_ECLOSED)
        ;
    CHECK_RC(rc, 0);
    if (!gstu_same(want, &got, why, sizeof(why))) {
        fprintf(stderr, "libframesink: %s\n", why);
        CHECK(!"the segment holds the buffer pushed");
    }
    gstu_frame_free(&got);
}

/* ---- libframesink ------------------------------------------------------- */

/* A harness around a libframesink for name that renders each buffer as it
 * is pushed: no clock (sync), and no preroll wait, which the harness's
 * synchronous state change would take for a failure (async). */
static GstHarness *sink_harness(const char *name, int max_side)
{
    GstElement *e = gst_element_factory_make("libframesink", NULL);
    CHECK(e);
    g_object_set(e, "segment", name, "sync", FALSE, "async", FALSE, NULL);
    if (max_side)
        g_object_set(e, "max-width", max_side, "max-height", max_side, NULL);
    GstHarness *h = gst_harness_new_with_element(e, "sink", NULL);
    CHECK(h);
    gst_object_unref(e);
    return h;
}

/* One PLAYING spell: caps, a buffer, the frame in the segment, NULL. */
static void sink_spell(GstHarness *h, const char *name, unsigned i)
{
    CHECK(gst_element_set_state(h->element, GST_STATE_PLAYING) !=
          GST_STATE_CHANGE_FAILURE);
    struct gstu_frame rgba = {0};
    gstu_picture(&rgba, 97, 61, i);
    start_stream(h, FRAME_FORMAT_RGBA8, 97, 61);
    CHECK(gst_harness_push(h, buffer_of(&rgba, 0)) == GST_FLOW_OK);
    /* The buffer was rendered in push: the frame is there. */
    frame_reader *r;
    struct gstu_frame got = {0};
    struct frame_view v;
    char why[256];
    CHECK_RC(frame_reader_open(name, &r), 0);
    got.len = 0;
    int rc;
    while ((rc = frame_reader_copy_format(r, 0, got.bytes, got.len, 1, &v)) ==
           -ENOSPC) {
        gstu_frame_free(&got);
        got.format = v.format;
        got.width = v.width;
        got.height = v.height;
        got.len =
            frame_image_layout(NULL, v.format, v.width, v.height, 1, NULL);
        got.bytes = malloc(got.len);
        CHECK(got.bytes);
    }
    CHECK_RC(rc, 0);
    if (!gstu_same(&rgba, &got, why, sizeof(why))) {
        fprintf(stderr, "spell %u: %s\n", i, why);
        CHECK(!"the segment holds the buffer pushed");
    }
    frame_reader_close(r);
    gstu_frame_free(&got);
    gstu_frame_free(&rgba);
    CHECK(gst_element_set_state(h->element, GST_STATE_NULL) ==
          GST_STATE_CHANGE_SUCCESS);
    CHECK(!gstu_segment_exists(name)); /* closed and removed at NULL */
}

static void sink_state_cycles(void)
{
    hang_guard(60);
    const char *name = seg("cycles");
    GstHarness *h = sink_harness(name, 0);
    /* What GStreamer opens once for good (its clock's and poll's
     * descriptors) opens in the first spell; none may pile up after. */
    sink_spell(h, name, 0);
    int fds = count_open_fds();
    for (unsigned i = 1; i <= 10; i++)
        sink_spell(h, name, i);
    /* PLAYING and back with no caps at all: nothing made, nothing left. */
    for (int i = 0; i < 3; i++) {
        CHECK(gst_element_set_state(h->element, GST_STATE_PLAYING) !=
              GST_STATE_CHANGE_FAILURE);
        CHECK(gst_element_set_state(h->element, GST_STATE_NULL) ==
              GST_STATE_CHANGE_SUCCESS);
        CHECK(!gstu_segment_exists(name));
    }
    CHECK(count_open_fds() == fds);
    gst_harness_teardown(h);
    alarm(0);
}

/* Each caps change carries the next frame in its new format and size;
 * sized up front (max-width, max-height), the segment stays the same. */
static void caps_changes(const char *name, bool sized)
{
    static const struct {
        uint32_t format, w, h;
    } steps[] = {
        {FRAME_FORMAT_RGBA8, 97, 61},  {FRAME_FORMAT_I420, 33, 17},
        {FRAME_FORMAT_GRAY16, 97, 61}, {FRAME_FORMAT_NV12, 64, 48},
        {FRAME_FORMAT_RGB8, 5, 3},     {FRAME_FORMAT_RGBA16, 41, 29},
        {FRAME_FORMAT_BGRA8, 97, 61},  {FRAME_FORMAT_GRAY8, 1, 1},
    };
    GstHarness *h = sink_harness(name, sized ? 128 : 0);
    frame_reader *r = gstu_reader(name);
    uint64_t session = 0;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        struct gstu_frame rgba = {0}, want = {0};
        gstu_picture(&rgba, steps[i].w, steps[i].h, (unsigned)i);
        gstu_convert(&want, &rgba, steps[i].format);
        if (i == 0)
            start_stream(h, want.format, want.width, want.height);
        else
            CHECK(gst_harness_push_event(
                h, gst_event_new_caps(
                       caps_of(want.format, want.width, want.height))));
        CHECK(gst_harness_push(h, buffer_of(&want, i * GST_SECOND / 30)) ==
              GST_FLOW_OK);
        struct frame_view v;
        expect_frame(r, &want, &v);
        if (sized && i > 0 && v.session_id != session) {
            fprintf(stderr, "step %zu: a new segment for %s %ux%u\n", i,
                    gstu_caps_name(want.format), want.width, want.height);
            CHECK(!"no new segment within max-width x max-height");
        }
        session = v.session_id;
        gstu_frame_free(&want);
        gstu_frame_free(&rgba);
    }
    CHECK(gst_harness_push_event(h, gst_event_new_eos()));
    int rc;
    while ((rc = frame_reader_wait(r, 30000)) == 0)
        ;
    CHECK_RC(rc, FRAME_ECLOSED); /* EOS closes the segment */
    CHECK(!gstu_segment_exists(name));
    frame_reader_close(r);
    gst_harness_teardown(h);
}

static void sink_caps_change(void)
{
    hang_guard(60);
    caps_changes(seg("caps"), false);
    caps_changes(seg("caps-sized"), true);
    alarm(0);
}

/* Buffers whose planes lie where GstVideoMeta says, not where GStreamer's
 * default layout would put them: wide strides, planes out of order, junk
 * between. The segment gets the samples, tight. */
static void sink_strides_honoured(void)
{
    hang_guard(60);
    const char *name = seg("strides");
    GstHarness *h = sink_harness(name, 0);
    frame_reader *r = gstu_reader(name);
    static const struct {
        uint32_t format, w, h;
        size_t off[3], str[3], size;
    } cases[] = {
        /* RGB rows of 291 bytes, 320 apart, from byte 100. */
        {FRAME_FORMAT_RGB8, 97, 61, {100, 0, 0}, {320, 0, 0}, 100 + 320 * 61},
        /* I420 with V before U, 128-byte rows, gaps. */
        {FRAME_FORMAT_I420,
         97,
         61,
         {0, 128 * 61 + 64 + 96 * 31 + 32, 128 * 61 + 64},
         {128, 96, 96},
         128 * 61 + 64 + 96 * 31 + 32 + 96 * 31},
        /* NV12 with odd-sized gaps (offsets stay even). */
        {FRAME_FORMAT_NV12,
         33,
         17,
         {2, 2 + 40 * 17 + 6, 0},
         {40, 36, 0},
         2 + 40 * 17 + 6 + 36 * 9},
        /* GRAY16 rows padded to 256 bytes. */
        {FRAME_FORMAT_GRAY16, 97, 61, {0, 0, 0}, {256, 0, 0}, 256 * 61},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gstu_frame rgba = {0}, want = {0};
        gstu_picture(&rgba, cases[i].w, cases[i].h, (unsigned)i + 20);
        gstu_convert(&want, &rgba, cases[i].format);
        if (i == 0)
            start_stream(h, want.format, want.width, want.height);
        else
            CHECK(gst_harness_push_event(
                h, gst_event_new_caps(
                       caps_of(want.format, want.width, want.height))));
        GstBuffer *b = gst_buffer_new_allocate(NULL, cases[i].size, NULL);
        GstMapInfo m;
        CHECK(gst_buffer_map(b, &m, GST_MAP_WRITE));
        memset(m.data, 0xEE, m.size);
        gstu_to_layout(&want, m.data, cases[i].off, cases[i].str);
        gst_buffer_unmap(b, &m);
        gsize off[GST_VIDEO_MAX_PLANES] = {0};
        gint str[GST_VIDEO_MAX_PLANES] = {0};
        const struct frame_format_desc *d = frame_format_desc(want.format);
        for (uint32_t p = 0; p < d->plane_count; p++) {
            off[p] = cases[i].off[p];
            str[p] = (gint)cases[i].str[p];
        }
        gst_buffer_add_video_meta_full(
            b, GST_VIDEO_FRAME_FLAG_NONE,
            gst_video_format_from_string(gstu_caps_name(want.format)),
            want.width, want.height, d->plane_count, off, str);
        GST_BUFFER_PTS(b) = i * GST_SECOND / 30;
        CHECK(gst_harness_push(h, b) == GST_FLOW_OK);
        struct frame_view v;
        expect_frame(r, &want, &v);
        gstu_frame_free(&want);
        gstu_frame_free(&rgba);
    }
    frame_reader_close(r);
    gst_harness_teardown(h);
    CHECK(!gstu_segment_exists(name));
    alarm(0);
}

/* slots, mode, max-width and max-height reach the segment. */
static void sink_properties(void)
{
    hang_guard(60);
    static const struct {
        unsigned slots, mode, max_w, max_h;
    } cases[] = {{5, 0640, 200, 100}, {2, 0660, 0, 0}, {8, 0600, 97, 61}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *name = seg("props");
        GstElement *e = gst_element_factory_make("libframesink", NULL);
        CHECK(e);
        /* mode is an enum whose values are the permission bits. */
        g_object_set(e, "segment", name, "sync", FALSE, "async", FALSE, "slots",
                     cases[i].slots, "max-width", cases[i].max_w, "max-height",
                     cases[i].max_h, NULL);
        gst_util_set_object_arg(G_OBJECT(e), "mode",
                                cases[i].mode == 0640   ? "0640"
                                : cases[i].mode == 0660 ? "0660"
                                                        : "0600");
        GstHarness *h = gst_harness_new_with_element(e, "sink", NULL);
        CHECK(h);
        gst_object_unref(e);
        struct gstu_frame rgba = {0};
        gstu_picture(&rgba, 97, 61, (unsigned)i);
        start_stream(h, FRAME_FORMAT_RGBA8, 97, 61);
        CHECK(gst_harness_push(h, buffer_of(&rgba, 0)) == GST_FLOW_OK);

        struct frame_info info;
        CHECK_RC(frame_segment_info(name, &info), 0);
        CHECK(info.slot_count == cases[i].slots);
        CHECK(info.max_width == (cases[i].max_w ? cases[i].max_w : 97));
        CHECK(info.max_height == (cases[i].max_h ? cases[i].max_h : 61));
        char path[256];
        struct stat st;
        CHECK_RC(frame_segment_path(name, path, sizeof(path)), 0);
        CHECK(stat(path, &st) == 0);
        if ((st.st_mode & 0777) != cases[i].mode) {
            fprintf(stderr, "mode %o, asked for %o\n", st.st_mode & 0777,
                    cases[i].mode);
            CHECK(!"the segment has the mode asked for");
        }
        gst_harness_teardown(h);
        CHECK(!gstu_segment_exists(name));
        gstu_frame_free(&rgba);
    }
    alarm(0);
}

/* ---- libframesrc -------------------------------------------------------- */

static pid_t producer_of(const char *log, const char *name,
                         const struct gstu_frame *rgba, const char *format,
                         const char *png)
{
    gstu_write_png(png, rgba);
    const char *extra[] = {"--format", format, "--fps", "30", NULL};
    return gstu_producer(log, name, png, extra);
}

/* A buffer from the harness, waiting for it (the source's own thread
 * pushes it). */
static GstBuffer *pull_within(GstHarness *h, int ms)
{
    int64_t until = now_ns() + ms * MS;
    for (;;) {
        GstBuffer *b = gst_harness_try_pull(h);
        if (b || now_ns() > until)
            return b;
        sleep_ms(5);
    }
}

static void src_state_cycles(void)
{
    hang_guard(90);
    scratch("gst-src-cycles");
    const char *name = seg("src-cycles");
    char png[600], log[600];
    snprintf(png, sizeof(png), "%s/p.png", scratch_dir());
    snprintf(log, sizeof(log), "%s/producer.log", scratch_dir());
    struct gstu_frame rgba = {0};
    gstu_picture(&rgba, 97, 61, 9);
    pid_t prod = producer_of(log, name, &rgba, "rgba8", png);

    GstHarness *h = gst_harness_new("libframesrc");
    CHECK(h);
    g_object_set(h->element, "segment", name, "wait", 30, NULL);
    int fds = -1;
    GstBuffer *kept = NULL;
    for (int i = 0; i <= 10; i++) {
        /* Copies and frames handed out in place in turn; a buffer of the
         * latter holds its frame, and may outlive the PLAYING spell. */
        g_object_set(h->element, "zero-copy", (gboolean)(i % 2), NULL);
        gst_harness_play(h);
        GstBuffer *b = pull_within(h, 30000);
        CHECK(b);
        CHECK(gst_buffer_get_size(b) >=
              gstu_gst_size(FRAME_FORMAT_RGBA8, 97, 61));
        if (i == 1)
            kept = b; /* unreffed after the element is gone */
        else
            gst_buffer_unref(b);
        CHECK(gst_element_set_state(h->element, GST_STATE_NULL) ==
              GST_STATE_CHANGE_SUCCESS);
        while ((b = gst_harness_try_pull(h)))
            gst_buffer_unref(b);
        /* The first spell opens what GStreamer keeps for good. */
        if (i == 0)
            fds = count_open_fds();
    }
    gst_harness_teardown(h);
    /* The kept buffer's frame, still readable after teardown. */
    CHECK(kept);
    struct gstu_frame want = {0};
    gstu_convert(&want, &rgba, FRAME_FORMAT_RGBA8);
    GstVideoInfo info;
    CHECK(gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGBA, 97, 61));
    GstVideoFrame vf;
    CHECK(gst_video_frame_map(&vf, &info, kept, GST_MAP_READ));
    const uint8_t *plane = GST_VIDEO_FRAME_PLANE_DATA(&vf, 0);
    size_t stride = (size_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0);
    char why[256];
    if (!gstu_same_as_planes(&want, &plane, &stride, why, sizeof(why))) {
        fprintf(stderr, "kept buffer: %s\n", why);
        CHECK(!"a buffer outliving the element keeps its frame");
    }
    gst_video_frame_unmap(&vf);
    gst_buffer_unref(kept);
    gstu_frame_free(&want);
    /* All gone now: the descriptors the spells opened too. */
    CHECK(count_open_fds() == fds);
    /* A source makes no segment: the producer's is the only one. */
    struct frame_object *objs;
    size_t n;
    CHECK_RC(frame_objects_list(&objs, &n), 0);
    char prefix[64];
    snprintf(prefix, sizeof(prefix), "t%d-", (int)getpid());
    size_t ours = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(objs[i].name, prefix, strlen(prefix)) == 0)
            ours++;
    free(objs);
    CHECK(ours == 1);
    stop_child(prod, SIGTERM, 30000, "the producer", log);
    gstu_frame_free(&rgba);
    scratch_remove();
    alarm(0);
}

/* A source waiting for a producer that never comes leaves PLAYING at once
 * when asked (unlock), however long it was told to wait. */
static void src_waiting_unblocks(void)
{
    hang_guard(60);
    const char *name = seg("nobody");
    for (int follow = 0; follow < 2; follow++) {
        GstHarness *h = gst_harness_new("libframesrc");
        CHECK(h);
        g_object_set(h->element, "segment", name, "wait", -1, "follow",
                     (gboolean)follow, NULL);
        int fds = count_open_fds();
        for (int i = 0; i < 5; i++) {
            gst_harness_play(h);
            sleep_ms(100); /* let it block in its wait */
            CHECK(gst_element_set_state(h->element, GST_STATE_NULL) ==
                  GST_STATE_CHANGE_SUCCESS);
        }
        CHECK(gst_harness_try_pull(h) == NULL);
        if (follow)
            CHECK(count_open_fds() == fds);
        gst_harness_teardown(h);
    }
    CHECK(!gstu_segment_exists(name));
    alarm(0);
}

/* The next sample from appsink whose caps say format w x h (older ones
 * skipped), compared with want; 30 s at most. */
static void expect_sample(GstElement *sink, const struct gstu_frame *want)
{
    int64_t until = now_ns() + 30000 * MS;
    for (;;) {
        CHECK(now_ns() < until);
        GstSample *s =
            gst_app_sink_try_pull_sample(GST_APP_SINK(sink), GST_SECOND);
        if (!s) {
            CHECK(!gst_app_sink_is_eos(GST_APP_SINK(sink)));
            continue;
        }
        GstVideoInfo info;
        CHECK(gst_video_info_from_caps(&info, gst_sample_get_caps(s)));
        if (strcmp(gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&info)),
                   gstu_caps_name(want->format)) != 0 ||
            (uint32_t)GST_VIDEO_INFO_WIDTH(&info) != want->width ||
            (uint32_t)GST_VIDEO_INFO_HEIGHT(&info) != want->height) {
            gst_sample_unref(s); /* the producer before */
            continue;
        }
        GstVideoFrame vf;
        CHECK(gst_video_frame_map(&vf, &info, gst_sample_get_buffer(s),
                                  GST_MAP_READ));
        const uint8_t *planes[GST_VIDEO_MAX_PLANES];
        size_t strides[GST_VIDEO_MAX_PLANES];
        for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(&vf); p++) {
            planes[p] = GST_VIDEO_FRAME_PLANE_DATA(&vf, p);
            strides[p] = (size_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, p);
        }
        char why[256];
        bool same =
            gstu_same_as_planes(want, planes, strides, why, sizeof(why));
        gst_video_frame_unmap(&vf);
        gst_sample_unref(s);
        if (!same) {
            fprintf(stderr, "libframesrc: %s\n", why);
            CHECK(!"the buffer holds the producer's frame");
        }
        return;
    }
}

/* No error and no EOS on the bus: the pipeline runs on. (A warning is
 * allowed: libframesrc says so when it sees a writer die, which it may or
 * may not see before the next one takes the name.) */
static void expect_no_end(GstElement *pipe)
{
    GstBus *bus = gst_element_get_bus(pipe);
    GstMessage *m;
    while ((m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR | GST_MESSAGE_EOS |
                                              GST_MESSAGE_WARNING))) {
        GError *e = NULL;
        gchar *dbg = NULL;
        bool end = GST_MESSAGE_TYPE(m) != GST_MESSAGE_WARNING;
        if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR)
            gst_message_parse_error(m, &e, &dbg);
        else if (!end)
            gst_message_parse_warning(m, &e, &dbg);
        fprintf(stderr, "%s: %s (%s)\n", GST_MESSAGE_TYPE_NAME(m),
                e ? e->message : "", dbg ? dbg : "");
        g_clear_error(&e);
        g_free(dbg);
        gst_message_unref(m);
        if (end)
            CHECK(!"the pipeline keeps running");
    }
    gst_object_unref(bus);
}

/* follow=true: a producer SIGKILLed, another started on the name with
 * another size and format, then closed cleanly and a third started: the
 * pipeline runs on, renegotiates, and carries each one's frames. */
static void src_follow_restart(void)
{
    hang_guard(90);
    scratch("gst-src-follow");
    const char *name = seg("follow");
    char png[600], log[600], desc[512];
    snprintf(png, sizeof(png), "%s/p.png", scratch_dir());
    snprintf(log, sizeof(log), "%s/producer.log", scratch_dir());
    snprintf(desc, sizeof(desc),
             "libframesrc segment=%s wait=30 follow=true ! "
             "appsink name=out sync=false max-buffers=4 drop=true",
             name);
    GError *err = NULL;
    GstElement *pipe = gst_parse_launch(desc, &err);
    if (!pipe)
        fprintf(stderr, "%s\n", err ? err->message : "?");
    CHECK(pipe);
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pipe), "out");

    struct gstu_frame a = {0}, b = {0}, b_gray = {0}, c = {0};
    gstu_picture(&a, 97, 61, 30);
    gstu_picture(&b, 33, 17, 31);
    gstu_convert(&b_gray, &b, FRAME_FORMAT_GRAY8);
    gstu_picture(&c, 64, 48, 32);

    pid_t prod = producer_of(log, name, &a, "rgba8", png);
    CHECK(gst_element_set_state(pipe, GST_STATE_PLAYING) !=
          GST_STATE_CHANGE_FAILURE);
    expect_sample(sink, &a);

    kill_child(prod, 30000, "the first producer", log);
    prod = producer_of(log, name, &b, "gray8", png);
    expect_sample(sink, &b_gray);
    expect_no_end(pipe);

    stop_child(prod, SIGTERM, 30000, "the second producer", log);
    prod = producer_of(log, name, &c, "rgba8", png);
    expect_sample(sink, &c);
    expect_no_end(pipe);

    CHECK(gst_element_set_state(pipe, GST_STATE_NULL) ==
          GST_STATE_CHANGE_SUCCESS);
    gst_object_unref(sink);
    gst_object_unref(pipe);
    stop_child(prod, SIGTERM, 30000, "the third producer", log);
    gstu_frame_free(&a);
    gstu_frame_free(&b);
    gstu_frame_free(&b_gray);
    gstu_frame_free(&c);
    scratch_remove();
    alarm(0);
}

TEST_MAIN(CASE(sink_state_cycles), CASE(src_state_cycles),
          CASE(src_waiting_unblocks), CASE(sink_caps_change),
          CASE(sink_strides_honoured), CASE(sink_properties),
          CASE(src_follow_restart))
