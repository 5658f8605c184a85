/* The viewer's text: SDL2_ttf with DejaVu Sans Mono, or SDL's 8x8 test
 * font when no font can be loaded; rendered strings are cached. */
#include "text.h"

#include "msg.h"

#include <SDL_test_font.h>
#include <SDL_ttf.h>
#ifdef VIEWER_HAVE_FONTCONFIG
#include <fontconfig/fontconfig.h>
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FONT_FAMILY "DejaVu Sans Mono"
#define DEBIAN_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
#define MIN_HEIGHT 12
#define BOX_ALPHA 176 /* the HUD's box since session 1: dark, frame visible */

struct entry {
    char *str; /* NULL: free */
    SDL_Color c;
    int height;
    SDL_Texture *tex;
    int w, h;
    uint64_t used; /* t->clock when last drawn */
};

struct text {
    SDL_Renderer *r;
    TTF_Font *font; /* NULL: the test font */
    char *path;
    bool ttf_up;
    bool test_font_used;
    int height; /* asked for */
    int line;   /* what it gives */
    int scale;  /* the test font's */
    uint64_t clock;
    struct entry cache[TEXT_CACHE_SIZE];
    struct text_counters n;
};

int text_height_for(int output_h)
{
    int h = output_h / 40;
    return h > MIN_HEIGHT ? h : MIN_HEIGHT;
}

#ifdef VIEWER_HAVE_FONTCONFIG
/* Whatever file fontconfig picks for the family: the font wherever this
 * system keeps it, or its closest scalable stand-in. */
static char *fontconfig_file(void)
{
    FcConfig *cfg = FcInitLoadConfigAndFonts();
    if (!cfg)
        return NULL;
    char *path = NULL;
    FcPattern *pat = FcNameParse((const FcChar8 *)FONT_FAMILY);
    if (pat) {
        FcPatternAddBool(pat, FC_SCALABLE, FcTrue);
        FcConfigSubstitute(cfg, pat, FcMatchPattern);
        FcDefaultSubstitute(pat);
        FcResult res;
        FcPattern *m = FcFontMatch(cfg, pat, &res);
        FcChar8 *file;
        if (m && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch)
            path = strdup((const char *)file);
        if (m)
            FcPatternDestroy(m);
        FcPatternDestroy(pat);
    }
    /* Our own configuration, not the library's global one, so nothing of
     * fontconfig stays behind once the font is found. */
    FcConfigDestroy(cfg);
    return path;
}
#endif

/* Open path at about t->height pixels a line; SDL2_ttf's error says why
 * not. */
static TTF_Font *open_font(struct text *t, const char *path)
{
    return TTF_OpenFont(path, t->height);
}

/* Point size for a line height: sizes are points at 72 dpi, i.e. pixels
 * of the em, and a line is the font's height (ascent + descent), which is
 * a fixed multiple of the em. */
static int fit_size(TTF_Font *f, int px)
{
    if (TTF_SetFontSize(f, px) != 0)
        return -EIO;
    int h = TTF_FontHeight(f);
    if (h > 0 && h != px) {
        int pt = (px * px + h / 2) / h;
        if (TTF_SetFontSize(f, pt > 1 ? pt : 1) != 0)
            return -EIO;
    }
    return 0;
}

/* The font, or one line on stderr saying why the test font draws. */
static void find_font(struct text *t)
{
    const char *env = getenv(TEXT_FONT_ENV);
    if (env && *env) {
        if (strcmp(env, "none") == 0)
            msg_error("text: " TEXT_FONT_ENV "=none: using SDL's 8x8 font");
        else if ((t->font = open_font(t, env)))
            t->path = strdup(env);
        else
            msg_error("font %s (" TEXT_FONT_ENV "): %s; using SDL's 8x8 font",
                      env, TTF_GetError());
        return;
    }
    char *fc = NULL;
#ifdef VIEWER_HAVE_FONTCONFIG
    fc = fontconfig_file();
    if (fc && (t->font = open_font(t, fc))) {
        t->path = fc;
        return;
    }
#endif
    if ((t->font = open_font(t, DEBIAN_FONT)))
        t->path = strdup(DEBIAN_FONT);
    else
        msg_error("no font for \"" FONT_FAMILY "\" (tried %s%s" DEBIAN_FONT
                  "): %s; using SDL's 8x8 font",
                  fc ? fc : "", fc ? ", " : "", TTF_GetError());
    free(fc);
}

