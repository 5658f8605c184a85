/* One tile's picture: the front texture shown and the back one uploaded
 * into, straight from the mapping or converted by the library. */
#include "picture.h"

#include "msg.h"

#include <errno.h>
#include <stdlib.h>

static int sdl_fail(const char *call)
{
    msg_error("%s: %s", call, SDL_GetError());
    return -EIO;
}

static bool too_large(const SDL_RendererInfo *info, uint32_t w, uint32_t h)
{
    /* 0 means the renderer sets no limit. */
    return (info->max_texture_width && w > (uint32_t)info->max_texture_width) ||
           (info->max_texture_height && h > (uint32_t)info->max_texture_height);
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
static bool renderer_takes(const SDL_RendererInfo *info, uint32_t sdl_format)
{
    for (Uint32 i = 0; i < info->num_texture_formats; i++)
        if (info->texture_formats[i] == sdl_format)
            return true;
    return false;
}

/* The back texture, of sdl_format and the frame's size. */
static int back_texture(struct picture *p, SDL_Renderer *r, uint32_t sdl_format,
                        uint32_t w, uint32_t h)
{
    struct texture *b = &p->back;
    if (b->t && b->w == w && b->h == h && b->sdl_format == sdl_format)
        return 0;
    if (b->t)
        SDL_DestroyTexture(b->t);
    b->t = SDL_CreateTexture(r, sdl_format, SDL_TEXTUREACCESS_STREAMING, (int)w,
                             (int)h);
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
static int convert_rgba8(struct picture *p, const struct frame_image *img,
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

int picture_upload(struct picture *p, SDL_Renderer *r,
                   const SDL_RendererInfo *info, const struct frame_image *img)
{
    if (too_large(info, img->width, img->height))
        return -EFBIG;
    uint32_t format = img->format;
    uint32_t sdl_format = sdl_format_of(format);
    const char *how = NULL;
    struct frame_image conv;
    if (!sdl_format || !renderer_takes(info, sdl_format)) {
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
    int rc = back_texture(p, r, sdl_format, img->width, img->height);
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

void picture_swap(struct picture *p)
{
    struct texture t = p->front;
    p->front = p->back;
    p->back = t;
}

bool picture_size(const struct picture *p, uint32_t *w, uint32_t *h)
{
    if (!p->front.t)
        return false;
    *w = p->front.w;
    *h = p->front.h;
    return true;
}

bool picture_format(const struct picture *p, uint32_t *format, const char **how)
{
    if (!p->front.t)
        return false;
    *format = p->front.format;
    *how = p->front.how;
    return true;
}

void picture_free(struct picture *p)
{
    if (p->front.t)
        SDL_DestroyTexture(p->front.t);
    if (p->back.t)
        SDL_DestroyTexture(p->back.t);
    free(p->conv);
    *p = (struct picture){0};
}
