/* What the headless and window modes share. */
#include "viewer.h"

#include "deadline.h"
#include "msg.h"
#include "snapshot.h"
#include "stop.h"

#include <errno.h>
#include <stdio.h>

void viewer_start(struct viewer *vw, int64_t start)
{
    vw->end_ns =
        vw->o.seconds > 0 ? deadline_after(start, vw->o.seconds) : NO_DEADLINE;
    vw->wait_end_ns =
        vw->o.wait >= 0 ? deadline_after(start, vw->o.wait) : NO_DEADLINE;
    stats_init(&vw->st, start);
}

bool viewer_finished(const struct viewer *vw, int64_t now)
{
    return stop_requested() || now >= vw->end_ns ||
           (vw->o.frames && vw->shown >= vw->o.frames);
}

bool viewer_stats_tick(struct viewer *vw, frame_reader *r, int64_t now,
                       bool wanted)
{
    if (!wanted || now < stats_due(&vw->st))
        return false;
    stats_roll(&vw->st, r, now);
    if (vw->o.stats) {
        char line[256];
        stats_format(&vw->st.fig, line, sizeof(line));
        printf("%s\n", line);
        fflush(stdout);
    }
    return true;
}

int viewer_open_reader(struct viewer *vw, frame_reader **r)
{
    int rc = frame_reader_open_flags(vw->o.name, FRAME_OPEN_WAIT, r);
    if (rc) {
        msg_error_rc(rc, "cannot read segment '%s'", vw->o.name);
        return rc;
    }
    enum frame_reader_state st = frame_reader_state(*r, NULL);
    if (st == FRAME_READER_ATTACHED)
        vw->attached = true;
    /* The window says so in its title and on screen. */
    else if (st == FRAME_READER_WAITING && vw->o.wait < 0 && vw->o.headless)
        msg_error("waiting for producer '%s'", vw->o.name);
    return 0;
}

void viewer_close_reader(struct viewer *vw, frame_reader **r)
{
    stats_retire(&vw->st, *r);
    frame_reader_close(*r);
    *r = NULL;
}

int viewer_save_snapshot(const struct viewer *vw, const struct frame_image *img)
{
    if (!img) {
        msg_error("snapshot '%s': no frame was shown", vw->o.snapshot);
        return -ENOENT;
    }
    return snapshot_write(vw->o.snapshot, img);
}
