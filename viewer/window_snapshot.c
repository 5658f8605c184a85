/* The window's snapshots: the front frame read back, byte-exact, into a
 * PNG (the design's "Snapshot" decision). */
#include "window_private.h"

#include "msg.h"
#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

void window_snapshot_key(struct window *w)
{
    uint8_t *px;
    uint32_t fw, fh;
    int rc = present_read_front(w->p, &px, &fw, &fh);
    if (rc == -ENOENT) {
        msg_error("snapshot: no frame shown yet");
        return;
    }
    if (rc == -ENOMEM)
        msg_error("snapshot: out of memory");
    if (rc)
        return;
    char path[4096];
    if (snapshot_auto_path(w->vw->o.name, path, sizeof(path)) == 0 &&
        snapshot_write(path, px, fw, fh, (size_t)fw * 4) == 0) {
        printf("snapshot saved: %s\n", path);
        fflush(stdout);
    }
    free(px);
}

int window_snapshot_exit(struct window *w)
{
    uint8_t *px;
    uint32_t fw, fh;
    int rc = present_read_front(w->p, &px, &fw, &fh);
    if (rc == -ENOENT) /* said by viewer_save_snapshot() */
        return viewer_save_snapshot(w->vw, NULL, 0, 0);
    if (rc == -ENOMEM)
        msg_error("snapshot '%s': out of memory", w->vw->o.snapshot);
    if (rc)
        return rc;
    rc = viewer_save_snapshot(w->vw, px, fw, fh);
    free(px);
    return rc;
}
