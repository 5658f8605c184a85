/* libframesrc: a live push source reading a libframe segment. */
#include "libframesrc.h"

enum { PROP_0, PROP_SEGMENT };

struct _GstLibframeSrc {
    GstPushSrc parent;
    gchar *segment;
};

G_DEFINE_TYPE(GstLibframeSrc, gst_libframe_src, GST_TYPE_PUSH_SRC)

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
    "src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS("video/x-raw"));

static void gst_libframe_src_set_property(GObject *obj, guint id,
                                          const GValue *value,
                                          GParamSpec *pspec)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(obj);
    switch (id) {
    case PROP_SEGMENT:
        g_free(self->segment);
        self->segment = g_value_dup_string(value);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    }
}

static void gst_libframe_src_get_property(GObject *obj, guint id, GValue *value,
                                          GParamSpec *pspec)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(obj);
    switch (id) {
    case PROP_SEGMENT:
        g_value_set_string(value, self->segment);
        break;
    default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
    }
}

static void gst_libframe_src_finalize(GObject *obj)
{
    GstLibframeSrc *self = GST_LIBFRAME_SRC(obj);
    g_free(self->segment);
    G_OBJECT_CLASS(gst_libframe_src_parent_class)->finalize(obj);
}

static void gst_libframe_src_class_init(GstLibframeSrcClass *klass)
{
    GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
    GstElementClass *element_class = GST_ELEMENT_CLASS(klass);

    gobject_class->set_property = gst_libframe_src_set_property;
    gobject_class->get_property = gst_libframe_src_get_property;
    gobject_class->finalize = gst_libframe_src_finalize;
    g_object_class_install_property(
        gobject_class, PROP_SEGMENT,
        g_param_spec_string("segment", "Segment",
                            "Name of the libframe segment to read", NULL,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
    gst_element_class_add_static_pad_template(element_class, &src_template);
    gst_element_class_set_static_metadata(
        element_class, "libframe source", "Source/Video",
        "Reads video frames from a libframe shared-memory segment",
        "libframe project");
}

static void gst_libframe_src_init(GstLibframeSrc *self)
{
    gst_base_src_set_live(GST_BASE_SRC(self), TRUE);
    gst_base_src_set_format(GST_BASE_SRC(self), GST_FORMAT_TIME);
}