int text_open(SDL_Renderer *r, struct text **out)
{
    struct text *t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->r = r;
    t->height = text_height_for(480);
    /* Not having SDL2_ttf is like not having a font: the test font
     * draws. */
    if (TTF_Init() == 0) {
        t->ttf_up = true;
        find_font(t);
    } else {
        msg_error("text: TTF_Init: %s; using SDL's 8x8 font", TTF_GetError());
    }
    if (t->font && t->path == NULL) {
        TTF_CloseFont(t->font); /* strdup failed */
        t->font = NULL;
    }
    t->height = 0; /* so the next call sets it */
    if (text_set_height(t, text_height_for(480)) != 0) {
        msg_error("font %s: cannot be sized: %s; using SDL's 8x8 font", t->path,
                  TTF_GetError());
        TTF_CloseFont(t->font);
        t->font = NULL;
        free(t->path);
        t->path = NULL;
        text_set_height(t, text_height_for(480));
    }
    *out = t;
    return 0;
}

static void drop(struct entry *e)
{
    free(e->str);
    if (e->tex)
        SDL_DestroyTexture(e->tex);
    *e = (struct entry){0};
}

static void flush(struct text *t)
{
    for (size_t i = 0; i < TEXT_CACHE_SIZE; i++)
        if (t->cache[i].str)
            drop(&t->cache[i]);
}

void text_close(struct text *t)
{
    if (!t)
        return;
    flush(t);
    /* The test font keeps its glyph textures per renderer until told;
     * they must go before the renderer does. */
    if (t->test_font_used)
        SDLTest_CleanupTextDrawing();
    if (t->font)
        TTF_CloseFont(t->font);
    if (t->ttf_up)
        TTF_Quit();
    free(t->path);
    free(t);
}

int text_set_height(struct text *t, int px)
{
    if (px < 1)
        px = 1;
    if (px == t->height)
        return 0;
    if (t->font) {
        if (fit_size(t->font, px) != 0) {
            /* Back to the size that worked, if there was one. */
            if (t->height > 0)
                fit_size(t->font, t->height);
            return -EIO;
        }
        t->line = TTF_FontHeight(t->font);
    } else {
        /* Whole multiples only: the 8x8 glyphs stay crisp. */
        t->scale = (px + FONT_CHARACTER_SIZE / 2) / FONT_CHARACTER_SIZE;
        if (t->scale < 1)
            t->scale = 1;
        t->line = t->scale * FONT_LINE_HEIGHT;
    }
    t->height = px;
    /* Strings of the old size will not be drawn again soon. */
    flush(t);
    return 0;
}

bool text_is_ttf(const struct text *t) { return t->font != NULL; }

const char *text_font_path(const struct text *t) { return t->path; }

int text_line_height(const struct text *t) { return t->line; }

int text_pad(const struct text *t)
{
    int p = t->line / 6;
    return p > 2 ? p : 2;
}

static bool same_colour(SDL_Color a, SDL_Color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a;
}

static struct entry *lookup(struct text *t, const char *str, SDL_Color c)
{
    for (size_t i = 0; i < TEXT_CACHE_SIZE; i++) {
        struct entry *e = &t->cache[i];
        if (e->str && e->height == t->height && same_colour(e->c, c) &&
            strcmp(e->str, str) == 0)
            return e;
    }
    return NULL;
}

/* A free entry, or the least recently drawn one emptied. */
static struct entry *victim(struct text *t)
{
    struct entry *old = &t->cache[0];
    for (size_t i = 0; i < TEXT_CACHE_SIZE; i++) {
        struct entry *e = &t->cache[i];
        if (!e->str)
            return e;
        if (e->used < old->used)
            old = e;
    }
    drop(old);
    t->n.evicted++;
    return old;
}

static struct entry *render(struct text *t, const char *str, SDL_Color c)
{
    SDL_Surface *s = TTF_RenderUTF8_Blended(t->font, str, c);
    if (!s) {
        msg_error("text: TTF_RenderUTF8_Blended: %s", TTF_GetError());
        return NULL;
    }
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->r, s);
    int w = s->w, h = s->h;
    SDL_FreeSurface(s);
    if (!tex) {
        msg_error("text: SDL_CreateTextureFromSurface: %s", SDL_GetError());
        return NULL;
    }
    char *copy = strdup(str);
    if (!copy) {
        SDL_DestroyTexture(tex);
        return NULL;
    }
    struct entry *e = victim(t);
    *e = (struct entry){
        .str = copy, .c = c, .height = t->height, .tex = tex, .w = w, .h = h};
    t->n.rendered++;
    return e;
}

