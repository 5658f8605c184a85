/* Hardening with real processes: valgrind clean, a full /dev/shm, and
 * fault injection (producers and readers killed at random, a segment
 * truncated or scribbled over under a running viewer). */
#include "proc.h"
#include "runner.h"
#include "viewer_stats.h"

#include "frame_internal.h"
#include "png_load.h"
#include "png_write.h"

#include <png.h>

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#if !defined(PRODUCER_PATH) || !defined(MAKE_SAMPLES_PATH)
#error "PRODUCER_PATH and MAKE_SAMPLES_PATH must name the programs"
#endif

#define READER_FRAMES_MIN 5 /* of the 30 published at 30 fps */

/* A few PNGs of different kinds (palette, 16-bit, interlaced, grey) and one
 * corrupt file, so the error path runs under valgrind too. */
static void make_inputs(const char *dir, char *inputs, size_t len)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "'%s' --test-images '%s/all' >/dev/null && "
             "'%s' --bad-images '%s/bad' >/dev/null && mkdir '%s/in' && "
             "cp '%s'/all/pal8-trns.png '%s'/all/rgba16.png "
             "'%s'/all/rgb8-adam7-37x23.png '%s'/all/gray2-key.png "
             "'%s'/bad/bad-crc.png '%s/in/'",
             MAKE_SAMPLES_PATH, dir, MAKE_SAMPLES_PATH, dir, dir, dir, dir, dir,
             dir, dir, dir);
    CHECK(system(cmd) == 0);
    snprintf(inputs, len, "%s/in", dir);
}

/* ---- the reader process -------------------------------------------------- */

/*
 * test_hardening --reader NAME READY_FD: attach as soon as NAME appears
 * (READY_FD gets a byte once we are looking), copy every frame until the
 * writer closes. Exit 0 if enough frames were read whole.
 */
static int reader_main(const char *name, int ready)
{
    frame_reader *r = NULL;
    uint8_t *buf = NULL;
    int status = 1;
    uint64_t frames = 0;
    if (write(ready, "r", 1) != 1)
        return 1;
    close(ready);
    int64_t until = now_ns() + 60000 * MS;
    int rc;
    while ((rc = frame_reader_open(name, &r)) == -ENOENT && now_ns() < until)
        usleep(2000);
    if (rc) {
        fprintf(stderr, "reader: open: %s\n", frame_strerror(rc));
        return 1;
    }
    struct frame_info info;
    if ((rc = frame_reader_info(r, &info)) ||
        !(buf = malloc(info.slot_capacity)))
        goto out;
    for (;;) {
        rc = frame_reader_wait(r, 60000); /* a hang guard */
        if (rc == FRAME_ECLOSED)
            break;
        if (rc)
            goto out;
        struct frame_view v;
        if ((rc = frame_reader_acquire(r, &v)))
            goto out;
        rc = frame_reader_copy(r, buf, (size_t)v.width * 4, info.slot_capacity,
                               &v);
        /* Overwritten meanwhile, or by a wider frame: take the next. */
        if (rc == FRAME_EBUSY || rc == -ENOSPC)
            continue;
        if (rc)
            goto out;
        frames++;
    }
    rc = 0;
    status = frames >= READER_FRAMES_MIN ? 0 : 2;
out:
    fprintf(stderr, "reader: %llu frame(s), last: %s\n",
            (unsigned long long)frames, frame_strerror(rc));
    free(buf);
    frame_reader_close(r);
    return status;
}

/* ---- cases --------------------------------------------------------------- */

/* Start argv[0] with stderr into log (if not NULL); stdout, and stderr
 * without a log, stay the test's. */
static pid_t start_logged(const char *log, const char *const *argv)
{
    return spawn(&(struct spawn_opts){.argv = argv,
                                      .err = log,
                                      .out_fd = STDOUT_FILENO,
                                      .err_fd = STDERR_FILENO});
}

static void valgrind_producer_reader(void)
{
#ifdef FRAME_SANITIZED
    fprintf(stderr, "skipped: valgrind cannot run sanitized programs; the "
                    "plain build runs this test\n");
    exit(SKIP);
#endif
    const char *vg = find_in_path("valgrind");
    if (!vg)
        fprintf(stderr, "valgrind is not installed (Debian: apt-get install "
                        "valgrind); this test needs it\n");
    CHECK(vg);
    const char *dir = scratch("hardening");
    char inputs[256], self[4096], name[FRAME_NAME_MAX + 1];
    char plog[300], rlog[300], pvg[300], rvg[300], pvgopt[320], rvgopt[320];
    make_inputs(dir, inputs, sizeof(inputs));
    snprintf(name, sizeof(name), "%s", test_name("valgrind"));
    snprintf(plog, sizeof(plog), "%s/producer.log", dir);
    snprintf(rlog, sizeof(rlog), "%s/reader.log", dir);
    snprintf(pvg, sizeof(pvg), "%s/producer.valgrind", dir);
    snprintf(rvg, sizeof(rvg), "%s/reader.valgrind", dir);
    snprintf(pvgopt, sizeof(pvgopt), "--log-file=%s", pvg);
    snprintf(rvgopt, sizeof(rvgopt), "--log-file=%s", rvg);
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    CHECK(n > 0);
    self[n] = 0;
    char producer_path[300];
    snprintf(producer_path, sizeof(producer_path), "%s", PRODUCER_PATH);
#ifdef OBJCOPY_PATH
    /* valgrind 3.19 gives up on clang 14's DWARF 5: run copies without
     * debug information (errors still show, with function names). */
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "'%s' --strip-debug '%s' '%s/producer' && "
             "'%s' --strip-debug '%s' '%s/reader'",
             OBJCOPY_PATH, PRODUCER_PATH, dir, OBJCOPY_PATH, self, dir);
    CHECK(system(cmd) == 0);
    snprintf(producer_path, sizeof(producer_path), "%s/producer", dir);
    snprintf(self, sizeof(self), "%s/reader", dir);
#endif

    /* The reader first: it is looking for the segment before it exists. */
    int ready[2];
    CHECK(pipe(ready) == 0);
    char fdarg[16];
    snprintf(fdarg, sizeof(fdarg), "%d", ready[1]);
    const char *rargv[] = {vg,
                           "--error-exitcode=1",
                           "--leak-check=full",
                           "--errors-for-leak-kinds=definite,indirect,possible",
                           rvgopt,
                           self,
                           "--reader",
                           name,
                           fdarg,
                           NULL};
    pid_t reader = start_logged(rlog, rargv);
    close(ready[1]);
    char c = 0;
    if (read(ready[0], &c, 1) != 1) {
        print_file("reader", rlog);
        print_file("reader's valgrind", rvg);
    }
    CHECK(c == 'r');
    close(ready[0]);

    const char *pargv[] = {vg,
                           "--error-exitcode=1",
                           "--leak-check=full",
                           "--errors-for-leak-kinds=definite,indirect,possible",
                           pvgopt,
                           producer_path,
                           "--name",
                           name,
                           "--count",
                           "30",
                           "--fps",
                           "30",
                           "--threads",
                           "2",
                           "--quiet",
                           inputs,
                           NULL};
    pid_t producer = start_logged(plog, pargv);
    int pst = exit_code(producer, NO_LIMIT, "producer", plog);
    int rst = exit_code(reader, NO_LIMIT, "reader", rlog);
    if (pst || rst) {
        fprintf(stderr, "producer exited %d, reader %d\n", pst, rst);
        print_file("producer", plog);
        print_file("producer's valgrind", pvg);
        print_file("reader", rlog);
        print_file("reader's valgrind", rvg);
    }
    CHECK(pst == 0 && rst == 0);
    /* The bad file was reported; the segment was removed at the end. */
    print_file("reader", rlog);
    CHECK(file_has(plog, "bad-crc.png"));
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), -ENOENT);
    scratch_remove();
}

