/* Frames into the back slot: decoded straight into it, copied from the
 * decoding threads, or copied from the cache once every input is kept. */
#include "sources.h"

#include "clock.h"
#include "decode.h"
#include "decode_pool.h"
#include "msg.h"
#include "png_load.h"
#include "stop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* What a source did, besides a stop or the segment's fault (negative). */
enum { IN_SLOT = 0, PLAYED = SOURCE_PLAYED, AGAIN = SOURCE_BAD_FILE + 1 };

int segment_failed(const struct producer *p, int rc)
{
    msg_error_rc(rc, "segment '%s'", p->o.name);
    return rc;
}

static double ms_since(int64_t t0) { return (now_ns() - t0) / 1e6; }

/* Begin a frame in the back slot; p->slot describes it until commit.
 * Only -EFBIG is the image's fault; any other failure is the segment's and
 * is kept in p->segment_rc, so it is never blamed on the file. */
static int begin_slot(struct producer *p, uint32_t format, uint32_t w,
                      uint32_t h, char *err, size_t errlen)
{
    int rc = frame_writer_begin_format(p->w, format, w, h, 1, &p->slot);
    if (rc == -EFBIG)
        format_too_big(format, w, h, err, errlen);
    else if (rc) {
        snprintf(err, errlen, "segment: %s", frame_strerror(rc));
        p->segment_rc = rc;
    }
    return rc;
}

/* The decoder asks for the destination once it knows format and size: the
 * slot. */
static int into_slot(void *ctx, uint32_t format, uint32_t w, uint32_t h,
                     struct frame_image *img, char *err, size_t errlen)
{
    struct producer *p = ctx;
    int rc = begin_slot(p, format, w, h, err, errlen);
    if (rc)
        return rc;
    *img = p->slot.image;
    return 0;
}

static int copy_into_slot(struct producer *p, const struct frame_image *src,
                          char *err, size_t errlen)
{
    int rc = begin_slot(p, src->format, src->width, src->height, err, errlen);
    if (rc)
        return rc;
    /* The same format, both tight: one memcpy a plane. */
    rc = frame_convert(&p->slot.image, src);
    if (rc) {
        snprintf(err, errlen, "copy: %s", frame_strerror(rc));
        frame_writer_abort(p->w);
    }
    return rc;
}

int source_decode(struct producer *p, const char *path, char *err,
                  size_t errlen)
{
    int taken;
    int64_t t0 = now_ns();
    int rc = decoder_load(p->loader, path, into_slot, p, &taken, err, errlen);
    if (rc == 0) {
        p->frame_ms = ms_since(t0);
        return 0;
    }
    /* Never publish a frame that failed halfway. */
    if (taken && rc != -EFBIG && !p->segment_rc)
        frame_writer_abort(p->w);
    if (p->segment_rc)
        return segment_failed(p, p->segment_rc);
    return rc == -ECANCELED ? -EINTR : SOURCE_BAD_FILE;
}

/* One thread: the next file decoded with no copy at all. */
static int from_file(struct producer *p)
{
    size_t f = playlist_next(&p->list);
    if (f == NO_FILE)
        return PLAYED;
    char err[PNG_LOAD_ERR_MAX];
    int rc = source_decode(p, p->list.in.paths[f], err, sizeof(err));
    if (rc == SOURCE_BAD_FILE) {
        playlist_drop(&p->list, f, err);
        return AGAIN;
    }
    if (rc)
        return rc;
    p->playing = f;
    cache_keep(&p->cache, f, &p->slot.image);
    return IN_SLOT;
}

/* More threads: the next file in order, decoded ahead, one copy. */
static int from_pool(struct producer *p)
{
    bool done;
    struct decoded *d = decode_pool_take(p->pool, 100, &done);
    if (!d)
        return done ? PLAYED : AGAIN; /* look at stop_requested() again */
    char err[PNG_LOAD_ERR_MAX];
    int rc = d->rc;
    if (rc == -ECANCELED) {
        /* only when the pool is stopping: not the file's fault */
    } else if (rc) {
        playlist_drop(&p->list, d->file, d->err);
    } else if ((rc = copy_into_slot(p, &d->image, err, sizeof(err))) == 0) {
        cache_keep(&p->cache, d->file, &d->image);
        p->playing = d->file;
        p->frame_ms = d->decode_ms;
    } else if (rc == -EFBIG) {
        playlist_drop(&p->list, d->file, err);
    }
    decode_pool_release(p->pool, d, false);
    if (p->segment_rc)
        return segment_failed(p, p->segment_rc);
    return rc == 0 ? IN_SLOT : AGAIN;
}

/* Every input kept: one copy, no decoding. */
static int from_cache(struct producer *p)
{
    if (p->pool) {
        /* Decoding threads are no use any more; the cursor goes on from
         * the frame just played. */
        decode_pool_free(p->pool);
        p->pool = NULL;
        p->list.cursor = p->playing + 1;
    }
    size_t f = playlist_next(&p->list);
    if (f == NO_FILE)
        return PLAYED;
    char err[PNG_LOAD_ERR_MAX];
    const struct cached_frame *c = &p->cache.frames[f];
    int64_t t0 = now_ns();
    int rc = copy_into_slot(p, &c->image, err, sizeof(err));
    if (rc)
        return segment_failed(p, rc); /* cached frames fit */
    p->playing = f;
    p->frame_ms = ms_since(t0);
    return IN_SLOT;
}

int source_next(struct producer *p)
{
    for (;;) {
        if (stop_requested())
            return -EINTR;
        if (p->list.live == 0)
            return -ENOENT;
        int rc = cache_complete(&p->cache, p->list.live) ? from_cache(p)
                 : p->pool                               ? from_pool(p)
                                                         : from_file(p);
        if (rc != AGAIN)
            return rc;
    }
}
