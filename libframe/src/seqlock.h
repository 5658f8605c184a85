/* The per-slot seqlock. Single writer: only the process holding the
 * segment's writer lock may call the write side. Readers never store. */
#ifndef LIBFRAME_SEQLOCK_H
#define LIBFRAME_SEQLOCK_H

#include "frame_internal.h"

#include <stdbool.h>

/*
 * Usage. The writer keeps each slot's sequence in its own memory, never
 * reading it back from the segment (another process may have stored
 * anything there):
 *
 *     frame__seq_write_begin(s, q);      q: even, what we stored last
 *     ... store pixels and descriptor fields ...
 *     frame__seq_write_end(s, q);        the slot now holds q + 2
 *
 * A reader:
 *
 *     s0 = frame__seq_read_begin(s);
 *     if (s0 & 1) retry: being written (odd values are returned, not
 *                 waited out: the caller picks another frame or retries);
 *     ... load descriptor fields, use pixels ...
 *     if (!frame__seq_read_valid(s, s0)) discard what was made of them;
 */

/* The slot, last left at the even value q, is being written: q + 1. */
static inline void frame__seq_write_begin(struct frame__slot *s, uint64_t q)
{
    atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
    /* The odd value must be visible before any pixel or field store that
     * follows: a reader that sees one of those stores then sees seq moved. */
    atomic_thread_fence(memory_order_release);
}

static inline void frame__seq_write_end(struct frame__slot *s, uint64_t q)
{
    /* Release: pixels and fields are visible to whoever sees q + 2. */
    atomic_store_explicit(&s->seq, q + 2, memory_order_release);
}

/* The slot's sequence; odd while it is being written. */
static inline uint64_t frame__seq_read_begin(struct frame__slot *s)
{
    /* Acquire: the pixels and fields of the completed write are visible. */
    return atomic_load_explicit(&s->seq, memory_order_acquire);
}

static inline bool frame__seq_read_valid(struct frame__slot *s, uint64_t s0)
{
    /* Every load of the frame made before this point is ordered before the
     * re-read of seq, so a write that overlapped them shows as a change. */
    atomic_thread_fence(memory_order_acquire);
    return atomic_load_explicit(&s->seq, memory_order_relaxed) == s0;
}

#endif
