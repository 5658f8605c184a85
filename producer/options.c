/* The producer's command line, parsed strictly: a bad value is bad usage,
 * never a default in disguise. */
#include "options.h"

#include "cli.h"
#include "decode.h"
#include "msg.h"
#include "png_load.h"

#include <libframe/frame.h>

#include <getopt.h>
#include <stdio.h>
#include <strings.h>
#include <unistd.h>

/* The help text is laid out in the source as it prints. */
/* clang-format off */
static void usage(void)
{
    printf(
"Usage: %s [OPTION]... PATH...\n"
"Publish PNG files (or the *.png of directories, in natural name order) into\n"
"the libframe segment " FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX
"NAME, paced at a frame rate.\n"
"\n"
"  -n, --name NAME          segment name (default: default)\n"
"  -r, --fps N              frames per second, 0 = as fast as possible\n"
"                           (default: 30)\n"
"  -l, --loop               play the list again and again (default)\n"
"  -1, --once               play the list once, then exit\n"
"  -c, --count N            stop after publishing N frames\n"
"  -s, --slots N            frame slots in the segment, 2..8 (default: 3)\n"
"  -m, --max-size WxH       size the segment for WxH frames (default: the\n"
"                           largest input)\n"
"  -f, --format FORMAT      publish every frame as FORMAT: rgba8 (default),\n"
"                           bgra8, rgb8, gray8, gray16, rgba16, i420, nv12\n"
"                           (or the GStreamer or ffmpeg name), converted as\n"
"                           libframe does; or native: each file's own\n"
"                           samples without loss (grey as GRAY8 or\n"
"                           GRAY16_LE, 16-bit colour as RGBA64_LE, ...)\n"
"      --cache              keep every decoded frame in memory\n"
"      --no-cache           decode every frame every time\n"
"      --cache-limit BYTES  cache only if all frames fit in BYTES (K, M, G\n"
"                           suffixes; default: a quarter of RAM)\n"
"  -j, --threads N          decoding threads (default: one per core; 1 decodes\n"
"                           straight into the segment, with no copy)\n"
"  -w, --watch DIR          publish each new PNG written into DIR (after the\n"
"                           PATHs, if any, played once)\n"
"      --stats              a progress line every second on stderr\n"
"  -q, --quiet              print errors only\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Bad files are reported once and skipped. SIGINT/SIGTERM close the segment\n"
"and remove it. Exit status: 0 success, 1 runtime failure, 2 bad usage.\n",
           msg_prog());
}
/* clang-format on */

/* Long options without a short form. */
enum { OPT_CACHE = 256, OPT_NO_CACHE, OPT_CACHE_LIMIT, OPT_STATS };

static void defaults(struct options *o)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    *o = (struct options){
        .name = "default",
        .fps = 30,
        .loop = true,
        .slots = 3,
        .cache_limit = pages > 0 && page > 0 ? (uint64_t)pages * page / 4
                                             : UINT64_C(1) << 30,
        .threads = cores > 0 ? (unsigned)cores : 1,
        .format = FRAME_FORMAT_RGBA8, /* what every 0.1 reader takes */
    };
}

/* --format: "native" or any name of the library's table. */
static int take_format(const char *arg, struct options *o)
{
    if (strcasecmp(arg, "native") == 0) {
        o->format = FORMAT_NATIVE;
        return -1;
    }
    if ((o->format = frame_format_lookup(arg)))
        return -1;
    char names[256] = "";
    size_t len = 0;
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        const struct frame_format_desc *d = frame_format_desc(f);
        int n =
            snprintf(names + len, sizeof(names) - len, "%s, ", d->short_name);
        if (n < 0 || (size_t)n >= sizeof(names) - len)
            break;
        len += (size_t)n;
    }
    return cli_bad_usage(msg_prog(), NULL,
                         "invalid format '%s' (%snative, or a GStreamer or "
                         "ffmpeg name of one)",
                         arg, names);
}

