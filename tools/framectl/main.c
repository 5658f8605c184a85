/* framectl: list, inspect, clean up and record libframe segments. */
#include "cli.h"
#include "framectl.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* The help text is laid out in the source as it prints. */
/* clang-format off */
static void usage(FILE *to)
{
    fprintf(to,
"Usage: " PROG " [--help | --version] COMMAND [OPTION]... [ARG]...\n"
"Inspect and clean up the libframe segments in " FRAME_SHM_DIR ", and record\n"
"what a writer publishes.\n"
"\n"
"Commands:\n"
"  list                   every libframe segment: name, size, slot count,\n"
"                         largest and latest frame size, the latest frame's\n"
"                         pixel format, writer pid, whether the writer is\n"
"                         alive, its state, frames published,\n"
"                         current frame rate (measured over 200 ms when a\n"
"                         writer is alive; \"<5\": no frame meanwhile) and\n"
"                         age of the last frame; other objects named\n"
"                         " FRAME_OBJECT_PREFIX "* are shown as not ours and left alone;\n"
"                         names are quoted (\\n, \\e, \\\\, \\ooo octal for\n"
"                         other bytes, space and >= 0x80 included)\n"
"  info NAME [--json]     the segment's whole validated header, with the\n"
"                         pixel format its slots are sized for and the\n"
"                         latest frame's\n"
"  clean [-n] [NAME]...   remove the segments whose writer is gone (killed\n"
"                         without closing), and the unfinished NAME~PID\n"
"                         objects older writers (before 0.2) left when they\n"
"                         died starting, once unlocked for a minute;\n"
"                         live segments and other objects are never removed.\n"
"                         With NAMEs, only those are considered.\n"
"  dump NAME [-c N] [-o FILE|-] [-w] [-f] [--format F]\n"
"                         write each published frame once as raw video of\n"
"                         its own pixel format (ffmpeg's rawvideo: planes in\n"
"                         order, tightly packed rows) until N frames are\n"
"                         written, the writer stops, or SIGINT/SIGTERM\n"
"\n"
"Options:\n"
"  -j, --json             info: print JSON instead of text\n"
"  -n, --dry-run          clean: say what would be removed, remove nothing\n"
"  -c, --count N          dump: stop after N frames\n"
"  -o, --output FILE      dump: write to FILE; '-' or none: standard output\n"
"                         (never a terminal)\n"
"  -w, --wait             dump: wait for a writer to publish a first frame\n"
"                         when there is none yet (no segment, a dead\n"
"                         writer's, or one that cannot be read)\n"
"  -f, --follow           dump: when the writer stops or dies, or the\n"
"                         segment cannot be read, wait for the next writer\n"
"                         and record on, as long as its frames keep the size\n"
"                         and pixel format\n"
"      --format F         dump: convert every frame to pixel format F, as\n"
"                         libframe converts (16 to 8 bits by the high byte,\n"
"                         YUV as BT.601 limited range)\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n");
    /* From the library's table: the one list of formats there is. */
    fprintf(to,
"Pixel formats (GStreamer's name, shown everywhere; --format also takes\n"
"the short or ffmpeg's name, in any case):\n");
    for (uint32_t f = 1; f <= FRAME_FORMAT_MAX; f++) {
        const struct frame_format_desc *d = frame_format_desc(f);
        if (d)
            fprintf(to, "  %-10s %-8s ffmpeg %s\n", d->name, d->short_name,
                    d->ffmpeg);
    }
    fprintf(to,
"\n"
"dump first prints the stream on standard error, on one line: size, pixel\n"
"format, the writer's rate when it shows within a second, and ffmpeg's\n"
"input options for it:\n"
"  640x480 GRAY16_LE @ 30 fps: ffmpeg -f rawvideo -pixel_format gray16le\n"
"  -video_size 640x480 -framerate 30 -i -\n"
"(\"WxH FORMAT: ffmpeg ...\" without a rate), so\n"
"  " PROG " dump demo -o - | ffmpeg -f rawvideo -pixel_format gray16le \\\n"
"      -video_size WxH -framerate F -i - -c:v ffv1 out.mkv\n"
"records a stream of any format. Size and format may not change during a\n"
"dump (raw video has one of each), not even with --follow's next writer:\n"
"if they do, dump stops with an error (--format F fixes the format: every\n"
"frame is converted to F). Every other line on standard error starts with\n"
"\"framectl:\" (waiting, a writer gone or new, a segment that cannot be\n"
"read: each said once). Frames published faster than the output takes\n"
"them are skipped, and counted. A closed pipe ends quietly.\n"
"\n");
    fprintf(to,
"info --json prints one object with these keys: name (string),\n"
"segment_size, slot_count, slot_capacity (bytes a slot), max_width,\n"
"max_height, format (the pixel format slots are sized for, by GStreamer's\n"
"name: \"RGBA\", \"GRAY16_LE\", \"I420\", ...), state (\"running\", \"paused\",\n"
"\"closed\" or \"unknown\"), writer_pid, writer_alive (boolean),\n"
"writer_start_ns (CLOCK_REALTIME), session_id (16 hex digits, a string),\n"
"publish_count (publishes and state changes), latest_frame_no (0: none\n"
"yet), latest_width, latest_height, latest_format (null when there is no\n"
"frame), latest_timestamp_ns (CLOCK_MONOTONIC of its publish),\n"
"latest_age_ns (null when there is no frame), heartbeat_age_ns.\n"
"\n"
"Exit status: 0 success, 1 runtime failure, 2 bad usage.\n");
}
/* clang-format on */

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
    {"list", cmd_list},
    {"info", cmd_info},
    {"clean", cmd_clean},
    {"dump", cmd_dump},
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    /* '+': options after the command are the command's own. */
    while ((c = getopt_long(argc, argv, "+:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case 'V':
            printf(PROG " (libframe) %s\n", frame_version_string());
            return EXIT_OK;
        default:
            return cli_option_error(PROG, NULL, c, argv);
        }
    }
    if (optind >= argc)
        return cli_bad_usage(PROG, NULL,
                             "no command given (list, info, "
                             "clean, dump)");
    const char *name = argv[optind];
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(name, commands[i].name) != 0)
            continue;
        int status = commands[i].run(argc - optind, argv + optind);
        if (status < 0) { /* the command's --help */
            usage(stdout);
            status = EXIT_OK;
        }
        return status;
    }
    return cli_bad_usage(PROG, NULL,
                         "unknown command '%s' (list, info, "
                         "clean, dump)",
                         quoted(name));
}
