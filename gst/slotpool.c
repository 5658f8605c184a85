/* Zero copy for upstream: the buffers libframesink offers are the back
 * slot of its segment, begun at acquire and committed at render. */
#include "slotpool.h"

GST_DEBUG_CATEGORY_STATIC(slotpool_debug);
#define GST_CAT_DEFAULT slotpool_debug

struct _GstLibframeSlotWriter {
    gint refs;
    GMutex lock;     /* everything below */
    GCond idle;      /* signalled when begun becomes NULL, and on flushing */
    frame_writer *w; /* NULL once destroyed */
    /* The slot buffer whose frame is begun on w, if any: only one frame
     * can be begun on a writer. Set at acquire, cleared when it is
     * committed or comes back unrendered (then aborted). */
    GstBuffer *begun;
    guint out; /* slot buffers acquired and not yet back */
    gboolean closed;
    struct gst_libframe_slot_stats stats;
};

/* Which writer a slot buffer's memory belongs to. */
static GQuark slot_quark;

static void writer_destroy_locked(GstLibframeSlotWriter *sw)
{
    if (!sw->w)
        return;
    if (sw->begun) {
        frame_writer_abort(sw->w);
        sw->begun = NULL;
    }
    frame_writer_destroy(sw->w);
    sw->w = NULL;
}

GstLibframeSlotWriter *gst_libframe_slot_writer_new(frame_writer *w)
{
    GstLibframeSlotWriter *sw = g_new0(GstLibframeSlotWriter, 1);
    sw->refs = 1;
    g_mutex_init(&sw->lock);
    g_cond_init(&sw->idle);
    sw->w = w;
    return sw;
}

GstLibframeSlotWriter *gst_libframe_slot_writer_ref(GstLibframeSlotWriter *sw)
{
    g_atomic_int_inc(&sw->refs);
    return sw;
}

void gst_libframe_slot_writer_unref(GstLibframeSlotWriter *sw)
{
    if (!sw || !g_atomic_int_dec_and_test(&sw->refs))
        return;
    /* Every slot buffer holds its pool, which holds sw: none is out. */
    writer_destroy_locked(sw);
    g_cond_clear(&sw->idle);
    g_mutex_clear(&sw->lock);
    g_free(sw);
}

void gst_libframe_slot_writer_close(GstLibframeSlotWriter *sw)
{
    g_mutex_lock(&sw->lock);
    sw->closed = TRUE;
    if (sw->w && sw->out == 0) {
        writer_destroy_locked(sw);
    } else if (sw->w) {
        /* Upstream may be writing into a begun slot right now (the sink
         * stops before its source): unmapping it would crash upstream. */
        GST_DEBUG("closing with %u slot buffers out: the segment goes when "
                  "they come back",
                  sw->out);
        frame_writer_set_state(sw->w, FRAME_STATE_CLOSED);
    }
    g_cond_broadcast(&sw->idle);
    g_mutex_unlock(&sw->lock);
}

int gst_libframe_slot_writer_commit(GstLibframeSlotWriter *sw, GstBuffer *buf,
                                    int64_t timestamp_ns, uint64_t source_index)
{
    g_mutex_lock(&sw->lock);
    if (!sw->w || sw->closed || buf != sw->begun) {
        g_mutex_unlock(&sw->lock);
        return 1;
    }
    int rc = frame_writer_commit(sw->w, timestamp_ns, source_index);
    /* Committed or not, the frame is no longer begun. */
    sw->begun = NULL;
    if (rc == 0) {
        sw->stats.in_place++;
        /* A due time is also recorded as the heartbeat; with sync=false
         * it may lie ahead of now, and readers judge freshness by it. */
        if (timestamp_ns)
            frame_writer_heartbeat(sw->w);
    }
    g_cond_broadcast(&sw->idle);
    g_mutex_unlock(&sw->lock);
    return rc;
}

