/* A complete libframe reader: the average colour of every new frame. */
#include <libframe/frame.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "default";
    frame_reader *r;
    int rc = frame_reader_open(name, &r); /* /dev/shm/libframe.NAME */
    if (rc) {
        fprintf(stderr, "open '%s': %s\n", name, frame_strerror(rc));
        return 1;
    }
    for (int shown = 0; shown < 100;) {
        rc = frame_reader_wait(r, 5000); /* sleeps on a futex */
        if (rc == FRAME_ELOST || rc == FRAME_ECLOSED || rc == FRAME_ERESTARTED)
            fprintf(stderr, "%s\n", frame_strerror(rc));
        if (rc)
            continue; /* also -ETIMEDOUT: keep waiting */
        struct frame_view v;
        if (frame_reader_acquire(r, &v))
            continue;
        unsigned long long sum[3] = {0};
        for (uint32_t y = 0; y < v.height; y++) /* in place: no copy */
            for (uint32_t x = 0; x < v.width; x++)
                for (int c = 0; c < 3; c++)
                    sum[c] += v.pixels[(size_t)y * v.stride + x * 4 + c];
        if (!frame_reader_still_valid(r, &v))
            continue; /* overwritten while we read it: discard */
        unsigned long long n = (unsigned long long)v.width * v.height;
        printf("frame %llu %ux%u: average %llu %llu %llu\n",
               (unsigned long long)v.frame_no, v.width, v.height,
               sum[0] / n, sum[1] / n, sum[2] / n);
        shown++;
    }
    frame_reader_close(r);
    return 0;
}
