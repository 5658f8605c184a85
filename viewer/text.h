/* The viewer's text: SDL2_ttf with DejaVu Sans Mono, or SDL's 8x8 test
 * font when no font can be loaded; rendered strings are cached. */
#ifndef VIEWER_TEXT_H
#define VIEWER_TEXT_H

#include <SDL.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Overrides the font search: a .ttf path, or "none" for the test font. */
#define TEXT_FONT_ENV "FRAME_VIEWER_FONT"
/* Rendered strings kept as textures, least recently drawn dropped first. */
#define TEXT_CACHE_SIZE 64

struct text;

/* What the cache did, for tests and for the curious. */
struct text_counters {
    uint64_t rendered; /* strings rendered by SDL2_ttf (cache misses) */
    uint64_t hits;     /* strings drawn from the cache */
    uint64_t evicted;  /* textures dropped to make room */
};

/* Text on renderer r, at text_height_for(480) until told otherwise. Never
 * fails for want of a font: it says once on stderr why, and draws with
 * the test font. -ENOMEM only. Close it before destroying r. */
int text_open(SDL_Renderer *r, struct text **out);
void text_close(struct text *t);

/* The line height (pixels) the HUD wants in an output of this height:
 * max(12, output_h / 40). */
int text_height_for(int output_h);

/* Lines about px pixels apart from now on (a font re-opened at another
 * size, or the test font at an integer scale); the same height again
 * costs nothing. 0 or -EIO when SDL2_ttf cannot set the size (the old
 * one stays). */
int text_set_height(struct text *t, int px);

/* Whether SDL2_ttf draws (false: the test font), and from which file. */
bool text_is_ttf(const struct text *t);
const char *text_font_path(const struct text *t);

/* Pixels from one line's top to the next's. */
int text_line_height(const struct text *t);

/* The size str takes when drawn: its width, and text_line_height(). */
void text_measure(struct text *t, const char *str, int *w, int *h);

/* str (UTF-8 with SDL2_ttf; ASCII with the test font) with its top-left
 * at (x, y) in output pixels, in colour c, blended. 0 or -EIO. */
int text_draw(struct text *t, int x, int y, const char *str, SDL_Color c);

/* The padding around lines in a box, from the line height. */
int text_pad(const struct text *t);

/* The box text_draw_box() would draw for these lines: w and h only. */
SDL_Rect text_box_size(struct text *t, const char *const *lines, size_t n);

/* Lines of text in colour c on a translucent dark box whose top-left is
 * (x, y); *box (if not NULL) gets the box drawn. 0 or -EIO. */
int text_draw_box(struct text *t, int x, int y, const char *const *lines,
                  size_t n, SDL_Color c, SDL_Rect *box);

void text_counters(const struct text *t, struct text_counters *out);

#endif
