/* The inputs in play order, bad files dropped once. */
#include "playlist.h"

#include "decode.h"
#include "msg.h"
#include "png_load.h"

#include <errno.h>
#include <stdlib.h>

void playlist_skip(struct playlist *pl, const char *path, const char *why)
{
    msg_error("'%s': %s", path, why);
    pl->skipped++;
}

void playlist_drop(struct playlist *pl, size_t file, const char *why)
{
    if (pl->dropped[file])
        return;
    playlist_skip(pl, pl->in.paths[file], why);
    pl->dropped[file] = true;
    pl->live--;
}

static int expand(struct playlist *pl, char *const *paths, int n)
{
    char err[PNG_LOAD_ERR_MAX];
    for (int i = 0; i < n; i++) {
        size_t before = pl->in.count;
        int rc = inputs_add(&pl->in, paths[i], err, sizeof(err));
        if (rc == -ENOMEM)
            return rc;
        if (rc)
            playlist_skip(pl, paths[i], err);
        else if (pl->in.count == before)
            msg_error("'%s': no *.png files in this directory", paths[i]);
    }
    bool *d = calloc(pl->in.count ? pl->in.count : 1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    pl->dropped = d;
    pl->live = pl->in.count;
    return 0;
}

/* The format and size input i is published at; false (said, dropped) if
 * its header is bad. Only --format native needs the chunks up to the image
 * data (tRNS makes grey RGBA8); otherwise the IHDR alone is read. */
static bool probe(struct playlist *pl, size_t i, uint32_t want, uint32_t *fmt,
                  uint32_t *w, uint32_t *h)
{
    char err[PNG_LOAD_ERR_MAX];
    const char *path = pl->in.paths[i];
    struct png_file_info f;
    int rc = want == FORMAT_NATIVE ? png_probe_info(path, &f, err, sizeof(err))
                                   : png_probe(path, w, h, err, sizeof(err));
    if (rc) {
        playlist_drop(pl, i, err);
        return false;
    }
    if (want == FORMAT_NATIVE) {
        *w = f.h.width;
        *h = f.h.height;
    }
    *fmt = want == FORMAT_NATIVE ? format_native(&f) : want;
    return true;
}

/* A slot takes any frame whose bytes fit, so the segment is sized for the
 * frame with the most bytes, as it is: the largest width times the
 * largest height would make 8192x1 and 1x8192 need 256 MiB a slot
 * instead of 32 KiB. */
int playlist_gather(struct playlist *pl, char *const *paths, int n,
                    uint32_t want, struct sizing *sz)
{
    int rc = expand(pl, paths, n);
    if (rc)
        return rc;
    *sz = (struct sizing){.format = want};
    for (size_t i = 0; i < pl->in.count; i++) {
        uint32_t fmt, w, h;
        if (!probe(pl, i, want, &fmt, &w, &h))
            continue;
        size_t bytes = frame_image_layout(NULL, fmt, w, h, 1, NULL);
        if (bytes > sz->bytes)
            *sz = (struct sizing){w, h, fmt, bytes, sz->total, sz->formats};
        sz->total += bytes;
        sz->formats |= 1u << fmt;
    }
    return 0;
}

size_t playlist_next(void *ctx)
{
    struct playlist *pl = ctx;
    for (size_t tries = 0; tries <= pl->in.count && !pl->pass_over; tries++) {
        if (pl->cursor >= pl->in.count) {
            pl->cursor = 0;
            if (!pl->loop) {
                pl->pass_over = true;
                break;
            }
        }
        size_t f = pl->cursor++;
        if (!pl->dropped[f])
            return f;
    }
    return NO_FILE;
}

void playlist_free(struct playlist *pl)
{
    free(pl->dropped);
    inputs_free(&pl->in);
}
