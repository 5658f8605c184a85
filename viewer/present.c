/* The SDL side of the viewer: window, renderer, textures, letterbox, text. */
#include "present.h"

#include "msg.h"

#include <SDL.h>
#include <SDL_test_font.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define START_W 640 /* the window before any frame has been seen */
#define START_H 480
/* A tiny first frame is shown at a whole multiple of its size, so a 17x9
 * test pattern is not a speck; a huge one is fitted into the display. */
#define MIN_FIT_W 320
#define MIN_FIT_H 240
#define MAX_FIT 0.9
#define TEXT_PAD 4 /* around text, in font pixels */

struct present {
    char name[FRAME_NAME_MAX + 1];
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_RendererInfo info;
    SDL_Texture *front, *back;
    uint32_t front_w, front_h, back_w, back_h;
    bool sized; /* the window has been fitted to a first frame */
    bool font_used;
    bool sdl_up;
};

static int sdl_fail(const char *call)
{
    msg_error("%s: %s", call, SDL_GetError());
    return -EIO;
}

int present_open(const struct present_config *c, struct present **out)
{
    struct present *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    snprintf(p->name, sizeof(p->name), "%s", c->name);
    int rc = -EIO;

    /* Our own SIGINT/SIGTERM handlers are in place; SDL must not replace
     * them with its own (it only would over SIG_DFL, but say it). */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        rc = sdl_fail("SDL_Init");
        goto fail;
    }
    p->sdl_up = true;

    Uint32 flags = SDL_WINDOW_RESIZABLE;
    if (c->fullscreen)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    p->window =
        SDL_CreateWindow(msg_prog(), SDL_WINDOWPOS_UNDEFINED,
                         SDL_WINDOWPOS_UNDEFINED, START_W, START_H, flags);
    if (!p->window) {
        rc = sdl_fail("SDL_CreateWindow");
        goto fail;
    }
    /* Any renderer will do, hardware or software: no ACCELERATED flag. */
    p->renderer = SDL_CreateRenderer(p->window, -1,
                                     c->vsync ? SDL_RENDERER_PRESENTVSYNC : 0);
    if (!p->renderer) {
        rc = sdl_fail("SDL_CreateRenderer");
        goto fail;
    }
    if (SDL_GetRendererInfo(p->renderer, &p->info) != 0) {
        rc = sdl_fail("SDL_GetRendererInfo");
        goto fail;
    }
    *out = p;
    return 0;

fail:
    present_close(p);
    return rc;
}

void present_close(struct present *p)
{
    if (!p)
        return;
    /* The test font caches its glyph textures on the renderer. */
    if (p->font_used)
        SDLTest_CleanupTextDrawing();
    if (p->front)
        SDL_DestroyTexture(p->front);
    if (p->back)
        SDL_DestroyTexture(p->back);
    if (p->renderer)
        SDL_DestroyRenderer(p->renderer);
    if (p->window)
        SDL_DestroyWindow(p->window);
    if (p->sdl_up)
        SDL_Quit();
    free(p);
}

const char *present_renderer_name(const struct present *p)
{
    return p->info.name ? p->info.name : "?";
}

static bool too_large(const struct present *p, uint32_t w, uint32_t h)
{
    /* 0 means the renderer sets no limit. */
    return (p->info.max_texture_width &&
            w > (uint32_t)p->info.max_texture_width) ||
           (p->info.max_texture_height &&
            h > (uint32_t)p->info.max_texture_height);
}

