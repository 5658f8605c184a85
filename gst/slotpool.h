/* libframesink's zero-copy path: a GstBufferPool whose buffers are the
 * segment's back slot, and the writer it shares with the copy path. */
#ifndef GST_LIBFRAME_SLOTPOOL_H
#define GST_LIBFRAME_SLOTPOOL_H

#include <libframe/frame.h>

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* A writer shared by the sink and its pools. A frame_writer is not
 * thread-safe and upstream acquires in its own thread, so every call on it
 * goes through here, under one lock. Reference counted: the sink holds
 * one, each pool one, and the writer is destroyed once it is closed and
 * none of its slot buffers is out (upstream may still be filling one, a
 * GstSample may still show one: their memory is the mapping). */
typedef struct _GstLibframeSlotWriter GstLibframeSlotWriter;

/* What a writer did, for the sink's stats property. */
struct gst_libframe_slot_stats {
    guint64 in_place; /* slot buffers committed without a copy */
    guint64 copied;   /* other buffers copied into a slot */
    guint64 aborted;  /* slot buffers given back unrendered */
    guint64 skipped;  /* buffers not copied: a slot buffer was begun */
};

/* Takes w. */
GstLibframeSlotWriter *gst_libframe_slot_writer_new(frame_writer *w);
GstLibframeSlotWriter *gst_libframe_slot_writer_ref(GstLibframeSlotWriter *sw);
void gst_libframe_slot_writer_unref(GstLibframeSlotWriter *sw);

/* Readers see FRAME_ECLOSED now; the segment goes (its name is free) now,
 * or when the last slot buffer out comes back. Later acquires get plain
 * memory (copied by the sink, if it still gets them). */
void gst_libframe_slot_writer_close(GstLibframeSlotWriter *sw);

/* Publish buf if it is the slot buffer begun on sw: 0; 1 if it is not
 * (copy it); a negative code from frame_writer_commit(). */
int gst_libframe_slot_writer_commit(GstLibframeSlotWriter *sw, GstBuffer *buf,
                                    int64_t timestamp_ns,
                                    uint64_t source_index);

/* Copy src into the back slot and publish it: 0; 1 when a slot buffer is
 * begun (the frame is skipped: the writer has one frame begun at a time,
 * and upstream may hold it); a negative code, *what naming the call. */
int gst_libframe_slot_writer_copy(GstLibframeSlotWriter *sw,
                                  const struct frame_image *src,
                                  int64_t timestamp_ns, uint64_t source_index,
                                  const char **what);

/* Adds sw's counts to *sum. */
void gst_libframe_slot_writer_stats(GstLibframeSlotWriter *sw,
                                    struct gst_libframe_slot_stats *sum);

/* A pool of at most 2 buffers of info's format and size, each the back
 * slot of sw's segment while upstream fills it (frame_image_layout with
 * stride_align 1, described by GstVideoMeta). */
GstBufferPool *gst_libframe_slot_pool_new(GstLibframeSlotWriter *sw,
                                          const GstVideoInfo *info,
                                          uint32_t format);

G_END_DECLS

#endif
