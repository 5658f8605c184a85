/* The libframe Python module: what its files share. Written on libframe's
 * public API only (frame.h): the protocol, the format table and every
 * conversion stay in the library. */
#ifndef LIBFRAME_PY_MODULE_H
#define LIBFRAME_PY_MODULE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <stdbool.h>
#include <structmember.h>

#include <libframe/frame.h>

/* ---- errors.c ---- */

/* The exception classes, created by lf_errors_init(). */
extern PyObject *lf_Error, *lf_NotFound, *lf_WriterAlive, *lf_WriterLost,
    *lf_WriterClosed, *lf_TornFrame, *lf_BadSegment, *lf_Timeout, *lf_NoFrame;

int lf_errors_init(PyObject *module);
/* Raise the class for code with libframe's words (about segment name when
 * not NULL: frame_segment_strerror()). Returns NULL. */
PyObject *lf_raise(int code, const char *name);
/* Raise cls with code and a message of our own. Returns NULL. */
PyObject *lf_raise_msg(PyObject *cls, int code, const char *fmt, ...);

/* ---- pixels.c: frames through the buffer protocol ---- */

/* How an object lays out its pixels for export, plane by plane, from the
 * library's format table. */
struct lf_pixels {
    struct frame_image image;
    const struct frame_format_desc *desc;
    int ndim[FRAME_MAX_PLANES];
    Py_ssize_t shape[FRAME_MAX_PLANES][3];
    Py_ssize_t strides[FRAME_MAX_PLANES][3];
    Py_ssize_t exports; /* buffers handed out and not yet released */
    bool readonly;
};

/* Every object whose pixels Plane objects export starts with this, so a
 * plane can ask its owner whether the pixels may still be touched. */
struct lf_owner_ops {
    /* 0, or -1 with an exception set: the pixels are gone. */
    int (*usable)(PyObject *owner);
    /* The last export was released. */
    void (*unexported)(PyObject *owner);
};
typedef struct {
    PyObject_HEAD const struct lf_owner_ops *ops;
    struct lf_pixels px;
} lf_Owner;

int lf_pixels_set(struct lf_pixels *px, const struct frame_image *img,
                  bool readonly);
/* Fill view for plane (-1: the whole frame, single-plane formats only). */
int lf_owner_getbuffer(PyObject *owner, int plane, Py_buffer *view, int flags);
void lf_owner_releasebuffer(PyObject *owner);
PyObject *lf_owner_planes(PyObject *owner);
PyObject *lf_owner_array_interface(PyObject *owner, void *closure);

extern PyTypeObject lf_PlaneType;
extern PyTypeObject lf_ImageType;

/* An Image: a copy that owns its memory (Reader.copy()). */
PyObject *lf_image_new(uint8_t *mem, const struct frame_image *img,
                       const struct frame_view *meta);

/* Attribute helpers shared by Frame and Image. */
PyObject *lf_format_name(uint32_t format);

/* ---- reader.c, writer.c, info.c ---- */

extern PyTypeObject lf_ReaderType;
extern PyTypeObject lf_FrameType;
extern PyTypeObject lf_WriterType;
extern PyTypeObject lf_WriterFrameType;
extern PyTypeObject lf_SegmentInfoType;

int lf_info_init(PyObject *module);
PyObject *lf_info_new(const struct frame_info *info, const char *name,
                      const char *error);
PyObject *lf_segments(PyObject *self, PyObject *unused);
PyObject *lf_segment_info(PyObject *self, PyObject *args);

/* Seconds (None: forever) to a deadline in CLOCK_MONOTONIC ns, -1 for
 * forever. -2 with an exception on a bad value. */
int64_t lf_deadline(PyObject *seconds);
int64_t lf_now_ns(void);

#endif
