/* libframe.Reader and the Frame it hands out. A Frame is a held frame
 * (frame_reader_hold): the writer stays out of its slot while it can, and
 * its release says whether the frame stayed whole. Lifetimes, so that no
 * Python code can read freed memory:
 * - a Frame keeps its Reader alive; buffers exported from it (numpy
 *   arrays) keep the Frame alive and count on it;
 * - the end of its with block checks the frame (TornFrame if it was
 *   overwritten) and releases the hold, or, while exports are alive, keeps
 *   it (and with it the mapping, across a writer restart too) until the
 *   last export is released;
 * - Reader.close() with holds outstanding defers frame_reader_close()
 *   until the last one is released; new exports then raise.
 * A reader handle is used by one thread at a time: the Reader's lock
 * serializes the calls that run without the GIL (waiting, copying). */
#include "module.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    PyObject_HEAD frame_reader *r;
    PyThread_type_lock lock;
    char name[FRAME_NAME_MAX + 1];
    Py_ssize_t holds; /* Frames whose hold is not released yet */
    bool closed;      /* close() was called */
} ReaderObject;

typedef struct {
    lf_Owner base;
    ReaderObject *reader;
    struct frame_view v;
    bool held;  /* the library's hold is taken */
    bool ended; /* released by the program: with block or release() */
} FrameObject;

/* Slices of a wait, so signals (Ctrl-C) are seen between them. */
#define WAIT_SLICE_MS 50

int64_t lf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t lf_deadline(PyObject *seconds)
{
    if (!seconds || seconds == Py_None)
        return -1;
    double s = PyFloat_AsDouble(seconds);
    if (s == -1.0 && PyErr_Occurred())
        return -2;
    if (s != s || s < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "a timeout is seconds >= 0, or None for forever");
        return -2;
    }
    if (s > 1e9)
        return -1;
    return lf_now_ns() + (int64_t)(s * 1e9);
}

/* The handle's lock, without holding the GIL if another thread has it
 * (it may be waiting with the GIL released). */
static void lock(ReaderObject *self)
{
    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS;
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS;
    }
}

static void unlock(ReaderObject *self) { PyThread_release_lock(self->lock); }

/* One slice of frame_reader_wait without the GIL. */
static int wait_slice(ReaderObject *self, int64_t deadline)
{
    int ms = WAIT_SLICE_MS;
    if (deadline >= 0) {
        int64_t left = (deadline - lf_now_ns() + 999999) / 1000000;
        if (left < ms)
            ms = left > 0 ? (int)left : 0;
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS;
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    rc = frame_reader_wait(self->r, ms);
    PyThread_release_lock(self->lock);
    Py_END_ALLOW_THREADS;
    return rc;
}

static int check_open(ReaderObject *self)
{
    if (self->closed || !self->r) {
        PyErr_SetString(PyExc_ValueError, "the libframe.Reader is closed");
        return -1;
    }
    return 0;
}

static void finish_close(ReaderObject *self)
{
    if (self->closed && self->holds == 0 && self->r) {
        frame_reader_close(self->r);
        self->r = NULL;
    }
}

/* ---- Reader ---- */

static void reader_dealloc(ReaderObject *self)
{
    /* Frames keep their Reader alive: none is left here. */
    frame_reader_close(self->r);
    if (self->lock)
        PyThread_free_lock(self->lock);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Wait until the handle is attached to a live writer's segment. */
static int wait_attached(ReaderObject *self, int64_t deadline,
                         PyObject *seconds)
{
    for (;;) {
        int why = 0;
        if (frame_reader_state(self->r, &why) == FRAME_READER_ATTACHED)
            return 0;
        int rc = wait_slice(self, deadline);
        if (rc == FRAME_ERESTARTED)
            return 0;
        if (PyErr_CheckSignals())
            return -1;
        if (deadline >= 0 && lf_now_ns() >= deadline) {
            frame_reader_state(self->r, &why);
            if (why) {
                char words[256];
                frame_segment_strerror(self->name, why, words, sizeof(words));
                lf_raise_msg(lf_Timeout, -ETIMEDOUT,
                             "%s: no readable segment within %g s (%s)",
                             self->name, PyFloat_AsDouble(seconds), words);
            } else {
                lf_raise_msg(lf_Timeout, -ETIMEDOUT,
                             "%s: no writer within %g s", self->name,
                             PyFloat_AsDouble(seconds));
            }
            return -1;
        }
    }
}

static int reader_init(ReaderObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"name", "wait", NULL};
    const char *name;
    PyObject *wait = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|O:Reader", kwlist, &name,
                                     &wait))
        return -1;
    if (self->r) {
        PyErr_SetString(PyExc_RuntimeError, "Reader is already open");
        return -1;
    }
    int64_t deadline = lf_deadline(wait);
    if (deadline == -2)
        return -1;
    if (!self->lock && !(self->lock = PyThread_allocate_lock())) {
        PyErr_NoMemory();
        return -1;
    }
    snprintf(self->name, sizeof(self->name), "%s", name);
    bool no_wait = deadline >= 0 && deadline <= lf_now_ns();
    int rc =
        frame_reader_open_flags(name, no_wait ? 0 : FRAME_OPEN_WAIT, &self->r);
    if (rc) {
        lf_raise(rc, rc == -EINVAL || rc == -ENAMETOOLONG ? NULL : name);
        return -1;
    }
    if (!no_wait && wait_attached(self, deadline, wait)) {
        frame_reader_close(self->r);
        self->r = NULL;
        return -1;
    }
    return 0;
}

