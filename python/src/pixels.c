/* Frames through the buffer protocol: each plane as an N-d buffer whose
 * shape, strides and item format come from the library's format table
 * (frame_format_desc()), so numpy wraps it without a copy and this module
 * needs no numpy. Plane objects export one plane of their owner (a held
 * Frame, a writer's WriterFrame, or an Image copy) and keep it alive. */
#include "module.h"

#include <stdlib.h>
#include <string.h>

int lf_pixels_set(struct lf_pixels *px, const struct frame_image *img,
                  bool readonly)
{
    const struct frame_format_desc *d = frame_format_desc(img->format);
    if (!d) {
        PyErr_Format(lf_Error, "unknown pixel format %u", img->format);
        return -1;
    }
    px->image = *img;
    px->desc = d;
    px->readonly = readonly;
    for (uint32_t p = 0; p < d->plane_count; p++) {
        /* The shape rule of struct frame_format_desc. */
        uint32_t xs = d->plane[p].x_shift, ys = d->plane[p].y_shift;
        Py_ssize_t pw = (img->width + (1u << xs) - 1) >> xs;
        Py_ssize_t ph = (img->height + (1u << ys) - 1) >> ys;
        Py_ssize_t item = d->bytes_per_sample, n = d->plane[p].samples;
        px->shape[p][0] = ph;
        px->shape[p][1] = pw;
        px->strides[p][0] = img->stride[p];
        px->strides[p][1] = n * item;
        px->ndim[p] = 2;
        if (n > 1) {
            px->shape[p][2] = n;
            px->strides[p][2] = item;
            px->ndim[p] = 3;
        }
    }
    return 0;
}

int lf_owner_getbuffer(PyObject *owner, int plane, Py_buffer *view, int flags)
{
    lf_Owner *o = (lf_Owner *)owner;
    struct lf_pixels *px = &o->px;
    view->obj = NULL;
    if (o->ops->usable(owner))
        return -1;
    if (plane < 0) {
        if (px->desc->plane_count > 1) {
            PyErr_Format(PyExc_BufferError,
                         "%s frames have %u planes: use .planes",
                         px->desc->name, px->desc->plane_count);
            return -1;
        }
        plane = 0;
    }
    if ((flags & PyBUF_WRITABLE) && px->readonly) {
        PyErr_SetString(PyExc_BufferError,
                        "a reader's frame is read-only (Reader.copy() gives "
                        "a copy of its own)");
        return -1;
    }
    const struct frame_format_desc *d = px->desc;
    int ndim = px->ndim[plane];
    Py_ssize_t item = d->bytes_per_sample;
    Py_ssize_t row = px->shape[plane][1] * px->strides[plane][1];
    bool contiguous = px->strides[plane][0] == row;
    if (!(flags & PyBUF_STRIDES) && !contiguous) {
        PyErr_SetString(PyExc_BufferError,
                        "the frame's rows are padded: ask for strides");
        return -1;
    }
    view->buf = px->image.plane[plane];
    view->len = px->shape[plane][0] * row;
    view->readonly = px->readonly;
    view->itemsize = item;
    view->format = (flags & PyBUF_FORMAT) ? (char *)d->buffer_format : NULL;
    view->ndim = ndim;
    view->shape = (flags & PyBUF_ND) ? px->shape[plane] : NULL;
    view->strides = (flags & PyBUF_STRIDES) ? px->strides[plane] : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    if (!(flags & PyBUF_ND)) {
        view->ndim = 1; /* bytes, as the protocol says (contiguous here) */
        view->itemsize = 1;
    }
    px->exports++;
    view->obj = Py_NewRef(owner);
    return 0;
}

void lf_owner_releasebuffer(PyObject *owner)
{
    lf_Owner *o = (lf_Owner *)owner;
    if (--o->px.exports == 0 && o->ops->unexported)
        o->ops->unexported(owner);
}

/* numpy turns an object whose buffer it cannot get into a 0-d object
 * array without a word; it looks for __array_interface__ next, so this
 * getter raises the buffer's error (AttributeError lets numpy go on). */
static PyObject *array_interface(PyObject *owner, int plane)
{
    Py_buffer view;
    if (lf_owner_getbuffer(owner, plane, &view, PyBUF_FULL_RO))
        return NULL;
    PyBuffer_Release(&view);
    PyErr_SetString(PyExc_AttributeError,
                    "__array_interface__: use the buffer protocol");
    return NULL;
}

PyObject *lf_owner_array_interface(PyObject *owner, void *closure)
{
    (void)closure;
    return array_interface(owner, -1);
}

/* ---- Plane ---- */

typedef struct {
    PyObject_HEAD PyObject *owner;
    int plane;
} PlaneObject;

