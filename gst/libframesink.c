/* libframesink: each buffer becomes a frame of a libframe segment. */
#include "libframesink.h"

#include "caps.h"
#include "clock.h"
#include "slotpool.h"

#include <libframe/frame.h>

#include <errno.h>

GST_DEBUG_CATEGORY_STATIC(libframesink_debug);
#define GST_CAT_DEFAULT libframesink_debug

enum {
    PROP_0,
    PROP_SEGMENT,
    PROP_SLOTS,
    PROP_MODE,
    PROP_MAX_WIDTH,
    PROP_MAX_HEIGHT,
    PROP_STATS,
};

/* frame.h: a slot_count of 0 means 3; the property shows the number. */
#define DEFAULT_SLOTS 3
#define DEFAULT_MODE 0600

struct _GstLibframeSink {
    GstVideoSink parent;

    /* Properties, under the object lock. They take effect when a segment
     * is created: at the first caps, and whenever caps no longer fit. */
    gchar *segment;
    guint slots;
    guint mode;
    guint max_width;
    guint max_height;

    /* The stream, touched only by the streaming thread and by stop(),
     * which runs after the pads are deactivated: no lock. */
    GstVideoInfo info; /* of the negotiated caps */
    uint32_t format;   /* enum frame_pixel_format of info, 0 before caps */
    /* The segment's writer, shared with pool, whose buffers are its back
     * slot (upstream's zero-copy path); NULL when there is no segment. */
    GstLibframeSlotWriter *sw;
    GstBufferPool *pool;
    uint64_t slot_capacity;
    /* Every writer since start, for the stats property (under the object
     * lock). */
    GSList *writers;
    /* The buffer preroll published: basesink renders it again once
     * PLAYING, and it is one frame, not two. */
    GstBuffer *prerolled;
    GstClock *clock; /* the last clock seen, and whether it is ours */
    gboolean clock_is_monotonic;
    /* An element error was posted: later buffers fail quietly instead of
     * posting it again. */
    gboolean failed;
};

G_DEFINE_TYPE(GstLibframeSink, gst_libframe_sink, GST_TYPE_VIDEO_SINK)

GType gst_libframe_sink_mode_get_type(void)
{
    static GType type;
    static const GEnumValue values[] = {
        {0600, "owner only: read and write (0600)", "0600"},
        {0640, "owner read and write, group read (0640)", "0640"},
        {0660, "owner and group read and write (0660)", "0660"},
        {0, NULL, NULL},
    };
    if (g_once_init_enter(&type)) {
        GType t = g_enum_register_static("GstLibframeSinkMode", values);
        g_once_init_leave(&type, t);
    }
    return type;
}

static void sink_set_property(GObject *obj, guint id, const GValue *value,
                              GParamSpec *pspec)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(obj);
    GST_OBJECT_LOCK(self);
    switch (id) {
    case PROP_SEGMENT:
        g_free(self->segment);
        self->segment = g_value_dup_string(value);
        break;
    case PROP_SLOTS:
        self->slots = g_value_get_uint(value);
        break;
    case PROP_MODE:
        self->mode = (guint)g_value_get_enum(value);
        break;
    case PROP_MAX_WIDTH:
        self->max_width = g_value_get_uint(value);
        break;
    case PROP_MAX_HEIGHT:
        self->max_height = g_value_get_uint(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    }
    GST_OBJECT_UNLOCK(self);
}

static void sink_get_property(GObject *obj, guint id, GValue *value,
                              GParamSpec *pspec)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(obj);
    GST_OBJECT_LOCK(self);
    switch (id) {
    case PROP_SEGMENT:
        g_value_set_string(value, self->segment);
        break;
    case PROP_SLOTS:
        g_value_set_uint(value, self->slots);
        break;
    case PROP_MODE:
        g_value_set_enum(value, (gint)self->mode);
        break;
    case PROP_MAX_WIDTH:
        g_value_set_uint(value, self->max_width);
        break;
    case PROP_MAX_HEIGHT:
        g_value_set_uint(value, self->max_height);
        break;
    case PROP_STATS: {
        struct gst_libframe_slot_stats sum = {0};
        for (GSList *l = self->writers; l; l = l->next)
            gst_libframe_slot_writer_stats(l->data, &sum);
        g_value_take_boxed(
            value,
            gst_structure_new("libframesink-stats", "in-place", G_TYPE_UINT64,
                              sum.in_place, "copied", G_TYPE_UINT64, sum.copied,
                              "aborted", G_TYPE_UINT64, sum.aborted, "skipped",
                              G_TYPE_UINT64, sum.skipped, NULL));
        break;
    }
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    }
    GST_OBJECT_UNLOCK(self);
}

