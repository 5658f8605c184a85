/* Writer and reader processes: fork, a common start line, reaping. */
#include "procs.h"
#include "stop.h"

#include "clock.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Only a guard against a process that hangs while setting up: memcpy-cold
 * touches 2 x 256 MiB first, which under a sanitizer on a loaded 2-core
 * machine took longer than the 20 s this used to be. */
#define READY_TIMEOUT_NS INT64_C(120000000000)

static struct run *ctl;
static int64_t *lat_store;

int procs_init(void)
{
    /* Mapped once, before any fork, so every child sees the same
     * addresses; pages are only paid for when a run touches them. */
    ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (ctl == MAP_FAILED)
        return -errno;
    size_t bytes = (size_t)MAX_PROCS * LAT_CAP * sizeof(int64_t);
    lat_store = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (lat_store == MAP_FAILED)
        return -errno;
    run_reset();
    return 0;
}

struct run *run_ctl(void) { return ctl; }

void run_reset(void)
{
    atomic_store(&ctl->ready, 0);
    atomic_store(&ctl->go, 0);
    ctl->t_warm = ctl->t_end = 0;
    for (int i = 0; i < MAX_PROCS; i++) {
        struct proc_out *o = &ctl->out[i];
        memset(o, 0, sizeof(*o));
        o->lat = lat_store + (size_t)i * LAT_CAP;
        o->rng = 0x9e3779b97f4a7c15u * (uint64_t)(i + 1);
    }
}

pid_t run_spawn(int idx, int (*fn)(void *arg, struct proc_out *out), void *arg)
{
    fflush(NULL); /* or buffered output would be written twice */
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* A child must never outlive an interrupted or crashed parent: it may
     * hold a segment or a core. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(1);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    struct proc_out *out = &ctl->out[idx];
    int rc = fn(arg, out);
    atomic_store(&out->state, rc ? 2 : 1);
    _exit(rc ? 1 : 0); /* no atexit handlers, no leak check: the parent's */
}

static bool any_exited(const pid_t *pids, int n, char *why, size_t whylen)
{
    for (int i = 0; i < n; i++) {
        int st;
        if (pids[i] > 0 && waitpid(pids[i], &st, WNOHANG) == pids[i]) {
            snprintf(why, whylen, "a process exited before the start%s%s",
                     ctl->out[i].msg[0] ? ": " : "", ctl->out[i].msg);
            return true;
        }
    }
    return false;
}

int run_wait_ready(int n, const pid_t *pids, int npids, char *why,
                   size_t whylen)
{
    int64_t deadline = now_ns() + READY_TIMEOUT_NS;
    while (atomic_load(&ctl->ready) < n) {
        if (stop_requested()) {
            snprintf(why, whylen, "interrupted");
            return -1;
        }
        if (any_exited(pids, npids, why, whylen))
            return -1;
        if (now_ns() > deadline) {
            snprintf(why, whylen, "processes not ready after 120 s");
            return -1;
        }
        sleep_ns(200000);
    }
    return 0;
}

void run_go(double warm_s, double run_s)
{
    /* A little lead so every child is polling `go` when the window opens. */
    int64_t start = now_ns() + 2000000;
    ctl->t_warm = start + (int64_t)(warm_s * 1e9);
    ctl->t_end = ctl->t_warm + (int64_t)(run_s * 1e9);
    atomic_store_explicit(&ctl->go, 1, memory_order_release);
}

void run_kill(const pid_t *pids, int n)
{
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGKILL);
}

