/* Corrupt and hostile PNG files for the producer's error handling. */
#ifndef LIBFRAME_SAMPLES_BAD_IMAGES_H
#define LIBFRAME_SAMPLES_BAD_IMAGES_H

#include <stddef.h>

/*
 * Write into `dir` (which must exist) every bad image, plus bad-images.txt
 * naming each one and what is wrong with it. 0, or -errno style with `err`
 * saying which file and why.
 */
int bad_images_write(const char *dir, char *err, size_t errlen);

#endif
