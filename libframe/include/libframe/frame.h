/* libframe: one writer publishes image frames through POSIX shared memory,
 * any number of readers use the newest frame in place. */
#ifndef LIBFRAME_FRAME_H
#define LIBFRAME_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FRAME_STATIC_DEFINE) || !defined(__GNUC__)
#define FRAME_API
#else
#define FRAME_API __attribute__((visibility("default")))
#endif

#include <libframe/frame_version.h> /* FRAME_VERSION_MAJOR, ... */

/** Where segments live: the file NAME's segment is FRAME_SHM_DIR "/"
 *  FRAME_OBJECT_PREFIX "NAME" (shm_open()'s "/libframe.NAME" on glibc).
 *  For help texts and messages; frame_segment_path() builds one. */
#define FRAME_SHM_DIR "/dev/shm"
#define FRAME_OBJECT_PREFIX "libframe."

/** The segment layout this library writes and reads (the header's
 *  abi_version); segments of any other are refused with FRAME_EVERSION. */
#define FRAME_SEGMENT_ABI 2

/** Longest segment name accepted, in bytes, without the terminating NUL. */
#define FRAME_NAME_MAX 64
/** Most frame slots a segment may have. */
#define FRAME_MAX_SLOTS 8
/** Largest width or height a segment may be created for. */
#define FRAME_MAX_DIM 32768

/**
 * Pixel formats. Multi-byte samples are little-endian; planes of the YUV
 * formats are full-size luma (Y) then chroma at half width and half height
 * (rounded up), as GStreamer and ffmpeg lay them out. YUV is BT.601
 * limited range wherever the library converts it. frame_format_desc()
 * gives each one's names, planes and sample layout.
 */
enum frame_pixel_format {
    FRAME_FORMAT_RGBA8 = 1,  /* "RGBA": bytes R, G, B, A */
    FRAME_FORMAT_BGRA8 = 2,  /* "BGRA": bytes B, G, R, A */
    FRAME_FORMAT_RGB8 = 3,   /* "RGB": bytes R, G, B */
    FRAME_FORMAT_GRAY8 = 4,  /* "GRAY8": one byte */
    FRAME_FORMAT_GRAY16 = 5, /* "GRAY16_LE": one 16-bit sample */
    FRAME_FORMAT_RGBA16 = 6, /* "RGBA64_LE": 16-bit R, G, B, A */
    FRAME_FORMAT_I420 = 7,   /* "I420": planes Y, U, V */
    FRAME_FORMAT_NV12 = 8,   /* "NV12": planes Y, then U and V interleaved */
};
/** Largest enum frame_pixel_format value. */
#define FRAME_FORMAT_MAX 8
/** Most planes a format has. */
#define FRAME_MAX_PLANES 3

/**
 * One row of the library's format table: everything a tool or binding needs
 * to name, size, export or convert a format, so none keeps its own table.
 *
 * Plane p of a width x height frame holds
 *     pw = (width  + (1 << plane[p].x_shift) - 1) >> plane[p].x_shift
 *     ph = (height + (1 << plane[p].y_shift) - 1) >> plane[p].y_shift
 * pixels of plane[p].samples samples each, bytes_per_sample bytes a sample:
 * a row is pw * samples * bytes_per_sample bytes. As a numpy array a plane
 * is shape (ph, pw, samples), or (ph, pw) when samples is 1, of dtype
 * numpy_dtype (item format buffer_format in the buffer protocol).
 */
struct frame_format_desc {
    uint32_t format;           /* enum frame_pixel_format */
    const char *name;          /* GStreamer's caps name: "GRAY16_LE" */
    const char *short_name;    /* for command lines: "gray16" */
    const char *ffmpeg;        /* ffmpeg's -pixel_format: "gray16le" */
    uint32_t plane_count;      /* 1..FRAME_MAX_PLANES */
    uint32_t bytes_per_sample; /* 1 or 2 */
    uint32_t channels;         /* 1 grey, 3 colour, 4 colour and alpha */
    bool has_alpha;
    bool is_yuv;
    const char *buffer_format; /* struct/buffer-protocol item: "B", "<H" */
    const char *numpy_dtype;   /* "uint8", "<u2" */
    struct {
        uint32_t samples; /* samples per pixel of this plane */
        uint32_t x_shift; /* log2 of the horizontal subsampling */
        uint32_t y_shift; /* log2 of the vertical subsampling */
    } plane[FRAME_MAX_PLANES];
};

