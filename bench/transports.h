/* One run of each way of moving frames, writer and readers as processes. */
#ifndef BENCH_TRANSPORTS_H
#define BENCH_TRANSPORTS_H

#include "bench.h"
#include "frames.h"
#include "procs.h"

#include <stdbool.h>

/* What a libframe writer puts in each slot: the source frame (memcpy),
 * a drawing made in the slot (frame_draw), or nothing but the stamp. */
enum lf_fill { LF_COPY, LF_DRAW, LF_EMPTY };

/* The usual libframe writer process: frames as fast as it can. */
struct lf_writer_args {
    const char *name;
    const struct source *src;
    uint32_t slots;
    enum lf_fill fill;
};
int lf_writer_main(void *arg, struct proc_out *out);

/* A libframe reader process; shared by the transport and wake runs. */
struct lf_reader_args {
    const char *name;
    const struct source *src;
    bool poll;
    bool full;
};
int lf_reader_main(void *arg, struct proc_out *out);

/* In a writer process: create name's segment for src's frames, then wait
 * at the common start. 0, or what child_fail() returned (w not set). */
struct frame_writer;
int lf_writer_start(const char *name, const struct source *src, uint32_t slots,
                    struct frame_writer **w, struct proc_out *out);

/* One turn of a writer process's loop: the meter ticks; then, until the
 * run's end, one frame of src, stamped with its number, is published and
 * counted in out if it falls in the measured window. 0 with *frame_no set,
 * 1 once the run is over, or frame_writer's error. */
struct meter;
int lf_writer_step(struct frame_writer *w, const struct source *src,
                   struct meter *mt, struct proc_out *out, uint64_t *frame_no);
int lf_writer_step_fill(struct frame_writer *w, const struct source *src,
                        enum lf_fill fill, struct meter *mt,
                        struct proc_out *out, uint64_t *frame_no);

/* A fresh segment name for this process, so runs never meet. */
void segment_name(char *buf, size_t len);
/* Remove a segment a killed writer could not remove itself. */
void segment_remove(const char *name);

void run_libframe(const struct opts *o, const struct source *src, bool poll,
                  bool full, int readers, uint32_t slots, struct measure *m);
/* The same with the writer filling slots as fill says (touch readers). */
void run_libframe_fill(const struct opts *o, const struct source *src,
                       enum lf_fill fill, int readers, uint32_t slots,
                       struct measure *m);
/* Pipe (socket false) or Unix stream socket; *buf_bytes receives the pipe
 * capacity or the socket send buffer actually in use. render: the writer
 * draws each frame into its buffer (frame_draw) before writing it. */
void run_stream(const struct opts *o, const struct source *src, bool socket,
                bool full, bool render, struct measure *m, size_t *buf_bytes);

/* The floor of waking a sleeping reader once a frame: the render writer
 * draws into its own buffer and writes a 64-byte header alone into a
 * pipe; the reader sleeps in read(). No pixels move. */
void run_stream_notify(const struct opts *o, const struct source *src,
                       struct measure *m);

/* Leases (t_lease.c): what a reader does with each frame. */
enum lease_work {
    LW_FULL_HELD,    /* hold, sum every byte, release */
    LW_SLOW_HELD,    /* hold, work on it in place for 20 ms, release */
    LW_SLOW,         /* the same with acquire and still_valid */
    LW_HOLD,         /* hold and release, nothing read */
    LW_HOSTILE_LOCK, /* read-lock every frame byte by hand, for ever */
    LW_HOSTILE_HOLD, /* hold every frame through the library, never release */
    LW_NONE          /* no reader */
};
/* A writer at full speed (copying the test card) and one reader doing
 * work. writer_rate: the row's frames/s is the writer's publish rate. */
void run_lease(const struct opts *o, const struct source *src,
               enum lease_work work, uint32_t slots, bool writer_rate,
               struct measure *m);
/* Pairs of frame_reader_hold + frame_reader_release (hold true) or of
 * acquire + still_valid, in a loop against a writer that published one
 * frame and is idle. */
void run_hold_loop(const struct opts *o, const struct source *src, bool hold,
                   struct measure *m);
/* One process drawing frames (frame_draw) into `buffers` buffers in turn:
 * the drawing alone, what render rows subtract. */
void run_draw(const struct opts *o, const struct source *src, uint32_t buffers,
              struct measure *m);
enum memcpy_kind { MEMCPY_WARM, MEMCPY_SLOTS, MEMCPY_COLD };
void run_memcpy(const struct opts *o, const struct source *src,
                enum memcpy_kind kind, struct measure *m);
/* One paced writer wakes a futex reader and a pipe reader at each publish;
 * fm gets the first, pm the second. */
void run_wake(const struct opts *o, const struct source *src,
              struct measure *fm, struct measure *pm);

#endif