static PyObject *frame_new(ReaderObject *reader, const struct frame_view *v);

static PyObject *reader_frame(ReaderObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"timeout", NULL};
    PyObject *timeout = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|O:frame", kwlist, &timeout))
        return NULL;
    if (check_open(self))
        return NULL;
    int64_t deadline = lf_deadline(timeout);
    if (deadline == -2)
        return NULL;
    for (;;) {
        int rc = wait_slice(self, deadline);
        if (rc == 0) {
            struct frame_view v;
            lock(self);
            rc = frame_reader_hold(self->r, &v);
            unlock(self);
            if (rc == 0)
                return frame_new(self, &v);
            /* Nothing whole to hold (every slot taken by holders beyond
             * what the writer can spare): wait for the next frame. */
            if (rc != FRAME_ENOFRAME && rc != FRAME_EBUSY)
                return lf_raise(rc, self->name);
        } else if (rc == FRAME_ERESTARTED) {
            continue; /* a new writer: its frames are next */
        } else if (rc != -ETIMEDOUT) {
            return lf_raise(rc, self->name);
        }
        if (PyErr_CheckSignals())
            return NULL;
        if (deadline >= 0 && lf_now_ns() >= deadline)
            return lf_raise_msg(lf_Timeout, -ETIMEDOUT,
                                "%s: no new frame within %g s", self->name,
                                PyFloat_AsDouble(timeout));
    }
}

static PyObject *reader_copy(ReaderObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"format", "stride_align", NULL};
    const char *fname = NULL;
    unsigned align = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "|zI:copy", kwlist, &fname,
                                     &align))
        return NULL;
    if (check_open(self))
        return NULL;
    uint32_t format = 0;
    if (fname && !(format = frame_format_lookup(fname)))
        return PyErr_Format(PyExc_ValueError, "unknown pixel format '%s'",
                            fname);
    struct frame_view v;
    uint8_t *mem = NULL;
    size_t size = 0;
    int rc;
    for (;;) {
        Py_BEGIN_ALLOW_THREADS;
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        rc = frame_reader_copy_format(self->r, format, mem, size, align, &v);
        PyThread_release_lock(self->lock);
        Py_END_ALLOW_THREADS;
        if (rc != -ENOSPC || (mem && size >= (size_t)1 << 62))
            break;
        /* The frame's size is known once it is taken: size the copy. */
        size_t need = frame_image_layout(NULL, format ? format : v.format,
                                         v.width, v.height, align, NULL);
        if (!need)
            break;
        free(mem);
        if (!(mem = malloc(need)))
            return PyErr_NoMemory();
        size = need;
    }
    if (rc) {
        free(mem);
        if (rc == -EINVAL)
            return PyErr_Format(PyExc_ValueError,
                                "bad stride_align %u (0..4096)", align);
        return lf_raise(rc, self->name);
    }
    struct frame_image img;
    frame_image_layout(&img, format ? format : v.format, v.width, v.height,
                       align, mem);
    return lf_image_new(mem, &img, &v);
}