/** The table row of format, or NULL if it is not one (0 included). */
FRAME_API const struct frame_format_desc *frame_format_desc(uint32_t format);

/**
 * A format by name, any case: its caps name ("GRAY16_LE"), short name
 * ("gray16") or ffmpeg name ("gray16le").
 * \return the enum frame_pixel_format value, or 0 if none matches.
 */
FRAME_API uint32_t frame_format_lookup(const char *name);

/**
 * Where a frame's samples are: its format, size and each plane's first row
 * and stride. Planes beyond plane_count are NULL with stride 0. A reader's
 * planes point into the read-only mapping: never write through them.
 */
struct frame_image {
    uint32_t format; /* enum frame_pixel_format */
    uint32_t width;
    uint32_t height;
    uint32_t plane_count;
    uint8_t *plane[FRAME_MAX_PLANES];  /* first byte of each plane's row 0 */
    uint32_t stride[FRAME_MAX_PLANES]; /* bytes from one row to the next */
};

/**
 * Lay a frame out in memory from base: the planes one after another, each
 * row padded to a multiple of stride_align bytes (0 or 1: tight, which is
 * ffmpeg's rawvideo layout and what writers publish by default).
 * \param img  if not NULL, receives the layout; its planes point into base
 *             (NULL planes when base is NULL).
 * \return the bytes the frame takes from base, or 0 for an unknown format,
 *         a zero or too large size, a stride_align over 4096, or overflow.
 */
FRAME_API size_t frame_image_layout(struct frame_image *img, uint32_t format,
                                    uint32_t width, uint32_t height,
                                    uint32_t stride_align, void *base);

/**
 * Convert src into dst, pixel by pixel; both have the same width and
 * height, any formats of the table (equal formats are copied). Rules, the
 * same wherever the library converts:
 * - 8 to 16 bits: v * 257; 16 to 8 bits: the high byte (v >> 8).
 * - Colour to grey: Y = (77 R + 150 G + 29 B + 128) >> 8 at 8 bits (on the
 *   high bytes of 16-bit samples, so RGBA16 to GRAY8 may differ by one from
 *   RGBA16 to GRAY16 to GRAY8), the same weights on 16-bit samples for
 *   GRAY16; grey to colour: R = G = B = Y.
 * - No alpha in src: opaque; no alpha in dst: dropped (not blended).
 * - RGB to YUV and back: BT.601, limited range (Y 16..235, U and V
 *   16..240), 8-bit integer arithmetic; chroma is computed from the
 *   rounded mean R, G, B of each 2x2 block (of the pixels that exist, at
 *   odd sizes) and used as is for every pixel of its block on the way
 *   back. I420 to NV12 and back keeps the samples.
 * \return 0, -EINVAL (unknown format, sizes differ, NULL planes, a
 *         stride shorter than a row), -ENOMEM (a row buffer of 16 bytes a
 *         pixel, for conversions between formats).
 */
FRAME_API int frame_convert(const struct frame_image *dst,
                            const struct frame_image *src);

/** Writer states, as readers see them. */
enum frame_state {
    FRAME_STATE_RUNNING = 1, /* frames are being published */
    FRAME_STATE_PAUSED = 2,  /* alive, deliberately not publishing */
    FRAME_STATE_CLOSED = 3,  /* the writer stopped cleanly */
};

/**
 * Error codes beyond the errno range. Every function that can fail returns
 * 0 or a negative value: either -errno (-ENOENT: no such segment, -EACCES,
 * -ENOSPC, -EINVAL, -ENAMETOOLONG, -ETIMEDOUT, ...) or one of these.
 * frame_strerror() turns any of them into words.
 */
