/* The reader's life cycle against hostile and unlucky events, with real
 * processes: a header scribbled on by another process, a segment truncated
 * under the sample reader, a copy asked for with an absurd stride, writers
 * of two pid namespaces starting on one name. */
#include "proc.h"
#include "runner.h"
#include "viewer_stats.h"

#include "frame_internal.h"
#include "png_write.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <png.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define W 64
#define H 48
#define FRAME_BYTES ((size_t)W * H * 4)
/* Limits that only catch a hang: nothing here waits on a speed. */
#define APPEAR_MS 20000
#define EXIT_MS 20000
/* How long the corrupter works, and what a reader may spend meanwhile. */
#define CORRUPT_MS 3000
#define CPU_SHARE_MAX 0.10
/* A new producer is followed within 1 s by design (a look at the name at
 * least every 500 ms, the writer checked every 250 ms). How long the
 * readers took is printed, not judged: on a loaded machine it is mostly
 * how late they were run. search_backoff_capped checks the design itself:
 * the library never plans its next look more than SEARCH_MAX_MS after the
 * last one. */
#define SEARCH_MAX_MS 500

static char seg[FRAME_NAME_MAX + 1];
static char dir[64];

static void setup(const char *tag)
{
    snprintf(seg, sizeof(seg), "%s", test_name(tag));
    snprintf(dir, sizeof(dir), "/tmp/libframe-lifecycle-XXXXXX");
    CHECK(mkdtemp(dir));
}

static void in_dir(char *buf, size_t len, const char *file)
{
    snprintf(buf, len, "%s/%s", dir, file);
}

