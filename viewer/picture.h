/* One tile's picture: the front texture shown and the back one uploaded
 * into. */
#ifndef VIEWER_PICTURE_H
#define VIEWER_PICTURE_H

#include <libframe/frame.h>

#include <SDL.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A texture and the frame it holds. */
struct texture {
    SDL_Texture *t;
    uint32_t w, h;
    uint32_t sdl_format; /* the texture's */
    uint32_t format;     /* the frame's (enum frame_pixel_format) */
    const char *how;     /* how it is shown, if not as it is */
};

/* Zeroed: no picture yet. */
struct picture {
    struct texture front, back;
    uint8_t *conv; /* a frame converted to RGBA8 for display */
    size_t conv_cap;
};

/*
 * Hand a frame to SDL, into the back texture (recreated when the format or
 * size changes): straight from the mapping for the formats SDL's renderer
 * takes as they are (RGBA8, BGRA8, RGB8, I420 as IYUV, NV12), converted to
 * RGBA8 by the library for the others (GRAY8, the 16-bit ones, and any the
 * renderer lacks). The caller holds the frame meanwhile
 * (frame_reader_hold()) and calls picture_swap() only if
 * frame_reader_release() says the hold was kept. -EFBIG (nothing printed)
 * when the frame exceeds the largest texture, -ENOMEM (nothing printed)
 * when there is no memory to convert it, -EIO (SDL's failure printed).
 */
int picture_upload(struct picture *p, SDL_Renderer *r,
                   const SDL_RendererInfo *info, const struct frame_image *img);

/* Make the uploaded back texture the front one. */
void picture_swap(struct picture *p);

/* Size of the front frame; false if none has been shown. */
bool picture_size(const struct picture *p, uint32_t *w, uint32_t *h);

/* The front frame's format (enum frame_pixel_format) and how it is shown:
 * NULL when as it is, else a few words ("shown as 8-bit"); false if none
 * has been shown. */
bool picture_format(const struct picture *p, uint32_t *format,
                    const char **how);

/* Destroy the textures; the picture is empty again. */
void picture_free(struct picture *p);

#endif