/* Readers see FRAME_ECLOSED and keep the last frame; the name is free
 * (at once, or when the last slot buffer still out comes back: see
 * gst_libframe_slot_writer_close()). */
static void close_segment(GstLibframeSink *self)
{
    if (!self->sw)
        return;
    GST_DEBUG_OBJECT(self, "closing the segment");
    /* The last-sample is a slot buffer of ours if upstream took the pool:
     * let it go, so the segment can go now rather than at the next
     * buffer (its memory is the mapping). */
    GstBaseSink *bsink = GST_BASE_SINK(self);
    if (gst_base_sink_is_last_sample_enabled(bsink)) {
        gst_base_sink_set_last_sample_enabled(bsink, FALSE);
        gst_base_sink_set_last_sample_enabled(bsink, TRUE);
    }
    gst_libframe_slot_writer_close(self->sw);
    GST_OBJECT_LOCK(self);
    GstBufferPool *pool = self->pool;
    GstLibframeSlotWriter *sw = self->sw;
    self->pool = NULL;
    self->sw = NULL;
    GST_OBJECT_UNLOCK(self);
    if (pool)
        gst_object_unref(pool);
    gst_libframe_slot_writer_unref(sw);
    self->slot_capacity = 0;
}

/* A pool for the negotiated caps on the segment we have. A caps change
 * that keeps the segment still makes a new pool: upstream configures a
 * pool for one size and format. */
static void renew_pool(GstLibframeSink *self)
{
    GstBufferPool *pool =
        gst_libframe_slot_pool_new(self->sw, &self->info, self->format);
    GST_OBJECT_LOCK(self);
    GstBufferPool *old = self->pool;
    self->pool = pool;
    GST_OBJECT_UNLOCK(self);
    if (old)
        gst_object_unref(old);
}

static void forget_writers(GstLibframeSink *self)
{
    GST_OBJECT_LOCK(self);
    GSList *l = self->writers;
    self->writers = NULL;
    GST_OBJECT_UNLOCK(self);
    g_slist_free_full(l, (GDestroyNotify)gst_libframe_slot_writer_unref);
}

static void post_create_error(GstLibframeSink *self, const char *name,
                              const struct frame_format *fmt, int rc)
{
    char why[256];
    if (rc == FRAME_EALIVE) {
        struct frame_info info;
        if (frame_segment_info(name, &info) == 0)
            g_snprintf(why, sizeof(why), "%s (pid %d)", frame_strerror(rc),
                       (int)info.writer_pid);
        else
            g_snprintf(why, sizeof(why), "%s", frame_strerror(rc));
    } else {
        frame_segment_strerror(name, rc, why, sizeof(why));
    }
    /* What was asked, since -EINVAL and -ENOSPC are about the size. */
    gchar *asked = g_strdup_printf(
        "frame_writer_create: %d; %u slots for %ux%u %s frames, mode %04o", rc,
        fmt->slot_count, fmt->max_width, fmt->max_height,
        frame_format_desc(fmt->pixel_format)->name, fmt->mode);
    if (rc == -ENOSPC)
        GST_ELEMENT_ERROR(self, RESOURCE, NO_SPACE_LEFT,
                          ("Could not create segment '%s': %s", name, why),
                          ("%s", asked));
    else
        GST_ELEMENT_ERROR(self, RESOURCE, OPEN_WRITE,
                          ("Could not create segment '%s': %s", name, why),
                          ("%s", asked));
    g_free(asked);
}

/* A segment whose slots take a frame of the negotiated format and size:
 * the one we have if it fits, else a new one sized for the larger of the
 * caps and max-width x max-height. */