static void cleanup(void)
{
    kill_children();
    test_unlink(seg);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (dir[0] && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static void write_solid_png(const char *path, const uint8_t rgba[4])
{
    static uint8_t px[FRAME_BYTES];
    for (size_t i = 0; i < FRAME_BYTES; i += 4)
        memcpy(px + i, rgba, 4);
    char err[160];
    if (pngw_write_rgba8(path, px, W, H, (size_t)W * 4, err, sizeof(err))) {
        fprintf(stderr, "%s: %s\n", path, err);
        CHECK(!"cannot write a test PNG");
    }
}

static pid_t start_producer(const char *png, const char *err)
{
    const char *argv[] = {PRODUCER_PATH, "--name", seg, "--fps",
                          "30",          png,      NULL};
    return spawn(&(struct spawn_opts){.argv = argv, .err = err});
}

/* Wait until pid's segment is up under our name. */
static void wait_for_writer(pid_t pid, const char *err)
{
    int64_t end = now_ns() + APPEAR_MS * MS;
    for (;;) {
        struct frame_info info;
        if (frame_segment_info(seg, &info) == 0 && info.writer_alive &&
            info.writer_pid == pid)
            return;
        if (!still_running(pid) || now_ns() > end) {
            fprintf(stderr, "producer %d never published '%s'\n", (int)pid,
                    seg);
            print_file("its stderr", err);
            CHECK(!"producer did not start");
        }
        sleep_ms(10);
    }
}

/* Fail with its logs if a reader process is gone. */
static void alive(pid_t pid, const char *what, const char *log)
{
    if (still_running(pid))
        return;
    char how[96];
    describe_status(how, sizeof(how), reap_within(pid, EXIT_MS));
    fprintf(stderr, "%s is gone: %s\n", what, how);
    if (log)
        print_file("its output", log);
    CHECK(!"a reader died");
}

/* ---- readers ------------------------------------------------------------- */

enum reader_kind { HEADLESS, WINDOW, SAMPLE, DUMP, N_READERS };
static const char *const reader_names[N_READERS] = {
    "viewer --headless", "viewer (window, dummy driver)", "reader-example",
    "framectl dump --follow"};

struct readers {
    pid_t pid[N_READERS];
    char out[N_READERS][128], err[N_READERS][128];
    char snap[128];
};

static void start_readers(struct readers *rs)
{
    const char *lsan = "LSAN_OPTIONS=suppressions=" VIEWER_LSAN_SUPP;
    for (int k = 0; k < N_READERS; k++) {
        char f[32];
        snprintf(f, sizeof(f), "reader%d.out", k);
        in_dir(rs->out[k], sizeof(rs->out[k]), f);
        snprintf(f, sizeof(f), "reader%d.err", k);
        in_dir(rs->err[k], sizeof(rs->err[k]), f);
    }
    in_dir(rs->snap, sizeof(rs->snap), "window.png");
    const char *headless[] = {VIEWER_PATH,  "--name",  seg,
                              "--headless", "--stats", NULL};
    const char *env_headless[] = {lsan, NULL};
    rs->pid[HEADLESS] = spawn(&(struct spawn_opts){.argv = headless,
                                                   .env = env_headless,
                                                   .out = rs->out[HEADLESS],
                                                   .err = rs->err[HEADLESS]});
    const char *window[] = {VIEWER_PATH,  "--name", seg, "--stats",
                            "--snapshot", rs->snap, NULL};
    const char *env_window[] = {lsan, "SDL_VIDEODRIVER=dummy", NULL};
    rs->pid[WINDOW] = spawn(&(struct spawn_opts){.argv = window,
                                                 .env = env_window,
                                                 .out = rs->out[WINDOW],
                                                 .err = rs->err[WINDOW]});
    const char *sample[] = {READER_EXAMPLE_PATH, seg, NULL};
    rs->pid[SAMPLE] = spawn(&(struct spawn_opts){
        .argv = sample, .out = rs->out[SAMPLE], .err = rs->err[SAMPLE]});
    const char *dump[] = {FRAMECTL_PATH, "dump", seg,           "--wait",
                          "--follow",    "-o",   rs->out[DUMP], NULL};
    rs->pid[DUMP] =
        spawn(&(struct spawn_opts){.argv = dump, .err = rs->err[DUMP]});
}

/* The last whole frame framectl dump wrote is all of colour c. */
static bool dump_ends_with(const char *path, const uint8_t c[4])
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    struct stat st;
    static uint8_t frame[FRAME_BYTES];
    bool yes = false;
    if (fstat(fd, &st) == 0 && st.st_size >= (off_t)FRAME_BYTES) {
        off_t at = st.st_size / (off_t)FRAME_BYTES * (off_t)FRAME_BYTES -
                   (off_t)FRAME_BYTES;
        if (pread(fd, frame, FRAME_BYTES, at) == (ssize_t)FRAME_BYTES) {
            yes = true;
            for (size_t i = 0; i < FRAME_BYTES && yes; i += 4)
                yes = memcmp(frame + i, c, 4) == 0;
        }
    }
    close(fd);
    return yes;
}

/* Whether reader k shows producer `pid`, whose frames are of colour c;
 * stats_from: the window's first --stats line to look at. */
static bool shows(const struct readers *rs, int k, pid_t pid,
                  const uint8_t c[4], int stats_from)
{
    char text[96];
    switch (k) {
    case HEADLESS:
        snprintf(text, sizeof(text), "(producer pid %d)", (int)pid);
        return file_has(rs->err[k], text);
    case WINDOW:
        return shown_since(rs->out[k], stats_from);
    case SAMPLE:
        snprintf(text, sizeof(text), "average %u %u %u\n", c[0], c[1], c[2]);
        return file_has(rs->out[k], text);
    default:
        return dump_ends_with(rs->out[k], c);
    }
}

/* Wait until every reader shows pid's frames; how long each took. */
static void wait_all_show(const struct readers *rs, pid_t pid,
                          const uint8_t c[4], int stats_from,
                          int64_t took_ms[N_READERS])
{
    int64_t start = now_ns(), end = start + APPEAR_MS * MS;
    bool done[N_READERS] = {false};
    for (int left = N_READERS; left;) {
        for (int k = 0; k < N_READERS; k++) {
            if (done[k])
                continue;
            alive(rs->pid[k], reader_names[k], rs->err[k]);
            if (shows(rs, k, pid, c, stats_from)) {
                done[k] = true;
                took_ms[k] = (now_ns() - start) / MS;
                left--;
            } else if (now_ns() > end) {
                fprintf(stderr, "%s never showed producer %d\n",
                        reader_names[k], (int)pid);
                print_file("its stdout", rs->out[k]);
                print_file("its stderr", rs->err[k]);
                CHECK(!"a reader did not follow the producer");
            }
        }
        sleep_ms(5);
    }
}

/* ---- the corrupter ---------------------------------------------------------
 */

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* A same-user process that maps the segment read-write and, for ms
 * milliseconds, as fast as it can, names frames no slot holds, leaves
 * slots odd, writes impossible descriptors, and bumps and wakes the futex
 * word. Nothing it writes is a readable frame. */
static void corrupt(int ms)
{
    char path[FRAME__PATH_MAX + 8];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", seg);
    int fd = shm_open(path, O_RDWR, 0);
    CHECK(fd >= 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    uint8_t *base = mmap(NULL, FRAME__HEADER_SIZE, PROT_READ | PROT_WRITE,
                         MAP_SHARED, fd, 0);
    CHECK(base != MAP_FAILED);
    struct frame__header *h = (void *)base;
    uint32_t slots = h->fixed.slot_count;
    uint64_t x = 0x9e3779b97f4a7c15u ^ (uint64_t)getpid();
    int64_t end = now_ns() + (int64_t)ms * MS;
    for (unsigned i = 0; now_ns() < end; i++) {
        uint64_t r = xorshift(&x);
        struct frame__slot *s = &h->slot[r % slots];
        switch (i % 5) {
        case 0: /* a frame number far beyond any slot's, or a bad index */
            atomic_store(&h->latest, ((r >> 24) | UINT64_C(1) << 40) << 8 |
                                         (r & 1 ? 0xee : r % slots));
            break;
        case 1:
            atomic_store(&s->seq, r | 1);
            break;
        case 2:
            atomic_store(&s->width, (r & 1) ? 0 : 0x7fffffffu);
            atomic_store(&s->stride[0], 4);
            break;
        case 3:
            atomic_store(&s->format, 0x77);
            break;
        case 4:
            atomic_fetch_add(&h->publish_count, 1);
            syscall(SYS_futex, &h->publish_count, FUTEX_WAKE, INT32_MAX, NULL,
                    NULL, 0);
            break;
        }
    }
    _exit(0);
}

/* The end-to-end case: a producer stopped (alive, holding its
 * segment) while a corrupter scribbles over its header for 3 s under both
 * viewers, framectl dump --follow and the sample reader; then a healthy
 * producer takes the name. None may spin meanwhile, each follows the new
 * producer, and no corrupt frame is ever shown or recorded. */
static void corrupted_then_restarted(void)
{
    setup("corrupt");
    static const uint8_t red[4] = {200, 10, 10, 255},
                         green[4] = {10, 200, 10, 255};
    char a[128], b[128], aerr[128], berr[128];
    in_dir(a, sizeof(a), "a.png");
    in_dir(b, sizeof(b), "b.png");
    in_dir(aerr, sizeof(aerr), "producer-a.err");
    in_dir(berr, sizeof(berr), "producer-b.err");
    write_solid_png(a, red);
    write_solid_png(b, green);

    /* Readers first: each waits for the producer in its own way. */
    struct readers rs;
    start_readers(&rs);
    pid_t pa = start_producer(a, aerr);
    wait_for_writer(pa, aerr);
    int64_t took[N_READERS];
    wait_all_show(&rs, pa, red, 0, took);

    CHECK(kill(pa, SIGSTOP) == 0);
    double before[N_READERS];
    for (int k = 0; k < N_READERS; k++)
        before[k] = cpu_seconds(rs.pid[k]);
    int64_t t0 = now_ns();
    pid_t vandal = fork_child();
    if (vandal == 0)
        corrupt(CORRUPT_MS);
    expect_exit(vandal, 0, CORRUPT_MS + EXIT_MS, "the corrupter", NULL);
    double wall = (double)(now_ns() - t0) / 1e9;
    bool spun = false;
    for (int k = 0; k < N_READERS; k++) {
        alive(rs.pid[k], reader_names[k], rs.err[k]);
        double cpu = cpu_seconds(rs.pid[k]) - before[k];
        fprintf(stderr, "%-30s CPU %.2f s in %.2f s of corruption (%.1f%%)\n",
                reader_names[k], cpu, wall, 100 * cpu / wall);
        spun |= cpu > CPU_SHARE_MAX * wall;
    }
    CHECK(!spun);

    /* Said once each, in its own words, not blamed on the producer. */
    CHECK(file_count(rs.err[HEADLESS], "cannot be read") == 1);
    CHECK(file_count(rs.err[SAMPLE], "cannot be read") == 1);
    CHECK(!file_has(rs.err[HEADLESS], "more slots than the writer can spare"));

    kill_child(pa, EXIT_MS, "the stopped producer", aerr);
    int stats_from = file_lines(rs.out[WINDOW]);
    pid_t pb = start_producer(b, berr);
    wait_for_writer(pb, berr);
    CHECK(file_has(berr, "replaced the stale segment"));
    /* Following is the event judged (APPEAR_MS is a hang guard); how soon
     * is for the record. */
    wait_all_show(&rs, pb, green, stats_from, took);
    for (int k = 0; k < N_READERS; k++)
        fprintf(stderr, "%-30s followed the new producer in %lld ms\n",
                reader_names[k], (long long)took[k]);

    sleep_ms(300); /* a few more frames of the new producer everywhere */
    for (int k = 0; k < N_READERS; k++)
        stop_child(rs.pid[k], SIGTERM, EXIT_MS, reader_names[k], rs.err[k]);
    stop_child(pb, SIGTERM, EXIT_MS, "the new producer", berr);

    /* What was shown and recorded: whole frames of one producer or the
     * other, never anything the corrupter wrote. */
    struct stat st;
    CHECK(stat(rs.out[DUMP], &st) == 0);
    CHECK(st.st_size > 0 && st.st_size % (off_t)FRAME_BYTES == 0);
    int fd = open(rs.out[DUMP], O_RDONLY);
    CHECK(fd >= 0);
    static uint8_t frame[FRAME_BYTES];
    for (off_t at = 0; at < st.st_size; at += (off_t)FRAME_BYTES) {
        CHECK(pread(fd, frame, FRAME_BYTES, at) == (ssize_t)FRAME_BYTES);
        const uint8_t *c = frame[1] == red[1] ? red : green;
        for (size_t i = 0; i < FRAME_BYTES; i += 4)
            CHECK(memcmp(frame + i, c, 4) == 0);
    }
    close(fd);
    CHECK(file_has(rs.out[SAMPLE], "average 10 200 10\n"));
    char *snap = read_text(rs.snap);
    CHECK(snap); /* written at exit: the window showed a frame */
    free(snap);
    cleanup();
}

/* ---- the sample reader on a truncated segment -----------------------------
 */

/* A writer that publishes descriptors only, never a pixel, at ~30 fps
 * until killed: after its segment is truncated to the header page it goes
 * on publishing, and every reader that reads a frame's pixels faults. */
static pid_t start_header_writer(void)
{
    pid_t pid = fork_child();
    if (pid)
        return pid;
    struct frame_format fmt = {.max_width = W, .max_height = H};
    frame_writer *w;
    if (frame_writer_create(seg, &fmt, &w, NULL))
        _exit(1);
    struct frame_buffer fb;
    if (frame_writer_begin(w, W, H, &fb))
        _exit(1);
    memset(fb.pixels, 0x80, FRAME_BYTES);
    frame_writer_commit(w, 0, 0);
    for (;;) {
        sleep_ms(33);
        if (frame_writer_begin(w, W, H, &fb) == 0)
            frame_writer_commit(w, 0, 1);
    }
}

static void truncate_segment(off_t size)
{
    char path[FRAME__PATH_MAX + 8];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", seg);
    int fd = shm_open(path, O_RDWR, 0);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, size) == 0);
    close(fd);
}

