/* The report on stdout: machine, settings, every row, every ratio. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CELL 96
#define MAX_COLS 21

struct grid {
    int cols, rows, cap;
    char (*cell)[MAX_COLS][CELL];
    int width[MAX_COLS];
    bool *gap_before; /* a blank line before this row */
};

static int grid_row(struct grid *g)
{
    if (g->rows == g->cap) {
        int cap = g->cap ? 2 * g->cap : 64;
        void *c = realloc(g->cell, cap * sizeof(*g->cell));
        if (!c)
            return -1;
        g->cell = c;
        bool *b = realloc(g->gap_before, cap * sizeof(*b));
        if (!b)
            return -1;
        g->gap_before = b;
        g->cap = cap;
    }
    memset(g->cell[g->rows], 0, sizeof(*g->cell));
    g->gap_before[g->rows] = false;
    return g->rows++;
}

static void grid_print(FILE *f, struct grid *g, const bool *right)
{
    for (int c = 0; c < g->cols; c++) {
        g->width[c] = 0;
        for (int r = 0; r < g->rows; r++) {
            int n = (int)strlen(g->cell[r][c]);
            if (n > g->width[c])
                g->width[c] = n;
        }
    }
    for (int r = 0; r < g->rows; r++) {
        if (g->gap_before[r])
            fputc('\n', f);
        int pending = 0; /* spaces owed, so no line ends in blanks */
        for (int c = 0; c < g->cols; c++) {
            const char *s = g->cell[r][c];
            int pad = g->width[c] - (int)strlen(s);
            if (c)
                pending += 2;
            if (right[c])
                pending += pad;
            if (*s) {
                fprintf(f, "%*s%s", pending, "", s);
                pending = 0;
            }
            if (!right[c])
                pending += pad;
        }
        fputc('\n', f);
    }
    free(g->cell);
    free(g->gap_before);
}