/* One option with its value. Returns -1 to go on, or the exit status. */
static int take(int c, const char *arg, struct options *o)
{
    const char *prog = msg_prog();
    uint64_t v;
    switch (c) {
    case 'n':
        if (cli_segment_name(prog, arg))
            return 2;
        o->name = arg;
        break;
    case 'r':
        /* Below one frame in 1000 s the period would not fit in int64
         * nanoseconds for long; 0 means unpaced. */
        if (!cli_parse_double(arg, 0, 100000, &o->fps) ||
            (o->fps > 0 && o->fps < 0.001))
            return cli_bad_usage(prog, NULL,
                                 "invalid frame rate '%s' (0, or "
                                 "0.001..100000)",
                                 arg);
        break;
    case 'l':
        o->loop = true;
        break;
    case '1':
        o->loop = false;
        break;
    case 'c':
        if (!cli_parse_u64(arg, 1, UINT64_MAX, 0, &o->count))
            return cli_bad_usage(prog, NULL, "invalid frame count '%s'", arg);
        break;
    case 's':
        if (!cli_parse_u64(arg, 2, FRAME_MAX_SLOTS, 0, &v))
            return cli_bad_usage(prog, NULL, "invalid slot count '%s' (2..8)",
                                 arg);
        o->slots = (uint32_t)v;
        break;
    case 'm':
        if (!cli_parse_size(arg, PNG_LOAD_MAX_DIM, &o->max_w, &o->max_h))
            return cli_bad_usage(prog, NULL,
                                 "invalid size '%s' (WxH, up to "
                                 "16384x16384)",
                                 arg);
        break;
    case 'f':
        return take_format(arg, o);
    case OPT_CACHE:
        o->cache = 1;
        break;
    case OPT_NO_CACHE:
        o->cache = -1;
        break;
    case OPT_CACHE_LIMIT:
        if (!cli_parse_u64(arg, 0, UINT64_MAX, CLI_SUFFIXES, &o->cache_limit))
            return cli_bad_usage(prog, NULL, "invalid cache limit '%s'", arg);
        break;
    case 'j':
        if (!cli_parse_u64(arg, 1, 256, 0, &v))
            return cli_bad_usage(prog, NULL,
                                 "invalid thread count '%s' "
                                 "(1..256)",
                                 arg);
        o->threads = (unsigned)v;
        break;
    case 'w':
        o->watch_dir = arg;
        break;
    case OPT_STATS:
        o->stats = true;
        break;
    case 'q':
        o->quiet = true;
        break;
    case 'h':
        usage();
        return 0;
    case 'V':
        printf("%s (libframe) %s\n", prog, frame_version_string());
        return 0;
    }
    return -1;
}

int options_parse(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'},
        {"fps", required_argument, NULL, 'r'},
        {"loop", no_argument, NULL, 'l'},
        {"once", no_argument, NULL, '1'},
        {"count", required_argument, NULL, 'c'},
        {"slots", required_argument, NULL, 's'},
        {"max-size", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'f'},
        {"cache", no_argument, NULL, OPT_CACHE},
        {"no-cache", no_argument, NULL, OPT_NO_CACHE},
        {"cache-limit", required_argument, NULL, OPT_CACHE_LIMIT},
        {"threads", required_argument, NULL, 'j'},
        {"watch", required_argument, NULL, 'w'},
        {"stats", no_argument, NULL, OPT_STATS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    defaults(o);
    opterr = 0; /* cli_option_error() says it, in every program's words */
    int c;
    while ((c = getopt_long(argc, argv, ":n:r:l1c:s:m:f:j:w:qhV", longopts,
                            NULL)) != -1) {
        if (c == '?' || c == ':')
            return cli_option_error(msg_prog(), NULL, c, argv);
        int status = take(c, optarg, o);
        if (status >= 0)
            return status;
    }
    o->paths = argv + optind;
    o->npaths = argc - optind;
    if (o->npaths == 0 && !o->watch_dir)
        return cli_bad_usage(msg_prog(), NULL,
                             "no input: give PNG files or "
                             "directories");
    return -1;
}
