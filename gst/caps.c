/* The format table in GStreamer's terms. The table's caps names are
 * GStreamer's format names, so the mapping is derived from the names and
 * there is no second table here. */
#include "caps.h"

#include <errno.h>

/* A table format GStreamer lays out otherwise (another plane count or
 * pixel size) would be copied wrongly, so it is left out rather than
 * trusted; with the names as they are, none is. */
static gboolean layout_agrees(const struct frame_format_desc *d,
                              GstVideoFormat vf)
{
    const GstVideoFormatInfo *gi = gst_video_format_get_info(vf);
    if (!gi || GST_VIDEO_FORMAT_INFO_N_PLANES(gi) != d->plane_count)
        return FALSE;
    for (uint32_t p = 0; p < d->plane_count; p++) {
        guint c = 0;
        while (c < GST_VIDEO_FORMAT_INFO_N_COMPONENTS(gi) &&
               GST_VIDEO_FORMAT_INFO_PLANE(gi, c) != p)
            c++;
        if (c == GST_VIDEO_FORMAT_INFO_N_COMPONENTS(gi))
            return FALSE;
        guint pstride = (guint)GST_VIDEO_FORMAT_INFO_PSTRIDE(gi, c);
        if (pstride != d->plane[p].samples * d->bytes_per_sample ||
            GST_VIDEO_FORMAT_INFO_W_SUB(gi, c) != d->plane[p].x_shift ||
            GST_VIDEO_FORMAT_INFO_H_SUB(gi, c) != d->plane[p].y_shift)
            return FALSE;
    }
    return TRUE;
}

GstVideoFormat gst_libframe_to_video_format(uint32_t format)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    if (!d)
        return GST_VIDEO_FORMAT_UNKNOWN;
    GstVideoFormat vf = gst_video_format_from_string(d->name);
    if (vf == GST_VIDEO_FORMAT_UNKNOWN || !layout_agrees(d, vf))
        return GST_VIDEO_FORMAT_UNKNOWN;
    return vf;
}

uint32_t gst_libframe_from_video_format(GstVideoFormat vf)
{
    if (vf == GST_VIDEO_FORMAT_UNKNOWN)
        return 0;
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++)
        if (gst_libframe_to_video_format(f) == vf)
            return f;
    return 0;
}

GstCaps *gst_libframe_caps_all(void)
{
    GValue list = G_VALUE_INIT, v = G_VALUE_INIT;
    g_value_init(&list, GST_TYPE_LIST);
    g_value_init(&v, G_TYPE_STRING);
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        if (gst_libframe_to_video_format(f) == GST_VIDEO_FORMAT_UNKNOWN)
            continue;
        g_value_set_static_string(&v, frame_format_desc(f)->name);
        gst_value_list_append_value(&list, &v);
    }
    g_value_unset(&v);
    GstCaps *caps = gst_caps_new_simple(
        "video/x-raw", "width", GST_TYPE_INT_RANGE, 1, FRAME_MAX_DIM, "height",
        GST_TYPE_INT_RANGE, 1, FRAME_MAX_DIM, "framerate",
        GST_TYPE_FRACTION_RANGE, 0, 1, G_MAXINT, 1, NULL);
    gst_structure_take_value(gst_caps_get_structure(caps, 0), "format", &list);
    return caps;
}

int gst_libframe_image_from_video_frame(struct frame_image *img,
                                        const GstVideoFrame *frame)
{
    uint32_t format =
        gst_libframe_from_video_format(GST_VIDEO_FRAME_FORMAT(frame));
    const struct frame_format_desc *d = frame_format_desc(format);
    if (!d)
        return -EINVAL;
    *img = (struct frame_image){.format = format,
                                .width = GST_VIDEO_FRAME_WIDTH(frame),
                                .height = GST_VIDEO_FRAME_HEIGHT(frame),
                                .plane_count = d->plane_count};
    for (uint32_t p = 0; p < d->plane_count; p++) {
        gint stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, p);
        if (stride <= 0)
            return -EINVAL;
        img->plane[p] = GST_VIDEO_FRAME_PLANE_DATA(frame, p);
        img->stride[p] = (uint32_t)stride;
    }
    return 0;
}
