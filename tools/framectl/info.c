/* framectl info: one segment's validated header, as text or JSON. */
#include "cli.h"
#include "framectl.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

static void print_text(const struct frame_info *i, int64_t age)
{
    char size[32], when[64], ago[32];
    format_bytes(i->segment_size, size, sizeof(size));
    time_t secs = (time_t)(i->writer_start_ns / 1000000000);
    struct tm tm;
    if (!localtime_r(&secs, &tm) ||
        !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %z", &tm))
        snprintf(when, sizeof(when), "?");
    printf("name:            ");
    put_quoted(stdout, i->name);
    putchar('\n');
    printf("segment size:    %" PRIu64 " bytes (%s)\n", i->segment_size, size);
    printf("slots:           %u of %" PRIu64 " bytes\n", i->slot_count,
           i->slot_capacity);
    printf("slots held:      %u (frames readers hold now)\n", i->slots_held);
    printf("max frame size:  %ux%u\n", i->max_width, i->max_height);
    printf("pixel format:    %s (what slots are sized for)\n",
           format_word(i->pixel_format));
    printf("state:           %s\n", state_word(i->state));
    printf("writer pid:      %d\n", (int)i->writer_pid);
    printf("writer alive:    %s\n", i->writer_alive ? "yes" : "no");
    printf("writer started:  %s\n", when);
    printf("session id:      %016" PRIx64 "\n", i->session_id);
    printf("publish count:   %" PRIu64 "\n", i->publish_count);
    if (i->latest_frame_no) {
        format_age(age, ago, sizeof(ago));
        printf("latest frame:    %" PRIu64 ", %ux%u %s, %s ago\n",
               i->latest_frame_no, i->latest_width, i->latest_height,
               format_word(i->latest_format), ago);
    } else {
        printf("latest frame:    none yet\n");
    }
    format_age(i->heartbeat_age_ns, ago, sizeof(ago));
    printf("last heartbeat:  %s ago\n", ago);
}

static void print_json(const struct frame_info *i, int64_t age)
{
    printf("{\n  \"name\": ");
    /* Segment names are [A-Za-z0-9._-], but the JSON stays valid
     * whatever reaches here. */
    put_json_string(stdout, i->name);
    printf(",\n  \"segment_size\": %" PRIu64 ",\n", i->segment_size);
    printf("  \"slot_count\": %u,\n", i->slot_count);
    printf("  \"slots_held\": %u,\n", i->slots_held);
    printf("  \"slot_capacity\": %" PRIu64 ",\n", i->slot_capacity);
    printf("  \"max_width\": %u,\n", i->max_width);
    printf("  \"max_height\": %u,\n", i->max_height);
    printf("  \"format\": \"%s\",\n", format_word(i->pixel_format));
    printf("  \"state\": \"%s\",\n", state_word(i->state));
    printf("  \"writer_pid\": %d,\n", (int)i->writer_pid);
    printf("  \"writer_alive\": %s,\n", i->writer_alive ? "true" : "false");
    printf("  \"writer_start_ns\": %" PRId64 ",\n", i->writer_start_ns);
    /* 64 random bits do not survive a double: a string. */
    printf("  \"session_id\": \"%016" PRIx64 "\",\n", i->session_id);
    printf("  \"publish_count\": %" PRIu64 ",\n", i->publish_count);
    printf("  \"latest_frame_no\": %" PRIu64 ",\n", i->latest_frame_no);
    printf("  \"latest_width\": %u,\n", i->latest_width);
    printf("  \"latest_height\": %u,\n", i->latest_height);
    if (i->latest_frame_no)
        printf("  \"latest_format\": \"%s\",\n", format_word(i->latest_format));
    else
        printf("  \"latest_format\": null,\n");
    printf("  \"latest_timestamp_ns\": %" PRId64 ",\n", i->latest_timestamp_ns);
    if (i->latest_frame_no)
        printf("  \"latest_age_ns\": %" PRId64 ",\n", age);
    else
        printf("  \"latest_age_ns\": null,\n");
    printf("  \"heartbeat_age_ns\": %" PRId64 "\n}\n", i->heartbeat_age_ns);
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    int c;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            json = true;
            break;
        case 'h':
            return -1;
        default:
            return cli_option_error(PROG, "info", c, argv);
        }
    }
    if (optind >= argc)
        return cli_bad_usage(PROG, "info",
                             "which segment? (framectl info "
                             "NAME)");
    if (optind + 1 < argc)
        return cli_bad_usage(PROG, "info", "unexpected argument '%s'",
                             quoted(argv[optind + 1]));
    const char *name = argv[optind];
    int status = check_name_arg("info", name);
    if (status)
        return status;

    struct frame_info info;
    int rc = frame_segment_info(name, &info);
    if (rc) {
        complain("info", name, "%s", segment_words(name, rc));
        return EXIT_FAIL;
    }
    int64_t age = age_ns(now_ns(), info.latest_timestamp_ns);
    if (json)
        print_json(&info, age);
    else
        print_text(&info, age);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
