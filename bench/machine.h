/* What the figures were measured on: the machine line, cache sizes. */
#ifndef BENCH_MACHINE_H
#define BENCH_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct machine {
    char cpu[128];
    int cores;
    bool virtual_machine;
    size_t llc; /* last-level cache, bytes (0 unknown) */
    uint64_t ram;
    char kernel[160];
    char glibc[32];
    char libframe[32];
    char libpng[32];
    char gstreamer[64]; /* empty when not installed */
    char gnuplot[64];   /* empty when not installed */
    double load_start[3];
    double load_end[3];
};

void machine_probe(struct machine *m, bool look_for_gst);
void machine_load(double load[3]);
/* "AMD EPYC, 2 cores (VM), ..." on one line. */
void machine_line(const struct machine *m, char *buf, size_t len);

size_t llc_bytes(void);
/* Bytes of each side of the cold memcpy: far beyond any cache. */
size_t cold_set_bytes(void);
/* The most an unprivileged process may give a pipe. */
size_t pipe_max_bytes(void);

#endif
