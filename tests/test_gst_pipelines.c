/* The GStreamer elements in real gst-launch-1.0 pipelines (issue 16):
 * videotestsrc into libframesink byte-exact against filesink for every
 * format, the producer through libframesrc into filesink byte-exact, how
 * libframesrc ends (EOS, errors in libframe's words), a taken name, and
 * frames across the loopback interface (TCP with gdppay byte-exact, RTP raw
 * video, RTP H.264 where an encoder and decoder are installed).
 * Real processes, real segments, the plugin of this build tree. */
#include "gst/gst_util.h"

#include <signal.h>

/* Odd on both sides, so GStreamer pads every row (to 4 bytes) and chroma
 * rounds up: strides and offsets matter. */
#define W 97
#define H 61

static char *log_path(const char *tag)
{
    static char buf[8][512];
    static int next;
    char *p = buf[next++ % 8];
    snprintf(p, sizeof(buf[0]), "%s/%s.log", scratch_dir(), tag);
    return p;
}

static const char *seg_name(const char *tag, uint32_t format)
{
    static char buf[16][FRAME_NAME_MAX + 1];
    static int next;
    char *p = buf[next++ % 16];
    snprintf(p, sizeof(buf[0]), "t%d-%s%s%s", (int)getpid(), tag,
             format ? "-" : "",
             format ? frame_format_desc(format)->short_name : "");
    return p;
}

static void expect_ok(pid_t pid, const char *what, const char *log)
{
    expect_exit(pid, 0, 60000, what, log); /* a hang guard */
}

/* gst-launch-1.0 exits 1 for an error while running, 255 (-1) when the
 * pipeline fails to start: either is a clean failure, a signal is not. */
static void expect_failure(pid_t pid, const char *what, const char *log)
{
    int code = exit_code(pid, 60000, what, log);
    if (code == 0) {
        print_file(what, log);
        CHECK(!"the pipeline failed");
    }
}

/* The test picture as a PNG in the scratch directory. */
static const char *picture_png(const char *tag, uint32_t w, uint32_t h,
                               unsigned seed, struct gstu_frame *rgba)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s.png", scratch_dir(), tag);
    gstu_picture(rgba, w, h, seed);
    gstu_write_png(path, rgba);
    return path;
}

/* ---- videotestsrc -> libframesink, every format ------------------------- */

static void sink_every_format(void)
{
    scratch("gst-sink-formats");
    /* The reference: the same pattern and caps written by filesink. */
    pid_t gst[FRAME_FORMAT_MAX + 1];
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        struct gstu_words ref = {.n = 0};
        gstu_words(&ref,
                   "videotestsrc num-buffers=1 pattern=colors ! "
                   "video/x-raw,format=%s,width=%d,height=%d ! "
                   "filesink location=%s/%s.raw",
                   gstu_caps_name(f), W, H, scratch_dir(), gstu_caps_name(f));
        gst[f] = gstu_launch(log_path(gstu_caps_name(f)), ref.w);
    }
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++)
        expect_ok(gst[f], "the filesink pipeline", log_path(gstu_caps_name(f)));

    /* The same into eight segments at once, live, until stopped: "colors"
     * is the same picture in every frame (not smpte, whose corner is
     * noise), so whichever frame the reader takes must equal the
     * reference. */
    frame_reader *r[FRAME_FORMAT_MAX + 1];
    char logs[FRAME_FORMAT_MAX + 1][600];
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        struct gstu_words live = {.n = 0};
        r[f] = gstu_reader(seg_name("sink", f));
        gstu_words(&live,
                   "videotestsrc is-live=true pattern=colors ! "
                   "video/x-raw,format=%s,width=%d,height=%d,framerate=20/1 ! "
                   "libframesink segment=%s",
                   gstu_caps_name(f), W, H, seg_name("sink", f));
        snprintf(logs[f], sizeof(logs[f]), "%s/live-%s.log", scratch_dir(),
                 gstu_caps_name(f));
        gst[f] = gstu_launch(logs[f], live.w);
    }

    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        char path[600], why[256];
        snprintf(path, sizeof(path), "%s/%s.raw", scratch_dir(),
                 gstu_caps_name(f));
        size_t len = 0;
        uint8_t *want = gstu_read_file(path, &len);
        CHECK(want);
        CHECK(len == gstu_gst_size(f, W, H));

        struct gstu_frame got = {0};
        struct frame_view v;
        int rc = gstu_next(r[f], &got, &v);
        if (rc != 0)
            print_file("the libframesink pipeline", logs[f]);
        CHECK_RC(rc, 0);
        CHECK(v.format == f && v.width == W && v.height == H);
        if (!gstu_same_as_gst(&got, want, len, why, sizeof(why))) {
            fprintf(stderr, "libframesink %s: %s\n", gstu_caps_name(f), why);
            CHECK(!"libframesink's frame is filesink's");
        }
        gstu_frame_free(&got);
        free(want);
    }

    /* EOS closes every segment: readers see a clean close, names go. */
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++)
        stop_child(gst[f], SIGINT, 60000, "the libframesink pipeline", logs[f]);
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        int rc;
        while ((rc = frame_reader_wait(r[f], 30000)) == 0)
            ;
        CHECK_RC(rc, FRAME_ECLOSED);
        CHECK(!gstu_segment_exists(seg_name("sink", f)));
        frame_reader_close(r[f]);
    }
    scratch_remove();
}

