/* Finding libframe's objects in /dev/shm (libframe judges the leftovers). */
#include "framectl.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

