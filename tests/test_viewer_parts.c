/* The viewer's parts on their own: text (the real SDL2_ttf and DejaVu, and
 * the test font), the pixel probe, zoom and graphs, drawn by SDL's
 * software renderer into a surface, so no display is needed. */
#include "runner.h"

#include "graph.h"
#include "probe.h"
#include "text.h"
#include "zoom.h"

#include <SDL.h>

#include <math.h>
#include <stdlib.h>

#define W 320
#define H 120

static const SDL_Color white = {255, 255, 255, 255};
static const SDL_Color red = {255, 0, 0, 255};

/* A software renderer drawing into an RGBA32 surface of w x h, cleared to
 * opaque black. */
struct canvas {
    SDL_Surface *s;
    SDL_Renderer *r;
};

static struct canvas canvas_open(int w, int h)
{
    /* The renderer needs no display; SDL_Init is for the parts of SDL
     * that ask whether video is up. */
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    CHECK(SDL_Init(SDL_INIT_VIDEO) == 0);
    struct canvas c;
    c.s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGBA32);
    CHECK(c.s);
    c.r = SDL_CreateSoftwareRenderer(c.s);
    CHECK(c.r);
    CHECK(SDL_SetRenderDrawColor(c.r, 0, 0, 0, 255) == 0);
    CHECK(SDL_RenderClear(c.r) == 0);
    CHECK(SDL_RenderFlush(c.r) == 0);
    return c;
}

static void canvas_close(struct canvas *c)
{
    SDL_DestroyRenderer(c->r);
    SDL_FreeSurface(c->s);
    SDL_Quit();
}

static const uint8_t *px(const struct canvas *c, int x, int y)
{
    return (const uint8_t *)c->s->pixels + (size_t)y * c->s->pitch +
           (size_t)x * 4;
}

static bool black(const uint8_t *p) { return !p[0] && !p[1] && !p[2]; }

/* Pixels not black inside rect (in) and outside it (out). */
static void count_lit(struct canvas *c, SDL_Rect rect, int *in, int *out)
{
    CHECK(SDL_RenderFlush(c->r) == 0);
    *in = *out = 0;
    SDL_Point p;
    for (p.y = 0; p.y < c->s->h; p.y++)
        for (p.x = 0; p.x < c->s->w; p.x++)
            if (!black(px(c, p.x, p.y)))
                (SDL_PointInRect(&p, &rect) ? (*in)++ : (*out)++);
}

/* Grey levels other than black and full white among the lit pixels:
 * anti-aliased edges, which the 8x8 test font never has. */
static int partial_pixels(struct canvas *c)
{
    CHECK(SDL_RenderFlush(c->r) == 0);
    int n = 0;
    for (int y = 0; y < c->s->h; y++)
        for (int x = 0; x < c->s->w; x++) {
            const uint8_t *p = px(c, x, y);
            if (p[0] != 0 && p[0] != 255)
                n++;
        }
    return n;
}

static struct text *open_text(struct canvas *c, const char *font)
{
    if (font)
        setenv(TEXT_FONT_ENV, font, 1);
    else
        unsetenv(TEXT_FONT_ENV);
    struct text *t;
    CHECK_RC(text_open(c->r, &t), 0);
    return t;
}

static const char sample[] = "demo 640x480 RGBA 30.0 fps";

/* SDL2_ttf draws with DejaVu Sans Mono, found without being told where,
 * inside the measured rectangle, anti-aliased. */
static void text_ttf(void)
{
    struct canvas c = canvas_open(W, H);
    struct text *t = open_text(&c, NULL);
    CHECK(text_is_ttf(t));
    CHECK(strstr(text_font_path(t), "DejaVuSansMono"));
    int w, h, in, out;
    text_measure(t, sample, &w, &h);
    CHECK(w > 0 && h == text_line_height(t));
    CHECK_RC(text_draw(t, 10, 20, sample, white), 0);
    count_lit(&c, (SDL_Rect){10, 20, w, h}, &in, &out);
    CHECK(in > 50);
    CHECK(out == 0);
    CHECK(partial_pixels(&c) > 20);
    text_close(t);
    canvas_close(&c);
}

/* FRAME_VIEWER_FONT=none: the 8x8 test font, whole pixels only, 8 font
 * pixels a character at an integer scale. */
static void text_fallback(void)
{
    struct canvas c = canvas_open(W, H);
    struct text *t = open_text(&c, "none");
    CHECK(!text_is_ttf(t));
    CHECK(text_font_path(t) == NULL);
    CHECK_RC(text_set_height(t, 16), 0);
    int w, h, in, out;
    text_measure(t, sample, &w, &h);
    CHECK(w == (int)strlen(sample) * 8 * 2);
    CHECK(h == 20);
    CHECK_RC(text_draw(t, 10, 20, sample, white), 0);
    count_lit(&c, (SDL_Rect){10, 20, w, h}, &in, &out);
    CHECK(in > 50);
    CHECK(out == 0);
    CHECK(partial_pixels(&c) == 0);
    text_close(t);
    canvas_close(&c);
}

