/* framectl as users run it: the real binary against real writer processes. */
#include "frame_internal.h"
#include "proc.h"
#include "runner.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>

#ifndef FRAMECTL_PATH
#error "FRAMECTL_PATH must name the framectl binary"
#endif

#define RUN_LIMIT_S 20 /* a framectl run that takes longer has hung */
/* What dump says first of a 40x30 RGBA8 stream whose rate is unknown. */
#define RGBA_40x30                                                             \
    "40x30 RGBA: ffmpeg -f rawvideo -pixel_format rgba -video_size 40x30 "     \
    "-i -\n"

/* ---- writer processes ---------------------------------------------------- */

enum writer_kind {
    W_STREAM, /* a frame every 10 ms until killed */
    W_ONE,    /* one frame, then idle until killed */
    W_RESIZE, /* like W_STREAM, at half the size once resize_after holds a
                 whole frame: the dump has seen the first size, however
                 late it started */
};

/* Frame k's bytes: the first pixel carries k, the rest depends on k too, so
 * every frame differs from every other. */
static uint8_t pattern(uint64_t k, uint32_t x, uint32_t y, int c)
{
    if (x == 0 && y == 0 && c < 3)
        return (uint8_t)(k >> (8 * c));
    return (uint8_t)(k * 31 + x * 7 + y * 13 + (uint32_t)c * 101);
}

static void fill(const struct frame_buffer *b, uint64_t k)
{
    for (uint32_t y = 0; y < b->height; y++)
        for (uint32_t x = 0; x < b->width; x++)
            for (int c = 0; c < 4; c++)
                b->pixels[(size_t)y * b->stride + x * 4 + c] =
                    pattern(k, x, y, c);
}

/* W_RESIZE's cue: the file a dump of the first size writes into. */
static const char *resize_after;

static bool holds_a_frame(const char *path, uint32_t w, uint32_t h)
{
    struct stat st;
    return path && stat(path, &st) == 0 && (uint64_t)st.st_size >= w * h * 4u;
}

static void writer_child(const char *name, enum writer_kind kind, uint32_t w,
                         uint32_t h, uint32_t slots, int ready)
{
    struct frame_format fmt = {
        .max_width = w, .max_height = h, .slot_count = slots};
    frame_writer *fw;
    if (frame_writer_create(name, &fmt, &fw, NULL) != 0)
        _exit(3);
    bool half = false;
    for (uint64_t k = 1;; k++) {
        half = half || (kind == W_RESIZE && holds_a_frame(resize_after, w, h));
        struct frame_buffer b;
        if (frame_writer_begin(fw, half ? w / 2 : w, half ? h / 2 : h, &b))
            _exit(4);
        fill(&b, k);
        if (frame_writer_commit(fw, 0, k))
            _exit(5);
        if (k == 1 && write(ready, "x", 1) != 1)
            _exit(6);
        if (kind == W_ONE)
            for (;;)
                pause();
        usleep(10000);
    }
}

/* A writer process publishing into `name`; returns once its first frame is
 * out. */
static pid_t start_writer(const char *name, enum writer_kind kind, uint32_t w,
                          uint32_t h, uint32_t slots)
{
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork_child();
    if (pid == 0) {
        close(ready[0]);
        writer_child(name, kind, w, h, slots, ready[1]);
    }
    close(ready[1]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    return pid;
}

/* A writer killed before it could close: its segment stays, lock-less. */
static pid_t dead_writer(const char *name)
{
    pid_t pid = start_writer(name, W_ONE, 16, 16, 2);
    kill_child(pid, NO_LIMIT, "writer", NULL);
    return pid;
}

static void stop_writer(pid_t pid, const char *name)
{
    kill_child(pid, NO_LIMIT, "writer", NULL);
    test_unlink(name);
}

/* An object under our prefix that is not a segment: never ours to touch. */
static void garbage_object(const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "/" FRAME_OBJECT_PREFIX "%s", name);
    int fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, "not a frame segment", 19) == 19);
    CHECK(ftruncate(fd, 8192) == 0);
    close(fd);
}

static bool shm_exists(const char *file)
{
    char path[256];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/%s", file);
    struct stat st;
    return stat(path, &st) == 0;
}

static bool segment_exists(const char *name)
{
    char file[128];
    snprintf(file, sizeof(file), FRAME_OBJECT_PREFIX "%s", name);
    return shm_exists(file);
}

/* ---- running framectl ---------------------------------------------------- */

struct run {
    int status;
    char out[1 << 16];
    char err[1 << 14];
};

static struct run R; /* the last run's results */

/* framectl with args (NULL-terminated), stdout and stderr to out_fd and
 * err_fd. */
static pid_t spawn_framectl(int out_fd, int err_fd, const char *const *args)
{
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, FRAMECTL_PATH);
    cmdline_add_all(&c, args);
    return spawn(&(struct spawn_opts){.argv = c.argv,
                                      .out_fd = out_fd,
                                      .err_fd = err_fd,
                                      .limit_s = RUN_LIMIT_S});
}

/* framectl with args (NULL-terminated) to its end; results in R. */
static int run_framectl(const char *const *args)
{
    int out = capture_fd(), err = capture_fd();
    R.status =
        exit_code(spawn_framectl(out, err, args), NO_LIMIT, "framectl", NULL);
    read_capture(out, R.out, sizeof(R.out));
    read_capture(err, R.err, sizeof(R.err));
    return R.status;
}

/* framectl ARGS... ; results in R. */
static int framectl(const char *arg, ...)
{
    const char *args[32];
    size_t n = 0;
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
        args[n++] = a;
    va_end(ap);
    args[n] = NULL;
    return run_framectl(args);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The line of `text` whose first word is `word`, copied; NULL if none. */
static const char *line_of(const char *text, const char *word)
{
    static char line[1024];
    size_t wl = strlen(word);
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > wl && strncmp(p, word, wl) == 0 && p[wl] == ' ') {
            snprintf(line, sizeof(line), "%.*s", (int)len, p);
            return line;
        }
        p += len + (end ? 1 : 0);
    }
    return NULL;
}

/* Split a `list` row into words; returns how many. */
static int words(const char *line, char w[][64], int max)
{
    int n = 0;
    const char *p = line;
    while (*p && n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        size_t len = strcspn(p, " ");
        snprintf(w[n++], 64, "%.*s", (int)len, p);
        p += len;
    }
    return n;
}

/* ---- `info --json` read by Python's json module -------------------------- */

/* Python checks the text is one strict JSON object (no duplicate key, no
 * NaN, nothing after it) and prints its members a line each: key and value
 * re-encoded as JSON, a tab between, so neither holds a tab or newline. */
static const char json_members_py[] =
    "import json, sys\n"
    "def members(pairs):\n"
    "    if len({k for k, _ in pairs}) != len(pairs):\n"
    "        sys.exit('duplicate key')\n"
    "    return dict(pairs)\n"
    "def constant(c):\n"
    "    sys.exit('not JSON: ' + c)\n"
    "try:\n"
    "    doc = json.loads(sys.argv[1], object_pairs_hook=members,\n"
    "                     parse_constant=constant)\n"
    "except ValueError as e:\n"
    "    sys.exit(e)\n"
    "if not isinstance(doc, dict):\n"
    "    sys.exit('not an object')\n"
    "for k, v in doc.items():\n"
    "    print(json.dumps(k), json.dumps(v), sep='\\t')\n";

struct json_field {
    char key[64];
    char value[128]; /* strings without their quotes (escapes stay as
                        json.dumps writes them); other values as JSON */
    bool is_string;
};

struct json_doc {
    struct json_field f[40];
    int n;
};

/* s without the quotes around it, if it has them, into out. */
static bool unquote(const char *s, char *out, size_t cap)
{
    size_t len = strlen(s);
    if (len < 2 || s[0] != '"' || s[len - 1] != '"')
        return false;
    snprintf(out, cap, "%.*s", (int)(len - 2), s + 1);
    return true;
}

/* The whole text must be one object and nothing else. */
static bool json_parse(const char *text, struct json_doc *doc)
{
    static char lines[1 << 16];
    doc->n = 0;
    int out = capture_fd();
    const char *argv[] = {"python3", "-c", json_members_py, text, NULL};
    pid_t pid = spawn(&(struct spawn_opts){.argv = argv,
                                           .out_fd = out,
                                           .err_fd = STDERR_FILENO,
                                           .limit_s = RUN_LIMIT_S});
    int st = exit_code(pid, NO_LIMIT, "python3", NULL);
    read_capture(out, lines, sizeof(lines));
    if (st == 127)
        fprintf(stderr, "python3 is not installed (scripts/deps.sh)\n");
    if (st != 0)
        return false;
    for (char *p = lines, *nl; *p; p = nl + 1) {
        char *tab = strchr(p, '\t');
        if (!(nl = strchr(p, '\n')) || !tab || tab > nl || doc->n == 40)
            return false;
        *tab = *nl = 0;
        struct json_field *f = &doc->f[doc->n++];
        f->is_string = unquote(tab + 1, f->value, sizeof(f->value));
        if (!unquote(p, f->key, sizeof(f->key)))
            return false;
        if (!f->is_string)
            snprintf(f->value, sizeof(f->value), "%s", tab + 1);
    }
    return true;
}

