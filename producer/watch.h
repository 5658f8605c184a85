/* New PNG files appearing in a directory, through inotify. */
#ifndef PRODUCER_WATCH_H
#define PRODUCER_WATCH_H

#include <errno.h>
#include <stddef.h>

/* The directory was deleted, moved away or unmounted: nothing more can
 * arrive through it. */
#define WATCH_GONE (-ENOENT)

struct watch;

/* -ENOTDIR if dir is not a directory. */
int watch_open(const char *dir, struct watch **out);
/* Wait up to timeout_ms for a PNG finished being written (closed after
 * writing, or renamed into the directory). Returns 1 with its path in buf,
 * 0 on timeout or interruption, WATCH_GONE, or -errno. Each file is given
 * once for however many times it was written while it waited; if the
 * kernel's queue overflowed, the directory is read again and every PNG
 * changed since then and not yet given is queued, so none is lost. */
int watch_next(struct watch *w, int timeout_ms, char *buf, size_t buflen);
void watch_close(struct watch *w);

#endif
