/* libframe.Writer and the WriterFrame it hands out: a writable view
 * straight into the back slot (frame_writer_begin_format), committed at
 * the end of its with block, aborted when an exception leaves it. Arrays
 * made from a WriterFrame keep the Writer's mapping alive (close() is
 * deferred until they are gone), so no Python code can touch unmapped
 * memory; writing through them after the commit is the program's bug
 * (readers would see it unchecked), which new exports refuse to start. */
#include "module.h"

#include <errno.h>
#include <string.h>

typedef struct WriterFrameObject WriterFrameObject;

typedef struct {
    PyObject_HEAD frame_writer *w;
    char name[FRAME_NAME_MAX + 1];
    uint32_t width, height, format, slots;
    WriterFrameObject *current; /* the frame begun, borrowed */
    Py_ssize_t pins;            /* WriterFrames open or exported */
    bool closed;
    bool replaced;
} WriterObject;

struct WriterFrameObject {
    lf_Owner base;
    WriterObject *writer;
    struct frame_buffer b;
    int64_t timestamp_ns;
    uint64_t source_index;
    bool open;   /* begun, neither committed nor aborted */
    bool pinned; /* counted in writer->pins */
};

static void finish_close(WriterObject *self)
{
    if (self->closed && self->pins == 0 && self->w) {
        frame_writer_destroy(self->w);
        self->w = NULL;
    }
}

static void unpin(WriterFrameObject *f)
{
    if (f->pinned && !f->open && f->base.px.exports == 0) {
        f->pinned = false;
        f->writer->pins--;
        finish_close(f->writer);
    }
}

/* Commit (or abort) the frame begun. 0, or -1 with an exception. */
static int finish(WriterFrameObject *f, bool commit)
{
    if (!f->open)
        return 0;
    WriterObject *w = f->writer;
    f->open = false;
    if (w->current == f)
        w->current = NULL;
    int rc = commit
                 ? frame_writer_commit(w->w, f->timestamp_ns, f->source_index)
                 : frame_writer_abort(w->w);
    unpin(f);
    if (rc) {
        lf_raise(rc, w->name);
        return -1;
    }
    return 0;
}

/* ---- WriterFrame ---- */

static int wframe_usable(PyObject *owner)
{
    WriterFrameObject *f = (WriterFrameObject *)owner;
    if (!f->open) {
        PyErr_SetString(PyExc_ValueError,
                        "this libframe.WriterFrame was committed or aborted: "
                        "begin a new one with Writer.frame()");
        return -1;
    }
    return 0;
}

static void wframe_unexported(PyObject *owner)
{
    unpin((WriterFrameObject *)owner);
}

static const struct lf_owner_ops wframe_ops = {wframe_usable,
                                               wframe_unexported};

static void wframe_dealloc(WriterFrameObject *f)
{
    if (f->writer) {
        if (f->open) {
            PyObject *type, *value, *tb;
            PyErr_Fetch(&type, &value, &tb);
            if (finish(f, false))
                PyErr_WriteUnraisable((PyObject *)f);
            PyErr_Restore(type, value, tb);
        }
        unpin(f);
        Py_DECREF(f->writer);
    }
    Py_TYPE(f)->tp_free((PyObject *)f);
}

static PyObject *wframe_enter(WriterFrameObject *f, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(f);
}

static PyObject *wframe_exit(WriterFrameObject *f, PyObject *args)
{
    PyObject *type =
        PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, 0) : Py_None;
    if (finish(f, type == Py_None))
        return NULL;
    Py_RETURN_FALSE;
}

static PyObject *wframe_commit(WriterFrameObject *f, PyObject *unused)
{
    (void)unused;
    if (!f->open)
        return PyErr_Format(PyExc_ValueError,
                            "the frame was already committed or aborted");
    if (finish(f, true))
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *wframe_abort(WriterFrameObject *f, PyObject *unused)
{
    (void)unused;
    if (finish(f, false))
        return NULL;
    Py_RETURN_NONE;
}

static int wframe_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    return lf_owner_getbuffer(self, -1, view, flags);
}

static void wframe_releasebuffer(PyObject *self, Py_buffer *view)
{
    (void)view;
    lf_owner_releasebuffer(self);
}

static PyObject *wframe_planes(PyObject *self, void *c)
{
    (void)c;
    return lf_owner_planes(self);
}

static PyObject *wframe_format(WriterFrameObject *f, void *c)
{
    (void)c;
    return lf_format_name(f->b.image.format);
}

static PyBufferProcs wframe_buffer = {wframe_getbuffer, wframe_releasebuffer};

