/* Unfinished segments: the "NAME~PID" objects of writers that died while
 * building them. */
#include "frame_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where glibc's shm_open() keeps its objects (see publish_name()). */
#define SHM_DIR "/dev/shm"
#define PREFIX "libframe."

/* "NAME~PID" with a valid NAME and a positive decimal PID. */
static int parse(const char *leftover, pid_t *pid)
{
    const char *tilde = strrchr(leftover, '~');
    if (!tilde || (size_t)(tilde - leftover) > FRAME_NAME_MAX)
        return -EINVAL;
    char name[FRAME_NAME_MAX + 1];
    memcpy(name, leftover, (size_t)(tilde - leftover));
    name[tilde - leftover] = 0;
    if (frame_name_check(name) != 0)
        return -EINVAL;
    const char *d = tilde + 1;
    long v = 0;
    if (!*d || strlen(d) > 9)
        return -EINVAL;
    for (; *d; d++) {
        if (*d < '0' || *d > '9')
            return -EINVAL;
        v = v * 10 + (*d - '0');
    }
    if (v <= 0)
        return -EINVAL;
    *pid = (pid_t)v;
    return 0;
}

static bool pid_exists(pid_t pid)
{
    return kill(pid, 0) == 0 || errno == EPERM;
}

/* A writer's object is empty before ftruncate, zeros until its header is
 * written, then starts with the magic; anything else is not ours. */
static bool looks_ours(int fd, const struct stat *st)
{
    if (st->st_size == 0)
        return true;
    uint64_t head;
    if (st->st_size < FRAME__HEADER_SIZE ||
        pread(fd, &head, sizeof(head), 0) != (ssize_t)sizeof(head))
        return false;
    return head == 0 || head == FRAME__MAGIC;
}

int frame_leftover_stale(const char *leftover, bool remove)
{
    pid_t pid;
    char file[sizeof(PREFIX) + FRAME_NAME_MAX + 16];
    if (!leftover || parse(leftover, &pid) != 0 ||
        snprintf(file, sizeof(file), PREFIX "%s", leftover) >=
            (int)sizeof(file))
        return -EINVAL;
    int dfd = open(SHM_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -errno;
    int rc;
    /* O_NONBLOCK: a FIFO under this name must not hang us. */
    int fd = openat(dfd, file,
                    (remove ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK |
                        O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ELOOP ? FRAME_ENOTFRAME : -errno;
        goto out_dir;
    }
    struct stat st, now;
    bool held = false;
    if ((rc = frame__check_object(fd, &st)))
        goto out;
    if (!looks_ours(fd, &st)) {
        rc = FRAME_ENOTFRAME;
        goto out;
    }
    if ((rc = frame__lock_held(fd, &held)))
        goto out;
    /* The writer holds its lock from just after creating the object; its
     * pid covers the instant before that. */
    if (held || pid_exists(pid)) {
        rc = 0;
        goto out;
    }
    rc = 1;
    if (!remove)
        goto out;
    /* Hold the lock ourselves while unlinking, and only the object judged:
     * a writer reusing the pid would make a new one under the name. */
    if (frame__lock_take(fd) != 0) {
        rc = 0;
        goto out;
    }
    if (fstatat(dfd, file, &now, AT_SYMLINK_NOFOLLOW) != 0) {
        rc = -errno;
        goto out;
    }
    if (now.st_dev != st.st_dev || now.st_ino != st.st_ino)
        rc = 0;
    else if (unlinkat(dfd, file, 0) != 0)
        rc = -errno;
out:
    close(fd);
out_dir:
    close(dfd);
    return rc;
}

void frame__leftovers_sweep(const char *name)
{
    char want[sizeof(PREFIX) + FRAME_NAME_MAX + 1];
    snprintf(want, sizeof(want), PREFIX "%s~", name);
    size_t n = strlen(want);
    DIR *d = opendir(SHM_DIR);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, want, n) == 0)
            frame_leftover_stale(e->d_name + strlen(PREFIX), true);
    closedir(d);
}