/* The reader users copy must not spin once its mapping is gone (it did:
 * FRAME_EDEAD was "try again"), and must follow the next producer. */
static void sample_truncated(void)
{
    setup("sample");
    char out[128], err[128], png[128], perr[128];
    in_dir(out, sizeof(out), "sample.out");
    in_dir(err, sizeof(err), "sample.err");
    in_dir(png, sizeof(png), "green.png");
    in_dir(perr, sizeof(perr), "producer.err");
    static const uint8_t grey[4] = {0x80, 0x80, 0x80, 0x80},
                         green[4] = {10, 200, 10, 255};
    write_solid_png(png, green);

    pid_t w = start_header_writer();
    const char *argv[] = {READER_EXAMPLE_PATH, seg, NULL};
    pid_t r = spawn(&(struct spawn_opts){.argv = argv, .out = out, .err = err});
    char text[64];
    snprintf(text, sizeof(text), "average %u %u %u\n", grey[0], grey[1],
             grey[2]);
    int64_t end = now_ns() + APPEAR_MS * MS;
    while (!file_has(out, text)) {
        alive(r, "reader-example", err);
        CHECK(now_ns() < end);
        sleep_ms(10);
    }
    truncate_segment(FRAME__HEADER_SIZE);
    end = now_ns() + APPEAR_MS * MS;
    while (!file_has(err, "truncated")) {
        alive(r, "reader-example", err);
        if (now_ns() > end) {
            print_file("its stderr", err);
            CHECK(!"the sample did not say its segment was truncated");
        }
        sleep_ms(10);
    }
    /* The writer goes on publishing over the damage for 2 s more. */
    double before = cpu_seconds(r);
    int64_t t0 = now_ns();
    sleep_ms(2000);
    double wall = (double)(now_ns() - t0) / 1e9;
    double cpu = cpu_seconds(r) - before;
    fprintf(stderr,
            "reader-example: CPU %.2f s in %.2f s after the "
            "truncation\n",
            cpu, wall);
    CHECK(cpu <= CPU_SHARE_MAX * wall);
    CHECK(file_count(err, "truncated") == 1);

    kill_child(w, EXIT_MS, "the header-only writer", NULL);
    pid_t p = start_producer(png, perr);
    wait_for_writer(p, perr);
    snprintf(text, sizeof(text), "average %u %u %u\n", green[0], green[1],
             green[2]);
    end = now_ns() + APPEAR_MS * MS;
    while (!file_has(out, text)) {
        alive(r, "reader-example", err);
        if (now_ns() > end) {
            print_file("its stderr", err);
            CHECK(!"the sample did not follow the new producer");
        }
        sleep_ms(10);
    }
    stop_child(r, SIGTERM, EXIT_MS, "reader-example", err);
    stop_child(p, SIGTERM, EXIT_MS, "the producer", perr);
    cleanup();
}