static PyMethodDef wframe_methods[] = {
    {"commit", (PyCFunction)wframe_commit, METH_NOARGS,
     "Publish the frame now (the with block's normal end does)."},
    {"abort", (PyCFunction)wframe_abort, METH_NOARGS,
     "Give the frame up: nothing is published."},
    {"__enter__", (PyCFunction)wframe_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)wframe_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef wframe_getset[] = {
    {"planes", wframe_planes, NULL, "The planes, each a writable buffer.",
     NULL},
    {"format", (getter)wframe_format, NULL, NULL, NULL},
    {"__array_interface__", (getter)lf_owner_array_interface, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef wframe_members[] = {
    {"width", T_UINT, offsetof(WriterFrameObject, b.width), READONLY, NULL},
    {"height", T_UINT, offsetof(WriterFrameObject, b.height), READONLY, NULL},
    {"frame_no", T_ULONGLONG, offsetof(WriterFrameObject, b.frame_no), READONLY,
     "The number this frame will carry."},
    {"timestamp_ns", T_LONGLONG, offsetof(WriterFrameObject, timestamp_ns), 0,
     "Publish time to record (0: now, CLOCK_MONOTONIC)."},
    {"source_index", T_ULONGLONG, offsetof(WriterFrameObject, source_index), 0,
     "A tag readers see."},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject lf_WriterFrameType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "libframe.WriterFrame",
    .tp_basicsize = sizeof(WriterFrameObject),
    .tp_dealloc = (destructor)wframe_dealloc,
    .tp_as_buffer = &wframe_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A frame being written, straight into the back slot "
              "(numpy.asarray(buf) is writable). The with block's normal "
              "end commits it; an exception aborts it.",
    .tp_methods = wframe_methods,
    .tp_getset = wframe_getset,
    .tp_members = wframe_members,
};

/* ---- Writer ---- */

static int check_open(WriterObject *self)
{
    if (self->closed || !self->w) {
        PyErr_SetString(PyExc_ValueError, "the libframe.Writer is closed");
        return -1;
    }
    return 0;
}

static int parse_format(const char *name, uint32_t *out)
{
    if (!(*out = frame_format_lookup(name))) {
        PyErr_Format(PyExc_ValueError, "unknown pixel format '%s'", name);
        return -1;
    }
    return 0;
}

static int writer_init(WriterObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"name",  "width", "height", "format",
                             "slots", "mode",  NULL};
    const char *name, *fname = "RGBA";
    unsigned width = 0, height = 0, slots = 0, mode = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|$IIsII:Writer", kwlist, &name,
                                     &width, &height, &fname, &slots, &mode))
        return -1;
    if (!width || !height) {
        PyErr_SetString(PyExc_TypeError,
                        "Writer() needs width= and height= (1..32768)");
        return -1;
    }
    if (self->w) {
        PyErr_SetString(PyExc_RuntimeError, "Writer is already open");
        return -1;
    }
    uint32_t format;
    if (parse_format(fname, &format))
        return -1;
    struct frame_format fmt = {width, height, slots, mode, format};
    int rc = frame_writer_create(name, &fmt, &self->w, &self->replaced);
    if (rc) {
        if (rc == -EINVAL)
            PyErr_Format(PyExc_ValueError,
                         "bad writer geometry or name: '%s' %ux%u, %u slots "
                         "(2..%d), mode %o",
                         name, width, height, slots, FRAME_MAX_SLOTS, mode);
        else
            lf_raise(rc, name);
        return -1;
    }
    snprintf(self->name, sizeof(self->name), "%s", name);
    self->width = width;
    self->height = height;
    self->format = format;
    struct frame_info info;
    frame_writer_info(self->w, &info);
    self->slots = info.slot_count;
    return 0;
}

static PyObject *writer_frame(WriterObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {
        "width",        "height",       "format", "stride_align",
        "timestamp_ns", "source_index", NULL};
    unsigned width = self->width, height = self->height, align = 1;
    const char *fname = NULL;
    long long ts = 0;
    unsigned long long index = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|IIzILK:frame", kwlist, &width,
                                     &height, &fname, &align, &ts, &index))
        return NULL;
    if (check_open(self))
        return NULL;
    uint32_t format = self->format;
    if (fname && parse_format(fname, &format))
        return NULL;
    if (self->current)
        return PyErr_Format(PyExc_RuntimeError,
                            "a frame is already begun: commit or abort it "
                            "first");
    WriterFrameObject *f = PyObject_New(WriterFrameObject, &lf_WriterFrameType);
    if (!f)
        return NULL;
    f->writer = NULL;
    f->open = f->pinned = false;
    f->base.ops = &wframe_ops;
    f->base.px.exports = 0;
    int rc =
        frame_writer_begin_format(self->w, format, width, height, align, &f->b);
    if (rc) {
        Py_DECREF(f);
        if (rc == -EFBIG)
            return PyErr_Format(PyExc_ValueError,
                                "a %ux%u %s frame does not fit this "
                                "segment's slots",
                                width, height, frame_format_desc(format)->name);
        if (rc == -EINVAL)
            return PyErr_Format(PyExc_ValueError,
                                "bad frame: %ux%u, stride_align %u (0..4096)",
                                width, height, align);
        return lf_raise(rc, self->name);
    }
    f->writer = (WriterObject *)Py_NewRef(self);
    f->open = f->pinned = true;
    f->timestamp_ns = ts;
    f->source_index = index;
    self->pins++;
    self->current = f;
    if (lf_pixels_set(&f->base.px, &f->b.image, false)) {
        Py_DECREF(f);
        return NULL;
    }
    return (PyObject *)f;
}

