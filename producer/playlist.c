/* The inputs in play order, bad files dropped once. */
#include "playlist.h"

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

/* A slot takes any frame whose bytes fit, so the segment is sized for the
 * frame with the most pixels, as it is: the largest width times the
 * largest height would make 8192x1 and 1x8192 need 256 MiB a slot
 * instead of 32 KiB. */
int playlist_gather(struct playlist *pl, char *const *paths, int n,
                    uint32_t *max_w, uint32_t *max_h, uint64_t *total)
{
    char err[PNG_LOAD_ERR_MAX];
    int rc = expand(pl, paths, n);
    if (rc)
        return rc;
    *total = 0;
    for (size_t i = 0; i < pl->in.count; i++) {
        uint32_t w, h;
        if (png_probe(pl->in.paths[i], &w, &h, err, sizeof(err))) {
            playlist_drop(pl, i, err);
            continue;
        }
        if ((uint64_t)w * h > (uint64_t)*max_w * *max_h) {
            *max_w = w;
            *max_h = h;
        }
        *total += (uint64_t)w * h * 4;
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
