/* libframesrc: a live push source that hands each new frame of a libframe
 * segment downstream (copied, or held in place with zero-copy), following
 * the reader's life cycle. */
#include "libframesrc.h"

#include "caps.h"

#include <libframe/frame.h>

#include <errno.h>
#include <gst/video/gstvideometa.h>
#include <gst/video/gstvideopool.h>
#include <gst/video/video.h>
#include <string.h>
#include <time.h>

GST_DEBUG_CATEGORY_STATIC(libframesrc_debug);
#define GST_CAT_DEFAULT libframesrc_debug

/* How long create() sleeps on the futex before it looks at the flushing
 * flag: libframe has no call that wakes a wait from another thread, so
 * unlock() is noticed within one slice. */
#define SLICE_MS 50
/* Copies discarded because the writer rewrote the frame meanwhile, in a
 * row, before create() goes back to waiting for the next frame. */
#define COPY_TRIES 8

#define DEFAULT_WAIT 0
#define DEFAULT_FOLLOW FALSE
#define DEFAULT_ZERO_COPY FALSE

enum {
    PROP_0,
    PROP_SEGMENT,
    PROP_WAIT,
    PROP_FOLLOW,
    PROP_ZERO_COPY,
    PROP_STATS
};

/* The reader handle, shared with the zero-copy buffers downstream: each
 * holds its frame until GStreamer frees it, maybe long after stop(), so
 * the handle (its mapping, its locks) lives until the last one goes. */
struct source {
    gint refs; /* atomic: the element while started, one per lease */
    GMutex lock;
    /* Used by the streaming thread alone while started; after stop() by
     * whoever frees a lease, under the lock. */
    frame_reader *reader;
    /* Under the lock. */
    gboolean stopped;
    GSList *freed;   /* struct lease: freed downstream, not yet released */
    guint leased;    /* leases not yet released (freed ones included) */
    guint64 broken;  /* leases whose frame was written over while held */
    guint64 granted; /* leases handed out */
};

/* A zero-copy buffer's hold on its frame. */
struct lease {
    struct frame_view v;
    struct source *src;
};

struct _GstLibframeSrc {
    GstPushSrc parent;

    /* Properties, under the object lock. */
    gchar *segment;
    gint wait_s;
    gboolean follow;
    gboolean zero_copy;

    /* The streaming thread's, between start() and stop(). */
    gchar *name;          /* the segment being read (a copy of segment) */
    struct source *src;   /* NULL when stopped */
    frame_reader *reader; /* src->reader */
    gboolean attached;    /* a writer's segment has been attached once */
    gint64 deadline_us;   /* end of the wait for the first writer; 0 unset */
    int broken_why;       /* why the name could not be read, while waiting */
    gboolean discont;     /* the next buffer follows a new writer */
    GstClockTime last_pts;
    int64_t first_publish_ns; /* for timestamps without a clock */
    GstVideoInfo info;        /* of the negotiated caps */
    gboolean video_meta;      /* downstream reads GstVideoMeta */

    /* Set by unlock(), cleared by unlock_stop(): create() returns. */
    gint flushing;

    /* Under the object lock: the caps of the newest frame's format and
     * size (NULL before the first frame), and counters for "stats" (the
     * reader's own copied by the streaming thread, which owns them). */
    GstCaps *frame_caps;
    guint64 pushed, discarded, restarts;
    struct frame_stats rstats;
};

G_DEFINE_TYPE(GstLibframeSrc, gst_libframe_src, GST_TYPE_PUSH_SRC)

/* ---------------------------------------------------------------------- */
/* Properties                                                              */

static void gst_libframe_src_set_property(GObject *obj, guint id,
                                          const GValue *value,
                                          GParamSpec *pspec)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(obj);
    GST_OBJECT_LOCK(self);
    switch (id) {
    case PROP_SEGMENT:
        g_free(self->segment);
        self->segment = g_value_dup_string(value);
        break;
    case PROP_WAIT:
        self->wait_s = g_value_get_int(value);
        break;
    case PROP_FOLLOW:
        self->follow = g_value_get_boolean(value);
        break;
    case PROP_ZERO_COPY:
        self->zero_copy = g_value_get_boolean(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    }
    GST_OBJECT_UNLOCK(self);
}

static GstStructure *stats_of(GstLibframeSrc *self)
{
    guint64 granted = 0, broken = 0;
    GST_OBJECT_LOCK(self);
    struct source *src = self->src;
    if (src) {
        g_mutex_lock(&src->lock);
        granted = src->granted;
        broken = src->broken;
        g_mutex_unlock(&src->lock);
    }
    GstStructure *s = gst_structure_new(
        "libframesrc-stats", "frames-pushed", G_TYPE_UINT64, self->pushed,
        "copies-discarded", G_TYPE_UINT64, self->discarded, "restarts",
        G_TYPE_UINT64, self->restarts, "frames-seen", G_TYPE_UINT64,
        self->rstats.frames_seen, "frames-skipped", G_TYPE_UINT64,
        self->rstats.frames_skipped, "retries", G_TYPE_UINT64,
        self->rstats.retries, "leases", G_TYPE_UINT64, granted, "leases-broken",
        G_TYPE_UINT64, broken, NULL);
    GST_OBJECT_UNLOCK(self);
    return s;
}

