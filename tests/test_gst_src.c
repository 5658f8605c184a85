/* libframesrc through GstHarness (issue 16): the element's own promises,
 * with a real writer (in this process, or a child to kill) and a real
 * segment. The element is registered from its sources, so the case runs
 * fully instrumented in the sanitizer builds; test_gst* (gst-tests) run
 * the plugin module itself in real pipelines. */
#include "libframesrc.h"
#include "proc.h"
#include "runner.h"

#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <signal.h>

/* Every plane of a frame of the table at a size where GStreamer pads rows
 * (width not a multiple of 4) and rounds chroma (odd height). */
#define OW 33
#define OH 17

static char seg[FRAME_NAME_MAX + 1];

static pid_t seg_owner;

static void unlink_seg(void)
{
    if (getpid() == seg_owner)
        test_unlink(seg);
}

/* The case's segment name; whatever the case leaves under it (a killed
 * writer's segment, a case that failed half-way) is removed at exit by
 * this process (not by its forked writers). */
static const char *case_name(const char *tag)
{
    g_strlcpy(seg, test_name(tag), sizeof(seg));
    if (!seg_owner) {
        seg_owner = getpid();
        atexit(unlink_seg);
    }
    return seg;
}

static void setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    gst_init(NULL, NULL);
    CHECK(gst_element_register(NULL, "libframesrc", GST_RANK_NONE,
                               GST_TYPE_LIBFRAME_SRC));
}

/* The byte at (p, y, x) of frame `seed`: no two planes, rows or frames
 * alike, so a shifted, padded or stale copy never matches. */
static uint8_t sample(uint32_t seed, uint32_t p, uint32_t y, uint32_t x)
{
    return (uint8_t)(seed * 31 + p * 101 + y * 7 + x * 13);
}

static uint32_t plane_rows(uint32_t format, uint32_t p, uint32_t height)
{
    uint32_t s = frame_format_desc(format)->plane[p].y_shift;
    return (height + (1u << s) - 1) >> s;
}

/* Publish a frame of format, width x height with the pattern of seed. */
static void publish_aligned(frame_writer *w, uint32_t format, uint32_t width,
                            uint32_t height, uint32_t align, uint32_t seed)
{
    struct frame_buffer b;
    struct frame_image tight; /* its strides are the row lengths */
    CHECK_RC(frame_writer_begin_format(w, format, width, height, align, &b), 0);
    CHECK(frame_image_layout(&tight, format, width, height, 1, NULL));
    for (uint32_t p = 0; p < b.image.plane_count; p++)
        for (uint32_t y = 0; y < plane_rows(format, p, height); y++)
            for (uint32_t x = 0; x < tight.stride[p]; x++)
                b.image.plane[p][(size_t)y * b.image.stride[p] + x] =
                    sample(seed, p, y, x);
    CHECK_RC(frame_writer_commit(w, 0, seed), 0);
}

/* Tight rows, as writers publish by default. */
static void publish(frame_writer *w, uint32_t format, uint32_t width,
                    uint32_t height, uint32_t seed)
{
    publish_aligned(w, format, width, height, 1, seed);
}

/* The buffer's caps say format, width x height and its planes, in
 * whatever layout they say, hold the pattern of seed. */
