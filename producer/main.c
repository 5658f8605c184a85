/* producer: PNG files into a libframe segment, paced, looping, robust. */
#include "cli.h"
#include "decode_pool.h"
#include "inputs.h"
#include "png_load.h"
#include "stop.h"
#include "watch.h"

#include <libframe/frame.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROG "producer"
#define NO_FILE ((size_t)-1)
#define HEARTBEAT_NS 100000000 /* readers want a sign of life this often */

struct options {
    const char *name;
    double fps;
    bool loop;
    uint64_t count;
    uint32_t slots;
    int cache;            /* -1 off, 0 when it fits the limit, 1 forced */
    uint64_t cache_limit; /* bytes */
    unsigned threads;
    const char *watch_dir;
    bool stats;
    bool quiet;
    uint32_t max_w, max_h;
};

/* Decoded frames kept after their first decode, by input index. */
struct cache {
    bool on;
    uint8_t **pixels;
    uint32_t *width, *height;
    size_t filled;
};

struct producer {
    struct options o;
    struct input_list in;
    bool *dropped; /* bad files, reported once and never tried again */
    size_t live;   /* inputs not dropped */
    size_t cursor; /* next input in play order */
    bool pass_over; /* --once: the list has been played */
    frame_writer *w;
    /* Open before the segment exists: a renderer that waits for the
     * segment and then writes its first file must not be missed. */
    struct watch *watch;
    size_t frame_bytes; /* largest frame the segment holds */
    struct png_loader *loader;
    struct decode_pool *pool;
    struct cache cache;
    struct frame_buffer slot; /* the frame begun in the back slot */
    int segment_rc;          /* the segment failed us: nothing more to do */
    size_t playing;          /* input index of the frame in the slot */
    double frame_ms;         /* decode (or copy) time of that frame */
    /* counters */
    uint64_t published;
    uint64_t skipped_files;
    int64_t start_ns;
    /* when the next frame is due: one cadence from the given files on
     * through the watched ones */
    int64_t deadline;
    /* the current --stats interval */
    int64_t interval_ns;
    uint64_t interval_frames;
    double interval_ms;
    uint64_t interval_late;
};


