/* Built against an installed libframe: proves the header, the library and
 * the package files are where consumers look. */
#include <libframe/frame.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char name[64];
    snprintf(name, sizeof(name), "install-%d", (int)getpid());
    struct frame_format fmt = {.max_width = 4, .max_height = 4};
    frame_writer *w;
    frame_reader *r;
    struct frame_buffer b;
    struct frame_view v;
    if (frame_writer_create(name, &fmt, &w, NULL) ||
        frame_writer_begin(w, 4, 4, &b))
        return 1;
    memset(b.pixels, 42, (size_t)b.stride * b.height);
    if (frame_writer_commit(w, 0, 0) || frame_reader_open(name, &r))
        return 1;
    int ok = frame_reader_acquire(r, &v) == 0 && v.pixels[5] == 42 &&
             frame_reader_still_valid(r, &v);
    frame_reader_close(r);
    frame_writer_destroy(w);
    printf("libframe %s: %s\n", frame_version_string(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
