/* The optional peer: GStreamer shmsink -> shmsrc through gst-launch-1.0. */

/* The writer pipeline pushes one pre-made frame again and again
 * (imagefreeze); identity drop-allocation keeps that frame in ordinary
 * memory, so shmsink copies it into its shared area each time, as our
 * writer copies into a slot. The reader takes each buffer and reads
 * nothing (fakesink), like our "touch". gst-launch reports the running
 * time; two runs of N1 and N2 frames give the rate without start-up. */
#include "gst.h"

#include "clock.h"
#include "spawn.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORDS_MAX 32

bool gst_available(void)
{
    if (!have_command("gst-launch-1.0") || !have_command("gst-inspect-1.0"))
        return false;
    static const char *const need[] = {"shmsink", "shmsrc", "imagefreeze",
                                       "identity", "videotestsrc"};
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        char *argv[] = {"gst-inspect-1.0", "--exists", (char *)need[i], NULL};
        if (spawn_run(argv, NULL, 0, 30000) != 0)
            return false;
    }
    return true;
}

/* gst-launch takes the pipeline as words; ours contain no spaces. */
static void split(char *line, char **argv)
{
    int n = 0;
    for (char *w = strtok(line, " "); w && n < WORDS_MAX - 1;
         w = strtok(NULL, " "))
        argv[n++] = w;
    argv[n] = NULL;
}

static double tv_s(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

struct leg {
    double secs;       /* pipeline running time, from gst-launch */
    double wcpu, rcpu; /* seconds of CPU, whole processes */
};

/* "Execution ended after 0:00:01.234567890" */
static bool running_time(const char *out, double *secs)
{
    const char *p = strstr(out, "Execution ended after ");
    unsigned h, m;
    double s;
    if (!p || sscanf(p + 22, "%u:%u:%lf", &h, &m, &s) != 3)
        return false;
    *secs = h * 3600.0 + m * 60.0 + s;
    return true;
}

static bool wait_socket(const char *path, pid_t writer)
{
    int64_t deadline = now_ns() + INT64_C(20000000000);
    while (now_ns() < deadline) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
            return true;
        if (waitpid(writer, NULL, WNOHANG) == writer)
            return false;
        sleep_ns(2000000);
    }
    return false;
}

static int leg(uint32_t w, uint32_t h, long frames, bool draw, struct leg *out,
               char *why, size_t whylen)
{
    const char *tmp = getenv("TMPDIR");
    char sock[256], wline[1024], rline[1024], text[4096];
    char *wargv[WORDS_MAX], *rargv[WORDS_MAX];
    size_t bytes = (size_t)w * h * 4;
    unsigned long area = bytes * 6 > (64ul << 20) ? bytes * 6 : 64ul << 20;
    snprintf(sock, sizeof(sock), "%s/framebench-gst.%d.sock",
             tmp && *tmp ? tmp : "/tmp", (int)getpid());
    unlink(sock);
    /* A prepared frame copied again and again, as the transport rows'
     * writers do; or (draw) each frame drawn by videotestsrc, as
     * libframesink's row has it drawn straight into a slot. */
    if (draw)
        snprintf(wline, sizeof(wline),
                 "gst-launch-1.0 videotestsrc num-buffers=%ld "
                 "pattern=solid-color ! "
                 "video/x-raw,format=RGBA,width=%u,height=%u,"
                 "framerate=10000/1 ! shmsink socket-path=%s "
                 "shm-size=%lu wait-for-connection=true sync=false",
                 frames, w, h, sock, area);
    else
        snprintf(wline, sizeof(wline),
                 "gst-launch-1.0 videotestsrc num-buffers=1 pattern=smpte ! "
                 "video/x-raw,format=RGBA,width=%u,height=%u ! "
                 "identity drop-allocation=true ! imagefreeze num-buffers=%ld "
                 "! video/x-raw,framerate=10000/1 ! shmsink socket-path=%s "
                 "shm-size=%lu wait-for-connection=true sync=false",
                 w, h, frames, sock, area);
    snprintf(rline, sizeof(rline),
             "gst-launch-1.0 shmsrc socket-path=%s is-live=true ! "
             "video/x-raw,format=RGBA,width=%u,height=%u,"
             "framerate=10000/1 ! fakesink sync=false "
             "enable-last-sample=false",
             sock, w, h);
    split(wline, wargv);
    split(rline, rargv);
    int cap = capture_open();
    pid_t wp = spawn_cmd(wargv, cap);
    if (wp < 0) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        return -1;
    }
    struct rusage wru = {0}, rru = {0};
    int rc = -1;
    if (!wait_socket(sock, wp)) {
        snprintf(why, whylen, "shmsink made no socket");
        kill(wp, SIGKILL);
        spawn_wait(wp, -1, NULL);
    } else {
        pid_t rp = spawn_cmd(rargv, -1);
        spawn_wait(wp, 300000, &wru);
        /* shmsrc leaves with an error when the writer goes: expected. */
        if (rp > 0)
            spawn_wait(rp, 10000, &rru);
        text[0] = 0;
        if (cap >= 0)
            capture_read(cap, text, sizeof(text));
        if (!strstr(text, "Got EOS") || !running_time(text, &out->secs))
            snprintf(why, whylen, "gst-launch did not finish its frames");
        else
            rc = 0;
    }
    out->wcpu = tv_s(wru.ru_utime) + tv_s(wru.ru_stime);
    out->rcpu = tv_s(rru.ru_utime) + tv_s(rru.ru_stime);
    if (cap >= 0)
        close(cap);
    unlink(sock);
    return rc;
}

void run_gst(const struct opts *o, uint32_t w, uint32_t h, bool draw,
             struct measure *m)
{
    size_t bytes = (size_t)w * h * 4;
    /* Sized for about 8 GB/s, so the difference lasts about run_s. */
    long per_s = (long)(8e9 / (double)bytes);
    long n1 = (long)(per_s * o->run_s / 2), extra = (long)(per_s * o->run_s);
    if (n1 < 20)
        n1 = 20;
    if (extra < 20)
        extra = 20;
    struct leg a, b;
    char why[NOTE_MAX];
    if (leg(w, h, n1, draw, &a, why, sizeof(why)) ||
        leg(w, h, n1 + extra, draw, &b, why, sizeof(why))) {
        measure_fail(m, "%s", why);
        return;
    }
    double secs = b.secs - a.secs;
    if (!(secs > 0)) {
        measure_fail(m, "running times do not grow with the frame count");
        return;
    }
    m->fps = m->writer_fps = extra / secs;
    m->gbps = m->fps * (double)bytes / 1e9;
    m->wcpu = 100 * (b.wcpu - a.wcpu) / secs;
    m->rcpu = 100 * (b.rcpu - a.rcpu) / secs;
    m->skipped = 0; /* shmsink waits for its reader: nothing is dropped */
}
