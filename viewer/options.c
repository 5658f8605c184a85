/* The viewer's command line: --help, --version and the options, checked
 * as strictly as every program's (common/cli.h). */
#include "options.h"

#include "cli.h"
#include "msg.h"

#include <libframe/frame.h>

#include <getopt.h>
#include <stdio.h>

/* The help text is laid out in the source as it prints. */
/* clang-format off */
static void usage(FILE *to)
{
    fprintf(to, "Usage: %s [OPTION]...\n", msg_prog());
    fputs(
"Show the newest frame of the libframe segment " FRAME_SHM_DIR "/"
FRAME_OBJECT_PREFIX "NAME in a\n"
"window, or read frames without one. Starts in any order with the producer\n"
"and follows it when it stops, dies or restarts.\n"
"\n"
"  -n, --name NAME        segment name (default: default)\n"
"  -H, --headless         no window: copy each frame as it arrives\n"
"  -c, --frames N         exit after showing N frames\n"
"  -t, --seconds S        exit S seconds after start\n"
"  -o, --snapshot FILE    on exit, write the last frame shown to FILE: a PNG\n"
"                         of its own size, samples and depth (GRAY16_LE and\n"
"                         RGBA64_LE 16-bit; BGRA as RGBA, I420 and NV12 as\n"
"                         RGB converted by libframe)\n"
"  -w, --wait S           exit 1 if no producer appears within S seconds of\n"
"                         start (default: wait forever, and headless mode\n"
"                         says once that it is waiting)\n"
"      --vsync            present in step with the display (default)\n"
"      --no-vsync         present as soon as a frame arrives\n"
"  -f, --fullscreen       start fullscreen\n"
"  -s, --stats            a line every second on stdout: frames shown per\n"
"                         second, producer rate, latency from publish to\n"
"                         present (median, 99th percentile), frames skipped,\n"
"                         torn reads retried\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Keys: q or Esc quit, space pause, f fullscreen, s save a snapshot in the\n"
"current directory, h heads-up display, 1 native size.\n""\n"
"Every pixel format of libframe is shown; GRAY8 and the 16-bit formats are\n"
"converted to 8-bit RGBA for display (the heads-up display says so).\n"
"\n"
"Exit status: 0 success, 1 runtime failure, 2 bad usage.\n", to);
}
/* clang-format on */

int options_parse(int argc, char **argv, struct options *o)
{
    enum { OPT_VSYNC = 256, OPT_NO_VSYNC };
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'},
        {"headless", no_argument, NULL, 'H'},
        {"frames", required_argument, NULL, 'c'},
        {"seconds", required_argument, NULL, 't'},
        {"snapshot", required_argument, NULL, 'o'},
        {"wait", required_argument, NULL, 'w'},
        {"vsync", no_argument, NULL, OPT_VSYNC},
        {"no-vsync", no_argument, NULL, OPT_NO_VSYNC},
        {"fullscreen", no_argument, NULL, 'f'},
        {"stats", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct options){.name = "default", .wait = -1, .vsync = true};
    /* Our own messages, named as every message is rather than argv[0]. */
    const char *prog = msg_prog();
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":n:Hc:t:o:w:fshV", longopts, NULL)) !=
           -1) {
        switch (c) {
        case 'n':
            if (cli_segment_name(prog, optarg))
                return 2;
            o->name = optarg;
            break;
        case 'H':
            o->headless = true;
            break;
        case 'c':
            if (!cli_parse_u64(optarg, 1, UINT64_MAX, 0, &o->frames))
                return cli_bad_usage(prog, NULL, "invalid frame count '%s'",
                                     optarg);
            break;
        case 't':
            /* 0 would mean no limit: --seconds 0 is refused, not ignored. */
            if (!cli_parse_double(optarg, 0, 1e7, &o->seconds) ||
                o->seconds == 0)
                return cli_bad_usage(prog, NULL,
                                     "invalid number of seconds "
                                     "'%s'",
                                     optarg);
            break;
        case 'o':
            if (!*optarg)
                return cli_bad_usage(prog, NULL, "empty snapshot file name");
            o->snapshot = optarg;
            break;
        case 'w':
            if (!cli_parse_double(optarg, 0, 1e7, &o->wait))
                return cli_bad_usage(prog, NULL,
                                     "invalid wait '%s' "
                                     "(seconds)",
                                     optarg);
            break;
        case OPT_VSYNC:
            o->vsync = true;
            break;
        case OPT_NO_VSYNC:
            o->vsync = false;
            break;
        case 'f':
            o->fullscreen = true;
            break;
        case 's':
            o->stats = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("%s (libframe) %s\n", prog, frame_version_string());
            return 0;
        default:
            return cli_option_error(prog, NULL, c, argv);
        }
    }
    if (optind < argc)
        return cli_bad_usage(prog, NULL, "unexpected argument '%s'",
                             argv[optind]);
    return -1;
}
