/* The viewer's command line: --help, --version and the options, checked
 * as strictly as every program's (common/cli.h). */
#include "options.h"

#include "cli.h"
#include "msg.h"

#include <libframe/frame.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* The help text is laid out in the source as it prints. */
/* clang-format off */
static void usage(FILE *to)
{
    fprintf(to, "Usage: %s [OPTION]... [NAME]...\n", msg_prog());
    fputs(
"Show the newest frame of the libframe segment " FRAME_SHM_DIR "/"
FRAME_OBJECT_PREFIX "NAME in a\n"
"window, or read frames without one. Starts in any order with the producer\n"
"and follows it when it stops, dies or restarts. Several NAMEs are shown\n"
"side by side in one window, each tile following its own producer.\n"
"\n"
"  -n, --name NAME        a segment to show, as a NAME argument does (default:\n"
"                         default, when no NAME is given)\n"
"  -a, --all              every live segment, and each new one as it appears;\n"
"                         a tile whose producer is gone and whose name was\n"
"                         removed is dropped\n"
"  -H, --headless         no window: copy each frame as it arrives (also,\n"
"                         with --stats, when there is no display)\n"
"  -c, --frames N         exit after showing N frames (of every segment)\n"
"  -t, --seconds S        exit S seconds after start\n"
"  -o, --snapshot FILE    on exit, write the last frame shown to FILE: a PNG\n"
"                         of its own size, samples and depth (GRAY16_LE and\n"
"                         RGBA64_LE 16-bit; BGRA as RGBA, I420 and NV12 as\n"
"                         RGB converted by libframe). With several segments,\n"
"                         one PNG each: a %s in FILE is the segment's name,\n"
"                         else FILE's stem, '-' and the name: shot.png ->\n"
"                         shot-NAME.png\n"
"  -w, --wait S           exit 1 if a segment has no producer within S seconds\n"
"                         of start (with --all: if none is there; default:\n"
"                         wait forever, and headless mode says once that it\n"
"                         is waiting)\n"
"      --vsync            present in step with the display (default)\n"
"      --no-vsync         present as soon as a frame arrives\n"
"  -f, --fullscreen       start fullscreen\n"
"  -s, --stats            a line every second on stdout: frames shown per\n"
"                         second, producer rate, latency from publish to\n"
"                         present (median, 99th percentile), frames skipped,\n"
"                         torn reads retried; with several segments one line\n"
"                         each, after its name and ': '\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Keys: q or Esc quit, f fullscreen, s save a snapshot of every tile in the\n"
"current directory, h heads-up display and graphs, p pixel probe, Tab next\n"
"tile; on the tile under the mouse (or the one Tab chose, framed): space\n"
"pause, 0 fit, 1 native size. Mouse: the wheel zooms around the cursor,\n"
"dragging pans.\n"
"\n"
"Every pixel format of libframe is shown; GRAY8 and the 16-bit formats are\n"
"converted to 8-bit RGBA for display (the heads-up display says so).\n"
"\n"
"Exit status: 0 success, 1 runtime failure, 2 bad usage.\n", to);
}
/* clang-format on */

/* One more segment to show; a name given twice is shown once. Nonzero
 * (said) if it is not a name or there are too many. */
static int add_name(struct options *o, const char *prog, const char *name)
{
    if (cli_segment_name(prog, name))
        return 2;
    for (int i = 0; i < o->n_names; i++)
        if (strcmp(o->names[i], name) == 0)
            return 0;
    if (o->n_names == OPTIONS_MAX_NAMES)
        return cli_bad_usage(prog, NULL, "more than %d segments named",
                             OPTIONS_MAX_NAMES);
    o->names[o->n_names++] = name;
    return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
    enum { OPT_VSYNC = 256, OPT_NO_VSYNC };
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'},
        {"all", no_argument, NULL, 'a'},
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
    *o = (struct options){.wait = -1, .vsync = true};
    /* Our own messages, named as every message is rather than argv[0]. */
    const char *prog = msg_prog();
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":n:aHc:t:o:w:fshV", longopts, NULL)) !=
           -1) {
        switch (c) {
        case 'n':
            if (add_name(o, prog, optarg))
                return 2;
            break;
        case 'a':
            o->all = true;
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
    for (; optind < argc; optind++)
        if (add_name(o, prog, argv[optind]))
            return 2;
    if (o->n_names == 0 && !o->all)
        o->names[o->n_names++] = "default";
    return -1;
}