/* The streaming thread's copy of the reader's counters, for "stats". */
static void note_stats(GstLibframeSrc *self)
{
    struct frame_stats st;
    frame_reader_stats(self->reader, &st);
    GST_OBJECT_LOCK(self);
    self->rstats = st;
    GST_OBJECT_UNLOCK(self);
}

static void gst_libframe_src_get_property(GObject *obj, guint id, GValue *value,
                                          GParamSpec *pspec)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(obj);
    if (id == PROP_STATS) {
        g_value_take_boxed(value, stats_of(self));
        return;
    }
    GST_OBJECT_LOCK(self);
    switch (id) {
    case PROP_SEGMENT:
        g_value_set_string(value, self->segment);
        break;
    case PROP_WAIT:
        g_value_set_int(value, self->wait_s);
        break;
    case PROP_FOLLOW:
        g_value_set_boolean(value, self->follow);
        break;
    case PROP_ZERO_COPY:
        g_value_set_boolean(value, self->zero_copy);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    }
    GST_OBJECT_UNLOCK(self);
}

/* ---------------------------------------------------------------------- */
/* The reader and its leases                                               */

static struct source *source_new(frame_reader *r)
{
    struct source *src = g_new0(struct source, 1);
    src->refs = 1;
    g_mutex_init(&src->lock);
    src->reader = r;
    return src;
}

static void source_unref(struct source *src)
{
    if (!g_atomic_int_dec_and_test(&src->refs))
        return;
    /* Closing drops the handle's last locks and mappings. */
    frame_reader_close(src->reader);
    g_mutex_clear(&src->lock);
    g_free(src);
}

/* End a lease (under the lock). */
static void lease_end(struct source *src, struct lease *l)
{
    /* False: the writer wrote over the frame while downstream had it:
     * readers held more slots than the writer can spare (frame.h). */
    if (!frame_reader_release(src->reader, &l->v))
        src->broken++;
    src->leased--;
    g_free(l);
}

/* GStreamer freed a zero-copy buffer. The handle is the streaming
 * thread's while it runs, so the release waits for it (create() ends
 * freed leases before it takes a frame, and at least every SLICE_MS). */
static void lease_freed(gpointer data)
{
    struct lease *l = data;
    struct source *src = l->src;
    g_mutex_lock(&src->lock);
    if (src->stopped)
        lease_end(src, l);
    else
        src->freed = g_slist_prepend(src->freed, l);
    g_mutex_unlock(&src->lock);
    source_unref(src);
}

/* Release what downstream has freed (streaming thread, or stop()). */
static void end_freed_leases(struct source *src)
{
    g_mutex_lock(&src->lock);
    GSList *freed = src->freed;
    src->freed = NULL;
    for (GSList *i = freed; i; i = i->next)
        lease_end(src, i->data);
    g_slist_free(freed);
    g_mutex_unlock(&src->lock);
}

/* Whether one more frame may be leased: libframe keeps held frames whole
 * while all readers together hold at most slot_count - 2 slots. The other
 * readers' holds are counted now; one taken after this look may still
 * break a lease, which "leases-broken" then counts. */
static gboolean may_lease(struct source *src)
{
    struct frame_info info;
    if (frame_reader_info(src->reader, &info))
        return FALSE;
    g_mutex_lock(&src->lock);
    guint leased = src->leased;
    g_mutex_unlock(&src->lock);
    return leased + info.slots_held + 2 < info.slot_count;
}

/* ---------------------------------------------------------------------- */
/* Messages                                                                */

/* libframe's words about the segment, "segment 'NAME': why". */
static gchar *segment_words(GstLibframeSrc *self, int err)
{
    char buf[256];
    return g_strdup_printf(
        "segment '%s': %s", self->name,
        frame_segment_strerror(self->name, err, buf, sizeof(buf)));
}

static void post_segment_error(GstLibframeSrc *self, int err, const char *hint)
{
    gchar *words = segment_words(self, err);
    if (err == -ENOENT)
        GST_ELEMENT_ERROR(self, RESOURCE, NOT_FOUND, ("%s", words),
                          ("%s", hint ? hint : ""));
    else
        GST_ELEMENT_ERROR(self, RESOURCE, READ, ("%s", words),
                          ("%s", hint ? hint : ""));
    g_free(words);
}

/* ---------------------------------------------------------------------- */
/* Start, stop, unlock                                                     */

