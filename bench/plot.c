/* --plot DIR: frames/s bars per size and latency CDFs, through gnuplot. */

/* The data files and the script are written even without gnuplot, so the
 * charts can be drawn elsewhere. */
#include "report.h"

#include "msg.h"
#include "spawn.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const uint32_t sizes[][2] = {{640, 360}, {1920, 1080}, {3840, 2160}};

/* The repetition whose p50 is the median: its whole CDF is drawn. */
static const struct measure *typical(const struct plan *p, const struct row *r)
{
    struct stat3 s = row_stat(r, p->reps, M_P50);
    const struct measure *best = NULL;
    double gap = INFINITY;
    for (int i = 0; i < p->reps; i++) {
        const struct measure *m = &r->m[i];
        if (m->ok && m->has_cdf && fabs(m->lat_p50 - s.med) < gap) {
            gap = fabs(m->lat_p50 - s.med);
            best = m;
        }
    }
    return best;
}

static int write_bars(const char *dir, const struct plan *p, uint32_t w,
                      uint32_t h, FILE *gp)
{
    char path[4200];
    snprintf(path, sizeof(path), "%s/throughput-%ux%u.dat", dir, w, h);
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    int n = 0;
    for (int i = 0; i < p->nrows; i++) {
        const struct row *r = &p->rows[i];
        if (r->sec != SEC_TRANSPORT || r->width != w || r->height != h)
            continue;
        struct stat3 s = row_stat(r, p->reps, M_FPS);
        if (s.n == 0)
            continue;
        char label[96];
        row_label(r, label, sizeof(label));
        fprintf(f, "\"%s\" %g %g %g\n", label, s.med, s.min, s.max);
        n++;
    }
    fclose(f);
    if (n == 0)
        return 0;
    fprintf(gp,
            "set output '%s/throughput-%ux%u.png'\n"
            "set title '%ux%u RGBA8: frames/s delivered to the reader "
            "(median, bar min-max)'\n"
            "set logscale y\nset ylabel 'frames/s'\nset xlabel ''\n"
            "unset logscale x\nset xtics rotate by -30 left\n"
            "set rmargin 12\nset bmargin 9\n"
            "set style fill solid 0.5\nset key off\nset grid ytics\n"
            "plot '%s' using 0:2:3:4:(0.7):xtic(1) with boxerrorbars\n"
            "unset logscale y\nset xtics norotate\n"
            "set rmargin -1\nset bmargin -1\n",
            dir, w, h, w, h, path);
    return 0;
}

static int write_cdf(const char *dir, const struct plan *p, enum section sec,
                     uint32_t w, uint32_t h, const char *title, FILE *gp)
{
    char path[4200];
    int n = 0;
    char plot[8192] = "plot ";
    for (int i = 0; i < p->nrows; i++) {
        const struct row *r = &p->rows[i];
        if (r->sec != sec || r->width != w || r->height != h)
            continue;
        const struct measure *m = typical(p, r);
        if (!m)
            continue;
        char label[96];
        row_label(r, label, sizeof(label));
        snprintf(path, sizeof(path), "%s/cdf-%s-%ux%u-%d.dat", dir,
                 section_name(sec), w, h, i);
        FILE *f = fopen(path, "w");
        if (!f)
            return -errno;
        for (int k = 0; k < CDF_POINTS; k++)
            fprintf(f, "%g %g\n", m->cdf[k] > 0 ? m->cdf[k] : 0.01,
                    cdf_prob(k));
        fclose(f);
        size_t used = strlen(plot);
        snprintf(plot + used, sizeof(plot) - used,
                 "%s'%s' using 1:2 with lines lw 2 dt %d title '%s'",
                 n ? ", " : "", path, strcmp(r->work, "full") ? 1 : 2, label);
        n++;
    }
    if (n == 0)
        return 0;
    fprintf(gp,
            "set output '%s/latency-cdf-%s-%ux%u.png'\n"
            "set title '%s'\nset logscale x\nset xlabel 'publish to reader "
            "(microseconds)'\nset ylabel 'fraction of frames'\n"
            "set yrange [0:1]\nset key outside right\nset grid\n%s\n"
            "unset logscale x\nset yrange [*:*]\n",
            dir, section_name(sec), w, h, title, plot);
    return 0;
}

int report_plot(const char *dir, const struct plan *p)
{
    if (strchr(dir, '\''))
        return -EINVAL; /* it goes into the script between quotes */
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return -errno;
    char path[4200], title[128];
    snprintf(path, sizeof(path), "%s/charts.gp", dir);
    FILE *gp = fopen(path, "w");
    if (!gp)
        return -errno;
    fprintf(gp,
            "# framebench charts: gnuplot %s/charts.gp\n"
            "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
            "  set terminal pngcairo size 1100,650\n"
            "} else {\n  set terminal png size 1100,650\n}\n",
            dir);
    int rc = 0;
    for (int s = 0; s < 3 && rc == 0; s++) {
        uint32_t w = sizes[s][0], h = sizes[s][1];
        rc = write_bars(dir, p, w, h, gp);
        snprintf(title, sizeof(title),
                 "%ux%u: publish-to-reader latency (the median repetition)", w,
                 h);
        if (rc == 0)
            rc = write_cdf(dir, p, SEC_TRANSPORT, w, h, title, gp);
    }
    if (rc == 0)
        rc = write_cdf(dir, p, SEC_WAKE, 1920, 1080,
                       "1920x1080, 1000 publishes/s: wake-up latency, "
                       "futex against a pipe (same writer, separate runs)",
                       gp);
    if (fclose(gp) != 0 && rc == 0)
        rc = -EIO;
    if (rc)
        return rc;
    if (!have_command("gnuplot"))
        return -ENOENT;
    char out[1024];
    char *argv[] = {"gnuplot", path, NULL};
    if (spawn_run(argv, out, sizeof(out), 120000) != 0) {
        out[strcspn(out, "\n")] = 0;
        msg_error("gnuplot: %s", out);
        return -EIO;
    }
    return 0;
}