/* A font that is not there is said and replaced, never fatal. */
static void text_missing_font(void)
{
    struct canvas c = canvas_open(W, H);
    /* What it says, caught in a file. */
    FILE *said = tmpfile();
    CHECK(said);
    fflush(stderr);
    int saved = dup(2);
    CHECK(saved >= 0 && dup2(fileno(said), 2) == 2);
    struct text *t = open_text(&c, "/nonexistent/NoSuchFont.ttf");
    CHECK(!text_is_ttf(t));
    int in, out;
    CHECK_RC(text_draw(t, 0, 0, "still drawn", white), 0);
    CHECK_RC(text_draw(t, 0, 20, "and again", white), 0);
    fflush(stderr);
    CHECK(dup2(saved, 2) == 2);
    close(saved);
    char line[512], more[512];
    rewind(said);
    CHECK(fgets(line, sizeof(line), said));
    CHECK(!fgets(more, sizeof(more), said)); /* said once */
    fclose(said);
    fprintf(stderr, "it said: %s", line);
    CHECK(strstr(line, "/nonexistent/NoSuchFont.ttf"));
    CHECK(strstr(line, "8x8"));
    count_lit(&c, (SDL_Rect){0, 0, W, H}, &in, &out);
    CHECK(in > 20);
    text_close(t);
    /* A file that is there but is no font. */
    char junk[] = "/tmp/test_viewer_parts.XXXXXX";
    int fd = mkstemp(junk);
    CHECK(fd >= 0);
    CHECK(write(fd, "not a font\n", 11) == 11);
    close(fd);
    t = open_text(&c, junk);
    unlink(junk);
    CHECK(!text_is_ttf(t));
    CHECK_RC(text_draw(t, 0, 40, "drawn too", white), 0);
    text_close(t);
    canvas_close(&c);
}

/* Inside a tile's clip rect (the viewer clips each tile), both fonts stay
 * in it, and the test font's scaling leaves the clip as it was. */
static void text_clipped(void)
{
    const char *fonts[] = {NULL, "none"};
    for (int i = 0; i < 2; i++) {
        struct canvas c = canvas_open(W, H);
        struct text *t = open_text(&c, fonts[i]);
        CHECK_RC(text_set_height(t, 24), 0);
        const SDL_Rect clip = {50, 10, 60, 30};
        CHECK(SDL_RenderSetClipRect(c.r, &clip) == 0);
        CHECK_RC(text_draw(t, 40, 16, sample, white), 0);
        SDL_Rect after;
        SDL_RenderGetClipRect(c.r, &after);
        CHECK(SDL_RectEquals(&after, &clip));
        float sx, sy;
        SDL_RenderGetScale(c.r, &sx, &sy);
        CHECK(sx == 1 && sy == 1);
        int in, out;
        count_lit(&c, clip, &in, &out);
        CHECK(in > 20 && out == 0);
        text_close(t);
        canvas_close(&c);
    }
}

static void snapshot(struct canvas *c, uint8_t *buf)
{
    CHECK(SDL_RenderFlush(c->r) == 0);
    for (int y = 0; y < c->s->h; y++)
        memcpy(buf + (size_t)y * c->s->w * 4, px(c, 0, y), (size_t)c->s->w * 4);
}

/* The same string at the same height: the two fonts' pixels differ. */
static void text_ttf_differs(void)
{
    static uint8_t a[W * H * 4], b[W * H * 4];
    const char *fonts[] = {NULL, "none"};
    uint8_t *bufs[] = {a, b};
    for (int i = 0; i < 2; i++) {
        struct canvas c = canvas_open(W, H);
        struct text *t = open_text(&c, fonts[i]);
        CHECK_RC(text_set_height(t, 16), 0);
        CHECK_RC(text_draw(t, 4, 4, sample, white), 0);
        snapshot(&c, bufs[i]);
        text_close(t);
        canvas_close(&c);
    }
    size_t differ = 0;
    for (size_t i = 0; i < sizeof(a); i++)
        differ += a[i] != b[i];
    CHECK(differ > 100);
}

/* Heights: the line is about what was asked, and the text grows with it. */
static void text_heights(void)
{
    struct canvas c = canvas_open(W, H);
    struct text *t = open_text(&c, NULL);
    CHECK(text_height_for(100) == 12);
    CHECK(text_height_for(1080) == 27);
    int w12, w27, h;
    CHECK_RC(text_set_height(t, 12), 0);
    CHECK(abs(text_line_height(t) - 12) <= 1);
    text_measure(t, sample, &w12, &h);
    CHECK_RC(text_set_height(t, 27), 0);
    CHECK(abs(text_line_height(t) - 27) <= 1);
    text_measure(t, sample, &w27, &h);
    CHECK(w27 > 2 * w12 && w27 < 3 * w12);
    text_close(t);
    canvas_close(&c);
}

/* A redraw of the same labels renders nothing; a new colour or height is
 * a new string; the least recently drawn is what gets dropped. */
static void text_cache(void)
{
    struct canvas c = canvas_open(W, H);
    struct text *t = open_text(&c, NULL);
    struct text_counters n;
    const char *labels[] = {"demo", "640x480 RGBA", "30.0 fps"};
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 3; i++)
            CHECK_RC(text_draw(t, 0, i * 20, labels[i], white), 0);
    text_counters(t, &n);
    CHECK(n.rendered == 3 && n.hits == 6 && n.evicted == 0);
    CHECK_RC(text_draw(t, 0, 0, labels[0], red), 0);
    text_counters(t, &n);
    CHECK(n.rendered == 4);
    CHECK_RC(text_set_height(t, 20), 0);
    CHECK_RC(text_draw(t, 0, 0, labels[0], red), 0);
    text_counters(t, &n);
    CHECK(n.rendered == 5);
    /* Fill the cache past its size: "s0" (drawn first) goes, "s1" stays
     * after being drawn again. */
    char s[16];
    for (int i = 0; i < TEXT_CACHE_SIZE; i++) {
        snprintf(s, sizeof(s), "s%d", i);
        CHECK_RC(text_draw(t, 0, 0, s, white), 0);
        if (i == 2)
            CHECK_RC(text_draw(t, 0, 0, "s1", white), 0);
    }
    text_counters(t, &n);
    CHECK(n.evicted == 1); /* "demo" in red was the oldest */
    CHECK_RC(text_draw(t, 0, 0, "new", white), 0);
    uint64_t rendered = (text_counters(t, &n), n.rendered);
    CHECK_RC(text_draw(t, 0, 0, "s1", white), 0);
    text_counters(t, &n);
    CHECK(n.rendered == rendered);
    CHECK_RC(text_draw(t, 0, 0, "s0", white), 0);
    text_counters(t, &n);
    CHECK(n.rendered == rendered + 1);
    text_close(t);
    canvas_close(&c);
}

