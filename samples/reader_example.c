/* A complete libframe reader: the average colour of every new frame.
 * Start it before or after the producer; it follows the producer through
 * stops, crashes and restarts, and ends after 100 frames or on Ctrl-C. */
#include <libframe/frame.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
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
        for (uint32_t y = 0; y < v.height; y++) /* in place: no copy */
            for (uint32_t x = 0; x < v.width; x++)
                for (int c = 0; c < 3; c++)
                    sum[c] += v.pixels[(size_t)y * v.stride + x * 4 + c];
        if (!frame_reader_still_valid(r, &v))
            continue; /* overwritten while we read it: discard */
        unsigned long long n = (unsigned long long)v.width * v.height;
        printf("frame %llu %ux%u: average %llu %llu %llu\n",
               (unsigned long long)v.frame_no, v.width, v.height, sum[0] / n,
               sum[1] / n, sum[2] / n);
        fflush(stdout);
        shown++;
    }
    frame_reader_close(r);
    return 0;
}