/* A name a live writer holds: an element error naming that writer. */
static void sink_name_taken(void)
{
    scratch("gst-sink-taken");
    struct gstu_frame rgba = {0};
    const char *png = picture_png("p", W, H, 3, &rgba);
    const char *name = seg_name("taken", 0);
    const char *plog = log_path("producer");
    pid_t prod = gstu_producer(plog, name, png, NULL);
    frame_reader *r = gstu_reader(name);
    struct gstu_frame got = {0};
    struct frame_view v;
    CHECK_RC(gstu_next(r, &got, &v), 0); /* the producer is up */

    struct gstu_words w = {.n = 0};
    gstu_words(&w,
               "videotestsrc num-buffers=5 ! "
               "video/x-raw,format=RGBA,width=%d,height=%d ! "
               "libframesink segment=%s",
               W, H, name);
    const char *log = log_path("sink");
    expect_failure(gstu_launch(log, w.w), "the libframesink pipeline", log);
    char pid[32];
    snprintf(pid, sizeof(pid), "%d", (int)prod);
    if (!file_has(log, "ERROR") || !file_has(log, pid)) {
        print_file("the libframesink pipeline", log);
        CHECK(!"an element error naming the writer's pid");
    }
    /* The producer's segment is untouched. */
    CHECK_RC(gstu_next(r, &got, &v), 0);
    CHECK(v.width == W && v.height == H);
    stop_child(prod, SIGTERM, 30000, "the producer", plog);
    frame_reader_close(r);
    gstu_frame_free(&got);
    gstu_frame_free(&rgba);
    scratch_remove();
}

/* ---- producer -> libframesrc -> filesink ------------------------------- */

static void src_every_format(void)
{
    scratch("gst-src-formats");
    struct gstu_frame rgba = {0};
    const char *png = picture_png("p", W, H, 1, &rgba);
    pid_t prod[FRAME_FORMAT_MAX + 1], gst[FRAME_FORMAT_MAX + 1];
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        const char *extra[] = {"--format", frame_format_desc(f)->short_name,
                               "--fps", "30", NULL};
        prod[f] = gstu_producer(log_path(gstu_caps_name(f)), seg_name("src", f),
                                png, extra);
    }
    /* Copied, then handed out in place (zero-copy: filesink takes no
     * GstVideoMeta, so a frame whose rows are not GStreamer's must still
     * arrive in GStreamer's layout). Three frames each, waiting for the
     * producer if it is not up yet. */
    for (int zero_copy = 0; zero_copy < 2; zero_copy++) {
        for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
            struct gstu_words w = {.n = 0};
            gstu_words(&w,
                       "libframesrc segment=%s wait=30 num-buffers=3 "
                       "zero-copy=%s ! filesink location=%s/%s.raw",
                       seg_name("src", f), zero_copy ? "true" : "false",
                       scratch_dir(), gstu_caps_name(f));
            char tag[64];
            snprintf(tag, sizeof(tag), "gst-%s", gstu_caps_name(f));
            gst[f] = gstu_launch(log_path(tag), w.w);
        }
        for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
            char tag[64], path[600], why[256];
            snprintf(tag, sizeof(tag), "gst-%s", gstu_caps_name(f));
            expect_ok(gst[f], "the libframesrc pipeline", log_path(tag));

            struct gstu_frame want = {0};
            gstu_convert(&want, &rgba, f);
            snprintf(path, sizeof(path), "%s/%s.raw", scratch_dir(),
                     gstu_caps_name(f));
            size_t len = 0, one = gstu_gst_size(f, W, H);
            uint8_t *got = gstu_read_file(path, &len);
            CHECK(got);
            if (len != 3 * one) {
                fprintf(stderr, "%s: %zu bytes, 3 frames are %zu\n",
                        gstu_caps_name(f), len, 3 * one);
                CHECK(!"three frames in GStreamer's layout");
            }
            for (int i = 0; i < 3; i++)
                if (!gstu_same_as_gst(&want, got + i * one, one, why,
                                      sizeof(why))) {
                    fprintf(stderr,
                            "libframesrc zero-copy=%d %s frame %d: %s\n",
                            zero_copy, gstu_caps_name(f), i, why);
                    CHECK(!"libframesrc's frame is the producer's");
                }
            free(got);
            gstu_frame_free(&want);
        }
    }
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++)
        stop_child(prod[f], SIGTERM, 30000, "the producer",
                   log_path(gstu_caps_name(f)));
    gstu_frame_free(&rgba);
    scratch_remove();
}

