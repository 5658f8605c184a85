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
"                         largest and latest frame size, writer pid, whether\n"
"                         the writer is alive, its state, frames published,\n"
"                         current frame rate (measured over 200 ms when a\n"
"                         writer is alive; \"<5\": no frame meanwhile) and\n"
"                         age of the last frame; other objects named\n"
"                         " FRAME_OBJECT_PREFIX "* are shown as not ours and left alone;\n"
"                         names are quoted (\\n, \\e, \\\\, \\ooo octal for\n"
"                         other bytes, space and >= 0x80 included)\n"
"  info NAME [--json]     the segment's whole validated header\n"
"  clean [-n] [NAME]...   remove the segments whose writer is gone (killed\n"
"                         without closing), and the unfinished NAME~PID\n"
"                         objects older writers (before 0.2) left when they\n"
"                         died starting, once unlocked for a minute;\n"
"                         live segments and other objects are never removed.\n"
"                         With NAMEs, only those are considered.\n"
"  dump NAME [-c N] [-o FILE|-] [-w] [-f]\n"
"                         write each published frame once as raw RGBA\n"
"                         (tightly packed rows) until N frames are written,\n"
"                         the writer stops, or SIGINT/SIGTERM\n"
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
"                         and record on, as long as its frames keep the size\n""  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"dump first prints the frame size on standard error, alone on a line:\n"
"\"WxH\", or \"WxH @ F fps\" when the writer's rate shows within a second, so\n"
"  " PROG " dump demo -o - | ffmpeg -f rawvideo -pixel_format rgba \\\n"
"      -video_size WxH -framerate F -i - out.mp4\n"
"records a stream. The size may not change during a dump (raw video has one\n"
"size), not even with --follow's next writer: if it does, dump stops with an\n"
"error. Every other line on standard error starts with \"framectl:\"\n"
"(waiting, a writer gone or new, a segment that cannot be read: each said\n"
"once). Frames published faster than the output takes them are skipped,\n"
"and counted. A closed pipe ends quietly.\n"
"\n"
"info --json prints one object with these keys: name (string),\n"
"segment_size, slot_count, slot_capacity (bytes a slot), max_width,\n"
"max_height, format (\"RGBA8\"), state (\"running\", \"paused\",\n"
"\"closed\" or \"unknown\"), writer_pid, writer_alive (boolean),\n"
"writer_start_ns (CLOCK_REALTIME), session_id (16 hex digits, a string),\n"
"publish_count (publishes and state changes), latest_frame_no (0: none\n"
"yet), latest_width, latest_height, latest_timestamp_ns (CLOCK_MONOTONIC\n"
"of its publish), latest_age_ns (null when there is no frame),\n"
"heartbeat_age_ns.\n"
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
