/* The three outputs: the table on stdout, --json FILE and --plot DIR. */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include "plan.h"

#include <stdio.h>

void report_table(FILE *f, const struct plan *p, const struct opts *o);
int report_json(const char *path, const struct plan *p, const struct opts *o);
int report_plot(const char *dir, const struct plan *p);

/* The settings line: repetitions, durations, buffer sizes, PNG files. */
void report_settings(const struct plan *p, const struct opts *o, char *buf,
                     size_t len);
void fmt_value(char *buf, size_t len, double v, enum metric k);
void fmt_stat(char *buf, size_t len, struct stat3 s, enum metric k);

#endif
