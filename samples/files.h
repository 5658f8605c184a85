/* Small file helpers for make-samples: whole files, directories, paths. */
#ifndef LIBFRAME_SAMPLES_FILES_H
#define LIBFRAME_SAMPLES_FILES_H

#include <stddef.h>

/* Create or truncate `path` and write `len` bytes; 0 or -errno. A file
 * that could not be written completely is removed. */
int write_file(const char *path, const void *data, size_t len);

/* mkdir -p: creates the missing parents too; 0 or -errno. */
int ensure_dir(const char *dir);

/* `dir`/`name` into out[size]; 0 or -ENAMETOOLONG. */
int join_path(char *out, size_t size, const char *dir, const char *name);

#endif
