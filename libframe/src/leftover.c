/* Unfinished segments: the "NAME~PID" objects that writers of libframe
 * before 0.2 built segments under, left behind when one died meanwhile.
 * Writers now build unnamed (O_TMPFILE) and leave nothing; these are only
 * judged and removed for framectl. */
#include "frame_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* "NAME~PID" with a valid NAME and a positive decimal PID. */
int frame__parse_leftover(const char *rest, char name[FRAME_NAME_MAX + 1],
                          int32_t *pid)
{
    const char *tilde = strrchr(rest, '~');
    if (!tilde || (size_t)(tilde - rest) > FRAME_NAME_MAX)
        return -EINVAL;
    memcpy(name, rest, (size_t)(tilde - rest));
    name[tilde - rest] = 0;
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
    *pid = (int32_t)v;
    return 0;
}

/* A writer took its lock within microseconds of creating its object and
 * held it until done; one unlocked and untouched this long is proven dead,
 * in whatever pid namespace it ran (its pid says nothing across them). */
#define LEFTOVER_AGE_S 60

static bool old_enough(const struct stat *st)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec - st->st_mtim.tv_sec >= LEFTOVER_AGE_S;
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
    int32_t pid;
    char name[FRAME_NAME_MAX + 1];
    char file[sizeof(FRAME__PREFIX) + FRAME_NAME_MAX + 16];
    if (!leftover || frame__parse_leftover(leftover, name, &pid) != 0 ||
        snprintf(file, sizeof(file), FRAME__PREFIX "%s", leftover) >=
            (int)sizeof(file))
        return -EINVAL;
    int dfd = open(FRAME__SHM_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
    if (held || !old_enough(&st)) {
        rc = 0;
        goto out;
    }
    rc = 1;
    if (!remove)
        goto out;
    /* Hold the lock ourselves while unlinking, and only the object judged:
     * another may have been made under the name since. */
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
