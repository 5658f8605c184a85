/* The probe: the samples of the frame pixel under the cursor, at the
 * frame's own depth (probe.c reads and words them). Read from the mapping
 * with the frame held and used only if the hold was kept, like an upload;
 * or, paused, from the copy the pause took. */
#include "window_private.h"

#include "probe.h"

#include <string.h>

/* Read (x, y) of the tile's newest frame: 0, or why not. */
static int read_held(struct tile *t, uint32_t x, uint32_t y,
                     struct probe_sample *s)
{
    if (t->paused) {
        if (!t->held.have)
            return FRAME_ENOFRAME;
        return probe_read(&t->held.img, x, y, s);
    }
    if (!t->r)
        return FRAME_ENOFRAME;
    struct frame_view v;
    int rc = frame_reader_hold(t->r, &v);
    if (rc)
        return rc;
    rc = probe_read(&v.image, x, y, s);
    if (!frame_reader_release(t->r, &v) && rc == 0)
        rc = FRAME_EBUSY; /* overwritten while read: not what was there */
    return rc;
}

void tile_probe_update(struct window *w, struct tile *t)
{
    uint32_t x, y;
    bool had = t->probe_have;
    char old[sizeof(t->probe_text)];
    memcpy(old, t->probe_text, sizeof(old));
    t->probe_have = false;
    if (!w->mouse_in || window_tile_at(w, w->mouse_x, w->mouse_y) != t ||
        !t->have_front || !tile_view_pixel(t, w->mouse_x, w->mouse_y, &x, &y))
        return;
    struct probe_sample s;
    if (read_held(t, x, y, &s))
        return;
    probe_format(&s, t->probe_text, sizeof(t->probe_text));
    t->probe_have = true;
    t->probe_x = x;
    t->probe_y = y;
    if (!had || strcmp(old, t->probe_text) != 0)
        script_probe(w, t, t->probe_text, s.v, (int)s.n, x, y);
}
