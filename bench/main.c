/* framebench: libframe side by side with what users would pick instead. */
#include "bench.h"
#include "cli.h"
#include "machine.h"
#include "msg.h"
#include "plan.h"
#include "procs.h"
#include "report.h"
#include "stop.h"
#include "t_python.h"

#include <libframe/frame.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The help text is laid out in the source as it prints. */
/* clang-format off */
static void usage(FILE *to)
{
    fprintf(to,
"Usage: %s [OPTION]...\n"
"Measure libframe against a pipe, a Unix socket, memcpy and (optionally)\n"
"GStreamer, with real writer and reader processes; then the producer's PNG\n"
"decode path against a plain libpng loop. Prints the machine, a table of\n"
"median (min-max) figures over the repetitions, and every ratio with its\n"
"target.\n"
"\n"
"  -r, --repetitions N    measured repetitions (default 5)\n"
"  -w, --warmup N         warm-up repetitions, discarded (default 1)\n"
"  -d, --duration SECS    measured time of each run (default 1)\n"
"      --warm-seconds S   discarded start of each run (default 0.25)\n"
"  -s, --slots N          libframe segment slots, 2..8 (default 3, the\n"
"                         library's)\n"
"      --full-slots N     also measure full readers with N slots when it\n"
"                         differs from -s (default 3,\n"
"                         what docs/design.md advises for them; 0: don't)\n"
"      --pipe-size BYTES  F_SETPIPE_SZ request (default: pipe-max-size)\n"
"      --with-gstreamer   also measure GStreamer shmsink -> shmsrc\n"
"      --png-dir DIR      photo-like PNGs to decode (default: made by\n"
"                         make-samples --photo in a temporary directory)\n"
"      --png-files N      how many to make (default 10)\n"
"      --producer PATH    the producer to run (default: found next to us,\n"
"                         in the build tree, or in $PATH)\n"
"      --make-samples PATH  likewise for make-samples\n"
"      --only LIST        sections to run, comma-separated: transport,\n"
"                         readers, wake, png, leases, render, python,\n"
"                         gstreamer (default: all; python and gstreamer\n"
"                         not with --quick)\n"
"  -j, --json FILE        write every figure as JSON\n"
"  -p, --plot DIR         write PNG charts into DIR (needs gnuplot)\n"
"      --quick            one short repetition: a smoke test, not figures\n"
"      --list-rows        print the rows these options would measure, one\n"
"                         a line, and exit: nothing is run\n"
"  -q, --quiet            no progress on stderr\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Run it on a quiet machine: other load lowers and widens every figure.\n"
"Exit status: 0 done (targets missed or not), 1 a run could not be\n"
"made or an output not written, 2 bad usage.\n", msg_prog());
}
/* clang-format on */

static bool parse_sections(const char *s, unsigned *out)
{
    static const char *const names[SEC_COUNT] = {
        "transport", "readers", "wake",   "png",
        "leases",    "render",  "python", "gstreamer"};
    *out = 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        int k = 0;
        while (k < SEC_COUNT &&
               (strlen(names[k]) != n || strncmp(names[k], s, n)))
            k++;
        if (k == SEC_COUNT)
            return false;
        *out |= 1u << k;
        s += n + (s[n] == ',');
    }
    return *out != 0;
}