/* In a private mount namespace with a 1 MiB /dev/shm: the producer, asked
 * for a 1920x1080 segment (16 MiB), must say "no space" at start. */
struct no_space_files {
    const char *png, *log;
};

static void no_space_child(void *arg)
{
    const struct no_space_files *f = arg;
    if (!private_dev_shm("1m"))
        _exit(SKIP);
    const char *argv[] = {PRODUCER_PATH, "--name",  "nospace", "--max-size",
                          "1920x1080",   "--count", "3",       "--fps",
                          "0",           f->png,    NULL};
    expect_exit(start_logged(f->log, argv), 1, NO_LIMIT, "producer", NULL);
    /* Nothing of it is left, not even the private ~PID name. */
    DIR *d = opendir(FRAME_SHM_DIR);
    CHECK(d);
    struct dirent *e;
    while ((e = readdir(d)))
        CHECK(e->d_name[0] == '.');
    closedir(d);
    _exit(0);
}

static void no_space(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "skipped: mounting a small /dev/shm needs root\n");
        exit(SKIP);
    }
    const char *dir = scratch("hardening");
    char cmd[512], png[256], log[256];
    snprintf(cmd, sizeof(cmd), "'%s' --test-images '%s' >/dev/null",
             MAKE_SAMPLES_PATH, dir);
    CHECK(system(cmd) == 0);
    snprintf(png, sizeof(png), "%s/rgba8.png", dir);
    snprintf(log, sizeof(log), "%s/producer.log", dir);
    struct no_space_files files = {png, log};
    run_in_child(no_space_child, &files, "no_space child", log);
    print_file("producer", log);
    FILE *f = fopen(log, "r");
    CHECK(f);
    char line[512];
    bool said = false;
    while (fgets(line, sizeof(line), f))
        said |= strcasestr(line, "no space") != NULL;
    fclose(f);
    CHECK(said);
    scratch_remove();
}

/* ==== fault injection ===================================================== */

/* Generous: these cases also run under ASan+UBSan on two loaded cores. */
#define APPEAR_MS 30000
#define EXIT_MS 30000

/* splitmix64: one seed printed per case replays its random choices. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in 0..n-1 (n small: the modulo bias does not matter here). */
static uint32_t rng_below(uint32_t n) { return (uint32_t)(rng_next() % n); }

static void rng_seed(const char *what)
{
    const char *env = getenv("LIBFRAME_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0)
                        : (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32);
    rng_state = seed;
    fprintf(stderr,
            "%s: seed %" PRIu64 " (LIBFRAME_TEST_SEED=%" PRIu64
            " replays it)\n",
            what, seed, seed);
}

/* ---- each case's segment, directory and children ------------------------- */

/*
 * A failed check (which exits) kills the processes a case started and
 * removes its segment and directory: nothing is left behind. The forked
 * helpers inherit the atexit handler; owner keeps it from running there.
 */
static pid_t owner;
static char seg[FRAME_NAME_MAX + 1];
static char dir[128];

/* Remove NAME and any private NAME~PID object a killed writer left. */
static void remove_names(const char *name)
{
    char exact[FRAME_NAME_MAX + 16], priv[FRAME_NAME_MAX + 16];
    snprintf(exact, sizeof(exact), FRAME_OBJECT_PREFIX "%s", name);
    snprintf(priv, sizeof(priv), FRAME_OBJECT_PREFIX "%s~", name);
    DIR *d = opendir(FRAME_SHM_DIR);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, exact) == 0 ||
            strncmp(e->d_name, priv, strlen(priv)) == 0) {
            char path[300];
            snprintf(path, sizeof(path), "/%s", e->d_name);
            shm_unlink(path);
        }
    }
    closedir(d);
}