int run_reap(const pid_t *pids, int n, int64_t deadline, char *why,
             size_t whylen)
{
    int left = 0, failed = 0;
    bool done[MAX_PROCS + 8] = {false};
    for (int i = 0; i < n; i++)
        if (pids[i] > 0)
            left++;
        else
            done[i] = true;
    bool killed = false;
    while (left > 0) {
        for (int i = 0; i < n; i++) {
            int st;
            if (done[i])
                continue;
            pid_t r = waitpid(pids[i], &st, WNOHANG);
            if (r == 0)
                continue;
            done[i] = true;
            left--;
            if (r < 0)
                continue; /* already reaped while waiting for `ready` */
            if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0) && !failed) {
                failed = 1;
                if (i < MAX_PROCS && ctl->out[i].msg[0])
                    snprintf(why, whylen, "%s", ctl->out[i].msg);
                else if (WIFSIGNALED(st))
                    snprintf(why, whylen, "a process died of signal %d",
                             WTERMSIG(st));
                else
                    snprintf(why, whylen, "a process exited with status %d",
                             WIFEXITED(st) ? WEXITSTATUS(st) : -1);
            }
        }
        if (left == 0)
            break;
        if (!killed && (stop_requested() || now_ns() > deadline)) {
            run_kill(pids, n);
            killed = true;
            if (!failed) {
                failed = 1;
                snprintf(why, whylen,
                         stop_requested() ? "interrupted" : "timed out");
            }
        }
        sleep_ns(2000000);
    }
    return failed ? -1 : 0;
}

void child_ready(void) { atomic_fetch_add(&ctl->ready, 1); }

void child_wait_go(void)
{
    while (!atomic_load_explicit(&ctl->go, memory_order_acquire))
        sleep_ns(50000);
}

int child_fail(struct proc_out *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->msg, sizeof(out->msg), fmt, ap);
    va_end(ap);
    return 1;
}

static uint64_t next_rand(struct proc_out *o)
{
    o->rng ^= o->rng << 13;
    o->rng ^= o->rng >> 7;
    o->rng ^= o->rng << 17;
    return o->rng;
}

/* Keeps a uniform sample of at most LAT_CAP values (reservoir); the
 * maximum is kept exactly. */
void lat_add(struct proc_out *out, int64_t ns)
{
    if (ns > out->lat_max)
        out->lat_max = ns;
    if (out->nlat < LAT_CAP) {
        out->lat[out->nlat] = ns;
    } else {
        uint64_t j = next_rand(out) % (out->nlat + 1);
        if (j < LAT_CAP)
            out->lat[j] = ns;
    }
    out->nlat++;
}

void meter_tick(struct meter *m, int64_t now)
{
    if (m->state == 0 && now >= ctl->t_warm) {
        m->w0 = now;
        m->c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        m->state = 1;
    } else if (m->state == 1 && now >= ctl->t_end) {
        m->w1 = now;
        m->c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        m->state = 2;
    }
}

