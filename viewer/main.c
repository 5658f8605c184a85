/* viewer: the newest frame of a libframe segment, in a window or headless.
 * Here only what starts it: the options, the signals, and which mode. */
#include "clock.h"
#include "headless.h"
#include "msg.h"
#include "options.h"
#include "present.h"
#include "stop.h"
#include "viewer.h"
#include "window.h"

#include <stdlib.h>

int main(int argc, char **argv)
{
    msg_set_prog("viewer");
    struct viewer *vw = calloc(1, sizeof(*vw)); /* the stats are 32 KiB */
    if (!vw) {
        msg_error("out of memory");
        return 1;
    }
    int status = options_parse(argc, argv, &vw->o);
    if (status >= 0)
        goto out;
    /* No display and no --headless: show that frames are arriving, which
     * is what the person who typed it wants to know, rather than a window
     * nobody can see. */
    char why[256];
    if (!vw->o.headless && !present_video_available(why, sizeof(why))) {
        msg_info("no display (%s): running headless, with --stats; "
                 "xvfb-run -a gives a window",
                 why);
        vw->o.headless = true;
        vw->o.stats = true;
    }
    stop_signals_install();
    viewer_start(vw, now_ns());
    status = vw->o.headless ? headless_run(vw) : window_run(vw);
out:
    free(vw);
    return status;
}