static void fault_cleanup(void)
{
    if (getpid() != owner)
        return;
    kill_children();
    if (seg[0])
        remove_names(seg);
    if (dir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    seg[0] = dir[0] = '\0';
}

/* A segment name and a scratch directory of the case's own. */
static void fault_setup(const char *tag)
{
    static bool registered;
    fault_cleanup(); /* all cases in one process: the last one's leftovers */
    owner = getpid();
    if (!registered)
        atexit(fault_cleanup);
    registered = true;
    snprintf(seg, sizeof(seg), "%s", test_name(tag));
    snprintf(dir, sizeof(dir), "/tmp/libframe-hardening-%d-XXXXXX",
             (int)getpid());
    CHECK(mkdtemp(dir));
}

/* Objects in /dev/shm under our name: the name itself and any writer's
 * private NAME~PID. Returns how many; *exact says whether NAME is one. */
static int names_present(const char *name, bool *exact, char *list, size_t len)
{
    char want[FRAME_NAME_MAX + 16], priv[FRAME_NAME_MAX + 16];
    snprintf(want, sizeof(want), FRAME_OBJECT_PREFIX "%s", name);
    snprintf(priv, sizeof(priv), FRAME_OBJECT_PREFIX "%s~", name);
    int n = 0;
    *exact = false;
    if (list && len)
        list[0] = '\0';
    DIR *d = opendir(FRAME_SHM_DIR);
    CHECK(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        bool is = strcmp(e->d_name, want) == 0;
        if (!is && strncmp(e->d_name, priv, strlen(priv)) != 0)
            continue;
        n++;
        *exact |= is;
        if (list) {
            size_t used = strlen(list);
            snprintf(list + used, len - used, " %s", e->d_name);
        }
    }
    closedir(d);
    return n;
}

/* A writer that stopped cleanly removes its name, and nothing else of ours
 * is left in /dev/shm. */
static void expect_no_segment(const char *name)
{
    bool exact;
    char list[1024];
    struct frame_info info;
    CHECK_RC(frame_segment_info(name, &info), -ENOENT);
    int n = names_present(name, &exact, list, sizeof(list));
    if (n)
        fprintf(stderr, "left in /dev/shm:%s\n", list);
    CHECK(n == 0);
}

#ifdef VIEWER_PATH
/* ---- what only the cases with the viewer need ---------------------------- */

static const char *in_dir(char *buf, size_t len, const char *file)
{
    snprintf(buf, len, "%s/%s", dir, file);
    return buf;
}

/* /dev/shm must come to hold exactly the live segment NAME (a private
 * name lives for a moment after the link that publishes it; APPEAR_MS is
 * a hang guard, not the moment's length). */
static void expect_only_live_segment(const char *name, pid_t writer)
{
    int64_t end = now_ns() + APPEAR_MS * MS;
    char list[1024];
    for (;;) {
        bool exact;
        int n = names_present(name, &exact, list, sizeof(list));
        struct frame_info info;
        int rc = frame_segment_info(name, &info);
        if (n == 1 && exact && rc == 0 && info.writer_alive &&
            info.writer_pid == writer)
            return;
        if (now_ns() > end) {
            fprintf(stderr,
                    FRAME_SHM_DIR " holds%s; info: %s, writer %d %s, "
                                  "expected only the live segment of pid %d\n",
                    n ? list : " nothing of ours", frame_strerror(rc),
                    rc ? 0 : (int)info.writer_pid,
                    rc                  ? ""
                    : info.writer_alive ? "alive"
                                        : "dead",
                    (int)writer);
            CHECK(!"not exactly one live segment");
        }
        sleep_ms(5);
    }
}

/* ---- images whose every pixel says which file it came from --------------- */

/*
 * Pixel i of file k. Two files differ in every pixel and every pixel
 * depends on its position, so a frame mixing two files, or rows of one
 * moved, never passes for a whole one. Stored little-endian: the bytes of
 * the RGBA8 pixel (alpha included, which the producer keeps as it is).
 */
static uint32_t file_pixel(uint32_t k, uint32_t i)
{
    return (k + 1) * 0x9e3779b1u ^ i * 0x85ebca77u;
}

static void write_pattern_png(const char *path, uint32_t k, uint32_t w,
                              uint32_t h)
{
    uint8_t *px = malloc((size_t)w * h * 4);
    CHECK(px);
    for (uint32_t i = 0; i < w * h; i++) {
        uint32_t v = file_pixel(k, i);
        memcpy(px + (size_t)i * 4, &v, 4);
    }
    struct pngw_spec spec;
    pngw_spec_8bit(&spec, PNG_COLOR_TYPE_RGB_ALPHA, px, w, h, (size_t)w * 4);
    spec.compression_level = 1; /* the pixels do not compress anyway */
    char err[160];
    if (pngw_write_file(path, &spec, err, sizeof(err)) != 0) {
        fprintf(stderr, "writing %s: %s\n", path, err);
        CHECK(!"pngw_write_file failed");
    }
    free(px);
}

/* Which file a frame is a whole copy of: 0..files-1, or -1 if it is none
 * (mixed, moved or not ours). Every pixel is read, in place. */
static int which_file(const uint8_t *pixels, uint32_t w, uint32_t h,
                      size_t stride, uint32_t files)
{
    uint32_t first;
    memcpy(&first, pixels, 4);
    uint32_t k = 0;
    while (k < files && file_pixel(k, 0) != first)
        k++;
    if (k == files)
        return -1;
    uint32_t bad = 0;
    for (uint32_t y = 0; y < h; y++) {
        const uint8_t *row = pixels + (size_t)y * stride;
        for (uint32_t x = 0; x < w; x++) {
            uint32_t p;
            memcpy(&p, row + (size_t)x * 4, 4);
            bad |= p ^ file_pixel(k, y * w + x);
        }
    }
    return bad ? -1 : (int)k;
}

/* The viewer's snapshot, decoded: 8-bit RGBA exactly as written, or NULL
 * with the reason printed. */
static uint8_t *read_snapshot(const char *path, uint32_t *w, uint32_t *h)
{
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "no snapshot %s\n", path);
        return NULL;
    }
    /* The decode gives RGBA8 from any PNG: the file's own format says
     * whether that is what was written. */
    char err[PNG_LOAD_ERR_MAX];
    struct png_header hdr;
    if (png_probe_header(path, &hdr, err, sizeof(err))) {
        fprintf(stderr, "could not read %s: %s\n", path, err);
        return NULL;
    }
    if (hdr.color_type != PNG_COLOR_TYPE_RGB_ALPHA || hdr.bit_depth != 8 ||
        hdr.interlaced || hdr.width > 4096 || hdr.height > 4096) {
        fprintf(stderr, "snapshot %s is not 8-bit RGBA (%ux%u)\n", path,
                hdr.width, hdr.height);
        return NULL;
    }
    uint8_t *px;
    if (png_load_file(path, &px, w, h, err, sizeof(err))) {
        fprintf(stderr, "could not decode %s: %s\n", path, err);
        return NULL;
    }
    return px;
}

/* The snapshot is, byte for byte, the RGBA of one of files first..last of
 * size w x h; returns which. */
static int snapshot_file(const char *path, uint32_t w, uint32_t h,
                         uint32_t first, uint32_t last)
{
    uint32_t sw, sh;
    uint8_t *px = read_snapshot(path, &sw, &sh);
    CHECK(px);
    if (sw != w || sh != h) {
        fprintf(stderr, "snapshot is %ux%u, the inputs %ux%u\n", sw, sh, w, h);
        CHECK(!"snapshot size");
    }
    int k = which_file(px, w, h, (size_t)w * 4, last + 1);
    free(px);
    if (k < (int)first) {
        if (k < 0)
            fprintf(stderr, "snapshot %s is no input file\n", path);
        else
            fprintf(stderr,
                    "snapshot %s is input file %d, not one of "
                    "%u..%u\n",
                    path, k, first, last);
        CHECK(!"snapshot is not the right input image");
    }
    return k;
}

/* ---- the viewer ---------------------------------------------------------- */

enum viewer_mode { HEADLESS, WINDOW };

/* The real viewer on seg with extra arguments; WINDOW is SDL's dummy video
 * driver, which needs no display. */
static pid_t start_viewer(enum viewer_mode m, const char *const *args,
                          const char *out, const char *err)
{
    struct cmdline c = {.argc = 0};
    const char *viewer[] = {VIEWER_PATH, "--name", seg,
                            m == HEADLESS ? "--headless" : NULL, NULL};
    cmdline_add_all(&c, viewer);
    cmdline_add_all(&c, args);
    const char *const *argv = c.argv;
    const char *env[] = {"LSAN_OPTIONS=suppressions=" VIEWER_LSAN_SUPP,
                         m == WINDOW ? "SDL_VIDEODRIVER=dummy" : NULL, NULL};
    return spawn(
        &(struct spawn_opts){.argv = argv, .env = env, .out = out, .err = err});
}

/* Fail at once, with its log, if the viewer is gone. */
static void viewer_alive(pid_t v, const char *err, const char *when)
{
    if (still_running(v))
        return;
    int st = reap_within(v, EXIT_MS);
    char how[96];
    describe_status(how, sizeof(how), st);
    fprintf(stderr, "the viewer is gone %s: %s\n", when, how);
    print_file("its stderr", err);
    CHECK(!"the viewer died");
}

