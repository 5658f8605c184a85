/* The producer's input list: files and directories expanded in play order. */
#ifndef PRODUCER_INPUTS_H
#define PRODUCER_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

struct input_list {
    char **paths;
    size_t count;
    size_t cap;
};

/* Natural order: digit runs compare as numbers, so frame2 < frame10. */
int natural_compare(const char *a, const char *b);

/* Whether a name ends in .png, in any case. */
bool has_png_suffix(const char *name);

/* Append path (a file, or a directory whose *.png are added in natural
 * order). Returns 0 or -errno; err names the reason. */
int inputs_add(struct input_list *l, const char *path, char *err,
               size_t errlen);
int inputs_push(struct input_list *l, const char *path);
void inputs_free(struct input_list *l);

#endif
