/* Bytes nobody vetted, made safe to print: anyone may create
 * any name under our prefix, and a name that reached the terminal raw
 * could send it escape sequences or forge whole rows of `list`. */
#include "quote.h"

#include <libframe/frame.h>

#include <stdio.h>
#include <string.h>

/* The letter of C's escape for c ("\\e" for ESC, as GNU tools write it),
 * or 0. */
static char c_escape(unsigned char c)
{
    switch (c) {
    case '\a':
        return 'a';
    case '\b':
        return 'b';
    case '\t':
        return 't';
    case '\n':
        return 'n';
    case '\v':
        return 'v';
    case '\f':
        return 'f';
    case '\r':
        return 'r';
    case 0x1b:
        return 'e';
    case '\\':
        return '\\';
    }
    return 0;
}

/* How `list` and the messages show byte c: into out (5 bytes), returning
 * the length. Space is escaped too: it separates list's columns, and a
 * name holding "  alive  running" must not read as cells. */
static size_t quote_byte(unsigned char c, char out[5])
{
    char letter = c_escape(c);
    if (letter) {
        out[0] = '\\';
        out[1] = letter;
        return 2;
    }
    if (c > ' ' && c < 0x7f) {
        out[0] = (char)c;
        return 1;
    }
    /* Bytes >= 0x80 too: shown as themselves they would depend on the
     * locale, and 0x9b is CSI to some terminals. */
    snprintf(out, 5, "\\%03o", c);
    return 4;
}

size_t quoted_width(const char *s)
{
    char b[5];
    size_t n = 0;
    for (; *s; s++)
        n += quote_byte((unsigned char)*s, b);
    return n;
}

void put_quoted(FILE *f, const char *s)
{
    char b[5];
    for (; *s; s++)
        fwrite(b, 1, quote_byte((unsigned char)*s, b), f);
}

/* s quoted into buf, cut (ending "...") to fit len. */
static const char *quote(const char *s, char *buf, size_t len)
{
    char b[5];
    size_t n = 0;
    if (len < 4)
        return len ? (*buf = 0, buf) : "";
    /* Cut at a whole escape, leaving room for "...", so what is shown
     * stays unambiguous. */
    size_t room = quoted_width(s) < len ? len - 1 : len - 4;
    for (; *s; s++) {
        size_t w = quote_byte((unsigned char)*s, b);
        if (n + w > room)
            break;
        memcpy(buf + n, b, w);
        n += w;
    }
    if (*s) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = 0;
    return buf;
}

const char *quoted(const char *s)
{
    static char buf[4 * (FRAME_NAME_MAX + 1) + 4];
    return quote(s, buf, sizeof(buf));
}

/* The code point of the UTF-8 sequence at s and its length; -1 (length 1)
 * for a byte that starts no valid one: overlong forms, surrogates and
 * values past U+10FFFF are not UTF-8 either. The NUL ending s is never a
 * continuation byte, so a cut sequence stops there. */
static long utf8_next(const unsigned char *s, size_t *len)
{
    static const long least[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n;
    long cp;
    *len = 1;
    if (s[0] < 0x80)
        return s[0];
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return -1;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return -1;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *len = n;
    return cp;
}

/* The letter of JSON's short escape for cp, or 0. */
static char json_escape(long cp)
{
    switch (cp) {
    case '"':
        return '"';
    case '\\':
        return '\\';
    case '\b':
        return 'b';
    case '\f':
        return 'f';
    case '\n':
        return 'n';
    case '\r':
        return 'r';
    case '\t':
        return 't';
    }
    return 0;
}

void put_json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    while (*p) {
        size_t len;
        long cp = utf8_next(p, &len);
        p += len;
        if (cp < 0)
            cp = 0xfffd; /* lossy, but JSON text must be Unicode */
        char letter = json_escape(cp);
        if (letter) {
            fputc('\\', f);
            fputc(letter, f);
        } else if (cp >= 0x20 && cp < 0x7f) {
            fputc((int)cp, f);
        } else if (cp < 0x10000) {
            /* ASCII out, whatever the terminal or the locale. */
            fprintf(f, "\\u%04lx", cp);
        } else {
            cp -= 0x10000;
            fprintf(f, "\\u%04lx\\u%04lx", 0xd800 + (cp >> 10),
                    0xdc00 + (cp & 0x3ff));
        }
    }
    fputc('"', f);
}
