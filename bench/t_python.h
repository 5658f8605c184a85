/* The Python rows: python/bench_python.py of this build, run by us. */
#ifndef BENCH_T_PYTHON_H
#define BENCH_T_PYTHON_H

#include "bench.h"

#include <stdio.h>

/* Run it and let it print its table to out: 0, or 1 if it failed. */
int python_rows(FILE *out, const struct opts *o);

#endif
