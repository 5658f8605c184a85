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

void problem_text(const struct source *s, int rc, char *buf, size_t len)
{
    char words[200];
    snprintf(buf, len, "segment '%s': %s", s->name,
             frame_segment_strerror(s->name, rc, words, sizeof(words)));
}

bool problem_report(struct source *s, int rc)
{
    if (rc == s->reported)
        return false;
    s->reported = rc;
    char text[PROBLEM_TEXT_MAX];
    problem_text(s, rc, text, sizeof(text));
    msg_error("%s; waiting for a producer", text);
    return true;
}

bool problem_gave_up(const struct viewer *vw, const struct source *s,
                     int64_t now)
{
    if (s->attached || now < vw->wait_end_ns)
        return false;
    if (s->reported)
        msg_error_rc(s->reported, "no producer on '%s' within %g s", s->name,
                     vw->o.wait);
    else
        msg_error("no producer on '%s' within %g s", s->name, vw->o.wait);
    return true;
}

/* Start counting again from now. */
static void starve_restart(struct source *s, uint64_t retries, int64_t now)
{
    s->starve.shown = s->shown;
    s->starve.retries = retries;
    s->starve.busy = s->hold_busy;
    s->starve.since = now;
}

bool problem_starved(struct source *s, frame_reader *r, int64_t now, char *out,
                     size_t len)
{
    struct frame_stats fs = {0};
    /* A broken segment's failures are its own, said as such: not ours. */
    if (r && frame_reader_state(r, NULL) == FRAME_READER_BROKEN)
        r = NULL;
    if (r)
        frame_reader_stats(r, &fs);
    if (!r || fs.retries < s->starve.retries) { /* none, or a new one */
        starve_restart(s, fs.retries, now);
        s->starve.full = 0;
        if (!r)
            s->starve.said = false;
        return false;
    }
    int64_t span = now - s->starve.since;
    if (span < STARVED_NS)
        return false;
    uint64_t shown = s->shown - s->starve.shown;
    /* A hold the writer broke counts as a retry (its release failed). */
    uint64_t fails =
        fs.retries - s->starve.retries + (s->hold_busy - s->starve.busy);
    starve_restart(s, fs.retries, now);
    /* The writer counts the frames it had to write over a held one: more
     * of them since the last look means readers (us or others) hold more
     * slots than it can spare. */
    struct frame_info info = {0};
    bool full = frame_reader_info(r, &info) == 0 && info.writer_alive &&
                info.overruns > s->starve.overruns;
    s->starve.overruns = info.overruns;
    s->starve.full = full ? s->starve.full + 1 : 0;
    bool few = shown * STARVED_NS < (uint64_t)(STARVED_FPS * span);
    bool failing = few && fails >= STARVED_FAILS && fails > 20 * shown;
    if (s->starve.said || (!failing && s->starve.full < STARVED_FULL_LOOKS))
        return false;
    s->starve.said = true;
    msg_error("segment '%s': %" PRIu64 " frame(s) shown in %.1f s, %" PRIu64
              " overwritten while held; readers hold more slots than the "
              "writer can spare (%u of its %u slots held by others now; it "
              "keeps held frames whole only while 2 are free): start the "
              "producer with more --slots (up to %d)",
              s->name, shown, span / 1e9, fails, info.slots_held,
              info.slot_count, FRAME_MAX_SLOTS);
    if (out)
        snprintf(out, len,
                 "readers hold more slots than the writer can spare "
                 "(start the producer with more --slots)");
    return true;
}