/* ---- in one process --------------------------------------------------------
 */

/* The segment's header page, read-write, as another process of ours could
 * map it. */
static struct frame__header *map_header_rw(void)
{
    char path[FRAME__PATH_MAX + 8];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", seg);
    int fd = shm_open(path, O_RDWR, 0);
    CHECK(fd >= 0);
    void *p = mmap(NULL, FRAME__HEADER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                   fd, 0);
    CHECK(p != MAP_FAILED);
    close(fd);
    return p;
}

static void publish(frame_writer *w, uint8_t value)
{
    struct frame_buffer fb;
    CHECK_RC(frame_writer_begin(w, W, H, &fb), 0);
    memset(fb.pixels, value, FRAME_BYTES);
    CHECK_RC(frame_writer_commit(w, 0, value), 0);
}

/* A writer on seg that published one frame of `value`, and a reader. */
static void writer_and_reader(uint8_t value, frame_writer **w, frame_reader **r)
{
    struct frame_format fmt = {.max_width = W, .max_height = H};
    CHECK_RC(frame_writer_create(seg, &fmt, w, NULL), 0);
    publish(*w, value);
    CHECK_RC(frame_reader_open(seg, r), 0);
}

/* CPU this thread has used, in ms. */
static double thread_cpu_ms(void)
{
    struct rusage ru;
    CHECK(getrusage(RUSAGE_THREAD, &ru) == 0);
    return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
           ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

/* A wait that must sleep through timeout_ms: returns -ETIMEDOUT having
 * used next to no CPU. */
static void sleeps(frame_reader *r, int timeout_ms)
{
    double cpu = thread_cpu_ms();
    CHECK_RC(frame_reader_wait(r, timeout_ms), -ETIMEDOUT);
    cpu = thread_cpu_ms() - cpu;
    if (cpu > 0.1 * timeout_ms) {
        fprintf(stderr, "a %d ms wait used %.0f ms of CPU\n", timeout_ms, cpu);
        CHECK(!"frame_reader_wait spun");
    }
}

/* One bad store used to wedge every reader: acquire failed forever, and
 * wait returned 0 at once, before its checks. Now the header is broken,
 * said once, slept on, healed by the writer, and the writer's close and
 * its successor are still seen. */
static void bad_store_not_wedged(void)
{
    setup("wedge");
    struct frame_format fmt = {.max_width = W, .max_height = H};
    frame_writer *w;
    frame_reader *r;
    writer_and_reader(1, &w, &r);
    struct frame_view v;
    CHECK_RC(frame_reader_wait(r, 1000), 0);
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(frame_reader_state(r, NULL) == FRAME_READER_ATTACHED);

    /* A frame number no slot holds. */
    struct frame__header *h = map_header_rw();
    uint64_t good = atomic_load(&h->latest);
    atomic_store(&h->latest, (UINT64_C(999) << 8) | (good & 0xff));
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_EBUSY);
    int why;
    CHECK(frame_reader_state(r, &why) == FRAME_READER_BROKEN);
    CHECK_RC(why, FRAME_EBADFRAME);
    CHECK_RC(frame_reader_wait(r, 0), FRAME_EBADFRAME);
    sleeps(r, 300);

    /* The writer's next frame heals it. */
    publish(w, 2);
    CHECK_RC(frame_reader_wait(r, 5000), 0);
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.source_index == 2 && v.pixels[0] == 2);
    CHECK(frame_reader_state(r, NULL) == FRAME_READER_ATTACHED);

    /* A slot left odd, and an index beyond the slots: broken again, not
     * said again (once per segment), still slept on. */
    good = atomic_load(&h->latest);
    atomic_fetch_or(&h->slot[good & 0xff].seq, 1);
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_EBUSY);
    sleeps(r, 300);
    atomic_store(&h->latest, (good & ~UINT64_C(0xff)) | 0xee);
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_EBADFRAME);
    sleeps(r, 300);
    CHECK(frame_reader_state(r, NULL) == FRAME_READER_BROKEN);

    /* Another process bumping and waking the futex word by hand. */
    pid_t waker = fork_child();
    if (waker == 0) {
        int64_t end = now_ns() + 1500 * MS;
        while (now_ns() < end) {
            atomic_fetch_add(&h->publish_count, 1);
            syscall(SYS_futex, &h->publish_count, FUTEX_WAKE, INT32_MAX, NULL,
                    NULL, 0);
        }
        _exit(0);
    }
    sleeps(r, 1000);
    expect_exit(waker, 0, EXIT_MS, "the futex waker", NULL);

    /* Its writer's close is seen through the broken header... */
    frame_writer_destroy(w);
    CHECK_RC(frame_reader_wait(r, 5000), FRAME_ECLOSED);
    CHECK(frame_reader_state(r, NULL) == FRAME_READER_CLOSED);
    munmap(h, FRAME__HEADER_SIZE);
    /* ... and so is the next writer. */
    CHECK_RC(frame_writer_create(seg, &fmt, &w, NULL), 0);
    publish(w, 3);
    CHECK_RC(frame_reader_wait(r, 5000), FRAME_ERESTARTED);
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.source_index == 3 && v.pixels[0] == 3);
    frame_reader_close(r);
    frame_writer_destroy(w);
    cleanup();
}

