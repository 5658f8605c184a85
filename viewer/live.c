/* --all: which segments are there. */
#include "live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int live_scan(struct live_list *out)
{
    struct frame_object *objs;
    size_t count;
    out->names = NULL;
    out->n = 0;
    int rc = frame_objects_list(&objs, &count);
    if (rc)
        return rc;
    if (count) {
        out->names = calloc(count, sizeof(*out->names));
        if (!out->names) {
            free(objs);
            return -ENOMEM;
        }
    }
    for (size_t i = 0; i < count; i++)
        if (objs[i].kind == FRAME_OBJECT_SEGMENT && objs[i].status == 0)
            memcpy(out->names[out->n++], objs[i].name, sizeof(objs[i].name));
    free(objs);
    return 0;
}

bool live_has(const struct live_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0)
            return true;
    return false;
}

bool live_running(const char *name)
{
    struct frame_info info;
    return frame_segment_info(name, &info) == 0 && info.writer_alive;
}

void live_free(struct live_list *l)
{
    free(l->names);
    l->names = NULL;
    l->n = 0;
}
