/* fork + exec with the output captured, and waiting with a time limit. */
#include "spawn.h"

#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool have_command(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    char buf[PATH_MAX];
    while (*path) {
        size_t n = strcspn(path, ":");
        if (n && n + strlen(name) + 2 <= sizeof(buf)) {
            snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
            struct stat st;
            if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
                access(buf, X_OK) == 0)
                return true;
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return false;
}

pid_t spawn_cmd(char *const argv[], int out_fd)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    int fd = out_fd >= 0 ? out_fd : open("/dev/null", O_WRONLY);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
    }
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0)
        dup2(in, STDIN_FILENO);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

int spawn_wait(pid_t pid, int timeout_ms, struct rusage *ru)
{
    int64_t deadline =
        timeout_ms < 0 ? INT64_MAX : now_ns() + timeout_ms * INT64_C(1000000);
    struct rusage scratch;
    if (!ru)
        ru = &scratch;
    bool killed = false;
    for (;;) {
        int st;
        pid_t r = wait4(pid, &st, WNOHANG, ru);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0 && errno != EINTR)
            return -1;
        if (!killed && now_ns() > deadline) {
            kill(pid, SIGKILL);
            killed = true;
        }
        sleep_ns(1000000);
    }
}

int capture_open(void)
{
    const char *dir = getenv("TMPDIR");
    int fd =
        open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    char tmpl[] = "/tmp/framebench-out.XXXXXX";
    fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd >= 0)
        unlink(tmpl);
    return fd;
}

void capture_read(int fd, char *out, size_t outlen)
{
    ssize_t n = pread(fd, out, outlen - 1, 0);
    out[n > 0 ? n : 0] = 0;
}

int spawn_run(char *const argv[], char *out, size_t outlen, int timeout_ms)
{
    int fd = capture_open();
    pid_t pid = spawn_cmd(argv, fd);
    int rc = pid < 0 ? -1 : spawn_wait(pid, timeout_ms, NULL);
    if (out && outlen) {
        out[0] = 0;
        if (fd >= 0)
            capture_read(fd, out, outlen);
    }
    if (fd >= 0)
        close(fd);
    return rc;
}
