/* Messages on stderr, "prog: what went wrong: why", one way for every
 * program. */
#ifndef LIBFRAME_COMMON_MSG_H
#define LIBFRAME_COMMON_MSG_H

#include <stdbool.h>

/* The program's name, set once by main() before anything is said. */
void msg_set_prog(const char *prog);
const char *msg_prog(void);

/* "prog: " and the message, then a newline, on stderr. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: " and the message, ": " and frame_strerror(rc) (which words any
 * -errno too), then a newline. */
void msg_error_rc(int rc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Notices and progress, worded as msg_error(), but silenced by
 * msg_set_quiet(true): a --quiet program says errors only. */
void msg_set_quiet(bool quiet);
void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
