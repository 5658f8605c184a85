/* Bytes nobody vetted, made safe to print (names from FRAME_SHM_DIR, text from
 * a segment, arguments echoed back): every program quotes them one way. */
#ifndef LIBFRAME_COMMON_QUOTE_H
#define LIBFRAME_COMMON_QUOTE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Names from FRAME_SHM_DIR and the other bytes nobody vetted are shown quoted:
 * printable ASCII other than space and backslash as itself; \a \b \t \n
 * \v \f \r, \e (ESC) and \\; every other byte, space and >= 0x80
 * included, as \ooo (octal). One byte of output is one column, so widths
 * are lengths.
 */
size_t quoted_width(const char *s);
void put_quoted(FILE *f, const char *s);
/* The same in a static buffer, cut with "..." past 260 columns (any
 * segment name fits whole): for one message at a time. */
const char *quoted(const char *s);
/* s as a JSON string, quotes included, in ASCII: other code points as
 * \uXXXX (surrogate pairs past U+FFFF), each byte of invalid UTF-8 as
 * \ufffd. */
void put_json_string(FILE *f, const char *s);

#endif