static gboolean gst_libframe_src_start(GstBaseSrc *bsrc)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(bsrc);
    GST_OBJECT_LOCK(self);
    gchar *name = g_strdup(self->segment);
    gint wait_s = self->wait_s;
    self->pushed = self->discarded = self->restarts = 0;
    memset(&self->rstats, 0, sizeof(self->rstats));
    GST_OBJECT_UNLOCK(self);

    if (!name || !*name) {
        g_free(name);
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
                          ("no segment name: set the 'segment' property"),
                          (NULL));
        return FALSE;
    }
    g_free(self->name);
    self->name = name;
    /* With wait=0 a missing or unusable segment fails the state change at
     * once, with the reason; otherwise what the name holds is a state of
     * the handle, and create() waits for a writer. */
    frame_reader *r = NULL;
    int rc = frame_reader_open_flags(name, wait_s ? FRAME_OPEN_WAIT : 0, &r);
    if (rc) {
        if (rc == -EINVAL || rc == -ENAMETOOLONG)
            GST_ELEMENT_ERROR(
                self, RESOURCE, SETTINGS,
                ("bad segment name '%s': %s", name, frame_strerror(rc)),
                ("names are 1 to %d characters of "
                 "[A-Za-z0-9._-], without '..'",
                 FRAME_NAME_MAX));
        else
            post_segment_error(
                self, rc, rc == -ENOENT ? "wait=S waits for a producer" : NULL);
        return FALSE;
    }
    struct source *src = source_new(r);
    GST_OBJECT_LOCK(self);
    self->src = src;
    self->reader = r;
    GST_OBJECT_UNLOCK(self);
    self->attached =
        frame_reader_state(self->reader, NULL) == FRAME_READER_ATTACHED;
    self->deadline_us = 0;
    self->broken_why = 0;
    self->discont = FALSE;
    self->last_pts = GST_CLOCK_TIME_NONE;
    self->first_publish_ns = 0;
    gst_video_info_init(&self->info);
    return TRUE;
}

/* The streaming thread has stopped: buffers still alive downstream keep
 * the handle open, and end their leases themselves when freed. */
static gboolean gst_libframe_src_stop(GstBaseSrc *bsrc)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(bsrc);
    GST_OBJECT_LOCK(self);
    struct source *src = self->src;
    self->src = NULL;
    self->reader = NULL;
    gst_clear_caps(&self->frame_caps);
    GST_OBJECT_UNLOCK(self);
    if (!src)
        return TRUE;
    /* One critical section: a lease freed meanwhile is either ended here
     * or, finding the source stopped, ends itself. */
    g_mutex_lock(&src->lock);
    src->stopped = TRUE;
    GSList *freed = src->freed;
    src->freed = NULL;
    for (GSList *i = freed; i; i = i->next)
        lease_end(src, i->data);
    g_slist_free(freed);
    g_mutex_unlock(&src->lock);
    source_unref(src);
    return TRUE;
}

static gboolean gst_libframe_src_unlock(GstBaseSrc *bsrc)
{
    g_atomic_int_set(&GST_LIBFRAME_SRC(bsrc)->flushing, 1);
    return TRUE;
}

static gboolean gst_libframe_src_unlock_stop(GstBaseSrc *bsrc)
{
    g_atomic_int_set(&GST_LIBFRAME_SRC(bsrc)->flushing, 0);
    return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Caps and allocation                                                     */

/* The caps a frame of this format and size is pushed with. libframe's
 * YUV is BT.601 limited range wherever the library converts it, so that
 * is what YUV caps say (GStreamer would guess BT.709 above 576 lines). */
static GstCaps *caps_for(uint32_t format, uint32_t width, uint32_t height)
{
    GstVideoFormat vf = gst_libframe_to_video_format(format);
    if (vf == GST_VIDEO_FORMAT_UNKNOWN)
        return NULL;
    GstVideoInfo info;
    if (!gst_video_info_set_format(&info, vf, width, height))
        return NULL;
    /* The segment says nothing about a rate: frames come when published. */
    info.fps_n = 0;
    info.fps_d = 1;
    if (frame_format_desc(format)->is_yuv)
        gst_video_colorimetry_from_string(&info.colorimetry,
                                          GST_VIDEO_COLORIMETRY_BT601);
    return gst_video_info_to_caps(&info);
}

static GstCaps *gst_libframe_src_get_caps(GstBaseSrc *bsrc, GstCaps *filter)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(bsrc);
    GST_OBJECT_LOCK(self);
    GstCaps *caps = self->frame_caps ? gst_caps_ref(self->frame_caps) : NULL;
    GST_OBJECT_UNLOCK(self);
    /* Before the first frame anything of the table may come. */
    if (!caps)
        caps = gst_pad_get_pad_template_caps(GST_BASE_SRC_PAD(bsrc));
    if (filter) {
        GstCaps *both =
            gst_caps_intersect_full(filter, caps, GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref(caps);
        caps = both;
    }
    return caps;
}

/* The caps are the frame's, never a choice: before the first frame there
 * is nothing to negotiate, after it only whether downstream takes them. */
static gboolean gst_libframe_src_negotiate(GstBaseSrc *bsrc)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(bsrc);
    GST_OBJECT_LOCK(self);
    GstCaps *caps = self->frame_caps ? gst_caps_ref(self->frame_caps) : NULL;
    GST_OBJECT_UNLOCK(self);
    if (!caps)
        return TRUE;
    gboolean ok =
        gst_pad_peer_query_accept_caps(GST_BASE_SRC_PAD(bsrc), caps) &&
        gst_base_src_set_caps(bsrc, caps);
    gst_caps_unref(caps);
    return ok;
}

