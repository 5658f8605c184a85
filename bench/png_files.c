/* The photo-like PNG files: the user's directory or make-samples --photo. */
#include "png.h"

#include "spawn.h"

#include <png.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static bool png_name(const char *n)
{
    size_t len = strlen(n);
    return len > 4 && strcasecmp(n + len - 4, ".png") == 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(struct png_set *s)
{
    DIR *d = opendir(s->dir);
    if (!d)
        return -errno;
    struct dirent *e;
    size_t cap = 0;
    int rc = 0;
    while ((e = readdir(d)) && rc == 0) {
        if (!png_name(e->d_name))
            continue;
        if (s->count == cap) {
            cap = cap ? 2 * cap : 16;
            char **f = realloc(s->files, cap * sizeof(*f));
            if (!f) {
                rc = -ENOMEM;
                break;
            }
            s->files = f;
        }
        size_t len = strlen(s->dir) + strlen(e->d_name) + 2;
        if (!(s->files[s->count] = malloc(len))) {
            rc = -ENOMEM;
            break;
        }
        snprintf(s->files[s->count++], len, "%s/%s", s->dir, e->d_name);
    }
    closedir(d);
    if (rc == 0)
        qsort(s->files, s->count, sizeof(*s->files), by_name);
    return rc;
}

/* Width and height from the IHDR, which PNG puts at bytes 16..23. */
static int first_size(struct png_set *s)
{
    unsigned char b[24];
    FILE *f = fopen(s->files[0], "rb");
    if (!f)
        return -errno;
    size_t n = fread(b, 1, sizeof(b), f);
    fclose(f);
    if (n != sizeof(b) || memcmp(b + 12, "IHDR", 4))
        return -EINVAL;
    s->width = (uint32_t)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
    s->height = (uint32_t)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
    return 0;
}

static int make_tmpdir(struct png_set *s, char *why, size_t whylen)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof(s->dir), "%s/framebench.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s->dir)) {
        snprintf(why, whylen, "temporary directory: %s", strerror(errno));
        return -1;
    }
    s->made = true;
    return 0;
}

static int generate(const struct opts *o, const char *make_samples,
                    struct png_set *s, char *why, size_t whylen)
{
    if (make_tmpdir(s, why, whylen))
        return -1;
    char frames[16], size[32], out[512];
    snprintf(frames, sizeof(frames), "%u", o->png_files);
    snprintf(size, sizeof(size), "%ux%u", PNG_MADE_WIDTH, PNG_MADE_HEIGHT);
    char *argv[] = {(char *)make_samples,
                    "--photo",
                    s->dir,
                    "--frames",
                    frames,
                    "--size",
                    size,
                    NULL};
    int rc = spawn_run(argv, out, sizeof(out), 600000);
    if (rc != 0) {
        out[strcspn(out, "\n")] = 0;
        snprintf(why, whylen, "make-samples --photo failed (%d): %s", rc, out);
        return -1;
    }
    return 0;
}

/* Call png_set_free() afterwards, whatever this returns. */
int png_set_prepare(const struct opts *o, const char *make_samples,
                    struct png_set *s, char *why, size_t whylen)
{
    memset(s, 0, sizeof(*s));
    if (o->png_dir) {
        snprintf(s->dir, sizeof(s->dir), "%s", o->png_dir);
    } else if (!make_samples) {
        snprintf(why, whylen,
                 "make-samples not found (build it, or give "
                 "--png-dir or --make-samples)");
        return -1;
    } else if (generate(o, make_samples, s, why, whylen)) {
        list_dir(s); /* so that png_set_free() removes what was made */
        return -1;
    }
    int rc = list_dir(s);
    if (rc) {
        snprintf(why, whylen, "'%s': %s", s->dir, strerror(-rc));
        return -1;
    }
    if (s->count == 0) {
        snprintf(why, whylen, "'%s': no *.png files", s->dir);
        return -1;
    }
    if (first_size(s)) {
        snprintf(why, whylen, "'%s': not a PNG file", s->files[0]);
        return -1;
    }
    return 0;
}

/* One file again as grey, with libpng's simplified API: its conversion,
 * not libframe's, since these are only inputs. */
static int grey_file(const char *from, const char *to, bool sixteen, char *why,
                     size_t whylen)
{
    png_image img;
    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, from)) {
        snprintf(why, whylen, "'%s': %s", from, img.message);
        return -1;
    }
    img.format = sixteen ? PNG_FORMAT_LINEAR_Y : PNG_FORMAT_GRAY;
    void *buf = malloc(PNG_IMAGE_SIZE(img));
    int rc = -1;
    if (!buf)
        snprintf(why, whylen, "out of memory");
    else if (!png_image_finish_read(&img, NULL, buf, 0, NULL))
        snprintf(why, whylen, "'%s': %s", from, img.message);
    else if (!png_image_write_to_file(&img, to, 0, buf, 0, NULL))
        snprintf(why, whylen, "'%s': %s", to, img.message);
    else
        rc = 0;
    png_image_free(&img);
    free(buf);
    return rc;
}

int png_set_grey(const struct png_set *photo, bool sixteen, struct png_set *s,
                 char *why, size_t whylen)
{
    memset(s, 0, sizeof(*s));
    if (make_tmpdir(s, why, whylen))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < photo->count && rc == 0; i++) {
        const char *base = strrchr(photo->files[i], '/');
        char to[sizeof(s->dir) + 256];
        snprintf(to, sizeof(to), "%s/%s", s->dir,
                 base ? base + 1 : photo->files[i]);
        rc = grey_file(photo->files[i], to, sixteen, why, whylen);
    }
    int lrc = list_dir(s); /* so that png_set_free() removes what was made */
    if (rc)
        return -1;
    if (lrc || s->count == 0 || first_size(s)) {
        snprintf(why, whylen, "'%s': the grey files are not there", s->dir);
        return -1;
    }
    return 0;
}

void png_set_free(struct png_set *s)
{
    for (size_t i = 0; i < s->count; i++) {
        if (s->made)
            unlink(s->files[i]);
        free(s->files[i]);
    }
    free(s->files);
    if (s->made)
        rmdir(s->dir);
    memset(s, 0, sizeof(*s));
}