enum frame_error {
    FRAME_ENOTFRAME = -1000,  /* the object is not a libframe segment */
    FRAME_EVERSION = -1001,   /* made by an incompatible libframe */
    FRAME_ELAYOUT = -1002,    /* header sizes or counts are inconsistent */
    FRAME_ETRUNCATED = -1003, /* object smaller than its header says */
    FRAME_EBADFRAME = -1004,  /* a frame descriptor points outside its slot */
    FRAME_EOWNER = -1005,     /* segment belongs to another user */
    FRAME_EALIVE = -1006,     /* the name's writer is still running */
    FRAME_ELOST = -1007,      /* the writer died without closing */
    FRAME_ECLOSED = -1008,    /* the writer stopped cleanly */
    FRAME_ERESTARTED = -1009, /* a new writer took the name; now attached */
    FRAME_ENOFRAME = -1010,   /* no frame has been published yet */
    FRAME_EDEAD = -1011,      /* handle unusable after an earlier fault */
    FRAME_EBUSY = -1012,      /* every attempt to read a frame was torn */
};

/** Flags for frame_reader_open_flags(). */
enum frame_open_flag {
    /** Succeed even when no usable segment is under the name yet: the
     *  handle starts in FRAME_READER_WAITING (nothing there) or
     *  FRAME_READER_BROKEN (something that fails validation), and
     *  frame_reader_wait() attaches it when a writer appears. */
    FRAME_OPEN_WAIT = 1u << 0,
};

/**
 * Where a reader handle is in its life cycle. frame_reader_wait() moves it
 * from one state to the next and returns a code for each move:
 *
 *   WAITING  --(a writer's segment appears)----------> ATTACHED  ERESTARTED
 *   ATTACHED --(another writer took the name)-------> ATTACHED  ERESTARTED
 *   ATTACHED --(the writer closes it)----------------> CLOSED    ECLOSED
 *   ATTACHED --(the writer dies: its lock is gone)---> LOST      ELOST
 *   ATTACHED --(the header names impossible frames,
 *               or the segment is truncated)----------> BROKEN    the reason
 *   CLOSED, LOST, BROKEN --(a new writer's segment)-> ATTACHED  ERESTARTED
 *
 * A BROKEN segment whose own writer publishes a readable frame again is
 * ATTACHED again once that frame is acquired (nothing is returned for it).
 * In CLOSED and LOST the last frame stays readable; in every state but
 * ATTACHED the handle looks for a new writer on the name, at most every
 * 500 ms, so a restarted producer is followed within a second.
 */
enum frame_reader_state {
    FRAME_READER_WAITING = 1,  /* no segment under the name yet */
    FRAME_READER_ATTACHED = 2, /* mapped; its writer is alive */
    FRAME_READER_CLOSED = 3,   /* the writer stopped cleanly */
    FRAME_READER_LOST = 4,     /* the writer died without closing */
    FRAME_READER_BROKEN = 5,   /* what the name holds cannot be read */
};

/** What a writer asks for when it creates a segment. Zero fields take the
 *  default noted beside them. */
struct frame_format {
    uint32_t max_width;  /* largest frame width, 1..FRAME_MAX_DIM */
    uint32_t max_height; /* largest frame height, 1..FRAME_MAX_DIM */
    uint32_t slot_count; /* 2..FRAME_MAX_SLOTS; 0 means 3 (see docs/design.md,
                            "Slots and whole-frame readers") */
    uint32_t mode;       /* 0600, 0640 or 0660; 0 means 0600 */
    /** The format slots are sized for: each holds a tight max_width x
     *  max_height frame of it. 0 means RGBA8. Frames of any format whose
     *  planes fit a slot may be published. */
    uint32_t pixel_format;
};

/** The writer's side of a frame being written: the back slot's planes. */
struct frame_buffer {
    uint8_t *pixels; /* plane 0's row 0 (image.plane[0]), 64-byte aligned */
    uint32_t width;
    uint32_t height;
    uint32_t stride; /* plane 0's (image.stride[0]) */
    uint32_t slot;
    uint64_t frame_no;        /* the number this frame will carry */
    struct frame_image image; /* format and every plane, in the slot */
};

/** A reader's in-place view of one published frame. The pixels are the
 *  writer's memory: use them, then ask frame_reader_still_valid(). */
