/* A complete libframe reader: the average colour of every new frame, read
 * in place when it is 8-bit RGB(A) or BGRA, from a converted copy else.
 * Start it before or after the producer; it follows the producer through
 * stops, crashes and restarts, and ends after 100 frames or on Ctrl-C. */
#include <libframe/frame.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Sum R, G and B of an 8-bit packed colour frame where it lies. */
static bool average_in_place(const struct frame_view *v,
                             unsigned long long sum[3])
{
    static const int rgb[] = {0, 1, 2}, bgr[] = {2, 1, 0};
    const int *at = v->format == FRAME_FORMAT_BGRA8 ? bgr : rgb;
    size_t px = v->format == FRAME_FORMAT_RGB8 ? 3 : 4;
    if (v->format != FRAME_FORMAT_RGBA8 && v->format != FRAME_FORMAT_BGRA8 &&
        v->format != FRAME_FORMAT_RGB8)
        return false;
    for (uint32_t y = 0; y < v->height; y++) /* in place: no copy */
        for (uint32_t x = 0; x < v->width; x++)
            for (int c = 0; c < 3; c++)
                sum[c] += v->pixels[(size_t)y * v->stride + x * px + at[c]];
    return true;
}

/* A validated RGBA8 copy of the newest frame; v then describes the copy. */
static int copy_rgba(frame_reader *r, struct frame_view *v, uint8_t **buf,
                     size_t *size)
{
    int rc;
    while ((rc = frame_reader_copy(r, *buf, 0, *size, v)) == -ENOSPC) {
        size_t need = frame_buffer_size(v->width, v->height);
        uint8_t *bigger = realloc(*buf, need);
        if (!bigger)
            return -ENOMEM;
        *buf = bigger;
        *size = need;
    }
    if (rc == 0) {
        v->format = FRAME_FORMAT_RGBA8;
        v->pixels = *buf;
        v->stride = v->width * 4;
    }
    return rc;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "default";
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);

    /* FRAME_OPEN_WAIT: no producer yet is a state of the handle, not an
     * error; only a bad name or no memory fail here. */
    frame_reader *r;
    int rc = frame_reader_open_flags(name, FRAME_OPEN_WAIT, &r);
    if (rc) {
        fprintf(stderr, "open '%s': %s\n", name, frame_strerror(rc));
        return 1;
    }
    if (frame_reader_state(r, NULL) == FRAME_READER_WAITING)
        fprintf(stderr, "waiting for a producer on '%s'\n", name);

    uint8_t *rgba = NULL; /* the copy, for formats read through one */
    size_t rgba_size = 0;
    for (int shown = 0; shown < 100 && !stop;) {
        /* Sleeps on a futex; a bounded wait lets the loop see `stop`. */
        rc = frame_reader_wait(r, 200);
        if (rc == -ETIMEDOUT)
            continue;
        if (rc) {
            /* Each change is said once: FRAME_ERESTARTED (a producer is
             * attached), FRAME_ECLOSED, FRAME_ELOST, or why the segment is
             * unusable. The handle follows the next producer by itself. */
            fprintf(stderr, "%s\n", frame_strerror(rc));
            if (rc != FRAME_ERESTARTED)
                continue;
        }
        struct frame_view v;
        if (frame_reader_acquire(r, &v))
            continue; /* nothing readable now: the next wait says why */
        unsigned long long sum[3] = {0};
        if (!average_in_place(&v, sum)) {
            /* Grey, 16-bit or YUV: let the library convert a copy. */
            if (copy_rgba(r, &v, &rgba, &rgba_size))
                continue;
            average_in_place(&v, sum);
        } else if (!frame_reader_still_valid(r, &v)) {
            continue; /* overwritten while we read it: discard */
        }
        unsigned long long n = (unsigned long long)v.width * v.height;
        printf("frame %llu %ux%u: average %llu %llu %llu\n",
               (unsigned long long)v.frame_no, v.width, v.height, sum[0] / n,
               sum[1] / n, sum[2] / n);
        fflush(stdout);
        shown++;
    }
    free(rgba);
    frame_reader_close(r);
    return 0;
}
