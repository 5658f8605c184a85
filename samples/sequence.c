/* Writing numbered test card frames as PNG files, on several threads. */
#include "sequence.h"

#include "files.h"
#include "png_write.h"
#include "testcard.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#define MAX_JOBS 64

/* Frames are independent (testcard_draw is a pure function of the index),
 * so workers just take the next number until there is none or one fails. */
struct shared {
    const struct sequence *seq;
    atomic_uint next;
    atomic_bool stop;
    pthread_mutex_t lock;
    int rc;
    char err[PATH_MAX + 256]; /* "cannot write " PATH ": " why */
};

static void fail(struct shared *sh, int rc, const char *path, const char *why)
{
    pthread_mutex_lock(&sh->lock);
    if (sh->rc == 0) {
        sh->rc = rc;
        snprintf(sh->err, sizeof(sh->err), "cannot write %s: %s", path, why);
    }
    atomic_store(&sh->stop, true);
    pthread_mutex_unlock(&sh->lock);
}

static void *worker(void *arg)
{
    struct shared *sh = arg;
    const struct sequence *seq = sh->seq;
    size_t stride = (size_t)seq->width * 4;
    uint8_t *pixels = malloc(stride * seq->height);
    if (!pixels) {
        fail(sh, -ENOMEM, seq->dir, strerror(ENOMEM));
        return NULL;
    }
    struct testcard tc = {
        .width = seq->width,
        .height = seq->height,
        .fps = seq->fps,
        .noise = seq->noise,
    };

    while (!atomic_load(&sh->stop)) {
        unsigned i = atomic_fetch_add(&sh->next, 1);
        if (i >= seq->frames)
            break;
        char name[32], path[PATH_MAX], why[200];
        snprintf(name, sizeof(name), "frame%04u.png", i + 1);
        if (join_path(path, sizeof(path), seq->dir, name)) {
            fail(sh, -ENAMETOOLONG, seq->dir, strerror(ENAMETOOLONG));
            break;
        }
        testcard_draw(&tc, i, pixels, stride);
        /* Described once drawn: GCC takes the const pointer for a read. */
        struct pngw_spec spec;
        pngw_spec_8bit(&spec, PNG_COLOR_TYPE_RGB_ALPHA, pixels, seq->width,
                       seq->height, stride);
        spec.compression_level = seq->level;
        int rc = pngw_write_file(path, &spec, why, sizeof(why));
        if (rc) {
            fail(sh, rc, path, why);
            break;
        }
    }
    free(pixels);
    return NULL;
}

int sequence_write(const struct sequence *seq, char *err, size_t errlen)
{
    struct shared sh = {.seq = seq};
    pthread_t threads[MAX_JOBS];
    unsigned jobs = seq->jobs, started = 0;

    atomic_init(&sh.next, 0);
    atomic_init(&sh.stop, false);
    int rc = pthread_mutex_init(&sh.lock, NULL);
    if (rc) {
        if (err && errlen)
            snprintf(err, errlen, "cannot start: %s", strerror(rc));
        return -rc;
    }

    if (jobs > seq->frames)
        jobs = seq->frames;
    if (jobs > MAX_JOBS)
        jobs = MAX_JOBS;
    /* This thread is a worker too; if a thread cannot be started the
     * others simply take more frames. */
    while (started + 1 < jobs &&
           pthread_create(&threads[started], NULL, worker, &sh) == 0)
        started++;
    worker(&sh);
    for (unsigned k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    pthread_mutex_destroy(&sh.lock);

    if (sh.rc && err && errlen)
        snprintf(err, errlen, "%s", sh.err);
    return sh.rc;
}
