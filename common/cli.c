/* Command-line arguments: strict numbers and the bad-usage message. */
#include "cli.h"
#include "quote.h"

#include <libframe/frame.h>

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cli_parse_u64(const char *s, uint64_t min, uint64_t max, unsigned flags,
                   uint64_t *out)
{
    /* strtoull() skips blanks and reads "-1" as 2^64 - 1: start with a
     * digit (or '+', where allowed) or be refused. */
    if (!(*s >= '0' && *s <= '9') && !(*s == '+' && !(flags & CLI_NO_PLUS)))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    uint64_t mult = 1;
    if ((flags & CLI_SUFFIXES) && *end) {
        switch (*end) {
        case 'k':
        case 'K':
            mult = UINT64_C(1) << 10;
            break;
        case 'm':
        case 'M':
            mult = UINT64_C(1) << 20;
            break;
        case 'g':
        case 'G':
            mult = UINT64_C(1) << 30;
            break;
        default:
            return false;
        }
        end++;
    }
    if (*end || (v && mult > UINT64_MAX / v))
        return false;
    v *= mult;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_parse_long(const char *s, long min, long max, long *out)
{
    uint64_t v;
    if (min < 0 || max < min ||
        !cli_parse_u64(s, (uint64_t)min, (uint64_t)max, 0, &v))
        return false;
    *out = (long)v;
    return true;
}

bool cli_parse_double(const char *s, double min, double max, double *out)
{
    /* strtod() also takes leading blanks, hexadecimal ("0x10"), "inf" and
     * "nan": a decimal number starts with a digit and holds only these. */
    if (!(*s >= '0' && *s <= '9') || s[strspn(s, "0123456789.eE+-")] != '\0')
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* Written so that NaN fails the range too. */
    if (errno || end == s || *end || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

bool cli_parse_size(const char *s, uint32_t max, uint32_t *w, uint32_t *h)
{
    char first[24];
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n >= sizeof(first) || (s[n] != 'x' && s[n] != 'X'))
        return false;
    memcpy(first, s, n);
    first[n] = 0;
    uint64_t a, b;
    if (!cli_parse_u64(first, 1, max, CLI_NO_PLUS, &a) ||
        !cli_parse_u64(s + n + 1, 1, max, CLI_NO_PLUS, &b))
        return false;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return true;
}

int cli_segment_name(const char *prog, const char *name)
{
    if (frame_name_check(name) == 0)
        return 0;
    return cli_bad_usage(prog, NULL,
                         "invalid segment name '%s' (use 1 to "
                         "%d of A-Z a-z 0-9 . _ -)",
                         name, FRAME_NAME_MAX);
}

int cli_try_help(const char *prog)
{
    fprintf(stderr, "Try '%s --help'.\n", prog);
    return 2;
}

int cli_bad_usage(const char *prog, const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (what)
        fprintf(stderr, "%s: %s: ", prog, what);
    else
        fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return cli_try_help(prog);
}

int cli_option_error(const char *prog, const char *what, int c, char **argv)
{
    /* A long option is only in argv (optopt holds its short letter, if it
     * has one, when its value is missing); a short one is in optopt,
     * perhaps among others in one word ("-qz"). */
    const char *last = argv[optind - 1];
    char opt[3] = {'-', (char)optopt, 0};
    const char *arg =
        quoted(optopt && strncmp(last, "--", 2) != 0 ? opt : last);
    if (c == ':')
        return cli_bad_usage(prog, what, "option '%s' needs a value", arg);
    return cli_bad_usage(prog, what, "unknown option '%s'", arg);
}
