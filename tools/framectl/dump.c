/* framectl dump: published frames as raw video of their own format (or
 * one asked for), for ffmpeg and friends. */
#include "cli.h"
#include "framectl.h"
#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How often a wait looks at the stop flag: frame_reader_wait() does not
 * return for signals, only for frames, changes of state and its timeout. */
#define WAIT_SLICE_MS 100
/* The first frame is held back this long at most for a second one, whose
 * publish time gives the rate to print before any data. */
#define RATE_WAIT_NS 1000000000
/* An end of the dump whose reason is already on stderr: exit 1. */
#define SAID 1

struct dump {
    const char *name;
    const char *out_name; /* the file, or "stdout", for messages */
    int fd;
    uint64_t count; /* 0: until the writer stops */
    bool wait;      /* --wait: no writer yet is no end */
    bool follow;    /* --follow: a writer's end is no end either */
    bool said_waiting;
    /* --wait found a dead writer's segment: its last frame is not the
     * writer's we wait for, nor anything until the name changes hands. */
    bool skip_stale;
    uint64_t written, skipped;
    uint32_t width, height;
    /* --format: every frame converted to it (out_format), whatever the
     * writer sends; else the first frame's format is the stream's. */
    bool convert;
    uint32_t out_format;
    uint32_t src_format; /* the first frame's own */
    size_t frame_bytes;
    uint8_t *buf[2]; /* [0] the frame held back or written next */
    bool announced;
    bool holding; /* buf[0] holds a frame not yet written */
    struct frame_view held;
    int64_t held_at;
    bool have_last;
    uint64_t last_session, last_no;
    bool broken_pipe; /* the reader of our output left: end quietly */
    int write_err;    /* errno of a failed write, other than EPIPE */
};