/* A handle opened before its writer exists, through every state. */
static void waiting_handle(void)
{
    setup("waiting");
    frame_reader *r;
    CHECK_RC(frame_reader_open(seg, &r), -ENOENT);
    CHECK_RC(frame_reader_open_flags(seg, 0x100, &r), -EINVAL);
    CHECK_RC(frame_reader_open_flags("bad/name", FRAME_OPEN_WAIT, &r), -EINVAL);
    CHECK_RC(frame_reader_open_flags(seg, FRAME_OPEN_WAIT, &r), 0);
    CHECK(frame_reader_state(r, NULL) == FRAME_READER_WAITING);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_ENOFRAME);
    struct frame_info info;
    CHECK_RC(frame_reader_info(r, &info), -ENOENT);
    sleeps(r, 300);

    /* Something foreign under the name: broken, said once. */
    char path[128];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             seg);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, "not a segment", 13) == 13);
    close(fd);
    CHECK_RC(frame_reader_wait(r, APPEAR_MS), FRAME_ETRUNCATED);
    int why;
    CHECK(frame_reader_state(r, &why) == FRAME_READER_BROKEN);
    CHECK_RC(why, FRAME_ETRUNCATED);
    sleeps(r, 600);

    /* A writer replaces it: attached. */
    struct frame_format fmt = {.max_width = W, .max_height = H};
    frame_writer *w;
    bool replaced = false;
    CHECK_RC(frame_writer_create(seg, &fmt, &w, &replaced), 0);
    CHECK(replaced);
    publish(w, 7);
    CHECK_RC(frame_reader_wait(r, APPEAR_MS), FRAME_ERESTARTED);
    CHECK(frame_reader_state(r, NULL) == FRAME_READER_ATTACHED);
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.pixels[0] == 7);
    frame_writer_destroy(w);
    CHECK_RC(frame_reader_wait(r, APPEAR_MS), FRAME_ECLOSED);
    /* The last frame stays readable. */
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.pixels[0] == 7 && frame_reader_still_valid(r, &v));
    frame_reader_close(r);

    /* Opened on something unusable: the first wait says why. */
    fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
    CHECK(fd >= 0);
    static uint8_t zeros[FRAME__HEADER_SIZE];
    CHECK(write(fd, zeros, sizeof(zeros)) == (ssize_t)sizeof(zeros));
    close(fd);
    CHECK_RC(frame_reader_open(seg, &r), FRAME_ENOTFRAME);
    CHECK_RC(frame_reader_open_flags(seg, FRAME_OPEN_WAIT, &r), 0);
    CHECK(frame_reader_state(r, &why) == FRAME_READER_BROKEN);
    CHECK_RC(why, FRAME_ENOTFRAME);
    CHECK_RC(frame_reader_wait(r, 0), FRAME_ENOTFRAME);
    sleeps(r, 300);
    frame_reader_close(r);
    unlink(path);
    cleanup();
}

