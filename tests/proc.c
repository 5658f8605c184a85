/* Child processes for the tests: started, signalled, waited for within a
 * limit, and what they wrote. */
#include "proc.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* ---- the children not yet reaped ----------------------------------------- */

#define MAX_KIDS 32

static struct kid {
    pid_t pid;
    bool group;
} kids[MAX_KIDS];
/* A forked child inherits the list with its memory: the copy is not its
 * own, and it must neither kill nor wait for its parent's children. */
static pid_t kids_owner;

static void own_list(void)
{
    static bool registered;
    if (kids_owner != getpid()) {
        memset(kids, 0, sizeof(kids));
        kids_owner = getpid();
    }
    if (!registered) {
        atexit(kill_children);
        registered = true;
    }
}

static void list_add(pid_t pid, bool group)
{
    own_list();
    for (int i = 0; i < MAX_KIDS; i++) {
        if (kids[i].pid == 0) {
            kids[i] = (struct kid){pid, group};
            return;
        }
    }
    kill(pid, SIGKILL);
    CHECK(!"too many children");
}

static void list_remove(pid_t pid)
{
    if (kids_owner != getpid())
        return;
    for (int i = 0; i < MAX_KIDS; i++)
        if (kids[i].pid == pid)
            kids[i].pid = 0;
}

void kill_children(void)
{
    if (kids_owner != getpid())
        return;
    for (int i = 0; i < MAX_KIDS; i++) {
        if (kids[i].pid > 0) {
            kill(kids[i].group ? -kids[i].pid : kids[i].pid, SIGKILL);
            waitpid(kids[i].pid, NULL, 0);
            kids[i].pid = 0;
        }
    }
}

/* ---- starting them ------------------------------------------------------- */

static pid_t fork_listed(bool group)
{
    pid_t parent = getpid();
    fflush(NULL); /* or the child would write our buffered output again */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) /* the parent died before prctl() */
            _exit(1);
        if (group)
            setpgid(0, 0);
        return 0;
    }
    /* Both sides, so the group exists whichever runs first. */
    if (group)
        setpgid(pid, pid);
    list_add(pid, group);
    return pid;
}

pid_t fork_child(void) { return fork_listed(false); }

void cmdline_add(struct cmdline *c, const char *word)
{
    CHECK(c->argc < CMDLINE_MAX - 1);
    c->argv[c->argc++] = word;
    c->argv[c->argc] = NULL;
}

void cmdline_add_all(struct cmdline *c, const char *const *words)
{
    for (; words && *words; words++)
        cmdline_add(c, *words);
}

/* In the child: stdout or stderr (to) as spawn_opts says. */
static void redirect(const char *path, int fd, int to)
{
    if (path || fd <= 0)
        fd = open(path ? path : "/dev/null",
                  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || dup2(fd, to) < 0)
        _exit(126);
}

pid_t spawn(const struct spawn_opts *o)
{
    pid_t pid = fork_listed(o->group);
    if (pid > 0)
        return pid;
    for (const char *const *e = o->env; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        char name[128];
        if (!eq) {
            unsetenv(*e);
            continue;
        }
        if (eq - *e >= (ptrdiff_t)sizeof(name))
            _exit(126);
        snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
        setenv(name, eq + 1, 1);
    }
    redirect(o->out, o->out_fd, STDOUT_FILENO);
    redirect(o->err, o->err_fd, STDERR_FILENO);
    if (o->limit_s)
        alarm(o->limit_s);
    execvp(o->argv[0], (char *const *)o->argv);
    _exit(127);
}

const char *find_in_path(const char *prog)
{
    static char path[4096];
    const char *dirs = getenv("PATH");
    if (!dirs)
        dirs = "/usr/bin:/bin";
    while (*dirs) {
        size_t n = strcspn(dirs, ":");
        snprintf(path, sizeof(path), "%.*s/%s", (int)n, dirs, prog);
        if (n && access(path, X_OK) == 0)
            return path;
        dirs += n + (dirs[n] == ':');
    }
    return NULL;
}

/* ---- how they end -------------------------------------------------------- */

int reap_within(pid_t pid, int timeout_ms)
{
    int64_t end = now_ns() + (int64_t)timeout_ms * MS;
    for (;;) {
        int st;
        pid_t got = waitpid(pid, &st, timeout_ms < 0 ? 0 : WNOHANG);
        if (got == pid) {
            list_remove(pid);
            return st;
        }
        if (got < 0)
            CHECK(errno == EINTR);
        else if (now_ns() >= end)
            return -1;
        else
            sleep_ms(5);
    }
}

bool still_running(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           si.si_pid == 0;
}

void describe_status(char *buf, size_t len, int st)
{
    if (st == -1)
        snprintf(buf, len, "still running");
    else if (WIFSIGNALED(st))
        snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    else
        snprintf(buf, len, "exit status %d", WEXITSTATUS(st));
}