static pid_t start_producer(const char *const *opts, const char *input,
                            const char *err)
{
    struct cmdline c = {.argc = 0};
    const char *producer[] = {PRODUCER_PATH, "--name", seg, NULL};
    cmdline_add_all(&c, producer);
    cmdline_add_all(&c, opts);
    cmdline_add(&c, input);
    return spawn(&(struct spawn_opts){.argv = c.argv, .err = err});
}

/* Wait until pid's segment is up under our name; its session id. */
static uint64_t wait_for_writer(pid_t pid, const char *err)
{
    int64_t end = now_ns() + APPEAR_MS * MS;
    for (;;) {
        struct frame_info info;
        if (frame_segment_info(seg, &info) == 0 && info.writer_alive &&
            info.writer_pid == pid)
            return info.session_id;
        if (!still_running(pid) || now_ns() > end) {
            fprintf(stderr, "producer %d never published '%s'\n", (int)pid,
                    seg);
            print_file("producer", err);
            CHECK(!"producer did not start");
        }
        sleep_ms(2);
    }
}
#endif

/* ---- producer_killed_50_times -------------------------------------------- */

#ifdef VIEWER_PATH
#define KILLS 50
/* Five files and two slots: a slot is always rewritten with another file
 * (k, then k + 2 mod 5), so a frame torn by the writer never looks whole. */
#define KILL_FILES 5
#define KILL_W 256
#define KILL_H 128
/* How long a producer lives after all three have seen its frames. */
#define KILL_DELAY_MAX_MS 150
/* How long the name may stay dead before the next producer starts. */
#define RESTART_GAP_MAX_MS 400
#define KILL_READERS 2

struct kill_reader {
    _Atomic uint64_t session;   /* session of the last frame accepted */
    _Atomic uint64_t sessions;  /* sessions frames were accepted from */
    _Atomic uint64_t checked;   /* frames whose every pixel was read */
    _Atomic uint64_t accepted;  /* validated and whole */
    _Atomic uint64_t torn;      /* validated, yet not a whole input file */
    _Atomic uint64_t discarded; /* refused by still_valid() */
    _Atomic uint64_t caught;    /* of those, ones that really were mixed */
    _Atomic uint64_t lost, restarts;
    _Atomic uint64_t errors;
    _Atomic int first_error;
};

struct kill_shared {
    _Atomic int stop;
    struct kill_reader r[KILL_READERS];
};

static void kill_reader_error(struct kill_reader *me, int idx, int rc)
{
    if (atomic_fetch_add(&me->errors, 1) == 0)
        atomic_store(&me->first_error, rc);
    fprintf(stderr, "reader %d: %s\n", idx, frame_strerror(rc));
}

/* A reader as an application would write one: follows the name through
 * every restart, verifies each frame in place, then asks still_valid(). */