/* A box of lines: dark translucent box, the text inside, nothing
 * outside, for both fonts. */
static void text_box(void)
{
    const char *fonts[] = {NULL, "none"};
    for (int i = 0; i < 2; i++) {
        struct canvas c = canvas_open(W, H);
        /* Grey background, so the box shows. */
        CHECK(SDL_SetRenderDrawColor(c.r, 100, 100, 100, 255) == 0);
        CHECK(SDL_RenderClear(c.r) == 0);
        struct text *t = open_text(&c, fonts[i]);
        const char *lines[] = {"first line", "second, longer line"};
        SDL_Rect box, size = text_box_size(t, lines, 2);
        CHECK_RC(text_draw_box(t, 30, 10, lines, 2, white, &box), 0);
        CHECK(box.x == 30 && box.y == 10 && box.w == size.w && box.h == size.h);
        CHECK(box.h == 2 * text_line_height(t) + 2 * text_pad(t));
        CHECK(SDL_RenderFlush(c.r) == 0);
        int darker = 0, brighter = 0, outside = 0;
        SDL_Point p;
        for (p.y = 0; p.y < H; p.y++)
            for (p.x = 0; p.x < W; p.x++) {
                const uint8_t *v = px(&c, p.x, p.y);
                bool in = SDL_PointInRect(&p, &box);
                if (!in)
                    outside += v[0] != 100;
                else if (v[0] < 100)
                    darker++;
                else if (v[0] > 100)
                    brighter++;
            }
        CHECK(outside == 0);
        CHECK(darker > box.w * box.h / 2);
        CHECK(brighter > 50);
        text_close(t);
        canvas_close(&c);
    }
}

/* A frame of format at w x h, rows padded to 64 bytes (so strides are
 * not row lengths), zeroed. */
static struct frame_image image_new(uint32_t format, uint32_t w, uint32_t h)
{
    struct frame_image img;
    size_t n = frame_image_layout(NULL, format, w, h, 64, NULL);
    CHECK(n > 0);
    uint8_t *base = calloc(1, n);
    CHECK(base);
    CHECK(frame_image_layout(&img, format, w, h, 64, base) == n);
    return img;
}

static void image_free(struct frame_image *img) { free(img->plane[0]); }

static uint8_t *at(const struct frame_image *img, int p, uint32_t x, uint32_t y,
                   uint32_t bytes_per_pixel)
{
    return img->plane[p] + (size_t)y * img->stride[p] + x * bytes_per_pixel;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void check_describe(const struct frame_image *img, uint32_t x,
                           uint32_t y, const char *want)
{
    char buf[96];
    CHECK_RC(probe_describe(img, x, y, buf, sizeof(buf)), 0);
    if (strcmp(buf, want) != 0) {
        fprintf(stderr, "probe said \"%s\", expected \"%s\"\n", buf, want);
        CHECK(!"probe_describe");
    }
}

/* Known pixels written byte by byte in each packed format, read back with
 * their coordinates, at their own depth, in memory order. */
static void probe_packed(void)
{
    struct frame_image img = image_new(FRAME_FORMAT_RGBA8, 17, 9);
    memcpy(at(&img, 0, 12, 7, 4), (uint8_t[]){255, 0, 0, 255}, 4);
    memcpy(at(&img, 0, 16, 8, 4), (uint8_t[]){1, 2, 3, 4}, 4);
    check_describe(&img, 12, 7, "(12, 7) R 255 G 0 B 0 A 255");
    check_describe(&img, 16, 8, "(16, 8) R 1 G 2 B 3 A 4");
    check_describe(&img, 0, 0, "(0, 0) R 0 G 0 B 0 A 0");
    image_free(&img);

    img = image_new(FRAME_FORMAT_BGRA8, 17, 9);
    memcpy(at(&img, 0, 3, 4, 4), (uint8_t[]){10, 20, 30, 40}, 4);
    check_describe(&img, 3, 4, "(3, 4) B 10 G 20 R 30 A 40");
    image_free(&img);

    img = image_new(FRAME_FORMAT_RGB8, 17, 9);
    memcpy(at(&img, 0, 16, 0, 3), (uint8_t[]){7, 8, 9}, 3);
    check_describe(&img, 16, 0, "(16, 0) R 7 G 8 B 9");
    image_free(&img);

    img = image_new(FRAME_FORMAT_GRAY8, 17, 9);
    *at(&img, 0, 5, 6, 1) = 200;
    check_describe(&img, 5, 6, "(5, 6) Y 200");
    image_free(&img);

    img = image_new(FRAME_FORMAT_GRAY16, 17, 9);
    put16(at(&img, 0, 3, 4, 2), 65535);
    put16(at(&img, 0, 4, 4, 2), 0x0102);
    check_describe(&img, 3, 4, "(3, 4) Y 65535");
    check_describe(&img, 4, 4, "(4, 4) Y 258"); /* little-endian */
    image_free(&img);

    img = image_new(FRAME_FORMAT_RGBA16, 17, 9);
    uint8_t *p = at(&img, 0, 9, 2, 8);
    put16(p, 0x1234);
    put16(p + 2, 0xabcd);
    put16(p + 4, 1);
    put16(p + 6, 65535);
    check_describe(&img, 9, 2, "(9, 2) R 4660 G 43981 B 1 A 65535");
    uint32_t v[PROBE_MAX];
    unsigned n;
    CHECK_RC(probe_values(&img, 9, 2, v, &n), 0);
    CHECK(n == 4 && v[0] == 0x1234 && v[1] == 0xabcd && v[2] == 1 &&
          v[3] == 65535);
    struct probe_sample s;
    CHECK_RC(probe_read(&img, 9, 2, &s), 0);
    CHECK(s.bits == 16 && s.format == FRAME_FORMAT_RGBA16);
    image_free(&img);
}

/* YUV: each pixel's own Y, and the U and V of its 2x2 block, at odd
 * sizes too (the last column and row have blocks of their own). */
static void probe_yuv(void)
{
    const uint32_t w = 5, h = 3; /* chroma 3 x 2 */
    struct frame_image i420 = image_new(FRAME_FORMAT_I420, w, h);
    struct frame_image nv12 = image_new(FRAME_FORMAT_NV12, w, h);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            *at(&i420, 0, x, y, 1) = (uint8_t)(10 * y + x);
            *at(&nv12, 0, x, y, 1) = (uint8_t)(10 * y + x);
        }
    for (uint32_t y = 0; y < 2; y++)
        for (uint32_t x = 0; x < 3; x++) {
            uint8_t u = (uint8_t)(100 + 10 * y + x), v = (uint8_t)(u + 100);
            *at(&i420, 1, x, y, 1) = u;
            *at(&i420, 2, x, y, 1) = v;
            memcpy(at(&nv12, 1, x, y, 2), (uint8_t[]){u, v}, 2);
        }
    const struct frame_image *imgs[] = {&i420, &nv12};
    for (int i = 0; i < 2; i++) {
        check_describe(imgs[i], 0, 0, "(0, 0) Y 0 U 100 V 200");
        check_describe(imgs[i], 1, 1, "(1, 1) Y 11 U 100 V 200");
        check_describe(imgs[i], 2, 1, "(2, 1) Y 12 U 101 V 201");
        check_describe(imgs[i], 4, 2, "(4, 2) Y 24 U 112 V 212");
        check_describe(imgs[i], 3, 2, "(3, 2) Y 23 U 111 V 211");
    }
    image_free(&i420);
    image_free(&nv12);
}

