/* framectl list and framectl clean: every segment in /dev/shm. */
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

struct row {
    const struct shm_entry *e;
    int rc;            /* of frame_segment_info() or leftover_stale() */
    bool gone;         /* vanished while we looked: not shown */
    struct frame_info a, b;
    bool have_b;
    int64_t ta, tb;    /* CLOCK_MONOTONIC of the two looks */
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
        return option_error(what, c, argv);
    }
    if (optind < argc)
        return cli_bad_usage(PROG, what, "unexpected argument '%s'",
                             argv[optind]);
    return 0;
}

static void look(struct row *r)
{
    const struct shm_entry *e = r->e;
    switch (e->kind) {
    case ENTRY_SEGMENT:
        r->rc = shm_entry_plain(e);
        if (r->rc == 0) {
            r->ta = mono_now_ns();
            r->rc = frame_segment_info(e->name, &r->a);
        }
        break;
    case ENTRY_LEFTOVER:
        r->rc = frame_leftover_stale(e->file + strlen(SEG_PREFIX), false);
        break;
    case ENTRY_FOREIGN:
        r->rc = FRAME_ENOTFRAME;
        break;
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
        fps = frames * 1e9 / ((double)b->latest_timestamp_ns -
                              (double)a->latest_timestamp_ns);
    else
        fps = frames * 1e9 / (r->tb - r->ta);
    snprintf(buf, len, "%.1f", fps);
}

static void print_segment(const struct row *r, int width, int64_t now)
{
    const struct frame_info *i = r->have_b ? &r->b : &r->a;
    char size[32], max[32], frame[32], fps[16], age[32];
    format_bytes(i->segment_size, size, sizeof(size));
    snprintf(max, sizeof(max), "%ux%u", i->max_width, i->max_height);
    if (i->latest_frame_no) {
        snprintf(frame, sizeof(frame), "%ux%u", i->latest_width,
                 i->latest_height);
        format_age(age_ns(now, i->latest_timestamp_ns), age, sizeof(age));
    } else {
        snprintf(frame, sizeof(frame), "-");
        snprintf(age, sizeof(age), "-");
    }
    format_fps(r, fps, sizeof(fps));
    printf("%-*s  %10s  %5u  %11s  %11s  %7d  %-6s  %-7s  %8llu  %6s  %s\n",
           width, i->name, size, i->slot_count, max, frame, (int)i->writer_pid,
           i->writer_alive ? "alive" : "dead", state_word(i->state),
           (unsigned long long)i->latest_frame_no, fps, age);
}

static void print_other(const struct row *r, int width)
{
    const struct shm_entry *e = r->e;
    const char *shown = e->file + strlen(SEG_PREFIX);
    const char *why = segment_error(r->rc);
    if (e->kind == ENTRY_LEFTOVER && r->rc == 1)
        printf("%-*s  unfinished segment of pid %d, which is gone (framectl "
               "clean removes it)\n", width, shown, (int)e->pid);
    else if (e->kind == ENTRY_LEFTOVER && r->rc == 0)
        printf("%-*s  segment being created by pid %d\n", width, shown,
               (int)e->pid);
    else if (e->kind == ENTRY_FOREIGN)
        printf("%-*s  not a libframe segment: not a libframe name\n", width,
               shown);
    else if (r->rc == FRAME_EOWNER)
        printf("%-*s  belongs to another user: not inspected\n", width, shown);
    else if (e->kind == ENTRY_LEFTOVER && r->rc == FRAME_ENOTFRAME)
        printf("%-*s  not a libframe segment: unexpected contents\n", width,
               shown);
    else if (strncmp(why, "not a libframe", 14) == 0)
        printf("%-*s  %s\n", width, shown, why);
    else
        printf("%-*s  cannot be inspected: %s\n", width, shown, why);
}

int cmd_list(int argc, char **argv)
{
    bool help = false;
    int status = no_options("list", argc, argv, &help);
    if (status || help)
        return help ? -1 : status;

    struct shm_entry *entries = NULL;
    size_t n = 0;
    int rc = shm_scan(&entries, &n);
    if (rc) {
        complain("list", SHM_DIR, "%s", strerror(-rc));
        return EXIT_FAIL;
    }
    struct row *rows = calloc(n ? n : 1, sizeof(*rows));
    if (!rows) {
        complain("list", SHM_DIR, "out of memory");
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
        int w = (int)strlen(entries[i].file + strlen(SEG_PREFIX));
        if (w > width)
            width = w;
        if (entries[i].kind == ENTRY_SEGMENT && rows[i].rc == 0 &&
            rows[i].a.writer_alive)
            any_live = true;
    }
    /* Only a live writer can have a rate: nobody waits for the dead. */
    if (any_live) {
        struct timespec ts = {0, SAMPLE_MS * 1000000L};
        nanosleep(&ts, NULL);
        for (size_t i = 0; i < n; i++) {
            struct row *r = &rows[i];
            if (r->gone || r->e->kind != ENTRY_SEGMENT || r->rc ||
                !r->a.writer_alive)
                continue;
            r->tb = mono_now_ns();
            r->have_b = frame_segment_info(r->e->name, &r->b) == 0;
        }
    }
    if (shown == 0) {
        printf("no libframe segments in " SHM_DIR "\n");
    } else {
        int64_t now = mono_now_ns();
        printf("%-*s  %10s  %5s  %11s  %11s  %7s  %-6s  %-7s  %8s  %6s  %s\n",
               width, "NAME", "SIZE", "SLOTS", "MAX", "FRAME", "PID", "WRITER",
               "STATE", "FRAMES", "FPS", "LAST FRAME");
        for (size_t i = 0; i < n; i++) {
            if (rows[i].gone)
                continue;
            if (rows[i].e->kind == ENTRY_SEGMENT && rows[i].rc == 0)
                print_segment(&rows[i], width, now);
            else
                print_other(&rows[i], width);
        }
    }
    free(rows);
    free(entries);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

/* One segment for clean: 1 removed (or would be), 0 left, -1 failed. */
static int clean_segment(const struct shm_entry *e, bool named, bool dry)
{
    struct frame_info info;
    int rc = shm_entry_plain(e);
    if (rc == 0)
        rc = frame_segment_info(e->name, &info);
    if (rc) {
        /* Scanning, what is not ours is silently not ours; asked by name,
         * the user wants to know. */
        if (!named)
            return 0;
        complain("clean", e->name, "%s", segment_error(rc));
        return -1;
    }
    if (info.writer_alive) {
        if (named)
            printf("kept '%s': its writer, pid %d, is alive\n", e->name,
                   (int)info.writer_pid);
        return 0;
    }
    if (dry) {
        printf("would remove '%s' (its writer, pid %d, is gone)\n", e->name,
               (int)info.writer_pid);
        return 1;
    }
    rc = frame_segment_remove_stale(e->name);
    if (rc == 0) {
        printf("removed '%s' (its writer, pid %d, was gone)\n", e->name,
               (int)info.writer_pid);
        return 1;
    }
    if (rc == FRAME_EALIVE) {
        printf("kept '%s': a new writer took it meanwhile\n", e->name);
        return 0;
    }
    if (rc == -ENOENT && !named)
        return 0; /* someone else cleaned it meanwhile */
    complain("clean", e->name, "%s", segment_error(rc));
    return -1;
}

static int clean_leftover(const struct shm_entry *e, bool dry)
{
    int rc = frame_leftover_stale(e->file + strlen(SEG_PREFIX), !dry);
    if (rc == 1) {
        printf("%s unfinished segment '%s' (its writer, pid %d, is gone)\n",
               dry ? "would remove" : "removed", e->file + strlen(SEG_PREFIX),
               (int)e->pid);
        return 1;
    }
    if (rc == 0 || rc == -ENOENT || rc == FRAME_ENOTFRAME ||
        rc == FRAME_EOWNER)
        return 0;
    complain("clean", e->file + strlen(SEG_PREFIX), "%s", segment_error(rc));
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
        case 'n': dry = true; break;
        case 'h': return -1;
        default: return option_error("clean", c, argv);
        }
    }
    struct shm_entry *entries = NULL;
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
            complain("clean", SHM_DIR, "out of memory");
            return EXIT_FAIL;
        }
        for (size_t i = 0; i < n; i++) {
            struct shm_entry *e = &entries[i];
            e->kind = ENTRY_SEGMENT;
            snprintf(e->name, sizeof(e->name), "%s", argv[optind + (int)i]);
            snprintf(e->file, sizeof(e->file), SEG_PREFIX "%s", e->name);
        }
    } else {
        int rc = shm_scan(&entries, &n);
        if (rc) {
            complain("clean", SHM_DIR, "%s", strerror(-rc));
            return EXIT_FAIL;
        }
    }
    int status = EXIT_OK;
    unsigned removed = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = 0;
        if (entries[i].kind == ENTRY_SEGMENT)
            rc = clean_segment(&entries[i], named, dry);
        else if (entries[i].kind == ENTRY_LEFTOVER)
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