/* ---- the look for a new writer, watched from inside ---------------------- */

/* This program is linked with --wrap=shm_open and --wrap=clock_nanosleep
 * (lifecycle.cmake): the library's looks at the name and its sleeps pass
 * through here. While a case watches, each sleep's planned end is compared
 * with the look before it. The library plans the next look from a clock
 * read before that look, so for a back-off capped at SEARCH_MAX_MS the
 * planned end is never more than that after it, however late anything
 * runs; a longer back-off shows at its first sleep. */
static bool watching;
static int looks, planned;
static int64_t last_look_ns, longest_plan_ns;

int __real_shm_open(const char *name, int oflag, mode_t mode);
int __wrap_shm_open(const char *name, int oflag, mode_t mode)
{
    if (watching) {
        looks++;
        last_look_ns = now_ns();
    }
    return __real_shm_open(name, oflag, mode);
}

int __real_clock_nanosleep(clockid_t clock, int flags,
                           const struct timespec *req, struct timespec *rem);
int __wrap_clock_nanosleep(clockid_t clock, int flags,
                           const struct timespec *req, struct timespec *rem)
{
    if (watching && looks > 0 && clock == CLOCK_MONOTONIC &&
        (flags & TIMER_ABSTIME)) {
        int64_t until = (int64_t)req->tv_sec * 1000000000 + req->tv_nsec;
        if (until - last_look_ns > longest_plan_ns)
            longest_plan_ns = until - last_look_ns;
        planned++;
    }
    return __real_clock_nanosleep(clock, flags, req, rem);
}

/* r searching for a writer that does not come (the state is for the log):
 * waits of a second, longer than the cap, so each makes a look. Enough
 * looks for the back-off (20 ms, doubling) to reach the cap and stay there
 * a while; the count of calls is only a hang guard. */
static void search_watched(frame_reader *r, const char *state)
{
    looks = planned = 0;
    longest_plan_ns = 0;
    watching = true;
    for (int calls = 0; looks < 10; calls++) {
        CHECK(calls < 100);
        CHECK_RC(frame_reader_wait(r, 1000), -ETIMEDOUT);
    }
    watching = false;
    fprintf(stderr,
            "%s: %d looks, %d sleeps planned, the longest "
            "%.1f ms after its look\n",
            state, looks, planned, longest_plan_ns / 1e6);
    CHECK(planned > 0);
    CHECK(longest_plan_ns <= SEARCH_MAX_MS * MS);
}

/* WAITING, then CLOSED: the handle looks for a writer with a back-off that
 * grows to SEARCH_MAX_MS and no further, and finds the one that comes. */
static void search_backoff_capped(void)
{
    setup("backoff");
    frame_reader *r;
    CHECK_RC(frame_reader_open_flags(seg, FRAME_OPEN_WAIT, &r), 0);
    search_watched(r, "waiting");

    /* A writer comes: found. Then it closes, and the search starts over. */
    struct frame_format fmt = {.max_width = W, .max_height = H};
    frame_writer *w;
    CHECK_RC(frame_writer_create(seg, &fmt, &w, NULL), 0);
    publish(w, 3);
    CHECK_RC(frame_reader_wait(r, APPEAR_MS), FRAME_ERESTARTED);
    struct frame_view v;
    CHECK_RC(frame_reader_acquire(r, &v), 0);
    CHECK(v.pixels[0] == 3);
    frame_writer_destroy(w);
    CHECK_RC(frame_reader_wait(r, APPEAR_MS), FRAME_ECLOSED);
    search_watched(r, "closed");
    frame_reader_close(r);
    cleanup();
}