void fmt_value(char *buf, size_t len, double v, enum metric k)
{
    if (!isfinite(v)) {
        snprintf(buf, len, "-");
        return;
    }
    switch (k) {
    case M_FPS:
    case M_WRITER_FPS:
        snprintf(buf, len, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
        break;
    case M_GBPS:
        snprintf(buf, len, "%.2f", v);
        break;
    case M_WCPU:
    case M_RCPU:
        snprintf(buf, len, "%.0f%%", v);
        break;
    case M_WHOLE:
        snprintf(buf, len, v >= 99.95 || v < 0.05 ? "%.0f%%" : "%.1f%%", v);
        break;
    case M_SKIPPED:
    case M_RETRIES:
    case M_BAD:
        snprintf(buf, len, v == floor(v) ? "%.0f" : "%.1f", v);
        break;
    default: /* microseconds */
        snprintf(buf, len, v < 10 ? "%.2f" : v < 1000 ? "%.1f" : "%.0f", v);
        break;
    }
}

void fmt_stat(char *buf, size_t len, struct stat3 s, enum metric k)
{
    char a[28], b[28], c[28]; /* three fit in one CELL */
    fmt_value(a, sizeof(a), s.med, k);
    fmt_value(b, sizeof(b), s.min, k);
    fmt_value(c, sizeof(c), s.max, k);
    if (s.n <= 1 || (!strcmp(a, b) && !strcmp(a, c)))
        snprintf(buf, len, "%s", a);
    else
        snprintf(buf, len, "%s (%s-%s)", a, b, c);
}

static const enum metric shown[] = {
    M_FPS,     M_GBPS, M_P50,  M_P99,   M_P999,    M_MAX,    M_SKIPPED,
    M_RETRIES, M_WCPU, M_RCPU, M_WHOLE, M_WCPU_US, M_RCPU_US};
#define NSHOWN (int)(sizeof(shown) / sizeof(shown[0]))

static void row_note(const struct plan *p, const struct row *r, char *buf,
                     size_t len)
{
    const char *why;
    int failed = row_failures(r, p->reps, &why);
    struct stat3 bad = row_stat(r, p->reps, M_BAD);
    buf[0] = 0;
    if (r->status)
        snprintf(buf, len, "%s", r->status);
    else if (failed)
        snprintf(buf, len, "failed %d of %d: %.60s", failed, p->reps, why);
    else if (bad.n && bad.max > 0)
        snprintf(buf, len, "WRONG BYTES in %.0f frames", bad.max);
}

static void rows_table(FILE *f, const struct plan *p)
{
    static const char *const head[] = {
        "section", "transport", "work",    "size",   "format", "rd",
        "slots",   "frames/s",  "GB/s",    "p50 us", "p99 us", "p99.9 us",
        "max us",  "skipped",   "retries", "wr CPU", "rd CPU", "whole",
        "wr us/f", "rd us/f",   "note"};
    bool right[MAX_COLS] = {false};
    struct grid g = {.cols = 21};
    int r0 = grid_row(&g);
    if (r0 < 0)
        return;
    for (int c = 0; c < g.cols; c++)
        snprintf(g.cell[r0][c], CELL, "%s", head[c]);
    for (int c = 5; c < 20; c++)
        right[c] = true;
    for (int i = 0; i < p->nrows; i++) {
        const struct row *r = &p->rows[i];
        int k = grid_row(&g);
        if (k < 0)
            return;
        char(*cell)[CELL] = g.cell[k];
        g.gap_before[k] = i > 0 && (r->sec != p->rows[i - 1].sec ||
                                    r->width != p->rows[i - 1].width);
        snprintf(cell[0], CELL, "%s", section_name(r->sec));
        snprintf(cell[1], CELL, "%s", r->transport);
        snprintf(cell[2], CELL, "%s", r->work);
        snprintf(cell[3], CELL, "%ux%u", r->width, r->height);
        snprintf(cell[4], CELL, "%s", row_format_name(r));
        snprintf(cell[5], CELL, "%d", r->readers);
        if (r->slots)
            snprintf(cell[6], CELL, "%u", r->slots);
        else
            snprintf(cell[6], CELL, "-");
        for (int m = 0; m < NSHOWN && !r->status; m++)
            fmt_stat(cell[7 + m], CELL, row_stat(r, p->reps, shown[m]),
                     shown[m]);
        row_note(p, r, cell[20], CELL);
    }
    grid_print(f, &g, right);
}

static void ratios_table(FILE *f, const struct plan *p)
{
    bool right[MAX_COLS] = {false, true, true, false};
    struct grid g = {.cols = 4};
    int r0 = grid_row(&g);
    if (r0 < 0)
        return;
    snprintf(g.cell[r0][0], CELL, "ratio (per repetition, then summarised)");
    snprintf(g.cell[r0][1], CELL, "median (min-max)");
    snprintf(g.cell[r0][2], CELL, "target");
    snprintf(g.cell[r0][3], CELL, "verdict");
    for (int i = 0; i < p->nratios; i++) {
        const struct ratio *q = &p->ratios[i];
        int k = grid_row(&g);
        if (k < 0)
            return;
        char(*cell)[CELL] = g.cell[k];
        snprintf(cell[0], CELL, "%s", q->label);
        if (q->s.n == 0) {
            snprintf(cell[1], CELL, "-");
        } else {
            char a[24], b[24], c[24];
            snprintf(a, sizeof(a), "%.2f", q->s.med);
            snprintf(b, sizeof(b), "%.2f", q->s.min);
            snprintf(c, sizeof(c), "%.2f", q->s.max);
            if (q->s.n == 1 || (!strcmp(a, b) && !strcmp(a, c)))
                snprintf(cell[1], CELL, "%s", a);
            else
                snprintf(cell[1], CELL, "%s (%s-%s)", a, b, c);
        }
        if (q->op == T_NONE)
            snprintf(cell[2], CELL, "-");
        else
            snprintf(cell[2], CELL, "%s %g",
                     q->op == T_AT_LEAST ? ">=" : "<=", q->target);
        char buf[64];
        snprintf(cell[3], CELL, "%s", ratio_verdict(q, buf, sizeof(buf)));
    }
    grid_print(f, &g, right);
}

void report_table(FILE *f, const struct plan *p, const struct opts *o)
{
    char line[1024];
    machine_line(&p->machine, line, sizeof(line));
    fprintf(f, "machine: %s\n", line);
    report_settings(p, o, line, sizeof(line));
    fprintf(f, "settings: %s\n", line);
    rows_table(f, p);
    fputc('\n', f);
    ratios_table(f, p);
    double others, steal;
    cpu_others(&p->cpu_start, &p->cpu_end, &others, &steal);
    fprintf(f,
            "\nother processes kept %.2f cores busy on average during "
            "the run, the hypervisor took %.2f%s\n",
            others, steal,
            others + steal > 0.05
                ? ": the machine was not quiet, so "
                  "figures are lower and wider than on a quiet one"
                : "");
}
