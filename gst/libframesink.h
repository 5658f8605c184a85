/* libframesink: a video sink that publishes each buffer as a frame of a
 * libframe segment (issue 16). */
#ifndef GST_LIBFRAME_SINK_H
#define GST_LIBFRAME_SINK_H

#include <gst/gst.h>
#include <gst/video/gstvideosink.h>

G_BEGIN_DECLS

#define GST_TYPE_LIBFRAME_SINK (gst_libframe_sink_get_type())
G_DECLARE_FINAL_TYPE(GstLibframeSink, gst_libframe_sink, GST, LIBFRAME_SINK,
                     GstVideoSink)

/* The permissions of the segment (the mode property). */
#define GST_TYPE_LIBFRAME_SINK_MODE (gst_libframe_sink_mode_get_type())
GType gst_libframe_sink_mode_get_type(void);

G_END_DECLS

#endif