int gst_libframe_slot_writer_copy(GstLibframeSlotWriter *sw,
                                  const struct frame_image *src,
                                  int64_t timestamp_ns, uint64_t source_index,
                                  const char **what)
{
    g_mutex_lock(&sw->lock);
    int rc = 0;
    if (!sw->w || sw->closed) {
        *what = "frame_writer_begin_format";
        rc = -EINVAL;
        goto out;
    }
    if (sw->begun) {
        /* Waiting could deadlock: the thread that holds the begun buffer
         * may be the one pushing this one. */
        sw->stats.skipped++;
        rc = 1;
        goto out;
    }
    struct frame_buffer fb;
    *what = "frame_writer_begin_format";
    rc = frame_writer_begin_format(sw->w, src->format, src->width, src->height,
                                   1, &fb);
    if (rc)
        goto out;
    *what = "frame_convert";
    /* A slot buffer pushed again (videorate, a tee...) can be the slot
     * begun now, once the ring has come round: the bytes are there. */
    bool in_slot =
        fb.image.plane[0] == src->plane[0] && fb.image.format == src->format;
    for (uint32_t p = 0; in_slot && p < src->plane_count; p++)
        in_slot = fb.image.plane[p] == src->plane[p] &&
                  fb.image.stride[p] == src->stride[p];
    rc = in_slot ? 0 : frame_convert(&fb.image, src);
    if (rc) {
        frame_writer_abort(sw->w);
        goto out;
    }
    *what = "frame_writer_commit";
    rc = frame_writer_commit(sw->w, timestamp_ns, source_index);
    if (rc)
        goto out;
    sw->stats.copied++;
    if (timestamp_ns)
        frame_writer_heartbeat(sw->w);
out:
    g_mutex_unlock(&sw->lock);
    return rc;
}

void gst_libframe_slot_writer_stats(GstLibframeSlotWriter *sw,
                                    struct gst_libframe_slot_stats *sum)
{
    g_mutex_lock(&sw->lock);
    sum->in_place += sw->stats.in_place;
    sum->copied += sw->stats.copied;
    sum->aborted += sw->stats.aborted;
    sum->skipped += sw->stats.skipped;
    g_mutex_unlock(&sw->lock);
}

/* The pool. */

#define GST_TYPE_LIBFRAME_SLOT_POOL (gst_libframe_slot_pool_get_type())
G_DECLARE_FINAL_TYPE(GstLibframeSlotPool, gst_libframe_slot_pool, GST,
                     LIBFRAME_SLOT_POOL, GstBufferPool)

struct _GstLibframeSlotPool {
    GstBufferPool parent;
    GstLibframeSlotWriter *sw;
    GstVideoInfo info; /* the caps the pool serves */
    uint32_t format;
    gboolean flushing; /* under sw->lock */
    /* Upstream wants to hold several buffers before it pushes the first
     * (a decoder's references): slots cannot do that, so the pool hands
     * out plain memory, copied by the sink. */
    gboolean plain;
};

G_DEFINE_TYPE(GstLibframeSlotPool, gst_libframe_slot_pool, GST_TYPE_BUFFER_POOL)

static const gchar **pool_get_options(GstBufferPool *pool)
{
    (void)pool;
    static const gchar *options[] = {GST_BUFFER_POOL_OPTION_VIDEO_META, NULL};
    return options;
}

/* Upstream's config is taken, but for its buffer counts: two at most,
 * none made ahead (see acquire for why two). An upstream that asks for
 * more than one at a time would wait for ever for its second slot (only
 * one frame is begun at a time): it gets plain memory instead, as many
 * buffers as it asks for. */
static gboolean pool_set_config(GstBufferPool *pool, GstStructure *config)
{
    GstLibframeSlotPool *self = GST_LIBFRAME_SLOT_POOL(pool);
    GstCaps *caps = NULL;
    guint size = 0, min = 0;
    GstVideoInfo info;
    if (!gst_buffer_pool_config_get_params(config, &caps, &size, &min, NULL) ||
        !caps || !gst_video_info_from_caps(&info, caps) ||
        GST_VIDEO_INFO_FORMAT(&info) != GST_VIDEO_INFO_FORMAT(&self->info) ||
        GST_VIDEO_INFO_WIDTH(&info) != GST_VIDEO_INFO_WIDTH(&self->info) ||
        GST_VIDEO_INFO_HEIGHT(&info) != GST_VIDEO_INFO_HEIGHT(&self->info)) {
        GST_WARNING_OBJECT(
            pool, "config %" GST_PTR_FORMAT " is not the caps the pool serves",
            config);
        return FALSE;
    }
    self->plain = min > 1;
    if (self->plain)
        GST_INFO_OBJECT(pool, "upstream holds %u buffers: plain memory", min);
    else
        gst_buffer_pool_config_set_params(config, caps, size, 0, 2);
    return GST_BUFFER_POOL_CLASS(gst_libframe_slot_pool_parent_class)
        ->set_config(pool, config);
}