/* (height - 1) * dst_stride used to wrap for a huge dst_stride, and the
 * copy then wrote far outside dst. */
static void copy_huge_stride(void)
{
    setup("stride");
    frame_writer *w;
    frame_reader *r;
    writer_and_reader(5, &w, &r);
    static uint8_t dst[FRAME_BYTES];
    /* 47 * stride wraps to a small number for each of these. */
    const size_t strides[] = {SIZE_MAX / 47 + 1, SIZE_MAX / 2 + 1, SIZE_MAX - 3,
                              (SIZE_MAX / 47 + 1) * 2};
    for (size_t i = 0; i < sizeof(strides) / sizeof(strides[0]); i++) {
        struct frame_view v;
        CHECK_RC(frame_reader_copy(r, dst, strides[i], sizeof(dst), &v),
                 -ENOSPC);
        CHECK(v.width == W && v.height == H && v.pixels == NULL);
    }
    struct frame_view v;
    CHECK_RC(frame_reader_copy(r, dst, 0, sizeof(dst), &v), 0);
    CHECK(v.pixels == NULL && dst[0] == 5 && dst[FRAME_BYTES - 1] == 5);
    frame_reader_close(r);
    frame_writer_destroy(w);
    cleanup();
}

/* ---- pid namespaces
 * ---------------------------------------------------------- */

struct ns_writer {
    int go[2];   /* the test writes a byte: create now */
    int res[2];  /* the child's result: rc, then its session id */
    int hold[2]; /* the winner keeps its segment until this closes */
};

static int ns_writer_run(struct ns_writer *nw);

/* A child that enters a new pid namespace and runs ns_writer_run() as its
 * pid 1; its exit status is that function's. */
static pid_t start_ns_writer(struct ns_writer *nw)
{
    pid_t outer = fork_child();
    if (outer)
        return outer;
    /* Only the test's ends stay open there: the hold pipe must see EOF. */
    close(nw->go[1]);
    close(nw->res[0]);
    close(nw->hold[1]);
    if (unshare(CLONE_NEWPID) != 0)
        _exit(SKIP);
    pid_t inner = fork();
    if (inner < 0)
        _exit(125);
    if (inner == 0) {
        if (getpid() != 1)
            _exit(124);
        _exit(ns_writer_run(nw));
    }
    int st;
    while (waitpid(inner, &st, 0) < 0 && errno == EINTR)
        ;
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 123);
}

static int ns_writer_run(struct ns_writer *nw)
{
    char c;
    if (read(nw->go[0], &c, 1) != 1)
        return 2;
    struct frame_format fmt = {.max_width = W, .max_height = H};
    frame_writer *w = NULL;
    int rc = frame_writer_create(seg, &fmt, &w, NULL);
    struct frame_info info = {0};
    if (rc == 0)
        frame_writer_info(w, &info);
    uint64_t msg[2] = {(uint64_t)(int64_t)rc, info.session_id};
    if (write(nw->res[1], msg, sizeof(msg)) != (ssize_t)sizeof(msg))
        return 3;
    if (rc == 0) {
        while (read(nw->hold[0], &c, 1) > 0)
            ;
        frame_writer_destroy(w);
    }
    return 0;
}

static bool have_pid_namespaces(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "pid namespaces need root here: skipped\n");
        return false;
    }
    return true;
}

/* Two writers whose pid is 1, each in a namespace of its own, sharing
 * /dev/shm (two containers): exactly one wins and is what the name shows;
 * the other is told FRAME_EALIVE. And an object another namespace's writer
 * is building under NAME~1 is never removed by ours. */