/* Every pixel of every RGB and grey format against the library's own
 * reading of it: frame_convert to RGBA16 (8-bit samples times 257, grey
 * into R, G and B, opaque where there is no alpha), from rows with
 * padding; YUV I420 against NV12 (the library keeps the samples). */
static void probe_against_library(void)
{
    const uint32_t w = 7, h = 5;
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        const struct frame_format_desc *d = frame_format_desc(f);
        if (d->is_yuv)
            continue;
        struct frame_image img = image_new(f, w, h);
        size_t bytes = (size_t)img.stride[0] * h;
        for (size_t i = 0; i < bytes; i++)
            img.plane[0][i] = (uint8_t)(i * 37 + 11);
        struct frame_image wide = image_new(FRAME_FORMAT_RGBA16, w, h);
        CHECK_RC(frame_convert(&wide, &img), 0);
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++) {
                uint32_t v[PROBE_MAX], want[PROBE_MAX];
                unsigned n, m;
                CHECK_RC(probe_values(&img, x, y, v, &n), 0);
                CHECK_RC(probe_values(&wide, x, y, want, &m), 0);
                CHECK(n == d->channels && m == 4);
                uint32_t k = d->bytes_per_sample == 1 ? 257 : 1;
                if (n == 1)
                    CHECK(v[0] * k == want[0]);
                bool bgr = f == FRAME_FORMAT_BGRA8;
                for (unsigned i = 0; n > 1 && i < n; i++) {
                    unsigned j = bgr && i < 3 ? 2 - i : i;
                    CHECK(v[i] * k == want[j]);
                }
            }
        image_free(&img);
        image_free(&wide);
    }
    struct frame_image i420 = image_new(FRAME_FORMAT_I420, w, h);
    struct frame_image nv12 = image_new(FRAME_FORMAT_NV12, w, h);
    for (int p = 0; p < 3; p++) {
        uint32_t rows = p ? (h + 1) / 2 : h;
        for (size_t i = 0; i < (size_t)i420.stride[p] * rows; i++)
            i420.plane[p][i] = (uint8_t)(i * 29 + 5 + 80 * p);
    }
    CHECK_RC(frame_convert(&nv12, &i420), 0);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++) {
            uint32_t a[PROBE_MAX], b[PROBE_MAX];
            unsigned n, m;
            CHECK_RC(probe_values(&i420, x, y, a, &n), 0);
            CHECK_RC(probe_values(&nv12, x, y, b, &m), 0);
            CHECK(n == 3 && m == 3);
            CHECK(memcmp(a, b, sizeof(a[0]) * 3) == 0);
        }
    image_free(&i420);
    image_free(&nv12);
}

