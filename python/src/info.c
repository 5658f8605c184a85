/* libframe.SegmentInfo (a segment's validated header), libframe.info()
 * and libframe.segments(): what framectl info and list show. */
#include "module.h"

#include <stdlib.h>

static PyStructSequence_Field fields[] = {
    {"name", "segment name"},
    {"error", "None, or why the segment cannot be read (the rest is None)"},
    {"format", "the pixel format slots are sized for"},
    {"slot_count", NULL},
    {"max_width", NULL},
    {"max_height", NULL},
    {"state", "'running', 'paused' or 'closed'"},
    {"slot_capacity", "bytes per slot"},
    {"segment_size", "bytes in the whole object"},
    {"session_id", NULL},
    {"writer_pid", NULL},
    {"writer_alive", "the writer still holds the segment's lock"},
    {"writer_start_ns", "CLOCK_REALTIME of the writer's start"},
    {"publish_count", NULL},
    {"latest_frame_no", "0 if none yet"},
    {"latest_width", NULL},
    {"latest_height", NULL},
    {"latest_format", "the latest frame's format, None if none yet"},
    {"slots_held", "slots some reader holds now"},
    {"latest_timestamp_ns", "CLOCK_MONOTONIC publish time, 0 if none"},
    {"heartbeat_age_ns", "now minus the writer's last sign of life"},
    {NULL, NULL},
};

static PyStructSequence_Desc desc = {
    "libframe.SegmentInfo",
    "A segment's validated header (framectl info).",
    fields,
    sizeof(fields) / sizeof(fields[0]) - 1,
};

PyTypeObject lf_SegmentInfoType;

int lf_info_init(PyObject *module)
{
    if (PyStructSequence_InitType2(&lf_SegmentInfoType, &desc))
        return -1;
    return PyModule_AddObjectRef(module, "SegmentInfo",
                                 (PyObject *)&lf_SegmentInfoType);
}

PyObject *lf_info_new(const struct frame_info *in, const char *name,
                      const char *error)
{
    PyObject *o = PyStructSequence_New(&lf_SegmentInfoType);
    if (!o)
        return NULL;
    int n = 0;
#define SET(v)                                                                 \
    do {                                                                       \
        PyObject *x_ = (v);                                                    \
        if (!x_) {                                                             \
            Py_DECREF(o);                                                      \
            return NULL;                                                       \
        }                                                                      \
        PyStructSequence_SetItem(o, n++, x_);                                  \
    } while (0)
    SET(PyUnicode_FromString(name));
    SET(error ? PyUnicode_FromString(error) : Py_NewRef(Py_None));
    if (!in) {
        while (n < (int)(sizeof(fields) / sizeof(fields[0])) - 1)
            SET(Py_NewRef(Py_None));
        return o;
    }
    static const char *states[] = {"?", "running", "paused", "closed"};
    SET(lf_format_name(in->pixel_format));
    SET(PyLong_FromUnsignedLong(in->slot_count));
    SET(PyLong_FromUnsignedLong(in->max_width));
    SET(PyLong_FromUnsignedLong(in->max_height));
    SET(PyUnicode_FromString(states[in->state <= 3 ? in->state : 0]));
    SET(PyLong_FromUnsignedLongLong(in->slot_capacity));
    SET(PyLong_FromUnsignedLongLong(in->segment_size));
    SET(PyLong_FromUnsignedLongLong(in->session_id));
    SET(PyLong_FromLong(in->writer_pid));
    SET(PyBool_FromLong(in->writer_alive));
    SET(PyLong_FromLongLong(in->writer_start_ns));
    SET(PyLong_FromUnsignedLongLong(in->publish_count));
    SET(PyLong_FromUnsignedLongLong(in->latest_frame_no));
    SET(PyLong_FromUnsignedLong(in->latest_width));
    SET(PyLong_FromUnsignedLong(in->latest_height));
    SET(lf_format_name(in->latest_format));
    SET(PyLong_FromUnsignedLong(in->slots_held));
    SET(PyLong_FromLongLong(in->latest_timestamp_ns));
    SET(PyLong_FromLongLong(in->heartbeat_age_ns));
#undef SET
    return o;
}

PyObject *lf_segment_info(PyObject *self, PyObject *args)
{
    (void)self;
    const char *name;
    if (!PyArg_ParseTuple(args, "s:info", &name))
        return NULL;
    struct frame_info info;
    int rc;
    Py_BEGIN_ALLOW_THREADS;
    rc = frame_segment_info(name, &info);
    Py_END_ALLOW_THREADS;
    if (rc)
        return lf_raise(rc, name);
    return lf_info_new(&info, name, NULL);
}

PyObject *lf_segments(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    struct frame_object *objs = NULL;
    size_t count = 0;
    int rc = frame_objects_list(&objs, &count);
    if (rc)
        return lf_raise(rc, NULL);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < count; i++) {
        if (objs[i].kind != FRAME_OBJECT_SEGMENT)
            continue; /* leftovers and foreign objects: framectl clean */
        struct frame_info info;
        char words[256];
        rc = objs[i].status ? objs[i].status
                            : frame_segment_info(objs[i].name, &info);
        if (rc == -ENOENT)
            continue; /* gone meanwhile */
        if (rc)
            frame_segment_strerror(objs[i].name, rc, words, sizeof(words));
        PyObject *o =
            lf_info_new(rc ? NULL : &info, objs[i].name, rc ? words : NULL);
        if (!o || PyList_Append(list, o))
            Py_CLEAR(list);
        Py_XDECREF(o);
    }
    free(objs);
    return list;
}