/* An empty buffer: its memory is a slot, attached at acquire. */
static GstFlowReturn pool_alloc_buffer(GstBufferPool *pool, GstBuffer **buf,
                                       GstBufferPoolAcquireParams *params)
{
    (void)pool;
    (void)params;
    *buf = gst_buffer_new();
    return GST_FLOW_OK;
}

/* Plain memory in GStreamer's own layout, for an upstream still using the
 * pool of a closed segment: the sink copies it, if it still gets it. */
static void attach_plain(GstLibframeSlotPool *self, GstBuffer *buf)
{
    GstVideoInfo info = self->info; /* the meta takes non-const arrays */
    gst_buffer_append_memory(
        buf, gst_allocator_alloc(NULL, GST_VIDEO_INFO_SIZE(&info), NULL));
    gst_buffer_add_video_meta_full(
        buf, GST_VIDEO_FRAME_FLAG_NONE, GST_VIDEO_INFO_FORMAT(&info),
        GST_VIDEO_INFO_WIDTH(&info), GST_VIDEO_INFO_HEIGHT(&info),
        GST_VIDEO_INFO_N_PLANES(&info), info.offset, info.stride);
}

/* Begin a frame and lend its slot. Only one frame can be begun on a
 * writer, so a second acquire waits until the first buffer is committed
 * (or comes back unrendered): upstream fills at most one slot at a time.
 * A committed buffer holds no begun frame, which is why the pool allows
 * two buffers: basesink keeps the last rendered one as its last-sample
 * (enable-last-sample, on by default) until the next is rendered, and
 * with one buffer upstream would wait for ever for it to come back. The
 * wait never depends on readers: begin never waits for them. */
static GstFlowReturn pool_acquire_buffer(GstBufferPool *pool, GstBuffer **out,
                                         GstBufferPoolAcquireParams *params)
{
    GstLibframeSlotPool *self = GST_LIBFRAME_SLOT_POOL(pool);
    GstLibframeSlotWriter *sw = self->sw;
    GstBuffer *buf = NULL;
    GstFlowReturn ret =
        GST_BUFFER_POOL_CLASS(gst_libframe_slot_pool_parent_class)
            ->acquire_buffer(pool, &buf, params);
    if (ret != GST_FLOW_OK)
        return ret;
    if (self->plain) {
        attach_plain(self, buf);
        *out = buf;
        return GST_FLOW_OK;
    }

    g_mutex_lock(&sw->lock);
    while (sw->begun && !self->flushing && !sw->closed) {
        if (params && (params->flags & GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT)) {
            ret = GST_FLOW_EOS;
            goto give_back;
        }
        g_cond_wait(&sw->idle, &sw->lock);
    }
    if (self->flushing) {
        ret = GST_FLOW_FLUSHING;
        goto give_back;
    }
    if (sw->closed || !sw->w) {
        g_mutex_unlock(&sw->lock);
        attach_plain(self, buf);
        *out = buf;
        return GST_FLOW_OK;
    }
    uint32_t width = (uint32_t)GST_VIDEO_INFO_WIDTH(&self->info);
    uint32_t height = (uint32_t)GST_VIDEO_INFO_HEIGHT(&self->info);
    struct frame_buffer fb;
    int rc =
        frame_writer_begin_format(sw->w, self->format, width, height, 1, &fb);
    guint n = GST_VIDEO_INFO_N_PLANES(&self->info);
    if (rc || fb.image.plane_count != n) {
        if (rc == 0)
            frame_writer_abort(sw->w);
        GST_ERROR_OBJECT(pool, "frame_writer_begin_format: %s",
                         rc ? frame_strerror(rc) : "plane count differs");
        ret = GST_FLOW_ERROR;
        goto give_back;
    }
    gsize size = frame_image_layout(NULL, self->format, width, height, 1, NULL);
    gsize offset[GST_VIDEO_MAX_PLANES] = {0};
    gint stride[GST_VIDEO_MAX_PLANES] = {0};
    for (guint p = 0; p < n; p++) {
        offset[p] = (gsize)(fb.image.plane[p] - fb.image.plane[0]);
        stride[p] = (gint)fb.image.stride[p];
    }
    /* No free: the memory is the segment's mapping, which lives until the
     * writer is destroyed, after every slot buffer came back. */
    gst_buffer_append_memory(buf,
                             gst_memory_new_wrapped(0, fb.image.plane[0], size,
                                                    0, size, NULL, NULL));
    gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE,
                                   GST_VIDEO_INFO_FORMAT(&self->info), width,
                                   height, n, offset, stride);
    gst_mini_object_set_qdata(GST_MINI_OBJECT(buf), slot_quark, sw, NULL);
    sw->begun = buf;
    sw->out++;
    g_mutex_unlock(&sw->lock);
    *out = buf;
    return GST_FLOW_OK;

