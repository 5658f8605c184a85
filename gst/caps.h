/* What libframe's format table means to GStreamer, for both elements: the
 * caps, the format mapping and the planes of a GstVideoFrame. */
#ifndef GST_LIBFRAME_CAPS_H
#define GST_LIBFRAME_CAPS_H

#include <libframe/frame.h>

#include <gst/gst.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

/* video/x-raw with every format of the table GStreamer knows (in table
 * order), width and height 1..FRAME_MAX_DIM, any framerate. A new
 * reference, for pad templates and for answering caps queries. */
GstCaps *gst_libframe_caps_all(void);

/* The GstVideoFormat of an enum frame_pixel_format, by the table's caps
 * name; GST_VIDEO_FORMAT_UNKNOWN for 0, values outside the table, and
 * formats whose GStreamer layout differs from the table's. */
GstVideoFormat gst_libframe_to_video_format(uint32_t format);

/* The enum frame_pixel_format of a GstVideoFormat, or 0 if the table has
 * no such format. */
uint32_t gst_libframe_from_video_format(GstVideoFormat vf);

/* Fill img with a mapped GstVideoFrame's format, size, planes and strides
 * (GstVideoMeta's, when the buffer has one, since gst_video_frame_map()
 * honours it). img's planes point into the mapping and are valid while it
 * is mapped; frame_convert() copies between it and a slot.
 * Returns 0, or -EINVAL when the frame's format is not in the table or a
 * stride is negative. */
int gst_libframe_image_from_video_frame(struct frame_image *img,
                                        const GstVideoFrame *frame);

G_END_DECLS

#endif