static void check_frame(GstHarness *h, GstBuffer *buf, uint32_t format,
                        uint32_t width, uint32_t height, uint32_t seed)
{
    GstCaps *caps = gst_pad_get_current_caps(h->sinkpad);
    CHECK(caps);
    GstVideoInfo info;
    CHECK(gst_video_info_from_caps(&info, caps));
    gst_caps_unref(caps);
    CHECK(strcmp(gst_video_format_to_string(GST_VIDEO_INFO_FORMAT(&info)),
                 frame_format_desc(format)->name) == 0);
    CHECK(GST_VIDEO_INFO_WIDTH(&info) == (gint)width);
    CHECK(GST_VIDEO_INFO_HEIGHT(&info) == (gint)height);
    CHECK(GST_BUFFER_PTS_IS_VALID(buf));

    GstVideoFrame vf;
    struct frame_image tight;
    CHECK(gst_video_frame_map(&vf, &info, buf, GST_MAP_READ));
    CHECK(frame_image_layout(&tight, format, width, height, 1, NULL));
    size_t bad = 0;
    for (uint32_t p = 0; p < tight.plane_count; p++) {
        const uint8_t *base = GST_VIDEO_FRAME_PLANE_DATA(&vf, p);
        gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(&vf, p);
        for (uint32_t y = 0; y < plane_rows(format, p, height); y++)
            for (uint32_t x = 0; x < tight.stride[p]; x++)
                bad += base[(size_t)y * stride + x] != sample(seed, p, y, x);
    }
    gst_video_frame_unmap(&vf);
    if (bad)
        fprintf(stderr, "%s %ux%u: %zu bytes differ\n",
                frame_format_desc(format)->name, width, height, bad);
    CHECK(bad == 0);
}

static GstElement *make_src(const char *name, int wait_s, gboolean follow)
{
    setup();
    GstElement *el = gst_element_factory_make("libframesrc", NULL);
    CHECK(el);
    g_object_set(el, "segment", name, "wait", wait_s, "follow", follow, NULL);
    return gst_object_ref_sink(el);
}

/* A harness on el's src pad; it takes over our reference. */
static GstHarness *harness(GstElement *el)
{
    GstHarness *h = gst_harness_new_with_element(el, NULL, "src");
    gst_object_unref(el);
    return h;
}

static frame_writer *new_writer(const char *name)
{
    struct frame_format fmt = {
        .max_width = 64, .max_height = 64, .pixel_format = FRAME_FORMAT_RGBA16};
    frame_writer *w;
    CHECK_RC(frame_writer_create(name, &fmt, &w, NULL), 0);
    return w;
}

/* Text of the first error or warning on bus within the hang guard. */
static gchar *next_message(GstBus *bus, GstMessageType type)
{
    GstMessage *m = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, type);
    CHECK(m);
    GError *err = NULL;
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR)
        gst_message_parse_error(m, &err, NULL);
    else
        gst_message_parse_warning(m, &err, NULL);
    gchar *text = g_strdup(err->message);
    fprintf(stderr, "message: %s\n", text);
    g_error_free(err);
    gst_message_unref(m);
    return text;
}

/* Queued messages hold their element, which holds the bus: drop them so
 * both go (the case's fd count sees the bus's descriptors). */
static void drop_messages(GstBus *bus) { gst_bus_set_flushing(bus, TRUE); }

/* Every format of the table, at two sizes and with a writer's own row
 * padding, one frame each, through one element: each frame renegotiates
 * and arrives byte-exact in GStreamer's layout (padded rows, rounded
 * chroma); PTS never go back. */
static void formats_exact(void)
{
    const char *name = case_name("gsrc-formats");
    frame_writer *w = new_writer(name);
    publish(w, FRAME_FORMAT_RGBA8, OW, OH, 0);

    GstHarness *h = harness(make_src(name, 0, FALSE));
    /* With GstVideoMeta allowed, the pool may use it; either way the
     * bytes must be where the buffer says. */
    gst_harness_add_propose_allocation_meta(h, GST_VIDEO_META_API_TYPE, NULL);
    gst_harness_play(h);
    GstBuffer *buf = gst_harness_pull(h);
    CHECK(buf);
    check_frame(h, buf, FRAME_FORMAT_RGBA8, OW, OH, 0);
    GstClockTime last = GST_BUFFER_PTS(buf);
    gst_buffer_unref(buf);

    uint32_t seed = 1;
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        static const uint32_t sizes[][3] = {
            {OW, OH, 1}, {8, 4, 1}, {OW, OH, 64}};
        for (size_t s = 0; s < 3; s++, seed++) {
            publish_aligned(w, f, sizes[s][0], sizes[s][1], sizes[s][2], seed);
            CHECK((buf = gst_harness_pull(h)));
            check_frame(h, buf, f, sizes[s][0], sizes[s][1], seed);
            CHECK(GST_BUFFER_PTS(buf) >= last);
            last = GST_BUFFER_PTS(buf);
            CHECK(GST_BUFFER_OFFSET(buf) == seed + 1); /* the frame number */
            gst_buffer_unref(buf);
        }
    }
    gst_harness_teardown(h);
    frame_writer_destroy(w);
}

