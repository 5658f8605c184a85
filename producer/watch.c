/* New PNG files appearing in a directory, through inotify. */
#include "watch.h"

#include "inputs.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct watch {
    int fd;
    char dir[4096];
    /* Events already read but not handed out yet. */
    char buf[16 * (sizeof(struct inotify_event) + 256)]
        __attribute__((aligned(__alignof__(struct inotify_event))));
    size_t len, pos;
};

int watch_open(const char *dir, struct watch **out)
{
    struct watch *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    snprintf(w->dir, sizeof(w->dir), "%s", dir);
    w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    /* CLOSE_WRITE: a renderer finished writing the file in place;
     * MOVED_TO: it wrote elsewhere and renamed it in, atomically. */
    if (w->fd < 0 ||
        inotify_add_watch(w->fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
        int e = errno;
        if (w->fd >= 0)
            close(w->fd);
        free(w);
        return -e;
    }
    *out = w;
    return 0;
}

int watch_next(struct watch *w, int timeout_ms, char *path, size_t pathlen)
{
    for (;;) {
        while (w->pos < w->len) {
            struct inotify_event *ev = (void *)(w->buf + w->pos);
            w->pos += sizeof(*ev) + ev->len;
            if (ev->len && !(ev->mask & IN_ISDIR) && ev->name[0] != '.' &&
                has_png_suffix(ev->name)) {
                snprintf(path, pathlen, "%s/%s", w->dir, ev->name);
                return 1;
            }
        }
        struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
        int n = poll(&pfd, 1, timeout_ms);
        if (n < 0)
            return errno == EINTR ? 0 : -errno;
        if (n == 0)
            return 0;
        ssize_t got = read(w->fd, w->buf, sizeof(w->buf));
        if (got < 0)
            return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
        w->len = (size_t)got;
        w->pos = 0;
    }
}

void watch_close(struct watch *w)
{
    if (!w)
        return;
    close(w->fd);
    free(w);
}