struct frame_view {
    const uint8_t *pixels; /* plane 0's row 0 (image.plane[0]) */
    uint32_t width;
    uint32_t height;
    uint32_t stride;       /* plane 0's (image.stride[0]) */
    uint32_t format;       /* enum frame_pixel_format */
    uint64_t frame_no;     /* 1 for the first frame of a session */
    int64_t timestamp_ns;  /* CLOCK_MONOTONIC time of publish */
    uint64_t session_id;   /* random, new at every writer start */
    uint64_t source_index; /* writer's own tag, e.g. the input file number */
    uint32_t slot;
    uint64_t seq;             /* seqlock value at acquire; internal use */
    struct frame_image image; /* format and every plane (read-only) */
    bool held;                /* by frame_reader_hold(), until released */
};

/** A reader's counters. */
struct frame_stats {
    uint64_t frames_seen;    /* distinct frames acquired */
    uint64_t frames_skipped; /* frames published but never acquired */
    uint64_t retries;        /* acquires or validations that found a frame
                                being overwritten */
};

/** A validated copy of a segment's header. */
struct frame_info {
    char name[FRAME_NAME_MAX + 1];
    uint32_t slot_count;
    uint32_t max_width;
    uint32_t max_height;
    uint32_t pixel_format;  /* what the slots were sized for */
    uint32_t state;         /* enum frame_state */
    uint64_t slot_capacity; /* bytes per slot */
    uint64_t segment_size;  /* bytes in the whole object */
    uint64_t session_id;
    int32_t writer_pid;
    bool writer_alive;        /* the writer still holds the segment's lock */
    int64_t writer_start_ns;  /* CLOCK_REALTIME of the writer's start */
    uint64_t publish_count;   /* publishes and state changes so far */
    uint64_t latest_frame_no; /* 0 if none yet */
    uint32_t latest_width;
    uint32_t latest_height;
    uint32_t latest_format; /* enum frame_pixel_format, 0 if none */
    uint32_t slots_held;    /* slots whose frame another handle holds now */
    /** Frames the writer wrote over a held frame (each broke a hold):
     *  readers held more than slot_count - 2 slots at the time. */
    uint64_t overruns;
    int64_t latest_timestamp_ns; /* CLOCK_MONOTONIC publish time, 0 if none */
    int64_t heartbeat_age_ns;    /* now minus the writer's last sign of life */
};

typedef struct frame_writer frame_writer;
typedef struct frame_reader frame_reader;

/** The library's version as "MAJOR.MINOR.PATCH" (FRAME_VERSION_STRING of
 *  the build that made the library, which may differ from the header's). */
FRAME_API const char *frame_version_string(void);

/**
 * Describe an error code.
 * \param err 0, a negative errno value or an enum frame_error value.
 * \return a static string; never NULL.
 */
FRAME_API const char *frame_strerror(int err);

/**
 * Describe an error about segment name into buf (len bytes): what
 * frame_strerror() says, in a segment's terms (-ENOENT: "no such
 * segment"), plus what the object under the name tells about it: for
 * FRAME_EVERSION, its ABI version and ours ("segment layout 1; this
 * libframe reads only 2").
 * \return buf.
 */
FRAME_API const char *frame_segment_strerror(const char *name, int err,
                                             char *buf, size_t len);

/**
 * Check a segment name: 1..FRAME_NAME_MAX characters of [A-Za-z0-9._-],
 * not containing "..".
 * \return 0, -EINVAL or -ENAMETOOLONG.
 */
FRAME_API int frame_name_check(const char *name);

/**
 * The file of NAME's segment, FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "NAME",
 * into buf (len bytes).
 * \return 0, -EINVAL/-ENAMETOOLONG (bad name), -ENOSPC (buf too small).
 */
FRAME_API int frame_segment_path(const char *name, char *buf, size_t len);

/** What an object under libframe's prefix in FRAME_SHM_DIR is, by name. */
enum frame_object_kind {
    FRAME_OBJECT_SEGMENT = 1,  /* "NAME": frame_segment_info() says more */
    FRAME_OBJECT_LEFTOVER = 2, /* "NAME~PID": an older writer's unfinished
                                  segment, see frame_leftover_stale() */
    FRAME_OBJECT_FOREIGN = 3,  /* no libframe name at all */
};