static void pid_namespaces(void)
{
    if (!have_pid_namespaces())
        exit(SKIP);
    setup("pidns");

    /* What an older writer of another namespace, pid 1 there, is
     * building: locked, fresh. Ours has pid 1 too. */
    char priv[128];
    snprintf(priv, sizeof(priv), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s~1",
             seg);
    int pfd = open(priv, O_CREAT | O_EXCL | O_RDWR, 0600);
    CHECK(pfd >= 0);
    CHECK_RC(frame__lock_take(pfd), 0);

    for (int round = 0; round < 10; round++) {
        struct ns_writer nw[2];
        pid_t pid[2];
        for (int i = 0; i < 2; i++) {
            CHECK(pipe(nw[i].go) == 0 && pipe(nw[i].res) == 0 &&
                  pipe(nw[i].hold) == 0);
            pid[i] = start_ns_writer(&nw[i]);
            close(nw[i].go[0]);
            close(nw[i].res[1]);
            close(nw[i].hold[0]);
        }
        for (int i = 0; i < 2; i++)
            CHECK(write(nw[i].go[1], "g", 1) == 1);
        int64_t rc[2];
        uint64_t session[2];
        for (int i = 0; i < 2; i++) {
            uint64_t msg[2];
            ssize_t n = read(nw[i].res[0], msg, sizeof(msg));
            if (n == 0) {
                int st = exit_code(pid[i], EXIT_MS, "namespace writer", NULL);
                if (st == SKIP) {
                    fprintf(stderr, "unshare(CLONE_NEWPID) refused: "
                                    "skipped\n");
                    close(pfd);
                    unlink(priv);
                    cleanup();
                    exit(SKIP);
                }
                fprintf(stderr, "namespace writer exited %d\n", st);
                CHECK(!"a namespace writer said nothing");
            }
            CHECK(n == (ssize_t)sizeof(msg));
            rc[i] = (int64_t)msg[0];
            session[i] = msg[1];
        }
        fprintf(stderr, "round %d: %s / %s\n", round,
                frame_strerror((int)rc[0]), frame_strerror((int)rc[1]));
        int winner = rc[0] == 0 ? 0 : 1;
        CHECK(rc[winner] == 0);
        CHECK_RC((int)rc[!winner], FRAME_EALIVE);
        struct frame_info info;
        CHECK_RC(frame_segment_info(seg, &info), 0);
        CHECK(info.writer_alive && info.writer_pid == 1);
        CHECK(info.session_id == session[winner]);
        for (int i = 0; i < 2; i++) {
            close(nw[i].go[1]);
            close(nw[i].hold[1]);
            close(nw[i].res[0]);
            expect_exit(pid[i], 0, EXIT_MS, "namespace writer", NULL);
        }
        CHECK_RC(frame_segment_info(seg, &info), -ENOENT);
    }
    /* The other namespace's object is untouched, and still ours to judge
     * by its lock, not by a pid. */
    struct stat st;
    CHECK(stat(priv, &st) == 0);
    char which[FRAME_NAME_MAX + 8];
    snprintf(which, sizeof(which), "%s~1", seg);
    CHECK_RC(frame_leftover_stale(which, true), 0);
    close(pfd);
    unlink(priv);
    cleanup();
}

/* ---- the SIGBUS guard ------------------------------------------------------
 */

/* The guard's handler maps zeros over a faulted range with mmap(MAP_FIXED);
 * the test's wrapper of mmap (lifecycle.cmake) holds it there, inside the
 * handler, while another thread removes a guard entry and would unmap. */
static atomic_int guard_armed, handler_inside, remove_called, remove_returned,
    returned_while_inside;

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
                  off_t off)
{
    if ((flags & MAP_FIXED) && (flags & MAP_ANONYMOUS) &&
        atomic_exchange(&guard_armed, 0)) {
        atomic_store(&handler_inside, 1);
        /* Async-signal-safe waiting only: we are in the SIGBUS handler. */
        int64_t end = now_ns() + 20000 * MS;
        while (!atomic_load(&remove_called) && now_ns() < end)
            sched_yield();
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
        atomic_store(&returned_while_inside, atomic_load(&remove_returned));
    }
    return __real_mmap(addr, len, prot, flags, fd, off);
}

struct remover {
    struct frame__guard *g;
};

static void *remove_while_handled(void *arg)
{
    struct remover *rm = arg;
    int64_t end = now_ns() + 20000 * MS;
    while (!atomic_load(&handler_inside) && now_ns() < end)
        sched_yield();
    atomic_store(&remove_called, 1);
    frame__guard_remove(rm->g);
    atomic_store(&remove_returned, 1);
    return NULL;
}

/* A thread that removes a guard entry (and would then unmap its range)
 * while a SIGBUS handler is inside the table must wait for it to leave:
 * otherwise the handler, holding a base and length read before the
 * removal, could map zeros over whatever is mapped there next. */
static void guard_remove_waits_for_handler(void)
{
    setup("guard");
    frame_writer *w;
    frame_reader *r;
    writer_and_reader(9, &w, &r);
    void *spare =
        mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(spare != MAP_FAILED);
    struct remover rm;
    CHECK_RC(frame__guard_add(spare, 4096, PROT_READ, &rm.g), 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, remove_while_handled, &rm) == 0);

    truncate_segment(0);
    atomic_store(&guard_armed, 1);
    struct frame_view v;
    /* Its first load faults: the handler runs, held by the wrapper. */
    CHECK_RC(frame_reader_acquire(r, &v), FRAME_EDEAD);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(atomic_load(&handler_inside) && atomic_load(&remove_returned));
    if (atomic_load(&returned_while_inside))
        CHECK(!"frame__guard_remove returned while a handler was inside");
    munmap(spare, 4096);
    frame_reader_close(r);
    frame_writer_destroy(w);
    cleanup();
}

TEST_MAIN(CASE(corrupted_then_restarted), CASE(sample_truncated),
          CASE(bad_store_not_wedged), CASE(waiting_handle),
          CASE(search_backoff_capped), CASE(copy_huge_stride),
          CASE(pid_namespaces), CASE(guard_remove_waits_for_handler))
