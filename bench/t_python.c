/* The Python rows (issue 15): python/bench_python.py, run as it is, its
 * table printed after ours. It measures a numpy reader on libframe against
 * multiprocessing.Queue and shared_memory in one run of its own; the
 * figures are its, so they are not in the JSON. */
#include "t_python.h"

#include "msg.h"
#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int python_rows(FILE *out, const struct opts *o)
{
#if defined(FRAMEBENCH_PYTHON) && defined(FRAMEBENCH_PYTHON_DIR) &&            \
    defined(FRAMEBENCH_PYTHON_SCRIPT)
    char runs[16], seconds[32];
    snprintf(runs, sizeof(runs), "%d", o->quick ? 1 : o->reps);
    snprintf(seconds, sizeof(seconds), "%g", o->quick ? 0.5 : 2 * o->run_s);
    /* The module of this build tree, whatever the environment says. */
    if (setenv("PYTHONPATH", FRAMEBENCH_PYTHON_DIR, 1) != 0) {
        msg_error("PYTHONPATH: out of memory");
        return 1;
    }
    char *argv[] = {FRAMEBENCH_PYTHON,
                    FRAMEBENCH_PYTHON_SCRIPT,
                    "--runs",
                    runs,
                    "--seconds",
                    seconds,
                    NULL};
    fprintf(out, "\nPython (%s):\n", FRAMEBENCH_PYTHON_SCRIPT);
    fflush(out);
    pid_t pid = spawn_cmd(argv, fileno(out));
    int st = pid < 0 ? -1 : spawn_wait(pid, 600000, NULL);
    if (st != 0) {
        msg_error("the Python rows failed (%s exited %d)",
                  FRAMEBENCH_PYTHON_SCRIPT, st);
        return 1;
    }
    return 0;
#else
    (void)o;
    fprintf(out, "\nPython: not measured (the module was not built)\n");
    return 0;
#endif
}