static gboolean gst_libframe_src_set_caps(GstBaseSrc *bsrc, GstCaps *caps)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(bsrc);
    return gst_video_info_from_caps(&self->info, caps);
}

/* A video buffer pool, with GstVideoMeta when downstream reads it (then
 * the pool may pad rows as it likes; create() copies into whatever layout
 * the buffer has). */
static gboolean gst_libframe_src_decide_allocation(GstBaseSrc *bsrc,
                                                   GstQuery *query)
{
    GstCaps *caps;
    gst_query_parse_allocation(query, &caps, NULL);
    GstVideoInfo info;
    if (!caps || !gst_video_info_from_caps(&info, caps))
        return TRUE; /* no frame yet: nothing to allocate for */
    GstLibframeSrc *self = GST_LIBFRAME_SRC(bsrc);
    self->video_meta =
        gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);

    GstBufferPool *pool = NULL;
    guint size = (guint)info.size, min = 0, max = 0;
    gboolean update = gst_query_get_n_allocation_pools(query) > 0;
    if (update) {
        gst_query_parse_nth_allocation_pool(query, 0, &pool, &size, &min, &max);
        size = MAX(size, (guint)info.size);
    }
    /* Only a video pool lays frames out as GstVideoInfo says. */
    if (pool && !GST_IS_VIDEO_BUFFER_POOL(pool))
        gst_clear_object(&pool);
    if (!pool)
        pool = gst_video_buffer_pool_new();

    GstStructure *config = gst_buffer_pool_get_config(pool);
    gst_buffer_pool_config_set_params(config, caps, size, min, max);
    if (self->video_meta)
        gst_buffer_pool_config_add_option(config,
                                          GST_BUFFER_POOL_OPTION_VIDEO_META);
    if (!gst_buffer_pool_set_config(pool, config)) {
        config = gst_buffer_pool_get_config(pool);
        if (!gst_buffer_pool_config_validate_params(config, caps, size, min,
                                                    max) ||
            !gst_buffer_pool_set_config(pool, config)) {
            gst_object_unref(pool);
            GST_ELEMENT_ERROR(bsrc, RESOURCE, SETTINGS,
                              ("could not configure a buffer pool"), (NULL));
            return FALSE;
        }
    }
    if (update)
        gst_query_set_nth_allocation_pool(query, 0, pool, size, min, max);
    else
        gst_query_add_allocation_pool(query, pool, size, min, max);
    gst_object_unref(pool);
    return TRUE;
}

/* Make the frame's format and size the pad's caps, if they are not. */
static GstFlowReturn renegotiate(GstLibframeSrc *self,
                                 const struct frame_view *v)
{
    GstBaseSrc *bsrc = GST_BASE_SRC(self);
    if (GST_VIDEO_INFO_FORMAT(&self->info) != GST_VIDEO_FORMAT_UNKNOWN &&
        gst_libframe_from_video_format(GST_VIDEO_INFO_FORMAT(&self->info)) ==
            v->format &&
        GST_VIDEO_INFO_WIDTH(&self->info) == (gint)v->width &&
        GST_VIDEO_INFO_HEIGHT(&self->info) == (gint)v->height)
        return GST_FLOW_OK;
    GstCaps *caps = caps_for(v->format, v->width, v->height);
    if (!caps) {
        const struct frame_format_desc *d = frame_format_desc(v->format);
        GST_ELEMENT_ERROR(self, STREAM, FORMAT,
                          ("segment '%s': frames of format %s, which this "
                           "GStreamer has no format for",
                           self->name, d ? d->name : "?"),
                          (NULL));
        return GST_FLOW_NOT_NEGOTIATED;
    }
    gchar *text = gst_caps_to_string(caps);
    GST_INFO_OBJECT(self, "frames are now %s", text);
    GST_OBJECT_LOCK(self);
    gst_caps_take(&self->frame_caps, caps);
    GST_OBJECT_UNLOCK(self);
    if (!gst_base_src_negotiate(bsrc)) {
        if (GST_PAD_IS_FLUSHING(GST_BASE_SRC_PAD(bsrc))) {
            g_free(text);
            return GST_FLOW_FLUSHING;
        }
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION,
                          ("segment '%s': downstream does not take its "
                           "frames (%s)",
                           self->name, text),
                          (NULL));
        g_free(text);
        gst_video_info_init(&self->info);
        return GST_FLOW_NOT_NEGOTIATED;
    }
    g_free(text);
    return GST_FLOW_OK;
}

