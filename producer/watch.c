/* New PNG files appearing in a directory, through inotify. */
#include "watch.h"

#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* File times come from a coarse clock that may lag ours by a tick; a
 * rescan looks this much further back than it strictly needs to. */
#define SLACK_NS INT64_C(2000000000)

/*
 * One entry per file name, however many events the file had: a file
 * written again while it waits is still one entry, published once. A
 * published entry is kept only while a rescan could mistake it for a new
 * file (its ctime is within SLACK_NS of the last moment the kernel's queue
 * was seen empty), so memory follows the files waiting, not the events.
 */
enum entry_state { PENDING, DONE };

struct entry {
    struct entry *chain; /* next in the same bucket */
    struct entry *queue; /* next pending, in arrival order */
    enum entry_state state;
    int64_t ctime_ns; /* DONE: the ctime of what was handed out */
    char name[];
};

struct watch {
    int fd;
    char dir[4096];
    struct entry **buckets;
    size_t nbuckets, count;
    struct entry *head, *tail; /* the pending queue */
    size_t done;               /* DONE entries in the table */
    /* CLOCK_REALTIME just before the last read() that found the kernel's
     * queue empty: events lost to an overflow all came after it. */
    int64_t synced_ns;
    int64_t pruned_ns; /* synced_ns at the last prune */
    bool gone;
    char buf[64 * 1024]
        __attribute__((aligned(__alignof__(struct inotify_event))));
};

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t ctime_ns(const struct stat *st)
{
    return (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

static size_t hash(const char *s)
{
    size_t h = 14695981039346656037u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static struct entry *find(struct watch *w, const char *name)
{
    struct entry *e = w->buckets[hash(name) & (w->nbuckets - 1)];
    while (e && strcmp(e->name, name) != 0)
        e = e->chain;
    return e;
}

static int grow(struct watch *w)
{
    size_t n = w->nbuckets * 2;
    struct entry **b = calloc(n, sizeof(*b));
    if (!b)
        return -ENOMEM;
    for (size_t i = 0; i < w->nbuckets; i++) {
        for (struct entry *e = w->buckets[i], *next; e; e = next) {
            next = e->chain;
            size_t k = hash(e->name) & (n - 1);
            e->chain = b[k];
            b[k] = e;
        }
    }
    free(w->buckets);
    w->buckets = b;
    w->nbuckets = n;
    return 0;
}

static void enqueue(struct watch *w, struct entry *e)
{
    if (e->state == DONE)
        w->done--;
    e->state = PENDING;
    e->queue = NULL;
    if (w->tail)
        w->tail->queue = e;
    else
        w->head = e;
    w->tail = e;
}

/* name was written: wait for its turn, once. */
static int arrived(struct watch *w, const char *name)
{
    struct entry *e = find(w, name);
    if (e) {
        if (e->state == DONE)
            enqueue(w, e);
        return 0;
    }
    if (w->count >= w->nbuckets && grow(w))
        return -ENOMEM;
    size_t len = strlen(name) + 1;
    if (!(e = malloc(sizeof(*e) + len)))
        return -ENOMEM;
    memcpy(e->name, name, len);
    e->state = PENDING;
    size_t k = hash(name) & (w->nbuckets - 1);
    e->chain = w->buckets[k];
    w->buckets[k] = e;
    w->count++;
    enqueue(w, e);
    return 0;
}

/* Forget published files no rescan can confuse with new ones any more. */
static void prune(struct watch *w)
{
    /* A walk of the whole table: not for every file handed out. */
    if (!w->done || w->synced_ns - w->pruned_ns < SLACK_NS / 2)
        return;
    w->pruned_ns = w->synced_ns;
    int64_t horizon = w->synced_ns - SLACK_NS;
    for (size_t i = 0; w->done && i < w->nbuckets; i++) {
        for (struct entry **pe = &w->buckets[i]; *pe;) {
            struct entry *e = *pe;
            if (e->state == DONE && e->ctime_ns < horizon) {
                *pe = e->chain;
                free(e);
                w->count--;
                w->done--;
            } else {
                pe = &e->chain;
            }
        }
    }
}

static bool wanted(const char *name)
{
    return name[0] != '.' && has_png_suffix(name);
}

struct found {
    char *name;
    int64_t ctime_ns;
};

static int by_ctime(const void *a, const void *b)
{
    const struct found *x = a, *y = b;
    if (x->ctime_ns != y->ctime_ns)
        return x->ctime_ns < y->ctime_ns ? -1 : 1;
    return natural_compare(x->name, y->name);
}

/*
 * The kernel dropped events: queue, oldest change first, every PNG changed
 * since the last moment nothing was lost (horizon) that is neither waiting
 * nor published as it is now.
 */
static int rescan(struct watch *w, int64_t horizon)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return errno == ENOENT ? (w->gone = true, 0) : -errno;
    struct found *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        struct stat st;
        if (!wanted(de->d_name) || fstatat(dirfd(d), de->d_name, &st, 0) != 0 ||
            !S_ISREG(st.st_mode) || ctime_ns(&st) < horizon)
            continue;
        struct entry *e = find(w, de->d_name);
        if (e && (e->state == PENDING || e->ctime_ns == ctime_ns(&st)))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            struct found *l = realloc(list, cap * sizeof(*l));
            if (!l) {
                rc = -ENOMEM;
                break;
            }
            list = l;
        }
        if (!(list[n].name = strdup(de->d_name))) {
            rc = -ENOMEM;
            break;
        }
        list[n++].ctime_ns = ctime_ns(&st);
    }
    closedir(d);
    if (rc == 0)
        qsort(list, n, sizeof(*list), by_ctime);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = arrived(w, list[i].name);
        free(list[i].name);
    }
    free(list);
    return rc;
}