static const struct json_field *json_get(const struct json_doc *doc,
                                         const char *key)
{
    for (int i = 0; i < doc->n; i++)
        if (strcmp(doc->f[i].key, key) == 0)
            return &doc->f[i];
    fprintf(stderr, "JSON key '%s' missing\n", key);
    return NULL;
}

static long long json_int(const struct json_doc *doc, const char *key)
{
    const struct json_field *f = json_get(doc, key);
    CHECK(f && !f->is_string);
    char *end;
    errno = 0;
    long long v = strtoll(f->value, &end, 10);
    CHECK(errno == 0 && *end == 0 && end != f->value);
    return v;
}

static const char *json_str(const struct json_doc *doc, const char *key)
{
    const struct json_field *f = json_get(doc, key);
    CHECK(f && f->is_string);
    return f->value;
}

static const char *json_raw(const struct json_doc *doc, const char *key)
{
    const struct json_field *f = json_get(doc, key);
    CHECK(f && !f->is_string);
    return f->value;
}

/* ---- cases --------------------------------------------------------------- */

/* Three objects side by side, named from tag: a live writer's segment
 * (64x48, three slots), a dead writer's, and junk under our prefix. */
struct three {
    char live[FRAME_NAME_MAX + 1], dead[FRAME_NAME_MAX + 1];
    char junk[FRAME_NAME_MAX + 1];
    pid_t live_pid, dead_pid;
};

static void three_make(struct three *t, const char *tag)
{
    char n[32];
    snprintf(n, sizeof(n), "%slive", tag);
    snprintf(t->live, sizeof(t->live), "%s", test_name(n));
    snprintf(n, sizeof(n), "%sdead", tag);
    snprintf(t->dead, sizeof(t->dead), "%s", test_name(n));
    snprintf(n, sizeof(n), "%sjunk", tag);
    snprintf(t->junk, sizeof(t->junk), "%s", test_name(n));
    t->live_pid = start_writer(t->live, W_STREAM, 64, 48, 3);
    t->dead_pid = dead_writer(t->dead);
    garbage_object(t->junk);
}

/* Whatever a case left of them goes. */
static void three_remove(const struct three *t)
{
    stop_writer(t->live_pid, t->live);
    test_unlink(t->dead);
    test_unlink(t->junk);
}

static void list_live_and_dead(void)
{
    struct three t;
    three_make(&t, "");
    const char *live = t.live, *dead = t.dead, *junk = t.junk;

    CHECK_RC(framectl("list", NULL), 0);
    fputs(R.out, stderr);
    CHECK(strncmp(R.out, "NAME ", 5) == 0);
    char w[16][64];
    char pid[16];

    /* NAME SIZE(2 words) SLOTS HELD MAX FRAME FORMAT PID WRITER STATE
     * FRAMES FPS LAST */
    const char *l = line_of(R.out, live);
    CHECK(l && words(l, w, 16) >= 14);
    snprintf(pid, sizeof(pid), "%d", (int)t.live_pid);
    CHECK(strcmp(w[3], "3") == 0 && strcmp(w[4], "0") == 0);
    CHECK(strcmp(w[5], "64x48") == 0);
    CHECK(strcmp(w[6], "64x48") == 0 && strcmp(w[7], "RGBA") == 0);
    CHECK(strcmp(w[8], pid) == 0);
    CHECK(strcmp(w[9], "alive") == 0 && strcmp(w[10], "running") == 0);
    CHECK(atoll(w[11]) >= 1);
    /* About 100 fps is published (a 10 ms sleep between frames); a loaded
     * machine or a sanitizer slows it, but it is never 0 or unknown. */
    double fps = atof(w[12]);
    CHECK(fps > 5 && fps < 150);

    l = line_of(R.out, dead);
    CHECK(l && words(l, w, 16) >= 14);
    snprintf(pid, sizeof(pid), "%d", (int)t.dead_pid);
    CHECK(strcmp(w[8], pid) == 0 && strcmp(w[9], "dead") == 0);
    CHECK(strcmp(w[11], "1") == 0 && strcmp(w[12], "-") == 0);

    /* The garbage is either absent or plainly not ours. */
    l = line_of(R.out, junk);
    if (l)
        CHECK(strstr(l, "not a libframe segment") && !strstr(l, "alive") &&
              !strstr(l, "dead"));
    three_remove(&t);
}

static const char *const info_keys[] = {
    "name",
    "segment_size",
    "slot_count",
    "slots_held",
    "slot_capacity",
    "max_width",
    "max_height",
    "format",
    "state",
    "writer_pid",
    "writer_alive",
    "writer_start_ns",
    "session_id",
    "publish_count",
    "latest_frame_no",
    "latest_width",
    "latest_height",
    "latest_format",
    "latest_timestamp_ns",
    "latest_age_ns",
    "heartbeat_age_ns",
};

static void info_json(void)
{
    char name[FRAME_NAME_MAX + 1];
    snprintf(name, sizeof(name), "%s", test_name("info"));
    pid_t pid = start_writer(name, W_ONE, 64, 48, 3);
    struct frame_info want;
    CHECK_RC(frame_segment_info(name, &want), 0);

    CHECK_RC(framectl("info", name, "--json", NULL), 0);
    struct json_doc doc;
    if (!json_parse(R.out, &doc))
        fprintf(stderr, "not valid JSON:\n%s", R.out);
    CHECK(json_parse(R.out, &doc));
    size_t nkeys = sizeof(info_keys) / sizeof(info_keys[0]);
    CHECK(doc.n == (int)nkeys); /* every documented key, once, no other */
    for (size_t i = 0; i < nkeys; i++)
        CHECK(json_get(&doc, info_keys[i]));

    CHECK(strcmp(json_str(&doc, "name"), name) == 0);
    /* A slot holds 64 * 48 * 4 = 12288 bytes, three pages exactly. */
    CHECK(json_int(&doc, "slot_capacity") == 12288);
    CHECK(json_int(&doc, "segment_size") == 4096 + 3 * 12288);
    CHECK(json_int(&doc, "slot_count") == 3);
    CHECK(json_int(&doc, "max_width") == 64);
    CHECK(json_int(&doc, "max_height") == 48);
    CHECK(strcmp(json_str(&doc, "format"), "RGBA") == 0);
    CHECK(strcmp(json_str(&doc, "state"), "running") == 0);
    CHECK(json_int(&doc, "writer_pid") == pid);
    CHECK(strcmp(json_raw(&doc, "writer_alive"), "true") == 0);
    CHECK(json_int(&doc, "writer_start_ns") == want.writer_start_ns);
    char sid[32];
    snprintf(sid, sizeof(sid), "%016" PRIx64, want.session_id);
    CHECK(strcmp(json_str(&doc, "session_id"), sid) == 0);
    CHECK(json_int(&doc, "publish_count") == (long long)want.publish_count);
    CHECK(json_int(&doc, "latest_frame_no") == 1);
    CHECK(json_int(&doc, "latest_width") == 64);
    CHECK(json_int(&doc, "latest_height") == 48);
    CHECK(strcmp(json_str(&doc, "latest_format"), "RGBA") == 0);
    CHECK(json_int(&doc, "latest_timestamp_ns") == want.latest_timestamp_ns);
    CHECK(json_int(&doc, "latest_age_ns") >= 0);
    CHECK(json_int(&doc, "heartbeat_age_ns") >= 0);

    /* Text too, and the writer's death shows in both. */
    CHECK_RC(framectl("info", name, NULL), 0);
    CHECK(strstr(R.out, "writer alive:    yes"));
    kill_child(pid, NO_LIMIT, "writer", NULL);
    CHECK_RC(framectl("info", "--json", name, NULL), 0);
    CHECK(json_parse(R.out, &doc));
    CHECK(strcmp(json_raw(&doc, "writer_alive"), "false") == 0);
    test_unlink(name);
}

static void clean_named(void)
{
    struct three t;
    three_make(&t, "c");
    const char *live = t.live, *dead = t.dead, *junk = t.junk;

    /* A dry run removes nothing. */
    CHECK_RC(framectl("clean", "-n", live, dead, NULL), 0);
    CHECK(strstr(R.out, "would remove") && strstr(R.out, dead));
    CHECK(segment_exists(dead) && segment_exists(live));

    CHECK_RC(framectl("clean", live, dead, NULL), 0);
    fputs(R.out, stderr);
    CHECK(strstr(R.out, "removed") && strstr(R.out, dead));
    CHECK(strstr(R.out, "removed 1 stale segment(s)"));
    CHECK(!segment_exists(dead) && segment_exists(live));

    /* Named, the garbage is an error, and still left alone. */
    CHECK_RC(framectl("clean", junk, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, "not a libframe segment"));
    CHECK(segment_exists(junk));
    three_remove(&t);
}

/* `clean` with no names scans all of /dev/shm: run it where nobody else's
 * segments live, so it cannot disturb other tests and every row is ours. */
