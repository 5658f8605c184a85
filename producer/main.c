/* producer: PNG files into a libframe segment, paced, looping, robust. */
#include "clock.h"
#include "decode.h"
#include "decode_pool.h"
#include "msg.h"
#include "png_load.h"
#include "producer.h"
#include "run.h"
#include "stop.h"
#include "watch.h"

#include <libframe/frame.h>

#include <inttypes.h>
#include <stdio.h>

static int create_segment(struct producer *p, uint32_t max_w, uint32_t max_h,
                          uint32_t format)
{
    struct frame_format fmt = {.max_width = max_w,
                               .max_height = max_h,
                               .slot_count = p->o.slots,
                               .pixel_format = format};
    bool replaced = false;
    int rc = frame_writer_create(p->o.name, &fmt, &p->w, &replaced);
    if (rc == FRAME_EALIVE) {
        struct frame_info info;
        if (frame_segment_info(p->o.name, &info) == 0)
            msg_error("segment '%s' is in use by a running producer (pid %d)",
                      p->o.name, (int)info.writer_pid);
        else
            msg_error("segment '%s' is in use by a running producer",
                      p->o.name);
        return 1;
    }
    if (rc) {
        msg_error_rc(rc, "create segment '%s'", p->o.name);
        return 1;
    }
    if (replaced)
        msg_info("replaced the stale segment '%s' (its producer had died)",
                 p->o.name);
    /* What a slot takes, page rounding included: the decoding threads'
     * buffers then refuse exactly what the slot would. */
    struct frame_info info;
    frame_writer_info(p->w, &info);
    p->frame_bytes = info.slot_capacity;
    return 0;
}

/* The decoder, the cache and the decoding threads, once the segment's
 * size is known. 0, or 1 (said). */
static int setup_sources(struct producer *p, uint32_t max_h, uint64_t total)
{
    const struct options *o = &p->o;
    bool cache = !o->watch_dir && p->list.live > 0 &&
                 (o->cache > 0 || (o->cache == 0 && total <= o->cache_limit));
    if (decoder_new(o->format, max_h, &p->loader) ||
        cache_init(&p->cache, p->list.in.count, cache)) {
        msg_error("out of memory");
        return 1;
    }
    decoder_set_cancel(p->loader, stop_flag());
    /* One thread decodes straight into the slot; more decode ahead into
     * buffers and pay one copy each (about 0.5% of a decode). */
    if (!o->watch_dir && o->threads > 1 && p->list.live > 1 &&
        decode_pool_new(o->threads, o->format, p->frame_bytes, max_h,
                        p->list.in.paths, playlist_next, &p->list, &p->pool)) {
        msg_error("cannot start decoding threads; decoding in one");
        p->pool = NULL;
    }
    return 0;
}

static void teardown(struct producer *p)
{
    decode_pool_free(p->pool);
    decoder_free(p->loader);
    frame_writer_destroy(p->w); /* closed, readers woken, name unlinked */
    watch_close(p->watch);
    cache_free(&p->cache);
    playlist_free(&p->list);
}

/* "as GRAY8", or with --format native "in their own formats (GRAY8,
 * RGBA64_LE)": what readers will get, for the start-up line. */
static void describe_formats(const struct producer *p, uint32_t formats,
                             char *buf, size_t len)
{
    if (p->o.format != FORMAT_NATIVE) {
        snprintf(buf, len, "as %s", format_name(p->o.format));
        return;
    }
    size_t n = (size_t)snprintf(buf, len, "in their own formats");
    const char *sep = " (";
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX && n < len; f++) {
        if (formats & 1u << f) {
            n +=
                (size_t)snprintf(buf + n, len - n, "%s%s", sep, format_name(f));
            sep = ", ";
        }
    }
    if (formats && n < len)
        snprintf(buf + n, len - n, ")");
}

/* Create the segment, sized for the input taking the most bytes as
 * published (or --max-size), and everything that fills it. 0, or 1
 * (said). */
static int setup(struct producer *p)
{
    struct sizing sz;
    if (playlist_gather(&p->list, p->o.paths, p->o.npaths, p->o.format, &sz)) {
        msg_error("out of memory");
        return 1;
    }
    if (p->list.live == 0 && !p->o.watch_dir) {
        msg_error("no valid input: none of the given paths is a readable PNG");
        return 1;
    }
    uint32_t max_w = sz.width, max_h = sz.height, format = sz.format;
    if (p->o.max_w || sz.bytes == 0) {
        /* Watching an empty directory: a common size. */
        max_w = p->o.max_w ? p->o.max_w : 1920;
        max_h = p->o.max_w ? p->o.max_h : 1080;
        /* Any WxH frame must fit: with native, in the widest format a PNG
         * decodes to. */
        format =
            p->o.format == FORMAT_NATIVE ? FRAME_FORMAT_RGBA16 : p->o.format;
    }
    if (p->o.watch_dir) {
        int rc = watch_open(p->o.watch_dir, &p->watch);
        if (rc) {
            msg_error_rc(rc, "watch '%s'", p->o.watch_dir);
            return 1;
        }
    }
    if (create_segment(p, max_w, max_h, format) ||
        setup_sources(p, max_h, sz.total))
        return 1;
    char formats[256];
    describe_formats(p, sz.formats, formats, sizeof(formats));
    msg_info("publishing %zu file(s) to '%s' %s (sized for %ux%u %s, "
             "%.4g fps%s%s)",
             p->list.live, p->o.name, formats, max_w, max_h,
             format_name(format), p->o.fps, p->cache.on ? ", cached" : "",
             p->list.loop && !p->o.watch_dir ? ", looping" : "");
    return 0;
}

int main(int argc, char **argv)
{
    msg_set_prog("producer");
    struct producer p = {0};
    int status = options_parse(argc, argv, &p.o);
    if (status >= 0)
        return status;
    msg_set_quiet(p.o.quiet);
    stop_signals_install();
    p.list.loop = p.o.loop;

    status = setup(&p);
    if (status) {
        teardown(&p);
        return status;
    }
    pacing_start(&p.pace, p.o.fps);
    if (p.list.live > 0) {
        if (p.o.watch_dir)
            p.list.loop = false; /* the PATHs play once, then the watch */
        status = run_play(&p);
    }
    if (status == 0 && p.o.watch_dir && !stop_requested())
        status = run_watch(&p);

    double secs = (now_ns() - p.pace.start_ns) / 1e9;
    msg_info("published %" PRIu64
             " frame(s) in %.1f s (%.1f fps), skipped %" PRIu64 " file(s)",
             p.pace.published, secs, secs > 0 ? p.pace.published / secs : 0.0,
             p.list.skipped);
    teardown(&p);
    return status;
}