/** One object found by frame_objects_list(). */
struct frame_object {
    /** Its file name after FRAME_OBJECT_PREFIX: bytes anyone may have
     *  chosen (escape sequences, newlines): quote before printing. */
    char entry[256];
    char name[FRAME_NAME_MAX + 1]; /* SEGMENT, LEFTOVER: segment name */
    enum frame_object_kind kind;
    int32_t pid; /* LEFTOVER: the pid in its name (proves nothing) */
    /** 0: a regular file of ours, safe to open; FRAME_ENOTFRAME: not a
     *  regular file (a FIFO would block an open: never opened);
     *  FRAME_EOWNER: another user's; or -errno (-ENOENT: gone meanwhile). */
    int status;
};

/**
 * Every object under FRAME_OBJECT_PREFIX in FRAME_SHM_DIR, sorted by entry,
 * for tools that list or clean them. Nothing is opened: each is only
 * lstat()ed.
 * \param out   receives an array of *count objects; free() it (NULL when
 *              *count is 0).
 * \return 0, -ENOMEM, or the -errno of reading the directory.
 */
FRAME_API int frame_objects_list(struct frame_object **out, size_t *count);

/**
 * Bytes of a tightly packed RGBA8 frame (stride = width * 4); see
 * frame_image_layout() for every format.
 * \return the size, or 0 if it overflows or either side is 0.
 */
FRAME_API size_t frame_buffer_size(uint32_t width, uint32_t height);

/* ---------------------------------------------------------------------- */
/* Writer. One writer per segment; a writer handle is not thread-safe.     */
/*                                                                        */
/* FRAME_EDEAD is the one error that ends a writer handle: its segment was */
/* truncated under it. Every later call that would touch the segment      */
/* returns FRAME_EDEAD again (heartbeat does nothing); destroy it.        */
/* A NULL handle: int functions return -EINVAL, void ones do nothing.     */

/**
 * Create the segment /libframe.NAME sized for fmt and map it.
 *
 * If the name exists and its writer still runs, fails with FRAME_EALIVE
 * (frame_segment_info() gives the pid). If its writer is dead, or the object
 * is not a libframe segment, it is unlinked and replaced; *replaced (if not
 * NULL) is then set to true so the caller can say so.
 *
 * \param name  segment name, see frame_name_check(); copied.
 * \param fmt   requested geometry; not kept.
 * \param out   receives the handle; owned by the caller, free with
 *              frame_writer_destroy().
 * \param replaced optional: set to whether a stale segment was removed.
 * \return 0, -EINVAL (bad fmt or name), -ENAMETOOLONG, -ENOSPC (/dev/shm
 *         full), -EACCES, FRAME_EALIVE, -ENOMEM or another -errno.
 */
FRAME_API int frame_writer_create(const char *name,
                                  const struct frame_format *fmt,
                                  frame_writer **out, bool *replaced);

/**
 * Start an RGBA8 frame with tight rows: frame_writer_begin_format() with
 * FRAME_FORMAT_RGBA8 and stride_align 1.
 */
FRAME_API int frame_writer_begin(frame_writer *w, uint32_t width,
                                 uint32_t height, struct frame_buffer *out);

/**
 * Start a frame of any format: the slot after the newest one is marked as
 * being written and its planes, laid out by frame_image_layout() with
 * stride_align, are returned in out->image. Readers never pick that slot
 * meanwhile.
 * \return 0, -EINVAL (unknown format, zero size, a stride_align over 4096,
 *         or a frame already begun), -EFBIG (does not fit a slot),
 *         FRAME_EDEAD (segment was truncated under us).
 */
FRAME_API int frame_writer_begin_format(frame_writer *w, uint32_t format,
                                        uint32_t width, uint32_t height,
                                        uint32_t stride_align,
                                        struct frame_buffer *out);