static PyObject *reader_close(ReaderObject *self, PyObject *unused)
{
    (void)unused;
    self->closed = true;
    finish_close(self);
    Py_RETURN_NONE;
}

static PyObject *reader_enter(ReaderObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self))
        return NULL;
    return Py_NewRef(self);
}

static PyObject *reader_exit(ReaderObject *self, PyObject *args)
{
    (void)args;
    return reader_close(self, NULL);
}

static PyObject *reader_info(ReaderObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self))
        return NULL;
    struct frame_info info;
    lock(self);
    int rc = frame_reader_info(self->r, &info);
    unlock(self);
    if (rc)
        return lf_raise(rc, self->name);
    return lf_info_new(&info, self->name, NULL);
}

static PyObject *reader_get_state(ReaderObject *self, void *c)
{
    (void)c;
    static const char *names[] = {"",       "waiting", "attached",
                                  "closed", "lost",    "broken"};
    if (!self->r || self->closed)
        return PyUnicode_FromString("closed-handle");
    enum frame_reader_state s = frame_reader_state(self->r, NULL);
    return PyUnicode_FromString(s <= FRAME_READER_BROKEN ? names[s] : "?");
}

static PyObject *reader_get_closed(ReaderObject *self, void *c)
{
    (void)c;
    return PyBool_FromLong(self->closed);
}

static PyObject *reader_stats(ReaderObject *self, PyObject *unused)
{
    (void)unused;
    if (check_open(self))
        return NULL;
    struct frame_stats s;
    frame_reader_stats(self->r, &s);
    return Py_BuildValue("{s:K,s:K,s:K}", "frames_seen",
                         (unsigned long long)s.frames_seen, "frames_skipped",
                         (unsigned long long)s.frames_skipped, "retries",
                         (unsigned long long)s.retries);
}

static PyObject *reader_repr(ReaderObject *self)
{
    return PyUnicode_FromFormat("<libframe.Reader '%s'%s>", self->name,
                                self->closed ? " closed" : "");
}