/* Outside the frame, not a frame, a short buffer. */
static void probe_errors(void)
{
    struct frame_image img = image_new(FRAME_FORMAT_RGBA8, 4, 3);
    uint32_t v[PROBE_MAX];
    unsigned n = 9;
    char buf[8];
    CHECK_RC(probe_values(&img, 4, 0, v, &n), -ERANGE);
    CHECK(n == 0);
    CHECK_RC(probe_values(&img, 0, 3, v, &n), -ERANGE);
    CHECK_RC(probe_values(&img, UINT32_MAX, 0, v, &n), -ERANGE);
    CHECK_RC(probe_describe(&img, 9, 9, buf, sizeof(buf)), -ERANGE);
    CHECK(buf[0] == '\0');
    CHECK_RC(probe_values(NULL, 0, 0, v, &n), -EINVAL);
    struct frame_image bad = img;
    bad.format = 0;
    CHECK_RC(probe_values(&bad, 0, 0, v, &n), -EINVAL);
    bad = img;
    bad.plane[0] = NULL;
    CHECK_RC(probe_values(&bad, 0, 0, v, &n), -EINVAL);
    bad = img;
    bad.stride[0] = 15; /* shorter than a row of 4 RGBA pixels */
    CHECK_RC(probe_values(&bad, 0, 0, v, &n), -EINVAL);
    bad = img;
    bad.format = FRAME_FORMAT_I420; /* one plane where three are due */
    CHECK_RC(probe_values(&bad, 0, 0, v, &n), -EINVAL);
    /* Cut short, terminated. */
    CHECK_RC(probe_describe(&img, 1, 2, buf, sizeof(buf)), 0);
    CHECK(strcmp(buf, "(1, 2) ") == 0);
    image_free(&img);
}

static bool rect_eq(struct zoom_rect r, int x, int y, int w, int h)
{
    if (r.x == x && r.y == y && r.w == w && r.h == h)
        return true;
    fprintf(stderr, "rect %d,%d %dx%d, expected %d,%d %dx%d\n", r.x, r.y, r.w,
            r.h, x, y, w, h);
    return false;
}

static struct zoom zoom_of(struct zoom_rect tile, uint32_t fw, uint32_t fh)
{
    struct zoom z;
    zoom_init(&z);
    zoom_set_tile(&z, tile);
    zoom_set_frame(&z, fw, fh);
    return z;
}

/* Fit: letterboxed as the viewer always drew it, the whole frame, and
 * the band around it is no pixel; it follows the tile and the frame. */
static void zoom_fit_letterbox(void)
{
    struct zoom z = zoom_of((struct zoom_rect){10, 20, 640, 480}, 1920, 1080);
    struct zoom_rect s, d;
    uint32_t fx, fy;
    CHECK(zoom_mode(&z) == ZOOM_FIT);
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(rect_eq(s, 0, 0, 1920, 1080));
    CHECK(rect_eq(d, 10, 80, 640, 360));
    /* Shrunk 3 to 1: each window pixel shows the frame pixel at its
     * centre. */
    CHECK(zoom_to_frame(&z, 10, 80, &fx, &fy) && fx == 1 && fy == 1);
    CHECK(zoom_to_frame(&z, 649, 439, &fx, &fy) && fx == 1918 && fy == 1078);
    CHECK(zoom_to_frame(&z, 330, 260, &fx, &fy) && fx == 961 && fy == 541);
    CHECK(!zoom_to_frame(&z, 330, 79, &fx, &fy));  /* the band above */
    CHECK(!zoom_to_frame(&z, 330, 440, &fx, &fy)); /* and below */
    CHECK(!zoom_to_frame(&z, 9, 200, &fx, &fy));   /* another tile */
    zoom_set_tile(&z, (struct zoom_rect){0, 0, 200, 400});
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(rect_eq(d, 0, 143, 200, 113)); /* 112.5 rounded */
    zoom_set_frame(&z, 100, 400);
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(rect_eq(s, 0, 0, 100, 400));
    CHECK(rect_eq(d, 50, 0, 100, 400));
    CHECK(zoom_scale(&z) == 1);
    /* No frame yet: nothing to draw, no pixel. */
    zoom_init(&z);
    zoom_set_tile(&z, (struct zoom_rect){0, 0, 200, 400});
    CHECK(!zoom_rects(&z, &s, &d));
    CHECK(!zoom_to_frame(&z, 5, 5, &fx, &fy));
}

/* Native: one frame pixel a window pixel, centred; a frame larger than
 * the tile is cut to what shows. */
static void zoom_native_size(void)
{
    struct zoom z = zoom_of((struct zoom_rect){0, 0, 640, 480}, 100, 50);
    struct zoom_rect s, d;
    uint32_t fx, fy;
    zoom_native(&z);
    CHECK(zoom_mode(&z) == ZOOM_FREE && zoom_scale(&z) == 1);
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(rect_eq(s, 0, 0, 100, 50));
    CHECK(rect_eq(d, 270, 215, 100, 50));
    CHECK(zoom_to_frame(&z, 270 + 37, 215 + 11, &fx, &fy) && fx == 37 &&
          fy == 11);
    z = zoom_of((struct zoom_rect){100, 0, 640, 480}, 1000, 800);
    zoom_native(&z);
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(rect_eq(s, 180, 160, 640, 480));
    CHECK(rect_eq(d, 100, 0, 640, 480));
    for (int x = 100; x < 740; x += 37)
        CHECK(zoom_to_frame(&z, x, 7, &fx, &fy) && fx == (uint32_t)x + 80 &&
              fy == 167);
    zoom_fit(&z);
    CHECK(zoom_mode(&z) == ZOOM_FIT && zoom_scale(&z) == 0.6);
}

/* The wheel: the frame pixel under the cursor stays under it, in and
 * out, at fractional scales too; the limits hold. */
