/* framectl list and framectl clean: every object of ours in FRAME_SHM_DIR. */
#include "cli.h"
#include "framectl.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Two looks at each live segment this far apart give its frame rate. */
#define SAMPLE_MS 200

/* The columns after NAME. The header is anyone's of our uid to write, so
 * a cell may be wider than usual (a pid of -2147483648): each column is
 * as wide as its widest cell, and the rows stay aligned whatever. */
enum column {
    COL_SIZE,
    COL_SLOTS,
    COL_HELD,
    COL_MAX,
    COL_FRAME,
    COL_FORMAT,
    COL_PID,
    COL_WRITER,
    COL_STATE,
    COL_FRAMES,
    COL_FPS,
    COL_AGE,
    N_COLUMNS
};

static const struct {
    const char *title;
    int width; /* at least */
    bool left; /* aligned to the left */
} columns[N_COLUMNS] = {
    {"SIZE", 10, false},  {"SLOTS", 5, false},  {"HELD", 4, false},
    {"MAX", 11, false},   {"FRAME", 11, false}, {"FORMAT", 9, true},
    {"PID", 7, false},    {"WRITER", 6, true},  {"STATE", 7, true},
    {"FRAMES", 8, false}, {"FPS", 6, false},    {"LAST FRAME", 0, true},
};

struct row {
    const struct frame_object *e;
    int rc;    /* of frame_segment_info() or leftover_stale() */
    bool gone; /* vanished while we looked: not shown */
    struct frame_info a, b;
    bool have_b;
    int64_t ta, tb;           /* CLOCK_MONOTONIC of the two looks */
    char cell[N_COLUMNS][32]; /* a segment's row, as printed */
};

/* Options of a command that takes none but --help. */
static int no_options(const char *what, int argc, char **argv, bool *help)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            *help = true;
            return 0;
        }
        return cli_option_error(PROG, what, c, argv);
    }
    if (optind < argc)
        return cli_bad_usage(PROG, what, "unexpected argument '%s'",
                             quoted(argv[optind]));
    return 0;
}

static void look(struct row *r)
{
    const struct frame_object *e = r->e;
    /* What is not a regular file of ours is never opened. */
    r->rc = e->status;
    if (r->rc == 0 && e->kind == FRAME_OBJECT_SEGMENT) {
        r->ta = now_ns();
        r->rc = frame_segment_info(e->name, &r->a);
    } else if (r->rc == 0 && e->kind == FRAME_OBJECT_LEFTOVER) {
        r->rc = frame_leftover_stale(e->entry, false);
    } else if (r->rc == 0) {
        r->rc = FRAME_ENOTFRAME;
    }
    r->gone = r->rc == -ENOENT;
}

static void format_fps(const struct row *r, char *buf, size_t len)
{
    const struct frame_info *a = &r->a, *b = &r->b;
    if (!a->writer_alive || !r->have_b || !b->writer_alive ||
        a->session_id != b->session_id) {
        snprintf(buf, len, "-");
        return;
    }
    uint64_t frames = b->latest_frame_no - a->latest_frame_no;
    if (b->latest_frame_no <= a->latest_frame_no) {
        if (b->state == FRAME_STATE_PAUSED)
            snprintf(buf, len, "0");
        else
            snprintf(buf, len, "<%d", 1000 / SAMPLE_MS);
        return;
    }
    /* Publish times are exact where the sampling instants are not. */
    double fps;
    if (a->latest_frame_no && b->latest_timestamp_ns > a->latest_timestamp_ns)
        fps = frames * 1e9 /
              ((double)b->latest_timestamp_ns - (double)a->latest_timestamp_ns);
    else
        fps = frames * 1e9 / (r->tb - r->ta);
    /* A writer's timestamps can make any rate: keep it short. */
    if (fps < 1e7)
        snprintf(buf, len, "%.1f", fps);
    else
        snprintf(buf, len, "%.3g", fps);
}

static void fill_cells(struct row *r, int64_t now)
{
    const struct frame_info *i = r->have_b ? &r->b : &r->a;
    char(*c)[sizeof(r->cell[0])] = r->cell;
    size_t len = sizeof(r->cell[0]);
    format_bytes(i->segment_size, c[COL_SIZE], len);
    snprintf(c[COL_SLOTS], len, "%u", i->slot_count);
    snprintf(c[COL_HELD], len, "%u", i->slots_held);
    snprintf(c[COL_MAX], len, "%ux%u", i->max_width, i->max_height);
    if (i->latest_frame_no) {
        snprintf(c[COL_FRAME], len, "%ux%u", i->latest_width, i->latest_height);
        snprintf(c[COL_FORMAT], len, "%s", format_word(i->latest_format));
        format_age(age_ns(now, i->latest_timestamp_ns), c[COL_AGE], len);
    } else {
        snprintf(c[COL_FRAME], len, "-");
        snprintf(c[COL_FORMAT], len, "-");
        snprintf(c[COL_AGE], len, "-");
    }
    snprintf(c[COL_PID], len, "%d", (int)i->writer_pid);
    snprintf(c[COL_WRITER], len, "%s", i->writer_alive ? "alive" : "dead");
    snprintf(c[COL_STATE], len, "%s", state_word(i->state));
    snprintf(c[COL_FRAMES], len, "%llu",
             (unsigned long long)i->latest_frame_no);
    format_fps(r, c[COL_FPS], len);
}

