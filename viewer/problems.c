/* What goes wrong with a segment or its producer, said once. */
#include "problems.h"

#include "msg.h"

#include <inttypes.h>
#include <stdio.h>

/* Next to nothing shown while the frames tried were overwritten under us:
 * the producer is too fast for whole-frame reads. */
#define STARVED_NS INT64_C(1000000000)
#define STARVED_FPS 10
#define STARVED_RETRIES 16

void problem_text(const struct viewer *vw, int rc, char *buf, size_t len)
{
    snprintf(buf, len, "segment '%s': %s", vw->o.name, frame_strerror(rc));
}

bool problem_report(struct viewer *vw, int rc)
{
    if (rc == vw->reported)
        return false;
    vw->reported = rc;
    char text[PROBLEM_TEXT_MAX];
    problem_text(vw, rc, text, sizeof(text));
    msg_error("%s; waiting for a producer", text);
    return true;
}

bool problem_gave_up(struct viewer *vw, int64_t now)
{
    if (vw->attached || now < vw->wait_end_ns)
        return false;
    if (vw->reported)
        msg_error_rc(vw->reported, "no producer on '%s' within %g s",
                     vw->o.name, vw->o.wait);
    else
        msg_error("no producer on '%s' within %g s", vw->o.name, vw->o.wait);
    return true;
}

/* Start counting again from now. */
static void starve_restart(struct viewer *vw, uint64_t retries, int64_t now)
{
    vw->starve.shown = vw->shown;
    vw->starve.retries = retries;
    vw->starve.since = now;
}

bool problem_starved(struct viewer *vw, frame_reader *r, int64_t now, char *out,
                     size_t len)
{
    struct frame_stats fs = {0};
    /* A broken segment's failures are its own, said as such: not ours. */
    if (r && frame_reader_state(r, NULL) == FRAME_READER_BROKEN)
        r = NULL;
    if (r)
        frame_reader_stats(r, &fs);
    if (!r || fs.retries < vw->starve.retries) { /* none, or a new one */
        starve_restart(vw, fs.retries, now);
        if (!r)
            vw->starve.said = false;
        return false;
    }
    int64_t span = now - vw->starve.since;
    if (span < STARVED_NS)
        return false;
    uint64_t shown = vw->shown - vw->starve.shown;
    uint64_t tries = fs.retries - vw->starve.retries;
    starve_restart(vw, fs.retries, now);
    bool few = shown * STARVED_NS < (uint64_t)(STARVED_FPS * span);
    if (vw->starve.said || !few || tries < STARVED_RETRIES ||
        tries <= 20 * shown)
        return false;
    vw->starve.said = true;
    struct frame_info info = {0};
    frame_reader_info(r, &info);
    msg_error("%" PRIu64 " frame(s) shown in %.1f s: %" PRIu64 " tries to "
              "read a whole frame found the producer rewriting it (%u slots); "
              "pace the producer (--fps) or give it more slots (--slots, up "
              "to %d)",
              shown, span / 1e9, tries, info.slot_count, FRAME_MAX_SLOTS);
    if (out)
        snprintf(out, len,
                 "frames rewritten while read: producer too fast "
                 "(pace it with --fps, or more --slots)");
    return true;
}
