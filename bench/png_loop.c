/* The PNG baseline: a plain libpng decode loop into one reused buffer. */

/* The same files as the producer, with the producer's transforms (expand,
 * strip_16, gray_to_rgb, add_alpha), and nothing else. Deliberately not
 * png/'s reader (png_load.h): this row is what bare libpng costs, the
 * yardstick the producer's own reader is measured against. */
#include "png.h"

#include "clock.h"
#include "procs.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>

struct image {
    uint8_t *pixels;
    png_bytep *rows;
    size_t cap; /* bytes of pixels */
    uint32_t rows_cap;
};

static int fit(struct image *im, uint32_t w, uint32_t h)
{
    size_t need = (size_t)w * h * 4;
    if (need > im->cap) {
        uint8_t *p = realloc(im->pixels, need);
        if (!p)
            return -ENOMEM;
        im->pixels = p;
        im->cap = need;
    }
    if (h > im->rows_cap) {
        png_bytep *r = realloc(im->rows, h * sizeof(*r));
        if (!r)
            return -ENOMEM;
        im->rows = r;
        im->rows_cap = h;
    }
    for (uint32_t y = 0; y < h; y++)
        im->rows[y] = im->pixels + (size_t)y * w * 4;
    return 0;
}

static int decode(const char *path, struct image *im)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        return -EINVAL;
    }
    png_init_io(png, f);
    png_read_info(png, info);
    uint32_t w = png_get_image_width(png, info);
    uint32_t h = png_get_image_height(png, info);
    int type = png_get_color_type(png, info);
    png_set_expand(png);
    png_set_strip_16(png);
    if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    if (!(type & PNG_COLOR_MASK_ALPHA) &&
        !png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int rc =
        png_get_rowbytes(png, info) == (size_t)w * 4 ? fit(im, w, h) : -EINVAL;
    if (rc == 0) {
        png_read_image(png, im->rows);
        png_read_end(png, NULL);
    }
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    return rc;
}

static int loop_main(void *arg, struct proc_out *out)
{
    const struct png_set *s = arg;
    struct image im = {0};
    struct run *ctl = run_ctl();
    struct meter mt = {0};
    int rc = 0;
    child_ready();
    child_wait_go();
    for (size_t i = 0;; i = i + 1 == s->count ? 0 : i + 1) {
        int64_t now = now_ns();
        meter_tick(&mt, now);
        /* A rate needs two decodes: on a loaded machine (or --quick's
         * 0.15 s) the window is stretched until there are, rather than the
         * row failing on the machine's speed. */
        if (now >= ctl->t_end && out->frames >= 2)
            break;
        if ((rc = decode(s->files[i], &im))) {
            child_fail(out, "'%s': decode failed", s->files[i]);
            break;
        }
        int64_t t = now_ns();
        if (t >= ctl->t_warm && (t < ctl->t_end || out->frames < 2)) {
            if (out->frames++ == 0)
                out->first_ns = t;
            out->last_ns = t;
        }
    }
    meter_end(&mt, out);
    free(im.pixels);
    free(im.rows);
    return rc ? 1 : 0;
}

void run_png_loop(const struct opts *o, const struct png_set *s,
                  struct measure *m)
{
    char why[NOTE_MAX];
    struct spawn procs[1] = {{loop_main, (void *)s}};
    if (run_procs(procs, 1, 1, o, why, sizeof(why))) {
        measure_fail(m, "%s", why);
        return;
    }
    struct proc_out *out = &run_ctl()->out[0];
    /* Completed decodes, first to last: a window edge is never half a
     * frame, which matters at 20-odd frames a second. */
    if (out->frames < 2 || out->last_ns <= out->first_ns) {
        measure_fail(m, "fewer than 2 decodes in the window");
        return;
    }
    m->fps = m->writer_fps =
        (out->frames - 1) / ((out->last_ns - out->first_ns) / 1e9);
    m->gbps = m->fps * (double)s->width * s->height * 4 / 1e9;
    m->wcpu = out->wall_ns ? 100.0 * out->cpu_ns / out->wall_ns : NAN;
}
