/* The machine line: CPU, cores, caches, kernel and library versions. */
#include "machine.h"

#include "spawn.h"

#include <libframe/frame.h>

#include <gnu/libc-version.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static bool read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = 0;
    return ok;
}

static size_t parse_cache_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'K')
        v <<= 10;
    else if (*end == 'M')
        v <<= 20;
    return (size_t)v;
}

/* sysfs describes the cache this (virtual) machine was given; cpuid, and
 * so sysconf, may describe the host's. */
size_t llc_bytes(void)
{
    size_t best = 0;
    int best_level = 0;
    for (int i = 0; i < 8; i++) {
        char path[96], buf[64];
        snprintf(path, sizeof(path),
                 "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (!read_line(path, buf, sizeof(buf)))
            break;
        int level = atoi(buf);
        snprintf(path, sizeof(path),
                 "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        if (level >= best_level && read_line(path, buf, sizeof(buf))) {
            best_level = level;
            best = parse_cache_size(buf);
        }
    }
    if (best == 0) {
        long v = sysconf(_SC_LEVEL3_CACHE_SIZE);
        best = v > 0 ? (size_t)v : 0;
    }
    return best;
}

/* Four last-level caches, at least 256 MiB, and at most 512 MiB: where
 * sysfs is missing, sysconf() reports the host's cache (508 MiB on this
 * project's VMs), and 2 x 2 GiB to touch made bench_quick time out under
 * ASan. 512 MiB is still 16 times any real L3 of a CCD. */
size_t cold_set_bytes(void)
{
    size_t set = 4 * llc_bytes();
    if (set < (256u << 20))
        set = 256u << 20;
    return set > (512u << 20) ? (512u << 20) : set;
}

size_t pipe_max_bytes(void)
{
    char buf[32];
    if (read_line("/proc/sys/fs/pipe-max-size", buf, sizeof(buf)))
        return (size_t)strtoull(buf, NULL, 10);
    return 1 << 20;
}

static void cpu_model(struct machine *m)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    snprintf(m->cpu, sizeof(m->cpu), "unknown CPU");
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        if (!strncmp(line, "model name", 10)) {
            snprintf(m->cpu, sizeof(m->cpu), "%s", colon + 2);
            m->cpu[strcspn(m->cpu, "\n")] = 0;
        } else if (!strncmp(line, "flags", 5) && strstr(colon, " hypervisor")) {
            m->virtual_machine = true;
        }
    }
    fclose(f);
}

/* The first line a program prints for --version, without the program's
 * name (or only its last word). */
static void tool_version(char *const argv[], bool last_word, char *out,
                         size_t len)
{
    char buf[64];
    out[0] = 0;
    if (!have_command(argv[0]) || spawn_run(argv, buf, sizeof(buf), 10000))
        return;
    buf[strcspn(buf, "\n")] = 0;
    const char *v = last_word ? strrchr(buf, ' ') : strchr(buf, ' ');
    snprintf(out, len, "%s", v ? v + 1 : buf);
}

void machine_load(double load[3])
{
    if (getloadavg(load, 3) != 3)
        load[0] = load[1] = load[2] = -1;
}

void machine_probe(struct machine *m, bool look_for_gst)
{
    memset(m, 0, sizeof(*m));
    cpu_model(m);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    m->cores = n > 0 ? (int)n : 1;
    m->llc = llc_bytes();
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    m->ram = pages > 0 && page > 0 ? (uint64_t)pages * page : 0;
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.sysname, u.release);
    snprintf(m->glibc, sizeof(m->glibc), "%s", gnu_get_libc_version());
    snprintf(m->libframe, sizeof(m->libframe), "%s", frame_version_string());
    snprintf(m->libpng, sizeof(m->libpng), "%s", png_get_libpng_ver(NULL));
    if (look_for_gst) {
        char *gst[] = {"gst-launch-1.0", "--version", NULL};
        /* "gst-launch-1.0 version 1.22.0" */
        tool_version(gst, true, m->gstreamer, sizeof(m->gstreamer));
    }
    char *gp[] = {"gnuplot", "--version", NULL};
    /* "gnuplot 5.4 patchlevel 4" */
    tool_version(gp, false, m->gnuplot, sizeof(m->gnuplot));
    machine_load(m->load_start);
}

void machine_line(const struct machine *m, char *buf, size_t len)
{
    snprintf(buf, len,
             "%s, %d core%s%s, last-level cache %zu MiB, %.1f GiB RAM, %s, "
             "glibc %s, libframe %s, libpng %s, GStreamer %s; load %.2f "
             "at start",
             m->cpu, m->cores, m->cores == 1 ? "" : "s",
             m->virtual_machine ? " (virtual machine)" : "", m->llc >> 20,
             m->ram / (double)(1u << 30), m->kernel, m->glibc, m->libframe,
             m->libpng, m->gstreamer[0] ? m->gstreamer : "not used",
             m->load_start[0]);
}