/* Start a producer and a libframesrc pipeline into filesink; return once a
 * frame has gone through, so what follows happens to a running pipeline. */
static void src_running(const char *name, const char *extra_props, pid_t *prod,
                        pid_t *gst, struct gstu_frame *rgba)
{
    const char *png = picture_png("p", W, H, 4, rgba);
    const char *fps[] = {"--fps", "30", NULL};
    *prod = gstu_producer(log_path("producer"), name, png, fps);
    struct gstu_words w = {.n = 0};
    gstu_words(&w,
               "libframesrc segment=%s wait=30 %s ! "
               "filesink buffer-mode=unbuffered location=%s/out.raw",
               name, extra_props, scratch_dir());
    *gst = gstu_launch(log_path("gst"), w.w);
    char out[600];
    snprintf(out, sizeof(out), "%s/out.raw", scratch_dir());
    int64_t until = now_ns() + 30000 * MS; /* a hang guard */
    for (;;) {
        size_t len = 0;
        uint8_t *b = gstu_read_file(out, &len);
        free(b);
        if (len >= gstu_gst_size(FRAME_FORMAT_RGBA8, W, H))
            break;
        if (!still_running(*gst) || now_ns() > until) {
            print_file("the libframesrc pipeline", log_path("gst"));
            CHECK(!"a frame through libframesrc");
        }
        sleep_ms(20);
    }
}

/* Without follow, a writer that closes cleanly ends the stream: EOS. */
static void src_close_is_eos(void)
{
    scratch("gst-src-eos");
    const char *name = seg_name("eos", 0);
    struct gstu_frame rgba = {0};
    pid_t prod, gst;
    src_running(name, "", &prod, &gst, &rgba);
    stop_child(prod, SIGTERM, 30000, "the producer", log_path("producer"));
    expect_ok(gst, "the libframesrc pipeline", log_path("gst"));
    if (!file_has(log_path("gst"), "Got EOS")) {
        print_file("the libframesrc pipeline", log_path("gst"));
        CHECK(!"EOS when the writer closed");
    }
    gstu_frame_free(&rgba);
    scratch_remove();
}

/* Without follow, a writer that dies is an element error in libframe's
 * words. */
static void src_lost_is_error(void)
{
    scratch("gst-src-lost");
    const char *name = seg_name("lost", 0);
    struct gstu_frame rgba = {0};
    pid_t prod, gst;
    src_running(name, "", &prod, &gst, &rgba);
    kill_child(prod, 30000, "the producer", log_path("producer"));
    expect_failure(gst, "the libframesrc pipeline", log_path("gst"));
    if (!file_has(log_path("gst"), "ERROR") ||
        !file_has(log_path("gst"), frame_strerror(FRAME_ELOST))) {
        print_file("the libframesrc pipeline", log_path("gst"));
        CHECK(!"an element error saying the writer died");
    }
    test_unlink(name);
    gstu_frame_free(&rgba);
    scratch_remove();
}