/* No segment: wait=0 fails the state change with libframe's words;
 * wait=1 posts the same error once the second has passed. A file that is
 * not a segment: the same with its reason. */
static void wait_missing(void)
{
    const char *name = case_name("gsrc-missing");
    char want[128];
    snprintf(want, sizeof(want), "segment '%s': no such segment", name);

    GstElement *el = make_src(name, 0, FALSE);
    GstBus *bus = gst_bus_new();
    gst_element_set_bus(el, bus);
    CHECK(gst_element_set_state(el, GST_STATE_PAUSED) ==
          GST_STATE_CHANGE_FAILURE);
    gchar *text = next_message(bus, GST_MESSAGE_ERROR);
    CHECK(strcmp(text, want) == 0);
    g_free(text);
    gst_element_set_state(el, GST_STATE_NULL);
    drop_messages(bus);
    gst_object_unref(el);

    GstBus *bus2 = gst_bus_new();
    el = make_src(name, 1, FALSE);
    gst_element_set_bus(el, bus2);
    GstHarness *h = harness(el);
    gst_harness_play(h);
    text = next_message(bus2, GST_MESSAGE_ERROR);
    CHECK(strcmp(text, want) == 0);
    g_free(text);
    gst_harness_teardown(h);
    drop_messages(bus2);
    gst_object_unref(bus);

    /* Something that is not a segment under the name: a warning while
     * waiting, then the error, both with the reason. */
    char path[128];
    CHECK_RC(frame_segment_path(name, path, sizeof(path)), 0);
    gchar *zeros = g_malloc0(8192);
    CHECK(g_file_set_contents(path, zeros, 8192, NULL));
    g_free(zeros);
    char why[128];
    snprintf(want, sizeof(want), "segment '%s': %s", name,
             frame_segment_strerror(name, FRAME_ENOTFRAME, why, sizeof(why)));
    el = make_src(name, 1, FALSE);
    GstBus *bus3 = gst_bus_new();
    gst_element_set_bus(el, bus3);
    h = harness(el);
    gst_harness_play(h);
    text = next_message(bus3, GST_MESSAGE_WARNING);
    CHECK(g_str_has_prefix(text, want));
    g_free(text);
    text = next_message(bus3, GST_MESSAGE_ERROR);
    CHECK(strcmp(text, want) == 0);
    g_free(text);
    gst_harness_teardown(h);
    drop_messages(bus3);
    gst_object_unref(bus2);
    gst_object_unref(bus3);
}

/* A source waiting for ever for a producer that never comes still stops
 * when asked: unlock() reaches a create() asleep on the segment. Without
 * it the state change to NULL would wait for ever (the ctest timeout
 * fails the case). */
static void stop_while_waiting(void)
{
    const char *name = case_name("gsrc-never");
    for (int i = 0; i < 3; i++) {
        GstHarness *h = harness(make_src(name, -1, TRUE));
        gst_harness_play(h);
        sleep_ms(100); /* create() is asleep by now, or soon will be */
        CHECK(gst_element_set_state(h->element, GST_STATE_NULL) ==
              GST_STATE_CHANGE_SUCCESS);
        gst_harness_teardown(h);
    }
    /* The same while attached to a writer that publishes nothing new. */
    frame_writer *w = new_writer(name);
    publish(w, FRAME_FORMAT_GRAY8, 4, 4, 7);
    GstHarness *h = harness(make_src(name, -1, TRUE));
    gst_harness_play(h);
    GstBuffer *buf = gst_harness_pull(h);
    CHECK(buf);
    gst_buffer_unref(buf);
    CHECK(gst_element_set_state(h->element, GST_STATE_NULL) ==
          GST_STATE_CHANGE_SUCCESS);
    gst_harness_teardown(h);
    frame_writer_destroy(w);
}

