/* The SDL side of the viewer: window and renderer (each tile's textures
 * are picture.c's, what is drawn on them tile_draw.c's). */
#include "present.h"

#include "msg.h"

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

struct present {
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_RendererInfo info;
    bool sdl_up;
};

static int sdl_fail(const char *call)
{
    msg_error("%s: %s", call, SDL_GetError());
    return -EIO;
}

bool present_video_available(char *why, size_t len)
{
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(why, len, "%s", SDL_GetError());
        return false;
    }
    /* Without a display SDL 2.26 falls back on its offscreen driver: a
     * window nobody can see. Only a driver asked for by name may be one
     * of those (the tests', for instance). */
    const char *driver = SDL_GetCurrentVideoDriver();
    const char *asked = SDL_getenv("SDL_VIDEODRIVER");
    bool unseen = driver && (!strcmp(driver, "offscreen") ||
                             !strcmp(driver, "dummy"));
    bool shown = !unseen || (asked && *asked);
    if (!shown)
        snprintf(why, len, "SDL found only its %s driver", driver);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return shown;
}

int present_open(const struct present_config *c, struct present **out)
{
    struct present *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
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
    p->window = SDL_CreateWindow(
        msg_prog(), SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
        c->width ? c->width : START_W, c->height ? c->height : START_H, flags);
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
    /* The library's YUV is BT.601 limited range (frame.h); SDL's default
     * is the same, said here so nobody's AUTOMATIC (BT.709 from 720p up)
     * sneaks in. */
    SDL_SetYUVConversionMode(SDL_YUV_CONVERSION_BT601);
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
    if (p->renderer)
        SDL_DestroyRenderer(p->renderer);
    if (p->window)
        SDL_DestroyWindow(p->window);
    if (p->sdl_up)
        SDL_Quit();
    free(p);
}

SDL_Renderer *present_renderer(const struct present *p) { return p->renderer; }

const SDL_RendererInfo *present_info(const struct present *p)
{
    return &p->info;
}

const char *present_renderer_name(const struct present *p)
{
    return p->info.name ? p->info.name : "?";
}

void present_fit_window(struct present *p, uint32_t frame_w, uint32_t frame_h)
{
    if (SDL_GetWindowFlags(p->window) & SDL_WINDOW_FULLSCREEN)
        return;
    double fw = frame_w, fh = frame_h;
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

int present_output_size(struct present *p, int *w, int *h)
{
    if (SDL_GetRendererOutputSize(p->renderer, w, h) != 0)
        return sdl_fail("SDL_GetRendererOutputSize");
    return 0;
}

int present_clear(struct present *p)
{
    if (SDL_RenderSetClipRect(p->renderer, NULL) != 0)
        return sdl_fail("SDL_RenderSetClipRect");
    if (SDL_SetRenderDrawColor(p->renderer, 0, 0, 0, 255) != 0)
        return sdl_fail("SDL_SetRenderDrawColor");
    if (SDL_RenderClear(p->renderer) != 0)
        return sdl_fail("SDL_RenderClear");
    return 0;
}

void present_show(struct present *p) { SDL_RenderPresent(p->renderer); }

int present_read_rgba(struct present *p, uint8_t **px, int *w, int *h)
{
    int rc = present_output_size(p, w, h);
    if (rc)
        return rc;
    *px = malloc((size_t)*w * (size_t)*h * 4);
    if (!*px)
        return -ENOMEM;
    if (SDL_RenderReadPixels(p->renderer, NULL, SDL_PIXELFORMAT_RGBA32, *px,
                             *w * 4) != 0) {
        free(*px);
        *px = NULL;
        return sdl_fail("SDL_RenderReadPixels");
    }
    return 0;
}

void present_set_title(struct present *p, const char *title)
{
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

int present_set_size(struct present *p, uint32_t w, uint32_t h)
{
    if ((SDL_GetWindowFlags(p->window) & SDL_WINDOW_FULLSCREEN) &&
        SDL_SetWindowFullscreen(p->window, 0) != 0)
        return sdl_fail("SDL_SetWindowFullscreen");
    SDL_SetWindowSize(p->window, (int)w, (int)h);
    return 0;
}