/* Returns -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct opts *o)
{
    enum {
        O_WARM = 256,
        O_PIPE,
        O_GST,
        O_PNG_DIR,
        O_PNG_FILES,
        O_PRODUCER,
        O_MAKE_SAMPLES,
        O_ONLY,
        O_QUICK,
        O_FULL_SLOTS,
        O_LIST_ROWS
    };
    static const struct option longopts[] = {
        {"repetitions", required_argument, NULL, 'r'},
        {"warmup", required_argument, NULL, 'w'},
        {"duration", required_argument, NULL, 'd'},
        {"warm-seconds", required_argument, NULL, O_WARM},
        {"slots", required_argument, NULL, 's'},
        {"full-slots", required_argument, NULL, O_FULL_SLOTS},
        {"pipe-size", required_argument, NULL, O_PIPE},
        {"with-gstreamer", no_argument, NULL, O_GST},
        {"png-dir", required_argument, NULL, O_PNG_DIR},
        {"png-files", required_argument, NULL, O_PNG_FILES},
        {"producer", required_argument, NULL, O_PRODUCER},
        {"make-samples", required_argument, NULL, O_MAKE_SAMPLES},
        {"only", required_argument, NULL, O_ONLY},
        {"json", required_argument, NULL, 'j'},
        {"plot", required_argument, NULL, 'p'},
        {"quick", no_argument, NULL, O_QUICK},
        {"list-rows", no_argument, NULL, O_LIST_ROWS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    /* Negative: not given, so --quick may choose. */
    long reps = -1, warmup = -1, slots = 3, full_slots = 3, files = -1;
    long pipe = -1;
    double run_s = -1, warm_s = -1;
    *o = (struct opts){.sections = (1u << SEC_COUNT) - 1};
    const char *prog = msg_prog();
    int c;
    opterr = 0; /* cli_option_error() says it, in every program's words */
    while ((c = getopt_long(argc, argv, ":r:w:d:s:j:p:qhV", longopts, NULL)) !=
           -1) {
        switch (c) {
        case 'r':
            if (!cli_parse_long(optarg, 1, 1000, &reps))
                return cli_bad_usage(prog, NULL,
                                     "invalid repetitions '%s' "
                                     "(1..1000)",
                                     optarg);
            break;
        case 'w':
            if (!cli_parse_long(optarg, 0, 100, &warmup))
                return cli_bad_usage(prog, NULL,
                                     "invalid warm-up count '%s' "
                                     "(0..100)",
                                     optarg);
            break;
        case 'd':
            if (!cli_parse_double(optarg, 0.05, 3600, &run_s))
                return cli_bad_usage(prog, NULL,
                                     "invalid duration '%s' "
                                     "(0.05..3600 s)",
                                     optarg);
            break;
        case O_WARM:
            if (!cli_parse_double(optarg, 0, 3600, &warm_s))
                return cli_bad_usage(prog, NULL,
                                     "invalid warm-up time '%s' "
                                     "(0..3600 s)",
                                     optarg);
            break;
        case 's':
            if (!cli_parse_long(optarg, 2, FRAME_MAX_SLOTS, &slots))
                return cli_bad_usage(prog, NULL,
                                     "invalid slot count '%s' "
                                     "(2..%d)",
                                     optarg, FRAME_MAX_SLOTS);
            break;
        case O_FULL_SLOTS:
            if (!cli_parse_long(optarg, 0, FRAME_MAX_SLOTS, &full_slots) ||
                full_slots == 1)
                return cli_bad_usage(prog, NULL,
                                     "invalid slot count '%s' "
                                     "(0, or 2..%d)",
                                     optarg, FRAME_MAX_SLOTS);
            break;
        case O_PIPE:
            if (!cli_parse_long(optarg, 4096, 1L << 30, &pipe))
                return cli_bad_usage(prog, NULL,
                                     "invalid pipe size '%s' "
                                     "(4096..1 GiB)",
                                     optarg);
            break;
        case O_GST:
            o->with_gst = true;
            break;
        case O_PNG_DIR:
            o->png_dir = optarg;
            break;
        case O_PNG_FILES:
            if (!cli_parse_long(optarg, 1, 1000, &files))
                return cli_bad_usage(prog, NULL,
                                     "invalid file count '%s' "
                                     "(1..1000)",
                                     optarg);
            break;
        case O_PRODUCER:
            o->producer = optarg;
            break;
        case O_MAKE_SAMPLES:
            o->make_samples = optarg;
            break;
        case O_ONLY:
            if (!parse_sections(optarg, &o->sections))
                return cli_bad_usage(prog, NULL,
                                     "invalid section list '%s' "
                                     "(transport, readers, wake, png, "
                                     "leases, render)",
                                     optarg);
            break;
        case 'j':
            o->json_path = optarg;
            break;
        case 'p':
            o->plot_dir = optarg;
            break;
        case O_QUICK:
            o->quick = true;
            break;
        case O_LIST_ROWS:
            o->list_rows = true;
            break;
        case 'q':
            o->quiet = true;
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
    o->reps = reps > 0 ? (int)reps : o->quick ? 1 : 5;
    o->warmup_reps = warmup >= 0 ? (int)warmup : o->quick ? 0 : 1;
    o->run_s = run_s > 0 ? run_s : o->quick ? 0.15 : 1.0;
    o->warm_s = warm_s >= 0 ? warm_s : o->quick ? 0.05 : 0.25;
    o->png_files = files > 0 ? (unsigned)files : o->quick ? 2 : 10;
    o->slots = (uint32_t)slots;
    o->full_slots = (uint32_t)full_slots;
    o->pipe_bytes = pipe > 0 ? (size_t)pipe : pipe_max_bytes();
    return -1;
}

/* Rows that could not be measured in any repetition. */
static int unmeasured(const struct plan *p)
{
    int n = 0;
    for (int i = 0; i < p->nrows; i++) {
        const char *why;
        const struct row *r = &p->rows[i];
        if (row_failures(r, p->reps, &why) == p->reps) {
            msg_error("%s %s %ux%u: %s", r->transport, r->work, r->width,
                      r->height, why);
            n++;
        }
    }
    return n;
}

/* --list-rows: the plan's rows, with nothing probed or run. */
static int list_rows(const struct opts *o)
{
    struct plan p;
    int rc = plan_build_rows(&p, o);
    if (rc == 0) {
        plan_ratios(&p, o);
        plan_list(stdout, &p);
    }
    plan_free(&p);
    if (rc || fflush(stdout) != 0 || ferror(stdout)) {
        msg_error(rc ? "out of memory" : "standard output: write error");
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    msg_set_prog("framebench");
    struct opts o;
    int status = parse_options(argc, argv, &o);
    if (status >= 0)
        return status;
    if (o.list_rows)
        return list_rows(&o);
    stop_signals_install(); /* a dead reader is an error, not a death */
    int rc = procs_init();
    if (rc) {
        msg_error_rc(rc, "shared memory for results");
        return 1;
    }
    struct plan p;
    if (plan_build(&p, &o)) {
        msg_error("out of memory");
        plan_free(&p);
        return 1;
    }
    if (plan_run(&p, &o)) {
        msg_error("interrupted");
        plan_free(&p);
        return 1;
    }
    plan_ratios(&p, &o);
    report_table(stdout, &p, &o);
    fflush(stdout);
    status = unmeasured(&p) ? 1 : 0;
    /* Its own processes and its own figures: after ours, never with
     * --quick (the smoke test of sanitized builds cannot load the
     * module into an uninstrumented python3). */
    if ((o.sections & 1u << SEC_PYTHON) && !o.quick && python_rows(stdout, &o))
        status = 1;
    if (o.json_path && (rc = report_json(o.json_path, &p, &o))) {
        msg_error_rc(rc, "%s", o.json_path);
        status = 1;
    }
    if (o.plot_dir && (rc = report_plot(o.plot_dir, &p))) {
        if (rc == -ENOENT)
            msg_error("%s: gnuplot is not installed; data and script "
                      "written, no charts",
                      o.plot_dir);
        else
            msg_error_rc(rc, "%s", o.plot_dir);
        status = rc == -ENOENT ? status : 1;
    }
    plan_free(&p);
    return status;
}