static void zoom_around_cursor(void)
{
    struct zoom z = zoom_of((struct zoom_rect){0, 0, 640, 360}, 160, 90);
    uint32_t fx, fy, gx, gy;
    CHECK(zoom_scale(&z) == 4);
    CHECK(zoom_to_frame(&z, 100, 50, &fx, &fy) && fx == 25 && fy == 12);
    zoom_by(&z, 2, 100, 50);
    CHECK(zoom_mode(&z) == ZOOM_FREE && zoom_scale(&z) == 8);
    CHECK(zoom_to_frame(&z, 100, 50, &gx, &gy) && gx == 25 && gy == 12);
    /* The neighbours are now 8 window pixels wide. */
    CHECK(zoom_to_frame(&z, 100 + 8, 50, &gx, &gy) && gx == 26);
    /* Any cursor, any step: the frame point under it is where it was. */
    const double steps[] = {1.25, 1.25, 0.8, 3, 1.1, 0.5, 0.9};
    const int at[][2] = {{321, 17},  {5, 300},   {600, 200}, {320, 180},
                         {111, 222}, {639, 359}, {200, 100}};
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        double before_x = (at[i][0] - z.ox) / zoom_scale(&z);
        double before_y = (at[i][1] - z.oy) / zoom_scale(&z);
        zoom_by(&z, steps[i], at[i][0], at[i][1]);
        double after_x = (at[i][0] - z.ox) / zoom_scale(&z);
        double after_y = (at[i][1] - z.oy) / zoom_scale(&z);
        CHECK(fabs(after_x - before_x) < 1e-9);
        CHECK(fabs(after_y - before_y) < 1e-9);
    }
    zoom_by(&z, 1e6, 320, 180);
    CHECK(zoom_scale(&z) == ZOOM_MAX);
    zoom_by(&z, 1e-9, 320, 180);
    CHECK(zoom_scale(&z) == ZOOM_MIN);
    /* A frame far too large for the tile can always be fitted by wheel. */
    z = zoom_of((struct zoom_rect){0, 0, 100, 100}, 32768, 32768);
    zoom_by(&z, 0.5, 50, 50);
    CHECK(fabs(zoom_scale(&z) - 100.0 / 32768) < 1e-12);
    /* And a tiny frame, fitted beyond ZOOM_MAX, is not shrunk by "in". */
    z = zoom_of((struct zoom_rect){0, 0, 1000, 1000}, 4, 4);
    zoom_by(&z, 2, 500, 500);
    CHECK(zoom_scale(&z) == 250);
}

/* Drags move the frame; it cannot be dragged out of its tile. */
static void zoom_pan_clamped(void)
{
    struct zoom z = zoom_of((struct zoom_rect){50, 50, 400, 400}, 100, 100);
    uint32_t fx, fy;
    zoom_native(&z); /* the frame at 150..250 of the tile */
    CHECK(zoom_to_frame(&z, 50 + 150, 50 + 150, &fx, &fy) && fx == 0 &&
          fy == 0);
    zoom_pan(&z, 30, -20);
    CHECK(zoom_to_frame(&z, 50 + 180, 50 + 130, &fx, &fy) && fx == 0 &&
          fy == 0);
    /* Far right and down: a quarter of the tile (100 pixels, the whole
     * frame here) stays in. */
    zoom_pan(&z, 100000, 100000);
    struct zoom_rect s, d;
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(rect_eq(d, 50 + 300, 50 + 300, 100, 100));
    zoom_pan(&z, -100000, -100000);
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(rect_eq(d, 50, 50, 100, 100));
    /* Zoomed in, a quarter of the tile stays covered. */
    zoom_by(&z, 8, 100, 100);
    zoom_pan(&z, -100000, 0);
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(d.x + d.w == 50 + 100);
    zoom_pan(&z, 100000, 0);
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(d.x == 50 + 300);
}

/* 64x of a 4K frame asks SDL for what shows, not a 245760-pixel-wide
 * copy; the edges overhang by less than a frame pixel. */
static void zoom_clipped_rects(void)
{
    struct zoom z = zoom_of((struct zoom_rect){0, 0, 960, 540}, 3840, 2160);
    zoom_by(&z, 1e6, 480, 270);
    CHECK(zoom_scale(&z) == 64);
    struct zoom_rect s, d;
    CHECK(zoom_rects(&z, &s, &d));
    CHECK(s.w <= 960 / 64 + 2 && s.h <= 540 / 64 + 2);
    CHECK(d.w == s.w * 64 && d.h == s.h * 64);
    CHECK(d.x <= 0 && d.x > -64 && d.x + d.w >= 960 && d.x + d.w < 960 + 64);
    CHECK(d.y <= 0 && d.y > -64 && d.y + d.h >= 540 && d.y + d.h < 540 + 64);
    /* Every window pixel is the frame pixel its rectangle says. */
    uint32_t fx, fy;
    for (int x = 0; x < 960; x += 7) {
        CHECK(zoom_to_frame(&z, x, 0, &fx, &fy));
        CHECK(fx == (uint32_t)(s.x + (x - d.x) / 64));
    }
}

/* Not fitted: a new tile size keeps the frame point at the centre; a new
 * frame size keeps the scale. */
static void zoom_follows_changes(void)
{
    struct zoom z = zoom_of((struct zoom_rect){0, 0, 400, 300}, 800, 600);
    uint32_t fx, fy;
    zoom_by(&z, 4, 100, 100); /* scale 2 */
    CHECK(zoom_to_frame(&z, 200, 150, &fx, &fy));
    zoom_set_tile(&z, (struct zoom_rect){1000, 0, 800, 500});
    uint32_t gx, gy;
    CHECK(zoom_to_frame(&z, 1400, 250, &gx, &gy));
    CHECK(abs((int)gx - (int)fx) <= 1 && abs((int)gy - (int)fy) <= 1);
    CHECK(zoom_scale(&z) == 2 && zoom_mode(&z) == ZOOM_FREE);
    zoom_set_frame(&z, 400, 300);
    CHECK(zoom_scale(&z) == 2);
    CHECK(zoom_to_frame(&z, 1400, 250, &gx, &gy));
    CHECK(abs((int)gx - (int)fx / 2) <= 1 && abs((int)gy - (int)fy / 2) <= 1);
    zoom_fit(&z);
    zoom_set_frame(&z, 1600, 1000);
    CHECK(zoom_scale(&z) == 0.5);
}

