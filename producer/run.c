/* The two ways to run: play the list, then watch a directory; both put
 * frames into the slot through sources.c and commit them through
 * pacing.c. */
#include "run.h"

#include "msg.h"
#include "png_load.h"
#include "sources.h"
#include "stop.h"
#include "watch.h"

#include <errno.h>

static bool count_reached(const struct producer *p)
{
    return p->o.count && p->pace.published >= p->o.count;
}

/* After a publish that failed: a stop is success, the segment's fault
 * (already said) is not. */
static int publish_failed(void) { return stop_requested() ? 0 : 1; }

int run_play(struct producer *p)
{
    while (!count_reached(p)) {
        int rc = source_next(p);
        if (rc == SOURCE_PLAYED || rc == -EINTR)
            return 0;
        if (rc == -ENOENT) {
            msg_error("no valid input%s", p->pace.published ? " left" : "");
            return 1;
        }
        if (rc)
            return 1;
        if (!pacing_publish(p))
            return publish_failed();
    }
    return 0;
}

/* Wait for the next watched file: 1 with its path, 0 for none yet, -1
 * once the watch has ended (said). */
static int next_watched(struct producer *p, char *path, size_t len)
{
    int rc = watch_next(p->watch, HEARTBEAT_NS / 1000000, path, len);
    pacing_idle(p);
    if (rc == WATCH_GONE) {
        msg_error("watch '%s': the directory was deleted or moved away",
                  p->o.watch_dir);
        return -1;
    }
    if (rc < 0) {
        msg_error_rc(rc, "watch '%s'", p->o.watch_dir);
        return -1;
    }
    return rc;
}

int run_watch(struct producer *p)
{
    msg_info("watching '%s' for new PNG files", p->o.watch_dir);
    char path[4096 + 256];
    /* Watched files are not added to the playlist: it would grow by one
     * path per event, forever. They are tagged on from the given files. */
    size_t tag = p->list.in.count;
    while (!stop_requested() && !count_reached(p)) {
        int rc = next_watched(p, path, sizeof(path));
        if (rc < 0)
            return 1;
        if (rc == 0)
            continue;
        char err[PNG_LOAD_ERR_MAX];
        rc = source_decode(p, path, err, sizeof(err));
        if (rc == SOURCE_BAD_FILE) {
            playlist_skip(&p->list, path, err);
            continue;
        }
        if (rc)
            return rc == -EINTR ? 0 : 1;
        p->playing = tag++;
        pacing_rejoin(&p->pace);
        if (!pacing_publish(p))
            return publish_failed();
    }
    return 0;
}