int present_upload(struct present *p, const struct frame_view *v)
{
    if (too_large(p, v->width, v->height))
        return -EFBIG;
    if (!p->back || p->back_w != v->width || p->back_h != v->height) {
        if (p->back)
            SDL_DestroyTexture(p->back);
        p->back = SDL_CreateTexture(p->renderer, SDL_PIXELFORMAT_RGBA32,
                                    SDL_TEXTUREACCESS_STREAMING, (int)v->width,
                                    (int)v->height);
        if (!p->back)
            return sdl_fail("SDL_CreateTexture");
        /* Alpha is data here, not transparency: copy it, never blend. */
        if (SDL_SetTextureBlendMode(p->back, SDL_BLENDMODE_NONE) != 0) {
            int rc = sdl_fail("SDL_SetTextureBlendMode");
            SDL_DestroyTexture(p->back);
            p->back = NULL;
            return rc;
        }
        p->back_w = v->width;
        p->back_h = v->height;
    }
    /* Straight from the writer's memory; the caller validates afterwards,
     * and a torn upload stays in the back texture, never shown. */
    if (SDL_UpdateTexture(p->back, NULL, v->pixels, (int)v->stride) != 0)
        return sdl_fail("SDL_UpdateTexture");
    return 0;
}

/* The first frame sizes the window, within the display and not tiny. */
static void fit_window(struct present *p)
{
    if (SDL_GetWindowFlags(p->window) & SDL_WINDOW_FULLSCREEN)
        return;
    double fw = p->front_w, fh = p->front_h;
    double maxw = 1920, maxh = 1080;
    SDL_Rect usable;
    /* Without the display's size, a common one will do. */
    int display = SDL_GetWindowDisplayIndex(p->window);
    if (display < 0)
        sdl_fail("SDL_GetWindowDisplayIndex");
    else if (SDL_GetDisplayUsableBounds(display, &usable) != 0)
        sdl_fail("SDL_GetDisplayUsableBounds");
    else {
        maxw = usable.w * MAX_FIT;
        maxh = usable.h * MAX_FIT;
    }
    double s = 1;
    if (fw < MIN_FIT_W && fh < MIN_FIT_H)
        s = floor(fmin(MIN_FIT_W / fw, MIN_FIT_H / fh));
    double fit = fmin(maxw / fw, maxh / fh);
    if (s > fit)
        s = fit;
    int w = (int)lround(fw * s), h = (int)lround(fh * s);
    SDL_SetWindowSize(p->window, w > 0 ? w : 1, h > 0 ? h : 1);
    /* The window was placed for its start size: place it again, or a
     * large frame runs off the screen. Done once, before the user has
     * had much chance to move it. */
    if (display >= 0)
        SDL_SetWindowPosition(p->window,
                              SDL_WINDOWPOS_CENTERED_DISPLAY(display),
                              SDL_WINDOWPOS_CENTERED_DISPLAY(display));
}

void present_swap(struct present *p)
{
    SDL_Texture *t = p->front;
    p->front = p->back;
    p->back = t;
    uint32_t w = p->front_w, h = p->front_h;
    p->front_w = p->back_w;
    p->front_h = p->back_h;
    p->back_w = w;
    p->back_h = h;
    if (!p->sized) {
        fit_window(p);
        p->sized = true;
    }
}

bool present_frame_size(const struct present *p, uint32_t *w, uint32_t *h)
{
    if (!p->front)
        return false;
    *w = p->front_w;
    *h = p->front_h;
    return true;
}

/* The largest frame rectangle of the frame's aspect that fits the output,
 * centred: the rest is the letterbox. */
static SDL_Rect letterbox(uint32_t fw, uint32_t fh, int ow, int oh,
                          double *scale)
{
    double s = fmin((double)ow / fw, (double)oh / fh);
    int w = (int)lround(fw * s), h = (int)lround(fh * s);
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    *scale = s;
    return (SDL_Rect){(ow - w) / 2, (oh - h) / 2, w, h};
}

/* Text scale: as large as legible and fits, 1..3 font pixels per pixel. */
static int text_scale(int ow, size_t widest)
{
    int need = (int)widest * FONT_CHARACTER_SIZE + 4 * TEXT_PAD;
    int k = ow >= 1200 ? 3 : 2;
    while (k > 1 && need * k > ow)
        k--;
    return k;
}

