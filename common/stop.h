/* SIGINT and SIGTERM as a flag the programs poll: how every tool stops. */
#ifndef LIBFRAME_COMMON_STOP_H
#define LIBFRAME_COMMON_STOP_H

#include <stdatomic.h>
#include <stdbool.h>

/* Catch SIGINT and SIGTERM without SA_RESTART, so a blocking sleep or wait
 * ends at once and the program can close its segment; ignore SIGPIPE, so a
 * closed pipe is an error code, not a death. */
void stop_signals_install(void);

/* Whether SIGINT or SIGTERM has arrived. */
bool stop_requested(void);

/* The flag itself, for a thread that polls it (lock-free, so the handler
 * may set it). */
const atomic_bool *stop_flag(void);

#endif
