/* viewer: the newest frame of a libframe segment, in a window or headless. */
#include "cli.h"
#include "clock.h"
#include "msg.h"
#include "present.h"
#include "snapshot.h"
#include "stats.h"
#include "stop.h"
#include "waiter.h"

#include <libframe/frame.h>

#define SDL_MAIN_HANDLED /* our main() is main(), on every platform */
#include <SDL.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NO_DEADLINE INT64_MAX
/* Headless: the longest single frame_reader_wait(), which bounds how late
 * a signal is noticed (the library sleeps through EINTR). */
#define WAIT_SLICE_MS 200
/* A frame torn during upload is retried with the newer one this often. */
#define UPLOAD_TRIES 8
/* Next to nothing shown while the frames tried were overwritten under us:
 * the producer is too fast for whole-frame reads (starved()). */
#define STARVED_NS INT64_C(1000000000)
#define STARVED_FPS 10
#define STARVED_RETRIES 16
#define HUD_LINES 8

struct options {
    const char *name;
    bool headless;
    uint64_t frames;  /* 0: no limit */
    double seconds;   /* 0: no limit */
    const char *snapshot;
    double wait;      /* < 0: forever */
    bool vsync;
    bool fullscreen;
    bool stats;
};

/* What both modes share. */
struct viewer {
    struct options o;
    int64_t end_ns;      /* --seconds */
    int64_t wait_end_ns; /* --wait, until the first producer is found */
    bool attached;       /* a producer has been found at least once */
    uint64_t shown;      /* frames shown since start */
    int reported;        /* the last problem printed, to print each once */
    struct stats st;
    /* since the last frame shown, to tell a starved reader (starved()) */
    struct {
        uint64_t shown, retries;
        int64_t since;
        bool said;
    } starve;
};


/* What to call a segment's problem, for stderr and the window. */
static void problem_text(const struct viewer *vw, int rc, char *buf,
                         size_t len)
{
    snprintf(buf, len, "segment '%s': %s", vw->o.name, frame_strerror(rc));
}

/* A segment that cannot be used: said once (the library returns each
 * change of state once), then waited out. Returns whether it was said. */
static bool report_problem(struct viewer *vw, int rc)
{
    if (rc == vw->reported)
        return false;
    vw->reported = rc;
    char text[FRAME_NAME_MAX + 96];
    problem_text(vw, rc, text, sizeof(text));
    msg_error("%s; waiting for a producer", text);
    return true;
}