/* Read every event the kernel holds, without waiting. */
static int drain(struct watch *w)
{
    bool overflow = false;
    int64_t horizon = 0;
    for (;;) {
        int64_t before = realtime_ns();
        ssize_t got = read(w->fd, w->buf, sizeof(w->buf));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                return -errno;
            w->synced_ns = before;
            break;
        }
        for (size_t pos = 0; pos < (size_t)got;) {
            struct inotify_event *ev = (void *)(w->buf + pos);
            pos += sizeof(*ev) + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                if (!overflow)
                    horizon = w->synced_ns - SLACK_NS;
                overflow = true;
            } else if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF |
                                   IN_UNMOUNT)) {
                w->gone = true;
            } else if (ev->len && !(ev->mask & IN_ISDIR) && wanted(ev->name)) {
                int rc = arrived(w, ev->name);
                if (rc)
                    return rc;
            }
        }
    }
    if (overflow && !w->gone) {
        int rc = rescan(w, horizon);
        if (rc)
            return rc;
    }
    prune(w);
    return 0;
}

int watch_open(const char *dir, struct watch **out)
{
    struct watch *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    snprintf(w->dir, sizeof(w->dir), "%s", dir);
    w->nbuckets = 64;
    w->synced_ns = realtime_ns();
    w->buckets = calloc(w->nbuckets, sizeof(*w->buckets));
    w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    /* CLOSE_WRITE: a renderer finished writing the file in place;
     * MOVED_TO: it wrote elsewhere and renamed it in, atomically.
     * ONLYDIR: a file given for DIR is an error, not a watch on nothing. */
    if (!w->buckets || w->fd < 0 ||
        inotify_add_watch(w->fd, dir,
                          IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF |
                              IN_MOVE_SELF | IN_ONLYDIR) < 0) {
        int e = w->buckets ? errno : ENOMEM;
        if (w->fd >= 0)
            close(w->fd);
        free(w->buckets);
        free(w);
        return -e;
    }
    *out = w;
    return 0;
}

/* The oldest waiting file, now published as far as a rescan knows. */
static void hand_out(struct watch *w, char *path, size_t pathlen)
{
    struct entry *e = w->head;
    w->head = e->queue;
    if (!w->head)
        w->tail = NULL;
    snprintf(path, pathlen, "%s/%s", w->dir, e->name);
    struct stat st;
    e->state = DONE;
    e->ctime_ns = stat(path, &st) == 0 ? ctime_ns(&st) : 0;
    w->done++;
}

int watch_next(struct watch *w, int timeout_ms, char *path, size_t pathlen)
{
    int rc = drain(w);
    if (rc)
        return rc;
    if (!w->head && !w->gone) {
        struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
        int n = poll(&pfd, 1, timeout_ms);
        if (n < 0)
            return errno == EINTR ? 0 : -errno;
        if (n > 0 && (rc = drain(w)))
            return rc;
    }
    if (w->gone)
        return WATCH_GONE;
    if (!w->head)
        return 0;
    hand_out(w, path, pathlen);
    return 1;
}

void watch_close(struct watch *w)
{
    if (!w)
        return;
    close(w->fd);
    for (size_t i = 0; i < w->nbuckets; i++)
        for (struct entry *e = w->buckets[i], *next; e; e = next) {
            next = e->chain;
            free(e);
        }
    free(w->buckets);
    free(w);
}