static void kill_reader_main(struct kill_shared *sh, int idx)
{
    struct kill_reader *me = &sh->r[idx];
    frame_reader *r = NULL;
    uint64_t session = 0;
    while (!atomic_load(&sh->stop)) {
        int rc;
        if (!r && (rc = frame_reader_open(seg, &r)) != 0) {
            r = NULL;
            if (rc != -ENOENT)
                kill_reader_error(me, idx, rc);
            sleep_ms(5);
            continue;
        }
        rc = frame_reader_wait(r, 100);
        if (rc == -ETIMEDOUT)
            continue;
        if (rc == FRAME_ELOST || rc == FRAME_ECLOSED) {
            atomic_fetch_add(&me->lost, 1);
            continue;
        }
        if (rc == FRAME_ERESTARTED) {
            atomic_fetch_add(&me->restarts, 1);
            continue;
        }
        struct frame_view v;
        if (rc == 0)
            rc = frame_reader_acquire(r, &v);
        if (rc == FRAME_ENOFRAME || rc == FRAME_EBUSY)
            continue;
        if (rc) {
            kill_reader_error(me, idx, rc);
            if (rc == FRAME_EDEAD || rc == FRAME_EBADFRAME) {
                frame_reader_close(r);
                r = NULL;
            }
            continue;
        }
        int k = -1;
        if (v.width == KILL_W && v.height == KILL_H && v.stride >= KILL_W * 4)
            k = which_file(v.pixels, KILL_W, KILL_H, v.stride, KILL_FILES);
        bool whole = k >= 0 && v.source_index == (uint64_t)k;
        atomic_fetch_add(&me->checked, 1);
        if (!frame_reader_still_valid(r, &v)) {
            atomic_fetch_add(&me->discarded, 1);
            if (!whole)
                atomic_fetch_add(&me->caught, 1);
            continue;
        }
        if (!whole) {
            if (atomic_fetch_add(&me->torn, 1) == 0)
                fprintf(stderr,
                        "reader %d: frame %" PRIu64 " of session "
                        "%016" PRIx64 " (%ux%u, source %" PRIu64 ") passed "
                        "validation but is not a whole input file (%d)\n",
                        idx, v.frame_no, v.session_id, v.width, v.height,
                        v.source_index, k);
            continue;
        }
        if (v.session_id != session) {
            session = v.session_id;
            atomic_fetch_add(&me->sessions, 1);
            atomic_store(&me->session, session);
        }
        atomic_fetch_add(&me->accepted, 1);
    }
    frame_reader_close(r);
    _exit(0);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/*
 * SIGKILL the producer at a random moment KILLS times in a row, starting a
 * new one on the name each time, while the real viewer (headless) and two
 * readers run throughout. Each round waits until all three show frames of
 * the new producer, so "recovers every time" is checked round by round.
 */
static void producer_killed_50_times(void)
{
    fault_setup("kill");
    rng_seed(__func__);
    char input[300], snap[300], verr[300], perr[300];
    in_dir(input, sizeof(input), "in");
    in_dir(snap, sizeof(snap), "snap.png");
    in_dir(verr, sizeof(verr), "viewer.err");
    in_dir(perr, sizeof(perr), "producer.err");
    CHECK(mkdir(input, 0755) == 0);
    for (uint32_t k = 0; k < KILL_FILES; k++) {
        char png[320];
        snprintf(png, sizeof(png), "%s/f%u.png", input, k);
        write_pattern_png(png, k, KILL_W, KILL_H);
    }
    struct kill_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(sh != MAP_FAILED);

    const char *vargs[] = {"--snapshot", snap, NULL};
    pid_t viewer = start_viewer(HEADLESS, vargs, NULL, verr);
    pid_t readers[KILL_READERS];
    for (int i = 0; i < KILL_READERS; i++) {
        readers[i] = fork_child();
        if (readers[i] == 0)
            kill_reader_main(sh, i);
    }

    int64_t t0 = now_ns(), killed_at = 0;
    int64_t recovery_ms[KILLS];
    int kills = 0;
    pid_t prod = 0;
    uint64_t session = 0;
    for (int round = 0; round <= KILLS; round++) {
        /* How the producer runs decides where a kill lands: paced, it
         * sleeps with the next frame begun in the back slot; at full speed
         * it is mostly copying into it; threads and no cache add decoding
         * threads and libpng. Drawn before anything depends on timing,
         * so a seed replays the same choices. */
        static const char *const rates[] = {"1000", "250", "0"};
        const char *fps = rates[rng_below(3)];
        const char *threads = rng_below(2) ? "2" : "1";
        bool no_cache = rng_below(3) == 0;
        uint32_t delay = rng_below(KILL_DELAY_MAX_MS + 1);
        /* Half the time the next producer starts at once and readers find
         * the name moved; else later, and they first see the writer lost
         * and then poll for a new one. */
        uint32_t gap = rng_below(2) ? 0 : rng_below(RESTART_GAP_MAX_MS + 1);
        const char *opts[] = {
            "--fps", fps, "--threads", threads, no_cache ? "--no-cache" : NULL,
            NULL};
        if (round > 0)
            sleep_ms((int)gap);
        int64_t started = now_ns();
        prod = start_producer(opts, input, perr);
        session = wait_for_writer(prod, perr);
        char tag[48];
        snprintf(tag, sizeof(tag), "(producer pid %d)", (int)prod);
        int64_t end = now_ns() + APPEAR_MS * MS;
        for (;;) {
            bool on[KILL_READERS + 1];
            bool all = true;
            for (int i = 0; i < KILL_READERS; i++) {
                on[i] = atomic_load(&sh->r[i].session) == session;
                all &= on[i];
                if (!still_running(readers[i])) {
                    fprintf(stderr, "reader %d ended\n", i);
                    CHECK(!"a reader died");
                }
            }
            on[KILL_READERS] = file_has(verr, tag);
            all &= on[KILL_READERS];
            if (all)
                break;
            viewer_alive(viewer, verr, "while producers restart");
            if (!still_running(prod) || now_ns() > end) {
                fprintf(stderr,
                        "round %d: producer %d %s; on its frames: "
                        "reader 0 %s, reader 1 %s, viewer %s\n",
                        round, (int)prod,
                        still_running(prod) ? "runs" : "ended",
                        on[0] ? "yes" : "no", on[1] ? "yes" : "no",
                        on[2] ? "yes" : "no");
                print_file("producer", perr);
                print_file("viewer", verr);
                CHECK(!"not every reader recovered");
            }
            sleep_ms(2);
        }
        int64_t now = now_ns();
        if (round > 0)
            recovery_ms[round - 1] = (now - killed_at) / MS;
        /* The killed one left its segment; this one must have found it
         * dead and replaced it (said before its first frame). */
        if (round > 0 && !file_has(perr, "replaced the stale segment")) {
            print_file("producer", perr);
            CHECK(!"the stale segment was not replaced");
        }
        expect_only_live_segment(seg, prod);
        char line[200];
        snprintf(line, sizeof(line),
                 "round %2d: producer %d (--fps %s "
                 "--threads %s%s) started %u ms after the kill, on every "
                 "reader %lld ms later",
                 round, (int)prod, fps, threads, no_cache ? " --no-cache" : "",
                 round ? gap : 0, (long long)((now - started) / MS));
        if (round == KILLS) {
            fprintf(stderr, "%s; kept\n", line);
            break;
        }
        sleep_ms((int)delay);
        killed_at = now_ns();
        kill_child(prod, EXIT_MS, "producer", perr);
        fprintf(stderr, "%s; killed %u ms later\n", line, delay);
        kills++;
    }

    /* The viewer lived through all of it and shows a whole input file. */
    sleep_ms(200);
    viewer_alive(viewer, verr, "at the end");
    stop_child(viewer, SIGTERM, EXIT_MS, "viewer", verr);
    int shown_file = snapshot_file(snap, KILL_W, KILL_H, 0, KILL_FILES - 1);
    int showing = file_count(verr, "viewer: showing '");
    int lost = file_count(verr, "producer lost");

    atomic_store(&sh->stop, 1);
    for (int i = 0; i < KILL_READERS; i++)
        expect_exit(readers[i], 0, EXIT_MS, "reader", NULL);
    /* One live segment, the last producer's; stopped cleanly, it goes. */
    expect_only_live_segment(seg, prod);
    stop_child(prod, SIGTERM, EXIT_MS, "last producer", perr);
    expect_no_segment(seg);

    qsort(recovery_ms, (size_t)kills, sizeof(recovery_ms[0]), cmp_i64);
    fprintf(stderr,
            "%d kills in %.1f s; back on the new producer's frames "
            "(gap and start included) %lld ms median, %lld ms at most; "
            "viewer: %d producers shown, %d losses reported, snapshot = "
            "input file %d\n",
            kills, (double)(now_ns() - t0) / 1e9,
            (long long)recovery_ms[kills / 2],
            (long long)recovery_ms[kills - 1], showing, lost, shown_file);
    for (int i = 0; i < KILL_READERS; i++) {
        struct kill_reader *r = &sh->r[i];
        fprintf(stderr,
                "reader %d: %" PRIu64 " frames checked, %" PRIu64
                " accepted from %" PRIu64 " sessions, %" PRIu64 " torn "
                "accepted, %" PRIu64 " refused by validation (%" PRIu64
                " of them really mixed), %" PRIu64 " lost + %" PRIu64
                " restarted, %" PRIu64 " errors%s%s\n",
                i, atomic_load(&r->checked), atomic_load(&r->accepted),
                atomic_load(&r->sessions), atomic_load(&r->torn),
                atomic_load(&r->discarded), atomic_load(&r->caught),
                atomic_load(&r->lost), atomic_load(&r->restarts),
                atomic_load(&r->errors),
                atomic_load(&r->errors) ? ", first: " : "",
                atomic_load(&r->errors)
                    ? frame_strerror(atomic_load(&r->first_error))
                    : "");
    }
    CHECK(kills == KILLS);
    for (int i = 0; i < KILL_READERS; i++) {
        struct kill_reader *r = &sh->r[i];
        CHECK(atomic_load(&r->torn) == 0);
        CHECK(atomic_load(&r->errors) == 0);
        /* Frames of every producer, the last one's last. */
        CHECK(atomic_load(&r->sessions) == KILLS + 1);
        CHECK(atomic_load(&r->session) == session);
    }
    /* Each producer shown once: never back to an older one. */
    CHECK(showing == KILLS + 1);
    munmap(sh, sizeof(*sh));
    fault_cleanup();
}
#endif

/* ---- readers_killed_writer_unaffected ------------------------------------ */

#define CHURN_MS 3000
/* The writer's progress is judged in slices of its own CPU time, not of
 * the clock on the wall: a busy machine may take its core away for longer
 * than a slice, and that says nothing of the readers. */
#define SLICE_MS 100
#define CHURN_SLICES 600 /* a minute of the writer's CPU time */
/* The churn lasts CHURN_MS and at least this many reader kills; on a
 * machine too busy for that within CHURN_LIMIT_MS the case fails as hung. */
#define CHURN_KILLS_MIN 10
#define CHURN_LIMIT_MS 60000
#define CHURN_READERS 3
#define CHURN_LIFE_MAX_MS 300
#define CHURN_W 128
#define CHURN_H 64
#define LATE_FRAMES 50
#define WRITER_SLEEPS_MAX 10
/* Readers yield the CPU to the writer: what is asserted is that they
 * cannot hold it up, not how they share two loaded cores with it. */
#define READER_NICE 10

struct churn_shared {
    _Atomic int ready; /* 1: the writer's segment is up, -1: it failed */
    _Atomic int stop;
    _Atomic int churn; /* 1 while readers are started and killed, then 2 */
    _Atomic uint64_t commits;
    _Atomic int writer_error; /* the first begin/commit that failed */
    /* In the writer's CPU time during the churn: the longest between two
     * commits, how far it got, and the commits in each slice of it. */
    _Atomic int64_t max_gap_ns;
    _Atomic int64_t churn_cpu_ns;
    _Atomic uint32_t slices[CHURN_SLICES];
    _Atomic uint64_t frames; /* verified frames, all readers */
    _Atomic uint64_t torn;   /* validated but mixed */
    _Atomic uint64_t discarded;
    _Atomic uint64_t reading; /* readers that accepted a frame */
    _Atomic int reader_error;
};

static uint32_t churn_pixel(uint64_t frame_no, uint32_t i)
{
    return (uint32_t)frame_no * 0x9e3779b1u + i * 0x85ebca77u;
}

static bool churn_whole(const struct frame_view *v)
{
    if (v->width != CHURN_W || v->height != CHURN_H || v->stride < CHURN_W * 4)
        return false;
    uint32_t bad = 0;
    for (uint32_t y = 0; y < CHURN_H; y++) {
        const uint8_t *row = v->pixels + (size_t)y * v->stride;
        for (uint32_t x = 0; x < CHURN_W; x++) {
            uint32_t p;
            memcpy(&p, row + (size_t)x * 4, 4);
            bad |= p ^ churn_pixel(v->frame_no, y * CHURN_W + x);
        }
    }
    return bad == 0;
}

static int64_t thread_cpu_ns(void) { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }

/* As fast as it can; records every commit against its own CPU time in the
 * churn. */
static void churn_writer_main(struct churn_shared *sh)
{
    struct frame_format fmt = {
        .max_width = CHURN_W, .max_height = CHURN_H, .slot_count = 2};
    frame_writer *w;
    int rc = frame_writer_create(seg, &fmt, &w, NULL);
    if (rc) {
        atomic_store(&sh->writer_error, rc);
        atomic_store(&sh->ready, -1);
        _exit(1);
    }
    atomic_store(&sh->ready, 1);
    uint64_t n = 0;
    int64_t cpu0 = -1, last = 0, max_gap = 0;
    while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
        struct frame_buffer fb;
        if ((rc = frame_writer_begin(w, CHURN_W, CHURN_H, &fb)))
            break;
        for (uint32_t y = 0; y < CHURN_H; y++) {
            uint32_t *row = (uint32_t *)(fb.pixels + (size_t)y * fb.stride);
            for (uint32_t x = 0; x < CHURN_W; x++)
                row[x] = churn_pixel(fb.frame_no, y * CHURN_W + x);
        }
        if ((rc = frame_writer_commit(w, 0, 0)))
            break;
        atomic_store_explicit(&sh->commits, ++n, memory_order_relaxed);
        if (atomic_load_explicit(&sh->churn, memory_order_relaxed) != 1)
            continue;
        int64_t now = thread_cpu_ns();
        if (cpu0 < 0)
            cpu0 = last = now;
        int64_t slice = (now - cpu0) / (SLICE_MS * MS);
        if (slice < CHURN_SLICES)
            atomic_fetch_add_explicit(&sh->slices[slice], 1,
                                      memory_order_relaxed);
        atomic_store_explicit(&sh->churn_cpu_ns, now - cpu0,
                              memory_order_relaxed);
        if (now - last > max_gap) {
            max_gap = now - last;
            atomic_store(&sh->max_gap_ns, max_gap);
        }
        last = now;
    }
    atomic_store(&sh->writer_error, rc);
    frame_writer_destroy(w);
    _exit(rc ? 1 : 0);
}