void meter_end(struct meter *m, struct proc_out *out)
{
    if (m->state == 1) {
        m->w1 = now_ns();
        m->c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
        m->state = 2;
    }
    if (m->state == 2) {
        out->cpu_ns = m->c1 - m->c0;
        out->wall_ns = m->w1 - m->w0;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double quantile_us(const int64_t *v, size_t n, double p)
{
    size_t i = (size_t)ceil(p * (double)n);
    i = i ? i - 1 : 0;
    if (i >= n)
        i = n - 1;
    return v[i] / 1e3;
}

static void lat_summary(struct proc_out *const *outs, int n, struct measure *m)
{
    size_t total = 0;
    int64_t max = 0;
    for (int i = 0; i < n; i++) {
        total += outs[i]->nlat < LAT_CAP ? outs[i]->nlat : LAT_CAP;
        if (outs[i]->lat_max > max)
            max = outs[i]->lat_max;
    }
    if (total == 0)
        return;
    int64_t *all = malloc(total * sizeof(*all));
    if (!all)
        return;
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        size_t c = outs[i]->nlat < LAT_CAP ? outs[i]->nlat : LAT_CAP;
        memcpy(all + k, outs[i]->lat, c * sizeof(*all));
        k += c;
    }
    qsort(all, total, sizeof(*all), cmp_i64);
    m->lat_p50 = quantile_us(all, total, 0.50);
    m->lat_p99 = quantile_us(all, total, 0.99);
    m->lat_p999 = quantile_us(all, total, 0.999);
    m->lat_max = max / 1e3;
    for (int i = 0; i < CDF_POINTS; i++)
        m->cdf[i] = (float)quantile_us(all, total, cdf_prob(i));
    m->has_cdf = true;
    free(all);
}

static double pct(int64_t cpu, int64_t wall)
{
    return wall > 0 ? 100.0 * (double)cpu / (double)wall : NAN;
}

/* NAN without a frame: a figure that does not apply, not an infinity. */
static double per_frame_us(int64_t cpu_ns, uint64_t frames)
{
    return frames ? (double)cpu_ns / 1e3 / (double)frames : NAN;
}

void run_collect(int nreaders, size_t bytes, struct measure *m)
{
    double secs = (ctl->t_end - ctl->t_warm) / 1e9;
    struct proc_out *w = &ctl->out[0];
    m->writer_fps = w->frames / secs;
    m->wcpu = pct(w->cpu_ns, w->wall_ns);
    /* A render writer's CPU less its own drawing: what sending costs. */
    m->wcpu_us = w->sent ? per_frame_us(w->cpu_ns - w->draw_ns, w->sent)
                         : per_frame_us(w->cpu_ns, w->frames);
    if (nreaders == 0) {
        m->fps = m->writer_fps;
        m->gbps = m->fps * (double)bytes / 1e9;
        m->cpu_us = m->wcpu_us;
        return;
    }
    struct proc_out *rs[MAX_READERS];
    double fps = 0, skipped = 0, retries = 0, bad = 0, cpu = 0, cpu_us = 0;
    uint64_t holds = 0, whole = 0;
    for (int i = 0; i < nreaders; i++) {
        struct proc_out *r = rs[i] = &ctl->out[1 + i];
        fps += r->frames / secs;
        skipped += (double)r->skipped;
        retries += (double)r->retries;
        bad += (double)r->bad;
        cpu += pct(r->cpu_ns, r->wall_ns);
        cpu_us += per_frame_us(r->cpu_ns, r->frames);
        holds += r->holds;
        whole += r->whole;
    }
    m->fps = fps / nreaders;
    m->gbps = m->fps * (double)bytes / 1e9;
    m->skipped = skipped / nreaders;
    m->retries = retries / nreaders;
    m->bad = bad / nreaders;
    m->rcpu = cpu / nreaders;
    m->rcpu_us = cpu_us / nreaders;
    if (holds)
        m->whole_pct = 100.0 * (double)whole / (double)holds;
    m->cpu_us = cpu_total_us(m->wcpu_us, m->rcpu_us);
    lat_summary(rs, nreaders, m);
}

double cpu_total_us(double writer_us, double reader_us)
{
    if (!isfinite(writer_us))
        return reader_us;
    return isfinite(reader_us) ? writer_us + reader_us : writer_us;
}

int run_procs(const struct spawn *procs, int n, int first, const struct opts *o,
              char *why, size_t whylen)
{
    pid_t pids[MAX_PROCS] = {0};
    int rc = 0;
    run_reset();
    for (int i = 0; i < n && rc == 0; i++) {
        if (i == first)
            rc = run_wait_ready(first, pids, n, why, whylen);
        if (rc == 0 &&
            (pids[i] = run_spawn(i, procs[i].fn, procs[i].arg)) < 0) {
            snprintf(why, whylen, "fork: %s", strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0)
        rc = run_wait_ready(n, pids, n, why, whylen);
    if (rc) {
        char ignored[NOTE_MAX];
        run_kill(pids, n);
        run_reap(pids, n, 0, ignored, sizeof(ignored));
        return -1;
    }
    run_go(o->warm_s, o->run_s);
    /* Sleep through the window: a parent waking every millisecond to
     * poll would itself disturb two busy cores. */
    struct timespec end = {.tv_sec = ctl->t_end / 1000000000,
                           .tv_nsec = ctl->t_end % 1000000000};
    while (!stop_requested() &&
           clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &end, NULL) == EINTR)
        ;
    return run_reap(pids, n, ctl->t_end + INT64_C(20000000000), why, whylen);
}