#define SEC INT64_C(1000000000)

/* Frames every 10 ms for a second: one point each, their intervals (the
 * first has none) and latencies. */
static void graph_ring(void)
{
    static struct graph g;
    graph_init(&g, 0);
    int64_t t0 = 1000 * SEC, max;
    CHECK(!graph_max(&g, GRAPH_INTERVAL, &max));
    for (int i = 0; i < 100; i++)
        graph_frame(&g, t0 + i * 10 * MS, t0 + i * 10 * MS - (i % 7) * MS);
    CHECK(graph_count(&g) == 100);
    CHECK(graph_at(&g, 0)->t_ns == t0);
    CHECK(graph_at(&g, 0)->v_ns[GRAPH_INTERVAL] == -1);
    CHECK(graph_at(&g, 1)->v_ns[GRAPH_INTERVAL] == 10 * MS);
    CHECK(graph_at(&g, 99)->t_ns == t0 + 990 * MS);
    CHECK(graph_at(&g, 99)->v_ns[GRAPH_LATENCY] == (99 % 7) * MS);
    CHECK(graph_max(&g, GRAPH_INTERVAL, &max) && max == 10 * MS);
    CHECK(graph_max(&g, GRAPH_LATENCY, &max) && max == 6 * MS);
    /* A publish stamp after the showing, or none: no latency. */
    graph_frame(&g, t0 + SEC, t0 + 2 * SEC);
    graph_frame(&g, t0 + SEC + 20 * MS, 0);
    CHECK(graph_at(&g, 100)->v_ns[GRAPH_LATENCY] == -1);
    CHECK(graph_at(&g, 101)->v_ns[GRAPH_LATENCY] == -1);
    CHECK(graph_max(&g, GRAPH_INTERVAL, &max) && max == 20 * MS);
    graph_reset(&g);
    CHECK(graph_count(&g) == 0);
    graph_frame(&g, t0 + 2 * SEC, 0);
    CHECK(graph_at(&g, 0)->v_ns[GRAPH_INTERVAL] == -1);
}

/* Faster than a bucket: frames share a point, which keeps the largest
 * figures, so one long interval among short ones still shows. */
static void graph_buckets(void)
{
    static struct graph g;
    graph_init(&g, 5 * SEC);
    int64_t t = 7 * SEC, max;
    for (int i = 0; i < 1000; i++) {
        t += i == 500 ? 3 * MS : MS;
        graph_frame(&g, t, t - MS / 2);
    }
    /* 1002 ms in buckets of 5 s / 512 = 9.77 ms. */
    CHECK(graph_count(&g) >= 100 && graph_count(&g) <= 105);
    CHECK(graph_max(&g, GRAPH_INTERVAL, &max) && max == 3 * MS);
    CHECK(graph_at(&g, graph_count(&g) - 1)->t_ns == t);
    size_t spikes = 0;
    for (size_t i = 0; i < graph_count(&g); i++)
        spikes += graph_at(&g, i)->v_ns[GRAPH_INTERVAL] == 3 * MS;
    CHECK(spikes == 1);
}

/* Twenty seconds of frames: the ring wraps and keeps the last span;
 * then a stall empties it, by time. */
static void graph_wrap_and_prune(void)
{
    static struct graph g;
    graph_init(&g, 5 * SEC);
    int64_t t = 50 * SEC;
    for (int i = 0; i < 2000; i++)
        graph_frame(&g, t += 10 * MS, 0);
    size_t n = graph_count(&g);
    CHECK(n <= GRAPH_POINTS + 2);
    CHECK(graph_at(&g, n - 1)->t_ns == t);
    /* Nothing of the span was lost to the wrap. */
    CHECK(graph_at(&g, 0)->t_ns <= t - 5 * SEC);
    graph_prune(&g, t);
    CHECK(graph_count(&g) == 501);
    CHECK(graph_at(&g, 0)->t_ns == t - 5 * SEC);
    graph_prune(&g, t + 4 * SEC);
    CHECK(graph_count(&g) >= 99 && graph_count(&g) <= 101);
    graph_prune(&g, t + 5 * SEC + 1);
    CHECK(graph_count(&g) == 0);
    int64_t max;
    CHECK(!graph_max(&g, GRAPH_LATENCY, &max));
}

static void graph_scale(void)
{
    char buf[32];
    CHECK(graph_scale_top(0) == 100000);
    CHECK(graph_scale_top(33 * MS) == 50 * MS);
    CHECK(graph_scale_top(50 * MS) == 50 * MS);
    CHECK(graph_scale_top(51 * MS) == 100 * MS);
    CHECK(graph_scale_top(1500 * MS) == 2 * SEC);
    graph_scale_label(50 * MS, buf, sizeof(buf));
    CHECK(strcmp(buf, "50 ms") == 0);
    graph_scale_label(100000, buf, sizeof(buf));
    CHECK(strcmp(buf, "0.1 ms") == 0);
    graph_scale_label(2 * SEC, buf, sizeof(buf));
    CHECK(strcmp(buf, "2 s") == 0);
}

static bool same_rgb(const uint8_t *p, SDL_Color c)
{
    return p[0] == c.r && p[1] == c.g && p[2] == c.b;
}

/* Into a rectangle of a grey canvas: the background darkens all of it
 * and only it; each series is drawn in its colour where its values put
 * it; with a scale label. Then a stall's graph is empty. */
