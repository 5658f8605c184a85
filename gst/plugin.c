/* The libframe GStreamer plugin: registers libframesink and libframesrc. */
#include "libframesink.h"
#include "libframesrc.h"

#include <gst/gst.h>

#define PACKAGE "libframe"
#define VERSION FRAME_GST_VERSION

static gboolean plugin_init(GstPlugin *plugin)
{
    return gst_element_register(plugin, "libframesink", GST_RANK_NONE,
                                gst_libframe_sink_get_type()) &&
           gst_element_register(plugin, "libframesrc", GST_RANK_NONE,
                                gst_libframe_src_get_type());
}

/* The repository states no licence yet; GStreamer refuses to load a plugin
 * whose licence is not one of its own names ("MIT" is not: "MIT/X11" is),
 * so this says "unknown" until the project picks one. */
GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, libframe,
                  "Frames through libframe shared-memory segments", plugin_init,
                  VERSION, GST_LICENSE_UNKNOWN, PACKAGE, "libframe")