/* NAME (quoted, padded to name_width), then the cells, each padded to its
 * column's width; the last one is not padded. */
static void print_cells(const char *name, int name_width,
                        const char *const cell[N_COLUMNS],
                        const int width[N_COLUMNS])
{
    put_quoted(stdout, name);
    printf("%*s", name_width - (int)quoted_width(name), "");
    for (int k = 0; k < N_COLUMNS; k++) {
        if (k == N_COLUMNS - 1)
            printf("  %s\n", cell[k]);
        else if (columns[k].left)
            printf("  %-*s", width[k], cell[k]);
        else
            printf("  %*s", width[k], cell[k]);
    }
}

static void print_other(const struct row *r, int width)
{
    const struct frame_object *e = r->e;
    /* Anyone may create any name under our prefix: never shown raw. */
    const char *shown = e->entry;
    put_quoted(stdout, shown);
    printf("%*s  ", width - (int)quoted_width(shown), "");
    if (e->status == FRAME_ENOTFRAME)
        printf("not a libframe segment: not a regular file\n");
    else if (e->kind == FRAME_OBJECT_LEFTOVER && r->rc == 1)
        printf("unfinished segment of an older writer, pid %d, which is "
               "gone (framectl clean removes it)\n",
               (int)e->pid);
    else if (e->kind == FRAME_OBJECT_LEFTOVER && r->rc == 0)
        printf("unfinished segment of an older writer, pid %d: locked or "
               "touched in the last minute\n",
               (int)e->pid);
    else if (e->kind == FRAME_OBJECT_FOREIGN)
        printf("not a libframe segment: not a libframe name\n");
    else if (r->rc == FRAME_EOWNER)
        printf("belongs to another user: not inspected\n");
    else if (e->kind == FRAME_OBJECT_LEFTOVER && r->rc == FRAME_ENOTFRAME)
        printf("not a libframe segment: unexpected contents\n");
    else if (r->rc <= FRAME_ENOTFRAME && r->rc >= FRAME_ETRUNCATED)
        /* what validation found; an incompatible segment's version too */
        printf("%s\n", segment_words(e->name, r->rc));
    else
        printf("cannot be inspected: %s\n", segment_words(e->name, r->rc));
}

static bool is_segment_row(const struct row *r)
{
    return !r->gone && r->e->kind == FRAME_OBJECT_SEGMENT && r->rc == 0;
}

int cmd_list(int argc, char **argv)
{
    bool help = false;
    int status = no_options("list", argc, argv, &help);
    if (status || help)
        return help ? -1 : status;

    struct frame_object *entries = NULL;
    size_t n = 0;
    int rc = frame_objects_list(&entries, &n);
    if (rc) {
        complain("list", FRAME_SHM_DIR, "%s", frame_strerror(rc));
        return EXIT_FAIL;
    }
    struct row *rows = calloc(n ? n : 1, sizeof(*rows));
    if (!rows) {
        complain("list", FRAME_SHM_DIR, "out of memory");
        free(entries);
        return EXIT_FAIL;
    }
    bool any_live = false;
    int width = 4;
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        rows[i].e = &entries[i];
        look(&rows[i]);
        if (rows[i].gone)
            continue;
        shown++;
        /* What the name takes on screen, escapes and all. */
        int w = (int)quoted_width(entries[i].entry);
        if (w > width)
            width = w;
        if (entries[i].kind == FRAME_OBJECT_SEGMENT && rows[i].rc == 0 &&
            rows[i].a.writer_alive)
            any_live = true;
    }
    /* Only a live writer can have a rate: nobody waits for the dead. */
    if (any_live) {
        struct timespec ts = {0, SAMPLE_MS * 1000000L};
        nanosleep(&ts, NULL);
        for (size_t i = 0; i < n; i++) {
            struct row *r = &rows[i];
            if (r->gone || r->e->kind != FRAME_OBJECT_SEGMENT || r->rc ||
                !r->a.writer_alive)
                continue;
            r->tb = now_ns();
            r->have_b = frame_segment_info(r->e->name, &r->b) == 0;
        }
    }
    if (shown == 0) {
        printf("no libframe segments in " FRAME_SHM_DIR "\n");
    } else {
        int64_t now = now_ns();
        const char *cell[N_COLUMNS];
        int cw[N_COLUMNS];
        for (int k = 0; k < N_COLUMNS; k++) {
            cell[k] = columns[k].title;
            cw[k] = columns[k].width;
        }
        for (size_t i = 0; i < n; i++) {
            if (!is_segment_row(&rows[i]))
                continue;
            fill_cells(&rows[i], now);
            for (int k = 0; k < N_COLUMNS; k++) {
                int w = (int)strlen(rows[i].cell[k]);
                cw[k] = w > cw[k] ? w : cw[k];
            }
        }
        print_cells("NAME", width, cell, cw);
        for (size_t i = 0; i < n; i++) {
            if (rows[i].gone)
                continue;
            if (!is_segment_row(&rows[i])) {
                print_other(&rows[i], width);
                continue;
            }
            for (int k = 0; k < N_COLUMNS; k++)
                cell[k] = rows[i].cell[k];
            print_cells(rows[i].e->name, width, cell, cw);
        }
    }
    free(rows);
    free(entries);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* One segment for clean: 1 removed (or would be), 0 left, -1 failed.
 * Names are checked on the way in (frame_objects_list(), check_name_arg()),
 * and shown quoted all the same: nothing from the directory goes out raw. */