/* 0, or -errno; EPIPE is remembered rather than reported. */
static int write_all(struct dump *d, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = write(d->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE)
                d->broken_pipe = true;
            else
                d->write_err = errno;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The stream's first line on stderr: "WxH FORMAT [@ F fps]: ffmpeg's
 * input options", so what a script needs is in the first two words and
 * what a user needs can be pasted. */
static void announce(struct dump *d, double fps)
{
    if (d->announced)
        return;
    d->announced = true;
    const struct frame_format_desc *f = frame_format_desc(d->out_format);
    char rate[64] = "", opt[80] = "";
    /* A writer's timestamps can make any rate: none beyond reason. */
    if (fps > 0 && fps < 1e6) {
        snprintf(rate, sizeof(rate), " @ %.6g fps", fps);
        snprintf(opt, sizeof(opt), " -framerate %.6g", fps);
    }
    fprintf(stderr,
            "%ux%u %s%s: ffmpeg -f rawvideo -pixel_format %s "
            "-video_size %ux%u%s -i -\n",
            d->width, d->height, f->name, rate, f->ffmpeg, d->width, d->height,
            opt);
    fflush(stderr);
}

/* Write the frame held back, if any. 0 or -errno. */
static int flush_held(struct dump *d)
{
    if (!d->holding)
        return 0;
    d->holding = false;
    announce(d, 0);
    int rc = write_all(d, d->buf[0], d->frame_bytes);
    if (rc == 0)
        d->written++;
    return rc;
}

static bool done(const struct dump *d)
{
    return d->count && d->written >= d->count;
}

/* An acquire that failed in a way the next frame may not (lapped by a fast
 * writer), or that frame_reader_wait() reports as the reader becoming
 * BROKEN: the dump goes on, and the wait says what it means. */
static bool try_next_frame(int rc)
{
    return rc == FRAME_EBUSY || rc == FRAME_ENOFRAME || rc == FRAME_EBADFRAME ||
           rc == FRAME_EDEAD;
}

/* The first frame fixes the size and format of the raw stream. */
static int size_output(struct dump *d, frame_reader *r)
{
    struct frame_view v;
    int rc = frame_reader_acquire(r, &v);
    if (rc)
        return rc;
    d->width = v.width;
    d->height = v.height;
    d->src_format = v.format;
    if (!d->convert)
        d->out_format = v.format;
    /* Tight rows, planes one after another: ffmpeg's rawvideo. */
    d->frame_bytes =
        frame_image_layout(NULL, d->out_format, v.width, v.height, 1, NULL);
    if (!d->frame_bytes)
        return -EFBIG; /* a validated frame cannot get here */
    d->buf[0] = malloc(d->frame_bytes);
    d->buf[1] = malloc(d->frame_bytes);
    return d->buf[0] && d->buf[1] ? 0 : -ENOMEM;
}

/* A frame that cannot continue the raw stream: another size, or (unless
 * converting) another format. Says so and returns true. */
static bool stream_changed(struct dump *d, const struct frame_view *v)
{
    bool resized = v->width != d->width || v->height != d->height;
    bool reformatted = !d->convert && v->format != d->src_format;
    if (!resized && !reformatted)
        return false;
    /* A new writer (--follow) is held to the same stream: the one it would
     * continue has one size and format. */
    bool new_writer = d->have_last && v->session_id != d->last_session;
    const char *more = new_writer ? " with a new writer" : "";
    if (resized)
        complain("dump", d->name,
                 "the frame size changed from %ux%u to %ux%u%s; a raw video "
                 "stream cannot change size",
                 d->width, d->height, v->width, v->height, more);
    else
        complain("dump", d->name,
                 "the pixel format changed from %s to %s%s; a raw video "
                 "stream cannot change format (--format converts every frame "
                 "to one)",
                 format_word(d->src_format), format_word(v->format), more);
    return true;
}

/*
 * Copy the newest frame and write it. 0 (written, held back, or nothing
 * new), SAID (the size or format changed), or an error: -errno of the
 * output (status in d->broken_pipe) or a libframe code.
 */
static int take_frame(struct dump *d, frame_reader *r)
{
    int rc;
    if (!d->buf[0] && (rc = size_output(d, r)))
        return try_next_frame(rc) ? 0 : rc;
    uint8_t *dst = d->holding ? d->buf[1] : d->buf[0];
    struct frame_view v;
    /* The stream's format, not the frame's own: a frame of another size
     * does not fit (-ENOSPC), one of another format is converted, and both
     * are then refused by stream_changed(). */
    rc = frame_reader_copy_format(r, d->out_format, dst, d->frame_bytes, 1, &v);
    if (try_next_frame(rc))
        return 0;
    if ((rc == -ENOSPC || rc == 0) && stream_changed(d, &v))
        return SAID;
    if (rc)
        return rc;
    bool same_session = d->have_last && v.session_id == d->last_session;
    if (same_session && v.frame_no <= d->last_no)
        return 0; /* each distinct frame once */
    if (same_session && v.frame_no > d->last_no + 1)
        d->skipped += v.frame_no - d->last_no - 1;
    d->have_last = true;
    d->last_session = v.session_id;
    d->last_no = v.frame_no;

    if (!d->announced && !d->holding && d->count != 1) {
        d->holding = true;
        d->held = v;
        d->held_at = now_ns();
        return 0;
    }
    if (d->holding) {
        double fps = 0;
        /* In doubles: the timestamps are the writer's, and need not be
         * sane enough for their difference to fit an int64_t. */
        if (v.session_id == d->held.session_id &&
            v.frame_no > d->held.frame_no &&
            v.timestamp_ns > d->held.timestamp_ns)
            fps = (double)(v.frame_no - d->held.frame_no) * 1e9 /
                  ((double)v.timestamp_ns - (double)d->held.timestamp_ns);
        announce(d, fps);
        if ((rc = flush_held(d)))
            return rc;
        if (done(d))
            return 0;
        dst = d->buf[1];
    }
    announce(d, 0);
    if ((rc = write_all(d, dst, d->frame_bytes)))
        return rc;
    d->written++;
    return 0;
}

static int open_output(struct dump *d, const char *path)
{
    if (!path || strcmp(path, "-") == 0) {
        d->fd = STDOUT_FILENO;
        d->out_name = "stdout";
        return 0;
    }
    d->out_name = path;
    d->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    return d->fd < 0 ? -errno : 0;
}

/* What the writer going away means for the dump: its exit status. */
static int writer_gone(struct dump *d, int why)
{
    if (why == FRAME_ECLOSED && d->count && d->written < d->count) {
        complain("dump", d->name,
                 "the writer stopped after %llu of %llu "
                 "frame(s)",
                 (unsigned long long)d->written, (unsigned long long)d->count);
        return EXIT_FAIL;
    }
    if (why == FRAME_ECLOSED)
        return EXIT_OK;
    complain("dump", d->name,
             "the writer died after %llu frame(s) were "
             "written",
             (unsigned long long)d->written);
    return EXIT_FAIL;
}

static void say_waiting(struct dump *d)
{
    if (d->said_waiting)
        return;
    d->said_waiting = true;
    complain("dump", d->name, "waiting for a writer");
}

/*
 * A change of the reader's state, as frame_reader_wait() returned it (each
 * once): 0 to go on recording, or what ends the dump: FRAME_ECLOSED or
 * FRAME_ELOST (for writer_gone()), SAID, -errno of the output, or another
 * code of the library.
 */
static int state_change(struct dump *d, frame_reader *r, int rc)
{
    /* The frame held back for the rate belongs to the writer that was:
     * out with it before anything else is said or read. */
    int frc = flush_held(d);
    if (frc)
        return frc;
    d->skip_stale = false;
    int why = 0;
    enum frame_reader_state state = frame_reader_state(r, &why);
    /* Under --wait, until a first frame is written, whatever the name
     * holds is not yet the writer we wait for: a dead writer's segment,
     * or junk the next writer will replace. */
    bool waiting = d->wait && !d->have_last;
    if (rc == FRAME_ERESTARTED) {
        if (!d->have_last)
            return 0; /* the first writer: its frames speak for it */
        if (!d->follow) {
            /* Its end was not seen before the next writer was: a writer
             * killed and restarted within the library's liveness check. */
            complain("dump", d->name,
                     "the writer went away after %llu "
                     "frame(s) were written, and a new one took the name",
                     (unsigned long long)d->written);
            return SAID;
        }
        complain("dump", d->name, "a new writer: recording on");
        return 0;
    }
    if (rc == FRAME_ECLOSED || rc == FRAME_ELOST) {
        if (waiting) {
            say_waiting(d);
            return 0;
        }
        if (!d->follow)
            return rc;
        complain("dump", d->name,
                 "the writer %s after %llu frame(s) were "
                 "written; waiting for the next one",
                 rc == FRAME_ECLOSED ? "stopped" : "died",
                 (unsigned long long)d->written);
        return 0;
    }
    if (state != FRAME_READER_BROKEN)
        return rc;
    if (!why)
        why = rc;
    if (!waiting && !d->follow) {
        complain("dump", d->name, "%s", segment_words(d->name, why));
        return SAID;
    }
    /* A scribbled header heals at its writer's next publish; anything
     * else under the name stays until a writer replaces it. */
    complain("dump", d->name, "%s; waiting for %s", segment_words(d->name, why),
             why == FRAME_EBADFRAME ? "a readable frame or a new writer"
             : d->have_last         ? "the next writer"
                                    : "a writer");
    d->said_waiting = true;
    return 0;
}

/*
 * Record until done, stopped, or the reader's state ends the dump. Every
 * wait for the writer, the next one, or a readable frame is the library's
 * (frame_reader_wait): dump never looks at the name itself.
 */
static int run(struct dump *d, frame_reader *r)
{
    while (!stop_requested() && !done(d)) {
        if (d->holding && now_ns() - d->held_at > RATE_WAIT_NS) {
            int rc = flush_held(d);
            if (rc)
                return rc;
            continue;
        }
        int rc = frame_reader_wait(r, WAIT_SLICE_MS);
        if (rc == -ETIMEDOUT)
            continue;
        if (rc == 0 && d->skip_stale) {
            /* Acquired, so that the wait goes on to say the writer is
             * gone rather than name this frame again. */
            struct frame_view v;
            frame_reader_acquire(r, &v);
            continue;
        }
        rc = rc == 0 ? take_frame(d, r) : state_change(d, r, rc);
        if (rc) {
            int frc = flush_held(d);
            return rc == SAID || !frc ? rc : frc;
        }
    }
    return flush_held(d);
}

/* An unknown --format: the names there are, from the library's table. */
static int bad_format(const char *name)
{
    char names[256] = "";
    size_t len = 0;
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        const struct frame_format_desc *desc = frame_format_desc(f);
        if (desc && len < sizeof(names))
            len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
                                    len ? ", " : "", desc->short_name);
    }
    return cli_bad_usage(PROG, "dump",
                         "unknown pixel format '%s' (%s; or GStreamer's or "
                         "ffmpeg's name)",
                         quoted(name), names);
}