static PyObject *writer_close(WriterObject *self, PyObject *unused)
{
    (void)unused;
    if (self->current && finish(self->current, false))
        PyErr_Clear();
    self->closed = true;
    finish_close(self);
    Py_RETURN_NONE;
}

static PyObject *writer_set_state(WriterObject *self, PyObject *arg)
{
    if (check_open(self))
        return NULL;
    const char *s = PyUnicode_AsUTF8(arg);
    if (!s)
        return NULL;
    enum frame_state st = !strcmp(s, "running")  ? FRAME_STATE_RUNNING
                          : !strcmp(s, "paused") ? FRAME_STATE_PAUSED
                                                 : 0;
    if (!st)
        return PyErr_Format(PyExc_ValueError,
                            "state is 'running' or 'paused' (close() "
                            "closes)");
    int rc = frame_writer_set_state(self->w, st);
    if (rc)
        return lf_raise(rc, self->name);
    Py_RETURN_NONE;
}

static PyObject *writer_heartbeat(WriterObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self))
        return NULL;
    frame_writer_heartbeat(self->w);
    Py_RETURN_NONE;
}

static PyObject *writer_info(WriterObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self))
        return NULL;
    struct frame_info info;
    frame_writer_info(self->w, &info);
    return lf_info_new(&info, self->name, NULL);
}

static PyObject *writer_enter(WriterObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self))
        return NULL;
    return Py_NewRef(self);
}

static PyObject *writer_exit(WriterObject *self, PyObject *args)
{
    (void)args;
    return writer_close(self, NULL);
}

static void writer_dealloc(WriterObject *self)
{
    /* WriterFrames keep their Writer alive: none is left here. */
    frame_writer_destroy(self->w);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *writer_repr(WriterObject *self)
{
    return PyUnicode_FromFormat("<libframe.Writer '%s' %ux%u %s%s>", self->name,
                                self->width, self->height,
                                frame_format_desc(self->format)
                                    ? frame_format_desc(self->format)->name
                                    : "?",
                                self->closed ? " closed" : "");
}

static PyObject *writer_get_format(WriterObject *self, void *c)
{
    (void)c;
    return lf_format_name(self->format);
}

static PyObject *writer_get_closed(WriterObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(self->closed);
}

static PyMethodDef writer_methods[] = {
    {"frame", (PyCFunction)(void (*)(void))writer_frame,
     METH_VARARGS | METH_KEYWORDS,
     "frame(width=, height=, format=, stride_align=1, timestamp_ns=0, "
     "source_index=0) -> WriterFrame\n\nBegin a frame (the writer's size "
     "and format unless given) as a writable view into the back slot; use "
     "it in a with block."},
    {"close", (PyCFunction)writer_close, METH_NOARGS,
     "Close the segment (readers see WriterClosed) and remove the name."},
    {"set_state", (PyCFunction)writer_set_state, METH_O,
     "set_state('running' | 'paused')"},
    {"heartbeat", (PyCFunction)writer_heartbeat, METH_NOARGS,
     "A sign of life without publishing (every 100 ms while paused)."},
    {"info", (PyCFunction)writer_info, METH_NOARGS,
     "The segment's header as a SegmentInfo."},
    {"__enter__", (PyCFunction)writer_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)writer_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef writer_getset[] = {
    {"format", (getter)writer_get_format, NULL,
     "The format slots are sized for.", NULL},
    {"closed", (getter)writer_get_closed, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef writer_members[] = {
    {"name", T_STRING_INPLACE, offsetof(WriterObject, name), READONLY, NULL},
    {"width", T_UINT, offsetof(WriterObject, width), READONLY, NULL},
    {"height", T_UINT, offsetof(WriterObject, height), READONLY, NULL},
    {"slots", T_UINT, offsetof(WriterObject, slots), READONLY, NULL},
    {"replaced", T_BOOL, offsetof(WriterObject, replaced), READONLY,
     "Whether a dead writer's segment was removed to create this one."},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject lf_WriterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "libframe.Writer",
    .tp_basicsize = sizeof(WriterObject),
    .tp_dealloc = (destructor)writer_dealloc,
    .tp_repr = (reprfunc)writer_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Writer(name, *, width, height, format='RGBA', slots=0, "
              "mode=0)\n\nCreate the segment name for frames up to "
              "width x height of format (slots 0: the library's default; mode "
              "0: 0600) and publish into it.",
    .tp_methods = writer_methods,
    .tp_getset = writer_getset,
    .tp_members = writer_members,
    .tp_init = (initproc)writer_init,
    .tp_new = PyType_GenericNew,
};