/* ---------------------------------------------------------------------- */
/* Timestamps                                                              */

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The running time at which the frame was published. Publish times are
 * CLOCK_MONOTONIC; the pipeline clock need not be (a realtime system
 * clock, a network or audio clock), so the two clocks are read side by
 * side and the frame's age is taken from the pipeline clock's now. Steps
 * of a non-monotonic clock would move timestamps back: they never go
 * below the last one. Frames published before the pipeline started are
 * stamped 0. */
static GstClockTime pts_of(GstLibframeSrc *self, int64_t publish_ns)
{
    GstClock *clock = gst_element_get_clock(GST_ELEMENT(self));
    GstClockTime pts;
    if (clock) {
        GstClockTime base = gst_element_get_base_time(GST_ELEMENT(self));
        GstClockTime now = gst_clock_get_time(clock);
        int64_t age = monotonic_ns() - publish_ns;
        gst_object_unref(clock);
        if (age < 0)
            age = 0;
        GstClockTimeDiff at = GST_CLOCK_DIFF(base, now) - age;
        pts = at > 0 ? (GstClockTime)at : 0;
    } else {
        /* No clock (a bare harness): time since the first frame. */
        if (!self->first_publish_ns)
            self->first_publish_ns = publish_ns;
        int64_t d = publish_ns - self->first_publish_ns;
        pts = d > 0 ? (GstClockTime)d : 0;
    }
    if (GST_CLOCK_TIME_IS_VALID(self->last_pts) && pts < self->last_pts)
        pts = self->last_pts;
    self->last_pts = pts;
    return pts;
}

/* ---------------------------------------------------------------------- */
/* Frames                                                                  */

/* The outcome of one attempt at the newest frame. */
enum take { TAKEN, TORN, NOTHING, FAILED };

static void stamp(GstLibframeSrc *self, GstBuffer *buf,
                  const struct frame_view *v)
{
    GST_BUFFER_PTS(buf) = pts_of(self, v->timestamp_ns);
    GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_DURATION(buf) = GST_CLOCK_TIME_NONE;
    GST_BUFFER_OFFSET(buf) = v->frame_no;
    GST_BUFFER_OFFSET_END(buf) = v->frame_no + 1;
    if (self->discont) {
        GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
        self->discont = FALSE;
    }
    GST_OBJECT_LOCK(self);
    self->pushed++;
    GST_OBJECT_UNLOCK(self);
}

/* A read-only buffer over the held frame's planes where they lie in the
 * segment, whose memory ends the lease when GStreamer frees it; NULL when
 * downstream could not read the frame's layout (no GstVideoMeta and not
 * GStreamer's own), and the frame is copied instead. */
static GstBuffer *lease_frame(GstLibframeSrc *self, const struct frame_view *v)
{
    const struct frame_format_desc *d = frame_format_desc(v->format);
    struct frame_image tight; /* its strides are the row lengths */
    if (!d ||
        !frame_image_layout(&tight, v->format, v->width, v->height, 1, NULL))
        return NULL;
    const uint8_t *lo = NULL, *hi = NULL;
    for (uint32_t p = 0; p < d->plane_count; p++) {
        uint32_t s = d->plane[p].y_shift;
        uint32_t rows = (v->height + (1u << s) - 1) >> s;
        const uint8_t *first = v->image.plane[p];
        const uint8_t *end =
            first + (size_t)v->image.stride[p] * (rows - 1) + tight.stride[p];
        lo = !lo || first < lo ? first : lo;
        hi = !hi || end > hi ? end : hi;
    }
    gsize offset[GST_VIDEO_MAX_PLANES] = {0};
    gint stride[GST_VIDEO_MAX_PLANES] = {0};
    gsize size = (gsize)(hi - lo);
    gboolean theirs = size >= GST_VIDEO_INFO_SIZE(&self->info);
    for (uint32_t p = 0; p < d->plane_count; p++) {
        offset[p] = (gsize)(v->image.plane[p] - lo);
        stride[p] = (gint)v->image.stride[p];
        theirs = theirs &&
                 offset[p] == GST_VIDEO_INFO_PLANE_OFFSET(&self->info, p) &&
                 stride[p] == GST_VIDEO_INFO_PLANE_STRIDE(&self->info, p);
    }
    if (!theirs && !self->video_meta)
        return NULL;

    struct source *src = self->src;
    struct lease *l = g_new(struct lease, 1);
    l->v = *v;
    l->src = src;
    g_atomic_int_inc(&src->refs);
    g_mutex_lock(&src->lock);
    src->leased++;
    src->granted++;
    g_mutex_unlock(&src->lock);
    /* Read-only: the mapping is, and so is the writer's frame. */
    GstMemory *mem = gst_memory_new_wrapped(
        GST_MEMORY_FLAG_READONLY, (gpointer)lo, size, 0, size, l, lease_freed);
    GstBuffer *buf = gst_buffer_new();
    gst_buffer_append_memory(buf, mem);
    if (!theirs)
        gst_buffer_add_video_meta_full(
            buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(&self->info),
            v->width, v->height, d->plane_count, offset, stride);
    return buf;
}