static int clean_segment(const struct frame_object *e, bool named, bool dry)
{
    struct frame_info info;
    int rc = e->status;
    if (rc == 0)
        rc = frame_segment_info(e->name, &info);
    if (rc) {
        /* Scanning, what is not ours is silently not ours; asked by name,
         * the user wants to know. */
        if (!named)
            return 0;
        complain("clean", e->name, "%s", segment_words(e->name, rc));
        return -1;
    }
    if (info.writer_alive) {
        if (named)
            printf("kept '%s': its writer, pid %d, is alive\n", quoted(e->name),
                   (int)info.writer_pid);
        return 0;
    }
    if (dry) {
        printf("would remove '%s' (its writer, pid %d, is gone)\n",
               quoted(e->name), (int)info.writer_pid);
        return 1;
    }
    rc = frame_segment_remove_stale(e->name);
    if (rc == 0) {
        printf("removed '%s' (its writer, pid %d, was gone)\n", quoted(e->name),
               (int)info.writer_pid);
        return 1;
    }
    if (rc == FRAME_EALIVE) {
        printf("kept '%s': a new writer took it meanwhile\n", quoted(e->name));
        return 0;
    }
    if (rc == -ENOENT && !named)
        return 0; /* someone else cleaned it meanwhile */
    complain("clean", e->name, "%s", segment_words(e->name, rc));
    return -1;
}

static int clean_leftover(const struct frame_object *e, bool dry)
{
    int rc = frame_leftover_stale(e->entry, !dry);
    if (rc == 1) {
        printf("%s unfinished segment '%s' (its writer, pid %d, is gone)\n",
               dry ? "would remove" : "removed", quoted(e->entry), (int)e->pid);
        return 1;
    }
    if (rc == 0 || rc == -ENOENT || rc == FRAME_ENOTFRAME || rc == FRAME_EOWNER)
        return 0;
    complain("clean", e->entry, "%s", segment_words(e->entry, rc));
    return -1;
}

int cmd_clean(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool dry = false;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":nh", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            dry = true;
            break;
        case 'h':
            return -1;
        default:
            return cli_option_error(PROG, "clean", c, argv);
        }
    }
    struct frame_object *entries = NULL;
    size_t n = 0;
    bool named = optind < argc;
    if (named) {
        for (int i = optind; i < argc; i++) {
            int st = check_name_arg("clean", argv[i]);
            if (st)
                return st;
        }
        n = (size_t)(argc - optind);
        entries = calloc(n, sizeof(*entries));
        if (!entries) {
            complain("clean", FRAME_SHM_DIR, "out of memory");
            return EXIT_FAIL;
        }
        /* Asked by name: the library refuses what is not a regular file
         * itself, without opening it for long (O_NONBLOCK). */
        for (size_t i = 0; i < n; i++) {
            struct frame_object *e = &entries[i];
            e->kind = FRAME_OBJECT_SEGMENT;
            snprintf(e->name, sizeof(e->name), "%s", argv[optind + (int)i]);
            snprintf(e->entry, sizeof(e->entry), "%s", e->name);
        }
    } else {
        int rc = frame_objects_list(&entries, &n);
        if (rc) {
            complain("clean", FRAME_SHM_DIR, "%s", frame_strerror(rc));
            return EXIT_FAIL;
        }
    }
    int status = EXIT_OK;
    unsigned removed = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = 0;
        if (entries[i].kind == FRAME_OBJECT_SEGMENT)
            rc = clean_segment(&entries[i], named, dry);
        else if (entries[i].kind == FRAME_OBJECT_LEFTOVER)
            rc = clean_leftover(&entries[i], dry);
        if (rc < 0)
            status = EXIT_FAIL;
        else
            removed += (unsigned)rc;
    }
    if (removed == 0)
        printf("nothing to remove\n");
    else
        printf("%s %u stale segment(s)\n", dry ? "would remove" : "removed",
               removed);
    free(entries);
    if (fflush(stdout) != 0)
        status = EXIT_FAIL;
    return status;
}
