/* Worker threads decoding PNGs ahead of the publisher, delivered in order. */
#include "decode_pool.h"

#include "clock.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum job_state { JOB_FREE, JOB_QUEUED, JOB_BUSY, JOB_DONE };

struct job {
    enum job_state state;
    uint64_t seq;
    struct decoded d;
};

struct decode_pool {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t *threads;
    unsigned nthreads;
    struct job *jobs; /* ring of 2 * threads: at most that many ahead */
    size_t njobs;
    uint64_t next_assign; /* next sequence number to give a file */
    uint64_t next_take;   /* next sequence number the publisher wants */
    bool exhausted;       /* next_file said there is nothing more */
    bool stopping;
    atomic_bool cancel; /* stopping: decodes under way end early too */
    uint32_t format;    /* what the frames are published as */
    size_t frame_bytes;
    char *const *paths;
    next_file_fn next;
    void *ctx;
    uint32_t max_height;
};

struct target_ctx {
    struct decoded *d;
    size_t capacity;
};

static int into_buffer(void *vctx, uint32_t format, uint32_t w, uint32_t h,
                       struct frame_image *img, char *err, size_t errlen)
{
    struct target_ctx *t = vctx;
    size_t bytes =
        frame_image_layout(&t->d->image, format, w, h, 1, t->d->bytes);
    if (!bytes || bytes > t->capacity)
        return format_too_big(format, w, h, err, errlen);
    *img = t->d->image;
    return 0;
}

/* Give free ring entries their files, in order. Called with the lock. */
static void assign(struct decode_pool *p)
{
    while (!p->exhausted && p->next_assign < p->next_take + p->njobs) {
        struct job *j = &p->jobs[p->next_assign % p->njobs];
        if (j->state != JOB_FREE)
            break;
        size_t file = p->next(p->ctx);
        if (file == (size_t)-1) {
            p->exhausted = true;
            break;
        }
        j->seq = p->next_assign++;
        j->d.file = file;
        j->state = JOB_QUEUED;
    }
}

static void *worker(void *arg)
{
    struct decode_pool *p = arg;
    struct decoder *loader = NULL;
    if (decoder_new(p->format, p->max_height, &loader))
        return NULL;
    decoder_set_cancel(loader, &p->cancel);
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        /* The oldest queued job first, so results arrive in order. */
        struct job *j = NULL;
        for (size_t i = 0; i < p->njobs; i++) {
            struct job *c = &p->jobs[i];
            if (c->state == JOB_QUEUED && (!j || c->seq < j->seq))
                j = c;
        }
        if (!j) {
            pthread_cond_wait(&p->changed, &p->lock);
            continue;
        }
        j->state = JOB_BUSY;
        const char *path = p->paths[j->d.file];
        pthread_mutex_unlock(&p->lock);

        struct target_ctx t = {.d = &j->d, .capacity = p->frame_bytes};
        int taken;
        int64_t t0 = now_ns();
        j->d.rc = decoder_load(loader, path, into_buffer, &t, &taken, j->d.err,
                               sizeof(j->d.err));
        j->d.decode_ms = (now_ns() - t0) / 1e6;

        pthread_mutex_lock(&p->lock);
        j->state = JOB_DONE;
        pthread_cond_broadcast(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    decoder_free(loader);
    return NULL;
}

int decode_pool_new(unsigned threads, uint32_t format, size_t frame_bytes,
                    uint32_t max_height, char *const *paths, next_file_fn next,
                    void *ctx, struct decode_pool **out)
{
    struct decode_pool *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->nthreads = threads ? threads : 1;
    p->njobs = 2 * (size_t)p->nthreads;
    p->format = format;
    p->frame_bytes = frame_bytes;
    p->max_height = max_height;
    p->paths = paths;
    p->next = next;
    p->ctx = ctx;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    p->jobs = calloc(p->njobs, sizeof(*p->jobs));
    p->threads = calloc(p->nthreads, sizeof(*p->threads));
    if (!p->jobs || !p->threads)
        goto fail;
    for (size_t i = 0; i < p->njobs; i++)
        if (!(p->jobs[i].d.bytes = malloc(frame_bytes)))
            goto fail;
    pthread_mutex_lock(&p->lock);
    assign(p);
    pthread_mutex_unlock(&p->lock);
    unsigned started = 0;
    for (; started < p->nthreads; started++)
        if (pthread_create(&p->threads[started], NULL, worker, p))
            break;
    p->nthreads = started;
    if (!started)
        goto fail;
    *out = p;
    return 0;
fail:
    decode_pool_free(p);
    return -ENOMEM;
}

struct decoded *decode_pool_take(struct decode_pool *p, int timeout_ms,
                                 bool *done)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    *done = false;
    struct decoded *d = NULL;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        struct job *j = &p->jobs[p->next_take % p->njobs];
        if (j->state == JOB_DONE && j->seq == p->next_take) {
            d = &j->d;
            break;
        }
        if (p->exhausted && p->next_take == p->next_assign) {
            *done = true;
            break;
        }
        if (pthread_cond_timedwait(&p->changed, &p->lock, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&p->lock);
    return d;
}

int decode_pool_release(struct decode_pool *p, struct decoded *d, bool keep)
{
    struct job *j = (struct job *)((char *)d - offsetof(struct job, d));
    int rc = 0;
    if (keep && !(d->bytes = malloc(p->frame_bytes)))
        rc = -ENOMEM;
    pthread_mutex_lock(&p->lock);
    if (rc) {
        /* No buffer to decode into: stop feeding this entry. */
        p->exhausted = true;
    } else {
        j->state = JOB_FREE;
    }
    p->next_take++;
    assign(p);
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    return rc;
}

void decode_pool_free(struct decode_pool *p)
{
    if (!p)
        return;
    atomic_store(&p->cancel, true);
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    if (p->jobs)
        for (size_t i = 0; i < p->njobs; i++)
            free(p->jobs[i].d.bytes);
    free(p->jobs);
    free(p->threads);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->changed);
    free(p);
}