int cmd_dump(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"count", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'},
        {"wait", no_argument, NULL, 'w'},
        {"follow", no_argument, NULL, 'f'},
        {"format", required_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct dump d = {.fd = -1};
    const char *out = NULL;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:o:wfF:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!cli_parse_u64(optarg, 1, UINT64_MAX, CLI_NO_PLUS, &d.count))
                return cli_bad_usage(PROG, "dump", "invalid frame count '%s'",
                                     quoted(optarg));
            break;
        case 'o':
            out = optarg;
            break;
        case 'w':
            d.wait = true;
            break;
        case 'f':
            d.follow = true;
            break;
        case 'F':
            d.out_format = frame_format_lookup(optarg);
            if (!d.out_format)
                return bad_format(optarg);
            d.convert = true;
            break;
        case 'h':
            return -1;
        default:
            return cli_option_error(PROG, "dump", c, argv);
        }
    }
    if (optind >= argc)
        return cli_bad_usage(PROG, "dump",
                             "which segment? (framectl dump "
                             "NAME)");
    if (optind + 1 < argc)
        return cli_bad_usage(PROG, "dump", "unexpected argument '%s'",
                             quoted(argv[optind + 1]));
    d.name = argv[optind];
    int status = check_name_arg("dump", d.name);
    if (status)
        return status;
    if ((!out || strcmp(out, "-") == 0) && isatty(STDOUT_FILENO))
        return cli_bad_usage(PROG, "dump",
                             "refusing to write raw frames to "
                             "a terminal: use -o FILE or a pipe");

    stop_signals_install(); /* EPIPE ends a dump normally */
    frame_reader *r = NULL;
    int rc;
    if (d.wait) {
        /* Whatever the name holds, or not, is the handle's state: the
         * library opens nothing that could block. */
        rc = frame_reader_open_flags(d.name, FRAME_OPEN_WAIT, &r);
    } else {
        /* The segment first, so a missing one leaves no empty output
         * file. */
        rc = frame_reader_open(d.name, &r);
    }
    if (rc) {
        complain("dump", d.name, "%s", segment_words(d.name, rc));
        return EXIT_FAIL;
    }
    status = EXIT_FAIL;
    if ((rc = open_output(&d, out))) {
        complain("dump", d.out_name, "%s", strerror(-rc));
        goto out;
    }
    struct frame_info info;
    if (d.wait && frame_reader_state(r, NULL) == FRAME_READER_ATTACHED &&
        frame_reader_info(r, &info) == 0 && !info.writer_alive)
        d.skip_stale = true;
    if (frame_reader_state(r, NULL) == FRAME_READER_WAITING || d.skip_stale)
        say_waiting(&d);
    rc = run(&d, r);
    if (d.broken_pipe) {
        status = EXIT_OK;
    } else if (d.write_err) {
        complain("dump", d.out_name, "%s", strerror(d.write_err));
    } else if (rc == FRAME_ECLOSED || rc == FRAME_ELOST) {
        status = writer_gone(&d, rc);
    } else if (rc == SAID) {
        status = EXIT_FAIL;
    } else if (rc == -ENOMEM) {
        complain("dump", d.name, "out of memory");
    } else if (rc) {
        complain("dump", d.name, "%s", segment_words(d.name, rc));
    } else {
        status = EXIT_OK;
    }
    if (d.skipped && !d.broken_pipe)
        complain("dump", d.name,
                 "%llu frame(s) were published but not "
                 "written: the output was slower than the writer",
                 (unsigned long long)d.skipped);
out:
    if (d.fd > STDOUT_FILENO && close(d.fd) != 0 && status == EXIT_OK) {
        complain("dump", d.out_name, "%s", strerror(errno));
        status = EXIT_FAIL;
    }
    free(d.buf[0]);
    free(d.buf[1]);
    frame_reader_close(r);
    return status;
}
