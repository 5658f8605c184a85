/* New PNG files appearing in a directory, through inotify. */
#ifndef PRODUCER_WATCH_H
#define PRODUCER_WATCH_H

#include <stddef.h>

struct watch;

int watch_open(const char *dir, struct watch **out);
/* Wait up to timeout_ms for a PNG finished being written (closed after
 * writing, or renamed into the directory). Returns 1 with its path in buf,
 * 0 on timeout or interruption, or -errno. */
int watch_next(struct watch *w, int timeout_ms, char *buf, size_t buflen);
void watch_close(struct watch *w);

#endif