static void graph_draws_in_rect(void)
{
    static struct graph g;
    struct canvas c = canvas_open(W, 200);
    struct text *t = open_text(&c, NULL);
    CHECK_RC(text_set_height(t, 12), 0);
    const SDL_Rect rect = {40, 30, 200, 120};
    /* Below the line of labels, the plot. */
    const int plot_y = rect.y + text_line_height(t) + 2 * text_pad(t);
    const int plot_h = rect.y + rect.h - plot_y;
    graph_init(&g, 5 * SEC);
    int64_t now = 100 * SEC;
    /* 10 ms apart, 15 ms late: a scale of 20 ms, the interval half way
     * up, the latency three quarters. */
    for (int64_t s = now - 4 * SEC; s <= now; s += 10 * MS)
        graph_frame(&g, s, s - 15 * MS);
    for (int round = 0; round < 2; round++) {
        CHECK(SDL_SetRenderDrawColor(c.r, 100, 100, 100, 255) == 0);
        CHECK(SDL_RenderClear(c.r) == 0);
        CHECK(SDL_SetRenderDrawColor(c.r, 1, 2, 3, 4) == 0);
        CHECK_RC(graph_draw(&g, c.r, t, rect, now), 0);
        Uint8 dr, dg, db, da;
        SDL_GetRenderDrawColor(c.r, &dr, &dg, &db, &da);
        CHECK(dr == 1 && dg == 2 && db == 3 && da == 4);
        CHECK(!SDL_RenderIsClipEnabled(c.r));
        CHECK(SDL_RenderFlush(c.r) == 0);
        int outside = 0, inside_grey = 0, yellow = 0, cyan = 0, label = 0;
        SDL_Point p;
        for (p.y = 0; p.y < 200; p.y++)
            for (p.x = 0; p.x < W; p.x++) {
                const uint8_t *v = px(&c, p.x, p.y);
                if (!SDL_PointInRect(&p, &rect)) {
                    outside += v[0] != 100 || v[1] != 100 || v[2] != 100;
                    continue;
                }
                inside_grey += v[0] == 100 && v[1] == 100 && v[2] == 100;
                if (p.y < plot_y) {
                    label += p.x < rect.x + 60 && v[0] > 200 && v[1] > 200 &&
                             v[2] > 200;
                    continue;
                }
                yellow += same_rgb(v, graph_colour(GRAPH_INTERVAL));
                cyan += same_rgb(v, graph_colour(GRAPH_LATENCY));
            }
        CHECK(outside == 0);
        /* Darkened all over, but for an anti-aliased label pixel that
         * happens to come out grey. */
        CHECK(inside_grey < 10);
        CHECK(label > 10); /* "20 ms", then "no frames" */
        if (round == 0) {
            /* 4 s of the 5 s span: the right four fifths. */
            CHECK(yellow >= 150 && cyan >= 150);
            int x = rect.x + rect.w - 1 - 60;
            int y_half = plot_y + plot_h - 1 - (int)lround((plot_h - 1) / 2.0);
            int y_3q = plot_y + plot_h - 1 - (int)lround((plot_h - 1) * 0.75);
            CHECK(same_rgb(px(&c, x, y_half), graph_colour(GRAPH_INTERVAL)));
            CHECK(same_rgb(px(&c, x, y_3q), graph_colour(GRAPH_LATENCY)));
            /* The first fifth is empty. */
            CHECK(!same_rgb(px(&c, rect.x + 20, y_half),
                            graph_colour(GRAPH_INTERVAL)));
            /* The scale's top line, dim, at the plot's top. */
            const uint8_t *top = px(&c, rect.x + 20, plot_y);
            CHECK(top[0] > 37 && top[0] < 100 && top[0] == top[2]);
            now += 6 * SEC; /* a stall: all of it ages out */
        } else {
            CHECK(yellow == 0 && cyan == 0);
            CHECK(graph_count(&g) == 0);
        }
    }
    text_close(t);
    canvas_close(&c);
}

/* Drawn inside a clip the caller set: it stays inside both, and the
 * caller's clip is restored. */
static void graph_respects_clip(void)
{
    static struct graph g;
    struct canvas c = canvas_open(W, 200);
    graph_init(&g, 0);
    for (int i = 0; i < 100; i++)
        graph_frame(&g, 10 * SEC + i * 20 * MS, 10 * SEC + i * 20 * MS - MS);
    const SDL_Rect clip = {150, 0, 170, 200};
    CHECK(SDL_RenderSetClipRect(c.r, &clip) == 0);
    CHECK_RC(graph_draw(&g, c.r, NULL, (SDL_Rect){50, 50, 150, 100},
                        10 * SEC + 2 * SEC),
             0);
    SDL_Rect after;
    SDL_RenderGetClipRect(c.r, &after);
    CHECK(SDL_RectEquals(&after, &clip));
    int in, out;
    count_lit(&c, (SDL_Rect){150, 50, 50, 100}, &in, &out);
    CHECK(out == 0 && in > 0);
    canvas_close(&c);
}

TEST_MAIN(CASE(text_ttf), CASE(text_fallback), CASE(text_missing_font),
          CASE(text_clipped), CASE(text_ttf_differs), CASE(text_heights),
          CASE(text_cache), CASE(text_box), CASE(probe_packed), CASE(probe_yuv),
          CASE(probe_against_library), CASE(probe_errors),
          CASE(zoom_fit_letterbox), CASE(zoom_native_size),
          CASE(zoom_around_cursor), CASE(zoom_pan_clamped),
          CASE(zoom_clipped_rects), CASE(zoom_follows_changes),
          CASE(graph_ring), CASE(graph_buckets), CASE(graph_wrap_and_prune),
          CASE(graph_scale), CASE(graph_draws_in_rect),
          CASE(graph_respects_clip))