/* No segment, or something that is not one: an element error with
 * frame_segment_strerror()'s words, never a crash. */
static void src_missing_segment(void)
{
    scratch("gst-src-missing");
    const char *name = seg_name("missing", 0);
    char words[256];
    struct gstu_words w = {.n = 0};
    gstu_words(&w, "libframesrc segment=%s wait=0 ! fakesink", name);
    const char *log = log_path("missing");
    expect_failure(gstu_launch(log, w.w), "the libframesrc pipeline", log);
    frame_segment_strerror(name, -ENOENT, words, sizeof(words));
    if (!file_has(log, "ERROR") || !file_has(log, words)) {
        print_file("the libframesrc pipeline", log);
        fprintf(stderr, "expected the words: %s\n", words);
        CHECK(!"an element error in libframe's words");
    }

    /* Not a segment: a page of zeros under the name. */
    char path[256];
    CHECK_RC(frame_segment_path(name, path, sizeof(path)), 0);
    FILE *junk = fopen(path, "wb");
    CHECK(junk);
    static const uint8_t zeros[8192];
    CHECK(fwrite(zeros, 1, sizeof(zeros), junk) == sizeof(zeros));
    CHECK(fclose(junk) == 0);
    log = log_path("junk");
    expect_failure(gstu_launch(log, w.w), "the libframesrc pipeline", log);
    frame_segment_strerror(name, FRAME_ENOTFRAME, words, sizeof(words));
    if (!file_has(log, "ERROR") || !file_has(log, words)) {
        print_file("the libframesrc pipeline", log);
        fprintf(stderr, "expected the words: %s\n", words);
        CHECK(!"an element error in libframe's words");
    }
    test_unlink(name);
    scratch_remove();
}

/* ---- across the loopback interface ------------------------------------- */

/* Frames from a reader of name until one equals want (loss, a decoder's
 * first frames); false if none of the first `tries` does. Each must have
 * want's format and size. */
static bool one_arrives(frame_reader *r, const struct gstu_frame *want,
                        int tries, const char *log)
{
    struct gstu_frame got = {0};
    struct frame_view v;
    bool same = false;
    char why[256] = "";
    for (int i = 0; i < tries && !same; i++) {
        int rc = gstu_next(r, &got, &v);
        if (rc != 0)
            print_file("the receiving pipeline", log);
        CHECK_RC(rc, 0);
        if (v.format != want->format || v.width != want->width ||
            v.height != want->height) {
            gstu_same(want, &got, why, sizeof(why));
            fprintf(stderr, "%s\n", why);
            CHECK(!"frames of the sent format and size");
        }
        same = gstu_same(want, &got, why, sizeof(why));
    }
    if (!same)
        fprintf(stderr, "last frame: %s\n", why);
    gstu_frame_free(&got);
    return same;
}

/* producer -> libframesrc ! gdppay ! tcpserversink, tcpclientsrc !
 * gdpdepay ! libframesink -> a reader: every frame byte-exact. RGB at an
 * odd width: GStreamer pads its rows on the way, the segment has none.
 * Then a second producer with another format and size (follow=true on the
 * sending side): its frames arrive byte-exact too. */