/* Lines of text on a dark box, at (x, y) in font pixels. */
static int draw_text_box(struct present *p, int x, int y,
                         const char *const *lines, size_t n, size_t widest)
{
    SDL_Rect box = {x, y, (int)widest * FONT_CHARACTER_SIZE + 2 * TEXT_PAD,
                    (int)n * FONT_LINE_HEIGHT + 2 * TEXT_PAD - 2};
    if (SDL_SetRenderDrawBlendMode(p->renderer, SDL_BLENDMODE_BLEND) != 0)
        return sdl_fail("SDL_SetRenderDrawBlendMode");
    if (SDL_SetRenderDrawColor(p->renderer, 0, 0, 0, 176) != 0)
        return sdl_fail("SDL_SetRenderDrawColor");
    if (SDL_RenderFillRect(p->renderer, &box) != 0)
        return sdl_fail("SDL_RenderFillRect");
    if (SDL_SetRenderDrawColor(p->renderer, 255, 255, 255, 255) != 0)
        return sdl_fail("SDL_SetRenderDrawColor");
    p->font_used = true;
    for (size_t i = 0; i < n; i++) {
        if (SDLTest_DrawString(p->renderer, x + TEXT_PAD,
                               y + TEXT_PAD + (int)i * FONT_LINE_HEIGHT,
                               lines[i]) != 0)
            return sdl_fail("SDLTest_DrawString");
    }
    return 0;
}

static size_t widest_of(const char *const *lines, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(lines[i]) > w)
            w = strlen(lines[i]);
    return w;
}

static int draw_overlay(struct present *p, const struct overlay *o, int ow,
                        int oh)
{
    size_t hud_n = o->hud ? o->hud_lines : 0;
    size_t widest = widest_of(o->hud, hud_n);
    size_t status_w = o->status ? strlen(o->status) : 0;
    if (status_w > widest)
        widest = status_w;
    if (widest == 0)
        return 0;
    int k = text_scale(ow, widest);
    /* The font is 8x8 pixels: scaled up by the renderer, drawn in font
     * pixels from here on. */
    if (SDL_RenderSetScale(p->renderer, (float)k, (float)k) != 0)
        return sdl_fail("SDL_RenderSetScale");
    int lw = ow / k, lh = oh / k;
    int rc = 0;
    if (hud_n)
        rc = draw_text_box(p, TEXT_PAD, TEXT_PAD, o->hud, hud_n,
                           widest_of(o->hud, hud_n));
    if (rc == 0 && o->status) {
        int bw = (int)status_w * FONT_CHARACTER_SIZE + 2 * TEXT_PAD;
        int bh = FONT_LINE_HEIGHT + 2 * TEXT_PAD - 2;
        /* Over a frame, keep out of the way at the bottom; alone, centre. */
        int y = p->front ? lh - bh - 2 * TEXT_PAD : (lh - bh) / 2;
        rc = draw_text_box(p, (lw - bw) / 2, y, &o->status, 1, status_w);
    }
    if (SDL_RenderSetScale(p->renderer, 1, 1) != 0 && rc == 0)
        rc = sdl_fail("SDL_RenderSetScale");
    return rc;
}

int present_draw(struct present *p, const struct overlay *o)
{
    int ow, oh;
    if (SDL_GetRendererOutputSize(p->renderer, &ow, &oh) != 0)
        return sdl_fail("SDL_GetRendererOutputSize");
    if (SDL_SetRenderDrawColor(p->renderer, 0, 0, 0, 255) != 0)
        return sdl_fail("SDL_SetRenderDrawColor");
    if (SDL_RenderClear(p->renderer) != 0)
        return sdl_fail("SDL_RenderClear");
    if (p->front && ow > 0 && oh > 0) {
        double s;
        SDL_Rect dst = letterbox(p->front_w, p->front_h, ow, oh, &s);
        /* Smooth when shrinking; when enlarging, show the pixels as they
         * are rather than blur them. */
        if (SDL_SetTextureScaleMode(p->front, s < 1 ? SDL_ScaleModeLinear
                                                    : SDL_ScaleModeNearest))
            return sdl_fail("SDL_SetTextureScaleMode");
        if (SDL_RenderCopy(p->renderer, p->front, NULL, &dst) != 0)
            return sdl_fail("SDL_RenderCopy");
    }
    int rc = draw_overlay(p, o, ow, oh);
    if (rc)
        return rc;
    SDL_RenderPresent(p->renderer);
    return 0;
}