/**
 * Publish the frame begun by frame_writer_begin(): it becomes the newest
 * frame and every reader blocked in frame_reader_wait() is woken.
 * \param timestamp_ns publish time to record; 0 means now (CLOCK_MONOTONIC).
 *        It is also the heartbeat readers judge the writer's liveness and
 *        age by: a stamp that is not now (a due time ahead, a capture
 *        time long past) should be followed by frame_writer_heartbeat().
 * \param source_index a tag readers see in frame_view.source_index.
 * \return 0, -EINVAL (no frame begun), FRAME_EDEAD.
 */
FRAME_API int frame_writer_commit(frame_writer *w, int64_t timestamp_ns,
                                  uint64_t source_index);

/**
 * Give up the frame begun by frame_writer_begin(), e.g. after a decode
 * error. The slot is left invalid; the newest frame stays what it was.
 * \return 0, -EINVAL (no frame begun).
 */
FRAME_API int frame_writer_abort(frame_writer *w);

/**
 * Announce FRAME_STATE_RUNNING, _PAUSED or _CLOSED and wake readers.
 * \return 0 or -EINVAL.
 */
FRAME_API int frame_writer_set_state(frame_writer *w, enum frame_state state);

/**
 * Record a sign of life without publishing; call it at least every 100 ms
 * while paused or idle so readers can show how fresh the writer is.
 */
FRAME_API void frame_writer_heartbeat(frame_writer *w);

/** The segment's geometry and state, as a reader would see it. */
FRAME_API void frame_writer_info(const frame_writer *w, struct frame_info *out);

/**
 * Mark the segment closed, wake readers, unlink the name, unmap and free.
 * Readers keep their mapping and see FRAME_ECLOSED. NULL is a no-op; the
 * handle is invalid afterwards.
 */
FRAME_API void frame_writer_destroy(frame_writer *w);

/* ---------------------------------------------------------------------- */
/* Reader. Readers never write to the segment. A reader handle may be used */
/* from one thread at a time.                                              */
/*                                                                        */
/* No error ends a reader handle: what happens to the segment is a state  */
/* (enum frame_reader_state) it comes out of when a new writer appears.   */
/* A NULL handle: int functions return -EINVAL, still_valid false,        */
/* frame_reader_state 0, void ones do nothing (stats: zeros).             */
/*                                                                        */
/* The SIGBUS guard. Another process of the user may shrink a segment     */
/* under a mapping; touching the lost pages raises SIGBUS. The library    */
/* installs one process-wide SIGBUS handler the first time it maps a      */
/* segment and never removes it; it turns a fault on one of its own       */
/* mappings (at most 256 at once in a process: -EMFILE beyond) into zeros */
/* and an error code, and passes any other SIGBUS to the handler that was */
/* there before (or the default action). An application that installs its */
/* own SIGBUS handler after that replaces ours and silently disables the  */
/* guard: install yours first, and ours will pass on what is not ours.    */

/**
 * Open and map /libframe.NAME read-only. Owner and size are checked with
 * fstat() before anything is mapped, and the header is validated.
 *
 * \param name segment name; copied.
 * \param out  receives the handle; free with frame_reader_close().
 * \return 0, -ENOENT (no such segment), -EINVAL/-ENAMETOOLONG (bad name),
 *         -EACCES,
 *         FRAME_EOWNER, FRAME_ENOTFRAME, FRAME_EVERSION, FRAME_ELAYOUT,
 *         FRAME_ETRUNCATED, -EMFILE (too many guarded mappings), -ENOTSUP
 *         (the SIGBUS guard could not be installed), -ENOMEM.
 */
FRAME_API int frame_reader_open(const char *name, frame_reader **out);

/**
 * Open a reader with flags (enum frame_open_flag). frame_reader_open() is
 * this with flags 0: it fails when the name holds no usable segment.
 * With FRAME_OPEN_WAIT it fails only for a bad name (-EINVAL,
 * -ENAMETOOLONG), -ENOMEM, or -ENOTSUP (no SIGBUS guard); what the name
 * holds, or does not, is then a state of the handle (frame_reader_state()).
 * \return 0 or a code as frame_reader_open().
 */
FRAME_API int frame_reader_open_flags(const char *name, unsigned flags,
                                      frame_reader **out);