static void fail_end(pid_t pid, int st, const char *want, const char *what,
                     const char *log)
{
    char how[96];
    describe_status(how, sizeof(how), st);
    fprintf(stderr, "%s (pid %d): %s, expected %s\n", what, (int)pid, how,
            want);
    if (log)
        print_file(what, log);
    CHECK(!"a child did not end as expected");
}

void expect_exit(pid_t pid, int want, int timeout_ms, const char *what,
                 const char *log)
{
    int st = reap_within(pid, timeout_ms);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != want) {
        char w[32];
        snprintf(w, sizeof(w), "exit status %d", want);
        fail_end(pid, st, w, what, log);
    }
}

void expect_signal(pid_t pid, int sig, int timeout_ms, const char *what,
                   const char *log)
{
    int st = reap_within(pid, timeout_ms);
    if (st == -1 || !WIFSIGNALED(st) || WTERMSIG(st) != sig) {
        char w[64];
        snprintf(w, sizeof(w), "death by signal %d (%s)", sig, strsignal(sig));
        fail_end(pid, st, w, what, log);
    }
}

int exit_code(pid_t pid, int timeout_ms, const char *what, const char *log)
{
    int st = reap_within(pid, timeout_ms);
    if (st == -1 || !WIFEXITED(st))
        fail_end(pid, st, "an exit", what, log);
    return WEXITSTATUS(st);
}

void stop_child(pid_t pid, int sig, int timeout_ms, const char *what,
                const char *log)
{
    CHECK(kill(pid, sig) == 0);
    expect_exit(pid, 0, timeout_ms, what, log);
}

void kill_child(pid_t pid, int timeout_ms, const char *what, const char *log)
{
    CHECK(kill(pid, SIGKILL) == 0);
    expect_signal(pid, SIGKILL, timeout_ms, what, log);
}

void run_in_child(void (*fn)(void *), void *arg, const char *what,
                  const char *log)
{
    pid_t pid = fork_child();
    if (pid == 0) {
        fn(arg);
        fflush(NULL);
        _exit(0);
    }
    int st = reap_within(pid, NO_LIMIT);
    if (WIFEXITED(st) && WEXITSTATUS(st) == SKIP)
        exit(SKIP);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_end(pid, st, "exit status 0", what, log);
}

bool private_dev_shm(const char *size)
{
    char opts[64];
    snprintf(opts, sizeof(opts), "size=%s,mode=1777", size);
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", FRAME_SHM_DIR, "tmpfs", 0, opts) != 0) {
        perror("private /dev/shm");
        return false;
    }
    return true;
}

/* ---- what a child wrote -------------------------------------------------- */

int capture_fd(void)
{
    char path[] = "/tmp/libframe-test-XXXXXX";
    int fd = mkostemp(path, O_CLOEXEC);
    CHECK(fd >= 0);
    unlink(path);
    return fd;
}

void read_capture(int fd, char *buf, size_t len)
{
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
    size_t n = 0;
    ssize_t got;
    while (n + 1 < len && (got = read(fd, buf + n, len - 1 - n)) > 0)
        n += (size_t)got;
    buf[n] = 0;
    close(fd);
}

char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 2) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            CHECK(buf);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        if (got == 0)
            break;
        len += got;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

bool file_has(const char *path, const char *needle)
{
    char *s = read_text(path);
    bool found = s && strstr(s, needle);
    free(s);
    return found;
}

int file_lines(const char *path)
{
    char *s = read_text(path);
    int n = 0;
    for (const char *p = s; p && *p; p++)
        n += *p == '\n';
    free(s);
    return n;
}

int file_count(const char *path, const char *needle)
{
    char *s = read_text(path);
    int n = 0;
    for (const char *p = s; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    free(s);
    return n;
}

void print_file(const char *what, const char *path)
{
    char *s = read_text(path);
    fprintf(stderr, "---- %s (%s):\n", what, path);
    if (!s)
        fputs("(no such file)\n", stderr);
    else if (*s)
        fprintf(stderr, "%s%s", s, s[strlen(s) - 1] == '\n' ? "" : "\n");
    fputs("----\n", stderr);
    free(s);
}

double cpu_seconds(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    CHECK(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    /* The command name may hold anything: fields count from its ')'. */
    const char *p = strrchr(buf, ')');
    CHECK(p);
    unsigned long long utime, stime;
    CHECK(sscanf(p + 2,
                 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
                 "%llu",
                 &utime, &stime) == 2);
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static char scratch_path[128];

const char *scratch(const char *tag)
{
    snprintf(scratch_path, sizeof(scratch_path), "/tmp/libframe-test-%d-%s",
             (int)getpid(), tag);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", scratch_path,
             scratch_path);
    CHECK(system(cmd) == 0);
    return scratch_path;
}

const char *scratch_dir(void) { return scratch_path; }

void scratch_remove(void)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_path);
    CHECK(system(cmd) == 0);
}
