/* Pacing: the next frame is ready in the slot before its deadline, and
 * committed at it, so the publish time is the display time and nothing
 * drifts. */
#include "pacing.h"

#include "clock.h"
#include "msg.h"
#include "producer.h"
#include "sources.h"
#include "stop.h"

#include <inttypes.h>

void pacing_start(struct pacing *pc, double fps)
{
    int64_t now = now_ns();
    *pc = (struct pacing){
        .period = fps > 0 ? (int64_t)(1e9 / fps) : 0,
        .start_ns = now,
        .deadline = now,
        .interval_ns = now,
    };
}

void pacing_rejoin(struct pacing *pc)
{
    int64_t now = now_ns();
    if (pc->deadline < now - pc->period)
        pc->deadline = now;
}

/* Sleep until the absolute deadline, keeping the heartbeat going. False if
 * a stop was requested meanwhile. */
static bool sleep_until(struct producer *p, int64_t deadline)
{
    for (;;) {
        if (stop_requested())
            return false;
        int64_t now = now_ns();
        if (now >= deadline)
            return true;
        int64_t until =
            deadline - now > HEARTBEAT_NS ? now + HEARTBEAT_NS : deadline;
        struct timespec ts = {.tv_sec = until / 1000000000,
                              .tv_nsec = until % 1000000000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        frame_writer_heartbeat(p->w);
    }
}

static void stats_tick(struct producer *p, int64_t now)
{
    struct pacing *pc = &p->pace;
    if (!p->o.stats || now - pc->interval_ns < 1000000000)
        return;
    double secs = (now - pc->interval_ns) / 1e9;
    double fps = pc->interval_frames / secs;
    double ms = pc->interval_frames ? pc->interval_ms / pc->interval_frames : 0;
    /* Asked for with --stats: printed even with --quiet. */
    msg_error("%" PRIu64 " frames, %.1f fps, %s %.1f ms/frame, %" PRIu64
              " skipped files%s",
              pc->published, fps,
              cache_complete(&p->cache, p->list.live) ? "cache" : "decode", ms,
              p->list.skipped,
              pc->interval_late ? ", behind: decoding is slower than --fps"
                                : "");
    pc->interval_ns = now;
    pc->interval_frames = 0;
    pc->interval_ms = 0;
    pc->interval_late = 0;
}

void pacing_idle(struct producer *p)
{
    frame_writer_heartbeat(p->w);
    stats_tick(p, now_ns());
}

bool pacing_publish(struct producer *p)
{
    struct pacing *pc = &p->pace;
    if (pc->period && !sleep_until(p, pc->deadline)) {
        frame_writer_abort(p->w);
        return false;
    }
    int rc = frame_writer_commit(p->w, 0, p->playing);
    if (rc) {
        segment_failed(p, rc);
        return false;
    }
    pc->published++;
    pc->interval_frames++;
    pc->interval_ms += p->frame_ms;
    int64_t now = now_ns();
    if (pc->period) {
        pc->deadline += pc->period;
        /* Already past the next deadline: decoding cannot keep up. Start
         * counting from now rather than bursting to catch up. */
        if (now > pc->deadline) {
            pc->interval_late++;
            if (now > pc->deadline + pc->period)
                pc->deadline = now;
        }
    }
    stats_tick(p, now);
    return true;
}