/* Pull events until EOS; false if the stream ended otherwise. */
static bool pull_until_eos(GstHarness *h)
{
    for (;;) {
        GstEvent *e = gst_harness_pull_event(h);
        if (!e)
            return false;
        bool eos = GST_EVENT_TYPE(e) == GST_EVENT_EOS;
        gst_event_unref(e);
        if (eos)
            return true;
    }
}

/* Without follow, a writer that closes ends the stream with EOS after its
 * frames. */
static void closed_is_eos(void)
{
    const char *name = case_name("gsrc-closed");
    frame_writer *w = new_writer(name);
    publish(w, FRAME_FORMAT_RGB8, 5, 3, 3);
    GstHarness *h = harness(make_src(name, 0, FALSE));
    gst_harness_play(h);
    GstBuffer *buf = gst_harness_pull(h);
    CHECK(buf);
    check_frame(h, buf, FRAME_FORMAT_RGB8, 5, 3, 3);
    gst_buffer_unref(buf);
    frame_writer_destroy(w);
    CHECK(pull_until_eos(h));
    gst_harness_teardown(h);
}

/* A writer in a child that publishes RGBA8 8x6 frames until it is
 * killed. */
static pid_t child_writer(const char *name)
{
    pid_t pid = fork_child();
    if (pid)
        return pid;
    frame_writer *w = new_writer(name);
    for (uint32_t seed = 100;; seed++) {
        publish(w, FRAME_FORMAT_RGBA8, 8, 6, seed);
        sleep_ms(20);
    }
}

/* Without follow, a writer that dies is an element error in libframe's
 * words. */
static void lost_is_error(void)
{
    const char *name = case_name("gsrc-lost");
    pid_t pid = child_writer(name);
    GstElement *el = make_src(name, -1, FALSE);
    GstBus *bus = gst_bus_new();
    gst_element_set_bus(el, bus);
    GstHarness *h = harness(el);
    gst_harness_play(h);
    GstBuffer *buf = gst_harness_pull(h);
    CHECK(buf);
    gst_buffer_unref(buf);
    kill_child(pid, 5000, "writer", NULL);
    char want[128];
    snprintf(want, sizeof(want), "segment '%s': %s", name,
             frame_strerror(FRAME_ELOST));
    gchar *text = next_message(bus, GST_MESSAGE_ERROR);
    CHECK(strcmp(text, want) == 0);
    g_free(text);
    gst_harness_teardown(h);
    drop_messages(bus);
    gst_object_unref(bus);
    test_unlink(name);
}

/* With follow, a writer killed and another one started on the name with
 * another format and size: the stream goes on with the new writer's
 * frames, new caps, DISCONT on the first. */