static void plane_dealloc(PlaneObject *self)
{
    Py_XDECREF(self->owner);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int plane_getbuffer(PlaneObject *self, Py_buffer *view, int flags)
{
    if (lf_owner_getbuffer(self->owner, self->plane, view, flags))
        return -1;
    /* Released through us, so we keep the owner alive meanwhile. */
    Py_SETREF(view->obj, Py_NewRef((PyObject *)self));
    return 0;
}

static void plane_releasebuffer(PlaneObject *self, Py_buffer *view)
{
    (void)view;
    lf_owner_releasebuffer(self->owner);
}

static PyObject *plane_array_interface(PlaneObject *self, void *closure)
{
    (void)closure;
    return array_interface(self->owner, self->plane);
}

static PyObject *plane_repr(PlaneObject *self)
{
    lf_Owner *o = (lf_Owner *)self->owner;
    const Py_ssize_t *s = o->px.shape[self->plane];
    return PyUnicode_FromFormat("<libframe.Plane %d of %s, %zdx%zd>",
                                self->plane, o->px.desc->name, s[1], s[0]);
}

static PyBufferProcs plane_buffer = {
    (getbufferproc)plane_getbuffer,
    (releasebufferproc)plane_releasebuffer,
};

static PyGetSetDef plane_getset[] = {
    {"__array_interface__", (getter)plane_array_interface, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject lf_PlaneType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "libframe.Plane",
    .tp_basicsize = sizeof(PlaneObject),
    .tp_dealloc = (destructor)plane_dealloc,
    .tp_repr = (reprfunc)plane_repr,
    .tp_as_buffer = &plane_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "One plane of a frame, exported through the buffer protocol "
              "(numpy.asarray(plane)).",
    .tp_getset = plane_getset,
};

PyObject *lf_owner_planes(PyObject *owner)
{
    lf_Owner *o = (lf_Owner *)owner;
    if (o->ops->usable(owner))
        return NULL;
    uint32_t n = o->px.desc->plane_count;
    PyObject *t = PyTuple_New(n);
    if (!t)
        return NULL;
    for (uint32_t p = 0; p < n; p++) {
        PlaneObject *pl = PyObject_New(PlaneObject, &lf_PlaneType);
        if (!pl) {
            Py_DECREF(t);
            return NULL;
        }
        pl->owner = Py_NewRef(owner);
        pl->plane = (int)p;
        PyTuple_SET_ITEM(t, p, (PyObject *)pl);
    }
    return t;
}

PyObject *lf_format_name(uint32_t format)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    if (!d)
        Py_RETURN_NONE;
    return PyUnicode_FromString(d->name);
}

/* ---- Image: a copy that owns its memory ---- */

typedef struct {
    lf_Owner base;
    uint8_t *mem;
    struct frame_view meta;
} ImageObject;

static int image_usable(PyObject *owner)
{
    (void)owner;
    return 0;
}

static const struct lf_owner_ops image_ops = {image_usable, NULL};

PyObject *lf_image_new(uint8_t *mem, const struct frame_image *img,
                       const struct frame_view *meta)
{
    ImageObject *self = PyObject_New(ImageObject, &lf_ImageType);
    if (!self) {
        free(mem);
        return NULL;
    }
    self->base.ops = &image_ops;
    self->base.px.exports = 0;
    self->mem = mem;
    self->meta = *meta;
    if (lf_pixels_set(&self->base.px, img, false)) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void image_dealloc(ImageObject *self)
{
    free(self->mem);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int image_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    return lf_owner_getbuffer(self, -1, view, flags);
}

static void image_releasebuffer(PyObject *self, Py_buffer *view)
{
    (void)view;
    lf_owner_releasebuffer(self);
}

static PyObject *image_planes(PyObject *self, void *c)
{
    (void)c;
    return lf_owner_planes(self);
}

static PyObject *image_format(ImageObject *self, void *c)
{
    (void)c;
    return lf_format_name(self->base.px.image.format);
}

static PyObject *image_repr(ImageObject *self)
{
    return PyUnicode_FromFormat(
        "<libframe.Image %ux%u %s frame %llu>", self->base.px.image.width,
        self->base.px.image.height, self->base.px.desc->name,
        (unsigned long long)self->meta.frame_no);
}

static PyBufferProcs image_buffer = {image_getbuffer, image_releasebuffer};

static PyGetSetDef image_getset[] = {
    {"planes", image_planes, NULL,
     "The planes, each a buffer of its own (I420: Y, U, V).", NULL},
    {"format", (getter)image_format, NULL,
     "The pixel format's caps name (\"RGBA\", \"GRAY16_LE\", ...).", NULL},
    {"__array_interface__", lf_owner_array_interface, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef image_members[] = {
    {"width", T_UINT, offsetof(ImageObject, base.px.image.width), READONLY,
     NULL},
    {"height", T_UINT, offsetof(ImageObject, base.px.image.height), READONLY,
     NULL},
    {"frame_no", T_ULONGLONG, offsetof(ImageObject, meta.frame_no), READONLY,
     NULL},
    {"timestamp_ns", T_LONGLONG, offsetof(ImageObject, meta.timestamp_ns),
     READONLY, "CLOCK_MONOTONIC time of publish."},
    {"session_id", T_ULONGLONG, offsetof(ImageObject, meta.session_id),
     READONLY, NULL},
    {"source_index", T_ULONGLONG, offsetof(ImageObject, meta.source_index),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject lf_ImageType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "libframe.Image",
    .tp_basicsize = sizeof(ImageObject),
    .tp_dealloc = (destructor)image_dealloc,
    .tp_repr = (reprfunc)image_repr,
    .tp_as_buffer = &image_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A validated copy of a frame that owns its memory "
              "(Reader.copy()); writable through the buffer protocol.",
    .tp_getset = image_getset,
    .tp_members = image_members,
};