static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void say(const struct producer *p, const char *fmt, ...)
{
    if (p->o.quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Errors are printed even with --quiet. */
static void complain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void usage(FILE *to)
{
    fprintf(to,
"Usage: " PROG " [OPTION]... PATH...\n"
"Publish PNG files (or the *.png of directories, in natural name order) into\n"
"the libframe segment /dev/shm/libframe.NAME, paced at a frame rate.\n"
"\n"
"  -n, --name NAME          segment name (default: default)\n"
"  -r, --fps N              frames per second, 0 = as fast as possible\n"
"                           (default: 30)\n"
"  -l, --loop               play the list again and again (default)\n"
"  -1, --once               play the list once, then exit\n"
"  -c, --count N            stop after publishing N frames\n"
"  -s, --slots N            frame slots in the segment, 2..8 (default: 2)\n"
"  -m, --max-size WxH       size the segment for WxH frames (default: the\n"
"                           largest input)\n"
"      --cache              keep every decoded frame in memory\n"
"      --no-cache           decode every frame every time\n"
"      --cache-limit BYTES  cache only if all frames fit in BYTES (K, M, G\n"
"                           suffixes; default: a quarter of RAM)\n"
"  -j, --threads N          decoding threads (default: one per core; 1 decodes\n"
"                           straight into the segment, with no copy)\n"
"  -w, --watch DIR          publish each new PNG written into DIR (after the\n"
"                           PATHs, if any, played once)\n"
"      --stats              a progress line every second on stderr\n"
"  -q, --quiet              print errors only\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Bad files are reported once and skipped. SIGINT/SIGTERM close the segment\n"
"and remove it. Exit status: 0 success, 1 runtime failure, 2 bad usage.\n");
}

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
    enum { OPT_CACHE = 256, OPT_NO_CACHE, OPT_CACHE_LIMIT, OPT_STATS };
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'},
        {"fps", required_argument, NULL, 'r'},
        {"loop", no_argument, NULL, 'l'},
        {"once", no_argument, NULL, '1'},
        {"count", required_argument, NULL, 'c'},
        {"slots", required_argument, NULL, 's'},
        {"max-size", required_argument, NULL, 'm'},
        {"cache", no_argument, NULL, OPT_CACHE},
        {"no-cache", no_argument, NULL, OPT_NO_CACHE},
        {"cache-limit", required_argument, NULL, OPT_CACHE_LIMIT},
        {"threads", required_argument, NULL, 'j'},
        {"watch", required_argument, NULL, 'w'},
        {"stats", no_argument, NULL, OPT_STATS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    *o = (struct options){
        .name = "default",
        .fps = 30,
        .loop = true,
        .slots = 2,
        .cache_limit = pages > 0 && page > 0 ? (uint64_t)pages * page / 4
                                             : UINT64_C(1) << 30,
        .threads = cores > 0 ? (unsigned)cores : 1,
    };
    uint64_t v;
    int c;
    argv[0] = (char *)PROG; /* getopt's own messages start with argv[0] */
    while ((c = getopt_long(argc, argv, "n:r:l1c:s:m:j:w:qhV", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_segment_name(PROG, optarg))
                return 2;
            o->name = optarg;
            break;
        case 'r':
            /* Below one frame in 1000 s the period would not fit in
             * int64 nanoseconds for long; 0 means unpaced. */
            if (!cli_parse_double(optarg, 0, 100000, &o->fps) ||
                (o->fps > 0 && o->fps < 0.001))
                return cli_bad_usage(PROG, NULL, "invalid frame rate '%s' "
                                     "(0, or 0.001..100000)", optarg);
            break;
        case 'l': o->loop = true; break;
        case '1': o->loop = false; break;
        case 'c':
            if (!cli_parse_u64(optarg, 1, UINT64_MAX, 0, &o->count))
                return cli_bad_usage(PROG, NULL, "invalid frame count '%s'",
                                     optarg);
            break;
        case 's':
            if (!cli_parse_u64(optarg, 2, FRAME_MAX_SLOTS, 0, &v))
                return cli_bad_usage(PROG, NULL, "invalid slot count '%s' "
                                     "(2..8)", optarg);
            o->slots = (uint32_t)v;
            break;
        case 'm':
            if (!cli_parse_size(optarg, PNG_LOAD_MAX_DIM, &o->max_w,
                                &o->max_h))
                return cli_bad_usage(PROG, NULL, "invalid size '%s' (WxH, up "
                                     "to 16384x16384)", optarg);
            break;
        case OPT_CACHE: o->cache = 1; break;
        case OPT_NO_CACHE: o->cache = -1; break;
        case OPT_CACHE_LIMIT:
            if (!cli_parse_u64(optarg, 0, UINT64_MAX, CLI_SUFFIXES,
                               &o->cache_limit))
                return cli_bad_usage(PROG, NULL, "invalid cache limit '%s'",
                                     optarg);
            break;
        case 'j':
            if (!cli_parse_u64(optarg, 1, 256, 0, &v))
                return cli_bad_usage(PROG, NULL, "invalid thread count '%s' "
                                     "(1..256)", optarg);
            o->threads = (unsigned)v;
            break;
        case 'w': o->watch_dir = optarg; break;
        case OPT_STATS: o->stats = true; break;
        case 'q': o->quiet = true; break;
        case 'h': usage(stdout); return 0;
        case 'V':
            printf(PROG " (libframe) %s\n", frame_version_string());
            return 0;
        default:
            return cli_try_help(PROG); /* getopt_long() said what */
        }
    }
    if (optind == argc && !o->watch_dir)
        return cli_bad_usage(PROG, NULL, "no input: give PNG files or "
                             "directories");
    return -1;
}

/* ---- inputs ------------------------------------------------------------ */

static void drop(struct producer *p, size_t file, const char *why)
{
    if (p->dropped[file])
        return;
    complain("'%s': %s", p->in.paths[file], why);
    p->dropped[file] = true;
    p->live--;
    p->skipped_files++;
}

static int grow_dropped(struct producer *p)
{
    bool *d = realloc(p->dropped, (p->in.count ? p->in.count : 1) * sizeof(*d));
    if (!d)
        return -ENOMEM;
    p->dropped = d;
    return 0;
}

/* Expand PATHs, read every header, drop the bad, find the largest frame.
 * A slot takes any frame whose bytes fit, so the segment is sized for the
 * frame with the most pixels, as it is: the largest width times the largest
 * height would make 8192x1 and 1x8192 need 256 MiB a slot instead of 32 KiB. */
static int gather_inputs(struct producer *p, char **paths, int n,
                         uint32_t *max_w, uint32_t *max_h, uint64_t *total)
{
    char err[PNG_LOAD_ERR_MAX];
    for (int i = 0; i < n; i++) {
        size_t before = p->in.count;
        int rc = inputs_add(&p->in, paths[i], err, sizeof(err));
        if (rc == -ENOMEM)
            return rc;
        if (rc) {
            complain("'%s': %s", paths[i], err);
            p->skipped_files++;
        } else if (p->in.count == before) {
            complain("'%s': no *.png files in this directory", paths[i]);
        }
    }
    if (grow_dropped(p))
        return -ENOMEM;
    p->live = p->in.count;
    *total = 0;
    for (size_t i = 0; i < p->in.count; i++) {
        uint32_t w, h;
        p->dropped[i] = false;
        if (png_probe(p->in.paths[i], &w, &h, err, sizeof(err))) {
            drop(p, i, err);
            continue;
        }
        if ((uint64_t)w * h > (uint64_t)*max_w * *max_h) {
            *max_w = w;
            *max_h = h;
        }
        *total += (uint64_t)w * h * 4;
    }
    return 0;
}

/* The next input in play order, or NO_FILE when --once has played them. */
static size_t next_file(void *ctx)
{
    struct producer *p = ctx;
    for (size_t tries = 0; tries <= p->in.count && !p->pass_over; tries++) {
        if (p->cursor >= p->in.count) {
            p->cursor = 0;
            if (!p->o.loop) {
                p->pass_over = true;
                break;
            }
        }
        size_t f = p->cursor++;
        if (!p->dropped[f])
            return f;
    }
    return NO_FILE;
}

/* ---- frames into the slot ---------------------------------------------- */

/* Begin a frame in the back slot; p->slot describes it until commit.
 * Only -EFBIG is the image's fault; any other failure is the segment's and
 * is kept in p->segment_rc, so it is never blamed on the file. */
static int begin_slot(struct producer *p, uint32_t w, uint32_t h, char *err,
                      size_t errlen)
{
    int rc = frame_writer_begin(p->w, w, h, &p->slot);
    if (rc == -EFBIG)
        snprintf(err, errlen,
                 "image %ux%u does not fit the segment (start with "
                 "--max-size)", w, h);
    else if (rc) {
        snprintf(err, errlen, "segment: %s", frame_strerror(rc));
        p->segment_rc = rc;
    }
    return rc;
}

/* Nothing more can be published: said once, and the run ends with 1. */
static int segment_failed(struct producer *p, int rc)
{
    complain("segment '%s': %s", p->o.name, frame_strerror(rc));
    return rc;
}

/* png_load() asks for the destination once it knows the size: the slot. */
static int into_slot(void *ctx, uint32_t w, uint32_t h, uint8_t **pixels,
                     size_t *stride, char *err, size_t errlen)
{
    struct producer *p = ctx;
    int rc = begin_slot(p, w, h, err, errlen);
    if (rc)
        return rc;
    *pixels = p->slot.pixels;
    *stride = p->slot.stride;
    return 0;
}

static int copy_into_slot(struct producer *p, const uint8_t *src, uint32_t w,
                          uint32_t h, char *err, size_t errlen)
{
    int rc = begin_slot(p, w, h, err, errlen);
    if (rc)
        return rc;
    /* Our buffers and the slot are both tightly packed. */
    memcpy(p->slot.pixels, src, (size_t)p->slot.stride * h);
    return 0;
}

static void cache_keep(struct producer *p, size_t f, const uint8_t *src,
                       uint32_t w, uint32_t h)
{
    struct cache *c = &p->cache;
    if (!c->on || c->pixels[f])
        return;
    uint8_t *copy = malloc((size_t)w * h * 4);
    if (!copy) {
        c->on = false; /* no memory: carry on decoding */
        return;
    }
    memcpy(copy, src, (size_t)w * h * 4);
    c->pixels[f] = copy;
    c->width[f] = w;
    c->height[f] = h;
    c->filled++;
}

static bool cache_complete(const struct producer *p)
{
    return p->cache.on && p->cache.filled == p->live && p->live > 0;
}

/* Decoding threads are no use once every frame is cached; the cursor goes
 * on from the frame just played. */
static void retire_pool(struct producer *p)
{
    decode_pool_free(p->pool);
    p->pool = NULL;
    p->cursor = p->playing + 1;
}

static double ms_between(int64_t a, int64_t b) { return (b - a) / 1e6; }

/*
 * Put the next good frame into the back slot (begun, not committed).
 * Returns 0, 1 when --once has played everything, -ENOENT when no input is
 * usable, -EINTR when asked to stop, or the segment's fault, already said.
 */
static int produce_next(struct producer *p)
{
    char err[PNG_LOAD_ERR_MAX];
    for (;;) {
        if (stop_requested())
            return -EINTR;
        if (p->live == 0)
            return -ENOENT;
        int64_t t0 = now_ns();
        if (cache_complete(p)) {
            if (p->pool)
                retire_pool(p);
            size_t f = next_file(p);
            if (f == NO_FILE)
                return 1;
            struct cache *c = &p->cache;
            int rc = copy_into_slot(p, c->pixels[f], c->width[f],
                                    c->height[f], err, sizeof(err));
            if (rc)
                return segment_failed(p, rc); /* cached frames fit */
            p->playing = f;
            p->frame_ms = ms_between(t0, now_ns());
            return 0;
        }
        if (p->pool) {
            bool done;
            struct decoded *d = decode_pool_take(p->pool, 100, &done);
            if (!d) {
                if (done)
                    return 1;
                continue; /* look at stop_requested() again */
            }
            int rc = d->rc;
            if (rc == -ECANCELED) {
                /* only when the pool is stopping: not the file's fault */
            } else if (rc) {
                drop(p, d->file, d->err);
            } else if ((rc = copy_into_slot(p, d->pixels, d->width,
                                            d->height, err,
                                            sizeof(err))) == 0) {
                cache_keep(p, d->file, d->pixels, d->width, d->height);
                p->playing = d->file;
                p->frame_ms = d->decode_ms;
            } else if (rc == -EFBIG) {
                drop(p, d->file, err);
            }
            decode_pool_release(p->pool, d, false);
            if (p->segment_rc)
                return segment_failed(p, p->segment_rc);
            if (rc == 0)
                return 0;
            continue;
        }
        size_t f = next_file(p);
        if (f == NO_FILE)
            return 1;
        int taken;
        int rc = png_load(p->loader, p->in.paths[f], into_slot, p, &taken,
                          err, sizeof(err));
        if (rc) {
            /* Never publish a frame that failed halfway. */
            if (taken && rc != -EFBIG && !p->segment_rc)
                frame_writer_abort(p->w);
            if (p->segment_rc)
                return segment_failed(p, p->segment_rc);
            if (rc == -ECANCELED)
                return -EINTR;
            drop(p, f, err);
            continue;
        }
        p->playing = f;
        p->frame_ms = ms_between(t0, now_ns());
        cache_keep(p, f, p->slot.pixels, p->slot.width, p->slot.height);
        return 0;
    }
}

/* ---- pacing and stats --------------------------------------------------- */

/* Sleep until the absolute deadline, keeping the heartbeat going. False if
 * a stop was requested meanwhile. */
static bool sleep_until(struct producer *p, int64_t deadline)
{
    for (;;) {
        if (stop_requested())
            return false;
        int64_t now = now_ns();
        if (now >= deadline)
            return true;
        int64_t until = deadline - now > HEARTBEAT_NS ? now + HEARTBEAT_NS
                                                      : deadline;
        struct timespec ts = {.tv_sec = until / 1000000000,
                              .tv_nsec = until % 1000000000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        frame_writer_heartbeat(p->w);
    }
}

static void stats_tick(struct producer *p, int64_t now)
{
    if (!p->o.stats || now - p->interval_ns < 1000000000)
        return;
    double secs = (now - p->interval_ns) / 1e9;
    double fps = p->interval_frames / secs;
    double ms = p->interval_frames ? p->interval_ms / p->interval_frames : 0;
    fprintf(stderr,
            PROG ": %" PRIu64 " frames, %.1f fps, %s %.1f ms/frame, "
            "%" PRIu64 " skipped files%s\n",
            p->published, fps, cache_complete(p) ? "cache" : "decode", ms,
            p->skipped_files,
            p->interval_late ? ", behind: decoding is slower than --fps" : "");
    p->interval_ns = now;
    p->interval_frames = 0;
    p->interval_ms = 0;
    p->interval_late = 0;
}

/* Commit the frame in the slot at its deadline. False if stopping. */
static bool publish(struct producer *p, int64_t *deadline)
{
    int64_t period = p->o.fps > 0 ? (int64_t)(1e9 / p->o.fps) : 0;
    if (period && !sleep_until(p, *deadline)) {
        frame_writer_abort(p->w);
        return false;
    }
    int rc = frame_writer_commit(p->w, 0, p->playing);
    if (rc) {
        segment_failed(p, rc);
        return false;
    }
    p->published++;
    p->interval_frames++;
    p->interval_ms += p->frame_ms;
    int64_t now = now_ns();
    if (period) {
        *deadline += period;
        /* Already past the next deadline: decoding cannot keep up. Start
         * counting from now rather than bursting to catch up. */
        if (now > *deadline) {
            p->interval_late++;
            if (now > *deadline + period)
                *deadline = now;
        }
    }
    stats_tick(p, now);
    return true;
}

/* ---- the two ways to run ------------------------------------------------ */

static int play(struct producer *p)
{
    for (;;) {
        if (p->o.count && p->published >= p->o.count)
            return 0;
        int rc = produce_next(p);
        if (rc == 1 || rc == -EINTR)
            return 0;
        if (rc == -ENOENT) {
            complain("no valid input%s", p->published ? " left" : "");
            return 1;
        }
        if (rc)
            return 1;
        if (!publish(p, &p->deadline))
            return stop_requested() ? 0 : 1;
    }
}

static int watch_loop(struct producer *p)
{
    struct watch *wt = p->watch;
    say(p, "watching '%s' for new PNG files", p->o.watch_dir);
    int status = 0;
    int rc;
    char path[4096 + 256];
    /* Watched files are not added to the input list: it would grow by one
     * path per event, forever. They are tagged on from the given files. */
    size_t tag = p->in.count;
    while (!stop_requested() && !(p->o.count && p->published >= p->o.count)) {
        rc = watch_next(wt, HEARTBEAT_NS / 1000000, path, sizeof(path));
        frame_writer_heartbeat(p->w);
        stats_tick(p, now_ns());
        if (rc == WATCH_GONE) {
            complain("watch '%s': the directory was deleted or moved away",
                     p->o.watch_dir);
            status = 1;
            break;
        }
        if (rc < 0) {
            complain("watch '%s': %s", p->o.watch_dir, strerror(-rc));
            status = 1;
            break;
        }
        if (rc == 0)
            continue;
        char err[PNG_LOAD_ERR_MAX];
        int taken;
        int64_t t0 = now_ns();
        rc = png_load(p->loader, path, into_slot, p, &taken, err, sizeof(err));
        if (rc) {
            if (taken && rc != -EFBIG && !p->segment_rc)
                frame_writer_abort(p->w);
            if (p->segment_rc) {
                segment_failed(p, p->segment_rc);
                status = 1;
                break;
            }
            if (rc == -ECANCELED)
                break;
            complain("'%s': %s", path, err);
            p->skipped_files++;
            continue;
        }
        p->playing = tag++;
        p->frame_ms = ms_between(t0, now_ns());
        /* A renderer may write faster than --fps: pace, never burst. */
        if (p->deadline < now_ns() - (p->o.fps > 0 ? (int64_t)(1e9 / p->o.fps)
                                                   : 0))
            p->deadline = now_ns();
        if (!publish(p, &p->deadline)) {
            status = stop_requested() ? 0 : 1;
            break;
        }
    }
    return status;
}

/* ---- set-up and tear-down ----------------------------------------------- */

static int create_segment(struct producer *p, uint32_t max_w, uint32_t max_h)
{
    struct frame_format fmt = {.max_width = max_w, .max_height = max_h,
                               .slot_count = p->o.slots};
    bool replaced = false;
    int rc = frame_writer_create(p->o.name, &fmt, &p->w, &replaced);
    if (rc == FRAME_EALIVE) {
        struct frame_info info;
        if (frame_segment_info(p->o.name, &info) == 0)
            complain("segment '%s' is in use by a running producer (pid %d)",
                     p->o.name, (int)info.writer_pid);
        else
            complain("segment '%s' is in use by a running producer",
                     p->o.name);
        return 1;
    }
    if (rc) {
        complain("create segment '%s': %s", p->o.name, frame_strerror(rc));
        return 1;
    }
    if (replaced)
        say(p, "replaced the stale segment '%s' (its producer had died)",
            p->o.name);
    p->frame_bytes = (size_t)max_w * max_h * 4;
    return 0;
}

static int setup_cache(struct producer *p, uint64_t total)
{
    struct cache *c = &p->cache;
    c->on = !p->o.watch_dir && p->live > 0 &&
            (p->o.cache > 0 || (p->o.cache == 0 && total <= p->o.cache_limit));
    if (!c->on)
        return 0;
    c->pixels = calloc(p->in.count, sizeof(*c->pixels));
    c->width = calloc(p->in.count, sizeof(*c->width));
    c->height = calloc(p->in.count, sizeof(*c->height));
    return c->pixels && c->width && c->height ? 0 : -ENOMEM;
}

static void teardown(struct producer *p)
{
    decode_pool_free(p->pool);
    png_loader_free(p->loader);
    frame_writer_destroy(p->w); /* closed, readers woken, name unlinked */
    watch_close(p->watch);
    if (p->cache.pixels)
        for (size_t i = 0; i < p->in.count; i++)
            free(p->cache.pixels[i]);
    free(p->cache.pixels);
    free(p->cache.width);
    free(p->cache.height);
    free(p->dropped);
    inputs_free(&p->in);
}

int main(int argc, char **argv)
{
    struct producer p = {0};
    int status = parse_options(argc, argv, &p.o);
    if (status >= 0)
        return status;
    stop_signals_install();

    uint32_t max_w = 0, max_h = 0;
    uint64_t total = 0;
    if (gather_inputs(&p, argv + optind, argc - optind, &max_w, &max_h,
                      &total)) {
        complain("out of memory");
        teardown(&p);
        return 1;
    }
    if (p.live == 0 && !p.o.watch_dir) {
        complain("no valid input: none of the given paths is a readable PNG");
        teardown(&p);
        return 1;
    }
    if (p.o.max_w) {
        max_w = p.o.max_w;
        max_h = p.o.max_h;
    } else if (max_w == 0) {
        max_w = 1920; /* watching an empty directory: a common size */
        max_h = 1080;
    }
    status = 1;
    if (p.o.watch_dir) {
        int rc = watch_open(p.o.watch_dir, &p.watch);
        if (rc) {
            complain("watch '%s': %s", p.o.watch_dir, strerror(-rc));
            goto out;
        }
    }
    if (create_segment(&p, max_w, max_h))
        goto out;
    if (png_loader_new(max_h, &p.loader) || setup_cache(&p, total)) {
        complain("out of memory");
        goto out;
    }
    png_loader_set_cancel(p.loader, stop_flag());
    /* One thread decodes straight into the slot; more decode ahead into
     * buffers and pay one copy each (about 0.5% of a decode). */
    if (!p.o.watch_dir && p.o.threads > 1 && p.live > 1 &&
        decode_pool_new(p.o.threads, p.frame_bytes, max_h, p.in.paths,
                        next_file, &p, &p.pool)) {
        complain("cannot start decoding threads; decoding in one");
        p.pool = NULL;
    }
    say(&p, "publishing %zu file(s) to '%s' (%ux%u max, %.4g fps%s%s)", p.live,
        p.o.name, max_w, max_h, p.o.fps, p.cache.on ? ", cached" : "",
        p.o.loop && !p.o.watch_dir ? ", looping" : "");

    p.start_ns = p.interval_ns = p.deadline = now_ns();
    status = 0;
    if (p.live > 0) {
        if (p.o.watch_dir)
            p.o.loop = false;
        status = play(&p);
    }
    if (status == 0 && p.o.watch_dir && !stop_requested())
        status = watch_loop(&p);

    double secs = (now_ns() - p.start_ns) / 1e9;
    say(&p, "published %" PRIu64 " frame(s) in %.1f s (%.1f fps), skipped %"
        PRIu64 " file(s)", p.published, secs,
        secs > 0 ? p.published / secs : 0.0, p.skipped_files);
out:
    teardown(&p);
    return status;
}