static void follow_restart(void)
{
    const char *name = case_name("gsrc-follow");
    pid_t pid = child_writer(name);
    GstElement *el = make_src(name, -1, TRUE);
    GstHarness *h = harness(el);
    gst_harness_play(h);
    GstBuffer *buf = gst_harness_pull(h);
    CHECK(buf);
    gst_buffer_unref(buf);
    kill_child(pid, 5000, "writer", NULL);

    bool replaced = false;
    struct frame_format fmt = {.max_width = 64, .max_height = 64};
    frame_writer *w;
    CHECK_RC(frame_writer_create(name, &fmt, &w, &replaced), 0);
    CHECK(replaced);
    publish(w, FRAME_FORMAT_GRAY8, 5, 3, 9);
    /* The old writer's frames queued before it died come first. */
    int old = 0;
    for (;;) {
        CHECK((buf = gst_harness_pull(h)));
        GstCaps *caps = gst_pad_get_current_caps(h->sinkpad);
        GstVideoInfo info;
        CHECK(gst_video_info_from_caps(&info, caps));
        gst_caps_unref(caps);
        if (GST_VIDEO_INFO_FORMAT(&info) == GST_VIDEO_FORMAT_GRAY8)
            break;
        CHECK(!GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT) ||
              old == 0);
        gst_buffer_unref(buf);
        old++;
    }
    check_frame(h, buf, FRAME_FORMAT_GRAY8, 5, 3, 9);
    CHECK(GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DISCONT));
    gst_buffer_unref(buf);

    GstStructure *st = NULL;
    g_object_get(h->element, "stats", &st, NULL);
    guint64 restarts = 0;
    CHECK(gst_structure_get_uint64(st, "restarts", &restarts));
    CHECK(restarts == 1);
    gst_structure_free(st);
    gst_harness_teardown(h);
    frame_writer_destroy(w);
}

static guint64 stat_of(GstHarness *h, const char *field)
{
    GstStructure *st = NULL;
    guint64 v = 0;
    g_object_get(h->element, "stats", &st, NULL);
    CHECK(gst_structure_get_uint64(st, field, &v));
    gst_structure_free(st);
    return v;
}

/* zero-copy: a buffer is the frame in place, read-only, held until it is
 * freed (the writer publishes around it), even after the element has
 * stopped; with one alive (3 slots: the promise allows one) the next
 * frame is copied; odd layouts go with GstVideoMeta, or are copied when
 * downstream does not take it. */
static void zero_copy_leases(void)
{
    const char *name = case_name("gsrc-zerocopy");
    frame_writer *w = new_writer(name);
    publish(w, FRAME_FORMAT_RGBA8, 16, 8, 1);
    GstElement *el = make_src(name, 0, FALSE);
    g_object_set(el, "zero-copy", TRUE, NULL);
    GstHarness *h = harness(el);
    gst_harness_add_propose_allocation_meta(h, GST_VIDEO_META_API_TYPE, NULL);
    gst_harness_play(h);

    GstBuffer *first = gst_harness_pull(h);
    CHECK(first);
    CHECK(stat_of(h, "leases") == 1);
    /* Read-only: a writable map gets a copy (GStreamer's rule). */
    CHECK(GST_MEMORY_IS_READONLY(gst_buffer_peek_memory(first, 0)));
    /* The writer goes on around the held frame, which stays whole. */
    for (uint32_t seed = 2; seed < 8; seed++)
        publish(w, FRAME_FORMAT_RGBA8, 16, 8, seed);
    check_frame(h, first, FRAME_FORMAT_RGBA8, 16, 8, 1);

    /* Meanwhile the source took some of frames 2 to 7 (which ones
     * depends on speed), each copied: the promise allows no second
     * lease. */
    for (guint64 frame_no = 0; frame_no != 7;) {
        GstBuffer *buf = gst_harness_pull(h);
        CHECK(buf);
        frame_no = GST_BUFFER_OFFSET(buf);
        CHECK(frame_no >= 2 && frame_no <= 7);
        check_frame(h, buf, FRAME_FORMAT_RGBA8, 16, 8, (uint32_t)frame_no);
        CHECK(!GST_MEMORY_IS_READONLY(gst_buffer_peek_memory(buf, 0)));
        gst_buffer_unref(buf);
    }
    CHECK(stat_of(h, "leases") == 1);

    /* Freed: the next frame is leased again, here with GstVideoMeta (RGB
     * rows of 99 bytes; GStreamer's are 100). */
    gst_buffer_unref(first);
    publish(w, FRAME_FORMAT_RGB8, OW, OH, 8);
    GstBuffer *buf = gst_harness_pull(h);
    CHECK(buf);
    CHECK(stat_of(h, "leases") == 2);
    CHECK(gst_buffer_get_video_meta(buf));
    check_frame(h, buf, FRAME_FORMAT_RGB8, OW, OH, 8);

    /* The element stops and goes; the buffer still holds its frame. */
    GstCaps *caps = gst_pad_get_current_caps(h->sinkpad);
    CHECK(stat_of(h, "leases-broken") == 0);
    gst_harness_teardown(h);
    for (uint32_t seed = 9; seed < 14; seed++)
        publish(w, FRAME_FORMAT_RGB8, OW, OH, seed);
    GstVideoInfo info;
    GstVideoFrame vf;
    CHECK(gst_video_info_from_caps(&info, caps));
    CHECK(gst_video_frame_map(&vf, &info, buf, GST_MAP_READ));
    CHECK(GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0) == OW * 3);
    const uint8_t *px = GST_VIDEO_FRAME_PLANE_DATA(&vf, 0);
    for (uint32_t y = 0; y < OH; y++)
        for (uint32_t x = 0; x < OW * 3; x++)
            CHECK(px[y * OW * 3 + x] == sample(8, 0, y, x));
    gst_video_frame_unmap(&vf);
    gst_caps_unref(caps);
    gst_buffer_unref(buf); /* the handle closes now (the fd count) */

    /* Without GstVideoMeta downstream, that layout is copied. */
    el = make_src(name, 0, FALSE);
    g_object_set(el, "zero-copy", TRUE, NULL);
    h = harness(el);
    gst_harness_play(h);
    CHECK((buf = gst_harness_pull(h)));
    check_frame(h, buf, FRAME_FORMAT_RGB8, OW, OH, 13);
    CHECK(!gst_buffer_get_video_meta(buf));
    CHECK(stat_of(h, "leases") == 0);
    gst_buffer_unref(buf);
    gst_harness_teardown(h);
    frame_writer_destroy(w);
}

