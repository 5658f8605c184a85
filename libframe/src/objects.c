/* What libframe's objects in /dev/shm are, for tools that list and clean
 * them: the one place that knows how they are named. */
#include "frame_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int frame_segment_path(const char *name, char *buf, size_t len)
{
    char path[FRAME__PATH_MAX];
    int rc = frame__path(name, path);
    if (rc)
        return rc;
    if ((size_t)snprintf(buf, len, FRAME__SHM_DIR "%s", path) >= len)
        return -ENOSPC;
    return 0;
}

static void classify(int dfd, const char *file, struct frame_object *o)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->entry, sizeof(o->entry), "%s", file + strlen(FRAME__PREFIX));
    if (frame_name_check(o->entry) == 0) {
        o->kind = FRAME_OBJECT_SEGMENT;
        memcpy(o->name, o->entry, strlen(o->entry) + 1);
    } else if (frame__parse_leftover(o->entry, o->name, &o->pid) == 0) {
        o->kind = FRAME_OBJECT_LEFTOVER;
    } else {
        o->kind = FRAME_OBJECT_FOREIGN;
    }
    /* lstat, not open: opening a FIFO someone planted would block. */
    struct stat st;
    if (fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) != 0)
        o->status = -errno;
    else if (!S_ISREG(st.st_mode))
        o->status = FRAME_ENOTFRAME;
    else
        o->status = st.st_uid == geteuid() ? 0 : FRAME_EOWNER;
}

static int by_entry(const void *a, const void *b)
{
    return strcmp(((const struct frame_object *)a)->entry,
                  ((const struct frame_object *)b)->entry);
}

int frame_objects_list(struct frame_object **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    DIR *d = opendir(FRAME__SHM_DIR);
    if (!d)
        return -errno;
    struct frame_object *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    const size_t plen = strlen(FRAME__PREFIX);
    errno = 0;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, FRAME__PREFIX, plen) != 0 ||
            strlen(de->d_name) - plen >= sizeof(list->entry))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct frame_object *nl = realloc(list, ncap * sizeof(*nl));
            if (!nl) {
                rc = -ENOMEM;
                break;
            }
            list = nl;
            cap = ncap;
        }
        classify(dirfd(d), de->d_name, &list[n++]);
        errno = 0;
    }
    if (rc == 0 && errno)
        rc = -errno;
    closedir(d);
    if (rc) {
        free(list);
        return rc;
    }
    if (n)
        qsort(list, n, sizeof(*list), by_entry);
    *out = list;
    *count = n;
    return 0;
}
