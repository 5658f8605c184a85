/* The viewer's command line. */
#ifndef VIEWER_OPTIONS_H
#define VIEWER_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

/* Most segments named on one command line (--all has no limit). */
#define OPTIONS_MAX_NAMES 16

struct options {
    /* The segments named: positional arguments and --name, in order,
     * duplicates dropped; "default" when none is named and not --all. */
    const char *names[OPTIONS_MAX_NAMES];
    int n_names;
    bool all; /* --all: every live segment, and those that appear */
    bool headless;
    uint64_t frames; /* 0: no limit */
    double seconds;  /* 0: no limit */
    const char *snapshot;
    double wait; /* < 0: forever */
    bool vsync;
    bool fullscreen;
    bool stats;
};

/* Fill *o from argv. -1 to go on; otherwise the exit status: 0 after
 * --help or --version (printed on stdout), 2 after bad usage (said on
 * stderr). */
int options_parse(int argc, char **argv, struct options *o);

#endif