static void tcp_bridge(void)
{
    scratch("gst-tcp");
    struct gstu_frame rgba = {0}, want = {0};
    const char *png = picture_png("p", W, H, 5, &rgba);
    gstu_convert(&want, &rgba, FRAME_FORMAT_RGB8);
    const char *from = seg_name("tcp-from", 0), *to = seg_name("tcp-to", 0);
    const char *extra[] = {"--format", "rgb8", "--fps", "30", NULL};
    pid_t prod = gstu_producer(log_path("producer"), from, png, extra);

    int port = gstu_free_port(false);
    struct gstu_words a = {.n = 0}, b = {.n = 0};
    gstu_words(&a,
               "libframesrc segment=%s wait=30 follow=true ! gdppay ! "
               "tcpserversink host=127.0.0.1 port=%d",
               from, port);
    pid_t server = gstu_launch(log_path("server"), a.w);
    gstu_wait_listening(port, server, log_path("server"));

    frame_reader *r = gstu_reader(to);
    gstu_words(&b,
               "tcpclientsrc host=127.0.0.1 port=%d ! gdpdepay ! "
               "libframesink segment=%s sync=false",
               port, to);
    pid_t client = gstu_launch(log_path("client"), b.w);
    struct gstu_frame got = {0};
    struct frame_view v;
    char why[256];
    for (int i = 0; i < 5; i++) {
        int rc = gstu_next(r, &got, &v);
        if (rc != 0) {
            print_file("the server", log_path("server"));
            print_file("the client", log_path("client"));
        }
        CHECK_RC(rc, 0);
        if (!gstu_same(&want, &got, why, sizeof(why))) {
            fprintf(stderr, "frame %d through TCP: %s\n", i, why);
            CHECK(!"frames byte-exact through TCP");
        }
    }

    /* Another producer, another format and size: the caps go through the
     * bridge (gdppay carries them), libframesink makes a segment for the
     * new frames and the reader follows it. */
    stop_child(prod, SIGTERM, 30000, "the producer", log_path("producer"));
    struct gstu_frame rgba2 = {0}, want2 = {0};
    png = picture_png("q", 33, 17, 8, &rgba2);
    gstu_convert(&want2, &rgba2, FRAME_FORMAT_GRAY16);
    const char *extra2[] = {"--format", "gray16", "--fps", "30", NULL};
    prod = gstu_producer(log_path("producer2"), from, png, extra2);
    for (int i = 0;; i++) {
        CHECK(i < 100); /* the old frames still on their way, then these */
        int rc = gstu_next(r, &got, &v);
        if (rc == FRAME_ECLOSED)
            continue; /* the sink's segment for the old caps */
        CHECK_RC(rc, 0);
        if (v.format == FRAME_FORMAT_RGB8 &&
            gstu_same(&want, &got, why, sizeof(why)))
            continue;
        if (!gstu_same(&want2, &got, why, sizeof(why))) {
            fprintf(stderr, "after the caps change, through TCP: %s\n", why);
            CHECK(!"the new producer's frames byte-exact through TCP");
        }
        break;
    }
    gstu_frame_free(&want2);
    gstu_frame_free(&rgba2);
    stop_child(client, SIGINT, 60000, "the client", log_path("client"));
    stop_child(server, SIGINT, 60000, "the server", log_path("server"));
    stop_child(prod, SIGTERM, 30000, "the producer", log_path("producer"));
    frame_reader_close(r);
    gstu_frame_free(&got);
    gstu_frame_free(&want);
    gstu_frame_free(&rgba);
    scratch_remove();
}

/* RTP raw video over UDP (RFC 4175): frames arrive, of the right format and
 * size; on loopback nothing is lost, so one of the first ten is exact. */
static void rtp_raw(void)
{
    static const char *const need[] = {"rtpvrawpay", "rtpvrawdepay", "udpsink",
                                       "udpsrc", NULL};
    if (!gstu_have_elements(need))
        exit(SKIP);
    scratch("gst-rtp-raw");
    struct gstu_frame rgba = {0};
    const char *png = picture_png("p", W, H, 6, &rgba);
    const char *from = seg_name("rtp-from", 0), *to = seg_name("rtp-to", 0);
    const char *fps[] = {"--fps", "30", NULL};
    pid_t prod = gstu_producer(log_path("producer"), from, png, fps);

    int port = gstu_free_port(true);
    struct gstu_words a = {.n = 0}, b = {.n = 0};
    frame_reader *r = gstu_reader(to);
    /* The receiver first: UDP has no connection to wait for. */
    gstu_words(&b,
               "udpsrc address=127.0.0.1 port=%d reuse=false "
               "caps=application/x-rtp,media=(string)video,"
               "clock-rate=(int)90000,encoding-name=(string)RAW,"
               "sampling=(string)RGBA,depth=(string)8,width=(string)%d,"
               "height=(string)%d,colorimetry=(string)SMPTE240M,"
               "payload=(int)96 ! rtpvrawdepay ! "
               "libframesink segment=%s sync=false",
               port, W, H, to);
    pid_t recv = gstu_launch(log_path("receiver"), b.w);
    gstu_words(&a,
               "libframesrc segment=%s wait=30 ! rtpvrawpay ! "
               "udpsink host=127.0.0.1 port=%d sync=false",
               from, port);
    pid_t send = gstu_launch(log_path("sender"), a.w);
    if (!one_arrives(r, &rgba, 10, log_path("receiver"))) {
        print_file("the sender", log_path("sender"));
        CHECK(!"an exact frame through RTP raw video");
    }
    stop_child(send, SIGINT, 60000, "the sender", log_path("sender"));
    stop_child(recv, SIGINT, 60000, "the receiver", log_path("receiver"));
    stop_child(prod, SIGTERM, 30000, "the producer", log_path("producer"));
    frame_reader_close(r);
    gstu_frame_free(&rgba);
    scratch_remove();
}