static gboolean ensure_segment(GstLibframeSink *self)
{
    uint32_t width = (uint32_t)GST_VIDEO_INFO_WIDTH(&self->info);
    uint32_t height = (uint32_t)GST_VIDEO_INFO_HEIGHT(&self->info);
    size_t need =
        frame_image_layout(NULL, self->format, width, height, 1, NULL);
    if (self->sw && need && need <= self->slot_capacity) {
        renew_pool(self);
        return TRUE;
    }
    close_segment(self);

    GST_OBJECT_LOCK(self);
    gchar *name = g_strdup(self->segment);
    struct frame_format fmt = {.max_width = MAX(self->max_width, width),
                               .max_height = MAX(self->max_height, height),
                               .slot_count = self->slots,
                               .mode = self->mode,
                               .pixel_format = self->format};
    GST_OBJECT_UNLOCK(self);

    bool replaced = false;
    frame_writer *w = NULL;
    int rc = frame_writer_create(name, &fmt, &w, &replaced);
    if (rc) {
        post_create_error(self, name, &fmt, rc);
        self->failed = TRUE;
        g_free(name);
        return FALSE;
    }
    if (replaced)
        GST_ELEMENT_INFO(self, RESOURCE, OPEN_WRITE,
                         ("Replaced the stale segment '%s' (its writer had "
                          "died)",
                          name),
                         (NULL));
    struct frame_info info;
    frame_writer_info(w, &info);
    self->slot_capacity = info.slot_capacity;
    GstLibframeSlotWriter *sw = gst_libframe_slot_writer_new(w);
    GST_OBJECT_LOCK(self);
    self->sw = sw;
    self->writers =
        g_slist_prepend(self->writers, gst_libframe_slot_writer_ref(sw));
    GST_OBJECT_UNLOCK(self);
    renew_pool(self);
    GST_INFO_OBJECT(self,
                    "created segment '%s': %u slots of %" G_GUINT64_FORMAT
                    " bytes, sized for %ux%u %s",
                    name, info.slot_count, info.slot_capacity, info.max_width,
                    info.max_height, frame_format_desc(self->format)->name);
    g_free(name);
    return TRUE;
}

static gboolean sink_set_caps(GstBaseSink *bsink, GstCaps *caps)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(bsink);
    GstVideoInfo info;
    if (!gst_video_info_from_caps(&info, caps)) {
        self->failed = TRUE;
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, (NULL),
                          ("caps are not video: %" GST_PTR_FORMAT, caps));
        return FALSE;
    }
    uint32_t format =
        gst_libframe_from_video_format(GST_VIDEO_INFO_FORMAT(&info));
    if (!format) {
        self->failed = TRUE;
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, (NULL),
                          ("format %s is not in libframe's table",
                           GST_VIDEO_INFO_NAME(&info)));
        return FALSE;
    }
    self->info = info;
    self->format = format;
    GST_DEBUG_OBJECT(self, "caps %" GST_PTR_FORMAT, caps);
    return ensure_segment(self);
}

static gboolean sink_start(GstBaseSink *bsink)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(bsink);
    GST_OBJECT_LOCK(self);
    gchar *name = g_strdup(self->segment);
    GST_OBJECT_UNLOCK(self);
    int rc = name ? frame_name_check(name) : -EINVAL;
    if (!name)
        GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS,
                          ("No segment name: set the segment property"),
                          (NULL));
    else if (rc)
        GST_ELEMENT_ERROR(
            self, RESOURCE, SETTINGS,
            ("Bad segment name '%s': %s", name, frame_strerror(rc)),
            ("names are 1 to %d characters of [A-Za-z0-9._-], "
             "without \"..\"",
             FRAME_NAME_MAX));
    g_free(name);
    self->format = 0;
    self->failed = FALSE;
    forget_writers(self);
    return rc == 0;
}

/* PAUSED to READY: the stream ends here, so the segment does (readers see
 * FRAME_ECLOSED), rather than at READY to NULL. A pipeline parked in READY
 * holds no segment, and every start negotiates, and creates, afresh. */
static gboolean sink_stop(GstBaseSink *bsink)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(bsink);
    close_segment(self);
    gst_clear_buffer(&self->prerolled);
    gst_clear_object(&self->clock);
    self->format = 0;
    return TRUE;
}

/* Whether clock's times are CLOCK_MONOTONIC's: GStreamer's system clock
 * is, unless someone set its clock-type to another. */
