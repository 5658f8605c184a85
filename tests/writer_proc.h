/* Shared by the cross-process tests: segments, pipes, pixels, and a
 * libframe writer living in its own process, driven over a pipe. */
#ifndef LIBFRAME_TEST_WRITER_PROC_H
#define LIBFRAME_TEST_WRITER_PROC_H

#include "proc.h"
#include "runner.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define FW 128
#define FH 96
/* What a half-written frame holds: no complete frame ever does. */
#define HALF_PX 0xdeadbeefu

/* The case's segment name, fixed in the parent (test_name() differs in
 * every child) and unlinked at exit by the process that made it. */
const char *new_seg(const char *tag);
bool seg_exists(const char *name);

void make_pipe(int p[2]);
/* Two pipes between the test and a child it forks: go carries the test's
 * word to the child, res the child's answers. */
struct chan {
    int go[2], res[2];
};
void chan_open(struct chan *c);
void chan_close(struct chan *c);
void send_msg(int fd, const void *msg, size_t n);
/* Read exactly n bytes; false on EOF or when timeout_ms (-1: none) passes. */
bool recv_msg(int fd, void *msg, size_t n, int timeout_ms);

/* Until pid sleeps in a futex (a reader's wait). */
void wait_blocked(pid_t pid);

/* Every pixel of frame frame_no of a writer started with base. */
uint32_t pattern(uint32_t base, uint64_t frame_no);
void fill_rows(const struct frame_buffer *b, uint32_t y0, uint32_t y1,
               uint32_t px);
/* Pixels of the view that are not px. */
size_t bad_pixels(const struct frame_view *v, uint32_t px);

struct writer_proc {
    pid_t pid;
    const char *name;
    int cmd; /* parent -> writer */
    int evt; /* writer -> parent */
    uint64_t session_id;
};

struct hello {
    int rc;
    int replaced;
    uint64_t session_id;
};

/*
 * Start a writer process on name with frames FWxFH already published. It
 * then obeys one-byte commands (writer_do): 'n' publish the next frame,
 * 'h' begin the next frame and write only its top half, 'T' try a frame
 * on a truncated segment and report the three return codes, 'P'/'R'
 * paused/running, 'd' destroy once the parent sleeps in wait() and send
 * the time, 'q' destroy and exit.
 */
struct hello start_writer(struct writer_proc *p, const char *name,
                          uint32_t base, int frames);
/* Send a command and wait for the writer to have carried it out. */
void writer_do(struct writer_proc *p, char c);
void writer_close_pipes(struct writer_proc *p);
/* 'q', and the writer must exit 0 having removed its segment. */
void stop_writer(struct writer_proc *p);

#endif