give_back:
    g_mutex_unlock(&sw->lock);
    GST_BUFFER_POOL_CLASS(gst_libframe_slot_pool_parent_class)
        ->release_buffer(pool, buf);
    return ret;
}

/* Nothing to reset: released buffers are dropped (their memory was a
 * slot, and the next acquire lends another). */
static void pool_reset_buffer(GstBufferPool *pool, GstBuffer *buf)
{
    (void)pool;
    (void)buf;
}

/* A slot buffer back unrendered (dropped late, flushed, shown only at
 * preroll) aborts its frame: no half-filled slot is ever published. A
 * rendered one was committed already. */
static void pool_release_buffer(GstBufferPool *pool, GstBuffer *buf)
{
    GstLibframeSlotPool *self = GST_LIBFRAME_SLOT_POOL(pool);
    GstLibframeSlotWriter *sw = self->sw;
    if (gst_mini_object_get_qdata(GST_MINI_OBJECT(buf), slot_quark) == sw) {
        g_mutex_lock(&sw->lock);
        if (buf == sw->begun) {
            if (sw->w)
                frame_writer_abort(sw->w);
            sw->begun = NULL;
            sw->stats.aborted++;
            g_cond_broadcast(&sw->idle);
        }
        sw->out--;
        if (sw->closed && sw->out == 0)
            writer_destroy_locked(sw);
        g_mutex_unlock(&sw->lock);
    }
    /* Without memory its size is not the pool's: the parent drops it. */
    gst_buffer_remove_all_memory(buf);
    GST_BUFFER_POOL_CLASS(gst_libframe_slot_pool_parent_class)
        ->release_buffer(pool, buf);
}

static void pool_flush_start(GstBufferPool *pool)
{
    GstLibframeSlotPool *self = GST_LIBFRAME_SLOT_POOL(pool);
    g_mutex_lock(&self->sw->lock);
    self->flushing = TRUE;
    g_cond_broadcast(&self->sw->idle);
    g_mutex_unlock(&self->sw->lock);
}

static void pool_flush_stop(GstBufferPool *pool)
{
    GstLibframeSlotPool *self = GST_LIBFRAME_SLOT_POOL(pool);
    g_mutex_lock(&self->sw->lock);
    self->flushing = FALSE;
    g_mutex_unlock(&self->sw->lock);
}

static void pool_finalize(GObject *obj)
{
    GstLibframeSlotPool *self = GST_LIBFRAME_SLOT_POOL(obj);
    gst_libframe_slot_writer_unref(self->sw);
    G_OBJECT_CLASS(gst_libframe_slot_pool_parent_class)->finalize(obj);
}

static void gst_libframe_slot_pool_class_init(GstLibframeSlotPoolClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstBufferPoolClass *pool_class = GST_BUFFER_POOL_CLASS(klass);
    GST_DEBUG_CATEGORY_INIT(slotpool_debug, "libframeslotpool", 0,
                            "libframesink's pool of segment slots");
    slot_quark = g_quark_from_static_string("libframe-slot-writer");
    gobject_class->finalize = pool_finalize;
    pool_class->get_options = pool_get_options;
    pool_class->set_config = pool_set_config;
    pool_class->alloc_buffer = pool_alloc_buffer;
    pool_class->acquire_buffer = pool_acquire_buffer;
    pool_class->reset_buffer = pool_reset_buffer;
    pool_class->release_buffer = pool_release_buffer;
    pool_class->flush_start = pool_flush_start;
    pool_class->flush_stop = pool_flush_stop;
}

static void gst_libframe_slot_pool_init(GstLibframeSlotPool *self)
{
    (void)self;
}

GstBufferPool *gst_libframe_slot_pool_new(GstLibframeSlotWriter *sw,
                                          const GstVideoInfo *info,
                                          uint32_t format)
{
    GstLibframeSlotPool *self = g_object_new(GST_TYPE_LIBFRAME_SLOT_POOL, NULL);
    gst_object_ref_sink(self);
    self->sw = gst_libframe_slot_writer_ref(sw);
    self->info = *info;
    self->format = format;
    return GST_BUFFER_POOL(self);
}
