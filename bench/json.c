/* --json FILE: machine, settings, rows with their ratios, the targets. */

/* Figures that do not apply, or were not measured, are null. */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static void str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

static void key(FILE *f, const char *k)
{
    str(f, k);
    fputs(": ", f);
}

static void machine(FILE *f, const struct plan *p)
{
    const struct machine *m = &p->machine;
    fputs("  \"machine\": {", f);
    key(f, "cpu"), str(f, m->cpu);
    fputs(", ", f), key(f, "cores"), fprintf(f, "%d", m->cores);
    fputs(", ", f), key(f, "virtual_machine");
    fputs(m->virtual_machine ? "true" : "false", f);
    fputs(", ", f), key(f, "llc_bytes"), fprintf(f, "%zu", m->llc);
    fputs(", ", f), key(f, "ram_bytes");
    fprintf(f, "%llu", (unsigned long long)m->ram);
    fputs(", ", f), key(f, "kernel"), str(f, m->kernel);
    fputs(", ", f), key(f, "glibc"), str(f, m->glibc);
    fputs(", ", f), key(f, "libframe"), str(f, m->libframe);
    fputs(", ", f), key(f, "libpng"), str(f, m->libpng);
    fputs(", ", f), key(f, "gstreamer");
    if (m->gstreamer[0])
        str(f, m->gstreamer);
    else
        fputs("null", f);
    fputs(", ", f), key(f, "load_start"), num(f, m->load_start[0]);
    fputs(", ", f), key(f, "load_end"), num(f, m->load_end[0]);
    double others, steal;
    cpu_others(&p->cpu_start, &p->cpu_end, &others, &steal);
    fputs(", ", f), key(f, "other_processes_cores"), num(f, others);
    fputs(", ", f), key(f, "steal_cores"), num(f, steal);
    fputs("},\n", f);
}

static void settings(FILE *f, const struct plan *p, const struct opts *o)
{
    char line[1024];
    report_settings(p, o, line, sizeof(line));
    fputs("  \"settings\": {", f);
    key(f, "repetitions"), fprintf(f, "%d", o->reps);
    fputs(", ", f), key(f, "warmup_repetitions");
    fprintf(f, "%d", o->warmup_reps);
    fputs(", ", f), key(f, "run_seconds"), num(f, o->run_s);
    fputs(", ", f), key(f, "warmup_seconds"), num(f, o->warm_s);
    fputs(", ", f), key(f, "slots"), fprintf(f, "%u", o->slots);
    fputs(", ", f), key(f, "full_slots"), fprintf(f, "%u", o->full_slots);
    fputs(", ", f), key(f, "pipe_bytes"), fprintf(f, "%zu", p->pipe_bytes);
    fputs(", ", f), key(f, "socket_bytes");
    fprintf(f, "%zu", p->socket_bytes);
    fputs(", ", f), key(f, "quick"), fputs(o->quick ? "true" : "false", f);
    fputs(", ", f), key(f, "png_files"), fprintf(f, "%zu", p->png.count);
    fputs(", ", f), key(f, "text"), str(f, line);
    fputs("},\n", f);
}

static void stat_obj(FILE *f, struct stat3 s, const double *per_rep, int n)
{
    fputs("{\"median\": ", f), num(f, s.med);
    fputs(", \"min\": ", f), num(f, s.min);
    fputs(", \"max\": ", f), num(f, s.max);
    fputs(", \"per_rep\": [", f);
    for (int i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        num(f, per_rep[i]);
    }
    fputc(']', f);
}