void text_measure(struct text *t, const char *str, int *w, int *h)
{
    *h = t->line;
    *w = 0;
    if (!*str)
        return;
    if (!t->font) {
        *w = (int)strlen(str) * FONT_CHARACTER_SIZE * t->scale;
        return;
    }
    if (TTF_SizeUTF8(t->font, str, w, NULL) != 0)
        *w = 0;
}

static int draw_test_font(struct text *t, int x, int y, const char *str,
                          SDL_Color c)
{
    float sx, sy;
    Uint8 r, g, b, a;
    SDL_RenderGetScale(t->r, &sx, &sy);
    SDL_GetRenderDrawColor(t->r, &r, &g, &b, &a);
    int rc = 0;
    /* The glyphs take the draw colour; the scale makes them k pixels a
     * font pixel, so coordinates are in font pixels meanwhile. */
    if (SDL_SetRenderDrawColor(t->r, c.r, c.g, c.b, c.a) != 0 ||
        SDL_RenderSetScale(t->r, (float)t->scale, (float)t->scale) != 0) {
        msg_error("text: %s", SDL_GetError());
        rc = -EIO;
    }
    t->test_font_used = true;
    if (rc == 0 &&
        SDLTest_DrawString(t->r, x / t->scale, y / t->scale, str) != 0) {
        msg_error("text: SDLTest_DrawString: %s", SDL_GetError());
        rc = -EIO;
    }
    SDL_RenderSetScale(t->r, sx, sy);
    SDL_SetRenderDrawColor(t->r, r, g, b, a);
    return rc;
}

int text_draw(struct text *t, int x, int y, const char *str, SDL_Color c)
{
    if (!*str)
        return 0;
    if (!t->font)
        return draw_test_font(t, x, y, str, c);
    struct entry *e = lookup(t, str, c);
    if (e)
        t->n.hits++;
    else if (!(e = render(t, str, c)))
        return -EIO;
    e->used = ++t->clock;
    SDL_Rect dst = {x, y, e->w, e->h};
    if (SDL_RenderCopy(t->r, e->tex, NULL, &dst) != 0) {
        msg_error("text: SDL_RenderCopy: %s", SDL_GetError());
        return -EIO;
    }
    return 0;
}

SDL_Rect text_box_size(struct text *t, const char *const *lines, size_t n)
{
    int widest = 0, w, h;
    for (size_t i = 0; i < n; i++) {
        text_measure(t, lines[i], &w, &h);
        if (w > widest)
            widest = w;
    }
    int pad = text_pad(t);
    return (SDL_Rect){0, 0, widest + 2 * pad, (int)n * t->line + 2 * pad};
}

int text_draw_box(struct text *t, int x, int y, const char *const *lines,
                  size_t n, SDL_Color c, SDL_Rect *box)
{
    SDL_Rect b = text_box_size(t, lines, n);
    b.x = x;
    b.y = y;
    if (box)
        *box = b;
    SDL_BlendMode mode;
    Uint8 r, g, bl, a;
    SDL_GetRenderDrawBlendMode(t->r, &mode);
    SDL_GetRenderDrawColor(t->r, &r, &g, &bl, &a);
    int rc = 0;
    if (SDL_SetRenderDrawBlendMode(t->r, SDL_BLENDMODE_BLEND) != 0 ||
        SDL_SetRenderDrawColor(t->r, 0, 0, 0, BOX_ALPHA) != 0 ||
        SDL_RenderFillRect(t->r, &b) != 0) {
        msg_error("text: the box: %s", SDL_GetError());
        rc = -EIO;
    }
    SDL_SetRenderDrawBlendMode(t->r, mode);
    SDL_SetRenderDrawColor(t->r, r, g, bl, a);
    int pad = text_pad(t);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = text_draw(t, x + pad, y + pad + (int)i * t->line, lines[i], c);
    return rc;
}

void text_counters(const struct text *t, struct text_counters *out)
{
    *out = t->n;
}
