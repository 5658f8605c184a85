/* Expanding PATH arguments into the ordered list of PNG files to play. */
#include "inputs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int natural_compare(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            /* Compare digit runs by value: skip leading zeros, then the
             * longer run is larger, then digit by digit. */
            const char *sa = a, *sb = b;
            while (*sa == '0')
                sa++;
            while (*sb == '0')
                sb++;
            const char *ea = sa, *eb = sb;
            while (isdigit((unsigned char)*ea))
                ea++;
            while (isdigit((unsigned char)*eb))
                eb++;
            if (ea - sa != eb - sb)
                return (ea - sa) < (eb - sb) ? -1 : 1;
            int c = strncmp(sa, sb, (size_t)(ea - sa));
            if (c)
                return c;
            /* Equal values: fewer leading zeros first, for a total order. */
            if ((sa - a) != (sb - b))
                return (sa - a) < (sb - b) ? -1 : 1;
            a = ea;
            b = eb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

bool has_png_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".png") == 0;
}

int inputs_push(struct input_list *l, const char *path)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->paths, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        l->paths = p;
        l->cap = cap;
    }
    if (!(l->paths[l->count] = strdup(path)))
        return -ENOMEM;
    l->count++;
    return 0;
}

void inputs_free(struct input_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->paths[i]);
    free(l->paths);
    memset(l, 0, sizeof(*l));
}

static int by_natural_name(const void *a, const void *b)
{
    return natural_compare(*(char *const *)a, *(char *const *)b);
}

static int add_directory(struct input_list *l, const char *dir, char *err,
                         size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        snprintf(err, errlen, "%s", strerror(e));
        return -e;
    }
    size_t first = l->count;
    int rc = 0;
    struct dirent *de;
    const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.' || !has_png_suffix(de->d_name))
            continue;
        char *path;
        if (asprintf(&path, "%s%s%s", dir, sep, de->d_name) < 0) {
            rc = -ENOMEM;
            break;
        }
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = inputs_push(l, path);
        free(path);
    }
    closedir(d);
    if (rc) {
        snprintf(err, errlen, "%s", strerror(-rc));
        return rc;
    }
    /* Paths share the directory prefix, so comparing them whole sorts
     * by file name. */
    qsort(l->paths + first, l->count - first, sizeof(*l->paths),
          by_natural_name);
    return 0;
}

int inputs_add(struct input_list *l, const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s", strerror(e));
        return -e;
    }
    if (S_ISDIR(st.st_mode))
        return add_directory(l, path, err, errlen);
    int rc = inputs_push(l, path);
    if (rc)
        snprintf(err, errlen, "%s", strerror(-rc));
    return rc;
}
