/* framectl's commands and the helpers they share. */
#ifndef FRAMECTL_H
#define FRAMECTL_H

#include "clock.h"
#include "quote.h"

#include <libframe/frame.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define PROG "framectl"
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Commands: argv[0] is the command's name; each returns an exit status. */
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_dump(int argc, char **argv);

/* "framectl: what: 'object': why" on stderr. */
void complain(const char *what, const char *object, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Why segment name cannot be used: frame_segment_strerror()'s words (an
 * incompatible segment's layout version and ours), but -ENOENT, which the
 * library returns only for a missing name, as what it means. Static
 * storage: good until the next call. */
const char *segment_words(const char *name, int rc);
/* A pixel format's caps name ("GRAY16_LE"), "unknown" if it is none. */
const char *format_word(uint32_t format);
/* Check a NAME argument; on failure say why and return EXIT_USAGE. */
int check_name_arg(const char *what, const char *name);

/* now - then, or -1 when that does not fit: `then` comes from the segment,
 * which anyone of our uid may have written anything into. */
int64_t age_ns(int64_t now, int64_t then);
void format_bytes(uint64_t bytes, char *buf, size_t len);
/* A duration as "850 ms", "12.5 s", "3 min", "2.0 h", "-" if negative. */
void format_age(int64_t ns, char *buf, size_t len);
const char *state_word(uint32_t state);

#endif
