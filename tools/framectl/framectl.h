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
/* glibc's shm_open() keeps its objects here (see docs/design.md). */
#define SHM_DIR "/dev/shm"
#define SEG_PREFIX "libframe."

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Beside libframe's codes: an object that is not even a regular file. */
#define FRAMECTL_ENOTREG (-2000)

/* Commands: argv[0] is the command's name; each returns an exit status. */
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_dump(int argc, char **argv);

/* "framectl: what: 'object': why" on stderr. */
void complain(const char *what, const char *object, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Why a segment cannot be used, in words that fit after its name. */
const char *segment_error(int rc);
/* Check a NAME argument; on failure say why and return EXIT_USAGE. */
int check_name_arg(const char *what, const char *name);

/* now - then, or -1 when that does not fit: `then` comes from the segment,
 * which anyone of our uid may have written anything into. */
int64_t age_ns(int64_t now, int64_t then);
void format_bytes(uint64_t bytes, char *buf, size_t len);
/* A duration as "850 ms", "12.5 s", "3 min", "2.0 h", "-" if negative. */
void format_age(int64_t ns, char *buf, size_t len);
const char *state_word(uint32_t state);

/* What an entry under SHM_DIR named SEG_PREFIX... is. */
enum entry_kind {
    ENTRY_SEGMENT,  /* a valid segment name: worth asking libframe */
    ENTRY_LEFTOVER, /* NAME~PID: a writer's object not yet published */
    ENTRY_FOREIGN,  /* no libframe name at all */
};

struct shm_entry {
    char file[256];             /* name in SHM_DIR */
    char name[FRAME_NAME_MAX + 1]; /* segment name (SEGMENT, LEFTOVER) */
    enum entry_kind kind;
    pid_t pid;                  /* LEFTOVER: the writer that made it */
};

/* Every SHM_DIR entry starting with SEG_PREFIX, sorted by file name.
 * Free *out with free(). */
int shm_scan(struct shm_entry **out, size_t *count);

/* A regular file owned by us? 0, FRAMECTL_ENOTREG, FRAME_EOWNER, -ENOENT.
 * Asked before libframe opens anything, so a FIFO planted under our
 * prefix is never opened (opening it would block). */
int shm_entry_plain(const struct shm_entry *e);

#endif
