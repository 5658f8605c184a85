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

/* A texture and the frame it holds. */
struct texture {
    SDL_Texture *t;
    uint32_t w, h;
    uint32_t sdl_format; /* the texture's */
    uint32_t format;     /* the frame's (enum frame_pixel_format) */
    const char *how;     /* how it is shown, if not as it is */
};

struct present {
    char name[FRAME_NAME_MAX + 1];
    SDL_Window *window;
    SDL_Renderer *renderer;
    SDL_RendererInfo info;
    struct texture front, back;
    uint8_t *conv; /* a frame converted to RGBA8 for display */
    size_t conv_cap;
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
    /* The test font caches its glyph textures on the renderer. */
    if (p->font_used)
        SDLTest_CleanupTextDrawing();
    if (p->front.t)
        SDL_DestroyTexture(p->front.t);
    if (p->back.t)
        SDL_DestroyTexture(p->back.t);
    free(p->conv);
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

/* The SDL texture format a frame format is shown from as it is, or 0:
 * GRAY8 too could be the luma of an IYUV texture with chroma 128, but
 * IYUV is limited range, so grey below 16 and above 235 would be clipped
 * (and SDL's full-range mode is process-wide, wrong for I420 and NV12):
 * it is converted instead, as the 16-bit formats are. */
static uint32_t sdl_format_of(uint32_t format)
{
    switch (format) {
    case FRAME_FORMAT_RGBA8:
        return SDL_PIXELFORMAT_RGBA32;
    case FRAME_FORMAT_BGRA8:
        return SDL_PIXELFORMAT_BGRA32;
    case FRAME_FORMAT_RGB8:
        return SDL_PIXELFORMAT_RGB24;
    case FRAME_FORMAT_I420:
        return SDL_PIXELFORMAT_IYUV;
    case FRAME_FORMAT_NV12:
        return SDL_PIXELFORMAT_NV12;
    }
    return 0;
}

/* Whether the renderer takes the texture format itself. SDL would
 * convert the others on every upload on its own; we convert them with the
 * library instead, by its documented rules. */
static bool renderer_takes(const struct present *p, uint32_t sdl_format)
{
    for (Uint32 i = 0; i < p->info.num_texture_formats; i++)
        if (p->info.texture_formats[i] == sdl_format)
            return true;
    return false;
}

/* The back texture, of sdl_format and the frame's size. */
static int back_texture(struct present *p, uint32_t sdl_format, uint32_t w,
                        uint32_t h)
{
    struct texture *b = &p->back;
    if (b->t && b->w == w && b->h == h && b->sdl_format == sdl_format)
        return 0;
    if (b->t)
        SDL_DestroyTexture(b->t);
    b->t = SDL_CreateTexture(p->renderer, sdl_format,
                             SDL_TEXTUREACCESS_STREAMING, (int)w, (int)h);
    if (!b->t)
        return sdl_fail("SDL_CreateTexture");
    /* Alpha is data here, not transparency: copy it, never blend. */
    if (SDL_SetTextureBlendMode(b->t, SDL_BLENDMODE_NONE) != 0) {
        int rc = sdl_fail("SDL_SetTextureBlendMode");
        SDL_DestroyTexture(b->t);
        b->t = NULL;
        return rc;
    }
    b->w = w;
    b->h = h;
    b->sdl_format = sdl_format;
    return 0;
}

/* img converted to RGBA8 by the library, into p->conv. */
static int convert_rgba8(struct present *p, const struct frame_image *img,
                         struct frame_image *out)
{
    size_t need = frame_image_layout(NULL, FRAME_FORMAT_RGBA8, img->width,
                                     img->height, 1, NULL);
    if (!need)
        return -EINVAL;
    if (need > p->conv_cap) {
        uint8_t *b = realloc(p->conv, need);
        if (!b)
            return -ENOMEM;
        p->conv = b;
        p->conv_cap = need;
    }
    frame_image_layout(out, FRAME_FORMAT_RGBA8, img->width, img->height, 1,
                       p->conv);
    return frame_convert(out, img);
}

int present_upload(struct present *p, const struct frame_image *img)
{
    if (too_large(p, img->width, img->height))
        return -EFBIG;
    uint32_t format = img->format;
    uint32_t sdl_format = sdl_format_of(format);
    const char *how = NULL;
    struct frame_image conv;
    if (!sdl_format || !renderer_takes(p, sdl_format)) {
        const struct frame_format_desc *d = frame_format_desc(format);
        how = d && d->bytes_per_sample > 1 ? "shown as 8-bit"
              : sdl_format                 ? "converted for this renderer"
                                           : "converted for display";
        /* Read from the mapping like an upload: validated afterwards. */
        int rc = convert_rgba8(p, img, &conv);
        if (rc)
            return rc;
        img = &conv;
        sdl_format = SDL_PIXELFORMAT_RGBA32;
    }
    int rc = back_texture(p, sdl_format, img->width, img->height);
    if (rc)
        return rc;
    /* Straight from the writer's memory; the caller validates afterwards,
     * and a torn upload stays in the back texture, never shown. */
    switch (sdl_format) {
    case SDL_PIXELFORMAT_IYUV:
        rc = SDL_UpdateYUVTexture(
            p->back.t, NULL, img->plane[0], (int)img->stride[0], img->plane[1],
            (int)img->stride[1], img->plane[2], (int)img->stride[2]);
        break;
    case SDL_PIXELFORMAT_NV12:
        rc = SDL_UpdateNVTexture(p->back.t, NULL, img->plane[0],
                                 (int)img->stride[0], img->plane[1],
                                 (int)img->stride[1]);
        break;
    default:
        rc = SDL_UpdateTexture(p->back.t, NULL, img->plane[0],
                               (int)img->stride[0]);
        break;
    }
    if (rc != 0)
        return sdl_fail("SDL_UpdateTexture");
    p->back.format = format;
    p->back.how = how;
    return 0;
}

/* The first frame sizes the window, within the display and not tiny. */
static void fit_window(struct present *p)
{
    if (SDL_GetWindowFlags(p->window) & SDL_WINDOW_FULLSCREEN)
        return;
    double fw = p->front.w, fh = p->front.h;
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
    struct texture t = p->front;
    p->front = p->back;
    p->back = t;
    if (!p->sized) {
        fit_window(p);
        p->sized = true;
    }
}

bool present_frame_size(const struct present *p, uint32_t *w, uint32_t *h)
{
    if (!p->front.t)
        return false;
    *w = p->front.w;
    *h = p->front.h;
    return true;
}

bool present_frame_format(const struct present *p, uint32_t *format,
                          const char **how)
{
    if (!p->front.t)
        return false;
    *format = p->front.format;
    *how = p->front.how;
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
        int y = p->front.t ? lh - bh - 2 * TEXT_PAD : (lh - bh) / 2;
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
    if (p->front.t && ow > 0 && oh > 0) {
        double s;
        SDL_Rect dst = letterbox(p->front.w, p->front.h, ow, oh, &s);
        /* Smooth when shrinking; when enlarging, show the pixels as they
         * are rather than blur them. */
        if (SDL_SetTextureScaleMode(p->front.t, s < 1 ? SDL_ScaleModeLinear
                                                      : SDL_ScaleModeNearest))
            return sdl_fail("SDL_SetTextureScaleMode");
        if (SDL_RenderCopy(p->renderer, p->front.t, NULL, &dst) != 0)
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
    char title[FRAME_NAME_MAX + 128];
    char frame[64] = "";
    if (p->front.t) {
        const struct frame_format_desc *d = frame_format_desc(p->front.format);
        snprintf(frame, sizeof(frame), " %ux%u %s", p->front.w, p->front.h,
                 d ? d->name : "?");
    }
    snprintf(title, sizeof(title), "%s%s%s%s%s - %s", p->name, frame,
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
    if (!p->front.t)
        return 0;
    if ((SDL_GetWindowFlags(p->window) & SDL_WINDOW_FULLSCREEN) &&
        SDL_SetWindowFullscreen(p->window, 0) != 0)
        return sdl_fail("SDL_SetWindowFullscreen");
    SDL_SetWindowSize(p->window, (int)p->front.w, (int)p->front.h);
    return 0;
}
