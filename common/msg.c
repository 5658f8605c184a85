/* Messages on stderr, prefixed with the program's name. */
#include "msg.h"

#include <libframe/frame.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static const char *prog = "libframe";
static bool quiet;

void msg_set_prog(const char *name) { prog = name; }

const char *msg_prog(void) { return prog; }

void msg_set_quiet(bool q) { quiet = q; }

/* One fprintf per piece, under the stream's lock, so that two threads'
 * messages do not interleave within a line. */
static void say(int rc, bool with_rc, const char *fmt, va_list ap)
{
    flockfile(stderr);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    if (with_rc)
        fprintf(stderr, ": %s", frame_strerror(rc));
    fputc('\n', stderr);
    funlockfile(stderr);
}

void msg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(0, false, fmt, ap);
    va_end(ap);
}

void msg_error_rc(int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(rc, true, fmt, ap);
    va_end(ap);
}

void msg_info(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    say(0, false, fmt, ap);
    va_end(ap);
}