/**
 * The handle's life-cycle state (enum frame_reader_state). If why is not
 * NULL it receives, for FRAME_READER_BROKEN, the reason (FRAME_EBADFRAME:
 * the header keeps naming a frame that cannot be read; FRAME_ETRUNCATED:
 * the segment shrank under the mapping; or what validating the name's
 * object found: FRAME_ENOTFRAME, FRAME_EVERSION, FRAME_EOWNER, ...), and 0
 * in every other state.
 */
FRAME_API enum frame_reader_state frame_reader_state(const frame_reader *r,
                                                     int *why);

/**
 * Take the newest frame as an in-place view. Nothing is copied. The view's
 * pixels may be overwritten by the writer at any moment: finish using them,
 * then call frame_reader_still_valid() and discard what you made from them
 * if it says false.
 *
 * A truncated segment is caught (SIGBUS is guarded while the reader is
 * open): reads from it return zeros and validation fails.
 *
 * A frame that cannot be read (FRAME_EBADFRAME, or FRAME_EBUSY because
 * the header names a frame no slot holds) puts the handle in
 * FRAME_READER_BROKEN; frame_reader_wait() then says so once and does not
 * report that same header again, so a loop of wait and acquire sleeps
 * instead of spinning on it.
 *
 * \return 0, FRAME_ENOFRAME (nothing published yet, or no segment mapped:
 *         WAITING), FRAME_EBADFRAME (the header describes an impossible
 *         frame), FRAME_EBUSY (torn on every try), FRAME_EDEAD (the
 *         segment was truncated under the mapping: no frame until a new
 *         writer is attached).
 */
FRAME_API int frame_reader_acquire(frame_reader *r, struct frame_view *v);

/**
 * Whether the frame behind v was left untouched since it was acquired.
 * Counts a retry when it was not. After a SIGBUS on the mapping this is
 * false and the handle is dead (later calls return FRAME_EDEAD).
 */
FRAME_API bool frame_reader_still_valid(frame_reader *r,
                                        const struct frame_view *v);

/**
 * Take the newest frame as frame_reader_acquire() does, and hold it: while
 * it is held, the writer does not write into its slot, provided at most
 * slot_count - 2 distinct slots are held by all readers together (readers
 * holding the same frame count once). The writer never waits for a reader:
 * with more slots held than that it overwrites the oldest held frame, and
 * frame_reader_release() then says so. A hold ends with release, with
 * frame_reader_close(), or when the process dies (the kernel drops it: no
 * clean-up by anyone). It outlives the handle attaching to a new writer
 * (FRAME_ERESTARTED): the old segment stays mapped until its last held view
 * is released (unheld views of it are invalid from then on). A handle may
 * hold several frames, the same one several times too.
 * Costs a system call or two, and one more to release.
 * \return as frame_reader_acquire(); -ENOLCK or -ENOMEM when the system
 *         or the process is out of locks or memory.
 */
FRAME_API int frame_reader_hold(frame_reader *r, struct frame_view *v);

/**
 * End the hold frame_reader_hold() took on v (for a view not held, only the
 * check) and say whether the frame stayed whole from acquire until now, as
 * frame_reader_still_valid() does. Use the pixels before releasing.
 */
FRAME_API bool frame_reader_release(frame_reader *r, struct frame_view *v);

/**
 * Copy the newest frame into dst as RGBA8 (converted if it is another
 * format, see frame_convert()), rows of dst_stride bytes, or packed at
 * width * 4 when dst_stride is 0; dst_size bytes in all. The frame is held
 * while it is copied (see frame_reader_hold()) and taken again if it was
 * overwritten all the same. v receives its metadata (its own format);
 * v->pixels and v->image's planes are set to NULL (the copy is in dst).
 * FRAME_EBUSY here means the writer rewrote the frame during every copy:
 * readers hold more slots than the writer can spare.
 * \return 0, -ENOSPC (dst too small for the frame; v holds its size), or
 *         as frame_reader_acquire().
 */
FRAME_API int frame_reader_copy(frame_reader *r, void *dst, size_t dst_stride,
                                size_t dst_size, struct frame_view *v);

