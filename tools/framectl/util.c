/* Messages, names and number formatting shared by framectl's commands. */
#include "cli.h"
#include "framectl.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void complain(const char *what, const char *object, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* The object may be a name from the directory or a path from the
     * user. */
    fprintf(stderr, PROG ": %s: '", what);
    put_quoted(stderr, object);
    fputs("': ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *segment_words(const char *name, int rc)
{
    static char buf[256];
    /* The library's words, with what the object tells ("no such segment",
     * both layout versions for FRAME_EVERSION). */
    return frame_segment_strerror(name, rc, buf, sizeof(buf));
}

const char *format_word(uint32_t format)
{
    const struct frame_format_desc *d = frame_format_desc(format);
    /* A descriptor's format is anyone's of our uid to write. */
    return d ? d->name : "unknown";
}

int check_name_arg(const char *what, const char *name)
{
    int rc = frame_name_check(name);
    if (rc == -ENAMETOOLONG)
        return cli_bad_usage(PROG, what,
                             "'%s': segment name longer than %d "
                             "characters",
                             quoted(name), FRAME_NAME_MAX);
    if (rc)
        return cli_bad_usage(PROG, what,
                             "'%s': invalid segment name (use 1 "
                             "to %d of A-Z a-z 0-9 . _ -, no \"..\")",
                             quoted(name), FRAME_NAME_MAX);
    return 0;
}

int64_t age_ns(int64_t now, int64_t then)
{
    int64_t age;
    return __builtin_sub_overflow(now, then, &age) ? -1 : age;
}

void format_bytes(uint64_t bytes, char *buf, size_t len)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(buf, len, "%u B", (unsigned)bytes);
        return;
    }
    double v = (double)bytes / 1024;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, "%.1f %s", v, units[u]);
}

void format_age(int64_t ns, char *buf, size_t len)
{
    /* Negative: a writer's own timestamp, or another clock namespace. */
    if (ns < 0)
        snprintf(buf, len, "-");
    else if (ns < 1000000000)
        snprintf(buf, len, "%d ms", (int)(ns / 1000000));
    else if (ns < INT64_C(60) * 1000000000)
        snprintf(buf, len, "%.1f s", ns / 1e9);
    else if (ns < INT64_C(3600) * 1000000000)
        snprintf(buf, len, "%d min", (int)(ns / (INT64_C(60) * 1000000000)));
    else
        snprintf(buf, len, "%.1f h", ns / 3600e9);
}

const char *state_word(uint32_t state)
{
    switch (state) {
    case FRAME_STATE_RUNNING:
        return "running";
    case FRAME_STATE_PAUSED:
        return "paused";
    case FRAME_STATE_CLOSED:
        return "closed";
    }
    return "unknown";
}