static PyMethodDef reader_methods[] = {
    {"frame", (PyCFunction)(void (*)(void))reader_frame,
     METH_VARARGS | METH_KEYWORDS,
     "frame(timeout=None) -> Frame\n\nWait for the next new frame (timeout "
     "in seconds, None: forever) and hold it; use it in a with block. Raises "
     "Timeout, or WriterLost / WriterClosed once when the writer goes (the "
     "next call waits for the next writer)."},
    {"copy", (PyCFunction)(void (*)(void))reader_copy,
     METH_VARARGS | METH_KEYWORDS,
     "copy(format=None, stride_align=1) -> Image\n\nA validated copy of the "
     "newest frame that owns its memory, in its own format or converted to "
     "format as libframe converts. Raises NoFrame when none is published."},
    {"close", (PyCFunction)reader_close, METH_NOARGS,
     "Close the reader (deferred while frames from it are still held)."},
    {"info", (PyCFunction)reader_info, METH_NOARGS,
     "The segment's header as a SegmentInfo."},
    {"stats", (PyCFunction)reader_stats, METH_NOARGS,
     "The reader's counters: frames_seen, frames_skipped, retries."},
    {"__enter__", (PyCFunction)reader_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)reader_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef reader_getset[] = {
    {"state", (getter)reader_get_state, NULL,
     "'waiting', 'attached', 'closed', 'lost' or 'broken' (the writer's "
     "side), 'closed-handle' after close().",
     NULL},
    {"closed", (getter)reader_get_closed, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef reader_members[] = {
    {"name", T_STRING_INPLACE, offsetof(ReaderObject, name), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject lf_ReaderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "libframe.Reader",
    .tp_basicsize = sizeof(ReaderObject),
    .tp_dealloc = (destructor)reader_dealloc,
    .tp_repr = (reprfunc)reader_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Reader(name, wait=None)\n\nRead the frames a writer publishes "
              "under name. wait: seconds to wait for a writer (None: "
              "forever, 0: the segment must be there now).",
    .tp_methods = reader_methods,
    .tp_getset = reader_getset,
    .tp_members = reader_members,
    .tp_init = (initproc)reader_init,
    .tp_new = PyType_GenericNew,
};

/* ---- Frame ---- */

static int frame_usable(PyObject *owner)
{
    FrameObject *f = (FrameObject *)owner;
    if (f->ended || !f->held) {
        PyErr_SetString(PyExc_ValueError,
                        "this libframe.Frame was released (its with block "
                        "ended): take a new one with Reader.frame(), or keep "
                        "a copy");
        return -1;
    }
    if (f->reader->closed) {
        PyErr_SetString(PyExc_ValueError,
                        "the libframe.Reader of this Frame is closed");
        return -1;
    }
    return 0;
}

/* End the library's hold. Returns whether the frame stayed whole. */
static bool drop_hold(FrameObject *f)
{
    if (!f->held)
        return true;
    ReaderObject *r = f->reader;
    lock(r);
    bool ok = frame_reader_release(r->r, &f->v);
    unlock(r);
    f->held = false;
    r->holds--;
    finish_close(r);
    return ok;
}

static void frame_unexported(PyObject *owner)
{
    FrameObject *f = (FrameObject *)owner;
    if (f->ended)
        drop_hold(f);
}

static const struct lf_owner_ops frame_ops = {frame_usable, frame_unexported};

static PyObject *frame_new(ReaderObject *reader, const struct frame_view *v)
{
    FrameObject *f = PyObject_New(FrameObject, &lf_FrameType);
    if (!f) {
        lock(reader);
        struct frame_view copy = *v;
        frame_reader_release(reader->r, &copy);
        unlock(reader);
        return NULL;
    }
    f->base.ops = &frame_ops;
    f->base.px.exports = 0;
    f->reader = (ReaderObject *)Py_NewRef(reader);
    f->v = *v;
    f->held = true;
    f->ended = false;
    reader->holds++;
    if (lf_pixels_set(&f->base.px, &v->image, true)) {
        Py_DECREF(f);
        return NULL;
    }
    return (PyObject *)f;
}

static void frame_dealloc(FrameObject *f)
{
    drop_hold(f); /* no export is left: each keeps us alive */
    Py_XDECREF(f->reader);
    Py_TYPE(f)->tp_free((PyObject *)f);
}

/* The program is done with the frame: 1 whole, 0 torn, -1 on error. */
static int frame_end(FrameObject *f)
{
    if (f->ended)
        return 1;
    f->ended = true;
    if (f->base.px.exports == 0)
        return drop_hold(f);
    /* Arrays made from it are alive: keep the hold (and the mapping) for
     * them, and say now whether the frame was whole so far. */
    ReaderObject *r = f->reader;
    lock(r);
    bool ok = frame_reader_still_valid(r->r, &f->v);
    unlock(r);
    return ok;
}

static PyObject *torn(FrameObject *f)
{
    return lf_raise_msg(lf_TornFrame, FRAME_EBUSY,
                        "%s: frame %llu was overwritten while it was held "
                        "(readers held more slots than the writer could "
                        "spare): discard what was made from it",
                        f->reader->name, (unsigned long long)f->v.frame_no);
}

static PyObject *frame_release(FrameObject *f, PyObject *unused)
{
    (void)unused;
    if (!frame_end(f))
        return torn(f);
    Py_RETURN_NONE;
}

static PyObject *frame_enter(FrameObject *f, PyObject *unused)
{
    (void)unused;
    return Py_NewRef(f);
}

static PyObject *frame_exit(FrameObject *f, PyObject *args)
{
    PyObject *type =
        PyTuple_GET_SIZE(args) ? PyTuple_GET_ITEM(args, 0) : Py_None;
    int whole = frame_end(f);
    /* An exception already on its way out wins. */
    if (!whole && type == Py_None)
        return torn(f);
    Py_RETURN_FALSE;
}

static PyObject *frame_valid(FrameObject *f, PyObject *unused)
{
    (void)unused;
    if (!f->held)
        Py_RETURN_FALSE;
    ReaderObject *r = f->reader;
    lock(r);
    bool ok = frame_reader_still_valid(r->r, &f->v);
    unlock(r);
    return PyBool_FromLong(ok);
}

static int frame_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    return lf_owner_getbuffer(self, -1, view, flags);
}

static void frame_releasebuffer(PyObject *self, Py_buffer *view)
{
    (void)view;
    lf_owner_releasebuffer(self);
}

static PyObject *frame_planes(PyObject *self, void *c)
{
    (void)c;
    return lf_owner_planes(self);
}

static PyObject *frame_format(FrameObject *f, void *c)
{
    (void)c;
    return lf_format_name(f->v.format);
}

static PyObject *frame_get_released(FrameObject *f, void *c)
{
    (void)c;
    return PyBool_FromLong(f->ended);
}

static PyObject *frame_repr(FrameObject *f)
{
    return PyUnicode_FromFormat("<libframe.Frame %ux%u %s frame %llu%s>",
                                f->v.width, f->v.height, f->base.px.desc->name,
                                (unsigned long long)f->v.frame_no,
                                f->ended ? " released" : "");
}

static PyBufferProcs frame_buffer = {frame_getbuffer, frame_releasebuffer};

static PyMethodDef frame_methods[] = {
    {"release", (PyCFunction)frame_release, METH_NOARGS,
     "End the frame as the with block does: TornFrame if it was "
     "overwritten."},
    {"still_valid", (PyCFunction)frame_valid, METH_NOARGS,
     "Whether the frame is whole so far."},
    {"__enter__", (PyCFunction)frame_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)frame_exit, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef frame_getset[] = {
    {"planes", frame_planes, NULL,
     "The planes, each a buffer of its own (I420: Y, U, V; NV12: Y, UV).",
     NULL},
    {"format", (getter)frame_format, NULL,
     "The pixel format's caps name (\"RGBA\", \"GRAY16_LE\", ...).", NULL},
    {"released", (getter)frame_get_released, NULL, NULL, NULL},
    {"__array_interface__", (getter)lf_owner_array_interface, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef frame_members[] = {
    {"width", T_UINT, offsetof(FrameObject, v.width), READONLY, NULL},
    {"height", T_UINT, offsetof(FrameObject, v.height), READONLY, NULL},
    {"frame_no", T_ULONGLONG, offsetof(FrameObject, v.frame_no), READONLY,
     "1 for the first frame of a writer's session."},
    {"timestamp_ns", T_LONGLONG, offsetof(FrameObject, v.timestamp_ns),
     READONLY, "CLOCK_MONOTONIC time of publish."},
    {"session_id", T_ULONGLONG, offsetof(FrameObject, v.session_id), READONLY,
     "Random, new at every writer start."},
    {"source_index", T_ULONGLONG, offsetof(FrameObject, v.source_index),
     READONLY, "The writer's own tag."},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject lf_FrameType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "libframe.Frame",
    .tp_basicsize = sizeof(FrameObject),
    .tp_dealloc = (destructor)frame_dealloc,
    .tp_repr = (reprfunc)frame_repr,
    .tp_as_buffer = &frame_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A held frame, read in place (numpy.asarray(frame): zero-copy, "
              "read-only). Use it in a with block: leaving it releases the "
              "frame and raises TornFrame if it was overwritten meanwhile.",
    .tp_methods = frame_methods,
    .tp_getset = frame_getset,
    .tp_members = frame_members,
};
