/* What goes wrong with a segment or its producer, said once. */
#include "problems.h"

#include "msg.h"

#include <inttypes.h>
#include <stdio.h>

/* Next to nothing shown while the frames held were overwritten under us,
 * or the writer writing over held frames: it cannot spare a slot for us. */
#define STARVED_NS INT64_C(1000000000)
#define STARVED_FPS 10
#define STARVED_FAILS 16
#define STARVED_FULL_LOOKS 2

void problem_text(const struct viewer *vw, int rc, char *buf, size_t len)
{
    char words[200];
    snprintf(buf, len, "segment '%s': %s", vw->o.name,
             frame_segment_strerror(vw->o.name, rc, words, sizeof(words)));
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
    vw->starve.busy = vw->hold_busy;
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
        vw->starve.full = 0;
        if (!r)
            vw->starve.said = false;
        return false;
    }
    int64_t span = now - vw->starve.since;
    if (span < STARVED_NS)
        return false;
    uint64_t shown = vw->shown - vw->starve.shown;
    /* A hold the writer broke counts as a retry (its release failed). */
    uint64_t fails =
        fs.retries - vw->starve.retries + (vw->hold_busy - vw->starve.busy);
    starve_restart(vw, fs.retries, now);
    /* The writer counts the frames it had to write over a held one: more
     * of them since the last look means readers (us or others) hold more
     * slots than it can spare. */
    struct frame_info info = {0};
    bool full = frame_reader_info(r, &info) == 0 && info.writer_alive &&
                info.overruns > vw->starve.overruns;
    vw->starve.overruns = info.overruns;
    vw->starve.full = full ? vw->starve.full + 1 : 0;
    bool few = shown * STARVED_NS < (uint64_t)(STARVED_FPS * span);
    bool failing = few && fails >= STARVED_FAILS && fails > 20 * shown;
    if (vw->starve.said || (!failing && vw->starve.full < STARVED_FULL_LOOKS))
        return false;
    vw->starve.said = true;
    msg_error("segment '%s': %" PRIu64 " frame(s) shown in %.1f s, %" PRIu64
              " overwritten while held; readers hold more slots than the "
              "writer can spare (%u of its %u slots held by others now; it "
              "keeps held frames whole only while 2 are free): start the "
              "producer with more --slots (up to %d)",
              vw->o.name, shown, span / 1e9, fails, info.slots_held,
              info.slot_count, FRAME_MAX_SLOTS);
    if (out)
        snprintf(out, len,
                 "readers hold more slots than the writer can spare "
                 "(start the producer with more --slots)");
    return true;
}
