/* SIGINT and SIGTERM as a flag the programs poll: how every tool stops. */
#include "stop.h"

#include <signal.h>
#include <string.h>

_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "set from a signal handler");

static atomic_bool stop;

static void on_stop(int sig)
{
    (void)sig;
    atomic_store(&stop, true);
}

void stop_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

bool stop_requested(void) { return atomic_load(&stop); }

const atomic_bool *stop_flag(void) { return &stop; }