static gboolean clock_is_monotonic(GstClock *clock)
{
    if (!GST_IS_SYSTEM_CLOCK(clock))
        return FALSE;
    GstClockType type = GST_CLOCK_TYPE_REALTIME;
    g_object_get(clock, "clock-type", &type, NULL);
    return type == GST_CLOCK_TYPE_MONOTONIC;
}

/* The CLOCK_MONOTONIC time at which buf is due: base time + running time
 * (+ latency and ts-offset, as basesink syncs), on the pipeline's clock.
 * Another clock (an audio sink's, a network clock) is brought over by the
 * offset between it and CLOCK_MONOTONIC now, so the frame carries when it
 * is due whatever the clock. 0 ("now" to frame_writer_commit) when there
 * is no clock or no timestamp. */
static int64_t due_time(GstLibframeSink *self, GstBuffer *buf)
{
    GstBaseSink *bsink = GST_BASE_SINK(self);
    GstClockTime pts = GST_BUFFER_PTS(buf);
    if (!GST_CLOCK_TIME_IS_VALID(pts))
        return 0;
    GST_OBJECT_LOCK(self);
    GstClock *clock = GST_ELEMENT_CLOCK(self);
    if (clock)
        gst_object_ref(clock);
    GstClockTime base = GST_ELEMENT_CAST(self)->base_time;
    GstClockTime rt =
        gst_segment_to_running_time(&bsink->segment, GST_FORMAT_TIME, pts);
    GST_OBJECT_UNLOCK(self);
    if (!clock)
        return 0;
    if (clock != self->clock) {
        gst_object_replace((GstObject **)&self->clock, GST_OBJECT(clock));
        self->clock_is_monotonic = clock_is_monotonic(clock);
    }
    int64_t t = 0;
    if (GST_CLOCK_TIME_IS_VALID(rt)) {
        t = (int64_t)(base + rt + gst_base_sink_get_latency(bsink)) +
            gst_base_sink_get_ts_offset(bsink);
        if (!self->clock_is_monotonic)
            t += now_ns() - (int64_t)gst_clock_get_time(clock);
    }
    gst_object_unref(clock);
    return t > 0 ? t : 0;
}

static gboolean post_write_error(GstLibframeSink *self, const char *what,
                                 int rc)
{
    self->failed = TRUE;
    GST_ELEMENT_ERROR(
        self, RESOURCE, WRITE,
        ("Could not write a frame: %s: %s", what, frame_strerror(rc)),
        ("%s: %d", what, rc));
    return FALSE;
}

/* Copy buf into the back slot, plane by plane with its own strides and
 * offsets (GstVideoMeta's when it has one), and publish it. */
static GstFlowReturn publish(GstLibframeSink *self, GstBuffer *buf,
                             int64_t timestamp_ns)
{
    if (self->failed)
        return GST_FLOW_ERROR;
    if (!self->format) {
        GST_ELEMENT_ERROR(self, CORE, NEGOTIATION, (NULL),
                          ("a buffer before any caps"));
        return GST_FLOW_NOT_NEGOTIATED;
    }
    /* After EOS the segment is closed; data after a seek opens one again. */
    if (!self->sw && !ensure_segment(self))
        return GST_FLOW_ERROR;
    /* The source's frame number where it sets one (videotestsrc and most
     * video sources do), so readers can tell which frame they have. */
    uint64_t index =
        GST_BUFFER_OFFSET_IS_VALID(buf) ? GST_BUFFER_OFFSET(buf) : 0;

    /* A slot buffer of our pool, begun on this segment: upstream wrote the
     * frame in place. A slot buffer of an older segment (before a caps
     * change) is not begun here, and is copied like any other. */
    int rc =
        gst_libframe_slot_writer_commit(self->sw, buf, timestamp_ns, index);
    if (rc < 0) {
        post_write_error(self, "frame_writer_commit", rc);
        return GST_FLOW_ERROR;
    }
    if (rc == 0)
        return GST_FLOW_OK;

    GstVideoFrame vf;
    if (!gst_video_frame_map(&vf, &self->info, buf, GST_MAP_READ)) {
        self->failed = TRUE;
        GST_ELEMENT_ERROR(self, STREAM, FAILED,
                          ("Could not map a buffer as the negotiated video"),
                          ("%" GST_PTR_FORMAT, buf));
        return GST_FLOW_ERROR;
    }
    struct frame_image src;
    rc = gst_libframe_image_from_video_frame(&src, &vf);
    if (rc) {
        gst_video_frame_unmap(&vf);
        post_write_error(self, "buffer layout", rc);
        return GST_FLOW_ERROR;
    }
    const char *what = "";
    rc = gst_libframe_slot_writer_copy(self->sw, &src, timestamp_ns, index,
                                       &what);
    gst_video_frame_unmap(&vf);
    if (rc == 1)
        GST_DEBUG_OBJECT(
            self, "a slot buffer is out: %" GST_PTR_FORMAT " skipped", buf);
    else if (rc) {
        post_write_error(self, what, rc);
        return GST_FLOW_ERROR;
    }
    return GST_FLOW_OK;
}

