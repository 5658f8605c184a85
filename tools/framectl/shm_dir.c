/* Finding libframe's objects in /dev/shm and judging leftovers of writers. */
#include "framectl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What libframe stores first in a header, once it is complete. */
static const char magic[8] = {'L', 'I', 'B', 'F', 'R', 'A', 'M', 'E'};
/* A complete header is one page (docs/design.md, "Segment"). */
#define HEADER_PAGE 4096

/* "NAME~PID" is the private name a writer builds its segment under before
 * it links it to NAME (docs/design.md); no valid name contains '~'. */
static bool parse_leftover(const char *rest, struct shm_entry *e)
{
    const char *tilde = strchr(rest, '~');
    if (!tilde || (size_t)(tilde - rest) > FRAME_NAME_MAX)
        return false;
    char name[FRAME_NAME_MAX + 1];
    memcpy(name, rest, (size_t)(tilde - rest));
    name[tilde - rest] = 0;
    if (frame_name_check(name) != 0)
        return false;
    const char *d = tilde + 1;
    long pid = 0;
    if (!*d || strlen(d) > 9)
        return false;
    for (; *d; d++) {
        if (*d < '0' || *d > '9')
            return false;
        pid = pid * 10 + (*d - '0');
    }
    if (pid <= 0)
        return false;
    memcpy(e->name, name, sizeof(name));
    e->pid = (pid_t)pid;
    return true;
}

static int by_file(const void *a, const void *b)
{
    return strcmp(((const struct shm_entry *)a)->file,
                  ((const struct shm_entry *)b)->file);
}

int shm_scan(struct shm_entry **out, size_t *count)
{
    struct shm_entry *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    DIR *d = opendir(SHM_DIR);
    if (!d)
        return -errno;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d))) {
        const char *rest = de->d_name + strlen(SEG_PREFIX);
        if (strncmp(de->d_name, SEG_PREFIX, strlen(SEG_PREFIX)) != 0 ||
            strlen(de->d_name) >= sizeof(list->file))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct shm_entry *grown = realloc(list, ncap * sizeof(*list));
            if (!grown) {
                rc = -ENOMEM;
                goto out;
            }
            list = grown;
            cap = ncap;
        }
        struct shm_entry *e = &list[n++];
        memset(e, 0, sizeof(*e));
        snprintf(e->file, sizeof(e->file), "%s", de->d_name);
        if (frame_name_check(rest) == 0) {
            e->kind = ENTRY_SEGMENT;
            snprintf(e->name, sizeof(e->name), "%s", rest);
        } else if (parse_leftover(rest, e)) {
            e->kind = ENTRY_LEFTOVER;
        } else {
            e->kind = ENTRY_FOREIGN;
        }
        errno = 0;
    }
    if (errno)
        rc = -errno;
out:
    closedir(d);
    if (rc) {
        free(list);
        return rc;
    }
    if (n)
        qsort(list, n, sizeof(*list), by_file);
    *out = list;
    *count = n;
    return 0;
}

int shm_entry_plain(const struct shm_entry *e)
{
    char path[sizeof(SHM_DIR) + sizeof(e->file)];
    snprintf(path, sizeof(path), SHM_DIR "/%s", e->file);
    struct stat st;
    if (lstat(path, &st) != 0)
        return -errno;
    if (!S_ISREG(st.st_mode))
        return FRAMECTL_ENOTREG;
    if (st.st_uid != geteuid())
        return FRAME_EOWNER;
    return 0;
}

/* Some open file description holds the writer's lock on the object. */
static bool lock_held(int fd)
{
    struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
    return fcntl(fd, F_OFD_GETLK, &fl) != 0 || fl.l_type != F_UNLCK;
}

static bool pid_exists(pid_t pid)
{
    return kill(pid, 0) == 0 || errno == EPERM;
}

int leftover_stale(const struct shm_entry *e, bool remove)
{
    int rc;
    int dfd = open(SHM_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    /* O_NONBLOCK: a FIFO under this name must not hang us. */
    int fd = openat(dfd, e->file,
                    (remove ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK |
                        O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ELOOP ? FRAME_ENOTFRAME : -errno;
        goto out_dir;
    }
    struct stat st, now;
    char head[sizeof(magic)];
    static const char zeros[sizeof(magic)];
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = FRAME_ENOTFRAME;
        goto out;
    }
    if (st.st_uid != geteuid()) {
        rc = FRAME_EOWNER;
        goto out;
    }
    /* A writer's object is empty before ftruncate, zeros until its header
     * is written, then carries the magic; anything else is not ours. */
    if (st.st_size != 0 &&
        (st.st_size < HEADER_PAGE ||
         pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
         (memcmp(head, magic, sizeof(head)) != 0 &&
          memcmp(head, zeros, sizeof(head)) != 0))) {
        rc = FRAME_ENOTFRAME;
        goto out;
    }
    /* The writer holds its lock from just after creating the object; its
     * pid covers the instant before that. */
    if (lock_held(fd) || pid_exists(e->pid)) {
        rc = 0;
        goto out;
    }
    rc = 1;
    if (!remove)
        goto out;
    /* Hold the lock ourselves while unlinking, and only the object we
     * judged: a writer reusing the pid makes a new one under the name. */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        rc = 0;
        goto out;
    }
    if (fstatat(dfd, e->file, &now, AT_SYMLINK_NOFOLLOW) != 0) {
        rc = -errno;
        goto out;
    }
    if (now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
        rc = 0;
        goto out;
    }
    if (unlinkat(dfd, e->file, 0) != 0)
        rc = -errno;
out:
    close(fd);
out_dir:
    close(dfd);
    return rc;
}
