/* The libframe module: frames between processes through libframe's shared
 * memory, as zero-copy buffers (numpy.asarray(frame)). */
#include "module.h"

#include <errno.h>

static PyObject *lf_formats(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    PyObject *list = PyList_New(0);
    for (uint32_t f = 1; list && f <= FRAME_FORMAT_MAX; f++) {
        const struct frame_format_desc *d = frame_format_desc(f);
        if (!d)
            continue;
        PyObject *planes = PyTuple_New(d->plane_count);
        for (uint32_t p = 0; planes && p < d->plane_count; p++)
            PyTuple_SET_ITEM(planes, p,
                             Py_BuildValue("(III)", d->plane[p].samples,
                                           d->plane[p].x_shift,
                                           d->plane[p].y_shift));
        PyObject *row =
            planes
                ? Py_BuildValue("{s:s,s:s,s:s,s:I,s:I,s:O,s:O,s:s,s:s,s:N}",
                                "name", d->name, "short_name", d->short_name,
                                "ffmpeg", d->ffmpeg, "bytes_per_sample",
                                d->bytes_per_sample, "channels", d->channels,
                                "has_alpha", d->has_alpha ? Py_True : Py_False,
                                "is_yuv", d->is_yuv ? Py_True : Py_False,
                                "buffer_format", d->buffer_format,
                                "numpy_dtype", d->numpy_dtype, "planes", planes)
                : NULL;
        if (!row || PyList_Append(list, row))
            Py_CLEAR(list);
        Py_XDECREF(row);
    }
    return list;
}

static PyObject *lf_format_lookup(PyObject *self, PyObject *arg)
{
    (void)self;
    const char *name = PyUnicode_AsUTF8(arg);
    if (!name)
        return NULL;
    uint32_t f = frame_format_lookup(name);
    if (!f)
        return PyErr_Format(PyExc_ValueError, "unknown pixel format '%s'",
                            name);
    return lf_format_name(f);
}

static PyObject *lf_strerror(PyObject *self, PyObject *arg)
{
    (void)self;
    int code = PyLong_AsLong(arg);
    if (code == -1 && PyErr_Occurred())
        return NULL;
    return PyUnicode_FromString(frame_strerror(code));
}

static PyObject *lf_remove_stale(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name;
    if (!PyArg_ParseTuple(args, "s:remove_stale", &name))
        return NULL;
    int rc = frame_segment_remove_stale(name);
    if (rc)
        return lf_raise(rc, name);
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"segments", lf_segments, METH_NOARGS,
     "segments() -> list of SegmentInfo\n\nEvery libframe segment in "
     "/dev/shm, as framectl list shows them (error set for those that "
     "cannot be read)."},
    {"info", lf_segment_info, METH_VARARGS,
     "info(name) -> SegmentInfo: the segment's validated header."},
    {"formats", lf_formats, METH_NOARGS,
     "formats() -> list of dict: the library's pixel format table."},
    {"format_name", lf_format_lookup, METH_O,
     "format_name(name) -> the caps name of a format named any way "
     "('gray16', 'gray16le', 'GRAY16_LE')."},
    {"strerror", lf_strerror, METH_O, "strerror(code) -> libframe's words."},
    {"remove_stale", lf_remove_stale, METH_VARARGS,
     "remove_stale(name): remove the segment if its writer is gone."},
    {NULL, NULL, 0, NULL},
};

static int add_type(PyObject *m, PyTypeObject *t, const char *name)
{
    if (PyType_Ready(t))
        return -1;
    return name ? PyModule_AddObjectRef(m, name, (PyObject *)t) : 0;
}

static int module_exec(PyObject *m)
{
    if (lf_errors_init(m) || lf_info_init(m) ||
        add_type(m, &lf_ReaderType, "Reader") ||
        add_type(m, &lf_FrameType, "Frame") ||
        add_type(m, &lf_WriterType, "Writer") ||
        add_type(m, &lf_WriterFrameType, "WriterFrame") ||
        add_type(m, &lf_PlaneType, "Plane") ||
        add_type(m, &lf_ImageType, "Image"))
        return -1;
    if (PyModule_AddStringConstant(m, "__version__", frame_version_string()) ||
        PyModule_AddIntConstant(m, "MAX_SLOTS", FRAME_MAX_SLOTS) ||
        PyModule_AddIntConstant(m, "NAME_MAX", FRAME_NAME_MAX))
        return -1;
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "libframe",
    .m_doc = "Image frames between processes through libframe's shared "
             "memory: Reader, Writer, segments().",
    .m_size = 0,
    .m_methods = module_methods,
    .m_slots = module_slots,
};

PyMODINIT_FUNC PyInit_libframe(void) { return PyModuleDef_Init(&module_def); }