/* PAUSED shows its first frame (GstVideoSink's show-preroll-frame), at
 * the time it is published: there is no running clock yet. */
static GstFlowReturn sink_preroll(GstBaseSink *bsink, GstBuffer *buf)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(bsink);
    gboolean show = TRUE;
    g_object_get(self, "show-preroll-frame", &show, NULL);
    if (!show)
        return GST_FLOW_OK;
    GstFlowReturn ret = publish(self, buf, 0);
    if (ret == GST_FLOW_OK)
        gst_buffer_replace(&self->prerolled, buf);
    return ret;
}

static GstFlowReturn sink_render(GstBaseSink *bsink, GstBuffer *buf)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(bsink);
    gboolean again = buf == self->prerolled;
    gst_clear_buffer(&self->prerolled);
    if (again)
        return GST_FLOW_OK;
    return publish(self, buf, due_time(self, buf));
}

static gboolean sink_event(GstBaseSink *bsink, GstEvent *event)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(bsink);
    /* Before chaining up, which posts the EOS message: whoever waits for
     * it finds the segment already closed. */
    if (GST_EVENT_TYPE(event) == GST_EVENT_EOS)
        close_segment(self);
    else if (GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP)
        gst_clear_buffer(&self->prerolled);
    return GST_BASE_SINK_CLASS(gst_libframe_sink_parent_class)
        ->event(bsink, event);
}

/* Upstream may hand us buffers with any strides and plane offsets, and
 * may write its frames straight into our back slot: the pool's buffers
 * are the slot (see slotpool.c), for the caps we were given. */
static gboolean sink_propose_allocation(GstBaseSink *bsink, GstQuery *query)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(bsink);
    gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
    GstCaps *caps = NULL;
    gboolean need_pool = FALSE;
    gst_query_parse_allocation(query, &caps, &need_pool);
    GstVideoInfo info;
    if (!need_pool || !caps || !gst_video_info_from_caps(&info, caps))
        return TRUE;
    GST_OBJECT_LOCK(self);
    GstBufferPool *pool = self->pool ? gst_object_ref(self->pool) : NULL;
    gboolean same =
        self->format &&
        GST_VIDEO_INFO_FORMAT(&info) == GST_VIDEO_INFO_FORMAT(&self->info) &&
        GST_VIDEO_INFO_WIDTH(&info) == GST_VIDEO_INFO_WIDTH(&self->info) &&
        GST_VIDEO_INFO_HEIGHT(&info) == GST_VIDEO_INFO_HEIGHT(&self->info);
    GST_OBJECT_UNLOCK(self);
    /* A query for caps we have not been given yet (upstream asks before it
     * sends them, or for other ones): no pool, the copy path takes them. */
    if (pool && same) {
        GstStructure *config = gst_buffer_pool_get_config(pool);
        gst_buffer_pool_config_set_params(
            config, caps, (guint)GST_VIDEO_INFO_SIZE(&info), 0, 2);
        gst_buffer_pool_config_add_option(config,
                                          GST_BUFFER_POOL_OPTION_VIDEO_META);
        if (gst_buffer_pool_is_active(pool) ||
            gst_buffer_pool_set_config(pool, config))
            gst_query_add_allocation_pool(
                query, pool, (guint)GST_VIDEO_INFO_SIZE(&info), 0, 2);
        else
            GST_WARNING_OBJECT(self, "could not configure the slot pool");
    }
    if (pool)
        gst_object_unref(pool);
    return TRUE;
}

