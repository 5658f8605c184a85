/* Hardening with real processes: valgrind clean, and a full /dev/shm. */
#include "runner.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#if !defined(PRODUCER_PATH) || !defined(MAKE_SAMPLES_PATH)
#error "PRODUCER_PATH and MAKE_SAMPLES_PATH must name the programs"
#endif

#define SKIP 77
#define READER_FRAMES_MIN 5 /* of the 30 published at 30 fps */

static char scratch_dir[128];

static const char *scratch(void)
{
    snprintf(scratch_dir, sizeof(scratch_dir),
             "/tmp/libframe-hardening-%d", (int)getpid());
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", scratch_dir,
             scratch_dir);
    CHECK(system(cmd) == 0);
    return scratch_dir;
}

static void scratch_remove(void)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_dir);
    CHECK(system(cmd) == 0);
}

/* A few PNGs of different kinds (palette, 16-bit, interlaced, grey) and one
 * corrupt file, so the error path runs under valgrind too. */
static void make_inputs(const char *dir, char *inputs, size_t len)
{
    char cmd[1024];
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

static void print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof(line), f))
        fputs(line, stderr);
    fclose(f);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start argv[0] with stderr into log (if not NULL). */
static pid_t spawn(const char *log, char *const argv[])
{
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (log) {
            int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, 2) < 0)
                _exit(127);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int exit_status(pid_t pid)
{
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status))
        fprintf(stderr, "pid %d died of signal %d\n", (int)pid,
                WTERMSIG(status));
    CHECK(WIFEXITED(status));
    return WEXITSTATUS(status);
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
    int64_t until = now_ms() + 60000;
    int rc;
    while ((rc = frame_reader_open(name, &r)) == -ENOENT &&
           now_ms() < until)
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
        rc = frame_reader_wait(r, 10000);
        if (rc == FRAME_ECLOSED)
            break;
        if (rc)
            goto out;
        struct frame_view v;
        if ((rc = frame_reader_acquire(r, &v)))
            goto out;
        rc = frame_reader_copy(r, buf, (size_t)v.width * 4,
                               info.slot_capacity, &v);
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

/* The valgrind program from PATH, or NULL. */
static const char *find_valgrind(void)
{
    static char path[4096];
    const char *dirs = getenv("PATH");
    if (!dirs)
        dirs = "/usr/bin:/bin";
    while (*dirs) {
        size_t n = strcspn(dirs, ":");
        snprintf(path, sizeof(path), "%.*s/valgrind", (int)n, dirs);
        if (n && access(path, X_OK) == 0)
            return path;
        dirs += n + (dirs[n] == ':');
    }
    return NULL;
}

static void valgrind_producer_reader(void)
{
#ifdef FRAME_SANITIZED
    fprintf(stderr, "skipped: valgrind cannot run sanitized programs; the "
            "plain build runs this test\n");
    exit(SKIP);
#endif
    const char *vg = find_valgrind();
    if (!vg)
        fprintf(stderr, "valgrind is not installed (Debian: apt-get install "
                "valgrind); this test needs it\n");
    CHECK(vg);
    const char *dir = scratch();
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
    char *rargv[] = {(char *)vg, "--error-exitcode=1", "--leak-check=full",
                     "--errors-for-leak-kinds=definite,indirect,possible",
                     rvgopt, self, "--reader", name, fdarg, NULL};
    pid_t reader = spawn(rlog, rargv);
    close(ready[1]);
    char c = 0;
    if (read(ready[0], &c, 1) != 1) {
        print_file(rlog);
        print_file(rvg);
    }
    CHECK(c == 'r');
    close(ready[0]);

    char *pargv[] = {(char *)vg, "--error-exitcode=1", "--leak-check=full",
                     "--errors-for-leak-kinds=definite,indirect,possible",
                     pvgopt, producer_path, "--name", name, "--count", "30",
                     "--fps", "30", "--threads", "2", "--quiet", inputs,
                     NULL};
    pid_t producer = spawn(plog, pargv);
    int pst = exit_status(producer);
    int rst = exit_status(reader);
    if (pst || rst) {
        fprintf(stderr, "producer exited %d, reader %d\n", pst, rst);
        print_file(plog);
        print_file(pvg);
        print_file(rlog);
        print_file(rvg);
    }
    CHECK(pst == 0 && rst == 0);
    /* The bad file was reported; the segment was removed at the end. */
    print_file(rlog);
    FILE *f = fopen(plog, "r");
    CHECK(f);
    char line[512];
    bool reported = false;
    while (fgets(line, sizeof(line), f))
        reported |= strstr(line, "bad-crc.png") != NULL;
    fclose(f);
    CHECK(reported);
    frame_reader *r;
    CHECK_RC(frame_reader_open(name, &r), -ENOENT);
    scratch_remove();
}

/* In a private mount namespace with a 1 MiB /dev/shm: the producer, asked
 * for a 1920x1080 segment (16 MiB), must say "no space" at start. */
static void no_space_child(const char *png, const char *log)
{
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", "/dev/shm", "tmpfs", 0, "size=1m,mode=1777") != 0) {
        perror("private /dev/shm");
        _exit(SKIP);
    }
    char *argv[] = {PRODUCER_PATH, "--name", "nospace", "--max-size",
                    "1920x1080", "--count", "3", "--fps", "0", (char *)png,
                    NULL};
    pid_t pid = spawn(log, argv);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status))
        fprintf(stderr, "producer died of signal %d\n", WTERMSIG(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    /* Nothing of it is left, not even the private ~PID name. */
    DIR *d = opendir("/dev/shm");
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
    const char *dir = scratch();
    char cmd[512], png[256], log[256];
    snprintf(cmd, sizeof(cmd), "'%s' --test-images '%s' >/dev/null",
             MAKE_SAMPLES_PATH, dir);
    CHECK(system(cmd) == 0);
    snprintf(png, sizeof(png), "%s/rgba8.png", dir);
    snprintf(log, sizeof(log), "%s/producer.log", dir);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        no_space_child(png, log);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    print_file(log);
    if (WEXITSTATUS(status) == SKIP)
        exit(SKIP);
    CHECK(WEXITSTATUS(status) == 0);
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

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--reader") == 0)
        return reader_main(argv[2], atoi(argv[3]));
    static const struct test_case cases[] = {
        CASE(valgrind_producer_reader),
        CASE(no_space),
    };
    return test_main(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);
}
