/* The viewer's parts on their own: text (the real SDL2_ttf and DejaVu, and
 * the test font), the pixel probe, zoom and graphs, drawn by SDL's
 * software renderer into a surface, so no display is needed. */
#include "runner.h"

#include "text.h"

#include <SDL.h>

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
    struct text *t = open_text(&c, "/nonexistent/NoSuchFont.ttf");
    CHECK(!text_is_ttf(t));
    int in, out;
    CHECK_RC(text_draw(t, 0, 0, "still drawn", white), 0);
    count_lit(&c, (SDL_Rect){0, 0, W, H}, &in, &out);
    CHECK(in > 20);
    text_close(t);
    canvas_close(&c);
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

TEST_MAIN(CASE(text_ttf), CASE(text_fallback), CASE(text_missing_font),
          CASE(text_ttf_differs), CASE(text_heights), CASE(text_cache),
          CASE(text_box))