/* Verify frames in place until killed, or until `want` frames (0: no
 * end). */
static void churn_reader_main(struct churn_shared *sh, uint64_t want)
{
    if (setpriority(PRIO_PROCESS, 0, READER_NICE) != 0)
        perror("reader: setpriority");
    frame_reader *r = NULL;
    int rc = frame_reader_open(seg, &r);
    uint64_t got = 0;
    int64_t end = now_ns() + APPEAR_MS * MS;
    while (rc == 0 && (!want || got < want)) {
        if (want && now_ns() > end) {
            rc = -ETIMEDOUT;
            break;
        }
        rc = frame_reader_wait(r, 100);
        if (rc == -ETIMEDOUT) {
            rc = 0;
            continue;
        }
        struct frame_view v;
        if (rc == 0)
            rc = frame_reader_acquire(r, &v);
        if (rc == FRAME_ENOFRAME || rc == FRAME_EBUSY) {
            rc = 0;
            continue;
        }
        if (rc)
            break;
        bool whole = churn_whole(&v);
        if (!frame_reader_still_valid(r, &v)) {
            atomic_fetch_add(&sh->discarded, 1);
            continue;
        }
        if (!whole) {
            if (atomic_fetch_add(&sh->torn, 1) == 0)
                fprintf(stderr,
                        "reader: frame %" PRIu64 " passed "
                        "validation but is mixed\n",
                        v.frame_no);
            continue;
        }
        if (got++ == 0)
            atomic_fetch_add(&sh->reading, 1);
        atomic_fetch_add(&sh->frames, 1);
    }
    if (rc) {
        atomic_store(&sh->reader_error, rc);
        fprintf(stderr, "reader: %s\n", frame_strerror(rc));
    }
    frame_reader_close(r);
    _exit(rc ? 1 : 0);
}

/* voluntary_ctxt_switches of pid: how often it went to sleep. */
static long ctxt_switches(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    CHECK(f);
    long n = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1)
            break;
    fclose(f);
    CHECK(n >= 0);
    return n;
}

/*
 * A writer at full speed while readers are started and SIGKILLed at random
 * (before they open, while they map, sleep on the futex or read pixels).
 * Readers never store into the segment, so nothing they leave behind can
 * hold the writer up: it must commit without error all along, never sleep
 * (its voluntary context switches), and never spin without committing (a
 * SLICE_MS of its own CPU time without a commit). Slices of its CPU time,
 * not of the wall clock: how long the scheduler keeps it off a loaded
 * core is no business of the readers. How fast is the benchmark's
 * business, not this test's.
 */