static void ratio_obj(FILE *f, const struct ratio *q, int reps)
{
    char buf[64];
    stat_obj(f, q->s, q->per_rep, reps);
    fputs(", \"of\": ", f), str(f, q->label);
    fputs(", \"target\": ", f);
    if (q->op == T_NONE)
        fputs("null", f);
    else
        fprintf(f, "\"%s %g\"", q->op == T_AT_LEAST ? ">=" : "<=", q->target);
    fputs(", \"met\": ", f);
    const char *v = ratio_verdict(q, buf, sizeof(buf));
    fputs(q->op == T_NONE || q->s.n == 0 ? "null"
          : strncmp(v, "met", 3) == 0    ? "true"
                                         : "false",
          f);
    fputc('}', f);
}

static void row_obj(FILE *f, const struct plan *p, int i)
{
    const struct row *r = &p->rows[i];
    const char *why;
    int failed = row_failures(r, p->reps, &why);
    fputs("    {", f);
    key(f, "section"), str(f, section_name(r->sec));
    fputs(", ", f), key(f, "transport"), str(f, r->transport);
    fputs(", ", f), key(f, "reader_work"), str(f, r->work);
    char size[32];
    snprintf(size, sizeof(size), "%ux%u", r->width, r->height);
    fputs(", ", f), key(f, "size"), str(f, size);
    fputs(", ", f), key(f, "format"), str(f, row_format_name(r));
    fputs(", ", f), key(f, "readers"), fprintf(f, "%d", r->readers);
    fputs(", ", f), key(f, "slots");
    if (r->slots)
        fprintf(f, "%u", r->slots);
    else
        fputs("null", f);
    fputs(", ", f), key(f, "status");
    if (r->status)
        str(f, r->status);
    else if (failed == p->reps)
        str(f, why);
    else
        str(f, "ok");
    if (failed && failed < p->reps) {
        char note[NOTE_MAX + 64];
        snprintf(note, sizeof(note), "failed %d of %d repetitions: %s", failed,
                 p->reps, why);
        fputs(", ", f), key(f, "note"), str(f, note);
    }
    double v[p->reps > 0 ? p->reps : 1];
    for (int k = 0; k < M_COUNT; k++) {
        fputs(", ", f), key(f, metric_key[k]);
        num(f, row_stat(r, p->reps, (enum metric)k).med);
    }
    fputs(",\n     \"spread\": {", f);
    for (int k = 0; k < M_COUNT; k++) {
        struct stat3 s = row_stat(r, p->reps, (enum metric)k);
        for (int j = 0; j < p->reps; j++)
            v[j] = r->status ? NAN : metric_of(&r->m[j], (enum metric)k);
        if (k)
            fputs(", ", f);
        key(f, metric_key[k]);
        stat_obj(f, s, v, p->reps);
        fputc('}', f);
    }
    fputs("},\n     \"ratios\": {", f);
    bool first = true;
    for (int j = 0; j < p->nratios; j++) {
        if (p->ratios[j].num != i)
            continue;
        fputs(first ? "" : ", ", f);
        first = false;
        key(f, p->ratios[j].key);
        ratio_obj(f, &p->ratios[j], p->reps);
    }
    fputs("}}", f);
}

static void targets(FILE *f, const struct plan *p)
{
    fputs("  \"targets\": [", f);
    bool first = true;
    for (int j = 0; j < p->nratios; j++) {
        const struct ratio *q = &p->ratios[j];
        if (q->op == T_NONE)
            continue;
        fputs(first ? "\n    " : ",\n    ", f);
        first = false;
        ratio_obj(f, q, p->reps);
    }
    fputs("\n  ]\n", f);
}

int report_json(const char *path, const struct plan *p, const struct opts *o)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    fputs("{\n  \"framebench\": ", f);
    str(f, p->machine.libframe);
    fputs(",\n", f);
    machine(f, p);
    settings(f, p, o);
    fputs("  \"rows\": [\n", f);
    for (int i = 0; i < p->nrows; i++) {
        row_obj(f, p, i);
        fputs(i + 1 < p->nrows ? ",\n" : "\n", f);
    }
    fputs("  ],\n", f);
    targets(f, p);
    fputs("}\n", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return -EIO;
    return 0;
}
