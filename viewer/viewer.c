/* What the headless and window modes share. */
#include "viewer.h"

#include "deadline.h"
#include "msg.h"
#include "snapshot.h"
#include "stop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void viewer_start(struct viewer *vw, int64_t start)
{
    vw->end_ns =
        vw->o.seconds > 0 ? deadline_after(start, vw->o.seconds) : NO_DEADLINE;
    vw->wait_end_ns =
        vw->o.wait >= 0 ? deadline_after(start, vw->o.wait) : NO_DEADLINE;
    vw->multi = vw->o.all || vw->o.n_names > 1;
}

bool viewer_finished(const struct viewer *vw, int64_t now)
{
    return stop_requested() || now >= vw->end_ns || atomic_load(&vw->quit);
}

bool viewer_source_done(const struct viewer *vw, const struct source *s)
{
    return vw->o.frames && s->shown >= vw->o.frames;
}

void viewer_source_init(const struct viewer *vw, struct source *s,
                        const char *name, int64_t start)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    if (vw->multi)
        snprintf(s->prefix, sizeof(s->prefix), "%s: ", name);
    stats_init(&s->st, start);
}

bool viewer_stats_tick(const struct viewer *vw, struct source *s,
                       frame_reader *r, int64_t now, bool wanted)
{
    if (!wanted || now < stats_due(&s->st))
        return false;
    stats_roll(&s->st, r, now);
    if (vw->o.stats) {
        char line[256];
        stats_format(&s->st.fig, line, sizeof(line));
        /* One call per line: the threads of several segments share
         * stdout, and stdio locks it for the length of a call. */
        printf("%s%s\n", s->prefix, line);
        fflush(stdout);
    }
    return true;
}

int viewer_open_reader(const struct viewer *vw, struct source *s,
                       frame_reader **r)
{
    int rc = frame_reader_open_flags(s->name, FRAME_OPEN_WAIT, r);
    if (rc) {
        msg_error_rc(rc, "cannot read segment '%s'", s->name);
        return rc;
    }
    enum frame_reader_state st = frame_reader_state(*r, NULL);
    if (st == FRAME_READER_ATTACHED)
        s->attached = true;
    /* The window says so in its title and on screen. */
    else if (st == FRAME_READER_WAITING && vw->o.wait < 0 && vw->o.headless)
        msg_error("waiting for producer '%s'", s->name);
    return 0;
}

void viewer_close_reader(struct source *s, frame_reader **r)
{
    stats_retire(&s->st, *r);
    frame_reader_close(*r);
    *r = NULL;
}

int viewer_snapshot_path(const struct viewer *vw, const char *name, char *buf,
                         size_t len)
{
    const char *file = vw->o.snapshot;
    int n;
    if (!vw->multi) {
        n = snprintf(buf, len, "%s", file);
    } else if (strstr(file, "%s")) {
        const char *at = strstr(file, "%s");
        n = snprintf(buf, len, "%.*s%s%s", (int)(at - file), file, name,
                     at + 2);
    } else {
        /* The stem is what comes before the last dot of the last path
         * component ("dir.d/shot" has none). */
        const char *base = strrchr(file, '/');
        const char *dot = strrchr(base ? base : file, '.');
        size_t stem = dot && dot != (base ? base + 1 : file)
                          ? (size_t)(dot - file)
                          : strlen(file);
        n = snprintf(buf, len, "%.*s-%s.png", (int)stem, file, name);
    }
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int viewer_save_snapshot(const struct viewer *vw, const struct source *s,
                         const struct frame_image *img)
{
    char path[4096];
    if (viewer_snapshot_path(vw, s->name, path, sizeof(path))) {
        msg_error("snapshot '%s': %s", vw->o.snapshot, strerror(ENAMETOOLONG));
        return -ENAMETOOLONG;
    }
    if (!img) {
        msg_error("snapshot '%s': no frame was shown", path);
        return -ENOENT;
    }
    return snapshot_write(path, img);
}