/* A pipeline clock that is not CLOCK_MONOTONIC (a realtime system clock
 * here; a network clock alike): timestamps are still the running time of
 * each publish, so two frames published 50 ms apart are at least that
 * far apart (subtracting the clocks' readings naively would give 0 or
 * nonsense). */
static void realtime_clock(void)
{
    const char *name = case_name("gsrc-clock");
    frame_writer *w = new_writer(name);
    GstHarness *h = harness(make_src(name, -1, FALSE));
    GstClock *clock = g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type",
                                   GST_CLOCK_TYPE_REALTIME, NULL);
    gst_element_set_clock(h->element, clock);
    gst_element_set_base_time(h->element, gst_clock_get_time(clock));
    gst_harness_play(h);
    publish(w, FRAME_FORMAT_GRAY8, 4, 2, 1);
    GstBuffer *a = gst_harness_pull(h);
    CHECK(a);
    sleep_ms(50);
    publish(w, FRAME_FORMAT_GRAY8, 4, 2, 2);
    GstBuffer *b = gst_harness_pull(h);
    CHECK(b);
    fprintf(stderr, "pts %" G_GUINT64_FORMAT " then %" G_GUINT64_FORMAT "\n",
            GST_BUFFER_PTS(a), GST_BUFFER_PTS(b));
    CHECK(GST_BUFFER_PTS_IS_VALID(a) && GST_BUFFER_PTS_IS_VALID(b));
    CHECK(GST_BUFFER_PTS(b) >= GST_BUFFER_PTS(a) + 49 * GST_MSECOND);
    gst_buffer_unref(a);
    gst_buffer_unref(b);
    gst_harness_teardown(h);
    gst_object_unref(clock);
    frame_writer_destroy(w);
}

TEST_MAIN(CASE(formats_exact), CASE(wait_missing), CASE(stop_while_waiting),
          CASE(closed_is_eos), CASE(lost_is_error), CASE(follow_restart),
          CASE(zero_copy_leases), CASE(realtime_clock))