/**
 * Copy the newest frame into dst in format (0: the frame's own), laid out
 * as frame_image_layout(NULL, format, width, height, stride_align, dst)
 * says, converting as frame_convert() does; otherwise as
 * frame_reader_copy(). The frame's size is known only once it is taken:
 * on -ENOSPC, v holds it (and v->format the frame's own format).
 * \return 0, -EINVAL (unknown format, bad stride_align), -ENOSPC, or as
 *         frame_reader_acquire().
 */
FRAME_API int frame_reader_copy_format(frame_reader *r, uint32_t format,
                                       void *dst, size_t dst_size,
                                       uint32_t stride_align,
                                       struct frame_view *v);

/**
 * Sleep until a frame newer than the last one acquired (and not already
 * returned by an earlier wait) is published, or the handle's state
 * changes, or timeout_ms passes (-1: forever). Blocks on
 * a futex: no CPU is used while nothing happens, except a liveness check
 * every 250 ms (a look for a new writer, with back-off up to 500 ms, when
 * not attached).
 *
 * Each change of state (see enum frame_reader_state) is returned once:
 * FRAME_ERESTARTED (attached to a writer's segment: the first one of a
 * handle opened with FRAME_OPEN_WAIT, or a new one; old views are invalid),
 * FRAME_ECLOSED (stopped cleanly), FRAME_ELOST (died), or, on becoming
 * FRAME_READER_BROKEN, the reason (FRAME_EBADFRAME, FRAME_ETRUNCATED, or an
 * error of frame_reader_open() about the object now under the name). The
 * handle stays usable after every one of them and follows the next writer.
 *
 * A header that someone else scribbled on cannot make this spin: a frame
 * that failed to be acquired is not reported again, a new one is reported
 * at most every 20 to 500 ms while they keep failing, and wake-ups that
 * bring nothing new are rate-limited.
 *
 * \return 0 (a new frame), -ETIMEDOUT, FRAME_ERESTARTED, FRAME_ECLOSED,
 *         FRAME_ELOST, or the reason the segment is broken.
 */
FRAME_API int frame_reader_wait(frame_reader *r, int timeout_ms);

/** Spin instead of sleeping in frame_reader_wait() (lowest latency, one
 *  core busy). For benchmarks. */
FRAME_API void frame_reader_set_busy_poll(frame_reader *r, bool on);

/** The reader's counters since open. */
FRAME_API void frame_reader_stats(const frame_reader *r,
                                  struct frame_stats *out);

/** The header of the segment the reader is attached to. */
FRAME_API int frame_reader_info(frame_reader *r, struct frame_info *out);

/** Unmap and free. NULL is a no-op; views from it become invalid. */
FRAME_API void frame_reader_close(frame_reader *r);

/**
 * Open NAME as a reader, fill out with its header and close it again.
 * \return as frame_reader_open().
 */
FRAME_API int frame_segment_info(const char *name, struct frame_info *out);

/**
 * Remove NAME if it is a libframe segment whose writer is gone (a producer
 * killed without closing). Segments of a running writer, another user's
 * objects and objects that are not libframe segments are left alone.
 * \return 0 (removed), -ENOENT, FRAME_EALIVE, FRAME_EOWNER,
 *         FRAME_ENOTFRAME or another error of frame_reader_open().
 */
FRAME_API int frame_segment_remove_stale(const char *name);

/**
 * Writers of libframe before 0.2 built their segment under the private
 * name "NAME~PID" and then made it NAME; one killed meanwhile left that
 * object behind (writers now build an unnamed file and leave nothing).
 * Judge one, given as "NAME~PID" (its /dev/shm file name without the
 * "libframe." prefix): is its writer gone? It is when nobody holds its
 * lock and it was last modified a minute ago or more (its pid proves
 * nothing: it may live in another pid namespace). With remove, a gone one
 * is unlinked. For tools that list or clean them (framectl).
 * \return 1 (gone; removed if asked), 0 (locked, or too recent to tell),
 *         -EINVAL (not NAME~PID), -ENOENT, FRAME_ENOTFRAME (not a writer's
 *         object), FRAME_EOWNER, or another negative errno.
 */
FRAME_API int frame_leftover_stale(const char *leftover, bool remove);

#ifdef __cplusplus
}
#endif

#endif