static void clean_all_child(void *unused)
{
    (void)unused;
    if (!private_dev_shm("16m"))
        _exit(SKIP);
    pid_t lp = start_writer("live", W_STREAM, 16, 16, 2);
    pid_t dp = dead_writer("dead");
    garbage_object("junk");
    /* Unfinished segments (the private name writers before 0.2 built
     * under): one untouched for two minutes and unlocked, so its writer
     * is gone, and one just made, which may still be building (its pid,
     * ours, says nothing: it could be another pid namespace's). */
    char gone[64], busy[64];
    snprintf(gone, sizeof(gone), FRAME_OBJECT_PREFIX "early~%d", (int)dp);
    snprintf(busy, sizeof(busy), FRAME_OBJECT_PREFIX "late~%d", (int)getpid());
    for (int i = 0; i < 2; i++) {
        char path[128];
        snprintf(path, sizeof(path), FRAME_SHM_DIR "/%s", i ? busy : gone);
        int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
        CHECK(fd >= 0 && ftruncate(fd, 12288) == 0);
        if (!i) {
            struct timespec t[2];
            clock_gettime(CLOCK_REALTIME, &t[0]);
            t[0].tv_sec -= 120;
            t[1] = t[0];
            CHECK(futimens(fd, t) == 0);
        }
        close(fd);
    }

    CHECK_RC(framectl("list", NULL), 0);
    fputs(R.out, stderr);
    CHECK(count_lines(R.out) == 6); /* the heading and five objects */
    CHECK(strstr(line_of(R.out, "live"), " alive "));
    CHECK(strstr(line_of(R.out, "dead"), " dead "));
    CHECK(strstr(line_of(R.out, "junk"), "not a libframe segment"));

    CHECK_RC(framectl("clean", NULL), 0);
    fputs(R.out, stderr);
    CHECK(strstr(R.out, "removed 2 stale segment(s)"));
    CHECK(shm_exists(FRAME_OBJECT_PREFIX "live") &&
          shm_exists(FRAME_OBJECT_PREFIX "junk"));
    CHECK(!shm_exists(FRAME_OBJECT_PREFIX "dead") && !shm_exists(gone));
    CHECK(shm_exists(busy));

    CHECK_RC(framectl("clean", NULL), 0);
    CHECK(strcmp(R.out, "nothing to remove\n") == 0);
    stop_writer(lp, "live");
}

static void clean_all(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "skipped: a private /dev/shm needs root\n");
        exit(SKIP);
    }
    run_in_child(clean_all_child, NULL, "clean_all child", NULL);
}

/* The frames in `path` are frames the writer published, whole, in order,
 * each once; returns how many. */
static size_t check_frames(const char *path, uint32_t w, uint32_t h)
{
    FILE *f = fopen(path, "rb");
    CHECK(f);
    size_t bytes = (size_t)w * h * 4;
    uint8_t *buf = malloc(bytes);
    CHECK(buf);
    uint64_t prev = 0;
    size_t n = 0;
    size_t got;
    while ((got = fread(buf, 1, bytes, f)) == bytes) {
        uint64_t k = buf[0] | (uint64_t)buf[1] << 8 | (uint64_t)buf[2] << 16;
        CHECK(k > prev);
        for (uint32_t y = 0; y < h; y++)
            for (uint32_t x = 0; x < w; x++)
                for (int c = 0; c < 4; c++)
                    CHECK(buf[((size_t)y * w + x) * 4 + c] ==
                          pattern(k, x, y, c));
        prev = k;
        n++;
    }
    CHECK(got == 0); /* nothing but whole frames */
    fclose(f);
    free(buf);
    return n;
}

static void dump_frames(void)
{
    char name[FRAME_NAME_MAX + 1], out[128];
    snprintf(name, sizeof(name), "%s", test_name("dump"));
    snprintf(out, sizeof(out), "/tmp/framectl-test-%d.rgba", (int)getpid());
    pid_t pid = start_writer(name, W_STREAM, 40, 30, 2);

    CHECK_RC(framectl("dump", name, "--count", "3", "-o", out, NULL), 0);
    fputs(R.err, stderr);
    struct stat st;
    CHECK(stat(out, &st) == 0 && st.st_size == 3 * 40 * 30 * 4);
    CHECK(check_frames(out, 40, 30) == 3);
    /* The size and format come first: "40x30 RGBA: ffmpeg ..." or
     * "40x30 RGBA @ N fps: ffmpeg ...". */
    CHECK(strncmp(R.err, "40x30 RGBA: ", 12) == 0 ||
          strncmp(R.err, "40x30 RGBA @ ", 13) == 0);

    /* One frame: nothing to wait for before the size is printed. */
    CHECK_RC(framectl("dump", "-c", "1", name, "--output", out, NULL), 0);
    CHECK(strcmp(R.err, RGBA_40x30) == 0);
    CHECK(check_frames(out, 40, 30) == 1);
    unlink(out);
    stop_writer(pid, name);
}

static void dump_size_change(void)
{
    char name[FRAME_NAME_MAX + 1], out[128];
    snprintf(name, sizeof(name), "%s", test_name("resize"));
    snprintf(out, sizeof(out), "/tmp/framectl-test-%d.rgba", (int)getpid());
    unlink(out);
    resize_after = out;
    pid_t pid = start_writer(name, W_RESIZE, 40, 30, 2);
    CHECK_RC(framectl("dump", name, "-o", out, NULL), 1);
    fputs(R.err, stderr);
    CHECK(strstr(R.err, "size changed from 40x30 to 20x15"));
    CHECK(check_frames(out, 40, 30) >= 1);
    unlink(out);
    stop_writer(pid, name);
}

/* `framectl dump -o - | head -c ...`: the pipe closing is a normal end. */
static void dump_broken_pipe(void)
{
    char name[FRAME_NAME_MAX + 1];
    snprintf(name, sizeof(name), "%s", test_name("pipe"));
    pid_t wp = start_writer(name, W_STREAM, 40, 30, 2);
    int p[2];
    /* Close-on-exec: framectl must not hold the read end itself. */
    CHECK(pipe2(p, O_CLOEXEC) == 0);
    int err = capture_fd();
    const char *args[] = {"dump", name, "-o", "-", NULL};
    pid_t pid = spawn_framectl(p[1], err, args);
    close(p[1]);
    static uint8_t frame[40 * 30 * 4];
    size_t n = 0;
    ssize_t got;
    while (n < sizeof(frame) &&
           (got = read(p[0], frame + n, sizeof(frame) - n)) > 0)
        n += (size_t)got;
    CHECK(n == sizeof(frame));
    close(p[0]);
    CHECK_RC(exit_code(pid, NO_LIMIT, "framectl", NULL), 0);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    CHECK(!strstr(R.err, "framectl:")); /* quietly */
    stop_writer(wp, name);
}