/* Copy the frame into a buffer of the pool, into whatever layout it has. */
static int copy_frame(GstLibframeSrc *self, const struct frame_view *v,
                      GstBuffer **out, GstFlowReturn *flow)
{
    GstBuffer *buf = NULL;
    *flow = GST_BASE_SRC_CLASS(gst_libframe_src_parent_class)
                ->alloc(GST_BASE_SRC(self), 0, (guint)self->info.size, &buf);
    if (*flow != GST_FLOW_OK)
        return -EAGAIN;
    GstVideoFrame vf;
    struct frame_image dst;
    if (!gst_video_frame_map(&vf, &self->info, buf, GST_MAP_WRITE)) {
        gst_buffer_unref(buf);
        return -EINVAL;
    }
    int rc = gst_libframe_image_from_video_frame(&dst, &vf);
    /* Same format and size on both sides: a plane copy. */
    if (rc == 0)
        rc = frame_convert(&dst, &v->image);
    gst_video_frame_unmap(&vf);
    if (rc)
        gst_buffer_unref(buf);
    else
        *out = buf;
    return rc;
}

/* Take the newest frame: lease it (zero-copy, when the promise allows),
 * or copy it and keep the copy only if the frame stayed whole. */
static enum take take_frame(GstLibframeSrc *self, gboolean zero_copy,
                            GstBuffer **out, GstFlowReturn *flow)
{
    struct source *src = self->src;
    gboolean lease = FALSE, hold = TRUE;
    if (zero_copy) {
        end_freed_leases(src);
        lease = may_lease(src);
        /* A copy's own hold would count against the leases' promise
         * (it may be the one slot too many): copy unheld then, and
         * validate. */
        g_mutex_lock(&src->lock);
        hold = lease || src->leased == 0;
        g_mutex_unlock(&src->lock);
    }
    struct frame_view v;
    int rc = hold ? frame_reader_hold(self->reader, &v)
                  : frame_reader_acquire(self->reader, &v);
    if (rc == -ENOLCK || rc == -ENOMEM) {
        post_segment_error(self, rc, "holding a frame");
        *flow = GST_FLOW_ERROR;
        return FAILED;
    }
    /* No frame, or a header that cannot be read: the next wait says
     * which state the handle is in now. */
    if (rc)
        return NOTHING;

    *flow = renegotiate(self, &v);
    GstBuffer *buf = NULL;
    if (*flow == GST_FLOW_OK && lease && (buf = lease_frame(self, &v))) {
        stamp(self, buf, &v);
        *out = buf;
        return TAKEN;
    }
    if (*flow == GST_FLOW_OK)
        rc = copy_frame(self, &v, &buf, flow);
    /* Held, a copy slower than the writer still gets whole frames while
     * readers keep to the promise (frame.h, frame_reader_hold). */
    bool whole = hold ? frame_reader_release(self->reader, &v)
                      : frame_reader_still_valid(self->reader, &v);
    if (*flow != GST_FLOW_OK)
        return FAILED;
    if (rc) {
        GST_ELEMENT_ERROR(self, STREAM, FAILED,
                          ("could not copy a frame: %s", frame_strerror(rc)),
                          (NULL));
        *flow = GST_FLOW_ERROR;
        return FAILED;
    }
    if (!whole) {
        gst_buffer_unref(buf);
        GST_OBJECT_LOCK(self);
        self->discarded++;
        GST_OBJECT_UNLOCK(self);
        return TORN;
    }
    stamp(self, buf, &v);
    *out = buf;
    return TAKEN;
}

/* ---------------------------------------------------------------------- */
/* The life cycle                                                          */

/* What a change of the reader's state means for the stream: GST_FLOW_OK
 * to keep waiting, or how the stream ends. */