static void usage(FILE *to)
{
    fprintf(to, "Usage: %s [OPTION]...\n", msg_prog());
    fputs(
"Show the newest frame of the libframe segment /dev/shm/libframe.NAME in a\n"
"window, or read frames without one. Starts in any order with the producer\n"
"and follows it when it stops, dies or restarts.\n"
"\n"
"  -n, --name NAME        segment name (default: default)\n"
"  -H, --headless         no window: copy each frame as it arrives\n"
"  -c, --frames N         exit after showing N frames\n"
"  -t, --seconds S        exit S seconds after start\n"
"  -o, --snapshot FILE    on exit, write the last frame shown to FILE (PNG,\n"
"                         its own size, exactly the bytes published)\n"
"  -w, --wait S           exit 1 if no producer appears within S seconds of\n"
"                         start (default: wait forever, and headless mode\n"
"                         says once that it is waiting)\n"
"      --vsync            present in step with the display (default)\n"
"      --no-vsync         present as soon as a frame arrives\n"
"  -f, --fullscreen       start fullscreen\n"
"  -s, --stats            a line every second on stdout: frames shown per\n"
"                         second, producer rate, latency from publish to\n"
"                         present (median, 99th percentile), frames skipped,\n"
"                         torn reads retried\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Keys: q or Esc quit, space pause, f fullscreen, s save a snapshot in the\n"
"current directory, h heads-up display, 1 native size.\n"
"\n"
"Exit status: 0 success, 1 runtime failure, 2 bad usage.\n", to);
}

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
    enum { OPT_VSYNC = 256, OPT_NO_VSYNC };
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'},
        {"headless", no_argument, NULL, 'H'},
        {"frames", required_argument, NULL, 'c'},
        {"seconds", required_argument, NULL, 't'},
        {"snapshot", required_argument, NULL, 'o'},
        {"wait", required_argument, NULL, 'w'},
        {"vsync", no_argument, NULL, OPT_VSYNC},
        {"no-vsync", no_argument, NULL, OPT_NO_VSYNC},
        {"fullscreen", no_argument, NULL, 'f'},
        {"stats", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct options){.name = "default", .wait = -1, .vsync = true};
    /* Our own messages, named as every message is rather than argv[0]. */
    const char *prog = msg_prog();
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":n:Hc:t:o:w:fshV", longopts,
                            NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_segment_name(prog, optarg))
                return 2;
            o->name = optarg;
            break;
        case 'H': o->headless = true; break;
        case 'c':
            if (!cli_parse_u64(optarg, 1, UINT64_MAX, 0, &o->frames))
                return cli_bad_usage(prog, NULL, "invalid frame count '%s'",
                                     optarg);
            break;
        case 't':
            /* 0 would mean no limit: --seconds 0 is refused, not ignored. */
            if (!cli_parse_double(optarg, 0, 1e7, &o->seconds) ||
                o->seconds == 0)
                return cli_bad_usage(prog, NULL, "invalid number of seconds "
                                     "'%s'", optarg);
            break;
        case 'o':
            if (!*optarg)
                return cli_bad_usage(prog, NULL, "empty snapshot file name");
            o->snapshot = optarg;
            break;
        case 'w':
            if (!cli_parse_double(optarg, 0, 1e7, &o->wait))
                return cli_bad_usage(prog, NULL, "invalid wait '%s' "
                                     "(seconds)", optarg);
            break;
        case OPT_VSYNC: o->vsync = true; break;
        case OPT_NO_VSYNC: o->vsync = false; break;
        case 'f': o->fullscreen = true; break;
        case 's': o->stats = true; break;
        case 'h': usage(stdout); return 0;
        case 'V':
            printf("%s (libframe) %s\n", prog, frame_version_string());
            return 0;
        default:
            /* glibc sets optopt to a long option's val too ('c' for
             * --frames, 256 for --vsync): one written long is named as
             * written. */
            if (strncmp(argv[optind - 1], "--", 2) == 0)
                optopt = 0;
            return cli_option_error(prog, NULL, c, argv);
        }
    }
    if (optind < argc)
        return cli_bad_usage(prog, NULL, "unexpected argument '%s'",
                             argv[optind]);
    return -1;
}

/* ---- shared by both modes ----------------------------------------------- */

static int64_t deadline_after(int64_t start, double seconds)
{
    return start + (int64_t)(seconds * 1e9);
}

/* Milliseconds from now to deadline, rounded up, for a sleep or a wait;
 * -1 for no deadline. */