static void bad_usage(void)
{
    static const char *const cases[][5] = {
        {NULL},
        {"bogus", NULL},
        {"--bogus", NULL},
        {"list", "extra", NULL},
        {"list", "-x", NULL},
        {"info", NULL},
        {"info", "a", "b", NULL},
        {"info", "a/b", NULL},
        {"info", "..", NULL},
        {"info", "x", "--wat", NULL},
        {"clean", "--wat", NULL},
        {"clean", "bad name", NULL},
        {"dump", NULL},
        {"dump", "x", "--count", "0", NULL},
        {"dump", "x", "--count", "-1", NULL},
        {"dump", "x", "--count", NULL},
        {"dump", "x", "-c", "3x", NULL},
        {"dump", "x", "--format", "yuv422p", NULL},
        {"dump", "x", "--format", "", NULL},
        {"dump", "x", "--format", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (run_framectl(cases[i]) != 2)
            fprintf(stderr, "case %zu (%s %s): status %d\n", i,
                    cases[i][0] ? cases[i][0] : "",
                    cases[i][0] && cases[i][1] ? cases[i][1] : "", R.status);
        CHECK(R.status == 2);
        CHECK(R.out[0] == 0 && strncmp(R.err, "framectl: ", 10) == 0);
        CHECK(count_lines(R.err) == 2 && strstr(R.err, "--help"));
    }
    char longname[80];
    memset(longname, 'a', 65);
    longname[65] = 0;
    CHECK_RC(framectl("info", longname, NULL), 2);

    CHECK_RC(framectl("--help", NULL), 0);
    CHECK(strncmp(R.out, "Usage: framectl", 15) == 0 && !R.err[0]);
    CHECK_RC(framectl("dump", "--help", NULL), 0);
    CHECK(strstr(R.out, "latest_age_ns"));
    CHECK_RC(framectl("--version", NULL), 0);
    CHECK(strstr(R.out, frame_version_string()));
}

static void missing_segment(void)
{
    char name[FRAME_NAME_MAX + 1], junk[FRAME_NAME_MAX + 1], out[128];
    snprintf(name, sizeof(name), "%s", test_name("none"));
    snprintf(junk, sizeof(junk), "%s", test_name("foreign"));
    snprintf(out, sizeof(out), "/tmp/framectl-test-%d.rgba", (int)getpid());
    unlink(out);
    CHECK_RC(framectl("info", name, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, "no such segment") &&
          strstr(R.err, name) && !R.out[0]);
    CHECK_RC(framectl("info", name, "--json", NULL), 1);
    CHECK(count_lines(R.err) == 1 && !R.out[0]);
    /* A dump of nothing leaves no empty file behind. */
    CHECK_RC(framectl("dump", name, "-o", out, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, "no such segment"));
    struct stat st;
    CHECK(stat(out, &st) != 0);
    CHECK_RC(framectl("clean", name, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, "no such segment"));

    garbage_object(junk);
    CHECK_RC(framectl("info", junk, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, "not a libframe segment"));
    CHECK_RC(framectl("dump", junk, "-o", out, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, "not a libframe segment"));
    CHECK(segment_exists(junk));
    test_unlink(junk);
}

/* ---- names nobody vetted ------------------------------------------------- */

/* Anyone may create /dev/shm/libframe.ANYTHING. Each name is raw bytes
 * and what `list` must show for it: C escapes, octal for the rest, never a
 * space (it separates the columns), so a row is one line of printable
 * ASCII whose width is its length. */
#define HOSTILE_N 7
struct hostile {
    char raw[160];
    char shown[320];
};

static void hostile_names(struct hostile h[HOSTILE_N])
{
    const char *p = test_name(""); /* "tPID-": ours alone */
    /* A terminal would clear the screen and turn red. */
    snprintf(h[0].raw, 160, "%sesc\x1b[2J\x1b[31mred", p);
    snprintf(h[0].shown, 320, "%sesc\\e[2J\\e[31mred", p);
    /* A newline, then a row of a live segment that is not there. */
    snprintf(h[1].raw, 160, "%snl\n%sforged  alive  running", p, p);
    snprintf(h[1].shown, 320,
             "%snl\\n%sforged\\040\\040alive\\040\\040"
             "running",
             p, p);
    snprintf(h[2].raw, 160, "%stab\there", p);
    snprintf(h[2].shown, 320, "%stab\\there", p);
    snprintf(h[3].raw, 160, "%sback\\slash", p);
    snprintf(h[3].shown, 320, "%sback\\\\slash", p);
    /* UTF-8 "e acute", a byte that is no UTF-8, DEL, and the C1 CSI that
     * some terminals obey like ESC [. */
    snprintf(h[4].raw, 160, "%shigh\xc3\xa9\xff", p);
    snprintf(h[4].shown, 320, "%shigh\\303\\251\\377", p);
    snprintf(h[5].raw, 160,
             "%sdel\x7f"
             "csi\x9b"
             "2J",
             p);
    snprintf(h[5].shown, 320, "%sdel\\177csi\\2332J", p);
    snprintf(h[6].raw, 160, "%sbell\a\b\f\r\v", p);
    snprintf(h[6].shown, 320, "%sbell\\a\\b\\f\\r\\v", p);
}

/* What the case made in /dev/shm, removed at exit however the case ends
 * (CHECK exits): a failed run leaves nothing behind. */
static struct {
    pid_t owner;
    char paths[HOSTILE_N][192];
    int n;
    char segment[FRAME_NAME_MAX + 1];
    bool registered;
} made;

static void remove_made(void)
{
    if (made.owner != getpid())
        return; /* a forked child's copy */
    for (int i = 0; i < made.n; i++)
        unlink(made.paths[i]);
    made.n = 0;
    if (made.segment[0])
        test_unlink(made.segment);
    made.segment[0] = 0;
}

static void remove_at_exit(void)
{
    made.owner = getpid();
    if (!made.registered)
        atexit(remove_made);
    made.registered = true;
}

static void make_hostile(const struct hostile h[HOSTILE_N])
{
    remove_at_exit();
    for (int i = 0; i < HOSTILE_N; i++) {
        char *path = made.paths[made.n];
        snprintf(path, sizeof(made.paths[0]),
                 FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%.159s", h[i].raw);
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
        CHECK(fd >= 0);
        made.n++;
        CHECK(write(fd, "not a frame segment", 19) == 19);
        close(fd);
    }
}

/* The line of text starting with `start` then a space; NULL if none, and
 * fail if there are two. */
static const char *only_line(const char *text, const char *start)
{
    static char line[4096];
    const char *found = NULL;
    size_t sl = strlen(start);
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        if (len > sl && strncmp(p, start, sl) == 0 && p[sl] == ' ') {
            CHECK(!found);
            found = p;
            snprintf(line, sizeof(line), "%.*s", (int)len, p);
        }
        p += len + (p[len] ? 1 : 0);
    }
    return found ? line : NULL;
}

/* Where a heading column ends (right-aligned) or starts (left-aligned). */
static size_t column_end(const char *head, const char *title)
{
    const char *t = strstr(head, title);
    CHECK(t);
    return (size_t)(t - head) + strlen(title);
}

/* A segment's row of `list` against the heading: each cell ends (right-
 * aligned) or starts (left-aligned) where its title does. */
static void check_cells_aligned(const char *heading, const char *line)
{
    static const char *const right[] = {"SIZE",  "SLOTS", "HELD",   "MAX",
                                        "FRAME", "PID",   "FRAMES", "FPS"};
    for (size_t i = 0; i < sizeof(right) / sizeof(right[0]); i++) {
        size_t end = column_end(heading, right[i]); /* FRAME: the first */
        if (!(end < strlen(line) && line[end - 1] != ' ' && line[end] == ' '))
            fprintf(stderr, "%s: not under its heading\n", right[i]);
        CHECK(end < strlen(line) && line[end - 1] != ' ' && line[end] == ' ');
    }
    static const char *const left[] = {"FORMAT", "WRITER", "STATE",
                                       "LAST FRAME"};
    for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
        size_t start = column_end(heading, left[i]) - strlen(left[i]);
        if (!(line[start - 1] == ' ' && line[start] != ' '))
            fprintf(stderr, "%s: not under its heading\n", left[i]);
        CHECK(line[start - 1] == ' ' && line[start] != ' ');
    }
}

static void list_hostile_names(void)
{
    struct hostile h[HOSTILE_N];
    hostile_names(h);
    char seg[FRAME_NAME_MAX + 1];
    snprintf(seg, sizeof(seg), "%s", test_name("seg"));
    snprintf(made.segment, sizeof(made.segment), "%s", seg);
    make_hostile(h);
    pid_t wp = start_writer(seg, W_ONE, 32, 16, 2);

    CHECK_RC(framectl("list", NULL), 0);
    /* To the log with '?' for what should not be there: the raw bytes
     * are under test, not to be sent to whoever reads the log. */
    for (const char *c = R.out; *c; c++)
        fputc(*c == '\n' || (*c >= 0x20 && *c < 0x7f) ? *c : '?', stderr);

    /* Printable ASCII and line ends only, anywhere. */
    for (const unsigned char *c = (const unsigned char *)R.out; *c; c++)
        CHECK(*c == '\n' || (*c >= 0x20 && *c < 0x7f));

    /* Exactly one line per object of ours: none forged, none split. */
    const char *prefix = test_name("");
    int ours = 0;
    for (const char *p = R.out; *p;) {
        size_t len = strcspn(p, "\n");
        ours += strncmp(p, prefix, strlen(prefix)) == 0;
        p += len + (p[len] ? 1 : 0);
    }
    CHECK(ours == HOSTILE_N + 1);

    const char *head = only_line(R.out, "NAME");
    CHECK(head);
    char heading[4096];
    snprintf(heading, sizeof(heading), "%s", head);
    /* NAME is as wide as the widest escaped name, then two spaces. */
    size_t after_name = column_end(heading, "SIZE") - 10;
    for (int i = 0; i < HOSTILE_N; i++) {
        const char *l = only_line(R.out, h[i].shown);
        if (!l)
            fprintf(stderr, "no line for '%s'\n", h[i].shown);
        CHECK(l);
        CHECK(strlen(h[i].shown) + 2 <= after_name);
        for (size_t k = strlen(h[i].shown); k < after_name; k++)
            CHECK(l[k] == ' ');
        CHECK(strncmp(l + after_name, "not a libframe segment", 22) == 0);
        const char *cells = l + strlen(h[i].shown);
        CHECK(!strstr(cells, "alive") && !strstr(cells, "running"));
    }

    /* The segment's row: every cell under its heading. */
    char line[4096];
    const char *l = only_line(R.out, seg);
    CHECK(l);
    snprintf(line, sizeof(line), "%s", l);
    check_cells_aligned(heading, line);
    size_t at = column_end(heading, "WRITER") - strlen("WRITER");
    CHECK(strncmp(line + at, "alive ", 6) == 0);
    char w[16][64], pid[16];
    CHECK(words(line, w, 16) >= 14);
    snprintf(pid, sizeof(pid), "%d", (int)wp);
    CHECK(strcmp(w[3], "2") == 0 && strcmp(w[5], "32x16") == 0);
    CHECK(strcmp(w[7], "RGBA") == 0);
    CHECK(strcmp(w[8], pid) == 0 && strcmp(w[10], "running") == 0);

    stop_writer(wp, seg);
    remove_made();
}

/* A segment's header is anyone's of our uid to write. Numbers cannot
 * carry escapes, but they can be wider than their column: the rows must
 * stay aligned, and info --json valid. */