static GstFlowReturn on_change(GstLibframeSrc *self, int rc, gboolean follow)
{
    gchar *words;
    switch (rc) {
    case FRAME_ERESTARTED:
        if (!self->attached) {
            self->attached = TRUE;
            GST_INFO_OBJECT(self, "segment '%s': producer found", self->name);
            return GST_FLOW_OK;
        }
        GST_OBJECT_LOCK(self);
        self->restarts++;
        GST_OBJECT_UNLOCK(self);
        if (follow) {
            self->discont = TRUE;
            GST_ELEMENT_INFO(
                self, RESOURCE, READ,
                ("segment '%s': following a new producer", self->name), (NULL));
            return GST_FLOW_OK;
        }
        /* Its writer went (we cannot tell how) and another took the name:
         * the stream of the first one is over. */
        GST_ELEMENT_WARNING(self, RESOURCE, READ,
                            ("segment '%s': another producer took the name; "
                             "the stream ends (follow=true keeps going)",
                             self->name),
                            (NULL));
        return GST_FLOW_EOS;
    case FRAME_ECLOSED:
        if (follow) {
            GST_INFO_OBJECT(self, "segment '%s': producer stopped; waiting",
                            self->name);
            return GST_FLOW_OK;
        }
        GST_INFO_OBJECT(self, "segment '%s': producer stopped: EOS",
                        self->name);
        return GST_FLOW_EOS;
    case FRAME_ELOST:
        words = segment_words(self, rc);
        if (follow) {
            GST_ELEMENT_WARNING(self, RESOURCE, READ,
                                ("%s; waiting for a new one", words), (NULL));
            g_free(words);
            return GST_FLOW_OK;
        }
        GST_ELEMENT_ERROR(self, RESOURCE, READ, ("%s", words),
                          ("follow=true waits for a new producer"));
        g_free(words);
        return GST_FLOW_ERROR;
    default:
        /* What the name holds cannot be read (rc says why). */
        if (!self->attached) {
            /* Still waiting for the first writer: a warning now (the wait
             * may be long), the error when it ends. The reader reports
             * each object under the name once. */
            self->broken_why = rc;
            words = segment_words(self, rc);
            GST_ELEMENT_WARNING(self, RESOURCE, READ,
                                ("%s; waiting for a producer", words), (NULL));
            g_free(words);
            return GST_FLOW_OK;
        }
        words = segment_words(self, rc);
        if (follow) {
            GST_ELEMENT_WARNING(self, RESOURCE, READ,
                                ("%s; waiting for a new producer", words),
                                (NULL));
            g_free(words);
            return GST_FLOW_OK;
        }
        GST_ELEMENT_ERROR(self, RESOURCE, READ, ("%s", words), (NULL));
        g_free(words);
        return GST_FLOW_ERROR;
    }
}

/* Before the first writer: has the wait property run out? */
static gboolean waited_too_long(GstLibframeSrc *self, gint wait_s)
{
    if (self->attached || wait_s < 0)
        return FALSE;
    gint64 now = g_get_monotonic_time();
    if (!self->deadline_us)
        self->deadline_us = now + (gint64)wait_s * G_USEC_PER_SEC;
    if (now < self->deadline_us)
        return FALSE;
    int why = self->broken_why;
    if (!why) {
        frame_reader_state(self->reader, &why);
        if (!why)
            why = -ENOENT;
    }
    gchar *hint = g_strdup_printf("no producer within wait=%d s", wait_s);
    post_segment_error(self, why, hint);
    g_free(hint);
    return TRUE;
}

