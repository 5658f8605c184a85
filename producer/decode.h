/* A PNG into a frame of the format the run publishes: straight from libpng
 * where its layout is a re-arrangement of the file's samples, else through
 * a scratch frame and libframe's frame_convert(). */
#ifndef PRODUCER_DECODE_H
#define PRODUCER_DECODE_H

#include "png_load.h"

#include <libframe/frame.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --format native: each file's own samples, losslessly (format_native()). */
#define FORMAT_NATIVE 0

/* The format a file's native samples are published as. */
uint32_t format_native(const struct png_file_info *f);

/* The format a file is published as when the run asks for want. */
uint32_t format_for(uint32_t want, const struct png_file_info *f);

/* "RGBA" or, for FORMAT_NATIVE, "native". */
const char *format_name(uint32_t format);

/* Where a decoded frame goes: the planes of a format frame of width x
 * height in *img, or a negative code with a reason in err. */
typedef int (*frame_target_fn)(void *ctx, uint32_t format, uint32_t width,
                               uint32_t height, struct frame_image *img,
                               char *err, size_t errlen);

/* "image WxH FORMAT does not fit the segment (start with --max-size)" in
 * err; returns -EFBIG. */
int format_too_big(uint32_t format, uint32_t width, uint32_t height, char *err,
                   size_t errlen);

struct decoder;

/* A decoder for one thread, publishing want (an enum frame_pixel_format or
 * FORMAT_NATIVE); its scratch frame is allocated on first need and reused.
 * 0 or -ENOMEM. */
int decoder_new(uint32_t want, uint32_t max_height, struct decoder **out);
void decoder_free(struct decoder *d);
/* As png_loader_set_cancel(). */
void decoder_set_cancel(struct decoder *d, const atomic_bool *flag);

/* Decode path into the frame target gives. Errors and *target_taken as
 * png_load(): once the target was asked, what it gave is garbage on
 * failure. */
int decoder_load(struct decoder *d, const char *path, frame_target_fn target,
                 void *ctx, int *target_taken, char *err, size_t errlen);

#endif