static void list_hostile_header(void)
{
    char seg[FRAME_NAME_MAX + 1], path[128];
    snprintf(seg, sizeof(seg), "%s", test_name("hdr"));
    snprintf(made.segment, sizeof(made.segment), "%s", seg);
    remove_at_exit();
    dead_writer(seg);

    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             seg);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    CHECK(fd >= 0);
    struct frame__header *h = mmap(NULL, FRAME__HEADER_SIZE,
                                   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    CHECK(h != MAP_FAILED);
    h->fixed.writer_pid = INT32_MIN;
    uint64_t slot = atomic_load(&h->latest) & 0xff;
    atomic_store(&h->latest, ((UINT64_C(1) << 56) - 1) << 8 | slot);
    atomic_store(&h->slot[slot].width, UINT32_MAX);
    atomic_store(&h->slot[slot].height, UINT32_MAX);
    munmap(h, FRAME__HEADER_SIZE);

    CHECK_RC(framectl("list", NULL), 0);
    fputs(R.out, stderr);
    char heading[4096], line[4096];
    const char *l = only_line(R.out, "NAME");
    CHECK(l);
    snprintf(heading, sizeof(heading), "%s", l);
    l = only_line(R.out, seg);
    CHECK(l);
    snprintf(line, sizeof(line), "%s", l);
    check_cells_aligned(heading, line);
    char w[16][64];
    CHECK(words(line, w, 16) >= 14);
    CHECK(strcmp(w[6], "4294967295x4294967295") == 0);
    CHECK(strcmp(w[7], "RGBA") == 0);
    CHECK(strcmp(w[8], "-2147483648") == 0 && strcmp(w[9], "dead") == 0);
    CHECK(strcmp(w[11], "72057594037927935") == 0);
    /* Every other segment's row too (another test's, say). */
    for (const char *p = R.out; *p;) {
        size_t len = strcspn(p, "\n");
        snprintf(line, sizeof(line), "%.*s", (int)len, p);
        if (strstr(line, " alive ") || strstr(line, " dead "))
            check_cells_aligned(heading, line);
        p += len + (p[len] ? 1 : 0);
    }

    CHECK_RC(framectl("info", seg, "--json", NULL), 0);
    struct json_doc doc;
    CHECK(json_parse(R.out, &doc));
    CHECK(json_int(&doc, "writer_pid") == INT32_MIN);
    CHECK(json_int(&doc, "latest_width") == UINT32_MAX);
    test_unlink(seg);
    made.segment[0] = 0;
}

/* ---- dump across the reader's life cycle --------------------------------- */

#define DUMP_W 40
#define DUMP_H 30
#define SECOND_FIRST 100000 /* the restarted writer's first frame number */
#define EVENT_MS 20000      /* how long an awaited event may take */

static char dump_out[128];

static void remove_dump_out(void)
{
    if (made.owner == getpid() && dump_out[0])
        unlink(dump_out);
}

/* The case's segment and output file, both removed however it ends. */
static const char *dump_case(const char *tag)
{
    remove_at_exit();
    snprintf(made.segment, sizeof(made.segment), "%s", test_name(tag));
    if (!dump_out[0])
        atexit(remove_dump_out);
    snprintf(dump_out, sizeof(dump_out), "/tmp/framectl-test-%d.rgba",
             (int)getpid());
    unlink(dump_out);
    return made.segment;
}

/* A writer like W_STREAM whose frame numbers (the first pixel, and the
 * source index) start at `first`: a restarted writer's frames differ from
 * the first one's, and still rise in check_frames(). Not stream: the next
 * frame at each SIGUSR1. */
static pid_t start_writer_from(const char *name, uint64_t first, uint32_t w,
                               uint32_t h, bool stream)
{
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork_child();
    if (pid == 0) {
        close(ready[0]);
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr1, NULL); /* before anyone may send it */
        struct frame_format fmt = {.max_width = w, .max_height = h};
        frame_writer *fw;
        if (frame_writer_create(name, &fmt, &fw, NULL) != 0)
            _exit(3);
        for (uint64_t k = first;; k++) {
            struct frame_buffer b;
            if (frame_writer_begin(fw, w, h, &b))
                _exit(4);
            fill(&b, k);
            if (frame_writer_commit(fw, 0, k))
                _exit(5);
            if (k == first && write(ready[1], "x", 1) != 1)
                _exit(6);
            int sig;
            if (!stream)
                sigwait(&usr1, &sig);
            else
                usleep(10000);
        }
    }
    close(ready[1]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    return pid;
}

/* The text framectl wrote so far into the capture file fd. */
static const char *captured(int fd)
{
    static char text[1 << 14];
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    text[n > 0 ? n : 0] = 0;
    return text;
}

/* Until the capture file fd holds needle; fails the case after EVENT_MS. */
static void await_text(int fd, const char *needle)
{
    int64_t end = now_ns() + EVENT_MS * MS;
    while (!strstr(captured(fd), needle)) {
        if (now_ns() > end) {
            fprintf(stderr, "no '%s' in framectl's stderr:\n%s", needle,
                    captured(fd));
            CHECK(!"framectl said what was awaited");
        }
        sleep_ms(10);
    }
}