void present_set_title(struct present *p, const char *state)
{
    char title[FRAME_NAME_MAX + 96];
    char size[32] = "";
    if (p->front)
        snprintf(size, sizeof(size), " %ux%u", p->front_w, p->front_h);
    snprintf(title, sizeof(title), "%s%s%s%s%s - %s", p->name, size,
             state ? " (" : "", state ? state : "", state ? ")" : "",
             msg_prog());
    SDL_SetWindowTitle(p->window, title);
}

int present_toggle_fullscreen(struct present *p)
{
    bool full = SDL_GetWindowFlags(p->window) & SDL_WINDOW_FULLSCREEN;
    if (SDL_SetWindowFullscreen(p->window,
                                full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP) != 0)
        return sdl_fail("SDL_SetWindowFullscreen");
    return 0;
}

int present_native_size(struct present *p)
{
    if (!p->front)
        return 0;
    if ((SDL_GetWindowFlags(p->window) & SDL_WINDOW_FULLSCREEN) &&
        SDL_SetWindowFullscreen(p->window, 0) != 0)
        return sdl_fail("SDL_SetWindowFullscreen");
    SDL_SetWindowSize(p->window, (int)p->front_w, (int)p->front_h);
    return 0;
}

int present_read_front(struct present *p, uint8_t **pixels, uint32_t *w,
                       uint32_t *h)
{
    if (!p->front)
        return -ENOENT;
    size_t pitch = (size_t)p->front_w * 4;
    uint8_t *buf = malloc(pitch * p->front_h);
    if (!buf)
        return -ENOMEM;
    int rc = 0;
    SDL_Texture *target = NULL;
    bool targeted = false;

    if (!SDL_RenderTargetSupported(p->renderer)) {
        SDL_SetError("the %s renderer cannot render to a texture",
                     present_renderer_name(p));
        rc = sdl_fail("SDL_RenderTargetSupported");
        goto out;
    }
    target = SDL_CreateTexture(p->renderer, SDL_PIXELFORMAT_RGBA32,
                               SDL_TEXTUREACCESS_TARGET, (int)p->front_w,
                               (int)p->front_h);
    if (!target) {
        rc = sdl_fail("SDL_CreateTexture");
        goto out;
    }
    if (SDL_SetRenderTarget(p->renderer, target) != 0) {
        rc = sdl_fail("SDL_SetRenderTarget");
        goto out;
    }
    targeted = true;
    /* 1:1, no filtering, no blending: every byte, alpha included, lands
     * in the target as it was uploaded. */
    if (SDL_SetTextureScaleMode(p->front, SDL_ScaleModeNearest) != 0) {
        rc = sdl_fail("SDL_SetTextureScaleMode");
        goto out;
    }
    if (SDL_RenderCopy(p->renderer, p->front, NULL, NULL) != 0) {
        rc = sdl_fail("SDL_RenderCopy");
        goto out;
    }
    if (SDL_RenderReadPixels(p->renderer, NULL, SDL_PIXELFORMAT_RGBA32, buf,
                             (int)pitch) != 0) {
        rc = sdl_fail("SDL_RenderReadPixels");
        goto out;
    }

out:
    if (targeted && SDL_SetRenderTarget(p->renderer, NULL) != 0 && rc == 0)
        rc = sdl_fail("SDL_SetRenderTarget");
    if (target)
        SDL_DestroyTexture(target);
    if (rc) {
        free(buf);
        return rc;
    }
    *pixels = buf;
    *w = p->front_w;
    *h = p->front_h;
    return 0;
}