/* Mean absolute difference of two frames' first planes. */
static double luma_difference(const struct gstu_frame *a,
                              const struct gstu_frame *b)
{
    size_t n = (size_t)a->width * a->height, sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (size_t)abs(a->bytes[i] - b->bytes[i]);
    return (double)sum / (double)n;
}

/* H.264 over RTP (x264enc, a decoder): lossy, so frames arrive of the right
 * format and size and near the picture. Skipped without the elements. */
static void rtp_h264(void)
{
    static const char *const need[] = {"x264enc", "rtph264pay", "rtph264depay",
                                       "h264parse", NULL};
    static const char *const avdec[] = {"avdec_h264", NULL};
    static const char *const openh264[] = {"openh264dec", NULL};
    const char *decoder = NULL;
    if (gstu_have_elements(need)) {
        if (gstu_have_elements(avdec))
            decoder = "avdec_h264";
        else if (gstu_have_elements(openh264))
            decoder = "openh264dec";
    }
    if (!decoder)
        exit(SKIP);
    scratch("gst-rtp-h264");
    /* Even sides: 4:2:0 encoders want them. */
    struct gstu_frame rgba = {0}, want = {0}, got = {0};
    const char *png = picture_png("p", 96, 64, 7, &rgba);
    gstu_convert(&want, &rgba, FRAME_FORMAT_I420);
    const char *from = seg_name("h264-from", 0), *to = seg_name("h264-to", 0);
    const char *extra[] = {"--format", "i420", "--fps", "30", NULL};
    pid_t prod = gstu_producer(log_path("producer"), from, png, extra);

    int port = gstu_free_port(true);
    struct gstu_words a = {.n = 0}, b = {.n = 0};
    frame_reader *r = gstu_reader(to);
    gstu_words(&b,
               "udpsrc address=127.0.0.1 port=%d reuse=false "
               "caps=application/x-rtp,media=(string)video,"
               "clock-rate=(int)90000,encoding-name=(string)H264,"
               "payload=(int)96 ! rtph264depay ! h264parse ! %s ! "
               "libframesink segment=%s sync=false",
               port, decoder, to);
    pid_t recv = gstu_launch(log_path("receiver"), b.w);
    gstu_words(&a,
               "libframesrc segment=%s wait=30 ! "
               "x264enc tune=zerolatency speed-preset=ultrafast "
               "key-int-max=15 ! rtph264pay config-interval=1 pt=96 ! "
               "udpsink host=127.0.0.1 port=%d sync=false",
               from, port);
    pid_t send = gstu_launch(log_path("sender"), a.w);
    struct frame_view v;
    int rc = gstu_next(r, &got, &v);
    if (rc != 0) {
        print_file("the sender", log_path("sender"));
        print_file("the receiver", log_path("receiver"));
    }
    CHECK_RC(rc, 0);
    CHECK(v.format == FRAME_FORMAT_I420 && v.width == 96 && v.height == 64);
    double d = luma_difference(&want, &got);
    fprintf(stderr, "H.264 through %s: mean luma difference %.2f\n", decoder,
            d);
    CHECK(d < 10.0); /* near the picture: not grey, not another image */
    stop_child(send, SIGINT, 60000, "the sender", log_path("sender"));
    stop_child(recv, SIGINT, 60000, "the receiver", log_path("receiver"));
    stop_child(prod, SIGTERM, 30000, "the producer", log_path("producer"));
    frame_reader_close(r);
    gstu_frame_free(&got);
    gstu_frame_free(&want);
    gstu_frame_free(&rgba);
    scratch_remove();
}

TEST_MAIN(CASE(sink_every_format), CASE(sink_name_taken),
          CASE(src_every_format), CASE(src_close_is_eos),
          CASE(src_lost_is_error), CASE(src_missing_segment), CASE(tcp_bridge),
          CASE(rtp_raw), CASE(rtp_h264))
