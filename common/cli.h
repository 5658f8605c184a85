/* Command-line arguments: strict numbers and the bad-usage message, parsed
 * and worded the same way in every program. */
#ifndef LIBFRAME_COMMON_CLI_H
#define LIBFRAME_COMMON_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* Flags for cli_parse_u64(). Suffixes are binary multiples, for sizes in
 * bytes: k/K 2^10, m/M 2^20, g/G 2^30. */
enum {
    CLI_SUFFIXES = 1 << 0,
    CLI_NO_PLUS = 1 << 1, /* refuse a leading '+' as well as a '-' */
};

/* A decimal integer that is the whole of s, with no leading '-' (strtoull
 * would wrap it), no overflow, and in [min, max] once multiplied by its
 * suffix. False, *out untouched, otherwise. */
bool cli_parse_u64(const char *s, uint64_t min, uint64_t max, unsigned flags,
                   uint64_t *out);

/* The same (no flags) into a long, for a variable that keeps -1 for "not
 * given"; min must not be negative. */
bool cli_parse_long(const char *s, long min, long max, long *out);

/* A real number (seconds, frames per second) in decimal, starting with a
 * digit (no blank, sign or hexadecimal), that is the whole of s, not
 * out of strtod()'s range (nor so small that it underflows), in
 * [min, max]. False, *out untouched, otherwise. */
bool cli_parse_double(const char *s, double min, double max, double *out);

/* "WxH" (or "WXH"), each side from 1 to max. */
bool cli_parse_size(const char *s, uint32_t max, uint32_t *w, uint32_t *h);

/* "prog: message" on stderr, or "prog: what: message" when what names
 * the part at fault (framectl's command), then "Try 'prog --help'.";
 * returns 2, the exit status of bad usage, for a parser to return. */
int cli_bad_usage(const char *prog, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A segment name as frame_name_check() wants it: 0, or the bad-usage
 * message saying what a name may hold, and 2. */
int cli_segment_name(const char *prog, const char *name);

/* The hint alone, after a message getopt_long() printed itself; returns
 * 2. */
int cli_try_help(const char *prog);

/* Every program calls getopt_long() with opterr = 0 and ':' first in its
 * option string; when it returns '?' or ':', this says which option was
 * unknown or lacks its value (quoted: it is the user's text) and returns
 * 2. what: as for cli_bad_usage(). */
int cli_option_error(const char *prog, const char *what, int c, char **argv);

#endif
