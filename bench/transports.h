/* One run of each way of moving frames, writer and readers as processes. */
#ifndef BENCH_TRANSPORTS_H
#define BENCH_TRANSPORTS_H

#include "bench.h"
#include "frames.h"
#include "procs.h"

#include <stdbool.h>

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

/* A fresh segment name for this process, so runs never meet. */
void segment_name(char *buf, size_t len);
/* Remove a segment a killed writer could not remove itself. */
void segment_remove(const char *name);

void run_libframe(const struct opts *o, const struct source *src, bool poll,
                  bool full, int readers, uint32_t slots, struct measure *m);
/* Pipe (socket false) or Unix stream socket; *buf_bytes receives the pipe
 * capacity or the socket send buffer actually in use. */
void run_stream(const struct opts *o, const struct source *src, bool socket,
                bool full, struct measure *m, size_t *buf_bytes);
enum memcpy_kind { MEMCPY_WARM, MEMCPY_SLOTS, MEMCPY_COLD };
void run_memcpy(const struct opts *o, const struct source *src,
                enum memcpy_kind kind, struct measure *m);
/* One paced writer wakes a futex reader and a pipe reader at each publish;
 * fm gets the first, pm the second. */
void run_wake(const struct opts *o, const struct source *src,
              struct measure *fm, struct measure *pm);

#endif