static void readers_killed_writer_unaffected(void)
{
    fault_setup("churn");
    rng_seed(__func__);
    struct churn_shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(sh != MAP_FAILED);
    pid_t writer = fork_child();
    if (writer == 0)
        churn_writer_main(sh);
    int64_t end = now_ns() + APPEAR_MS * MS;
    while (atomic_load(&sh->ready) == 0 && now_ns() < end)
        sleep_ms(1);
    if (atomic_load(&sh->ready) != 1)
        fprintf(stderr, "writer: %s\n",
                frame_strerror(atomic_load(&sh->writer_error)));
    CHECK(atomic_load(&sh->ready) == 1);

    struct {
        pid_t pid;
        int64_t kill_at;
    } live[CHURN_READERS];
    memset(live, 0, sizeof(live));
    unsigned started = 0, killed = 0;
    int64_t start = now_ns();
    atomic_store(&sh->churn, 1);
    uint64_t commits_before = atomic_load(&sh->commits);
    long slept0 = ctxt_switches(writer);
    for (int64_t now = start;
         now < start + CHURN_MS * MS || killed < CHURN_KILLS_MIN;
         now = now_ns()) {
        if (now > start + CHURN_LIMIT_MS * MS) {
            fprintf(stderr, "only %u readers killed in %d ms\n", killed,
                    CHURN_LIMIT_MS);
            CHECK(!"the churn did not get going");
        }
        for (int i = 0; i < CHURN_READERS; i++) {
            if (live[i].pid && now >= live[i].kill_at) {
                kill_child(live[i].pid, EXIT_MS, "reader", NULL);
                killed++;
                live[i].pid = 0;
            }
            if (!live[i].pid) {
                uint32_t life = rng_below(CHURN_LIFE_MAX_MS + 1);
                live[i].pid = fork_child();
                if (live[i].pid == 0)
                    churn_reader_main(sh, 0);
                live[i].kill_at = now_ns() + life * MS;
                started++;
            }
        }
        sleep_ms(1);
    }
    atomic_store(&sh->churn, 2);
    int64_t churn_ms = (now_ns() - start) / MS;
    uint64_t commits_churn = atomic_load(&sh->commits) - commits_before;
    long slept = ctxt_switches(writer) - slept0;
    for (int i = 0; i < CHURN_READERS; i++) {
        if (live[i].pid) {
            kill(live[i].pid, SIGKILL);
            CHECK(reap_within(live[i].pid, EXIT_MS) != -1);
            killed++;
        }
    }

    /* The writer went on through the churn, in every slice of the CPU
     * time it had (the last one reached may be cut short). */
    int64_t cpu_ms = atomic_load(&sh->churn_cpu_ns) / MS;
    int reached = (int)(cpu_ms / SLICE_MS);
    if (reached > CHURN_SLICES)
        reached = CHURN_SLICES;
    uint32_t min_slice = UINT32_MAX;
    int empty = -1;
    for (int i = 0; i < reached; i++) {
        uint32_t n = atomic_load(&sh->slices[i]);
        if (n < min_slice)
            min_slice = n;
        if (n == 0 && empty < 0)
            empty = i;
    }
    fprintf(stderr,
            "churn %lld ms: %u readers started, %u killed; writer "
            "committed %" PRIu64 " frames in %lld ms of its CPU time, "
            "fewest in a %d ms slice of it %u, longest gap %.1f ms, went "
            "to sleep %ld times; readers verified %" PRIu64 " frames (%" PRIu64
            " of the readers got at least one), %" PRIu64 " torn "
            "accepted, %" PRIu64 " refused by validation\n",
            (long long)churn_ms, started, killed, commits_churn,
            (long long)cpu_ms, SLICE_MS, min_slice,
            (double)atomic_load(&sh->max_gap_ns) / 1e6, slept,
            atomic_load(&sh->frames), atomic_load(&sh->reading),
            atomic_load(&sh->torn), atomic_load(&sh->discarded));
    if (empty >= 0)
        fprintf(stderr,
                "no commit at all in %d..%d ms of the writer's CPU "
                "time in the churn\n",
                empty * SLICE_MS, (empty + 1) * SLICE_MS);
    if (atomic_load(&sh->writer_error))
        fprintf(stderr, "writer: %s\n",
                frame_strerror(atomic_load(&sh->writer_error)));
    CHECK(atomic_load(&sh->writer_error) == 0 && still_running(writer));
    CHECK(empty < 0);
    /* Its loop makes no call that sleeps (the futex wake does not), so a
     * writer that waited for readers would show here; a few are left to
     * the kernel's own housekeeping (page migration and the like). */
    CHECK(slept <= WRITER_SLEEPS_MAX);

    /* A reader started now attaches and reads whole frames. */
    pid_t late = fork_child();
    if (late == 0)
        churn_reader_main(sh, LATE_FRAMES);
    expect_exit(late, 0, EXIT_MS, "reader started after the churn", NULL);

    atomic_store(&sh->stop, 1);
    expect_exit(writer, 0, EXIT_MS, "writer", NULL);
    CHECK_RC(atomic_load(&sh->writer_error), 0);
    expect_no_segment(seg);
    CHECK(atomic_load(&sh->torn) == 0);
    CHECK(atomic_load(&sh->reader_error) == 0);
    CHECK(atomic_load(&sh->reading) > 0);
    CHECK(killed >= CHURN_KILLS_MIN);
    munmap(sh, sizeof(*sh));
    fault_cleanup();
}

/* ---- viewer_survives_truncation, viewer_survives_scribbled_header -------- */

#ifdef VIEWER_PATH
#define VS_W 64
#define VS_H 48

/* Cut to nothing, or to the header page alone: then the header still
 * reads well and only the pixels fault. */
enum damage { TRUNCATE_ALL, TRUNCATE_PIXELS, SCRIBBLE };

/* Another process of the same user truncates the segment. */
static void truncate_child(off_t size)
{
    char path[FRAME__PATH_MAX];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", seg);
    int fd = shm_open(path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0 || ftruncate(fd, size) != 0) {
        perror("truncate");
        _exit(1);
    }
    _exit(0);
}

/* Another process writes garbage over the header's magic, slot count and
 * newest-frame word, through its own mapping, for half a second; it bumps
 * the futex word and wakes the waiters too, as a stray store there would,
 * so that readers look while the garbage is there (the producer rewrites
 * `latest` at its next frame). */
static void scribble_child(void)
{
    char path[FRAME__PATH_MAX];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", seg);
    int fd = shm_open(path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) {
        perror("scribble");
        _exit(1);
    }
    struct frame__header *h = mmap(NULL, FRAME__HEADER_SIZE,
                                   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED) {
        perror("scribble: mmap");
        _exit(1);
    }
    for (uint64_t i = 0; i < 50; i++) {
        uint64_t junk = UINT64_C(0x6b6e756a6b6e756a) ^ (i << 40);
        atomic_store(&h->fixed.magic, junk);
        h->fixed.slot_count = (uint32_t)junk;
        /* Slot 0xee of a segment that has 2 to 8. */
        atomic_store(&h->latest, (junk & ~UINT64_C(0xff)) | 0xee);
        atomic_fetch_add(&h->publish_count, 1);
        syscall(SYS_futex, &h->publish_count, FUTEX_WAKE, INT_MAX, NULL, NULL,
                0);
        sleep_ms(10);
    }
    _exit(0);
}