static void sink_finalize(GObject *obj)
{
    GstLibframeSink *self = GST_LIBFRAME_SINK(obj);
    close_segment(self);
    forget_writers(self);
    gst_clear_buffer(&self->prerolled);
    gst_clear_object(&self->clock);
    g_free(self->segment);
    G_OBJECT_CLASS(gst_libframe_sink_parent_class)->finalize(obj);
}

static void gst_libframe_sink_class_init(GstLibframeSinkClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
    GstBaseSinkClass *bsink_class = GST_BASE_SINK_CLASS(klass);

    GST_DEBUG_CATEGORY_INIT(libframesink_debug, "libframesink", 0,
                            "libframe segment sink");

    gobject_class->set_property = sink_set_property;
    gobject_class->get_property = sink_get_property;
    gobject_class->finalize = sink_finalize;

    const GParamFlags flags =
        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;
    g_object_class_install_property(
        gobject_class, PROP_SEGMENT,
        g_param_spec_string(
            "segment", "Segment",
            "Name of the segment to create: 1 to 64 characters of "
            "[A-Za-z0-9._-], the object /dev/shm/libframe.NAME (required; "
            "a name a running writer holds is an error)",
            NULL, flags));
    g_object_class_install_property(
        gobject_class, PROP_SLOTS,
        g_param_spec_uint("slots", "Slots",
                          "Frame slots in the segment; a reader's held frame "
                          "stays whole while at most slots - 2 slots are held",
                          2, FRAME_MAX_SLOTS, DEFAULT_SLOTS, flags));
    g_object_class_install_property(
        gobject_class, PROP_MODE,
        g_param_spec_enum("mode", "Mode",
                          "Permissions of the segment: 0600 (owner only), "
                          "0640 (group may read) or 0660 (group may write)",
                          GST_TYPE_LIBFRAME_SINK_MODE, DEFAULT_MODE, flags));
    g_object_class_install_property(
        gobject_class, PROP_MAX_WIDTH,
        g_param_spec_uint("max-width", "Maximum width",
                          "Size the slots for frames this wide, in pixels, so "
                          "caps changes up to it keep the segment (0: the "
                          "negotiated width; larger caps still work, in a new "
                          "segment)",
                          0, FRAME_MAX_DIM, 0, flags));
    g_object_class_install_property(
        gobject_class, PROP_MAX_HEIGHT,
        g_param_spec_uint("max-height", "Maximum height",
                          "Size the slots for frames this tall, in pixels, so "
                          "caps changes up to it keep the segment (0: the "
                          "negotiated height; larger caps still work, in a new "
                          "segment)",
                          0, FRAME_MAX_DIM, 0, flags));
    g_object_class_install_property(
        gobject_class, PROP_STATS,
        g_param_spec_boxed(
            "stats", "Statistics",
            "Frames since the last start: in-place (upstream wrote them "
            "into the segment's slot, through the pool the sink offers), "
            "copied (buffers from elsewhere), aborted (slot buffers "
            "dropped unrendered: never published), skipped (buffers from "
            "elsewhere while upstream held a slot)",
            GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

    GstCaps *caps = gst_libframe_caps_all();
    gst_element_class_add_pad_template(
        element_class,
        gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
    gst_caps_unref(caps);
    gst_element_class_set_static_metadata(
        element_class, "libframe sink", "Sink/Video",
        "Publishes video frames into a libframe shared-memory segment; the "
        "writer never waits for readers",
        "libframe");

    bsink_class->start = GST_DEBUG_FUNCPTR(sink_start);
    bsink_class->stop = GST_DEBUG_FUNCPTR(sink_stop);
    bsink_class->set_caps = GST_DEBUG_FUNCPTR(sink_set_caps);
    bsink_class->preroll = GST_DEBUG_FUNCPTR(sink_preroll);
    bsink_class->render = GST_DEBUG_FUNCPTR(sink_render);
    bsink_class->event = GST_DEBUG_FUNCPTR(sink_event);
    bsink_class->propose_allocation =
        GST_DEBUG_FUNCPTR(sink_propose_allocation);

    gst_type_mark_as_plugin_api(GST_TYPE_LIBFRAME_SINK_MODE, 0);
}

static void gst_libframe_sink_init(GstLibframeSink *self)
{
    self->slots = DEFAULT_SLOTS;
    self->mode = DEFAULT_MODE;
}