static int count_text(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Whole frames in the dump file whose number is >= min_k, and how many
 * frames it holds in all. */
static size_t frames_from(const char *path, uint64_t min_k, size_t *all)
{
    size_t bytes = (size_t)DUMP_W * DUMP_H * 4, n = 0;
    *all = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    uint8_t *buf = malloc(bytes);
    CHECK(buf);
    while (fread(buf, 1, bytes, f) == bytes) {
        uint64_t k = buf[0] | (uint64_t)buf[1] << 8 | (uint64_t)buf[2] << 16;
        n += k >= min_k;
        ++*all;
    }
    fclose(f);
    free(buf);
    return n;
}

/* Until the dump file holds n frames numbered min_k or more. */
static void await_frames(uint64_t min_k, size_t n)
{
    int64_t end = now_ns() + EVENT_MS * MS;
    size_t all;
    while (frames_from(dump_out, min_k, &all) < n) {
        if (now_ns() > end) {
            fprintf(stderr, "%zu frame(s) in %s, not %zu from %" PRIu64 "\n",
                    all, dump_out, n, min_k);
            CHECK(!"dump wrote the frames awaited");
        }
        sleep_ms(10);
    }
}

/* A dump of name running in the background, stderr into err. Its output
 * file is gone before it starts, so what is awaited in it is its own. */
static pid_t spawn_dump(int err, const char *name, const char *opt1,
                        const char *opt2, const char *opt3)
{
    unlink(dump_out);
    const char *args[] = {"dump", name, "-o", dump_out, opt1, opt2, opt3, NULL};
    return spawn_framectl(-1, err, args);
}

/* dump --wait -c count started before name's writer: it waits, then the
 * writer comes and it records that writer's frames and ends; R.err holds
 * what it said. Returns the writer, still running. */
static pid_t dump_awaits_writer(const char *name, const char *count)
{
    int err = capture_fd();
    pid_t pid = spawn_dump(err, name, "--wait", "-c", count);
    await_text(err, "waiting for a writer");
    CHECK(still_running(pid));
    pid_t wp = start_writer_from(name, 1, DUMP_W, DUMP_H, true);
    CHECK_RC(exit_code(pid, NO_LIMIT, "framectl", NULL), 0);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    return wp;
}

/* dump --wait, started before its writer: says once that it waits, then
 * records the writer's frames. Junk and a dead writer's segment under the
 * name are not that writer either. Ctrl-C ends a wait at once. */
static void dump_wait(void)
{
    const char *name = dump_case("wait");
    pid_t wp = dump_awaits_writer(name, "3");
    CHECK(check_frames(dump_out, DUMP_W, DUMP_H) == 3);
    CHECK(count_text(R.err, "waiting") == 1 && count_lines(R.err) == 2);
    /* The size is the one line that is not framectl's message. */
    const char *size = strchr(R.err, '\n') + 1;
    CHECK(strncmp(size, "40x30 RGBA: ", 12) == 0 ||
          strncmp(size, "40x30 RGBA @ ", 13) == 0);
    /* A live writer there already: nothing to say but the size. */
    CHECK_RC(framectl("dump", name, "--wait", "-c", "1", "-o", dump_out, NULL),
             0);
    CHECK(strcmp(R.err, RGBA_40x30) == 0);
    stop_writer(wp, name);

    /* Junk under the name: said once, then the writer replaces it. */
    garbage_object(name);
    wp = dump_awaits_writer(name, "2");
    CHECK(count_text(R.err, "not a libframe segment") == 1);
    CHECK(count_text(R.err, "waiting") == 1);
    CHECK(check_frames(dump_out, DUMP_W, DUMP_H) == 2);
    stop_writer(wp, name);

    /* A dead writer's segment: waited past the same way. */
    dead_writer(name);
    wp = dump_awaits_writer(name, "2");
    CHECK(check_frames(dump_out, DUMP_W, DUMP_H) == 2);
    stop_writer(wp, name);

    /* Nobody comes: Ctrl-C. */
    int err = capture_fd();
    pid_t pid = spawn_dump(err, name, "--wait", NULL, NULL);
    await_text(err, "waiting for a writer");
    stop_child(pid, SIGINT, EVENT_MS, "framectl", NULL);
    read_capture(err, R.err, sizeof(R.err));
    CHECK(count_lines(R.err) == 1);
    /* Without --wait a missing segment is still an error. */
    CHECK_RC(framectl("dump", name, "-o", dump_out, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, "no such segment"));
}

/* dump --follow across a writer killed and restarted: the frames of both,
 * whole and in order, with little CPU spent meanwhile. */
static void dump_follow(void)
{
    const char *name = dump_case("follow");
    pid_t wp = start_writer_from(name, 1, DUMP_W, DUMP_H, true);
    int err = capture_fd();
    int64_t t0 = now_ns();
    pid_t pid = spawn_dump(err, name, "--follow", NULL, NULL);
    await_frames(1, 10);
    kill_child(wp, NO_LIMIT, "writer", NULL);
    await_text(err, "waiting for the next one");
    /* Idle a while with no writer: the dump must sleep through it. */
    sleep_ms(1000);
    wp = start_writer_from(name, SECOND_FIRST, DUMP_W, DUMP_H, true);
    await_frames(SECOND_FIRST, 10);
    double cpu = cpu_seconds(pid);
    double wall = (double)(now_ns() - t0) / 1e9;
    stop_child(pid, SIGINT, EVENT_MS, "framectl", NULL);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    fprintf(stderr, "dump --follow: %.2f s CPU in %.2f s (%.1f%%)\n", cpu, wall,
            100 * cpu / wall);
    CHECK(cpu < 0.2 * wall);

    size_t all, second = frames_from(dump_out, SECOND_FIRST, &all);
    CHECK(check_frames(dump_out, DUMP_W, DUMP_H) == all);
    CHECK(second >= 10 && all - second >= 10);
    CHECK(strncmp(R.err, "40x30", 5) == 0);
    CHECK(count_text(R.err, "the writer died after") == 1);
    CHECK(count_text(R.err, "a new writer") == 1);
    stop_writer(wp, name);
}

/* The restarted writer's frames are another size: the raw stream cannot
 * go on. */
static void dump_follow_resize(void)
{
    const char *name = dump_case("refollow");
    pid_t wp = start_writer_from(name, 1, DUMP_W, DUMP_H, true);
    int err = capture_fd();
    pid_t pid = spawn_dump(err, name, "--follow", NULL, NULL);
    await_frames(1, 3);
    kill_child(wp, NO_LIMIT, "writer", NULL);
    await_text(err, "waiting for the next one");
    wp = start_writer_from(name, SECOND_FIRST, DUMP_W / 2, DUMP_H / 2, true);
    CHECK_RC(exit_code(pid, NO_LIMIT, "framectl", NULL), 1);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    CHECK(strstr(R.err, "size changed from 40x30 to 20x15 with a new writer"));
    CHECK(check_frames(dump_out, DUMP_W, DUMP_H) >= 3);

    /* Without --follow the writer's death ends the dump, as it did. */
    stop_writer(wp, name);
    wp = start_writer_from(name, 1, DUMP_W, DUMP_H, true);
    err = capture_fd();
    pid = spawn_dump(err, name, NULL, NULL, NULL);
    await_frames(1, 3);
    kill_child(wp, NO_LIMIT, "writer", NULL);
    CHECK_RC(exit_code(pid, NO_LIMIT, "framectl", NULL), 1);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    CHECK(strstr(R.err, "the writer died after"));
    test_unlink(name);
}

/* Another process keeps scribbling impossible frames into the header and
 * waking readers: dump says so once and sleeps; with --follow it records
 * again when the writer publishes a readable frame. */
static void dump_scribbled(void)
{
    const char *name = dump_case("scribble");
    /* One frame, then idle: only the scribbler moves the header. */
    pid_t wp = start_writer_from(name, 1, DUMP_W, DUMP_H, false);
    char path[128];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             name);
    for (int follow = 0; follow < 2; follow++) {
        int err = capture_fd();
        int64_t t0 = now_ns();
        pid_t pid =
            spawn_dump(err, name, follow ? "--follow" : NULL, NULL, NULL);
        await_text(err, "40x30"); /* frame 1 written */
        int fd = open(path, O_RDWR | O_CLOEXEC);
        CHECK(fd >= 0);
        struct frame__header *h =
            mmap(NULL, FRAME__HEADER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
                 fd, 0);
        close(fd);
        CHECK(h != MAP_FAILED);
        /* For 1.5 s, a new frame number in a slot that does not exist
         * every millisecond, each with a wake-up. */
        uint64_t saved = atomic_load(&h->latest);
        for (uint64_t k = 2; k < 1500; k++) {
            atomic_store(&h->latest, k << 8 | (FRAME_MAX_SLOTS - 1));
            atomic_fetch_add(&h->publish_count, 1);
            frame__futex_wake_all(&h->publish_count);
            sleep_ms(1);
        }
        double cpu = cpu_seconds(pid);
        double wall = (double)(now_ns() - t0) / 1e9;
        atomic_store(&h->latest, saved);
        munmap(h, FRAME__HEADER_SIZE);
        if (follow) {
            /* The writer's next publish heals the header. */
            CHECK(kill(wp, SIGUSR1) == 0);
            await_frames(2, 1);
            stop_child(pid, SIGINT, EVENT_MS, "framectl", NULL);
        } else {
            CHECK_RC(exit_code(pid, NO_LIMIT, "framectl", NULL), 1);
        }
        read_capture(err, R.err, sizeof(R.err));
        fputs(R.err, stderr);
        fprintf(stderr, "dump%s, scribbled: %.2f s CPU in %.2f s\n",
                follow ? " --follow" : "", cpu, wall);
        CHECK(count_text(R.err, "cannot be read") == 1);
        CHECK(follow == !!strstr(R.err, "waiting for a readable frame"));
        CHECK(cpu < 0.2 * wall);
        CHECK(check_frames(dump_out, DUMP_W, DUMP_H) == 1 + (size_t)follow);
    }
    stop_writer(wp, name);
}

/* ---- pixel formats ------------------------------------------------------- */

/* Byte i of row y of plane p in frame k of a format writer: the first three
 * bytes of plane 0 carry k, the rest depend on k, the plane and the place,
 * so every frame and every plane differs. */
static uint8_t plane_byte(uint64_t k, uint32_t p, uint32_t y, uint32_t i)
{
    if (p == 0 && y == 0 && i < 3)
        return (uint8_t)(k >> (8 * i));
    return (uint8_t)(k * 31 + i * 7 + y * 13 + p * 101);
}

/* Bytes of a row of plane p, by the table's documented rule. */
static size_t plane_row(const struct frame_image *img, uint32_t p,
                        uint32_t *rows)
{
    const struct frame_format_desc *d = frame_format_desc(img->format);
    CHECK(d && p < d->plane_count);
    uint32_t xs = d->plane[p].x_shift, ys = d->plane[p].y_shift;
    *rows = (img->height + (1u << ys) - 1) >> ys;
    uint32_t pw = (img->width + (1u << xs) - 1) >> xs;
    return (size_t)pw * d->plane[p].samples * d->bytes_per_sample;
}

static void fill_image(const struct frame_image *img, uint64_t k)
{
    for (uint32_t p = 0; p < img->plane_count; p++) {
        uint32_t rows;
        size_t row = plane_row(img, p, &rows);
        for (uint32_t y = 0; y < rows; y++)
            for (size_t i = 0; i < row; i++)
                img->plane[p][(size_t)y * img->stride[p] + i] =
                    plane_byte(k, p, y, (uint32_t)i);
    }
}

/* A writer of pixel formats, sized for `sized` (0: RGBA8): frames first,
 * first + 1, ... of format a, from frame number switch_at on of format b.
 * stream: a frame every 10 ms; else the next at each SIGUSR1. */
struct fmt_writer {
    uint32_t sized, a, b;
    uint64_t first, switch_at;
    uint32_t w, h;
    bool stream;
};

static pid_t start_fmt_writer(const char *name, const struct fmt_writer *fw)
{
    int ready[2];
    CHECK(pipe(ready) == 0);
    pid_t pid = fork_child();
    if (pid == 0) {
        close(ready[0]);
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr1, NULL);
        struct frame_format fmt = {
            .max_width = fw->w, .max_height = fw->h, .pixel_format = fw->sized};
        frame_writer *w;
        if (frame_writer_create(name, &fmt, &w, NULL) != 0)
            _exit(3);
        for (uint64_t k = fw->first;; k++) {
            uint32_t f = fw->switch_at && k >= fw->switch_at ? fw->b : fw->a;
            struct frame_buffer b;
            if (frame_writer_begin_format(w, f, fw->w, fw->h, 1, &b))
                _exit(4);
            fill_image(&b.image, k);
            if (frame_writer_commit(w, 0, k))
                _exit(5);
            if (k == fw->first && write(ready[1], "x", 1) != 1)
                _exit(6);
            int sig;
            if (!fw->stream)
                sigwait(&usr1, &sig);
            else
                usleep(10000);
        }
    }
    close(ready[1]);
    char c;
    CHECK(read(ready[0], &c, 1) == 1);
    close(ready[0]);
    return pid;
}

/* The whole file, malloc()ed, its length in *len. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECK(f);
    CHECK(fseek(f, 0, SEEK_END) == 0);
    long n = ftell(f);
    CHECK(n >= 0 && fseek(f, 0, SEEK_SET) == 0);
    uint8_t *buf = malloc(n ? (size_t)n : 1);
    CHECK(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Frame k of a format writer as `out` would hold it: the writer's frame of
 * format src, converted by the library to out (tight rows). malloc()ed. */
static uint8_t *expected_frame(uint64_t k, uint32_t src, uint32_t out,
                               uint32_t w, uint32_t h, size_t *bytes)
{
    struct frame_image si, oi;
    size_t sb = frame_image_layout(NULL, src, w, h, 1, NULL);
    uint8_t *sbuf = malloc(sb);
    CHECK(sb && sbuf);
    frame_image_layout(&si, src, w, h, 1, sbuf);
    fill_image(&si, k);
    if (src == out) {
        *bytes = sb;
        return sbuf;
    }
    *bytes = frame_image_layout(NULL, out, w, h, 1, NULL);
    uint8_t *obuf = malloc(*bytes);
    CHECK(*bytes && obuf);
    frame_image_layout(&oi, out, w, h, 1, obuf);
    CHECK_RC(frame_convert(&oi, &si), 0);
    free(sbuf);
    return obuf;
}