/* Wait until the viewer shows producer pid's frames. Headless says so on
 * stderr; a window only in its --stats lines (from line `from` on). */
static void wait_shown(enum viewer_mode m, pid_t v, pid_t pid, const char *out,
                       const char *err, int from)
{
    char tag[48];
    snprintf(tag, sizeof(tag), "(producer pid %d)", (int)pid);
    int64_t end = now_ns() + APPEAR_MS * MS;
    while (m == HEADLESS ? !file_has(err, tag) : !shown_since(out, from)) {
        viewer_alive(v, err, "while waiting for frames");
        if (now_ns() > end) {
            fprintf(stderr, "the viewer never showed producer %d\n", (int)pid);
            if (m == WINDOW)
                print_file("its stdout", out);
            print_file("its stderr", err);
            CHECK(!"the viewer showed no frame");
        }
        sleep_ms(20);
    }
}

/* The viewer's lines about the segment's problems, from line `from` on:
 * "viewer: segment 'NAME'...", printed by the viewer for nothing else. */
static bool problem_said(const char *err, int from, const char *want,
                         bool print)
{
    char *s = read_text(err);
    char prefix[FRAME_NAME_MAX + 32];
    snprintf(prefix, sizeof(prefix), "viewer: segment '%s'", seg);
    int line = 0;
    bool found = false;
    for (char *p = s; p && *p; line++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (line >= from && strncmp(p, prefix, strlen(prefix)) == 0 &&
            (!want || strstr(p, want))) {
            found = true;
            if (print)
                fprintf(stderr, "  said: %s\n", p);
        }
        p = nl ? nl + 1 : NULL;
    }
    free(s);
    return found;
}

static void survive(enum damage d, enum viewer_mode m)
{
    static const char *const tags[3][2] = {{"trunc0-h", "trunc0-w"},
                                           {"truncp-h", "truncp-w"},
                                           {"scrib-h", "scrib-w"}};
    static const char *const what[3] = {"segment truncated to 0 bytes",
                                        "segment truncated to its header page",
                                        "header scribbled over"};
    fault_setup(tags[d][m]);
    fprintf(stderr, "%s viewer, %s:\n",
            m == HEADLESS ? "headless" : "window (dummy)", what[d]);
    char a[300], b[300], snap[300], vout[300], verr[300], aerr[300], berr[300];
    in_dir(a, sizeof(a), "a.png");
    in_dir(b, sizeof(b), "b.png");
    in_dir(snap, sizeof(snap), "snap.png");
    in_dir(vout, sizeof(vout), "viewer.out");
    in_dir(verr, sizeof(verr), "viewer.err");
    in_dir(aerr, sizeof(aerr), "producer-a.err");
    in_dir(berr, sizeof(berr), "producer-b.err");
    write_pattern_png(a, 0, VS_W, VS_H);
    write_pattern_png(b, 1, VS_W, VS_H);

    const char *vargs[] = {"--stats", "--snapshot", snap, NULL};
    pid_t v = start_viewer(m, vargs, vout, verr);
    const char *opts[] = {"--fps", "30", NULL};
    pid_t pa = start_producer(opts, a, aerr);
    wait_for_writer(pa, aerr);
    wait_shown(m, v, pa, vout, verr, 0);

    int from = file_lines(verr);
    pid_t vandal = fork_child();
    if (vandal == 0) {
        if (d == SCRIBBLE)
            scribble_child();
        truncate_child(d == TRUNCATE_ALL ? 0 : FRAME__HEADER_SIZE);
    }
    expect_exit(vandal, 0, EXIT_MS, "the process doing the damage", NULL);
    /* A truncated mapping faults where the viewer reads next (the header,
     * or the pixels of the frame the producer commits next, already in
     * its back slot): it must have seen that, not just its producer die. */
    const char *want = d == SCRIBBLE ? NULL : "truncated";
    int64_t end = now_ns() + APPEAR_MS * MS;
    while (!problem_said(verr, from, want, false)) {
        viewer_alive(v, verr, "after the damage");
        if (now_ns() > end) {
            print_file("viewer stderr", verr);
            CHECK(!"the viewer did not report the damage");
        }
        sleep_ms(20);
    }
    problem_said(verr, from, NULL, true);
    sleep_ms(500);
    viewer_alive(v, verr, "after the damage");

    /* A clean restart: the damaged producer goes (if the damage has not
     * ended it already), a new one takes the name. */
    bool ran = still_running(pa);
    if (ran)
        kill(pa, SIGKILL);
    int st = reap_within(pa, EXIT_MS);
    char how[96];
    describe_status(how, sizeof(how), st);
    fprintf(stderr, "  the damaged producer: %s\n", ran ? "killed" : how);
    if (!ran)
        print_file("its stderr", aerr);
    int out_from = file_lines(vout) + 1;
    pid_t pb = start_producer(opts, b, berr);
    wait_for_writer(pb, berr);
    wait_shown(m, v, pb, vout, verr, out_from);
    /* Killed on its damaged segment, the old producer left it: the new
     * one must have replaced it, whatever its header says now. */
    if (ran && !file_has(berr, "replaced the stale segment")) {
        print_file("new producer", berr);
        CHECK(!"the damaged segment was not replaced");
    }
    sleep_ms(300);
    viewer_alive(v, verr, "showing the new producer");
    stop_child(v, SIGTERM, EXIT_MS, "viewer", verr);
    CHECK(snapshot_file(snap, VS_W, VS_H, 1, 1) == 1);
    stop_child(pb, SIGTERM, EXIT_MS, "new producer", berr);
    expect_no_segment(seg);
    fault_cleanup();
}

static void viewer_survives_truncation(void)
{
    survive(TRUNCATE_ALL, HEADLESS);
    survive(TRUNCATE_ALL, WINDOW);
    survive(TRUNCATE_PIXELS, HEADLESS);
    survive(TRUNCATE_PIXELS, WINDOW);
}

static void viewer_survives_scribbled_header(void)
{
    survive(SCRIBBLE, HEADLESS);
    survive(SCRIBBLE, WINDOW);
}
#endif

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--reader") == 0)
        return reader_main(argv[2], atoi(argv[3]));
    static const struct test_case cases[] = {
        CASE(valgrind_producer_reader),
        CASE(no_space),
        CASE(readers_killed_writer_unaffected),
#ifdef VIEWER_PATH
        CASE(producer_killed_50_times),
        CASE(viewer_survives_truncation),
        CASE(viewer_survives_scribbled_header),
#endif
    };
    return test_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