static GstFlowReturn gst_libframe_src_create(GstPushSrc *psrc, GstBuffer **out)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(psrc);
    GST_OBJECT_LOCK(self);
    gboolean follow = self->follow;
    gint wait_s = self->wait_s;
    gboolean zero_copy = self->zero_copy;
    GST_OBJECT_UNLOCK(self);

    int torn = 0;
    for (;;) {
        if (zero_copy)
            end_freed_leases(self->src);
        note_stats(self);
        if (g_atomic_int_get(&self->flushing))
            return GST_FLOW_FLUSHING;
        if (waited_too_long(self, wait_s))
            return GST_FLOW_ERROR;
        /* After a torn copy the newest frame is taken again at once; else
         * sleep until a frame newer than the last one taken. */
        int rc = torn ? 0 : frame_reader_wait(self->reader, SLICE_MS);
        if (rc == -ETIMEDOUT)
            continue;
        if (rc) {
            GstFlowReturn ret = on_change(self, rc, follow);
            if (ret != GST_FLOW_OK)
                return ret;
            continue;
        }
        GstFlowReturn flow = GST_FLOW_OK;
        enum take t = take_frame(self, zero_copy, out, &flow);
        note_stats(self);
        switch (t) {
        case TAKEN:
            return GST_FLOW_OK;
        case FAILED:
            return flow;
        case TORN:
            /* The writer outran the copy: readers hold more slots than it
             * can spare. Try the newest again, then wait for the next. */
            torn = torn + 1 < COPY_TRIES ? torn + 1 : 0;
            break;
        case NOTHING:
            torn = 0;
            break;
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Class                                                                   */

static void gst_libframe_src_finalize(GObject *obj)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(obj);
    if (self->src)
        source_unref(self->src);
    gst_clear_caps(&self->frame_caps);
    g_free(self->segment);
    g_free(self->name);
    G_OBJECT_CLASS(gst_libframe_src_parent_class)->finalize(obj);
}

static void gst_libframe_src_class_init(GstLibframeSrcClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseSrcClass *bsrc_class = GST_BASE_SRC_CLASS(klass);
    GstPushSrcClass *psrc_class = GST_PUSH_SRC_CLASS(klass);

    GST_DEBUG_CATEGORY_INIT(libframesrc_debug, "libframesrc", 0,
                            "libframe source");

    gobject_class->set_property = gst_libframe_src_set_property;
    gobject_class->get_property = gst_libframe_src_get_property;
    gobject_class->finalize = gst_libframe_src_finalize;

    const GParamFlags rw =
        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
    g_object_class_install_property(
        gobject_class, PROP_SEGMENT,
        g_param_spec_string(
            "segment", "Segment",
            "Name of the libframe segment to read (the producer's --name): "
            "1 to 64 characters of [A-Za-z0-9._-]; /dev/shm/libframe.NAME",
            NULL, rw));
    g_object_class_install_property(
        gobject_class, PROP_WAIT,
        g_param_spec_int(
            "wait", "Wait",
            "Seconds to wait for a producer when the pipeline starts "
            "playing: 0 fails at once (when going to PAUSED) if the "
            "segment is missing or unusable, -1 waits forever. After the "
            "first producer, follow decides",
            -1, G_MAXINT, DEFAULT_WAIT, rw));
    g_object_class_install_property(
        gobject_class, PROP_FOLLOW,
        g_param_spec_boolean(
            "follow", "Follow",
            "Keep going when the producer stops, dies or is replaced: wait "
            "for the next producer on the name (for ever) and renegotiate "
            "caps when its frames differ. Off: a clean stop is EOS, a "
            "producer that dies is an error, another producer taking the "
            "name ends the stream with a warning",
            DEFAULT_FOLLOW, rw));
    g_object_class_install_property(
        gobject_class, PROP_ZERO_COPY,
        g_param_spec_boolean(
            "zero-copy", "Zero copy",
            "Hand frames out where they lie in the segment (read-only "
            "buffers, with GstVideoMeta when downstream takes it) instead "
            "of copying them: each holds its frame until GStreamer frees "
            "it. libframe keeps held frames whole while all readers "
            "together hold at most slots - 2 slots (3 slots: one buffer "
            "alive at a time); beyond that frames are copied. Another "
            "reader's hold taken meanwhile can still break one (counted "
            "in stats as leases-broken)",
            DEFAULT_ZERO_COPY, rw));
    g_object_class_install_property(
        gobject_class, PROP_STATS,
        g_param_spec_boxed(
            "stats", "Statistics",
            "frames-pushed, copies-discarded (the writer rewrote the frame "
            "during the copy), restarts (new producers followed), the "
            "reader's frames-seen, frames-skipped (published but never "
            "taken: downstream was slower) and retries, and with zero-copy "
            "leases (frames handed out in place) and leases-broken",
            GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

    GstCaps *caps = gst_libframe_caps_all();
    gst_element_class_add_pad_template(
        element_class,
        gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
    gst_caps_unref(caps);
    gst_element_class_set_static_metadata(
        element_class, "libframe source", "Source/Video",
        "Reads the frames a libframe producer publishes in shared memory "
        "(live; caps from each frame's format and size; timestamps from "
        "their publish times)",
        "libframe project");

    bsrc_class->start = GST_DEBUG_FUNCPTR(gst_libframe_src_start);
    bsrc_class->stop = GST_DEBUG_FUNCPTR(gst_libframe_src_stop);
    bsrc_class->unlock = GST_DEBUG_FUNCPTR(gst_libframe_src_unlock);
    bsrc_class->unlock_stop = GST_DEBUG_FUNCPTR(gst_libframe_src_unlock_stop);
    bsrc_class->get_caps = GST_DEBUG_FUNCPTR(gst_libframe_src_get_caps);
    bsrc_class->negotiate = GST_DEBUG_FUNCPTR(gst_libframe_src_negotiate);
    bsrc_class->set_caps = GST_DEBUG_FUNCPTR(gst_libframe_src_set_caps);
    bsrc_class->decide_allocation =
        GST_DEBUG_FUNCPTR(gst_libframe_src_decide_allocation);
    psrc_class->create = GST_DEBUG_FUNCPTR(gst_libframe_src_create);
}

static void gst_libframe_src_init(GstLibframeSrc *self)
{
    self->wait_s = DEFAULT_WAIT;
    self->follow = DEFAULT_FOLLOW;
    self->zero_copy = DEFAULT_ZERO_COPY;
    gst_video_info_init(&self->info);
    gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
    gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
}