/* The raw file holds whole frames of format `out`, each a frame of the
 * writer (of format src(k)) converted to out, numbers rising; returns how
 * many. k is read from the file as written (src == out) or is the one
 * whose expected frame matches among those after the previous. */
static size_t check_raw(const uint8_t *data, size_t len, uint32_t out,
                        const struct fmt_writer *fw)
{
    size_t fb = frame_image_layout(NULL, out, fw->w, fw->h, 1, NULL);
    CHECK(fb && len % fb == 0);
    uint64_t k = fw->first - 1;
    for (size_t off = 0; off < len; off += fb) {
        /* The next frame the file holds is one of the writer's next
         * ones; which one, the comparison says (a converted frame does
         * not carry its number). */
        bool found = false;
        for (uint64_t next = k + 1; next < k + 200 && !found; next++) {
            uint32_t src =
                fw->switch_at && next >= fw->switch_at ? fw->b : fw->a;
            size_t eb;
            uint8_t *want = expected_frame(next, src, out, fw->w, fw->h, &eb);
            CHECK(eb == fb);
            if (memcmp(want, data + off, fb) == 0) {
                found = true;
                k = next;
            }
            free(want);
        }
        if (!found)
            fprintf(stderr,
                    "frame %zu of the raw file is none of the "
                    "writer's frames after %" PRIu64 "\n",
                    off / fb, k);
        CHECK(found);
    }
    return len / fb;
}

/* A program with its stdin from in_fd, stdout and stderr into out_fd and
 * err_fd; dies after RUN_LIMIT_S. */
static pid_t spawn_stdin(const char *const *argv, int in_fd, int out_fd,
                         int err_fd)
{
    pid_t pid = fork_child();
    if (pid == 0) {
        if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
            dup2(err_fd, STDERR_FILENO) < 0)
            _exit(126);
        alarm(RUN_LIMIT_S);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* CI installs ffmpeg (scripts/deps.sh): without it the case fails. */
static void need_ffmpeg(void)
{
    if (!find_in_path("ffmpeg"))
        fprintf(stderr, "ffmpeg is not installed (scripts/deps.sh installs "
                        "it): the raw streams cannot be checked\n");
    CHECK(find_in_path("ffmpeg"));
}

/* ffmpeg ARGS... with stdin from /dev/null; its stderr shown if it fails. */
static void ffmpeg(const char *const *args)
{
    struct cmdline c = {.argc = 0};
    cmdline_add(&c, "ffmpeg");
    cmdline_add_all(&c,
                    (const char *const[]){"-nostdin", "-hide_banner",
                                          "-loglevel", "error", "-y", NULL});
    cmdline_add_all(&c, args);
    int err = capture_fd();
    int st =
        exit_code(spawn(&(struct spawn_opts){
                      .argv = c.argv, .err_fd = err, .limit_s = RUN_LIMIT_S}),
                  NO_LIMIT, "ffmpeg", NULL);
    read_capture(err, R.err, sizeof(R.err));
    if (st)
        fprintf(stderr, "ffmpeg: exit status %d:\n%s", st, R.err);
    CHECK(st == 0);
}

/* ffmpeg's files, removed however the case ends (CHECK exits). */
static char ff_mkv[128], ff_raw[128];

static void remove_ff_files(void)
{
    if (made.owner == getpid()) {
        unlink(ff_mkv);
        unlink(ff_raw);
    }
}

#define FMT_W 41 /* odd: the chroma planes round up */
#define FMT_H 31
#define FMT_FRAMES "5"

/* framectl dump NAME -c 5 -o - | ffmpeg -f rawvideo (what dump said) -i -
 * -c:v ffv1 out.mkv, then ffmpeg back to raw of the same pix_fmt: the
 * frames come back byte for byte, for every format. */
static void dump_formats_ffmpeg(void)
{
    static const uint32_t formats[] = {FRAME_FORMAT_GRAY16, FRAME_FORMAT_I420,
                                       FRAME_FORMAT_NV12, FRAME_FORMAT_RGBA8,
                                       FRAME_FORMAT_GRAY8};
    need_ffmpeg();
    const char *name = dump_case("ffmpeg");
    char *mkv = ff_mkv, *raw = ff_raw;
    snprintf(mkv, sizeof(ff_mkv), "/tmp/framectl-test-%d.mkv", (int)getpid());
    snprintf(raw, sizeof(ff_raw), "/tmp/framectl-test-%d.raw", (int)getpid());
    atexit(remove_ff_files);
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        const struct frame_format_desc *d = frame_format_desc(formats[i]);
        struct fmt_writer fw = {.sized = formats[i],
                                .a = formats[i],
                                .first = 1,
                                .w = FMT_W,
                                .h = FMT_H,
                                .stream = true};
        pid_t wp = start_fmt_writer(name, &fw);

        /* The pipe as a user types it: what dump says first is what
         * ffmpeg is given. */
        int p[2];
        CHECK(pipe2(p, O_CLOEXEC) == 0);
        int err = capture_fd();
        const char *dargs[] = {"dump", name, "-c", FMT_FRAMES, "-o", "-", NULL};
        pid_t dump = spawn_framectl(p[1], err, dargs);
        close(p[1]);
        char size[32];
        snprintf(size, sizeof(size), "%ux%u", FMT_W, FMT_H);
        const char *fargs[] = {"ffmpeg",    "-nostdin",    "-hide_banner",
                               "-loglevel", "error",       "-y",
                               "-f",        "rawvideo",    "-pixel_format",
                               d->ffmpeg,   "-video_size", size,
                               "-i",        "-",           "-c:v",
                               "ffv1",      mkv,           NULL};
        int ferr = capture_fd();
        pid_t ff = spawn_stdin(fargs, p[0], ferr, ferr);
        close(p[0]);
        CHECK_RC(exit_code(dump, NO_LIMIT, "framectl", NULL), 0);
        int fst = exit_code(ff, NO_LIMIT, "ffmpeg", NULL);
        read_capture(err, R.err, sizeof(R.err));
        fputs(R.err, stderr);
        char ferrs[4096];
        read_capture(ferr, ferrs, sizeof(ferrs));
        if (fst)
            fprintf(stderr, "ffmpeg (encoding): exit status %d:\n%s", fst,
                    ferrs);
        CHECK(fst == 0);
        /* "41x31 GRAY16_LE[ @ F fps]: ffmpeg -f rawvideo -pixel_format
         * gray16le -video_size 41x31[ -framerate F] -i -" */
        char want[128];
        snprintf(want, sizeof(want), "%s %s", size, d->name);
        CHECK(strncmp(R.err, want, strlen(want)) == 0);
        CHECK(R.err[strlen(want)] == ':' || R.err[strlen(want)] == ' ');
        snprintf(want, sizeof(want),
                 ": ffmpeg -f rawvideo -pixel_format %s -video_size %s",
                 d->ffmpeg, size);
        CHECK(strstr(R.err, want) && strstr(R.err, want) < strchr(R.err, '\n'));

        /* Decoded back: the frames the writer published. */
        ffmpeg((const char *const[]){"-i", mkv, "-f", "rawvideo", "-pix_fmt",
                                     d->ffmpeg, raw, NULL});
        size_t len;
        uint8_t *data = slurp(raw, &len);
        CHECK(check_raw(data, len, formats[i], &fw) == 5);
        free(data);
        fprintf(stderr, "%s: 5 frames through ffv1, byte-exact\n", d->name);
        stop_writer(wp, name);
    }

    /* --format: converted by the library, whatever the writer sends. */
    struct fmt_writer fw = {.a = FRAME_FORMAT_I420,
                            .first = 1,
                            .w = FMT_W,
                            .h = FMT_H,
                            .stream = true};
    pid_t wp = start_fmt_writer(name, &fw);
    CHECK_RC(framectl("dump", name, "-c", "3", "--format", "gray16", "-o",
                      dump_out, NULL),
             0);
    fputs(R.err, stderr);
    CHECK(strncmp(R.err, "41x31 GRAY16_LE", 15) == 0);
    CHECK(strstr(R.err, "-pixel_format gray16le"));
    size_t len;
    uint8_t *data = slurp(dump_out, &len);
    CHECK(check_raw(data, len, FRAME_FORMAT_GRAY16, &fw) == 3);
    free(data);
    stop_writer(wp, name);
    unlink(mkv);
    unlink(raw);
}

/* A frame of another format ends a dump as one of another size does: with
 * the writer that was, and with --follow's next one; --format converts
 * every frame to one and goes on. */
