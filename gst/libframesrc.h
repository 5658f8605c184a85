/* libframesrc: a live push source that reads frames from a libframe
 * segment (issue 16). */
#ifndef GST_LIBFRAME_SRC_H
#define GST_LIBFRAME_SRC_H

#include <gst/base/gstpushsrc.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_LIBFRAME_SRC (gst_libframe_src_get_type())
G_DECLARE_FINAL_TYPE(GstLibframeSrc, gst_libframe_src, GST, LIBFRAME_SRC,
                     GstPushSrc)

G_END_DECLS

#endif
