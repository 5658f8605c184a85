/* The module's exceptions: libframe.Error carries the library's code and
 * words; subclasses name the cases a program handles differently. */
#include "module.h"

#include <errno.h>
#include <stdarg.h>

PyObject *lf_Error, *lf_NotFound, *lf_WriterAlive, *lf_WriterLost,
    *lf_WriterClosed, *lf_TornFrame, *lf_BadSegment, *lf_Timeout, *lf_NoFrame;

static int add(PyObject *module, PyObject **slot, const char *name,
               PyObject *bases, const char *doc)
{
    char full[64];
    snprintf(full, sizeof(full), "libframe.%s", name);
    *slot = PyErr_NewExceptionWithDoc(full, doc, bases, NULL);
    if (!*slot)
        return -1;
    return PyModule_AddObjectRef(module, name, *slot);
}

static int add1(PyObject *module, PyObject **slot, const char *name,
                PyObject *base, const char *doc)
{
    return add(module, slot, name, base, doc);
}

int lf_errors_init(PyObject *module)
{
    if (add1(module, &lf_Error, "Error", PyExc_Exception,
             "A libframe failure; .code is the library's error code "
             "(a negative errno or FRAME_E* value)."))
        return -1;
    if (PyObject_SetAttrString(lf_Error, "code", Py_None))
        return -1;
    PyObject *nf = PyTuple_Pack(2, lf_Error, PyExc_FileNotFoundError);
    PyObject *to = PyTuple_Pack(2, lf_Error, PyExc_TimeoutError);
    int rc = -1;
    if (nf && to &&
        !add(module, &lf_NotFound, "NotFound", nf,
             "No segment under the name.") &&
        !add1(module, &lf_WriterAlive, "WriterAlive", lf_Error,
              "The name's writer is still running.") &&
        !add1(module, &lf_WriterLost, "WriterLost", lf_Error,
              "The writer died without closing; the next frame() waits "
              "for a new one.") &&
        !add1(module, &lf_WriterClosed, "WriterClosed", lf_Error,
              "The writer stopped cleanly; the next frame() waits for a "
              "new one.") &&
        !add1(module, &lf_TornFrame, "TornFrame", lf_Error,
              "The frame was overwritten while it was used: what was "
              "made from it must be discarded.") &&
        !add1(module, &lf_BadSegment, "BadSegment", lf_Error,
              "What the name holds is not a readable libframe segment.") &&
        !add(module, &lf_Timeout, "Timeout", to, "Nothing arrived in time.") &&
        !add1(module, &lf_NoFrame, "NoFrame", lf_Error,
              "No frame has been published yet."))
        rc = 0;
    Py_XDECREF(nf);
    Py_XDECREF(to);
    return rc;
}

static PyObject *class_of(int code)
{
    switch (code) {
    case -ENOENT:
        return lf_NotFound;
    case FRAME_EALIVE:
        return lf_WriterAlive;
    case FRAME_ELOST:
        return lf_WriterLost;
    case FRAME_ECLOSED:
        return lf_WriterClosed;
    case -ETIMEDOUT:
        return lf_Timeout;
    case FRAME_ENOFRAME:
        return lf_NoFrame;
    case FRAME_ENOTFRAME:
    case FRAME_EVERSION:
    case FRAME_ELAYOUT:
    case FRAME_ETRUNCATED:
    case FRAME_EBADFRAME:
    case FRAME_EOWNER:
    case FRAME_EDEAD:
        return lf_BadSegment;
    default:
        return lf_Error;
    }
}

static PyObject *raise_text(PyObject *cls, int code, const char *text)
{
    PyObject *exc = PyObject_CallFunction(cls, "s", text);
    if (!exc)
        return NULL;
    PyObject *c = PyLong_FromLong(code);
    if (!c || PyObject_SetAttrString(exc, "code", c)) {
        Py_XDECREF(c);
        Py_DECREF(exc);
        return NULL;
    }
    Py_DECREF(c);
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *lf_raise(int code, const char *name)
{
    if (code == -ENOMEM)
        return PyErr_NoMemory();
    char words[256], text[sizeof(words) + FRAME_NAME_MAX + 8];
    if (name) {
        frame_segment_strerror(name, code, words, sizeof(words));
        snprintf(text, sizeof(text), "%s: %s", name, words);
    } else {
        snprintf(text, sizeof(text), "%s", frame_strerror(code));
    }
    return raise_text(class_of(code), code, text);
}

PyObject *lf_raise_msg(PyObject *cls, int code, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return raise_text(cls, code, text);
}