static void dump_format_change(void)
{
    const char *name = dump_case("reformat");
    /* Frame 1 RGBA8, frames 3 on GRAY8, one at each SIGUSR1. */
    struct fmt_writer fw = {.a = FRAME_FORMAT_RGBA8,
                            .b = FRAME_FORMAT_GRAY8,
                            .first = 1,
                            .switch_at = 3,
                            .w = DUMP_W,
                            .h = DUMP_H};
    pid_t wp = start_fmt_writer(name, &fw);
    int err = capture_fd();
    pid_t pid = spawn_dump(err, name, NULL, NULL, NULL);
    await_text(err, "40x30 RGBA"); /* frame 1 written */
    CHECK(kill(wp, SIGUSR1) == 0);
    await_frames(2, 1); /* frame 2, RGBA8 */
    CHECK(kill(wp, SIGUSR1) == 0);
    CHECK_RC(exit_code(pid, NO_LIMIT, "framectl", NULL), 1);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    CHECK(strstr(R.err, "the pixel format changed from RGBA to GRAY8; a raw "
                        "video stream cannot change format"));
    CHECK(count_lines(R.err) == 2);
    size_t len;
    uint8_t *data = slurp(dump_out, &len);
    CHECK(check_raw(data, len, FRAME_FORMAT_RGBA8, &fw) == 2);
    free(data);

    /* --format gray8: frame 3 (RGBA8 converted) and 4 (GRAY8). */
    stop_writer(wp, name);
    fw.first = 3;
    fw.switch_at = 4;
    wp = start_fmt_writer(name, &fw);
    err = capture_fd();
    pid = spawn_dump(err, name, "--format", "GRAY8", "-c2");
    await_text(err, "40x30 GRAY8");
    CHECK(kill(wp, SIGUSR1) == 0);
    CHECK_RC(exit_code(pid, NO_LIMIT, "framectl", NULL), 0);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    CHECK(count_lines(R.err) == 1);
    data = slurp(dump_out, &len);
    CHECK(check_raw(data, len, FRAME_FORMAT_GRAY8, &fw) == 2);
    free(data);
    stop_writer(wp, name);

    /* --follow: the next writer sends another format. */
    struct fmt_writer rgba = {.a = FRAME_FORMAT_RGBA8,
                              .first = 1,
                              .w = DUMP_W,
                              .h = DUMP_H,
                              .stream = true};
    wp = start_fmt_writer(name, &rgba);
    err = capture_fd();
    pid = spawn_dump(err, name, "--follow", NULL, NULL);
    await_frames(1, 3);
    kill_child(wp, NO_LIMIT, "writer", NULL);
    await_text(err, "waiting for the next one");
    struct fmt_writer nv12 = {.a = FRAME_FORMAT_NV12,
                              .first = SECOND_FIRST,
                              .w = DUMP_W,
                              .h = DUMP_H,
                              .stream = true};
    wp = start_fmt_writer(name, &nv12);
    CHECK_RC(exit_code(pid, NO_LIMIT, "framectl", NULL), 1);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    CHECK(strstr(R.err, "the pixel format changed from RGBA to NV12 with a "
                        "new writer"));
    data = slurp(dump_out, &len);
    CHECK(check_raw(data, len, FRAME_FORMAT_RGBA8, &rgba) >= 3);
    free(data);
    stop_writer(wp, name);
}

/* info and list name both formats: what the slots are sized for and what
 * the latest frame is. */
static void info_list_format(void)
{
    const char *name = dump_case("formats");
    /* Sized for GRAY16 40x30 (2400 bytes a frame), sending NV12 (1800). */
    struct fmt_writer fw = {.sized = FRAME_FORMAT_GRAY16,
                            .a = FRAME_FORMAT_NV12,
                            .first = 1,
                            .w = DUMP_W,
                            .h = DUMP_H};
    pid_t wp = start_fmt_writer(name, &fw);
    CHECK_RC(framectl("info", name, NULL), 0);
    fputs(R.out, stderr);
    CHECK(strstr(R.out, "\npixel format:    GRAY16_LE "));
    CHECK(strstr(R.out, "\nlatest frame:    1, 40x30 NV12, "));
    CHECK_RC(framectl("info", name, "--json", NULL), 0);
    struct json_doc doc;
    CHECK(json_parse(R.out, &doc));
    CHECK(strcmp(json_str(&doc, "format"), "GRAY16_LE") == 0);
    CHECK(strcmp(json_str(&doc, "latest_format"), "NV12") == 0);

    CHECK_RC(framectl("list", NULL), 0);
    char w[16][64];
    const char *l = line_of(R.out, name);
    CHECK(l && words(l, w, 16) >= 14);
    CHECK(strcmp(w[6], "40x30") == 0 && strcmp(w[7], "NV12") == 0);
    stop_writer(wp, name);

    /* Nothing published yet: no latest format. */
    frame_writer *fwr;
    struct frame_format fmt = {
        .max_width = 8, .max_height = 8, .pixel_format = FRAME_FORMAT_I420};
    CHECK_RC(frame_writer_create(name, &fmt, &fwr, NULL), 0);
    CHECK_RC(framectl("info", name, "--json", NULL), 0);
    CHECK(json_parse(R.out, &doc));
    CHECK(strcmp(json_str(&doc, "format"), "I420") == 0);
    CHECK(strcmp(json_raw(&doc, "latest_format"), "null") == 0);
    CHECK_RC(framectl("list", NULL), 0);
    l = line_of(R.out, name);
    CHECK(l && words(l, w, 16) >= 14);
    CHECK(strcmp(w[6], "-") == 0 && strcmp(w[7], "-") == 0);
    frame_writer_destroy(fwr);
}

/* A segment of the first layout (ABI 1): one line naming both versions,
 * from info, list, dump and clean alike. */
/* info and list say how many slots' frames readers hold (leases). */
static void info_list_held(void)
{
    const char *name = dump_case("held");
    frame_writer *fw;
    struct frame_format fmt = {
        .max_width = 8, .max_height = 8, .slot_count = 3};
    CHECK_RC(frame_writer_create(name, &fmt, &fw, NULL), 0);
    frame_reader *r;
    struct frame_view v[2];
    CHECK_RC(frame_reader_open(name, &r), 0);
    for (int i = 0; i < 2; i++) {
        struct frame_buffer b;
        CHECK_RC(frame_writer_begin(fw, 8, 8, &b), 0);
        memset(b.pixels, i, (size_t)b.stride * 8);
        CHECK_RC(frame_writer_commit(fw, 0, 0), 0);
        CHECK_RC(frame_reader_hold(r, &v[i]), 0);
    }
    struct json_doc doc;
    CHECK_RC(framectl("info", name, "--json", NULL), 0);
    CHECK(json_parse(R.out, &doc));
    CHECK(json_int(&doc, "slots_held") == 2);
    CHECK_RC(framectl("info", name, NULL), 0);
    CHECK(strstr(R.out, "slots held:      2"));
    CHECK_RC(framectl("list", NULL), 0);
    char w[16][64];
    const char *l = line_of(R.out, name);
    CHECK(l && words(l, w, 16) >= 14);
    CHECK(strcmp(w[3], "3") == 0 && strcmp(w[4], "2") == 0);
    CHECK(frame_reader_release(r, &v[0]) && frame_reader_release(r, &v[1]));
    CHECK_RC(framectl("info", name, "--json", NULL), 0);
    CHECK(json_parse(R.out, &doc));
    CHECK(json_int(&doc, "slots_held") == 0);
    frame_reader_close(r);
    frame_writer_destroy(fw);
}

static void old_segment(void)
{
    const char *name = dump_case("abi1");
    dead_writer(name);
    char path[128];
    snprintf(path, sizeof(path), FRAME_SHM_DIR "/" FRAME_OBJECT_PREFIX "%s",
             name);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    CHECK(fd >= 0);
    struct frame__header *h = mmap(NULL, FRAME__HEADER_SIZE,
                                   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    CHECK(h != MAP_FAILED);
    h->fixed.abi_version = 1;
    munmap(h, FRAME__HEADER_SIZE);

    char both[128];
    snprintf(both, sizeof(both),
             "segment layout 1; this libframe reads only %d",
             FRAME_SEGMENT_ABI);
    CHECK_RC(framectl("info", name, NULL), 1);
    fputs(R.err, stderr);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, "incompatible libframe") &&
          strstr(R.err, both) && strstr(R.err, name) && !R.out[0]);
    CHECK_RC(framectl("info", name, "--json", NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, both) && !R.out[0]);
    CHECK_RC(framectl("dump", name, "-o", dump_out, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, both));
    CHECK_RC(framectl("clean", name, NULL), 1);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, both));
    CHECK_RC(framectl("list", NULL), 0);
    const char *l = line_of(R.out, name);
    CHECK(l && strstr(l, both));
    /* dump --wait says it once and waits for a writer of our layout. */
    int err = capture_fd();
    pid_t pid = spawn_dump(err, name, "--wait", NULL, NULL);
    await_text(err, "waiting for a writer");
    stop_child(pid, SIGINT, EVENT_MS, "framectl", NULL);
    read_capture(err, R.err, sizeof(R.err));
    fputs(R.err, stderr);
    CHECK(count_lines(R.err) == 1 && strstr(R.err, both));
    test_unlink(name);
}

TEST_MAIN(CASE(list_live_and_dead), CASE(info_json), CASE(clean_named),
          CASE(clean_all), CASE(dump_frames), CASE(dump_size_change),
          CASE(dump_broken_pipe), CASE(bad_usage), CASE(missing_segment),
          CASE(list_hostile_names), CASE(list_hostile_header), CASE(dump_wait),
          CASE(dump_follow), CASE(dump_follow_resize), CASE(dump_scribbled),
          CASE(dump_formats_ffmpeg), CASE(dump_format_change),
          CASE(info_list_format), CASE(info_list_held), CASE(old_segment))