static int ms_until(int64_t deadline, int64_t now)
{
    if (deadline == NO_DEADLINE)
        return -1;
    if (deadline <= now)
        return 0;
    int64_t ms = (deadline - now + 999999) / 1000000;
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static int min_timeout(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

static bool finished(const struct viewer *vw, int64_t now)
{
    return stop_requested() || now >= vw->end_ns ||
           (vw->o.frames && vw->shown >= vw->o.frames);
}

static bool gave_up(struct viewer *vw, int64_t now)
{
    if (vw->attached || now < vw->wait_end_ns)
        return false;
    if (vw->reported)
        msg_error_rc(vw->reported, "no producer on '%s' within %g s",
                     vw->o.name, vw->o.wait);
    else
        msg_error("no producer on '%s' within %g s", vw->o.name, vw->o.wait);
    return true;
}

static void print_stats(const struct stats_figures *f)
{
    char line[256];
    stats_format(f, line, sizeof(line));
    printf("%s\n", line);
    fflush(stdout);
}

/* Roll the stats interval if it is over; true if it was. */
static bool stats_tick(struct viewer *vw, frame_reader *r, int64_t now,
                       bool wanted)
{
    if (!wanted || now < stats_due(&vw->st))
        return false;
    stats_roll(&vw->st, r, now);
    if (vw->o.stats)
        print_stats(&vw->st.fig);
    return true;
}

/*
 * A producer that publishes faster than we can read a whole frame rewrites
 * nearly every frame we start on, and the picture all but stops. Looked at
 * a second at a time: fewer than STARVED_FPS frames shown while more than
 * 95% of the tries failed (at least STARVED_RETRIES) is said once per
 * reader handle, on stderr with what to do, and in `out` (may be NULL) in
 * a short form for the window.
 */
static bool starved(struct viewer *vw, frame_reader *r, int64_t now,
                    char *out, size_t len)
{
    struct frame_stats fs = {0};
    /* A broken segment's failures are its own, said as such: not ours. */
    if (r && frame_reader_state(r, NULL) == FRAME_READER_BROKEN)
        r = NULL;
    if (r)
        frame_reader_stats(r, &fs);
    if (!r || fs.retries < vw->starve.retries) { /* none, or a new one */
        vw->starve.shown = vw->shown;
        vw->starve.retries = fs.retries;
        vw->starve.since = now;
        if (!r)
            vw->starve.said = false;
        return false;
    }
    int64_t span = now - vw->starve.since;
    if (span < STARVED_NS)
        return false;
    uint64_t shown = vw->shown - vw->starve.shown;
    uint64_t tries = fs.retries - vw->starve.retries;
    vw->starve.shown = vw->shown;
    vw->starve.retries = fs.retries;
    vw->starve.since = now;
    bool few = shown * STARVED_NS < (uint64_t)(STARVED_FPS * span);
    if (vw->starve.said || !few || tries < STARVED_RETRIES ||
        tries <= 20 * shown)
        return false;
    vw->starve.said = true;
    struct frame_info info = {0};
    frame_reader_info(r, &info);
    msg_error("%" PRIu64 " frame(s) shown in %.1f s: %" PRIu64 " tries to "
              "read a whole frame found the producer rewriting it (%u slots); "
              "pace the producer (--fps) or give it more slots (--slots, up "
              "to %d)", shown, span / 1e9, tries, info.slot_count,
              FRAME_MAX_SLOTS);
    if (out)
        snprintf(out, len, "frames rewritten while read: producer too fast "
                 "(pace it with --fps, or more --slots)");
    return true;
}

static void close_reader(struct viewer *vw, frame_reader **r)
{
    stats_retire(&vw->st, *r);
    frame_reader_close(*r);
    *r = NULL;
}

/* ---- headless ------------------------------------------------------------ */

/* Frames are copied out of the segment: that copy is what "shown" means
 * here. Two buffers, so a copy that fails halfway never spoils the last
 * good frame. */
struct copies {
    uint8_t *buf[2];
    size_t cap[2];
    int shown;          /* index of the buffer holding the frame shown */
    bool have;
    uint32_t w, h;
    uint64_t session, frame_no;
};

/* Said at the first frame of each producer, not at each open: a segment
 * that opens but fails is reopened now and then, and says so only once. */
static void say_showing(struct viewer *vw, frame_reader *r)
{
    struct frame_info info;
    if (frame_reader_info(r, &info) == 0)
        msg_error("showing '%s' (producer pid %d)", vw->o.name,
                  (int)info.writer_pid);
    else
        msg_error("showing '%s'", vw->o.name);
}

/* Copy the newest frame out if it is new: acquire, copy, validate, as the
 * window mode uploads. `timed`: we were woken for it, so its latency means
 * something (a frame found on attach may be old). 0, or -ENOMEM. A frame
 * that cannot be read is not ours to report: the next wait says what the
 * segment became. */
static int copy_newest(struct viewer *vw, frame_reader *r, struct copies *c,
                       bool timed)
{
    int spare = !c->shown;
    struct frame_view v;
    int rc;
    /* Rows packed. The spare buffer grows to a larger frame (-ENOSPC says
     * its size), then the newest frame is copied again. */
    while ((rc = frame_reader_copy(r, c->buf[spare], 0, c->cap[spare],
                                   &v)) == -ENOSPC) {
        size_t need = (size_t)v.width * 4 * v.height;
        uint8_t *b = realloc(c->buf[spare], need);
        if (!b)
            return -ENOMEM;
        c->buf[spare] = b;
        c->cap[spare] = need;
    }
    if (rc == -ENOMEM)
        return rc;
    if (rc)
        return 0;
    if (c->have && v.session_id == c->session && v.frame_no == c->frame_no)
        return 0; /* the one shown already */
    if (!c->have || v.session_id != c->session)
        say_showing(vw, r);
    vw->reported = 0;
    c->shown = spare;
    c->have = true;
    c->w = v.width;
    c->h = v.height;
    c->session = v.session_id;
    c->frame_no = v.frame_no;
    vw->shown++;
    stats_frame(&vw->st, timed ? v.timestamp_ns : 0, now_ns());
    return 0;
}

/* Attached at once, or (FRAME_OPEN_WAIT) waiting, or what the name holds
 * is unusable: the first wait says why. */
static int open_reader(struct viewer *vw, frame_reader **r)
{
    int rc = frame_reader_open_flags(vw->o.name, FRAME_OPEN_WAIT, r);
    if (rc) {
        msg_error_rc(rc, "cannot read segment '%s'", vw->o.name);
        return rc;
    }
    enum frame_reader_state st = frame_reader_state(*r, NULL);
    if (st == FRAME_READER_ATTACHED)
        vw->attached = true;
    else if (st == FRAME_READER_WAITING && vw->o.wait < 0 && vw->o.headless)
        msg_error("waiting for producer '%s'", vw->o.name);
    return 0;
}

/* What frame_reader_wait() said about the segment, on stderr. */
static void say_change(struct viewer *vw, int rc)
{
    switch (rc) {
    case FRAME_ECLOSED:
        msg_error("producer stopped; waiting for it to start again");
        vw->reported = rc;
        break;
    case FRAME_ELOST:
        msg_error("producer lost (it died without closing); waiting for it "
                  "to start again");
        vw->reported = rc;
        break;
    case FRAME_ERESTARTED:
        vw->attached = true;
        break;
    default:
        report_problem(vw, rc);
        break;
    }
}

static int run_headless(struct viewer *vw)
{
    frame_reader *r = NULL;
    struct copies c = {0};
    int status = 0;
    if (open_reader(vw, &r))
        return 1;
    /* A frame newer than the one shown may be there ... */
    bool fresh = frame_reader_state(r, NULL) == FRAME_READER_ATTACHED;
    bool timed = false; /* ... and we were woken for it */

    for (;;) {
        int64_t now = now_ns();
        if (finished(vw, now))
            break;
        stats_tick(vw, r, now, vw->o.stats);
        starved(vw, r, now, NULL, 0);
        if (gave_up(vw, now)) {
            status = 1;
            break;
        }
        if (fresh) {
            fresh = false;
            if (copy_newest(vw, r, &c, timed) == -ENOMEM) {
                msg_error("out of memory for a frame");
                status = 1;
                break;
            }
            continue; /* look at --frames before sleeping */
        }
        int ms = min_timeout(WAIT_SLICE_MS, ms_until(vw->end_ns, now));
        if (vw->o.stats)
            ms = min_timeout(ms, ms_until(stats_due(&vw->st), now));
        if (!vw->attached)
            ms = min_timeout(ms, ms_until(vw->wait_end_ns, now));
        int rc = frame_reader_wait(r, ms);
        if (rc == 0 || rc == FRAME_ERESTARTED) {
            fresh = true;
            timed = rc == 0;
        }
        if (rc != 0 && rc != -ETIMEDOUT)
            say_change(vw, rc);
    }

    if (status == 0 && vw->o.snapshot) {
        if (!c.have) {
            msg_error("snapshot '%s': no frame was shown", vw->o.snapshot);
            status = 1;
        } else if (snapshot_write(vw->o.snapshot, c.buf[c.shown], c.w, c.h,
                                  (size_t)c.w * 4)) {
            status = 1;
        }
    }
    close_reader(vw, &r);
    free(c.buf[0]);
    free(c.buf[1]);
    return status;
}

/* ---- window -------------------------------------------------------------- */

struct window {
    struct viewer *vw;
    struct present *p;
    struct waiter waiter;
    uint32_t event_type;
    frame_reader *r;     /* the main thread's own handle */
    char status[FRAME_NAME_MAX + 128];
    bool paused;
    bool hud;
    bool dirty;          /* redraw before sleeping */
    bool title_dirty;
    bool quit;
    bool have_front;
    uint64_t front_session, front_frame_no;
    uint32_t bad_w, bad_h; /* a size SDL could not take: skipped */
};

static void set_status(struct window *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (fmt)
        vsnprintf(w->status, sizeof(w->status), fmt, ap);
    else
        w->status[0] = '\0';
    va_end(ap);
    w->dirty = true;
    w->title_dirty = true;
}

static void hud_lines(struct window *w, char lines[HUD_LINES][96])
{
    const struct stats *st = &w->vw->st;
    const struct stats_figures *f = &st->fig;
    if (st->have_fig) {
        snprintf(lines[0], 96, "shown     %.1f fps", f->shown_fps);
        if (f->have_producer_fps)
            snprintf(lines[1], 96, "producer  %.1f fps", f->producer_fps);
        else
            snprintf(lines[1], 96, "producer  -");
        if (f->have_latency)
            snprintf(lines[2], 96, "latency   p50 %.2f ms  p99 %.2f ms",
                     f->p50_ms, f->p99_ms);
        else
            snprintf(lines[2], 96, "latency   -");
        snprintf(lines[3], 96, "skipped   %" PRIu64 "  retries %" PRIu64,
                 f->skipped, f->retries);
    } else {
        snprintf(lines[0], 96, "shown     ...");
        snprintf(lines[1], 96, "producer  ...");
        snprintf(lines[2], 96, "latency   ...");
        snprintf(lines[3], 96, "skipped   ...");
    }
    uint32_t fw, fh;
    if (present_frame_size(w->p, &fw, &fh))
        snprintf(lines[4], 96, "frame     %ux%u #%" PRIu64 "%s", fw, fh,
                 w->front_frame_no, w->paused ? " (paused)" : "");
    else
        snprintf(lines[4], 96, "frame     none");
    snprintf(lines[5], 96, "renderer  %s%s", present_renderer_name(w->p),
             w->vw->o.vsync ? ", vsync" : "");
    /* Short lines: at 640 pixels wide the font can still be doubled. */
    snprintf(lines[6], 96, "q quit  space pause  f full");
    snprintf(lines[7], 96, "s save  h hud  1 native");
}

static int redraw(struct window *w)
{
    if (w->title_dirty) {
        present_set_title(w->p, w->status[0] ? w->status
                                : w->paused  ? "paused"
                                             : NULL);
        w->title_dirty = false;
    }
    char lines[HUD_LINES][96];
    const char *hud[HUD_LINES];
    struct overlay ov = {0};
    if (w->status[0])
        ov.status = w->status;
    else if (w->paused)
        ov.status = "paused";
    if (w->hud) {
        hud_lines(w, lines);
        for (int i = 0; i < HUD_LINES; i++)
            hud[i] = lines[i];
        ov.hud = hud;
        ov.hud_lines = HUD_LINES;
    }
    w->dirty = false;
    return present_draw(w->p, &ov);
}

/* On stderr and in the window, once. */
static void show_problem(struct window *w, int rc)
{
    if (!report_problem(w->vw, rc))
        return;
    char text[FRAME_NAME_MAX + 96];
    problem_text(w->vw, rc, text, sizeof(text));
    set_status(w, "%s", text);
}

/* The waiter thread follows the segment's life cycle with its own handle
 * (one thread each); when it attaches to a new writer, ours follows. */
static void reopen_reader(struct window *w)
{
    close_reader(w->vw, &w->r);
    if (frame_reader_open_flags(w->vw->o.name, FRAME_OPEN_WAIT, &w->r))
        w->r = NULL; /* out of memory or mappings: the next event retries */
}

/* Our handle reads the pixels, the waiter's only the header: a segment
 * truncated below its header faults in ours alone, so ours says so.
 * Whether it is broken. */
static bool mapping_broken(struct window *w)
{
    int why;
    if (frame_reader_state(w->r, &why) != FRAME_READER_BROKEN)
        return false;
    show_problem(w, why);
    return true;
}

/* Upload the newest frame from the mapping, validate, then present it.
 * `timed` as for copy_newest(). */
static int show_newest(struct window *w, bool timed)
{
    if (w->paused)
        return 0;
    if (!w->r)
        reopen_reader(w);
    if (!w->r)
        return 0;
    for (int tries = 0; tries < UPLOAD_TRIES; tries++) {
        struct frame_view v;
        /* Nothing, or nothing readable: the waiter says what became of
         * the segment, unless only our mapping knows (below). */
        if (frame_reader_acquire(w->r, &v)) {
            mapping_broken(w);
            return 0;
        }
        int rc;
        if (w->have_front && v.session_id == w->front_session &&
            v.frame_no == w->front_frame_no)
            return 0;
        if (v.width == w->bad_w && v.height == w->bad_h)
            return 0;
        rc = present_upload(w->p, &v);
        if (rc) {
            /* Said once (SDL's reason is printed already), and frames of
             * that size are skipped: others may still be shown. */
            if (rc == -EFBIG)
                msg_error("frame %ux%u is larger than the %s renderer's "
                          "largest texture; not shown", v.width, v.height,
                          present_renderer_name(w->p));
            else
                msg_error("frame %ux%u cannot be shown", v.width, v.height);
            w->bad_w = v.width;
            w->bad_h = v.height;
            return 0;
        }
        /* Only an upload the writer did not touch meanwhile is shown. */
        if (!frame_reader_still_valid(w->r, &v)) {
            if (mapping_broken(w))
                return 0;
            continue;
        }
        uint32_t ow = 0, oh = 0;
        present_frame_size(w->p, &ow, &oh);
        present_swap(w->p);
        if (!w->have_front || ow != v.width || oh != v.height)
            w->title_dirty = true;
        w->have_front = true;
        w->front_session = v.session_id;
        w->front_frame_no = v.frame_no;
        w->vw->reported = 0;
        if (w->status[0])
            set_status(w, NULL);
        rc = redraw(w);
        if (rc)
            return rc;
        w->vw->shown++;
        stats_frame(&w->vw->st, timed ? v.timestamp_ns : 0, now_ns());
        return 0;
    }
    return 0;
}

static void save_snapshot_now(struct window *w)
{
    uint8_t *px;
    uint32_t fw, fh;
    int rc = present_read_front(w->p, &px, &fw, &fh);
    if (rc == -ENOENT) {
        msg_error("snapshot: no frame shown yet");
        return;
    }
    if (rc == -ENOMEM)
        msg_error("snapshot: out of memory");
    if (rc)
        return;
    char path[4096];
    if (snapshot_auto_path(w->vw->o.name, path, sizeof(path)) == 0 &&
        snapshot_write(path, px, fw, fh, (size_t)fw * 4) == 0) {
        printf("snapshot saved: %s\n", path);
        fflush(stdout);
    }
    free(px);
}

static int on_key(struct window *w, const SDL_KeyboardEvent *k)
{
    if (k->repeat)
        return 0;
    switch (k->keysym.sym) {
    case SDLK_q:
    case SDLK_ESCAPE:
        w->quit = true;
        return 0;
    case SDLK_SPACE:
        w->paused = !w->paused;
        w->dirty = true;
        w->title_dirty = true;
        return show_newest(w, false);
    case SDLK_f:
        present_toggle_fullscreen(w->p); /* printed if it failed */
        return 0;
    case SDLK_s:
        save_snapshot_now(w);
        return 0;
    case SDLK_h:
        w->hud = !w->hud;
        w->dirty = true;
        return 0;
    case SDLK_1:
        present_native_size(w->p);
        return 0;
    }
    return 0;
}

/* What the waiter thread saw. */
static int on_segment(struct window *w, int code)
{
    struct viewer *vw = w->vw;
    switch (code) {
    case 0:
        waiter_frame_taken(&w->waiter);
        return show_newest(w, true);
    case FRAME_ERESTARTED:
        /* The status stays until a frame is shown. */
        vw->attached = true;
        w->bad_w = w->bad_h = 0;
        reopen_reader(w);
        return show_newest(w, false);
    case FRAME_ECLOSED:
        set_status(w, "producer stopped");
        return 0;
    case FRAME_ELOST:
        set_status(w, "producer lost");
        return 0;
    default:
        show_problem(w, code);
        return 0;
    }
}

static int on_event(struct window *w, const SDL_Event *ev)
{
    if (ev->type == w->event_type)
        return on_segment(w, ev->user.code);
    switch (ev->type) {
    case SDL_QUIT:
        w->quit = true;
        break;
    case SDL_KEYDOWN:
        return on_key(w, &ev->key);
    case SDL_WINDOWEVENT:
        w->dirty = true; /* exposed, resized, shown: draw again */
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        w->dirty = true;
        break;
    }
    return 0;
}

/* Sleep in SDL until an event or the next deadline. */
static int next_timeout(struct window *w, int64_t now)
{
    struct viewer *vw = w->vw;
    int ms = ms_until(vw->end_ns, now);
    if (!vw->attached)
        ms = min_timeout(ms, ms_until(vw->wait_end_ns, now));
    if (vw->o.stats || w->hud)
        ms = min_timeout(ms, ms_until(stats_due(&vw->st), now));
    return ms;
}

static int run_window(struct viewer *vw)
{
    struct window w = {.vw = vw};
    int status = 1;
    struct present_config cfg = {.name = vw->o.name, .vsync = vw->o.vsync,
                                 .fullscreen = vw->o.fullscreen};
    if (present_open(&cfg, &w.p))
        goto out;
    w.event_type = SDL_RegisterEvents(1);
    if (w.event_type == (uint32_t)-1) {
        msg_error("SDL_RegisterEvents: %s", SDL_GetError());
        goto out;
    }
    /* Ours first: a producer already there is shown at once (and
     * --wait 0 means "if there is one now"); the waiter then follows it. */
    if (open_reader(vw, &w.r))
        goto out;
    int rc = waiter_start(&w.waiter, vw->o.name, w.event_type,
                          stop_flag());
    if (rc) {
        msg_error_rc(rc, "cannot start the waiting thread");
        goto out;
    }
    if (vw->attached) {
        if (show_newest(&w, false))
            goto out;
    } else {
        set_status(&w, "waiting for producer '%s'", vw->o.name);
    }

    status = 0;
    while (!w.quit) {
        int64_t now = now_ns();
        if (finished(vw, now))
            break;
        if (gave_up(vw, now)) {
            status = 1;
            break;
        }
        if (stats_tick(vw, w.r, now, vw->o.stats || w.hud) && w.hud)
            w.dirty = true;
        char why[sizeof(w.status)];
        if (starved(vw, w.r, now, why, sizeof(why)))
            set_status(&w, "%s", why);
        if (w.dirty && redraw(&w)) {
            status = 1;
            break;
        }
        SDL_Event ev;
        int ms = next_timeout(&w, now);
        int got = ms < 0 ? SDL_WaitEvent(&ev) : SDL_WaitEventTimeout(&ev, ms);
        if (!got && ms < 0) {
            msg_error("SDL_WaitEvent: %s", SDL_GetError());
            status = 1;
            break;
        }
        /* Take everything queued before drawing once. */
        while (got) {
            if (on_event(&w, &ev)) {
                status = 1;
                w.quit = true;
                break;
            }
            got = SDL_PollEvent(&ev);
        }
    }

    if (status == 0 && vw->o.snapshot) {
        uint8_t *px;
        uint32_t fw, fh;
        rc = present_read_front(w.p, &px, &fw, &fh);
        if (rc == -ENOENT)
            msg_error("snapshot '%s': no frame was shown", vw->o.snapshot);
        else if (rc == -ENOMEM)
            msg_error("snapshot '%s': out of memory", vw->o.snapshot);
        if (rc == 0) {
            rc = snapshot_write(vw->o.snapshot, px, fw, fh, (size_t)fw * 4);
            free(px);
        }
        if (rc)
            status = 1;
    }
out:
    waiter_stop(&w.waiter);
    close_reader(vw, &w.r);
    present_close(w.p);
    return status;
}

/* ---- main ---------------------------------------------------------------- */

int main(int argc, char **argv)
{
    msg_set_prog("viewer");
    struct viewer *vw = calloc(1, sizeof(*vw)); /* the stats are 32 KiB */
    if (!vw) {
        msg_error("out of memory");
        return 1;
    }
    int status = parse_options(argc, argv, &vw->o);
    if (status >= 0)
        goto out;
    stop_signals_install();

    int64_t start = now_ns();
    vw->end_ns = vw->o.seconds > 0 ? deadline_after(start, vw->o.seconds)
                                   : NO_DEADLINE;
    vw->wait_end_ns = vw->o.wait >= 0 ? deadline_after(start, vw->o.wait)
                                      : NO_DEADLINE;
    stats_init(&vw->st, start);
    status = vw->o.headless ? run_headless(vw) : run_window(vw);
out:
    free(vw);
    return status;
}
